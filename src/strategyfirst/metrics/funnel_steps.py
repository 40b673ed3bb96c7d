"""The permission funnel's steps, its result and the arithmetic on the rows of its queries (standard library
only: a funnel whose queries are kept runs without Ibis). What the funnel is: metrics/funnel.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from strategyfirst import catalog
from strategyfirst.dates import check_range
from strategyfirst.formatting import step_rate
from strategyfirst.metrics.args import date as _date
from strategyfirst.metrics.finish import label as _label
from strategyfirst.metrics.result import MeasureResult

if TYPE_CHECKING:
    from strategyfirst.plan import Plan

STEPS = ("reach", "engagements", "new_followers", "site_sessions", "conversions")
STEP_LABELS = {"reach": "Reach", "engagements": "Engagements", "new_followers": "New followers / subscribers",
               "site_sessions": "Site sessions", "conversions": "Conversions"}
IMPRESSIONS_NOTE = " (impressions)"  # after "Reach" where a scope's reach is its impressions (no reach given)
# After "New followers / subscribers" where a scope's data gives follower counts but no gains (Facebook page
# likes, the UCI file): the step is the net growth of those counts, `audience_growth` (metrics.md).
NET_GROWTH_NOTE = " (net growth)"
MISSING = {
    "reach": "no reach, impressions or email deliveries this month: import the platforms' post exports or the "
             "email campaign report",
    "engagements": "no engagements this month: import the platforms' post exports",
    "new_followers": "no follower or subscriber gains: import follower exports or email list member exports (a "
                     "tactic counts the followers of the owned accounts its match's accounts or platforms name)",
    "site_sessions": "no site visits: import a GA4 export (traffic acquisition by channel group, source / medium "
                     "or campaign)",
    "conversions": "the site export gives no conversions (key events): add them to the GA4 report",
}
OVERALL = "overall"
_MEASURED = ["reach", "impressions", "engagements", "audience_gained", "audience_lost", "audience_growth",
             "email_open_rate"]
# The permission asset per platform and account: `measure --by account`'s own figures, so that its net is the
# month's `audience_growth` (snapshots or deltas alike, from the last snapshot before the month).
_ASSET_MEASURED = ["audience_gained", "audience_lost", "audience_growth"]


SITE = "site:"  # query names: the site rows by scope ("site:none", "site:tactic"),
LATEST = "latest"  # the last day with funnel data (`cut`)
ASSET = "asset"  # the measurement (by account) of the permission asset, beside those by each scope's `by`


def measurements(chains: list[tuple[str, str]]) -> dict[str, tuple[str, list[str]]]:
    """The funnel's monthly measurements by name: (by, metric ids) of each scope's `by` (`scopes`), and ASSET."""
    out = {by: (by, _MEASURED) for by in dict.fromkeys(b for b, _ in chains)}
    out[ASSET] = ("account", _ASSET_MEASURED)
    return out


@dataclass
class Funnel:
    """One scope's chain: `steps` in STEPS order, each {step, label, value, previous, change, conversion,
    conversion_previous}; `breaks_at` {step, why} or None; `churn` (followers and subscribers lost);
    `new_followers_is_growth` where the step is the net growth of follower counts that give no gains."""

    scope: str
    steps: list[dict[str, Any]]
    churn: float | None = None
    churn_previous: float | None = None
    reach_is_impressions: bool = False
    breaks_at: dict[str, Any] | None = None
    new_followers_is_growth: bool = False


@dataclass
class FunnelReport:
    period: str | None
    previous: str | None
    funnels: list[Funnel] = field(default_factory=list)
    asset: list[dict[str, Any]] = field(default_factory=list)   # per platform and account: gained, lost, net
    # Where the data ends before the month shown does (`cut`): its last day with data, and the days of the
    # month before compared with it (as many from its start); None for whole months.
    through: dt.date | None = None
    previous_days: tuple[dt.date, dt.date] | None = None

    @property
    def dates(self) -> str | None:
        """'2026-11-01 to 2026-11-12 (the month so far) against 2026-10-01 to 2026-10-12 (as many days)' where
        the data ends inside the month shown (`through`), else None (whole months: `period`, `previous`)."""
        if self.period is None or self.through is None or self.previous_days is None:
            return None
        start, end = self.previous_days
        return (f"{self.period}-01 to {self.through.isoformat()} (the month so far) against {start.isoformat()} "
                f"to {end.isoformat()} (as many days)")

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "previous": self.previous, "dates": self.dates,
                "through": None if self.through is None else self.through.isoformat(),
                "previous_days": None if self.previous_days is None else [d.isoformat() for d in self.previous_days],
                "funnels": [{"scope": f.scope, "steps": f.steps, "churn": f.churn,
                             "churn_previous": f.churn_previous, "reach_is_impressions": f.reach_is_impressions,
                             "new_followers_is_growth": f.new_followers_is_growth,
                             "breaks_at": f.breaks_at} for f in self.funnels],
                "asset": self.asset}


def bounds(since: dt.date | str | None, until: dt.date | str | None) -> tuple[dt.date | None, dt.date | None]:
    """The funnel's dates: `until` picks its month, whole (a GA4 row of the month ends on its last day)."""
    since_d, until_d = _date(since, "since"), _date(until, "until")
    check_range(since_d, until_d)
    if until_d is not None:
        until_d = (until_d.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return since_d, until_d


# The steps a tactic's own data gives (its posts, its accounts' followers); its site rows may be any of its
# platform's (metrics/funnel.py), shared with every tactic on that platform.
OWN_STEPS = ("reach", "engagements", "new_followers")


def dialogue_only(plan: Plan | None) -> list[str]:
    """The tactics of `plan` that serve objectives whose KPIs are all dialogue metrics (a care desk answering
    customers): no step of the funnel is theirs to move. A chain of theirs without reach, engagements or
    followers of its own is left out (`assemble`) rather than said to break at reach, with advice to import post
    exports they do not have (the site visits from their platform are every tactic's of it)."""
    if plan is None:
        return []
    family = {o.id: {(m.family if (m := catalog.get(k.metric)) else None) for k in o.kpis} for o in plan.objectives}
    return [t.id for t in plan.tactics
            if t.serves and all(family.get(o) == {"dialogue"} for o in t.serves)]


def scopes(tactics: list[str]) -> list[tuple[str, str]]:
    """(by, scope) of each funnel: overall, then each of the plan's tactics (`tactics`: their ids in order)."""
    return [("none", OVERALL)] + [("tactic", t) for t in tactics]


# A step is a count, but a net growth (NET_GROWTH_NOTE) may fall below 0: no conversion is read from or into a
# loss, and no change from one (its sign would turn the trend around).
def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or a < 0 or b <= 0 else a / b


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None or before <= 0 else (now - before) / before


def _months_back(label: str) -> str:
    year, month = int(label[:4]), int(label[5:7])
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"


def _chain(scope: str, values: dict[str, dict[str, float | None]], period: str, previous: str,
           impressions_only: bool, churn: tuple[float | None, float | None], growth_only: bool = False) -> Funnel:
    steps: list[dict[str, Any]] = []
    for i, step in enumerate(STEPS):
        now, before = values[period].get(step), values[previous].get(step)
        conversion = conversion_before = None
        if i:
            prior = STEPS[i - 1]
            conversion = _ratio(now, values[period].get(prior))
            conversion_before = _ratio(before, values[previous].get(prior))
        # The label every view shows (CLI, report, web, JSON): reach measured as impressions says so.
        label = STEP_LABELS[step] + (IMPRESSIONS_NOTE if step == "reach" and impressions_only else "") + (
            NET_GROWTH_NOTE if step == "new_followers" and growth_only else "")
        steps.append({"step": step, "label": label, "value": now, "previous": before,
                      "change": _change(now, before), "conversion": conversion,
                      "conversion_previous": conversion_before})
    return Funnel(scope, steps, churn[0], churn[1], impressions_only, _breaks(steps), growth_only)


def _breaks(steps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Where the chain breaks, in words: the first step without data, else the conversion that fell most
    against its own previous month, else (no history) the weakest conversion."""
    for s in steps:
        if s["value"] is None and s["previous"] is not None:  # the exports are there: the month has none of it
            return {"step": s["step"], "why": f"none this month, where the month before had "
                                              f"{s['previous']:,.0f}: nothing of it in the month, or the month's "
                                              "exports are not imported yet"}
        if s["value"] is None:
            return {"step": s["step"], "why": MISSING[s["step"]]}
    pairs = [(s, steps[i - 1]) for i, s in enumerate(steps) if i]
    compared = [(s["conversion"] / s["conversion_previous"] - 1, s, p) for s, p in pairs
                if s["conversion"] is not None and s["conversion_previous"]]
    if compared:
        drop, s, p = min(compared, key=lambda c: c[0])
        if drop < 0:
            return {"step": s["step"], "why": f"{p['label'].lower()} -> {s['label'].lower()} fell from "
                                              f"{step_rate(s['conversion_previous'])} to {step_rate(s['conversion'])} "
                                              f"({drop:+.0%} against the month before)"}
        return None
    rated = [(s["conversion"], s, p) for s, p in pairs if s["conversion"] is not None]
    if not rated:
        return None
    rate, s, p = min(rated, key=lambda c: c[0])
    return {"step": s["step"], "why": f"{p['label'].lower()} -> {s['label'].lower()} is the weakest conversion "
                                      f"({step_rate(rate)}); no earlier month to compare with"}


Cells = dict[tuple[str, str], dict[str, float | None]]  # (scope, month) -> step values


Flags = dict[str, set[str]]  # scope -> the steps read in another unit: "reach" (impressions), "new_followers"


def _cells(chains: list[tuple[str, str]], measured: dict[str, MeasureResult], rows: dict[str, list[dict[str, Any]]]
           ) -> tuple[Cells, dict[tuple[str, str], float | None], Flags]:
    """Step values, churn by (scope, month) and the scopes whose reach is impressions or whose new followers are
    a net growth (`Flags`), from the monthly measurements and the site rows."""
    monthly: Cells = {}
    churn: dict[tuple[str, str], float | None] = {}
    flags: Flags = {}
    for by in dict.fromkeys(b for b, _ in chains):
        for r in measured[by].rows:
            scope = OVERALL if by == "none" else str(r["key"])
            cell = monthly.setdefault((scope, r["period"]), {})
            cell[r["metric"]] = r["value"]
            if r["metric"] == "email_open_rate":  # its denominator: the letters' successful deliveries
                cell["deliveries"] = r["denominator"] if r["value"] is not None else None
        site = {(str(r["key"]), _label(r["bucket"], "month")): (r["sessions"], r["conversions"])
                for r in rows.get(SITE + by, [])}
        for (key, month), (sessions, conversions) in site.items():
            scope = OVERALL if by == "none" else key
            cell = monthly.setdefault((scope, month), {})
            cell["site_sessions"], cell["conversions"] = sessions, conversions
    for (scope, month), cell in monthly.items():
        reach = cell.get("reach")
        if reach is None and cell.get("impressions") is not None:
            reach = cell.get("impressions")
            flags.setdefault(scope, set()).add("reach")
        deliveries = cell.get("deliveries")
        if deliveries is not None:  # people an email reached (their clicks are engagements)
            reach = (reach or 0.0) + deliveries
        gained = cell.get("audience_gained")
        # Follower counts without gains (page likes): the new followers are their net growth, as measured.
        if gained is None and cell.get("audience_lost") is None and cell.get("audience_growth") is not None:
            gained = cell.get("audience_growth")
            flags.setdefault(scope, set()).add("new_followers")
        cell["new_followers"] = gained
        churn[(scope, month)] = cell.get("audience_lost")
        cell["reach"] = reach
    return monthly, churn, flags


def _month_shown(monthly: Cells, until_d: dt.date | None) -> str | None:
    """The latest month with funnel data, up to the month of `until_d`."""
    months = sorted({m for (_, m), cell in monthly.items() if any(cell.get(s) is not None for s in STEPS)})
    if until_d is not None:
        months = [m for m in months if m <= f"{until_d.year:04d}-{until_d.month:02d}"]
    return months[-1] if months else None


def cut(chains: list[tuple[str, str]], measured: dict[str, MeasureResult], rows: dict[str, list[dict[str, Any]]],
        until_d: dt.date | None) -> tuple[dt.date, dt.date, dt.date] | None:
    """Where the funnel's data ends inside the month shown (the LATEST row: its last day with data), that day
    and the days of the month before to compare with: as many from its start (the dashboard compares a
    period cut at the as-of day so), all of it where it has no more. None when the month shown is whole."""
    period = _month_shown(_cells(chains, measured, rows)[0], until_d)
    latest = [r.get("day") for r in rows.get(LATEST, [])]
    day = next((d for d in latest if d is not None), None)
    if period is None or day is None:
        return None
    day = day.date() if isinstance(day, dt.datetime) else day
    start = dt.date.fromisoformat(period + "-01")
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    if not start <= day < end:  # a whole month (or data the month's steps do not read, after it)
        return None
    before = dt.date.fromisoformat(_months_back(period) + "-01")
    return day, before, min(before + dt.timedelta(days=day.day - 1), start - dt.timedelta(days=1))


def compared_days(cut_at: tuple[dt.date, dt.date, dt.date] | None,
                  since_d: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """The days of the month before that `cut` compares with, from `since_d` on; None when there are none (a
    whole month, or `--since` inside the month shown: the month before lies outside the dates asked)."""
    if cut_at is None:
        return None
    first = max(cut_at[1], since_d) if since_d else cut_at[1]
    return (first, cut_at[2]) if first <= cut_at[2] else None


def assemble(chains: list[tuple[str, str]], measured: dict[str, MeasureResult],
             rows: dict[str, list[dict[str, Any]]], until_d: dt.date | None,
             before: tuple[dict[str, MeasureResult], dict[str, list[dict[str, Any]]]] | None = None,
             cut_at: tuple[dt.date, dt.date, dt.date] | None = None,
             dialogue: Collection[str] = ()) -> FunnelReport:
    """The funnel of each of `chains` (`scopes`) from its monthly measurements (`measured`, by name:
    `measurements`) and the rows of the site queries (`rows`, by name: SITE + by). With `cut_at` (`cut`),
    `before` holds the same over the days of the month before it names: those are the month before's values.
    `dialogue`: tactics whose chain is left out when it has no reach, engagements nor followers in either month
    (`dialogue_only`)."""
    monthly, churn, flags = _cells(chains, measured, rows)
    period = _month_shown(monthly, until_d)
    if period is None:
        return FunnelReport(None, None, [Funnel(s, [], breaks_at={"step": "reach", "why": MISSING["reach"]})
                                         for _, s in chains if s not in dialogue])
    previous = _months_back(period)
    report = FunnelReport(period, previous)
    asset_rows = [r for r in _rows(measured, ASSET) if r["period"] != previous or before is None or cut_at is None]
    if before is not None and cut_at is not None:
        cells, lost, flags_before = _cells(chains, *before)
        for _, scope in chains:
            monthly[(scope, previous)] = cells.get((scope, previous), {})
            churn[(scope, previous)] = lost.get((scope, previous))
            flags[scope] = flags.get(scope, set()) | flags_before.get(scope, set())
        asset_rows += [r for r in _rows(before[0], ASSET) if r["period"] == previous]
        report.through, report.previous_days = cut_at[0], (cut_at[1], cut_at[2])
    for _, scope in chains:
        values = {m: monthly.get((scope, m), {}) for m in (period, previous)}
        if scope in dialogue and all(m.get(step) is None for m in values.values() for step in OWN_STEPS):
            continue
        report.funnels.append(_chain(scope, values, period, previous, "reach" in flags.get(scope, set()),
                                     (churn.get((scope, period)), churn.get((scope, previous))),
                                     "new_followers" in flags.get(scope, set())))
    report.asset = _asset(asset_rows, period, previous)
    return report


def _rows(measured: dict[str, MeasureResult], name: str) -> list[dict[str, Any]]:
    found = measured.get(name)
    return [] if found is None else list(found.rows)


def _asset(rows: list[dict[str, Any]], period: str, previous: str) -> list[dict[str, Any]]:
    """The permission asset per platform and account (email lists beside followers): gained, lost and net in
    the month, and the net of the month before, from `measure --by account --period month`'s rows of
    `audience_gained`, `audience_lost` and `audience_growth` (the net: metrics.md's net change, from the last
    snapshot before the month or the sum of the deltas, so that a list of page-like counts has one too)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        if r["period"] not in (period, previous) or r["value"] is None:
            continue
        platform, account = str(r.get("platform") or ""), str(r["key"])
        item = out.setdefault((platform, account), {
            "platform": platform, "account": account, "gained": None, "lost": None, "net": None,
            "net_previous": None})
        field_name = {"audience_gained": "gained", "audience_lost": "lost", "audience_growth": "net"}[r["metric"]]
        if r["period"] == previous:
            if field_name == "net":
                item["net_previous"] = r["value"]
        else:
            item[field_name] = r["value"]
    shown = (i for i in out.values() if any(i[k] is not None for k in ("gained", "lost", "net", "net_previous")))
    return sorted(shown, key=lambda i: (i["platform"], i["account"]))
