"""KPI status as of a date: actual so far, where it should be now, a forecast at the deadline, a status.

Pacing. An *accumulating* metric (catalog `accumulates=True`: counts such as audience_growth, posts, spend) is
tracked as a running total that stands at `baseline` (default 0) when the horizon starts and must reach
`target` at the KPI's `by`: actual = baseline + the sum since the horizon start, and expected_now moves
linearly from baseline to target. `audience_size` (a level, not a sum) paces the same way from its baseline
(default: the first measured value) to the target. Every other metric — ratios, minutes, scores, means — must
hold its target in every period: expected_now = target and actual = its value over the horizon so far.
expected_now is reported only for a KPI judged against it: None for `no_data`, `not_enough_data`, `not_judged`
and before the horizon starts (a pace beside a KPI that is not judged reads as a judgement it is not).

Forecast, on the review-cadence periods (weekly, else monthly; quarterly plans trend on months). Accumulating
metrics: the per-day rate so far (Σ counts / Σ days of the calendar months with data, `counted_days`: a month
without any data is a missing export, neither none nor average; a quiet week inside a month with data is a week
of none; the verdicts take a tactic's rate over the same days), carried over the days left and added to the
total, with an 80 % prediction interval from three periods on (the periods' rates weighted by their days). A paced level
(audience_size) holds its latest value, with an 80 % interval from three periods on: as far as it may move over
the days left at the per-day changes between its snapshots, taken around no change (each period's level is its
last snapshot, at the period's end). Everything else must not let a thin period drive it (issue 13.6): a ratio
of counts is pooled over the horizon so far (Σk/Σn, Beta interval widened by the periods' over-dispersion), a
reply-time median or p90 is the quantile of all pooled answered gaps (exact bootstrap interval), other values
weight each period by its n. For all of them, a trend (of the daily rate, or of the value) replaces that level
only where its slope is clear at 95 % over four or more complete periods of the latest run (the periods after
the last stretch of `LONG_GAP_PERIODS` or more periods without data: a line across years of silence joins
stretches never seen connected; the reason then says the earlier periods count in the value so far, not in
the trend), and is projected no further ahead than the data reach back: beyond, it is held at the value it has
reached there. A KPI whose data have been silent for `LONG_GAP_PERIODS` whole months or more by the day it is
judged (as-of, or the deadline if earlier) is not forecast at all: `not_enough_data`, "no data since 2014-12"
with its last value, unless a paced KPI has already reached its target (`met`, still without a forecast): a
rate or trend from before the silence, carried over years of it, is a made-up projection. A count of member lists'
joins and leaves (`covered_to`: the day the lists' member exports cover them up to, as-of at most) has data on
every day up to that day: a member export lists every member up to its export day, so a month without a join or a
leave is a month of 0 (in the rate, the periods and the trend's run), not a missing export nor a silence, from
the month of the lists' first join (`covered_from`; the horizon's start for a list with members before it) on. A count
that several accounts add up to (`sources`: a page's follower gains and a list's joins under one objective) is
judged silent account by account, each as it would be alone: where some have been silent for `LONG_GAP_PERIODS`
whole months or more and others have not, the silent ones are held at what they added (nothing more is forecast
of them) and the forecast runs at the others' rate; the reason names each silent account and the month since
which to import its exports. Where all are silent the KPI is, and the reason names each one's month.
Forecasts and their intervals stay within what the metric can take (the catalog's bounds); a running total of
counts that cannot be negative is never forecast or bounded below what is already counted. A net change of an
audience (audience_growth) whose audience's size at the horizon's start is known is forecast as that audience's:
the size's forecast (as an audience_size KPI of the same objective has it) less the start size, plus the baseline,
interval and future points shifted alike (`_net_from_size`), so growth and size tell one story; where the start is
unknown (or the sizes are not of the audience the growth counts), its own daily rate is. It can be negative,
but an audience cannot lose more members than it has: its forecast and interval are bounded below at the
baseline less the audience's size at the horizon's start (`audience_start`: the size its growth is counted from,
as audience_growth_rate divides by; for a growth its member lists' exports cover, their joins less leaves before
the horizon: `inputs.listed_start`, the bound only, its own daily rate kept), and the reason says so where a bound
applied; where that size is not known for all of the growth, a forecast of a net loss says it is not bounded
rather than invent a floor. Fewer than `MIN_OBSERVATIONS` observations of a ratio, reply time or score give the
status `not_enough_data`, saying how many more are needed and how long that takes at the current volume, unless
an exact count already settles which side of the target a ratio of counts or a reply-time quantile is on
(`_clear_count`: 13 replies all slower than the target are not "too few").

Direction comes from the catalog; a metric without one counts as "higher is better" unless the target lies
below the baseline. "Meets" means at or beyond the target in that direction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from strategyfirst import catalog, formatting
from strategyfirst.diagnose.diagnosis import ForecastPoint, KpiStatus, SeriesPoint, Status
from strategyfirst.diagnose.evidence import MIN_PERIODS, NOTABLE_DISPERSION, bootstrap_quantile_interval, exact_tails
from strategyfirst.diagnose.forecast import (
    LEVEL,
    Fit,
    Prediction,
    Trend,
    clear_trend,
    fit_level,
    latest_run,
    pooled_ratio,
    predict_at,
    predict_total,
    quasi_dispersion,
    weighted_level,
)
from strategyfirst.diagnose.inputs import Observation, Source
from strategyfirst.diagnose.rules import LONG_GAP_PERIODS, MIN_OBSERVATIONS, STATUS_RULES

PACED_LEVELS = frozenset({"audience_size"})
# Statuses that are no judgement of the KPI against its pace: they report no value needed now.
UNJUDGED: frozenset[Status] = frozenset({"no_data", "not_enough_data", "not_judged"})
# Net changes of an audience: negative at most by the whole audience the change is counted from.
NET_AUDIENCE = frozenset({"audience_growth"})
UNBOUNDED_RATIOS = frozenset({"audience_growth_rate", "budget_burn"})  # not a share of a whole: never pooled
# Without an interval (fewer than 3 periods), a forecast missing the target by more than this share of it is
# off track rather than at risk.
MARGIN = 0.10
QUANTILES = {"first_response_minutes_median": 0.5, "first_response_minutes_p90": 0.9}
# What one observation of a KPI is, to say how many more are needed.
OBSERVED = {"response_rate": "inbound messages", "conversation_response_rate": "audience-started conversations",
            "first_response_minutes_median": "answered messages", "first_response_minutes_p90": "answered messages",
            "dialogue_ratio": "owned messages", "engagement_rate": "impressions",
            "engagement_rate_by_reach": "people reached", "click_through_rate": "impressions",
            "amplification_rate": "impressions", "sentiment_inbound_mean": "inbound messages",
            "sentiment_lift": "conversations", "conversation_depth_mean": "conversations",
            "email_open_rate": "deliveries", "email_click_rate": "deliveries",
            "email_unsubscribe_rate": "deliveries", "social_conversion_rate": "sessions"}

FOOTNOTES: list[str] = [
    "Accumulating counts pace linearly from the baseline at the horizon start to the target at the KPI's "
    "deadline, and so does audience size (from its first value unless the KPI gives a baseline); ratios, "
    "minutes and scores must hold their target in every period. A KPI with no data, too little data or no "
    "deadline is not judged against that pace, so nothing is shown as needed now.",
    f"Forecasts of counts: the daily rate so far (over the days of the months with data: a month without any is "
    "a missing export, not a month of none; a member list's days up to the day its exports cover it to count, "
    f"a month without a join or a leave as one of none) carried over the days left, with an {LEVEL:.0%} prediction "
    "interval (three or more periods needed); a running total is never forecast or bounded below what is "
    "already counted. Net audience growth, where the audience's size at the horizon's start is known, is the "
    "audience size's forecast less that start size (interval alike) where each period's size is the start plus "
    "the growth so far, else its own daily rate; it may fall, but never below losing the "
    "whole audience it is counted from: its forecast and interval are bounded there, and say so (a member "
    "list's start size is its exports' joins less leaves before the horizon: its own daily rate is kept).",
    f"Forecasts of audience size: the latest level held, with an {LEVEL:.0%} interval from how far it moved "
    "between periods, either way, over the days left (three or more periods needed), or a clear trend's slope "
    "followed from the latest size; never below 0.",
    f"Forecasts of ratios: the ratio pooled over the horizon so far (all messages count alike, whatever their "
    f"week), with an {LEVEL:.0%} Beta interval, widened when periods vary more than chance explains; reply "
    f"times: the median (or p90) of all answered messages so far, with an {LEVEL:.0%} bootstrap interval; "
    "other values: the periods weighted by how many observations they hold. For counts, audience size and these "
    "alike, a trend replaces the level only where it is clear (95 %) over four or more complete periods, and is "
    "projected no further ahead than the data reach back; beyond, it is held at the value it has reached. "
    "A falling net audience growth is held once it reaches its lowest period's daily rate: no worse a month "
    "than the data show. "
    f"A trend is drawn through the latest run of periods only: data silent for {LONG_GAP_PERIODS} periods or "
    "more start a new run.",
    f"A KPI without data for {LONG_GAP_PERIODS} whole months or more before the as-of date (or its deadline, if "
    "earlier) is not forecast: it says since when, with its last value, and is not enough data unless it has "
    "already met its target. A member list's exports are data up to their export day (never past the as-of "
    "date): each lists every member up to it, so its quiet months are months of none, not a silence. A count "
    "fed by several accounts is judged account by account: one silent that long is held at what it added and "
    "named, with the month to import its exports from, while the others' rate is carried on.",
    *(f"{formatting.status_label(status)}: {rule}" for status, rule in STATUS_RULES),
]


def period_end(start: dt.date, period: str) -> dt.date:
    """The exclusive end of the bucket starting at `start` (ISO week or calendar month)."""
    if period == "week":
        return start + dt.timedelta(days=7)
    return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)


def bucket_start(day: dt.date, period: str) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def periods_between(earlier: dt.date, later: dt.date, period: str) -> int:
    """How many whole buckets lie strictly between the buckets starting at `earlier` and `later`."""
    if period == "week":
        return (later - earlier).days // 7 - 1
    return (later.year - earlier.year) * 12 + later.month - earlier.month - 1


def segments(start: dt.date, end: dt.date, period: str) -> list[tuple[dt.date, dt.date]]:
    """[start, end) cut at bucket boundaries, as (segment start, exclusive segment end)."""
    out: list[tuple[dt.date, dt.date]] = []
    cursor = start
    while cursor < end:
        stop = min(period_end(bucket_start(cursor, period), period), end)
        out.append((cursor, stop))
        cursor = stop
    return out


@dataclass(frozen=True)
class Periods:
    """A KPI's review periods with data inside [start, as_of]: each (observation, first day, exclusive end) with
    its days, whether the data cover it whole, its midpoint in days since start, whether it is of the latest run,
    its value; `starts`: the starts of the periods that hold data (a count's quiet weeks are not among them)."""

    covered: list[tuple[Observation, dt.date, dt.date]]
    days: np.ndarray
    complete: np.ndarray
    mids: np.ndarray
    run: np.ndarray
    values: np.ndarray
    starts: list[dt.date]


def _periods(points: list[Observation], start: dt.date, as_of: dt.date, period: str, counted: bool = False,
             span: bool = False, through: dt.date | None = None, began: dt.date | None = None) -> Periods:
    """The periods of `points` clipped to [start, as_of]; with `counted` (a count), also the review periods without
    data inside the calendar months with data, as 0 over their days in those months (`counted_days`); with `span`
    (a net audience growth), also inside the months of a gap shorter than a silence; with `through` (the day the
    member exports of the count's lists cover them up to), also on every day up to it (from `began`, the day the
    lists began, where given: `month_days`)."""
    covered = []
    for o in points:
        assert o.period is not None
        lo, hi = max(o.period, start), min(period_end(o.period, period), as_of + dt.timedelta(days=1))
        if hi > lo:
            covered.append((o, lo, hi))
    starts = [o.period for o, _, _ in covered if o.period is not None]
    if counted and (covered or through is not None):
        covered = sorted([*covered, *quiet_periods(covered, start, as_of, period, span, through, began)],
                         key=lambda c: c[0].period or dt.date.min)
    days = np.array([(hi - lo).days for _, lo, hi in covered], dtype=float)
    # Periods the data cover whole: only these count towards the periods a trend needs.
    complete = np.array([lo == o.period and hi == period_end(o.period, period) for o, lo, hi in covered],
                        dtype=bool)
    mids = np.array([((lo - start).days + (hi - start).days) / 2 for _, lo, hi in covered], dtype=float)
    # A trend is drawn through the latest run of periods only (those after the last long stretch without data).
    firsts = [o.period for o, _, _ in covered if o.period is not None]
    run = latest_run(np.array([0] + [periods_between(a, b, period) for a, b in itertools.pairwise(firsts)]))
    values = np.array([float(o.value) for o, _, _ in covered if o.value is not None], dtype=float)
    return Periods(covered, days, complete, mids, run, values, starts)


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_with_data(spans: list[tuple[dt.date, dt.date]], span: bool = False) -> set[dt.date]:
    """The calendar months (their first days) that days [lo, hi) of periods with data fall in; with `span`, also
    the months of each gap between them shorter than a silence (LONG_GAP_PERIODS)."""
    months = {m for lo, hi in spans for m in (_month(lo), _month(hi - dt.timedelta(days=1)))}
    if span:  # the months of each gap shorter than a silence (a longer one ends a run: `silence`, `latest_run`)
        for a, b in itertools.pairwise(sorted(months)):
            gap = _months_between(a, b)
            if len(gap) < LONG_GAP_PERIODS:
                months.update(gap)
    return months


def _months_between(a: dt.date, b: dt.date) -> list[dt.date]:
    """The first days of the months strictly between months `a` and `b`."""
    out, m = [], period_end(a, "month")
    while m < b:
        out.append(m)
        m = period_end(m, "month")
    return out


def counted_days(starts: list[dt.date], lo: dt.date, hi: dt.date, period: str, span: bool = False,
                 through: dt.date | None = None, began: dt.date | None = None) -> int:
    """The days a count's daily rate is taken over in [lo, hi] (inclusive), given the starts of its review periods
    with data: every day of the calendar months that hold data, none of the months without any.

    A month with no data at all is a missing export, not a month of none (a metric whose inputs are absent is
    null, never 0), so it neither lowers the rate nor counts as average: it is left out. Inside a month with data
    a week without any is a week of none (the month's export covers it). Months are the unit whatever the
    cadence, as in `silence`; a count silent for LONG_GAP_PERIODS whole months or more is not judged at a rate
    at all.

    `span` (a net audience growth): a month in a gap of fewer than LONG_GAP_PERIODS months between two with data
    counts too. A member export lists every member up to its export day, so a month without a join or a leave is
    a month of none; and a growth taken between snapshots puts a month without one into the next month's change.
    A longer gap is a silence (it starts a new run of periods): its months are left out, as a count's.

    `through`: the day the member exports of the count's lists cover them up to (`DiagnoseInputs.covered`):
    every day from the first month with data to it counts, whatever the gaps, as each of those days is one the
    exports list every join and leave of (`month_days`); with `began` (the day the lists began), from it."""
    end = hi + dt.timedelta(days=1)
    spans = [(max(s, lo), min(period_end(s, period), end)) for s in starts]
    months = months_with_data([(a, b) for a, b in spans if b > a], span)
    return sum((b - a).days for _, a, b in month_days(months, lo, end, through, began))


def month_days(months: set[dt.date], lo: dt.date, end: dt.date, through: dt.date | None = None,
               began: dt.date | None = None) -> list[tuple[dt.date, dt.date, dt.date]]:
    """(month, first day, exclusive end) of the counted days in [lo, end), month by month: every day of the
    `months` with data, and with `through` every day from the first of them up to `through` (a member export's
    covered days: in its last month, none after it). Not before the first month with data: a list whose first
    member joined in the window did not exist before, and its years of no members would count as years of none,
    diluting its rate and drawing a "clear trend" from a run of zeros to its first joins.

    `began`: the day the lists began (the first join their exports list, whenever it was): the covered days run
    from its month, from `lo` where it is earlier. A list that had members before the window existed all through
    it, and its first quiet months in it are months of none, not days it did not exist (a list of 12 since 2018
    with joins again from June read 'N in 30 days' of a window open since January)."""
    days = {m: (max(m, lo), min(period_end(m, "month"), end)) for m in months}
    firsts = [*([min(months)] if months else []), *([_month(max(began, lo))] if began is not None else [])]
    if through is not None and firsts:
        stop, m = min(through + dt.timedelta(days=1), end), min(firsts)
        while m < stop:
            days.setdefault(m, (max(m, lo), min(period_end(m, "month"), stop)))
            m = period_end(m, "month")
    return sorted((m, a, b) for m, (a, b) in days.items() if b > a)


def quiet_periods(covered: list[tuple[Observation, dt.date, dt.date]], start: dt.date, as_of: dt.date,
                   period: str, span: bool = False, through: dt.date | None = None, began: dt.date | None = None
                   ) -> list[tuple[Observation, dt.date, dt.date]]:
    """The review periods inside [start, as_of] without data whose days fall in a month with data (with `span`:
    or in a month of a gap shorter than a silence; with `through`: or on a day up to it, which member exports
    cover, from `began` where given: `month_days`), each as a count of 0 over those days (without `span` or
    `through`, weeks only: a month with data is its own period)."""
    if period == "month" and not span and through is None:
        return []
    months = months_with_data([(lo, hi) for _, lo, hi in covered], span)
    have = {o.period for o, _, _ in covered}
    out: list[tuple[Observation, dt.date, dt.date]] = []
    for _, first, stop in month_days(months, start, as_of + dt.timedelta(days=1), through, began):
        bucket = bucket_start(first, period)
        while bucket < stop:
            lo = max(bucket, first)
            hi = min(period_end(bucket, period), stop)
            if bucket not in have and hi > lo:
                out.append((Observation(0.0, 0, period=bucket), lo, hi))
            bucket = period_end(bucket, period)
    return _merge_split(out)


def _merge_split(parts: list[tuple[Observation, dt.date, dt.date]]) -> list[tuple[Observation, dt.date, dt.date]]:
    """Quiet weeks cut at a month boundary (both months with data) joined back into one period."""
    out: list[tuple[Observation, dt.date, dt.date]] = []
    for o, lo, hi in parts:
        if out and out[-1][0].period == o.period and out[-1][2] == lo:
            out[-1] = (out[-1][0], out[-1][1], hi)
        else:
            out.append((o, lo, hi))
    return out


def direction_of(metric: str, target: float, baseline: float | None) -> str:
    spec = catalog.get(metric)
    if spec is not None and spec.direction != "none":
        return spec.direction
    return "down" if baseline is not None and target < baseline else "up"


def meets(value: float, reference: float, direction: str) -> bool:
    return value >= reference if direction == "up" else value <= reference


def _clip(metric: str, value: float) -> float:
    """A value held within what the metric can take (the catalog's bounds: a rate in [0, 1], a count ≥ 0)."""
    spec = catalog.get(metric)
    if spec is None or spec.accumulates:
        return value
    low, high = spec.bounds
    if low is not None:
        value = max(low, value)
    if high is not None:
        value = min(high, value)
    return value


def kpi_status(*, objective: str, metric: str, target: float | None, baseline: float | None,
               horizon_start: dt.date | None, deadline: dt.date | None, as_of: dt.date, period: str,
               actual: Observation | None, series: list[Observation],
               gaps: np.ndarray | None = None, audience_start: float | None = None,
               size_actual: Observation | None = None, size_series: list[Observation] | None = None,
               covered_to: dt.date | None = None, covered_from: dt.date | None = None,
               sources: list[Source] | None = None) -> KpiStatus:
    """The status of one KPI from its to-date observation and its per-period series (see module rules);
    `audience_start`: the audience size a net audience growth is counted from at the horizon's start (None:
    unknown); `size_actual`, `size_series`: that audience's size (audience_size over the same scope), to date and
    per period, which a net audience growth's forecast follows (`_net_from_size`); `covered_to`: for a count of
    member lists' joins and leaves, the day their exports cover them up to (`DiagnoseInputs.covered`): every
    day up to it (never past as-of) is one of data, a period without a join or a leave a period of 0, not a
    missing export nor a silence; `covered_from`: the day those lists began (their first join, whenever it was):
    their covered days run from it, from the horizon's start where it is earlier (None: from the first period
    with data); `sources`: for an accumulating count fed by two or more accounts, each one's
    series (`DiagnoseInputs.objective_sources`): silence is judged per source (`split_sources`), a source
    silent for LONG_GAP_PERIODS months or more is held at what it reached and the forecast runs at the others'
    rate, and the reasons name the silent sources whose exports to import."""
    spec = catalog.get(metric)
    unit = spec.unit if spec else "count"
    accumulates = bool(spec and spec.accumulates)
    paced = accumulates or metric in PACED_LEVELS
    points = [o for o in series if o.period is not None and o.value is not None and o.period <= as_of]
    start = horizon_start or (points[0].period if points and points[0].period else as_of)
    version = actual.version if actual else (points[0].version if points else None)
    if target is None or spec is None:
        why = "the KPI has no target" if target is None else f"unknown metric {metric!r}"
        return KpiStatus(objective, metric, unit, spec.direction if spec else "up", paced, target, baseline,
                         deadline, None, 0, None, None, None, None, "no_data", why, version)
    direction = direction_of(metric, target, baseline)

    through = min(covered_to, as_of) if covered_to is not None and accumulates and covered_to >= start else None
    spans = _periods(points, start, as_of, period, counted=accumulates, span=metric in NET_AUDIENCE,
                     through=through, began=covered_from if through is not None else None)
    covered, values, starts = spans.covered, spans.values, spans.starts

    n = actual.n if actual is not None else int(sum(o.n for o, _, _ in covered))
    raw: float | None = actual.value if actual is not None else None
    if raw is None and accumulates and len(values):
        raw = float(values.sum())
    if raw is None and len(values):
        raw = float(values[-1])
    if accumulates:
        baseline_used: float | None = baseline if baseline is not None else 0.0
        actual_value = None if raw is None else (baseline_used or 0.0) + raw
        running = (baseline_used or 0.0) + np.cumsum(values) if len(values) else np.array([])
        drawn = tuple(SeriesPoint(hi - dt.timedelta(days=1), float(v), o.n)
                      for (o, _, hi), v in zip(covered, running, strict=True))
    else:
        baseline_used = baseline if baseline is not None or metric not in PACED_LEVELS else (
            float(values[0]) if len(values) else None)
        actual_value = raw
        drawn = tuple(SeriesPoint(o.period, float(o.value), o.n) for o, _, _ in covered
                      if o.period is not None and o.value is not None)

    expected_now: float | None = target
    if paced:
        expected_now = None
        if deadline is not None and baseline_used is not None:
            span = (deadline - start).days + 1
            frac = 1.0 if span <= 0 else min(1.0, max(0.0, ((as_of - start).days + 1) / span))
            expected_now = baseline_used + (target - baseline_used) * frac
    if as_of < start:  # before the KPI's window opens nothing is needed yet
        expected_now = None

    if deadline is None and actual_value is not None and not (paced and meets(actual_value, target, direction)):
        return KpiStatus(objective, metric, unit, direction, paced, target, baseline_used, deadline, actual_value,
                         n, None, None, None, None, "not_judged",
                         _undated(actual_value, target, unit), version, drawn)
    judged = as_of if deadline is None else min(as_of, deadline)
    quiet = silence(starts, judged, period, through)
    # Several accounts adding up to the count: each judged silent on its own (a page silent since 2014 beside a
    # list exported in 2023 is no silence of the KPI, and its 2014 rate is not the KPI's rate now).
    held: list[SilentSource] = []
    live: list[Source] = []
    live_spans: Periods | None = None
    if accumulates and sources is not None and len(sources) > 1:
        held, live = split_sources(sources, start, as_of, judged, period)
        if held and not live:
            quiet = max((h.quiet for h in held), key=lambda q: q[0])
        elif held:
            quiet = None
            # The live lists' own days: from the day the first of them began (not the objective's `covered_from`,
            # which a page among the sources leaves unset and a held list's earlier start would move back).
            live_to = live_through(live, start, as_of)
            live_spans = _periods(merged_series([s.series for s in live], as_of), start, as_of, period,
                                  counted=True, span=metric in NET_AUDIENCE, through=live_to,
                                  began=live_began(live) if live_to is not None else None)
        else:
            quiet = None
    thin = None if paced or actual_value is None else _thin(metric, actual, n, gaps, start, as_of, deadline,
                                                            target, direction, quiet=quiet is not None)
    if thin is not None:  # too few observations to forecast, whenever they came (and the silence said, if long)
        thin += f"; no data since {period_label(quiet[0], period)}" if quiet is not None else ""
        return KpiStatus(objective, metric, unit, direction, paced, target, baseline_used, deadline,
                         actual_value, n, None, None, None, None, "not_enough_data", thin, version, drawn)
    if quiet is not None and actual_value is not None:
        # A forecast would carry a run that ended long ago over the silence and the time left (a 2014 page's
        # growth rate held to 2026): what was reached stays reached, anything else is not judged without data.
        if paced and direction == "up" and meets(actual_value, target, direction):
            status, reason = _rule(direction, paced, target, actual_value, expected_now, None, as_of, deadline,
                                   unit)
            reason += f"; no data since {period_label(quiet[0], period)}, so no forecast"
            if held:
                reason += f"; {import_words(held, period)}"
        else:
            status, reason = "not_enough_data", _silent(quiet, period, actual_value, target, unit, as_of,
                                                        deadline, held)
        return KpiStatus(objective, metric, unit, direction, paced, target, baseline_used, deadline,
                         actual_value, n, _needed_now(status, expected_now), None, None, None, status, reason,
                         version, drawn)
    fc = live_spans or spans  # the rate: of the sources not silent (the silent ones' totals held), else of all
    prediction, future = _forecast(metric, accumulates, paced, actual, actual_value, start, as_of, deadline,
                                   period, fc.covered, fc.days, fc.mids, fc.values, fc.complete, fc.run, gaps)
    if held and prediction is not None:
        prediction = dataclasses.replace(prediction, how=", ".join(
            x for x in (prediction.how, f"at the rate of {' and '.join(s.name for s in live)} alone") if x))
    if metric in NET_AUDIENCE and audience_start is not None and size_series and actual_value is not None \
            and future and deadline is not None and not held:
        from_size = _net_from_size(actual_value - (baseline_used or 0.0), baseline_used or 0.0, audience_start,
                                   size_actual, size_series, start, as_of, deadline, period, unit,
                                   grown_by_period=[(o.period, o.value) for o, _, _ in covered])
        if from_size is not None:
            prediction, future = from_size
    floor: float | None = None
    if metric in NET_AUDIENCE and prediction is not None and future:
        starts_live = [s.start_size for s in live]
        if held and starts_live and all(x is not None for x in starts_live):
            # The held sources stay at what they added; the live lists can lose at most what they had at the
            # horizon's start and have gained since (a 2014 page held beside a list of 11 was forecast at -288,
            # "not bounded below", where the list alone is bounded at 0).
            prediction, future, floor = _bound_net(
                prediction, future, (baseline_used or 0.0) + sum(h.total for h in held),
                sum(x for x in starts_live if x is not None), actual_value, unit,
                who=(" and ".join(s.name for s in live),
                     " and ".join(f"{h.source.name} held at its {formatting.number(h.total, unit or None)}"
                                  for h in held)))
        else:
            prediction, future, floor = _bound_net(prediction, future, baseline_used or 0.0, audience_start,
                                                   actual_value, unit)
    status, reason = _rule(direction, paced, target, actual_value, expected_now, prediction, as_of, deadline,
                           unit)
    if held:
        reason += "; " + "; ".join(_held_words(h, period, judged, unit) for h in held)
    return KpiStatus(objective, metric, unit, direction, paced, target, baseline_used, deadline, actual_value,
                     n, _needed_now(status, expected_now), prediction.value if prediction else None,
                     prediction.low if prediction else None, prediction.high if prediction else None,
                     status, reason, version, drawn, future, floor)


def _net_from_size(grown: float, baseline: float, audience_start: float, size_actual: Observation | None,
                   size_series: list[Observation], start: dt.date, as_of: dt.date, deadline: dt.date, period: str,
                   unit: str, grown_by_period: list[tuple[dt.date | None, float | None]]
                   ) -> tuple[Prediction, tuple[ForecastPoint, ...]] | None:
    """A net audience growth's forecast as its audience's: the size's forecast at each future period's end (as an
    audience_size KPI of the same scope has it) less the size at the horizon's start, plus the baseline, its
    interval shifted alike, so growth and size tell one story (a size trending up is a growth going up). None
    where the sizes are not of the audience the growth is counted on (the size now is not the start plus the
    growth so far): the growth's own rate is then forecast. The size is not clipped at 0 here: `_bound_net`
    bounds the growth at the whole start audience lost, and says so."""
    f = lambda x: formatting.number(x, unit or None)  # noqa: E731
    sizes = [o for o in size_series if o.period is not None and o.value is not None and o.period <= as_of]
    spans = _periods(sizes, start, as_of, period)
    if not len(spans.values):
        return None
    now = size_actual.value if size_actual is not None and size_actual.value is not None else float(
        spans.values[-1])
    if not np.isclose(now, audience_start + grown, rtol=0.0, atol=0.5):
        return None
    if not _sizes_follow_growth(spans.covered, grown_by_period, audience_start):
        return None
    future = segments(as_of + dt.timedelta(days=1), deadline + dt.timedelta(days=1), period)
    size, points = _forecast_snapshot("audience_size", now, start, future, spans.covered, spans.values,
                                      spans.complete, spans.run, _trend_words(spans.covered, spans.run, period),
                                      clip=False)
    shift = baseline - audience_start
    how = (f"the audience size's forecast {f(size.value)} less the {f(audience_start)} at the horizon's start"
           + (f", {size.how}" if size.how else ""))
    # A running total's point stands at its period's end (as the measured running total does).
    moved = [(hi, _shifted(Prediction(p.value, p.low, p.high), shift)) for (_, hi), p in zip(future, points,
                                                                                               strict=True)]
    grown_points = tuple(ForecastPoint(hi - dt.timedelta(days=1), q.value, q.low, q.high) for hi, q in moved)
    return dataclasses.replace(_shifted(size, shift), how=how), grown_points


def _sizes_follow_growth(sizes: list[tuple[Observation, dt.date, dt.date]],
                         grown_by_period: list[tuple[dt.date | None, float | None]], audience_start: float) -> bool:
    """True where the sizes are of the audience the growth counts in every period: each period with growth has a
    size, and it is the start size plus the growth up to that period's end (within 0.5). Else (a list whose size
    is known only on its export days, sizes of another list in between) the size's forecast says nothing of the
    growth's, which is then forecast at its own rate."""
    size_at = {o.period: o.value for o, _, _ in sizes}
    total = audience_start
    for first, value in grown_by_period:
        total += value or 0.0
        size = size_at.get(first)
        if size is None or not np.isclose(size, total, rtol=0.0, atol=0.5):
            return False
    return True


def _bound_net(prediction: Prediction, future: tuple[ForecastPoint, ...], baseline: float,
               audience_start: float | None, actual: float | None, unit: str, who: tuple[str, str] | None = None
               ) -> tuple[Prediction, tuple[ForecastPoint, ...], float | None]:
    """A net audience growth's forecast bounded below where the whole audience it is counted from is lost
    (`baseline − audience_start`, never above what is already counted), the bound in its words; with the start
    unknown, a forecast of a net loss says it is not bounded. The bound is returned where it applied. `who`:
    where only some sources are forecast (the others held, in `baseline`), their names and the held ones'."""
    f = lambda x: formatting.number(x, unit or None)  # noqa: E731
    lowest = min(x for x in (prediction.value, prediction.low) if x is not None)
    if audience_start is None:
        if lowest >= baseline:
            return prediction, future, None
        note = "not bounded below: the audience's size at the horizon's start is not in the data"
        return dataclasses.replace(prediction, how="; ".join(x for x in (prediction.how, note) if x)), future, None
    floor = baseline - audience_start
    if actual is not None:
        floor = min(floor, actual)
    if lowest >= floor and all(p.value >= floor and (p.low is None or p.low >= floor) for p in future):
        return prediction, future, None

    def up(x: float | None) -> float | None:
        return None if x is None else max(x, floor)

    points = tuple(ForecastPoint(p.period, max(p.value, floor), up(p.low), up(p.high)) for p in future)
    lost = (f"the whole audience of {f(audience_start)} at the horizon's start lost" if audience_start > 0
            else "the audience had no members at the horizon's start")  # a list begun since: it can lose its gains
    if who is not None:
        lost = (f"the whole audience of {f(audience_start)} of {who[0]} at the horizon's start lost"
                if audience_start > 0 else f"{who[0]} had no members at the horizon's start") + f", {who[1]}"
    note = (f"bounded below at {f(floor)}: {lost}" if floor == baseline - audience_start
            else f"bounded below at {f(floor)}, what is already counted")
    how = "; ".join(x for x in (prediction.how, note) if x)
    return Prediction(max(prediction.value, floor), up(prediction.low), up(prediction.high), how), points, floor


def _needed_now(status: Status, expected_now: float | None) -> float | None:
    """The value needed now as reported: only for a KPI judged against it (a KPI without data, too thin or not
    judged has a status that says so, and a pace beside it would read as a judgement it is not)."""
    return None if status in UNJUDGED else expected_now


def _forecast(metric: str, accumulates: bool, paced: bool, actual: Observation | None,
              actual_value: float | None, start: dt.date, as_of: dt.date, deadline: dt.date | None, period: str,
              covered: list[tuple[Observation, dt.date, dt.date]], days: np.ndarray, mids: np.ndarray,
              values: np.ndarray, complete: np.ndarray, run: np.ndarray, gaps: np.ndarray | None
              ) -> tuple[Prediction | None, tuple[ForecastPoint, ...]]:
    if actual_value is None or deadline is None:
        return None, ()
    if deadline <= as_of:
        return Prediction(actual_value), ()
    future = segments(as_of + dt.timedelta(days=1), deadline + dt.timedelta(days=1), period)
    f_days = np.array([(hi - lo).days for lo, hi in future], dtype=float)
    f_mids = np.array([((lo - start).days + (hi - start).days) / 2 for lo, hi in future], dtype=float)
    points: list[ForecastPoint] = []
    periods = "weeks" if period == "week" else "months"
    trend_words = _trend_words(covered, run, period)
    if accumulates:
        return _forecast_total(metric, actual_value, future, f_days, f_mids, days, mids, values, complete,
                               run, trend_words)
    if paced:
        return _forecast_snapshot(metric, actual_value, start, future, covered, values, complete, run,
                                  trend_words)
    full = float(np.median(days)) if len(days) else 30.0
    t_end = float((deadline - start).days + 1 - full / 2)
    level = _level(metric, actual, actual_value, covered, mids, values, days, complete, run, gaps, periods,
                   trend_words)
    for (lo, _), m in zip(future, f_mids, strict=True):
        p = level.at(float(m))
        points.append(ForecastPoint(lo, _clip(metric, p.value), _clip_opt(metric, p.low),
                                    _clip_opt(metric, p.high)))
    p = level.at(t_end)
    return Prediction(_clip(metric, p.value), _clip_opt(metric, p.low), _clip_opt(metric, p.high),
                      level.how), tuple(points)


def _forecast_total(metric: str, actual_value: float, future: list[tuple[dt.date, dt.date]], f_days: np.ndarray,
                    f_mids: np.ndarray, days: np.ndarray, mids: np.ndarray, values: np.ndarray,
                    complete: np.ndarray, run: np.ndarray, trend_words: Callable[[int], str]
                    ) -> tuple[Prediction, tuple[ForecastPoint, ...]]:
    """An accumulating KPI at the end of each future period: the total so far plus the days left at the daily
    rate so far (or at a clear trend's, held beyond the data's reach), its interval clamped at the total."""
    spec = catalog.get(metric)
    rate = float(values.sum() / days.sum()) if len(values) and days.sum() > 0 else 0.0
    # Counts that cannot be negative vary at least as a Poisson count does: variance = rate per day.
    never_negative = spec is not None and spec.bounds[0] == 0.0
    floor_s2 = max(rate, 0.0) if never_negative and spec is not None and spec.unit == "count" else 0.0
    trend = clear_trend(mids, values / days, days, floor_s2, complete, run) if len(values) else None
    fit: Fit | None
    if trend is not None:
        held, lowest = _held_from(metric, trend, values / days, run)
        fit, at = trend.fit, np.minimum(f_mids, held)
        how = trend_words(trend.periods)
        if lowest is not None:
            how += f", held at its lowest period's {formatting.number(lowest, None)} a day once it gets there"
    else:
        fit, at = (fit_level(values / days, days) if len(values) else None), f_mids
        # A count's rate a day is a fraction where counts are few (0.0377 a day, not "0.0"): three significant
        # digits, as the verdicts write the same rate.
        unit = spec.unit if spec is not None and spec.unit != "count" else None
        how = f"the {formatting.number(rate, unit)} a day so far"
    points: list[ForecastPoint] = []
    for j, (_, hi) in enumerate(future):
        low: float | None = None
        high: float | None = None
        if fit is None:
            value = actual_value + rate * float(f_days[: j + 1].sum())
        else:
            p = predict_total(fit, f_days[: j + 1], at[: j + 1])
            value = actual_value + p.value
            low, high = actual_value + (p.low or 0.0), actual_value + (p.high or 0.0)
        if never_negative:  # what is counted stays counted: only the bound that crosses it moves
            value = max(value, points[-1].value if points else actual_value)
            low = None if low is None else max(low, actual_value)
            high = None if high is None else max(high, value)
        points.append(ForecastPoint(hi - dt.timedelta(days=1), value, low, high))
    last = points[-1]
    return Prediction(last.value, last.low, last.high, how), tuple(points)


def _held_from(metric: str, trend: Trend, rates: np.ndarray, run: np.ndarray) -> tuple[float, float | None]:
    """The t beyond which a count's trend is held at the rate it has reached: as far ahead as the data reach back
    (`Trend.reach`), and for a net audience growth no later than where a falling line reaches the lowest daily
    rate of the periods it is drawn through. A list whose joins fell to none (10, 8, 6, 4, 2, 0 a month) has shown
    no loss of members to carry on: its line would forecast the list shrinking by more and more each month.
    With that lowest rate where it binds before `reach` (None where it does not)."""
    if metric not in NET_AUDIENCE or len(trend.fit.beta) < 2 or trend.fit.beta[1] >= 0:
        return trend.reach, None
    intercept, slope = float(trend.fit.beta[0]), float(trend.fit.beta[1])
    lowest = float(rates[run].min()) if run.any() else float(rates.min())
    at_lowest = (lowest - intercept) / slope
    return (at_lowest, lowest) if at_lowest < trend.reach else (trend.reach, None)


def _forecast_snapshot(metric: str, actual_value: float, start: dt.date, future: list[tuple[dt.date, dt.date]],
                       covered: list[tuple[Observation, dt.date, dt.date]], values: np.ndarray,
                       complete: np.ndarray, run: np.ndarray, trend_words: Callable[[int], str],
                       clip: bool = True) -> tuple[Prediction, tuple[ForecastPoint, ...]]:
    """A paced level (audience_size) at the end of each future period: the latest level held, its interval from
    how far it moved between periods (or a clear trend's line, held beyond the data's reach); within the metric's
    bounds unless not `clip`."""
    # A period's level is its last snapshot: it stands at the period's end, as the deadline's does.
    t = np.array([(hi - start).days for _, _, hi in covered], dtype=float)
    f_t = np.array([(hi - start).days for _, hi in future], dtype=float)
    trend = clear_trend(t, values, np.ones(len(values)), complete=complete, run=run) if len(values) else None
    predictions: list[Prediction] = []
    if trend is not None:
        how = trend_words(trend.periods)
        # A level goes on from where it stands: the line's slope from the latest snapshot, not the line's own
        # value (a run that slows lies below its line at the end: the forecast would jump up from the last
        # snapshot at the first future period). The interval keeps its width around the shifted line.
        shift = actual_value - predict_at(trend.fit, float(t[-1])).value
        predictions = [_shifted(predict_at(trend.fit, min(float(x), trend.reach)), shift) for x in f_t]
    else:
        how = "the latest level held"
        # Held, the level may still move by as much per day as it has between snapshots, either way: the per-day
        # changes around no change (weighted by their days) give the spread over the days since the last one.
        gap = np.diff(t)
        moves = fit_level(np.diff(values) / gap, gap, known=0.0) if len(values) > 1 else None
        for x in f_t:
            if moves is None:
                predictions.append(Prediction(actual_value))
                continue
            p = predict_total(moves, np.array([x - t[-1]]), np.array([x]))
            predictions.append(Prediction(actual_value + p.value, actual_value + (p.low or 0.0),
                                          actual_value + (p.high or 0.0)))
    # Each point is labelled by its period's start, as the measured series is (its value: the period's end).
    if clip:
        predictions = [Prediction(_clip(metric, p.value), _clip_opt(metric, p.low), _clip_opt(metric, p.high))
                       for p in predictions]
    points = tuple(ForecastPoint(lo, p.value, p.low, p.high) for (lo, _), p in zip(future, predictions, strict=True))
    last = points[-1]  # the last future period ends with the deadline
    return Prediction(last.value, last.low, last.high, how), points


def _shifted(p: Prediction, by: float) -> Prediction:
    return Prediction(p.value + by, None if p.low is None else p.low + by, None if p.high is None else p.high + by,
                      p.how)


def _trend_words(covered: list[tuple[Observation, dt.date, dt.date]], run: np.ndarray, period: str
                 ) -> Callable[[int], str]:
    """How a trend over `count` periods of the latest run is named in the reason: where earlier periods lie before
    a long silence, since when the run goes and that those count in the value so far but not in the trend (an X
    account's trend since 2016 beside a ratio so far that still holds a 2014 Facebook page)."""
    periods = "weeks" if period == "week" else "months"
    starts = [o.period for o, _, _ in covered]
    first = int(np.argmax(run)) if len(run) and run.any() else 0
    if first == 0 or starts[first] is None or starts[first - 1] is None:
        return lambda count: f"a clear trend across {count} {periods}"
    start, before = starts[first], starts[first - 1]
    assert start is not None and before is not None
    empty = periods_between(before, start, period)
    note = (f" since {period_label(start, period)}; the {formatting.count(first)} earlier {periods} with data, "
            f"before {formatting.count(empty)} {periods} without any, count in the value so far but not in the "
            "trend")
    return lambda count: f"a clear trend across {count} {periods}{note}"


def _clip_opt(metric: str, value: float | None) -> float | None:
    return None if value is None else _clip(metric, value)


@dataclass(frozen=True)
class Level:
    """Where a non-accumulating KPI is heading: a flat level, or a clear trend (see `forecast`)."""

    flat: Prediction
    trend: Trend | None = None
    how: str = ""

    def at(self, t0: float) -> Prediction:
        return self.trend.at(t0) if self.trend is not None else self.flat


def _proportion(metric: str, actual: Observation | None, covered: list[tuple[Observation, dt.date, dt.date]]
                ) -> tuple[float, float, np.ndarray, np.ndarray] | None:
    """(Σk, Σn, per-period k, per-period n) of a ratio of counts (k ≤ n), else None."""
    spec = catalog.get(metric)
    if spec is None or spec.unit != "ratio" or metric in UNBOUNDED_RATIOS:
        return None
    k = np.array([o.numerator if o.numerator is not None else np.nan for o, _, _ in covered], dtype=float)
    n = np.array([o.denominator if o.denominator is not None else np.nan for o, _, _ in covered], dtype=float)
    if actual is not None and actual.numerator is not None and actual.denominator is not None:
        big_k, big_n = float(actual.numerator), float(actual.denominator)
    elif len(k) and not np.isnan(k).any() and not np.isnan(n).any():
        big_k, big_n = float(k.sum()), float(n.sum())
    else:
        return None
    if big_n <= 0 or big_k < 0 or big_k > big_n:
        return None
    ok = ~(np.isnan(k) | np.isnan(n)) & (n > 0)
    return big_k, big_n, k[ok], n[ok]


def _level(metric: str, actual: Observation | None, actual_value: float, covered: list[tuple[Observation,
           dt.date, dt.date]], mids: np.ndarray, values: np.ndarray, days: np.ndarray, complete: np.ndarray,
           run: np.ndarray, gaps: np.ndarray | None, periods: str = "periods",
           trend_words: Callable[[int], str] | None = None) -> Level:
    """Pooled ratio (Beta), bootstrap quantile over the pooled gaps, else the n-weighted level or trend."""
    if trend_words is None:
        trend_words = lambda count: f"a clear trend across {count} {periods}"  # noqa: E731
    if metric in QUANTILES and gaps is not None and len(gaps):
        x = np.asarray(gaps, dtype=float)
        low, high = bootstrap_quantile_interval(x, QUANTILES[metric], level=LEVEL)
        return Level(Prediction(float(np.quantile(x, QUANTILES[metric])), low, high),
                     how=f"over all {formatting.count(len(x))} answered messages so far")
    pooled = _proportion(metric, actual, covered)
    if pooled is not None:
        big_k, big_n, k, n = pooled
        ok = np.array([o.numerator is not None and o.denominator is not None and o.denominator > 0
                       for o, _, _ in covered], dtype=bool)
        ok_mids = mids[ok]
        p = big_k / big_n
        trend = clear_trend(ok_mids, k / n, n, floor_s2=p * (1 - p), complete=complete[ok], run=run[ok]) \
            if len(k) == len(ok_mids) else None
        if trend is not None:
            fitted = np.clip(trend.fit.beta[0] + trend.fit.beta[1] * ok_mids, 0.0, 1.0)
            phi = quasi_dispersion(k, n, fitted, len(k) - 2)
            return Level(pooled_ratio(big_k, big_n, phi), trend, trend_words(trend.periods))
        phi = quasi_dispersion(k, n, np.full(len(k), p), len(k) - 1) if len(k) >= MIN_PERIODS else 1.0
        vary = f"; {periods} vary more than chance explains" if phi > NOTABLE_DISPERSION else ""
        return Level(pooled_ratio(big_k, big_n, phi),
                     how=f"pooled over all {formatting.count(big_n)} {OBSERVED.get(metric, 'observations')}{vary}")
    weights = np.array([float(o.n) for o, _, _ in covered], dtype=float)
    if len(weights) != len(values) or not (weights > 0).any():
        weights = days
    trend = clear_trend(mids, values, weights, complete=complete, run=run)
    if trend is not None:
        return Level(weighted_level(values, weights), trend, trend_words(trend.periods))
    level = weighted_level(values, weights)
    if not np.isfinite(level.value):
        return Level(Prediction(actual_value))
    if metric in QUANTILES or len(values) < 2:  # no gaps to pool: the measured value, without an interval
        return Level(Prediction(actual_value))
    half = (level.high - level.value) if level.high is not None else None
    centre = actual_value  # the horizon's own value is already weighted by n
    return Level(Prediction(centre, None if half is None else centre - half,
                            None if half is None else centre + half),
                 how=f"{periods} weighted by how many observations they hold")


def _clear_count(metric: str, actual: Observation | None, gaps: np.ndarray | None, target: float,
                 direction: str) -> bool:
    """Whether a few observations already sit clearly on one side of the target by an exact count: were the
    value exactly on the target, a count of observations on its far side as extreme as the one seen would
    come up at most (1 − LEVEL)/2 of the time (the chance the favourable end of the interval stands for).
    For reply-time quantiles (replies slower than the target) and ratios of counts (messages unanswered)."""
    spec = catalog.get(metric)
    if metric in QUANTILES and gaps is not None and len(gaps):
        x, q = np.asarray(gaps, dtype=float), QUANTILES[metric]
        beyond, n, share = (int(np.sum(x > target)) if direction == "down" else int(np.sum(x < target)),
                            len(x), 1 - q if direction == "down" else q)
    elif (spec is not None and spec.unit == "ratio" and metric not in UNBOUNDED_RATIOS and actual is not None
          and actual.numerator is not None and actual.denominator is not None
          and 0 <= actual.numerator <= actual.denominator and 0 <= target <= 1):
        n, k = round(actual.denominator), round(actual.numerator)
        beyond, share = (n - k, 1 - target) if direction == "up" else (k, target)
    else:
        return False
    if n <= 0:
        return False
    return min(exact_tails(beyond, n, share)) <= (1 - LEVEL) / 2


def _thin(metric: str, actual: Observation | None, n: int, gaps: np.ndarray | None, start: dt.date,
          as_of: dt.date, deadline: dt.date | None, target: float | None = None, direction: str = "up", *,
          quiet: bool = False) -> str | None:
    """Why a KPI's data are too thin to forecast, with how many more observations it needs (None: enough, or
    so few yet so clearly on one side of the target that an exact count decides it).

    How long those take is read off the weekly rate since the horizon's start, unless the data have been silent
    for LONG_GAP_PERIODS months or more (`quiet`): they have no current rate then, and the silence is what to
    mend first (the caller says since when)."""
    what = OBSERVED.get(metric)
    if what is None:
        return None
    if metric in QUANTILES and gaps is not None:
        seen = len(gaps)
    elif actual is not None and actual.denominator is not None and catalog.get(metric) is not None \
            and getattr(catalog.get(metric), "unit", "") == "ratio":
        seen = int(actual.denominator)
    else:
        seen = n
    if seen >= MIN_OBSERVATIONS:
        return None
    if target is not None and _clear_count(metric, actual, gaps, target, direction):
        return None
    more = MIN_OBSERVATIONS - seen
    text = (f"only {formatting.count(seen)} {what} so far: about {formatting.count(more)} more are needed "
            f"(at least {MIN_OBSERVATIONS}) before its value can be forecast")
    elapsed = (as_of - start).days + 1
    if seen <= 0 or elapsed <= 0 or quiet:
        return text
    per_week = seen / elapsed * 7
    weeks = more / per_week
    text += f", {duration(weeks)} at the current {formatting.number(per_week, None)} a week"
    if deadline is not None and as_of + dt.timedelta(weeks=weeks) > deadline:
        text += f", which is after the deadline {deadline.isoformat()}: raise the volume or judge it on other KPIs"
    return text


def duration(weeks: float) -> str:
    """A wait of `weeks` in words, in the unit that reads best ("about 26 months", not "about 115 weeks")."""
    if weeks < 1.5:
        return "about a week" if weeks >= 0.5 else "a few days"
    if weeks < 9:
        return f"about {weeks:.0f} weeks"
    if weeks < 104:
        return f"about {weeks / 4.345:.0f} months"
    return f"about {weeks / 52.18:,.0f} years"


def silence(starts: list[dt.date], judged: dt.date, period: str, through: dt.date | None = None
            ) -> tuple[dt.date, int] | None:
    """(the last period with data, the whole calendar months without data after it up to `judged`) when those
    number LONG_GAP_PERIODS or more, else None: the data's latest run has ended.

    Counted in months whatever the cadence: exports mostly come monthly, by hand, so a weekly plan's KPI a few
    weeks behind its freshest source is the lag between two exports, not a run that stopped.

    `through`: the day the member exports of the data's lists cover them up to (a member export lists every
    join and leave up to its export day): the data run to it (its period is the last with data), never beyond
    `judged`, whatever the months without a join or a leave before it."""
    last = starts[-1] if starts else None
    last_day = None if last is None else period_end(last, period) - dt.timedelta(days=1)
    if through is not None:
        through = min(through, judged)
        if last_day is None or through > last_day:
            last, last_day = bucket_start(through, period), through
    if last is None or last_day is None:
        return None
    # the months strictly between the last one with data and the one after `judged`'s day: those over by then
    empty = periods_between(bucket_start(last_day, "month"), bucket_start(judged + dt.timedelta(days=1), "month"),
                            "month")
    return (last, empty) if empty >= LONG_GAP_PERIODS else None


@dataclass(frozen=True)
class SilentSource:
    """A source of a count fed by several that has been silent for LONG_GAP_PERIODS months or more: its
    `silence` (last period with data, whole months without any) and what it added in the window."""

    source: Source
    quiet: tuple[dt.date, int]
    total: float


def split_sources(sources: list[Source], start: dt.date, as_of: dt.date, judged: dt.date, period: str
                   ) -> tuple[list[SilentSource], list[Source]]:
    """The sources silent by the day the KPI is judged, each with its silence and total, and the others. Each is
    judged as a KPI of that source alone would be: a member list's data run to the day its exports cover it to."""
    held: list[SilentSource] = []
    live: list[Source] = []
    for source in sources:
        points = [o for o in source.series if o.period is not None and o.value is not None and o.period <= as_of]
        spans = _periods(points, start, as_of, period)
        quiet = silence(spans.starts, judged, period, live_through([source], start, as_of))
        if quiet is None:
            live.append(source)
        else:
            held.append(SilentSource(source, quiet, float(spans.values.sum()) if len(spans.values) else 0.0))
    return held, live


def live_through(sources: list[Source], start: dt.date, as_of: dt.date) -> dt.date | None:
    """The day member exports cover all of `sources` up to (never past as-of), where every one of them is a
    covered list; else None (a page among them keeps its rule: a month without data is a missing export)."""
    days = [s.covered_to for s in sources]
    if not days or any(d is None or d < start for d in days):
        return None
    return min(min(d for d in days if d is not None), as_of)


def live_began(sources: list[Source]) -> dt.date | None:
    """The day the first of `sources` (covered lists, `live_through`) began, where each one's is known; else None
    (their days then run from their first month with data, as a list's whose start is unknown)."""
    days = [s.began for s in sources]
    return None if not days or any(d is None for d in days) else min(d for d in days if d is not None)


def merged_series(series: list[list[Observation]], as_of: dt.date) -> list[Observation]:
    """Per-period series added up, period by period (values and counts), in period order."""
    total: dict[dt.date, tuple[float, int]] = {}
    for part in series:
        for o in part:
            if o.period is None or o.value is None or o.period > as_of:
                continue
            value, n = total.get(o.period, (0.0, 0))
            total[o.period] = (value + o.value, n + o.n)
    return [Observation(v, n, period=p) for p, (v, n) in sorted(total.items())]


def import_words(held: list[SilentSource], period: str) -> str:
    """What to import, source by source: "import the exports of the facebook account 'VIC' since 2014-02"."""
    return "import the exports of " + " and of ".join(
        f"{h.source.name} since {period_label(h.quiet[0], period)}" for h in held)


def _held_words(h: SilentSource, period: str, judged: dt.date, unit: str) -> str:
    """Why a silent source of a count fed by several is held at what it reached, and what to import."""
    since = period_label(h.quiet[0], period)
    return (f"{h.source.name} has had no data since {since} (none in the {formatting.count(h.quiet[1])} whole "
            f"months up to {judged.isoformat()}): held at the {formatting.number(h.total, unit or None)} it added "
            f"so far, not carried on at its old rate; import its exports since {since}")


def period_label(start: dt.date, period: str) -> str:
    return f"the week of {start.isoformat()}" if period == "week" else f"{start:%Y-%m}"


def _silent(quiet: tuple[dt.date, int], period: str, actual: float, target: float, unit: str, as_of: dt.date,
            deadline: dt.date | None, held: list[SilentSource] | None = None) -> str:
    """Why a KPI whose data stopped long before the day it is judged is not forecast, with its last value; with
    `held` (the KPI's sources, all silent), the exports to import named source by source."""
    f = lambda x: formatting.number(x, unit or None)  # noqa: E731
    last, empty = quiet
    upto = (f"the deadline {deadline.isoformat()}" if deadline is not None and deadline < as_of
            else as_of.isoformat())
    since = period_label(last, period)
    return (f"no data since {since} (none in the {formatting.count(empty)} whole months up to {upto}): last value "
            f"{f(actual)} against the target {f(target)}; no forecast across a silence of {LONG_GAP_PERIODS} "
            f"months or more; {import_words(held, period) if held else f'import the exports since {since}'} to "
            "judge it")


def _undated(actual: float, target: float, unit: str) -> str:
    """Why a KPI without a deadline is not judged, with its value so far."""
    f = lambda x: formatting.number(x, unit or None)  # noqa: E731
    return (f"not judged: the KPI has no deadline (no `by`, and the plan has no horizon whose end it would "
            f"default to), so it can be neither paced nor forecast; {f(actual)} so far against the target "
            f"{f(target)}. Add `by:` to the KPI or a horizon to the plan (lint: kpi-without-deadline)")


def _rule(direction: str, paced: bool, target: float, actual: float | None, expected: float | None,
          fc: Prediction | None, as_of: dt.date, deadline: dt.date | None, unit: str = "") -> tuple[Status, str]:
    def _fmt(x: float | None) -> str:
        return formatting.number(x, unit or None)

    if actual is None:
        return "no_data", "nothing measured yet"
    if paced and direction == "up" and meets(actual, target, direction):
        return "met", f"{_fmt(actual)} has reached the target {_fmt(target)}"
    if deadline is not None and as_of >= deadline:
        if meets(actual, target, direction):
            return "met", f"{_fmt(actual)} met the target {_fmt(target)} by {deadline}"
        return "off_track", f"the deadline {deadline} has passed at {_fmt(actual)} against {_fmt(target)}"
    ahead = expected is None or meets(actual, expected, direction)
    now = f"{_fmt(actual)} {'meets' if ahead else 'falls short of'} the {_fmt(expected)} needed now"
    if fc is None:
        return ("on_track", now) if ahead else ("at_risk", now + "; no deadline to forecast to")
    fc_ok = meets(fc.value, target, direction)
    band = f"{LEVEL:.0%} interval {_fmt(fc.low)} to {_fmt(fc.high)}" if fc.low is not None else ""
    band = f" ({'; '.join(x for x in (fc.how, band) if x)})" if fc.how or band else ""
    later = f"forecast {_fmt(fc.value)}{band} {'meets' if fc_ok else 'misses'} the target {_fmt(target)}"
    if ahead and fc_ok:
        return "on_track", f"{now}; {later}"
    if not ahead:
        if fc.low is not None and fc.high is not None:
            favourable = fc.high if direction == "up" else fc.low
            hopeless = not meets(favourable, target, direction)
        else:
            shortfall = (target - fc.value) if direction == "up" else (fc.value - target)
            hopeless = shortfall > MARGIN * abs(target)
        if hopeless:
            return "off_track", f"{now}; {later}"
    return "at_risk", f"{now}; {later}"
