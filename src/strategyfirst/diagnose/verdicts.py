"""Tactic-vs-strategy verdicts: is a tactic failing, or the strategy (the objective's premise) itself?

For each objective, every serving tactic is judged on each of the objective's KPIs that has a tactic-level
test (ratios, reply-time quantiles, accumulating counts; see `evidence`). A tactic *misses* when it misses any
KPI with P ≥ 0.9, *works* when it is clear of every tested KPI (P(miss) ≤ 0.1), and is *undecided* otherwise.
A tactic whose data on a KPI stopped LONG_GAP_PERIODS whole months or more before it is judged is not judged on
it (`_quiet`); an accumulating count whose match covers several accounts (`DiagnoseInputs.tactic_sources`) is
judged silent account by account, as its KPI is (status.py): a silent account is left out of the tactic's pace,
which is the other accounts' alone, and named with the month since which to import its exports; with every
account silent, the tactic is not judged and each is named.

- `strategy_failing`: two or more tactics miss and they are most of the tactics with data, or carry most of
  their spend, while the objective is not on track — review the objective's premise; another tactic will not
  save it. (With every KPI of the objective on track or met, the premise holds: the missing tactics get the
  verdicts below, with a sentence saying the objective is on track as a whole.)
- `tactic_dead_weight`: a tactic misses while spending, though the objective itself is on track (or met).
- `tactic_failing`: a tactic misses while others work (or it is the objective's only tactic).
- `not_enough_data`: undecided, with how many more observations would settle it, how long that takes at the
  volume the tactic shows, and whether it can arrive before the deadline at all; or no attributed data.
- `not_judged`: every KPI of the objective that has a target is one no single tactic can be held to
  (sentiment lift, audience size, ...): "not judged per tactic: ..." and the objective's own status.
- `working`: the tactic clears every tested KPI.

Where a verdict and the objective's KPI statuses seem to disagree (working tactics under an off-track
objective, a failing strategy with a KPI on track), the verdict says why in a sentence. Texts say numbers by
unit and probabilities in words (`strategyfirst.formatting`).

`probability` is P(miss) for failing kinds (the smallest among the missing tactics for `strategy_failing`),
P(not materially missing) for `working`, and the current, undecided P(miss) for `not_enough_data`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np

from strategyfirst import catalog, formatting
from strategyfirst.diagnose.diagnosis import KpiStatus, TacticEvidence, Verdict, VerdictKind
from strategyfirst.diagnose.evidence import (
    count_evidence,
    dispersion,
    no_data,
    pearson,
    quantile_evidence,
    ratio_evidence,
    threshold,
)
from strategyfirst.diagnose.inputs import PRESENCE_METRICS, DiagnoseInputs, Observation, Source, kpi_window
from strategyfirst.diagnose.lacking import lacking
from strategyfirst.diagnose.status import (
    NET_AUDIENCE,
    OBSERVED,
    SilentSource,
    counted_days,
    direction_of,
    duration,
    import_words,
    live_through,
    merged_series,
    period_end,
    period_label,
    quiet_periods,
    silence,
    split_sources,
)
from strategyfirst.plan.model import KPI, Objective, Plan, Tactic

QUANTILES = {"first_response_minutes_median": 0.5, "first_response_minutes_p90": 0.9}
# Per-message proportions: a plain binomial is a fair model even before there are periods to check it.
BINOMIAL_RATIOS = frozenset({"response_rate", "conversation_response_rate", "dialogue_ratio"})


def serving(plan: Plan, objective_id: str) -> list[Tactic]:
    return [t for t in plan.tactics if objective_id in t.serves]


def _window(plan: Plan, tactic: Tactic, start: dt.date, deadline: dt.date) -> tuple[dt.date, dt.date]:
    lo = max(start, tactic.period.start) if tactic.period and tactic.period.start else start
    hi = min(deadline, tactic.period.end) if tactic.period and tactic.period.end else deadline
    return lo, hi


def _series_days(obs_periods: list[dt.date], lo: dt.date, hi: dt.date, period: str) -> np.ndarray:
    return np.array([max(0, (min(period_end(p, period), hi + dt.timedelta(days=1)) - max(p, lo)).days)
                     for p in obs_periods], dtype=float)


def _share(tactic: Tactic, tactics: list[Tactic]) -> float:
    """The tactic's share of the objective's target: its budget share, or an equal split."""
    budgets = [t.budget for t in tactics]
    if all(budgets):
        return (tactic.budget or 0.0) / sum(b for b in budgets if b)
    return 1.0 / len(tactics)


def noise(inputs: DiagnoseInputs, kpi: KPI, tactic: Tactic) -> tuple[float, int]:
    """Pearson (χ², dof) of a tactic's per-period values of a ratio or count KPI ((0, 0): none)."""
    spec = catalog.get(kpi.metric)
    series = [o for o in inputs.tactic_series.get((tactic.id, kpi.metric), [])
              if o.period is not None and o.value is not None]
    if spec is None or not series:
        return 0.0, 0
    if spec.unit == "ratio":
        k = np.array([o.numerator or 0.0 for o in series])
        n = np.array([o.denominator or 0.0 for o in series])
        return pearson(k, n, "binomial")
    plan = inputs.plan
    start, deadline = (plan.horizon.start if plan.horizon else None), plan.kpi_deadline(kpi)
    if not spec.accumulates or start is None or deadline is None:
        return 0.0, 0
    lo, hi = _window(plan, tactic, start, deadline)
    through = inputs.tactic_covered.get((tactic.id, kpi.metric))
    until = min(inputs.as_of, hi)
    split = _split(inputs, kpi, tactic)
    if split is not None and split[0] and split[1]:  # the pace is the live accounts': so is its noise
        series = [o for o in merged_series([s.series for s in split[1]], inputs.as_of) if o.period is not None]
        through = live_through(split[1], lo, inputs.as_of)
    if through is not None:  # a member list's review periods without a join or a leave, from its first month with
        # data up to its exports' day, as its KPI's forecast counts them (`status.quiet_periods`)
        spans = [(o, o.period, period_end(o.period, inputs.period)) for o in series if o.period is not None]
        zeros = quiet_periods(spans, lo, until, inputs.period, through=min(through, until),
                              began=inputs.tactic_began.get((tactic.id, kpi.metric)))
        none = {o.period: o for o, _, _ in zeros}  # a week cut at a month's end is one period
        series = sorted([*series, *none.values()], key=lambda o: o.period or dt.date.min)
    days = _series_days([o.period for o in series if o.period], lo, min(inputs.as_of, hi), inputs.period)
    values = np.maximum(np.array([o.value for o in series], dtype=float), 0.0)
    keep = days >= 0.5 * np.max(days) if len(days) else days > 0  # stub periods say little about noise
    return pearson(values[keep], days[keep], "poisson")


def tactic_evidence(inputs: DiagnoseInputs, kpi: KPI, tactic: Tactic, tactics: list[Tactic],
                    pooled: float | None = None, objective: str | None = None) -> TacticEvidence | None:
    """The tactic's test on one KPI (None: the metric has no tactic-level test), with the volume it shows.

    `pooled` is the dispersion of all the objective's tactics on this KPI, used when the tactic itself has too
    few periods to judge its noise. `objective`: the objective whose KPI it is (its months with data are those a
    count's daily rate is taken over, `counted_days`; default: the tactic's own).
    """
    e = _evidence(inputs, kpi, tactic, tactics, pooled, objective)
    if e is None or e.method == "gamma":
        return e
    plan = inputs.plan
    start, deadline = (plan.horizon.start if plan.horizon else None), plan.kpi_deadline(kpi)
    if start is None or deadline is None:
        return e
    lo, hi = _window(plan, tactic, start, deadline)
    elapsed = (min(inputs.as_of, hi) - lo).days + 1
    if elapsed <= 0:
        return e
    return dataclasses.replace(e, per_week=e.n / elapsed * 7, weeks_left=max(0, (hi - inputs.as_of).days) / 7)


def _evidence(inputs: DiagnoseInputs, kpi: KPI, tactic: Tactic, tactics: list[Tactic],
              pooled: float | None, objective: str | None = None) -> TacticEvidence | None:
    plan, metric, target = inputs.plan, kpi.metric, kpi.target
    spec = catalog.get(metric)
    if spec is None or target is None:
        return None
    direction = direction_of(metric, target, kpi.baseline)
    periods = PERIOD_WORDS.get(inputs.period, "periods")
    if metric in QUANTILES:
        gaps = inputs.tactic_gaps.get(tactic.id, np.array([]))
        stale = _quiet(inputs, kpi, tactic) if len(gaps) else None
        if stale is not None:
            return no_data(tactic.id, metric, target, threshold(target, direction),
                           float(np.quantile(gaps, QUANTILES[metric])), len(gaps), "bootstrap", stale)
        return quantile_evidence(tactic.id, metric, gaps, QUANTILES[metric], target, direction)
    obs = inputs.tactic_actual.get((tactic.id, metric))
    phi = dispersion([noise(inputs, kpi, tactic)])
    phi = phi if phi is not None else pooled
    if spec.unit == "ratio":
        if obs is None or obs.numerator is None or obs.denominator is None:
            return ratio_evidence(tactic.id, metric, 0.0, 0.0, target, direction)
        stale = _quiet(inputs, kpi, tactic)
        if stale is not None:
            return no_data(tactic.id, metric, target, threshold(target, direction), obs.value,
                           int(obs.denominator), "beta", stale)
        if phi is None and metric in BINOMIAL_RATIOS:
            phi = 1.0
        if phi is None:
            e = ratio_evidence(tactic.id, metric, obs.numerator, obs.denominator, target, direction)
            return TacticEvidence(e.tactic, metric, target, e.threshold, e.value, e.n, None, None, None,
                                  "undecided", None, "beta", f"needs 3 {periods} of data to judge how much they "
                                  "vary")
        return ratio_evidence(tactic.id, metric, obs.numerator, obs.denominator, target, direction, phi,
                              periods)
    if spec.accumulates:
        start = plan.horizon.start if plan.horizon else None
        deadline = plan.kpi_deadline(kpi)
        if start is None or deadline is None:
            # Its pace runs from the horizon's start to the deadline: without either there is no share to meet.
            what = "no deadline" if deadline is None else "no horizon start"
            return no_data(tactic.id, metric, target, threshold(target, direction), None, 0, "gamma",
                           f"{what} to pace it by, so no share of the target to judge it against")
        lo, hi = _window(plan, tactic, start, deadline)
        needed = target - (kpi.baseline or 0.0)
        if hi < lo or needed == 0:
            return None
        required = abs(_share(tactic, tactics) * needed / ((hi - lo).days + 1))
        if obs is None or obs.value is None:
            return no_data(tactic.id, metric, required, threshold(required, direction), None, 0, "gamma",
                           "no attributed data")
        # A daily rate over months without data counts a missing export as none of the count (a member list
        # exported in 2023, judged in 2025): as its KPI is (status.py), a tactic whose data have been silent
        # that long is not judged on it.
        stale = _quiet(inputs, kpi, tactic, "its pace cannot be judged")
        if stale is not None:
            return no_data(tactic.id, metric, required, threshold(required, direction), obs.value, obs.n,
                           "gamma", stale)
        # Its daily rate, as its KPI's forecast (status.py) takes it: over the days of the months with data (the
        # objective's, whose export covers this tactic's too), a month with none at all being a missing export.
        # A member list's days up to the day its exports cover it to count too, as in its KPI's forecast: the
        # objective's, or the tactic's own where its lists are covered further (or the objective counts another
        # source too, a page whose months without data are missing exports). A tactic whose lists are covered is
        # counted from its own first month with data: a page's months before its list began are no days of it
        # (a list begun in 2018 under a page's 2014 months read 11 joins in 2,007 days, not in 515).
        own = inputs.tactic_series.get((tactic.id, metric), [])
        months_from = inputs.objective_series.get((objective, metric)) if objective is not None else None
        if (tactic.id, metric) in inputs.tactic_covered:
            months_from = own
        known = [o.period for o in months_from or own if o.period is not None and o.value is not None]
        covers = [d for d in (inputs.objective_covered.get((objective, metric)) if objective is not None else None,
                              inputs.tactic_covered.get((tactic.id, metric))) if d is not None]
        through = max(covers) if covers else None
        begun = [d for d in (inputs.objective_began.get((objective, metric)) if objective is not None else None,
                             inputs.tactic_began.get((tactic.id, metric))) if d is not None]
        began = min(begun) if begun else None
        if (tactic.id, metric) in inputs.tactic_covered:  # from its own lists' start, as its months: not from an
            # older list of the objective's (a beehiiv list begun 2023-03-24 beside a Mailchimp list of 2018 read
            # 8 joins in 120 days of a 2023 horizon, not in its own 61)
            began = inputs.tactic_began.get((tactic.id, metric))
        until = min(inputs.as_of, hi)
        count = obs.value
        split = _split(inputs, kpi, tactic)
        held, live = split if split is not None else ([], [])
        if held:  # (all silent is `stale` above) the pace of the live accounts alone, over their own days
            count, known, through = _live_pace(inputs, metric, objective, lo, live)
        elapsed = (counted_days(known, lo, until, inputs.period, span=metric in NET_AUDIENCE, through=through,
                                began=began)
                   if known or through is not None else max(0, (until - lo).days + 1))
        e = count_evidence(tactic.id, metric, count, elapsed, required, direction, phi, periods)
        if held:
            e = dataclasses.replace(e, note=_held_words(e.note, held, live, _judged(inputs, kpi), inputs.period))
        return e
    return None


def _quiet(inputs: DiagnoseInputs, kpi: KPI, tactic: Tactic,
           so: str = "it is not judged on data that old") -> str | None:
    """Why a tactic is not judged on a KPI (None: it is): its data fell silent for months before the day it is
    judged (`so`: what follows from that, in words). Its KPI is not forecast across such a silence (status.py),
    and a verdict on data that old would move budget on how the tactic did years ago; a count's daily rate would
    count the missing exports as none of it. A member list's data run to the day its exports cover it to
    (`DiagnoseInputs.tactic_covered`): its months without a join or a leave are no silence."""
    judged = _judged(inputs, kpi)
    split = _split(inputs, kpi, tactic)
    if split is not None:  # several accounts: silent only when every one of them is, each named
        held, live = split
        if live or not held:
            return None
        quiet = max((h.quiet for h in held), key=lambda q: q[0])
        imports = import_words(held, inputs.period)
    else:
        starts = [o.period for o in inputs.tactic_series.get((tactic.id, kpi.metric), [])
                  if o.period is not None and o.value is not None and o.n > 0]
        found = silence(starts, judged, inputs.period, inputs.tactic_covered.get((tactic.id, kpi.metric)))
        if found is None:
            return None
        quiet, imports = found, f"import the exports since {period_label(found[0], inputs.period)}"
    since = period_label(quiet[0], inputs.period)
    return (f"no data since {since} (none in the {quiet[1]:,} whole months up to {judged.isoformat()}), so {so}; "
            f"{imports}")


def _judged(inputs: DiagnoseInputs, kpi: KPI) -> dt.date:
    """The day a KPI is judged: as-of, or its deadline if earlier."""
    deadline = inputs.plan.kpi_deadline(kpi)
    return inputs.as_of if deadline is None else min(inputs.as_of, deadline)


def _split(inputs: DiagnoseInputs, kpi: KPI, tactic: Tactic) -> tuple[list[SilentSource], list[Source]] | None:
    """A tactic's accumulating count fed by two or more accounts (`DiagnoseInputs.tactic_sources`): those silent
    for LONG_GAP_PERIODS months or more by the day it is judged, each judged as the account alone would be, and
    the others (`status.split_sources`, as its KPI's are). None for a count of one account."""
    sources = inputs.tactic_sources.get((tactic.id, kpi.metric))
    plan = inputs.plan
    deadline = plan.kpi_deadline(kpi)
    if not sources or len(sources) < 2 or plan.horizon is None or deadline is None:
        return None
    lo, _ = _window(plan, tactic, plan.horizon.start, deadline)
    return split_sources(sources, lo, inputs.as_of, _judged(inputs, kpi), inputs.period)


def _live_pace(inputs: DiagnoseInputs, metric: str, objective: str | None, lo: dt.date, live: list[Source]
               ) -> tuple[float, list[dt.date], dt.date | None]:
    """What a tactic's pace is taken from where some of its accounts are silent: the live accounts' count, the
    months with data of those accounts (the objective's own share of each where it has one: its export covers
    the tactic's months), and the day member exports cover all of them to (None unless all are covered lists)."""
    count = sum(o.value for o in merged_series([s.series for s in live], inputs.as_of) if o.value is not None)
    of_objective = {(s.platform, s.account): s for s in inputs.objective_sources.get((objective or "", metric), [])}
    months = merged_series([of_objective.get((s.platform, s.account), s).series for s in live], inputs.as_of)
    known = [o.period for o in months if o.period is not None]
    return count, known, live_through(live, lo, inputs.as_of)


def _held_words(note: str, held: list[SilentSource], live: list[Source], judged: dt.date, period: str) -> str:
    """A count's note ('11 in 515 days; ...') saying its pace is that of the live accounts alone, and why: each
    silent account, what it added, and since when to import its exports."""
    head, sep, rest = note.partition(";")
    parts = [f"{head} of {' and '.join(s.name for s in live)} alone{sep}{rest}"]
    for h in held:
        since = period_label(h.quiet[0], period)
        parts.append(f"{h.source.name} has had no data since {since} (none in the {formatting.count(h.quiet[1])} "
                     f"whole months up to {judged.isoformat()}): the {formatting.number(h.total)} it added are left "
                     f"out of the pace rather than its old rate carried on; import its exports since {since}")
    return "; ".join(parts)


# Footnotes for the report and the terminal: what the verdicts' words mean.
VERDICT_NOTES: list[str] = [
    "Verdicts judge each tactic against a line 5% of the target short of it (85.5% for a 90% target): "
    "\"likely to stay below\" is the chance it falls materially short, read off the same distribution as the "
    "90% interval beside it (for ratios the Jeffreys Beta of the counts, for reply times the bootstrap of the "
    "replies, for counts the Gamma of the daily rate); a tactic is failing at 90% or more, working at 10% or "
    "less, undecided in between; with fewer than 20 messages a ratio is decided only where the exact count "
    "agrees (a count as far from the line comes up at most 10% of the time were the rate on it), and a reply "
    "time only where the line lies outside the exact 90% interval of its median or p90. A tactic whose data on a "
    "KPI stopped 4 whole months or more before the as-of date (or the deadline, if earlier) is not judged on it, "
    "as the KPI is not forecast across such a silence: the verdict says since when (a member list's data run "
    "to the day its exports cover it to). A count fed by several accounts is judged account by account: one "
    "silent that long is left out of the tactic's pace, which is the others' alone, and named with the month to "
    "import its exports from.",
    "A KPI measured over whole conversations or whole accounts (sentiment lift, audience size, ...) is not "
    "judged per tactic: the objective's status is its judge.",
]

PERIOD_WORDS = {"week": "weeks", "month": "months"}

# Metrics no tactic can be held to on its own, and why (the objective's KPI status is their judge).
NOT_PER_TACTIC = {
    "sentiment_lift": "a conversation's lift belongs to the whole conversation, the audience's messages and "
                      "every reply in it, not to one tactic",
    "sentiment_inbound_mean": "it measures what the audience writes, which no single tactic produces",
    "conversation_depth_mean": "the length of conversations has no share a single tactic can be held to",
    "audience_size": "it is the level of a whole account, not something one tactic adds up",
}


def not_per_tactic(metric: str) -> str | None:
    """Why a KPI's metric is not judged per tactic (None: it is)."""
    spec = catalog.get(metric)
    if spec is None:
        return None
    if metric in QUANTILES or spec.accumulates or spec.unit == "ratio":
        return None
    if metric in NOT_PER_TACTIC:
        return NOT_PER_TACTIC[metric]
    if spec.unit == "currency":
        return "costs per result are weighed between tactics in the budget proposals instead"
    return f"there is no per-tactic test for a {spec.unit} such as {label(metric)}"


def label(metric: str) -> str:
    """The catalogue's plain label as it reads inside a sentence ("median first response")."""
    spec = catalog.get(metric)
    text = spec.label if spec is not None else metric
    text = text.replace(" (min)", "")
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _direction(e: TacticEvidence) -> str:
    return "down" if e.threshold > e.target else "up"


def _fmt_value(e: TacticEvidence, x: float | None, currency: str | None = None) -> str:
    if e.method == "gamma":
        return formatting.number(x) + " a day"
    spec = catalog.get(e.metric)
    return formatting.number(x, spec.unit if spec else None, currency=currency)


def describe(e: TacticEvidence, currency: str | None = None) -> str:
    """One evidence in words: value, counts and interval, target, and how likely the tactic falls short."""
    f = lambda x: _fmt_value(e, x, currency)  # noqa: E731
    up = _direction(e) == "up"
    band = f"; 90% interval {f(e.low)} to {f(e.high)}" if e.low is not None and e.high is not None else ""
    note = f" ({e.note}{band})" if e.note or band else ""
    against = (f"against its budget share of the pace the objective needs, {f(e.target)}" if e.method == "gamma"
               else f"against a target of {f(e.target)}")
    text = f"{e.tactic}: {label(e.metric)} {f(e.value)}{note} {against}"
    if e.p_miss is None:
        return text
    line = f(e.threshold)
    p_miss = min(max(e.p_miss, 1e-6), 1 - 1e-6)  # a model's 0 or 1 is never certainty: "over 99%"
    caveat = f", {e.caveat}" if e.caveat else ""
    if e.state == "working":
        return (f"{text}: " + formatting.likelihood(1 - p_miss, f"to stay {'above' if up else 'under'} {line}")
                + caveat)
    return f"{text}: " + formatting.likelihood(p_miss, f"to stay {'below' if up else 'above'} {line}") + caveat


def judge_tactic(evidence: list[TacticEvidence]) -> tuple[str, float | None, int | None]:
    """(state, probability, more_needed) of a tactic from its per-KPI evidence."""
    missing = [e for e in evidence if e.state == "missing"]
    if missing:
        return "missing", max(e.p_miss or 0.0 for e in missing), None
    tested = [e for e in evidence if e.state != "no_data"]
    if tested and all(e.state == "working" for e in tested):
        return "working", min(1 - (e.p_miss or 0.0) for e in tested), None
    if not tested:
        return "no_data", None, None
    undecided = [e for e in tested if e.state == "undecided"]
    probs = [e.p_miss for e in undecided if e.p_miss is not None]
    mores = [e.more_needed for e in undecided if e.more_needed is not None]
    return "undecided", max(probs) if probs else None, max(mores) if mores else None


# Beyond this many times the volume the data show, more observations are not a realistic prospect.
REALISTIC_GROWTH = 10


def undecided_text(e: TacticEvidence) -> tuple[str, bool | None]:
    """How much more data would decide an undecided evidence, and whether it can arrive before the deadline."""
    what = OBSERVED.get(e.metric, "observations")
    more = e.more_needed
    if more is None:
        return "The estimate sits on the line: only much more data would decide", None
    needs = f"about {formatting.count(more)} more {what}"
    if e.per_week is None or e.weeks_left is None or e.per_week <= 0:
        return f"Needs {needs} to decide", None
    pace = f"the current {formatting.number(e.per_week, None)} a week"
    if e.weeks_left <= 0:
        return f"Cannot be decided any more: its deadline has passed ({needs} would be needed)", False
    weeks = more / e.per_week
    by_deadline = e.per_week * e.weeks_left
    if more <= by_deadline:
        return f"Needs {needs} to decide: {duration(weeks)} at {pace}", True
    f = lambda x: _fmt_value(e, x)  # noqa: E731
    if more > REALISTIC_GROWTH * by_deadline:
        # What stands in the way: the estimate's closeness to the line only when the sample it needs is beyond
        # REALISTIC_GROWTH times the one it has; otherwise a sample of a realistic size would decide it, and
        # it is the time left to the deadline that is too short to gather it.
        tail = "Treat it as on the line and judge it by the objective's status"
        if e.value is not None and e.n + more > REALISTIC_GROWTH * max(e.n, 1):
            why = (f"its {f(e.value)} sits so close to the {f(e.threshold)} line that only a sample over "
                   f"{REALISTIC_GROWTH} times the {formatting.count(e.n)} {what} so far could tell them apart")
        elif e.value is None:
            why = "it sits too close to the line"
        else:
            why = (f"the deadline is too close: {formatting.count(e.n + more)} {what} in all would decide it, "
                   f"but {duration(e.weeks_left)} at {REALISTIC_GROWTH} times the current volume bring only "
                   f"about {formatting.count(REALISTIC_GROWTH * by_deadline)}")
            tail = "It stays undecided: judge it by the objective's status"
        return (f"Cannot be decided by its deadline at any realistic volume: it would need {needs}, "
                f"{duration(weeks)} at {pace}, with {duration(e.weeks_left)} left, and even "
                f"{REALISTIC_GROWTH} times that volume would not get there: {why}. {tail}"), False
    return (f"Cannot be decided by its deadline at the current volume: it would need {needs}, "
            f"{duration(weeks)} at {pace}, with {duration(e.weeks_left)} left; about "
            f"{math.ceil(more / by_deadline)} times that volume would decide it in time"), False


def _status_words(statuses: list[KpiStatus], currency: str | None = None, *, status: bool = True) -> str:
    """'response rate on track (84.8% against 80.0%)' for each KPI, joined (without status: 'response rate
    84.8% against 80.0%')."""
    parts = []
    for s in statuses:
        f = lambda x, s=s: formatting.number(x, s.unit, currency=currency)  # noqa: E731
        if status:
            parts.append(f"{label(s.metric)} {formatting.status_label(s.status)} "
                         f"({f(s.actual)} against {f(s.target)})")
        else:
            parts.append(f"{label(s.metric)} {f(s.actual)} against {f(s.target)}")
    return "; ".join(parts)


def _behind_words(behind: list[KpiStatus], currency: str | None) -> str:
    """'off track: response rate 80.0% against 90.0%'."""
    states = " and ".join(sorted({formatting.status_label(s.status) for s in behind}))
    return f"{states}: {_status_words(behind, currency, status=False)}"


GOOD = frozenset({"on_track", "met"})
BAD = frozenset({"off_track", "at_risk"})


def judge_objective(objective: str, evidence: dict[str, list[TacticEvidence]], spend: dict[str, float],
                    on_track: bool | None = None, *, statuses: list[KpiStatus] | None = None,
                    unjudged: dict[str, str] | None = None, currency: str | None = None,
                    outside: dict[str, Whereabouts] | None = None) -> list[Verdict]:
    """Verdicts for one objective from each serving tactic's evidence (pure; see the module rules).

    `statuses` are the objective's KPI statuses (a verdict never contradicts them without saying why);
    `on_track` overrides "every KPI on track or met". `unjudged` maps the objective's KPIs that are not judged
    per tactic to why. `outside` says, for a tactic with no data for the KPIs inside their window, where its data
    are (`outside_words`: "inside the horizon ...; outside it: posts 119", or posts inside it but no figure of
    what the KPIs count).
    """
    statuses = statuses or []
    outside = outside or {}
    unjudged = unjudged or {}
    if on_track is None:
        on_track = bool(statuses) and all(s.status in GOOD for s in statuses)
    judged = {t: judge_tactic(ev) for t, ev in evidence.items()}
    with_data = [t for t, (state, _, _) in judged.items() if state != "no_data"]
    missing = [t for t in with_data if judged[t][0] == "missing"]
    spent = {t: max(spend.get(t, 0.0), 0.0) for t in with_data}
    total = sum(spent.values())
    most_tactics = len(missing) > len(with_data) / 2
    most_spend = total > 0 and sum(spent[t] for t in missing) > total / 2
    money = lambda x: formatting.money(x, currency)  # noqa: E731
    tested = {e.metric for ev in evidence.values() for e in ev}
    not_judged = "; ".join(f"{label(m)} ({why})" for m, why in unjudged.items())
    not_judged_line = f" Not judged per tactic: {not_judged}." if not_judged else ""
    out: list[Verdict] = []
    # Most tactics missing is a failing strategy, unless the objective is on track all the same: then the
    # premise holds and the missing tactics are carried by the others.
    strategy = len(missing) >= 2 and (most_tactics or most_spend) and not on_track
    carried = len(missing) >= 2 and (most_tactics or most_spend) and on_track
    if strategy:
        details = tuple(e for t in missing for e in evidence[t] if e.state == "missing")
        lost = sum(spent[t] for t in missing)
        share = f"{lost / total:.0%} of their spend" if total > 0 else "no spend recorded"
        text = (f"{len(missing)} of {len(with_data)} tactics serving {objective!r} miss its KPIs ({share}): "
                + "; ".join(describe(e, currency) for e in details)
                + ". Review the objective's premise: another tactic will not save it.")
        fine = [s for s in statuses if s.status in GOOD]
        if fine:
            missed = {e.metric for e in details}
            why = ("the tactics that miss are judged on " + ", ".join(label(m) for m in sorted(missed))
                   if not missed & {s.metric for s in fine} else
                   "the tactics that do not miss make up for the others there, for now")
            names = " and ".join(label(s.metric) for s in fine)
            text += (f" Its KPI status is mixed ({_status_words(statuses, currency)}): {names} "
                     f"{'holds' if len(fine) == 1 else 'hold'} because {why}.")
        out.append(Verdict("strategy_failing", objective, None, text + not_judged_line,
                           min(judged[t][1] or 0.0 for t in missing), tactics=tuple(missing), spend=lost,
                           details=details))
    for tactic, ev in evidence.items():
        state, prob, more = judged[tactic]
        lines = "; ".join(describe(e, currency) for e in ev if e.state != "no_data")
        if state == "missing":
            if strategy:
                continue
            details = tuple(e for e in ev if e.state == "missing")
            text = "; ".join(describe(e, currency) for e in details)
            if carried:
                tail = (f" {len(missing)} of {len(with_data)} tactics of {objective!r} miss, yet the objective is "
                        f"on track as a whole ({_status_words(statuses, currency)}): its strategy holds and the "
                        "other tactics carry it. Change or stop this one.")
            elif on_track and spent.get(tactic, 0.0) > 0:
                tail = f" {objective!r} is on track without it, yet it spent {money(spent[tactic])}."
            else:
                alone = len(with_data) == 1
                tail = (" It is the only tactic with data for this objective: the strategy is untested "
                        "until another tactic is tried." if alone else
                        " Other tactics of the objective do not miss: change or stop this one.")
            kind: VerdictKind = ("tactic_dead_weight" if on_track and spent.get(tactic, 0.0) > 0
                                 else "tactic_failing")
            out.append(Verdict(kind, objective, tactic, text + "." + tail + not_judged_line, prob, (tactic,),
                               spent.get(tactic), None, details))
        elif state == "working":
            text = lines + "."
            behind = [s for s in statuses if s.status in BAD]
            if behind and not missing:
                blind = [s for s in behind if s.metric not in tested]
                why = ("which no tactic is judged on" if len(blind) == len(behind) else
                       "because each tactic is judged on what it has delivered so far against its share of the "
                       "target, and the objective on its forecast at the deadline")
                text += f" Yet {objective!r} is {_behind_words(behind, currency)}, {why}."
            out.append(Verdict("working", objective, tactic, text + not_judged_line, prob, (tactic,),
                               spent.get(tactic), None, tuple(ev)))
        elif state == "no_data" and not ev and unjudged:
            why = (f"not judged per tactic: {not_judged}. The objective's own status is their judge"
                   + (f": {_status_words(statuses, currency)}." if statuses else "."))
            out.append(Verdict("not_judged", objective, tactic, why, None, (tactic,), spent.get(tactic), None, ()))
        else:
            decidable: bool | None = None
            why = lines or "; ".join(f"{e.tactic}: {label(e.metric)}: {e.note}" for e in ev) or "no tactic-level test"
            if state == "undecided":
                undecided = [e for e in ev if e.state == "undecided"]
                deciding = max(undecided, key=lambda e: e.more_needed or 0) if undecided else None
                if deciding is not None and more:
                    sentence, decidable = undecided_text(deciding)
                    why = f"{why}. {sentence}"
                elif any(e.p_miss is not None for e in undecided):
                    why = f"{why}. The estimate sits on the line: only much more data would decide"
                # else no chance was weighed at all (too few periods to judge the noise): the evidence's own
                # note says so, and nothing says where the estimate sits.
                behind = [s for s in statuses if s.status in BAD]
                if behind:
                    why = (f"{why}. {objective!r} as a whole is {_behind_words(behind, currency)}; whether "
                           "this tactic is to blame is not decided yet")
            elif state == "no_data" and not ev:
                why = (f"none of the KPIs of {objective!r} can be judged per tactic (ratios, reply times and "
                       "accumulating counts can)")
            elif state == "no_data" and all(e.note in NO_DATA_NOTES for e in ev):
                found = outside.get(tactic)
                if found is not None and found.there:
                    # It has data (posts), only none of what its KPIs count: said so, not "no attributed data".
                    why = _none_of_its_kpis(tactic, ev, found)
                else:
                    why = f"no attributed data for {tactic}{found.outside_only() if found else ''} ({why})"
            elif state == "no_data":
                why = f"{tactic} cannot be judged on the KPIs of {objective!r} ({why})"
            out.append(Verdict("not_enough_data", objective, tactic, why + ("." if not why.endswith(".") else "")
                               + not_judged_line, prob, (tactic,), spent.get(tactic), more, tuple(ev),
                               decidable))
    return out


# The notes of evidence that has no data at all (rather than data it cannot weigh).
NO_DATA_NOTES = frozenset({"no attributed data", "no answered inbound messages"})


def _none_of_its_kpis(tactic: str, ev: list[TacticEvidence], where: Whereabouts) -> str:
    """Why a tactic with data inside the KPI window (posts) is not judged on KPIs its data give nothing for:
    'no audience growth attributed to x-posts: inside the horizon ..., it has posts 1,316, but its data give no
    follower or subscriber counts (import ...)', not 'no attributed data' as for a tactic without any."""
    metrics = list(dict.fromkeys(e.metric for e in ev))
    names = " or ".join(label(m) for m in metrics)
    text = f"no {names} attributed to {tactic}: {where.window}, it has {where.there}"
    if where.kpis_elsewhere:  # its data lie outside the window, not missing: the importer has nothing to add
        return f"{text} but none of what they count; {where.elsewhere}"
    text += ", but its data give " + "; and ".join(dict.fromkeys(lacking(m) for m in metrics))
    return f"{text}; {where.elsewhere}" if where.elsewhere else text


def _window_words(plan: Plan, as_of: dt.date) -> str:
    """The KPI window in words: 'inside the horizon 2017-01-01..2017-12-31 (up to 2017-12-30)'."""
    _, until = kpi_window(plan, as_of)
    if plan.horizon is None:
        return f"up to {until.isoformat()}"
    words = f"inside the horizon {plan.horizon.start.isoformat()}..{plan.horizon.end.isoformat()}"
    return words if until >= plan.horizon.end else f"{words} (up to {until.isoformat()})"


def _outside(plan: Plan, as_of: dt.date) -> str:
    """Where the data outside the KPI window lie, in words: 'outside it', or, for a window the as-of date cuts
    short (data after that date lie inside the horizon, not outside it), 'outside it or after 2017-10-31'."""
    _, until = kpi_window(plan, as_of)
    if plan.horizon is None or until >= plan.horizon.end:
        return "outside it"
    return f"outside it or after {until.isoformat()}"


@dataclasses.dataclass(frozen=True)
class Whereabouts:
    """Where a tactic without data for its KPIs inside their window has data, in words (`outside_words`)."""

    window: str  # 'inside the horizon 2017-01-01..2017-12-31, where its KPIs are measured'
    there: str = ""  # what it has inside the window: 'posts 1,316'
    elsewhere: str = ""  # what it has outside it: 'outside it: posts 119, impressions 76,924'
    kpis_elsewhere: bool = False  # whether the data outside it hold any of its KPIs' metrics

    def outside_only(self) -> str:
        """' inside the horizon ..., where its KPIs are measured; outside it: posts 119' (after a tactic's id)."""
        return f" {self.window}; {self.elsewhere}"


def outside_words(inputs: DiagnoseInputs, objective: Objective) -> dict[str, Whereabouts]:
    """For each tactic with no data for the objective's KPIs inside their window but some inside it or
    elsewhere, where its data are: 'inside the horizon 2017-01-01..2017-12-31, where its KPIs are measured',
    with what it has there (posts 1,316: data, none of them what its KPIs count, such as follower counts X
    analytics does not give) and outside it (posts 119, impressions 76,924)."""
    currency = inputs.plan.budget.currency if inputs.plan.budget else None
    shown = list(dict.fromkeys([*PRESENCE_METRICS, *(k.metric for k in objective.kpis)]))

    def words(values: dict[tuple[str, str], Observation], tactic: str) -> list[str]:
        found = []
        for metric in shown:
            obs = values.get((tactic, metric))
            if obs is None or obs.value is None:
                continue
            spec = catalog.get(metric)
            unit = spec.unit if spec else None
            found.append(f"{label(metric)} {formatting.number(obs.value, unit, currency=currency)}")
        return found

    out: dict[str, Whereabouts] = {}
    for tactic in serving(inputs.plan, objective.id):
        there, elsewhere = words(inputs.tactic_presence, tactic.id), words(inputs.tactic_outside, tactic.id)
        if not there and not elsewhere:
            continue
        out[tactic.id] = Whereabouts(
            f"{_window_words(inputs.plan, inputs.as_of)}, where its KPIs are measured",
            ", ".join(there), f"{_outside(inputs.plan, inputs.as_of)}: {', '.join(elsewhere)}" if elsewhere else "",
            any((tactic.id, k.metric) in inputs.tactic_outside for k in objective.kpis))
    return out


def verdicts(inputs: DiagnoseInputs, statuses: list[KpiStatus]) -> list[Verdict]:
    """Verdicts for every objective that has serving tactics."""
    out: list[Verdict] = []
    currency = inputs.plan.budget.currency if inputs.plan.budget else None
    for objective in inputs.plan.objectives:
        tactics = serving(inputs.plan, objective.id)
        if not tactics:
            continue
        pooled = {kpi.metric: dispersion([noise(inputs, kpi, t) for t in tactics]) for kpi in objective.kpis}
        evidence: dict[str, list[TacticEvidence]] = {}
        for tactic in tactics:
            found = [tactic_evidence(inputs, kpi, tactic, tactics, pooled[kpi.metric], objective.id)
                     for kpi in objective.kpis]
            evidence[tactic.id] = [e for e in found if e is not None]
        unjudged = {kpi.metric: why for kpi in objective.kpis if kpi.target is not None
                    and (why := not_per_tactic(kpi.metric)) is not None}
        mine = [s for s in statuses if s.objective == objective.id]
        where = outside_words(inputs, objective) if inputs.tactic_outside or inputs.tactic_presence else None
        out.extend(judge_objective(objective.id, evidence, inputs.tactic_spend, statuses=mine,
                                   unjudged=unjudged, currency=currency, outside=where))
    return out
