"""What diagnose needs from a workspace, as plain numbers (`DiagnoseInputs`), and `gather` to fill it.

The inference layer (status, verdicts, budget) only ever sees a `DiagnoseInputs`, so tests build one by hand
and never need a warehouse. `gather` is the one place that talks to `Workspace.measure` and the warehouse.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from strategyfirst import catalog
from strategyfirst.dates import end_of
from strategyfirst.errors import StrategyFirstError, WorkspaceError
from strategyfirst.plan.model import Plan
from strategyfirst.sqltext import string_list, timestamp_literal
from strategyfirst.warehouse.ownership import audience_owned_sql, listed_accounts, owned_sql

if TYPE_CHECKING:
    from strategyfirst.ports import MeasuringWorkspace

# The review cadence sets the forecast's periods; measure has no quarters, so quarterly plans trend on months.
CADENCE_PERIOD = {"weekly": "week", "monthly": "month", "quarterly": "month", None: "month"}


@dataclass(frozen=True)
class Observation:
    """One measured value with its counts; `period` is the bucket start (None for the whole window)."""

    value: float | None
    n: int = 0
    numerator: float | None = None
    denominator: float | None = None
    version: int | None = None
    period: dt.date | None = None


@dataclass(frozen=True)
class Source:
    """One account feeding a scope's count: its platform and account, its per-period series inside the window,
    and, for a member list (MEMBER_COUNTS), the day its exports cover it up to (`member_lists`) and the day it
    began (its first join, whenever it was: `list_began`), else None; for a covered list's net growth, its size
    at the window's start (its joins less leaves before it: `listed_start`), which bounds what it can lose."""

    platform: str
    account: str
    series: list[Observation]
    covered_to: dt.date | None = None
    began: dt.date | None = None
    start_size: float | None = None

    @property
    def name(self) -> str:
        """How the reasons name it: "the email list 'news'", "the facebook account 'VIC'"."""
        if self.platform == "email":
            return f"the email list '{self.account}'"
        return f"the {self.platform} account '{self.account}'" if self.platform else f"the account '{self.account}'"


@dataclass
class DiagnoseInputs:
    """Everything diagnose reads, keyed by ids: (objective, metric), (tactic, metric), tactic."""

    plan: Plan
    as_of: dt.date
    objective_series: dict[tuple[str, str], list[Observation]] = field(default_factory=dict)
    objective_actual: dict[tuple[str, str], Observation] = field(default_factory=dict)
    tactic_actual: dict[tuple[str, str], Observation] = field(default_factory=dict)
    tactic_series: dict[tuple[str, str], list[Observation]] = field(default_factory=dict)
    tactic_gaps: dict[str, np.ndarray] = field(default_factory=dict)
    objective_gaps: dict[str, np.ndarray] = field(default_factory=dict)  # pooled, each message once
    tactic_spend: dict[str, float] = field(default_factory=dict)
    # Tactics with no data inside the KPI window (for all their KPIs, or some): what they lack there but have
    # outside it (any date), by (tactic, metric), so a verdict can say the data exist but lie outside the horizon
    # rather than "no attributed data".
    tactic_outside: dict[tuple[str, str], Observation] = field(default_factory=dict)
    # The same tactics' posts and inbound messages inside the window, where they have some: their data are then
    # not outside it, only none of what their KPIs count (no inbound message to answer, say).
    tactic_presence: dict[tuple[str, str], Observation] = field(default_factory=dict)
    # The audience size each objective's net audience growth is counted from at the window's start, where the
    # data give it for all of that growth (`audience_start`): a net loss cannot go below losing all of it.
    audience_start: dict[str, float] = field(default_factory=dict)
    # The size of that audience (audience_size over the objective), to date and per period, for the objectives with
    # a net audience growth KPI: its forecast is the size's less the start, so the two agree.
    audience_size_actual: dict[str, Observation] = field(default_factory=dict)
    audience_size_series: dict[str, list[Observation]] = field(default_factory=dict)
    # Counts of member lists' joins and leaves (MEMBER_COUNTS) by (objective, metric) and (tactic, metric): the day
    # their member exports cover them up to, never past the KPI window's end (`member_coverage`). A member export
    # lists every member up to its export day, so each day up to it is one of data: a month without a join or a
    # leave is a month of none, neither a missing export nor a silence.
    objective_covered: dict[tuple[str, str], dt.date] = field(default_factory=dict)
    tactic_covered: dict[tuple[str, str], dt.date] = field(default_factory=dict)
    # The accounts an objective's accumulating count adds up, by (objective, metric), where two or more feed it
    # in the window (`kpi_sources`): each is judged silent on its own, a source silent for months held at what
    # it reached rather than carried on at its old rate, and named where its exports are missing.
    objective_sources: dict[tuple[str, str], list[Source]] = field(default_factory=dict)
    # The same by (tactic, metric), for a tactic whose match covers two or more of those accounts: its verdict
    # takes its pace from the accounts not silent, and names the silent ones to import.
    tactic_sources: dict[tuple[str, str], list[Source]] = field(default_factory=dict)
    # The day those lists began (the first join any of their exports lists, whenever it was: `list_began`): their
    # covered days run from it, from the window's start where it is earlier, not from their first month with data
    # in the window (a list with members before the window existed all through it).
    objective_began: dict[tuple[str, str], dt.date] = field(default_factory=dict)
    tactic_began: dict[tuple[str, str], dt.date] = field(default_factory=dict)
    # What a KPI's reason must add about its data, by (objective, metric): a member list whose leavers are in no
    # export imported (`partial_lists`, `leaver_notes`).
    objective_notes: dict[tuple[str, str], str] = field(default_factory=dict)
    seed: int = 0

    @property
    def period(self) -> str:
        cadence = self.plan.review.cadence if self.plan.review else None
        return CADENCE_PERIOD[cadence]


def kpi_metrics(plan: Plan) -> list[str]:
    """The catalogued metrics the plan's KPIs name, in first-seen order."""
    seen: dict[str, None] = {}
    for objective in plan.objectives:
        for kpi in objective.kpis:
            if catalog.get(kpi.metric) is not None:
                seen.setdefault(kpi.metric, None)
    return list(seen)


def observation(row: dict[str, Any]) -> Observation:
    """A measure row as an Observation."""
    period = row.get("period")
    start = None if period in (None, "all") else period_start(str(period))
    value = row.get("value")
    return Observation(
        value=None if value is None else float(value),
        n=int(row.get("n") or 0),
        numerator=_float(row.get("numerator")),
        denominator=_float(row.get("denominator")),
        version=row.get("version"),
        period=start,
    )


def period_start(label: str) -> dt.date:
    """The first day of a period label: '2026-03-01', '2026-03' (month) or '2026-W09' (ISO week)."""
    label = label.strip()
    if "-W" in label:
        year, week = label.split("-W")
        return dt.date.fromisocalendar(int(year), int(week[:2]), 1)
    if len(label) == 7:
        return dt.date.fromisoformat(label + "-01")
    return dt.date.fromisoformat(label[:10])


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _index(rows: list[dict[str, Any]]) -> tuple[dict[tuple[str, str], Observation],
                                                  dict[tuple[str, str], list[Observation]]]:
    """Rows keyed by (key, metric): the single 'all' observation and the per-period series."""
    single: dict[tuple[str, str], Observation] = {}
    series: dict[tuple[str, str], list[Observation]] = {}
    for row in rows:
        obs = observation(row)
        key = (str(row.get("key")), str(row["metric"]))
        if obs.period is None:
            single[key] = obs
        else:
            series.setdefault(key, []).append(obs)
    for values in series.values():
        values.sort(key=lambda o: o.period or dt.date.min)
    return single, series


def _day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def latest_data_date(ws: MeasuringWorkspace, plan: Plan | None = None) -> dt.date | None:
    """The default as-of (metrics.md, "KPIs are measured inside the plan's horizon"): the last day any message,
    audience snapshot or spend the metrics read is dated inside the plan's horizon, else the horizon's start;
    data outside the horizon never moves it. Without a horizon, the last day of any such data (None for an
    empty warehouse). Messages and audience rows are those of the plan's ownership rule (metrics.md, "owned
    message": `warehouse.ownership`), as `measure` reads them: owned messages and those inbound to an owned
    account; audience series of owned accounts. A later post or snapshot of an account the plan does not own
    never moves it. `plan` defaults to the workspace's plan (none when it is absent or does not load). One SQL
    read, no Ibis."""
    if plan is None:
        try:
            document = ws.plan_or_none()
        except StrategyFirstError:
            document = None
        plan = document.plan if document is not None else None
    start = plan.horizon.start if plan is not None and plan.horizon else None
    end = plan.horizon.end if plan is not None and plan.horizon else None
    if not ws.warehouse_path.exists():
        return start
    listed = listed_accounts(plan)
    # Inbound pairs as `derive` last built them (an import or a measurement refreshes them).
    owns = {"messages": f"({owned_sql(listed)} OR message_id IN (SELECT message_id FROM inbound))",
            "audience": audience_owned_sql(listed)}
    reads = []
    for table, column in (("messages", "created_at"), ("audience", "date"), ("spend", "date")):
        day = f'CAST("{column}" AS DATE)'
        cond = [f"{day} IS NOT NULL", *([owns[table]] if table in owns else [])]
        if start is not None:
            cond.append(f"{day} >= DATE '{start.isoformat()}'")
        if end is not None:
            cond.append(f"{day} <= DATE '{end.isoformat()}'")
        reads.append(f'SELECT max({day}) AS day FROM "{table}" WHERE {" AND ".join(cond)}')
    try:
        rows = ws.query(" UNION ALL ".join(reads))
    except Exception:  # a table an older warehouse lacks is simply not a source of dates: read each alone
        rows = []
        for read in reads:
            try:
                rows += ws.query(read)
            except Exception:
                continue
    latest = [_day(r["day"]) for r in rows if r["day"] is not None]
    return max(latest) if latest else start


def kpi_window(plan: Plan, as_of: dt.date) -> tuple[dt.date | None, dt.date]:
    """The days a KPI's actual, series and forecast read: from the horizon's start to as-of, never past the
    horizon's end."""
    horizon = plan.horizon
    since = horizon.start if horizon else None
    until = min(as_of, horizon.end) if horizon and horizon.end else as_of
    return since, until


@dataclass(frozen=True)
class Gaps:
    """Attributed first-reply gaps: each tactic's, and each objective's (each inbound pair once however many
    of the objective's tactics label it: the pooled gaps its median is over), in the pairs' order."""

    tactics: dict[str, np.ndarray]
    objectives: dict[str, np.ndarray]


def _labels_of_pairs(ws: MeasuringWorkspace) -> tuple[str, str]:
    """The table labelling inbound pairs with tactics and the join with `inbound` (alias i) that gives each
    pair its labels: `inbound_attribution` on (message, account), as `measure` reads them; a warehouse whose
    derived tables predate it has only `attribution`, by message."""
    rows = ws.query("SELECT 1 AS found FROM duckdb_views() WHERE view_name = 'inbound_attribution' "
                    "AND database_name = current_database() UNION ALL SELECT 1 FROM duckdb_tables() "
                    "WHERE table_name = 'inbound_attribution' AND database_name = current_database()")
    if rows:
        return "inbound_attribution", "i.message_id = a.message_id AND i.account = a.account"
    return "attribution", "i.message_id = a.message_id"


def attributed_gaps(ws: MeasuringWorkspace, plan: Plan, since: dt.date | None, until: dt.date) -> Gaps:
    """Non-negative first-reply minutes of the attributed inbound pairs in [since, until] answered by the end
    of `until`, grouped by tactic and by objective in one DuckDB read (lists of minutes, no row of millions
    fetched one by one), each list in the order of (message, account), so that a bootstrap over it is the same
    on every run."""
    end = timestamp_literal(end_of(until))
    # a reply after `until` was not there yet (metrics.asof): the message was still waiting
    cond = ["i.first_reply_minutes IS NOT NULL", "i.first_reply_minutes >= 0", f"i.created_at < {end}",
            f"i.first_reply_at < {end}"]
    if since is not None:
        cond.append(f"i.created_at >= {timestamp_literal(dt.datetime.combine(since, dt.time()))}")
    labels, on = _labels_of_pairs(ws)
    pairs = (f"SELECT i.message_id, i.account, a.tactic_id, i.first_reply_minutes AS m FROM inbound AS i "
             f"INNER JOIN {labels} AS a ON {on} WHERE {' AND '.join(cond)}")
    serves = [(t.id, o) for t in plan.tactics for o in t.serves]
    by_objective = ""
    if serves:
        values = ", ".join(f"({string_list((t, o))})" for t, o in serves)
        by_objective = (" UNION ALL SELECT 'objective' AS kind, objective_id AS key, list(m ORDER BY message_id, "
                        "account) AS gaps FROM (SELECT DISTINCT s.objective_id, p.message_id, p.account, p.m FROM "
                        f"pairs AS p INNER JOIN (VALUES {values}) AS s(tactic_id, objective_id) "
                        "ON p.tactic_id = s.tactic_id) GROUP BY objective_id")
    found = ws.query_columns(f"WITH pairs AS ({pairs}) SELECT 'tactic' AS kind, tactic_id AS key, list(m ORDER BY "
                             f"message_id, account) AS gaps FROM pairs GROUP BY tactic_id{by_objective}")
    grouped: dict[str, dict[str, np.ndarray]] = {"tactic": {}, "objective": {}}
    for kind, key, gaps in zip(found["kind"], found["key"], found["gaps"], strict=True):
        grouped[str(kind)][str(key)] = np.asarray(gaps, dtype=float)
    return Gaps(grouped["tactic"], grouped["objective"])


def reply_gaps(ws: MeasuringWorkspace, plan: Plan, since: dt.date | None, until: dt.date) -> dict[str, np.ndarray]:
    """Non-negative first-reply minutes of each tactic's attributed inbound pairs in [since, until]."""
    return attributed_gaps(ws, plan, since, until).tactics


def objective_reply_gaps(ws: MeasuringWorkspace, plan: Plan, since: dt.date | None, until: dt.date
                         ) -> dict[str, np.ndarray]:
    """Non-negative first-reply minutes of each objective's inbound pairs in [since, until], each pair once
    however many of the objective's tactics it is attributed to (the pooled gaps its median is over)."""
    return attributed_gaps(ws, plan, since, until).objectives


def audience_start(growth: Observation | None, rate: Observation | None) -> float | None:
    """The audience size a net growth (`growth`, audience_growth over a scope and window) is counted from at the
    window's start: the denominator of audience_growth_rate over the same scope and window (its series' sizes at
    the start), where that rate covers all of the growth; None where some of the growth is of a series whose
    start size the data do not give (deltas without a snapshot, a list that started at 0) or nothing grew."""
    if growth is None or growth.value is None or rate is None or rate.numerator is None \
            or rate.denominator is None or rate.denominator <= 0:
        return None
    if not math.isclose(rate.numerator, growth.value, rel_tol=1e-9, abs_tol=1e-6):
        return None
    return float(rate.denominator)


def _measure(ws: MeasuringWorkspace, **kwargs: Any) -> list[dict[str, Any]]:
    """`ws.measure(...)` rows: dicts with metric, key, period, value, n, ... (the metrics contract)."""
    measure: Any = getattr(ws, "measure", None)
    if measure is None:
        raise WorkspaceError("this workspace cannot measure yet: the metrics layer is not installed")
    return list(measure(**kwargs).rows)


# The counts of a list's joins and leaves that its member exports give for every day up to their export day.
MEMBER_COUNTS = ("audience_growth", "audience_gained", "audience_lost")


# Mailchimp writes one export per status: the leavers (and the joins of those who left) are only in these two.
MAILCHIMP_LEAVERS = {"subscribers_unsubscribed": "unsubscribed", "subscribers_cleaned": "cleaned"}


def _exported_series(ws: MeasuringWorkspace) -> list[tuple[str, str, dict[str, dt.date | None]]]:
    """Each member list (its account as stored) with its provider and, by series (metric), the latest export
    day of its exports that give joins or leaves (None: an export without a time, e.g. one listing no member);
    undone imports are not counted. Empty for a warehouse without the record (schema < 8)."""
    from strategyfirst.sources.member_counts import EXPORTS, live_exports

    if not ws.warehouse_path.exists() or not ws.query(
            f"SELECT 1 AS found FROM duckdb_tables() WHERE table_name = '{EXPORTS}' "
            "AND database_name = current_database()"):
        return []
    rows = ws.query(f"SELECT account, any_value(provider) AS provider, metric, max(exported_on) AS last "
                    f"FROM {live_exports()} AS x WHERE platform = 'email' AND (gains OR losses) "
                    "GROUP BY account, metric ORDER BY account, metric")
    out: dict[str, tuple[str, dict[str, dt.date | None]]] = {}
    for r in rows:
        _, series = out.setdefault(str(r["account"]), (str(r["provider"]), {}))
        series[str(r["metric"])] = None if r["last"] is None else _day(r["last"])
    return [(account, provider, series) for account, (provider, series) in out.items()]


def _missing_leavers(provider: str, series: dict[str, dt.date | None]) -> list[str]:
    """The exports of leavers a list's platform writes that are not there (Mailchimp's unsubscribed and cleaned
    exports; a beehiiv or Substack export is one file, leavers and all)."""
    if provider != "mailchimp":
        return []
    return [status for metric, status in MAILCHIMP_LEAVERS.items() if metric not in series]


def member_lists(ws: MeasuringWorkspace) -> dict[str, dt.date]:
    """Each member list (its account as stored) with the day its member exports cover it up to: the earliest of
    its series' latest export days (`member_exports.exported_on`; Mailchimp's subscribed, unsubscribed and
    cleaned exports are three series, and a day is known of the list only where each of them lists it: a join
    after the subscribed export's day may have left before the unsubscribed one's). A list is covered only
    while its export of the current members (the `subscribers` series: Mailchimp's subscribed export, a beehiiv
    or Substack export) is there: without it no export lists their joins, and the other series' later days
    would claim days none of them covers (undoing the subscribed import moved the cover of the real Mailchimp
    exports on, from 2023-04-21 to the cleaned export's 2023-05-12). A Mailchimp list is covered only with its
    unsubscribed and cleaned exports too: its subscribed export lists only those still subscribed, so the
    members who left (their joins and their leaves) are in no export and a month without a join is not known
    to be one of none (`partial_lists`). An export without a time (one listing no member, no --exported-on)
    is there but dates no day (the current members' export must date one). Exports that give neither joins nor
    leaves (a size only) cover no day; undone imports are not counted. Empty for a warehouse without the record
    (schema < 8) or any member export."""
    from strategyfirst.metrics.audience import MEMBER_SERIES

    out: dict[str, dt.date] = {}
    for account, provider, series in _exported_series(ws):
        days = [d for d in series.values() if d is not None]
        if series.get(MEMBER_SERIES) is not None and not _missing_leavers(provider, series):
            out[account] = min(days)
    return out


def partial_lists(ws: MeasuringWorkspace) -> dict[str, list[str]]:
    """The member lists whose current members' export is there without the exports of those who left (a
    Mailchimp subscribed export alone): the list, with the exports missing (`unsubscribed`, `cleaned`)."""
    from strategyfirst.metrics.audience import MEMBER_SERIES

    return {account: missing for account, provider, series in _exported_series(ws)
            if MEMBER_SERIES in series and (missing := _missing_leavers(provider, series))}


def _same_series(a: list[Observation], b: list[Observation]) -> bool:
    """Whether two per-period series hold the same values in the same periods (within 1e-6)."""
    def kept(series: list[Observation]) -> list[Observation]:
        return [o for o in series if o.value is not None and o.n > 0]

    x, y = kept(a), kept(b)
    return len(x) == len(y) and all(
        o.period == p.period and o.value is not None and p.value is not None
        and math.isclose(o.value, p.value, rel_tol=1e-9, abs_tol=1e-6) for o, p in zip(x, y, strict=True))


def list_began(ws: MeasuringWorkspace, lists: dict[str, dt.date]) -> dict[str, dt.date]:
    """Each of `lists` (`member_lists`) with the day of its first join its exports list (any series, any date):
    the day the list began, as far as its exports tell."""
    from strategyfirst.metrics.audience import MEMBER_SERIES

    if not lists:
        return {}
    rows = ws.query(f"SELECT account, min(date) AS first FROM audience WHERE platform = 'email' AND starts_with("
                    f"metric, '{MEMBER_SERIES}') AND gained > 0 AND account IN ({string_list(sorted(lists))}) "
                    "GROUP BY account")
    return {str(r["account"]): _day(r["first"]) for r in rows if r["first"] is not None}


def member_coverage(ws: MeasuringWorkspace, lists: dict[str, dt.date], by: str, metrics: list[str], period: str,
                    since: dt.date | None, until: dt.date, series: dict[tuple[str, str], list[Observation]],
                    began: dict[str, dt.date] | None = None
                    ) -> tuple[dict[tuple[str, str], dt.date], dict[tuple[str, str], dt.date]]:
    """By (objective or tactic, metric) of MEMBER_COUNTS: the day up to which member exports cover its data,
    where all of its data in the window (`series`, as measured) are member lists' (the same series measured on
    the lists alone): the earliest day any list it holds is covered to (a list whose exports stop before the
    window covers none of it), never past `until`. A scope that also counts another source (a page's follower
    gains) keeps that source's rule: a month without data is a missing export there. `lists`: `member_lists`.
    Also, by the same key, the day its lists began (the earliest of `began`, `list_began`, of the lists it holds)."""
    wanted = [m for m in metrics if m in MEMBER_COUNTS]
    if not lists or not wanted:
        return {}, {}
    accounts = sorted(lists)
    rows = _measure(ws, by=by, period=period, since=since, until=until, metrics=wanted, platforms=["email"],
                    accounts=accounts)
    _, only_lists = _index(rows)
    # Which lists each scope holds: one list, those with its data in the window; else each list's scopes over all
    # its days (a list silent in the window still counts in the scope, and covers none of it).
    holds: dict[tuple[str, str], list[str]] = {
        key: accounts for key, obs in only_lists.items() if any(o.n > 0 and o.value is not None for o in obs)}
    if len(accounts) > 1:
        holds = {}
        for account in accounts:
            every, _ = _index(_measure(ws, by=by, period="all", metrics=wanted, platforms=["email"],
                                       accounts=[account]))
            for key, obs in every.items():
                if obs.n > 0 and obs.value is not None:
                    holds.setdefault(key, []).append(account)
    out: dict[tuple[str, str], dt.date] = {}
    first: dict[tuple[str, str], dt.date] = {}
    for key, held in holds.items():
        through = min(min(lists[a] for a in held), until)
        if since is not None and through < since:
            continue
        if key in only_lists and _same_series(series.get(key, []), only_lists[key]):
            out[key] = through
            days = [began[a] for a in held if began and a in began]
            if days:
                first[key] = min(days)
    return out, first


def leaver_notes(ws: MeasuringWorkspace, partial: dict[str, list[str]], metrics: list[str]
                 ) -> dict[tuple[str, str], str]:
    """By (objective, metric) of MEMBER_COUNTS whose scope holds a list of `partial_lists` (any of its days):
    why its count leaves out the list's members who left, and which exports to import."""
    wanted = [m for m in metrics if m in MEMBER_COUNTS]
    out: dict[tuple[str, str], list[str]] = {}
    for account, missing in sorted(partial.items()):
        every, _ = _index(_measure(ws, by="objective", period="all", metrics=wanted, platforms=["email"],
                                   accounts=[account]))
        files = " and ".join(missing)
        line = (f"list {account!r} has Mailchimp's subscribed export without its {files} "
                f"export{'s' if len(missing) > 1 else ''}: the members who left are counted neither as joins nor "
                "as leaves (the subscribed export lists only those still subscribed), so its months without a "
                f"join are not known to be months of none; import the audience export's {files} "
                f"file{'s' if len(missing) > 1 else ''}")
        for key, obs in every.items():
            if obs.n > 0 and obs.value is not None:
                out.setdefault(key, []).append(line)
    return {key: "; ".join(lines) for key, lines in out.items()}


def listed_start(ws: MeasuringWorkspace, lists: dict[str, dt.date], covered: dict[tuple[str, str], dt.date],
                 since: dt.date | None) -> dict[str, float]:
    """By objective whose net audience growth its member lists' exports cover (`member_coverage`): the lists'
    size at the window's start, their joins less their leaves before it (0 where none came before it). A member
    export lists every member up to its export day, so the size it started from is known, and a net loss cannot
    go below losing all of it (as-of 2019-06-30 on a weekly plan, the real Mailchimp list of 11 members, which had
    none at the horizon's start, was forecast at -244 'not bounded below'). `lists`: `member_lists`."""
    objectives = sorted({key for key, metric in covered if metric == "audience_growth"})
    if not objectives or since is None:
        return {}
    rows = _measure(ws, by="objective", period="all", until=since - dt.timedelta(days=1),
                    metrics=["audience_growth"], platforms=["email"], accounts=sorted(lists)) if lists else []
    before, _ = _index(rows)
    out: dict[str, float] = {}
    for key in objectives:
        obs = before.get((key, "audience_growth"))
        out[key] = float(obs.value) if obs is not None and obs.value is not None else 0.0
    return out


def mixed_accounts(ws: MeasuringWorkspace, lists: dict[str, dt.date], metrics: list[str], period: str,
                   since: dt.date | None, until: dt.date) -> list[tuple[str, str]]:
    """The accounts, as (platform, account), with data in the window on an accumulating one of `metrics`, where
    two or more have some and one of them has been silent for LONG_GAP_PERIODS months or more by `until`
    (`status.silence`; an account's share of a scope is no less silent than the account); else none. One
    measurement by account: what `kpi_sources` needs to know whether it can matter at all. An account is one on
    its platform: a page 'VIC' and a list 'VIC' are two, each judged on its own data."""
    from strategyfirst.diagnose.status import silence

    wanted = [m for m in metrics if (spec := catalog.get(m)) is not None and spec.accumulates]
    if not wanted:
        return []
    heard: dict[tuple[str, str, str], list[dt.date]] = {}
    for row in _measure(ws, by="account", period=period, since=since, until=until, metrics=wanted):
        obs = observation(row)
        if row.get("key") is not None and obs.period is not None and obs.value is not None and obs.n > 0:
            heard.setdefault((str(row.get("platform") or ""), str(row["key"]), str(row["metric"])),
                             []).append(obs.period)
    accounts = sorted({(platform, account) for platform, account, _ in heard})
    if len(accounts) < 2 or not any(
            silence(sorted(starts), until, period, _cover(lists, platform, account, metric, since, until))
            is not None for (platform, account, metric), starts in heard.items()):
        return []
    return accounts


def kpi_sources(ws: MeasuringWorkspace, lists: dict[str, dt.date], metrics: list[str], period: str,
                since: dt.date | None, until: dt.date, series: dict[tuple[str, str], list[Observation]],
                *, by: str = "objective", accounts: list[tuple[str, str]] | None = None,
                began: dict[str, dt.date] | None = None) -> dict[tuple[str, str], list[Source]]:
    """By (objective or tactic, as `by`, metric) of the accumulating `metrics`: the accounts its count adds up,
    each with its own series (the scope's count measured on that account alone), where two or more have data in
    the window and their series add up to the scope's (`series`, as measured; a count that does not add up per
    account keeps the scope's whole series alone). A member list's source carries the day its exports cover it
    up to (`lists`: `member_lists`) and the day it began (`began`: `list_began`), as `member_coverage` gives a
    scope of lists alone.

    Only where it can matter: `accounts` (`mixed_accounts`, measured here where not given) names the accounts
    when two or more have data and one is silent; then one more measurement per account."""
    wanted = [m for m in metrics if (spec := catalog.get(m)) is not None and spec.accumulates]
    if accounts is None:
        accounts = mixed_accounts(ws, lists, metrics, period, since, until)
    if not wanted or not accounts:
        return {}
    found: dict[tuple[str, str], list[Source]] = {}
    for platform, account in accounts:
        _, by_key = _index(_measure(ws, by=by, period=period, since=since, until=until, metrics=wanted,
                                    platforms=[platform] if platform else None, accounts=[account]))
        for key, obs in by_key.items():
            if any(o.n > 0 and o.value is not None for o in obs):
                cover = _cover(lists, platform, account, key[1], since, until)
                found.setdefault(key, []).append(Source(platform, account, obs, cover, (began or {}).get(account)
                                                        if cover is not None else None))
    out = {key: held for key, held in found.items()
           if len(held) > 1 and _adds_up(series.get(key, []), [s.series for s in held])}
    # A covered list's size at the window's start bounds the net loss forecast of it (as `listed_start` does for
    # an objective of lists alone): one more measurement, only where such a source feeds a net growth.
    covered = sorted({s.account for (_, metric), held in out.items() if metric == "audience_growth"
                      for s in held if s.covered_to is not None})
    if not covered or since is None:
        return out
    before, _ = _index(_measure(ws, by="account", period="all", until=since - dt.timedelta(days=1),
                                metrics=["audience_growth"], platforms=["email"], accounts=covered))
    sizes = {account: float(obs.value) if obs is not None and obs.value is not None else 0.0
             for account in covered for obs in [before.get((account, "audience_growth"))]}
    return {key: [dataclasses.replace(s, start_size=sizes.get(s.account))
                  if key[1] == "audience_growth" and s.covered_to is not None else s for s in held]
            for key, held in out.items()}


def _cover(lists: dict[str, dt.date], platform: str, account: str, metric: str, since: dt.date | None,
           until: dt.date) -> dt.date | None:
    """The day a member list's exports cover its count of joins and leaves up to, never past `until`; None for
    another source or metric, or a list whose exports stop before the window (they cover none of it)."""
    covered = lists.get(account) if platform == "email" and metric in MEMBER_COUNTS else None
    if covered is None or (since is not None and covered < since):
        return None
    return min(covered, until)


def _adds_up(whole: list[Observation], parts: list[list[Observation]]) -> bool:
    """Whether per-period series `parts` add up to `whole` in every period (within 1e-6)."""
    total: dict[dt.date | None, float] = {}
    for part in parts:
        for o in part:
            if o.value is not None:
                total[o.period] = total.get(o.period, 0.0) + o.value
    have = {o.period: o.value for o in whole if o.value is not None}
    return set(have) == set(total) and all(
        math.isclose(have[p], total[p], rel_tol=1e-9, abs_tol=1e-6) for p in have)


# Besides the KPIs' metrics, what says a tactic has data at all: its posts and the messages inbound to it.
PRESENCE_METRICS = ("posts", "inbound_messages")


def _outside_window(ws: MeasuringWorkspace, plan: Plan, inside: dict[tuple[str, str], Observation],
                    metrics: list[str], since: dt.date | None,
                    until: dt.date) -> tuple[dict[tuple[str, str], Observation], dict[tuple[str, str], Observation]]:
    """For the tactics with nothing measured inside the KPI window for a KPI of an objective they serve: their
    values over all dates of the metrics they have no data for inside it (those data lie outside the window),
    and their posts and inbound messages inside it, where they have some (two more measurements, only when such
    a tactic exists). A tactic with posts but none of what a KPI counts (X analytics gives no follower counts)
    is then told from one with no data at all."""
    has = {key for key, obs in inside.items() if obs.n > 0}
    kpis = {o.id: [k.metric for k in o.kpis if k.metric in metrics] for o in plan.objectives}
    lacking = {t.id for t in plan.tactics
               if not any(k[0] == t.id for k in has)
               or any((t.id, m) not in has for o in t.serves for m in kpis.get(o, []))}
    if not lacking:
        return {}, {}
    present, _ = _index(_measure(ws, by="tactic", period="all", since=since, until=until,
                                 metrics=list(PRESENCE_METRICS)))
    presence = {key: obs for key, obs in present.items()
                if key[0] in lacking and obs.n > 0 and obs.value is not None and obs.value > 0}
    wanted = list(dict.fromkeys([*PRESENCE_METRICS, *metrics]))
    everything, _ = _index(_measure(ws, by="tactic", period="all", metrics=wanted))
    outside = {key: obs for key, obs in everything.items()
               if key[0] in lacking and key not in presence and key not in has and obs.n > 0
               and obs.value is not None}
    return outside, presence


def gather(ws: MeasuringWorkspace, plan: Plan, as_of: dt.date, *, seed: int = 0) -> DiagnoseInputs:
    """Measure what the plan's KPIs need, per objective (series and to date) and per tactic (to date)."""
    inputs = DiagnoseInputs(plan=plan, as_of=as_of, seed=seed)
    metrics = kpi_metrics(plan)
    since, until = kpi_window(plan, as_of)
    if (since is not None and since > until) or not plan.tactics:
        return inputs  # nothing to measure yet; without tactics nothing is attributed to an objective
    counts_members = any(m in MEMBER_COUNTS for m in metrics)
    mixed: list[tuple[str, str]] = []
    lists = member_lists(ws) if counts_members else {}  # looked up once
    began = list_began(ws, lists)
    partial = partial_lists(ws) if counts_members else {}
    if metrics:
        # A net audience growth is forecast from the size it is counted from (audience_growth_rate's denominator)
        # and the size's own forecast: both measured beside it.
        growth = "audience_growth" in metrics
        extra = [m for m in ("audience_growth_rate", "audience_size") if growth and m not in metrics]
        rows = _measure(ws, by="objective", period="all", since=since, until=until, metrics=[*metrics, *extra])
        measured, _ = _index(rows)
        inputs.objective_actual = {key: obs for key, obs in measured.items() if key[1] in metrics}
        inputs.audience_start = {
            key: size for (key, metric), obs in measured.items() if metric == "audience_growth"
            and (size := audience_start(obs, measured.get((key, "audience_growth_rate")))) is not None}
        sizes = ["audience_size"] if growth and "audience_size" not in metrics else []
        rows = _measure(ws, by="objective", period=inputs.period, since=since, until=until,
                        metrics=[*metrics, *sizes])
        _, series = _index(rows)
        inputs.objective_series = {key: obs for key, obs in series.items() if key[1] in metrics}
        inputs.objective_covered, inputs.objective_began = member_coverage(
            ws, lists, "objective", metrics, inputs.period, since, until, inputs.objective_series, began)
        if partial:
            inputs.objective_notes = leaver_notes(ws, partial, metrics)
        mixed = mixed_accounts(ws, lists, metrics, inputs.period, since, until)  # measured once for both
        inputs.objective_sources = kpi_sources(ws, lists, metrics, inputs.period, since, until,
                                               inputs.objective_series, accounts=mixed, began=began)
        if growth:
            inputs.audience_size_actual = {key: obs for (key, metric), obs in measured.items()
                                           if metric == "audience_size" and key in inputs.audience_start}
            inputs.audience_size_series = {key: obs for (key, metric), obs in series.items()
                                           if metric == "audience_size" and key in inputs.audience_start}
            # A growth its lists' exports cover has its start size in them too (0 for a list that began after the
            # horizon's start): the bound only, the forecast stays the growth's own (no size series is added).
            for key, size in listed_start(ws, lists, inputs.objective_covered, since).items():
                inputs.audience_start.setdefault(key, size)
    tactic_metrics = [*metrics, "spend"] if "spend" not in metrics else metrics
    rows = _measure(ws, by="tactic", period="all", since=since, until=until, metrics=tactic_metrics)
    inputs.tactic_actual, _ = _index(rows)
    # Per-period tactic values let the verdicts judge the noise (dispersion) of counts and ratios, and tell a
    # tactic whose data (reply times too) fell silent long before the as-of date.
    noisy = [m for m in metrics if (spec := catalog.get(m)) is not None
             and (spec.accumulates or spec.unit == "ratio" or m.startswith("first_response_minutes"))]
    if noisy:
        rows = _measure(ws, by="tactic", period=inputs.period, since=since, until=until, metrics=noisy)
        _, inputs.tactic_series = _index(rows)
        inputs.tactic_covered, inputs.tactic_began = member_coverage(
            ws, lists, "tactic", metrics, inputs.period, since, until, inputs.tactic_series, began)
        if mixed:
            inputs.tactic_sources = kpi_sources(ws, lists, metrics, inputs.period, since, until,
                                                inputs.tactic_series, by="tactic", accounts=mixed, began=began)
    inputs.tactic_spend = {
        key: obs.value for (key, metric), obs in inputs.tactic_actual.items()
        if metric == "spend" and obs.value is not None
    }
    inputs.tactic_outside, inputs.tactic_presence = _outside_window(ws, plan, inputs.tactic_actual,
                                                                    tactic_metrics, since, until)
    if any(m.startswith("first_response_minutes") for m in metrics) and ws.warehouse_path.exists():
        gaps = attributed_gaps(ws, plan, since, until)  # read once for both
        inputs.tactic_gaps, inputs.objective_gaps = gaps.tactics, gaps.objectives
    return inputs
