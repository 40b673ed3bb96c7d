"""Gather `ReportData` from a workspace: one call per layer, each allowed to be absent.

A layer that is missing (not installed yet, no plan, no data) leaves its section empty with a note saying what
to do; an unexpected failure of one layer is logged and noted in its section, never fatal to the report.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from strategyfirst import catalog
from strategyfirst.dates import end_of, horizon_note
from strategyfirst.errors import PlanError, StrategyFirstError, WorkspaceError
from strategyfirst.report import adapt
from strategyfirst.report.model import AudienceGrowth, Bucket, CapacityView, KeyedValue, MetricVersion, ReportData
from strategyfirst.sqltext import timestamp_literal

if TYPE_CHECKING:
    from strategyfirst.ports import MeasuringWorkspace

log = logging.getLogger(__name__)
T = TypeVar("T")

DIALOGUE_METRICS = ("response_rate", "sentiment_lift")
AUDIENCE_METRICS = ("audience_size",)
# Upper bounds (minutes) of the response-time bars; gaps above the last go in the final bar.
RESPONSE_BUCKETS: tuple[tuple[float, str], ...] = (
    (15, "< 15 min"), (60, "15–60 min"), (240, "1–4 h"), (1440, "4–24 h"), (4320, "1–3 days"),
)
NO_CONVERSATIONS = ("no data yet: ingest conversation exports (twcs, mastodon-outbox or canonical-csv) "
                    "that include the owned accounts' replies")
NO_AUDIENCE = ("no data yet: ingest audience snapshots (facebook-insights-page, x-analytics-daily, "
               "sprout-profiles or audience-csv) or email list member exports (mailchimp-members, "
               "newsletter-subscribers) to follow the permission asset")
NO_DATA = "no data yet: ingest the platforms' exports with `strategyfirst ingest FILE...`"
NO_PLAN = "no plan yet: write strategy.yaml (`strategyfirst init`) and check it with `strategyfirst lint`"
NO_PLAN_KPIS = ("no plan yet: KPIs, verdicts and budget proposals come from the plan's objectives and "
                "tactics (write strategy.yaml with `strategyfirst init`)")
NO_PLAN_CAPACITY = ("no plan yet: capacity compares the inbound load with the team declared under "
                    "`readiness` in strategy.yaml (`strategyfirst init`, then `strategyfirst readiness`)")


def _attempt(data: ReportData, sections: tuple[str, ...], what: str, call: Callable[[], T]) -> T | None:
    """Run one layer's call; on failure note why in each of `sections` instead of failing the report."""
    try:
        return call()
    except (ImportError, NotImplementedError):
        log.info("report: cannot %s", what, exc_info=True)
        reason = f"not available yet: this installation cannot {what}"
    except WorkspaceError:  # a damaged, read-only or locked warehouse fails the report, never degrades it
        raise
    except StrategyFirstError as exc:
        reason = f"not available: {str(exc).splitlines()[0]}"
    except Exception as exc:  # one broken layer must not take the whole report down
        log.warning("report: could not %s", what, exc_info=True)
        reason = f"not available: could not {what} ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})"
    for section in sections:
        data.missing.setdefault(section, reason)
    return None


def gather_report_data(ws: MeasuringWorkspace, as_of: dt.date | None = None) -> ReportData:
    """Everything the report shows about `ws`, as of `as_of` (default: the latest data)."""
    if not ws.root.is_dir():
        raise WorkspaceError(f"{ws.root}: no such workspace folder (create one with `strategyfirst init`)")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    data = ReportData(workspace=ws.slug, generated_at=now, as_of=as_of)
    _gather_status_rules(data)
    plan = _gather_plan(ws, data)
    has_data = ws.warehouse_path.is_file()
    if plan is not None:
        _gather_diagnosis(ws, data, as_of)
    else:
        for section in ("kpis", "verdicts", "budget"):
            data.missing[section] = NO_PLAN_KPIS
    if as_of is None and plan is not None and has_data:
        # Diagnose's default as-of (the latest data inside the plan's horizon, as on the web), for every
        # section: data outside the horizon moves none of them. The diagnosis names it (no numpy import).
        if data.as_of is None:
            from strategyfirst.diagnose.inputs import latest_data_date

            data.as_of = latest_data_date(ws, plan)
        as_of = data.as_of
    if plan is not None and plan.horizon is not None:
        data.as_of_note = horizon_note(data.as_of, plan.horizon.start, plan.horizon.end)
    if has_data:
        _gather_measures(ws, data, as_of, [k.metric for k in data.kpis])
        data.response_times = _attempt(data, ("response_times",), "read reply times",
                                       lambda: response_buckets(ws, as_of)) or []
        report = _attempt(data, ("funnel",), "follow the permission funnel", lambda: ws.funnel(until=as_of))
        data.funnel = report.to_dict() if report is not None and report.period is not None else None
    if data.funnel is None:
        data.missing.setdefault("funnel", "no funnel data yet: import post exports, follower or email list "
                                          "exports and a GA4 traffic acquisition export")
    for section, note in (("response_times", NO_CONVERSATIONS), ("response_rate", NO_CONVERSATIONS),
                          ("sentiment_lift", NO_CONVERSATIONS), ("audience", NO_AUDIENCE),
                          ("data_quality", NO_DATA), ("metric_versions", NO_DATA)):
        if not getattr(data, section):
            data.missing.setdefault(section, note)
    _gather_decisions(ws, data)
    _gather_capacity(ws, data)
    return data


def _gather_plan(ws: MeasuringWorkspace, data: ReportData) -> Any:
    if not ws.has_plan():
        data.missing["plan"] = data.missing["lint"] = NO_PLAN
        return None
    try:
        doc = ws.plan_document()
    except PlanError as exc:
        data.plan_problems = [str(p) for p in exc.problems]
        data.missing["plan"] = data.missing["lint"] = \
            "the plan cannot be read: fix these problems, then run `strategyfirst lint`"
        return None
    data.plan = adapt.plan_view(doc.plan)
    report = _attempt(data, ("lint",), "lint the plan", lambda: ws.lint(as_of=data.as_of))
    if report is not None:
        data.lint = adapt.lint_view(report.to_json(ws.plan_path.name))
    return doc.plan


def _gather_diagnosis(ws: MeasuringWorkspace, data: ReportData, as_of: dt.date | None) -> None:
    diagnose: Any = getattr(ws, "diagnosis_json", None) or getattr(ws, "diagnose", None)  # the first: cached
    if diagnose is None:
        for section in ("kpis", "verdicts", "budget"):
            data.missing[section] = "not available yet: this installation cannot diagnose"
        return
    diagnosis = _attempt(data, ("kpis", "verdicts", "budget"), "diagnose", lambda: diagnose(as_of=as_of))
    if diagnosis is None:
        return
    raw = diagnosis.to_json() if hasattr(diagnosis, "to_json") else diagnosis
    doc: Mapping[str, Any] = json.loads(raw) if isinstance(raw, str) else raw
    if data.as_of is None:
        data.as_of = adapt.as_date(doc.get("as_of"))
    data.kpis, data.verdicts, data.budget = adapt.kpi_views(doc), adapt.verdicts(doc), adapt.budget_moves(doc)
    data.footnotes = adapt.footnotes(doc, [s for s, _ in data.status_rules])
    if not data.kpis:
        data.missing["kpis"] = "the plan's objectives state no KPIs yet: add `kpis` with targets"
    if not data.verdicts:
        data.missing["verdicts"] = "no verdicts yet: they need data attributed to the plan's tactics"
    if not data.budget:
        data.missing["budget"] = "no budget shift proposed: no objective has unspent budget on a tactic " \
                                 "that does worse per result than another"


def _measure(ws: MeasuringWorkspace, as_of: dt.date | None, **kwargs: Any) -> Any:
    measure: Any = getattr(ws, "measure", None)
    if measure is None:
        raise NotImplementedError("Workspace.measure")
    if as_of is not None and "until" in inspect.signature(measure).parameters:
        kwargs["until"] = as_of
    return measure(**kwargs)


def _gather_measures(ws: MeasuringWorkspace, data: ReportData, as_of: dt.date | None, kpi_metrics: list[str]) -> None:
    sections = ("response_rate", "sentiment_lift", "audience", "data_quality", "metric_versions")
    monthly = _attempt(data, sections, "measure", lambda: _measure(
        ws, as_of, by="account", period="month", metrics=[*DIALOGUE_METRICS, *AUDIENCE_METRICS]))
    if monthly is None:
        return
    data.response_rate = adapt.keyed_values(monthly.rows, "response_rate")
    data.sentiment_lift = adapt.keyed_values(monthly.rows, "sentiment_lift")
    data.audience = in_horizon(data, adapt.keyed_values(monthly.rows, "audience_size"))
    used = list(dict.fromkeys([*kpi_metrics, *DIALOGUE_METRICS, *AUDIENCE_METRICS]))
    overall = _attempt(data, ("data_quality", "metric_versions"), "measure the totals",
                       lambda: _measure(ws, as_of, by="none", period="all", metrics=used)) or monthly
    data.data_quality = dict(getattr(overall, "data_quality", None) or {})
    if data.audience:
        data.audience_growth = _attempt(data, ("audience",), "measure audience growth",
                                        lambda: audience_growth(ws, data, as_of)) or []
    if not data.audience_growth and data.plan is not None:
        note = _attempt(data, ("audience",), "measure audience growth", lambda: outside_note(ws, data, as_of))
        if note:
            data.audience = []  # a chart without its table would show what the table says is not there
            data.missing.setdefault("audience", note)
    versions: dict[str, int | None] = {}
    for row in [*overall.rows, *monthly.rows]:
        versions.setdefault(str(row.get("metric")), row.get("version"))
    data.metric_versions = [
        MetricVersion(m, versions.get(m), spec.version if (spec := catalog.get(m)) else None) for m in used]


def in_horizon(data: ReportData, values: list[KeyedValue]) -> list[KeyedValue]:
    """The monthly values of the months from the plan's horizon start on (all without a plan): the window of
    the permission-asset table and of the KPIs (the end is the as-of date the values were measured to)."""
    start = data.plan.horizon_start if data.plan is not None else None
    if start is None:
        return values
    first = start.replace(day=1)
    return [v for v in values if v.period is None or v.period >= first]


def outside_note(ws: MeasuringWorkspace, data: ReportData, as_of: dt.date | None) -> str | None:
    """Why the permission-asset section is empty when the plan's accounts have audience data, all of it outside
    the plan's horizon up to as-of (None when they have none: the section then asks for imports)."""
    kept: Any = getattr(ws, "audience_growth", None)
    if kept is None or data.plan is None:
        return None
    rows = [r for r in kept(None, None) if r["first_day"] is not None and r["last_day"] is not None]
    if not rows:
        return None
    start, end = data.plan.horizon_start, as_of or data.plan.horizon_end
    window = f"{start.isoformat() if start else '…'} to {end.isoformat() if end else '…'}"
    first, last = min(r["first_day"] for r in rows), max(r["last_day"] for r in rows)
    accounts = ", ".join(sorted({str(r["key"]) for r in rows}, key=str.lower))
    return (f"no audience data inside the plan's horizon up to as-of ({window}): the audience data of "
            f"{accounts} runs from {first.isoformat()} to {last.isoformat()}; ingest exports that cover the "
            f"horizon, or see all of it with `strategyfirst measure --by account --metric audience_growth`")


def audience_growth(ws: MeasuringWorkspace, data: ReportData, as_of: dt.date | None) -> list[AudienceGrowth]:
    """Each account's audience growth over the plan's horizon up to as-of (all data without a plan), by the
    code `measure` and the KPIs use, each saying whether it spans a gap between exports."""
    from strategyfirst.plan import normalise_handle

    since = data.plan.horizon_start if data.plan is not None else None
    kept: Any = getattr(ws, "audience_growth", None)  # a workspace keeps its SQL (no Ibis on a hit)
    if kept is not None and data.plan is not None:
        rows = kept(since, as_of)
    else:
        from strategyfirst.metrics.measure import audience_growth_by_account

        doc = ws.plan_or_none() if data.plan is not None else None
        rows = audience_growth_by_account({"audience": ws.table("audience")}, doc.plan if doc else None,
                                          since, as_of)
    gaps = data.data_quality.get("audience_gaps") or []
    named = adapt.account_names(rows)  # one name that is an account on two platforms, with its platform
    out = []
    for r in rows:
        inside = [g for g in gaps if normalise_handle(str(g["account"]), str(g["platform"])) == r["account"]
                  and r.get("platform") in (None, g["platform"])
                  and r["first_day"] is not None and r["last_day"] is not None
                  and r["first_day"].isoformat() <= g["last_before"] and g["first_after"] <= r["last_day"].isoformat()]
        note = "; ".join(
            f"spans a gap in the data: nothing between {g['last_before']} and {g['first_after']} "
            f"({g['days']} days)" + (", so the daily changes of the gap are not in this growth"
                                     if g.get("growth_misses_the_gap") else "") for g in inside)
        out.append(AudienceGrowth(named(r), r["first_day"], adapt.as_float(r["first"]), r["last_day"],
                                  adapt.as_float(r["last"]), adapt.as_float(r["growth"]), note))
    return out


def standing_sql(end: str, table: str = "") -> str:
    """SQL: the `inbound` pair (of `table`, an alias and its '.') was one before `end` (SQL for a timestamp): its
    message addressed the account, or the account's reply that alone makes it inbound (rule (b)) came before
    `end` (metrics.asof.standing; a pair of a warehouse not rebuilt since v7 counts as addressed)."""
    return f"({table}addressed IS NOT FALSE OR {table}first_reply_at < {end})"


def bucket_case(gap: str) -> str:
    """SQL naming the response-time bucket of the first-reply gap `gap` ('unanswered' when NULL)."""
    cases = " ".join(f"WHEN {gap} < {upper} THEN '{name}'" for upper, name in RESPONSE_BUCKETS)
    return f"CASE WHEN {gap} IS NULL THEN 'unanswered' {cases} ELSE '> 3 days' END"


def response_buckets(ws: MeasuringWorkspace, as_of: dt.date | None) -> list[Bucket]:
    """Inbound messages by time to first reply (negative gaps are data errors, left out), then unanswered.
    One SQL read (no Ibis)."""
    where, minutes = "(first_reply_minutes IS NULL OR first_reply_minutes >= 0)", "first_reply_minutes"
    if as_of is not None:  # a reply after the as-of day was not there yet (metrics.asof)
        end = timestamp_literal(end_of(as_of))
        # a message inbound only by a later reply (rule (b)) was not inbound then
        where += f" AND created_at < {end} AND {standing_sql(end)}"
        minutes = f"CASE WHEN first_reply_at < {end} THEN first_reply_minutes END"
    rows = ws.query(f"SELECT {bucket_case(minutes)} AS bucket, count(*) AS n FROM inbound "
                    f"WHERE {where} GROUP BY bucket")
    found = {row["bucket"]: int(row["n"]) for row in rows}
    if not found:
        return []
    order = [name for _, name in RESPONSE_BUCKETS] + ["> 3 days", "unanswered"]
    return [Bucket(name, found.get(name, 0)) for name in order]


def _gather_decisions(ws: MeasuringWorkspace, data: ReportData) -> None:
    def load() -> list[Any]:
        from strategyfirst.appdb.lite import open_lite

        lite = open_lite(ws) if hasattr(ws, "db_url") else None  # the workspace's own SQLite: no SQLAlchemy
        if lite is not None:
            with lite:
                return list(lite.decisions(lite.slug))
        from strategyfirst.appdb import open_appdb

        db = open_appdb(ws)
        return list(db.decisions(getattr(db, "slug", ws.slug)))

    rows = _attempt(data, ("decisions",), "read the decision log", load)
    data.decisions = [adapt.decision_view(r) for r in rows or []]
    if rows is not None and not rows:
        data.missing["decisions"] = 'no decisions recorded yet: `strategyfirst decide "TEXT"` records one ' \
                                    "with the current verdicts as its evidence"


def _gather_capacity(ws: MeasuringWorkspace, data: ReportData) -> None:
    if data.plan is None:
        data.missing["capacity"] = NO_PLAN_CAPACITY
        return

    def load() -> CapacityView | None:
        from strategyfirst.capacity import plan_capacity

        return adapt.capacity_view(plan_capacity(ws))

    data.capacity = _attempt(data, ("capacity",), "plan capacity", load)
    if data.capacity is None:
        data.missing.setdefault("capacity", "not available: declare the team under `readiness` in "
                                            "strategy.yaml and ingest conversations to see the shortfall")


def _gather_status_rules(data: ReportData) -> None:
    """Prefer the rules the diagnose layer publishes, so the footnotes can never drift from the code."""
    try:
        from strategyfirst import diagnose
    except ImportError:
        return
    rules = getattr(diagnose, "STATUS_RULES", None)
    if isinstance(rules, Mapping):
        data.status_rules = [(str(k), str(v)) for k, v in rules.items()]
    elif rules:
        data.status_rules = [(str(k), str(v)) for k, v in rules]
