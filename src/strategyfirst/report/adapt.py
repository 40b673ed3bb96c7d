"""Turn the stable JSON shapes of lint, diagnose and measure (cli.md) and the plan model into report parts.

Working from the JSON contracts rather than the producers' classes keeps the report independent of how
those layers are built, and tolerant of fields they add later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from strategyfirst import catalog
from strategyfirst.formatting import metric_label, number, status_label
from strategyfirst.plan import Plan
from strategyfirst.report.model import (
    BudgetMove,
    CapacityView,
    DecisionView,
    Finding,
    ForecastPoint,
    KeyedValue,
    KpiView,
    LintView,
    ObjectiveView,
    PlanView,
    SeriesPoint,
    TacticView,
    Verdict,
)


def as_date(value: Any) -> dt.date | None:
    """The date a value stands for: a date, an ISO date(time) string, or a bucket ("2026-03", "2026-W09")
    as its first day; None for "all", empty or unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value and value != "all":
        text = value.strip()
        try:
            if len(text) == 7 and text[4] == "-":                  # a month bucket: 2026-03
                return dt.date(int(text[:4]), int(text[5:7]), 1)
            if len(text) >= 8 and text[5] == "W":                  # an ISO week bucket: 2026-W09
                return dt.date.fromisocalendar(int(text[:4]), int(text[6:8]), 1)
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None
    return None


def as_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN means "no value"


def plan_view(plan: Plan) -> PlanView:
    currency = plan.budget.currency if plan.budget else None

    def kpi_text(metric: str, target: float | None, by: dt.date | None) -> str:
        spec = catalog.get(metric)
        shown = number(target, spec.unit if spec else None, currency=currency)
        goal = "no target" if target is None else f"target {shown}"
        return f"{metric_label(metric)}: {goal}" + (f" by {by.isoformat()}" if by else "")

    return PlanView(
        organisation=plan.organisation or "",
        owner=plan.owner or "",
        horizon_start=plan.horizon.start if plan.horizon else None,
        horizon_end=plan.horizon.end if plan.horizon else None,
        budget_total=plan.budget.total if plan.budget else None,
        currency=plan.budget.currency if plan.budget else "",
        cadence=(plan.review.cadence or "") if plan.review else "",
        strategy=(plan.strategy.statement or "") if plan.strategy else "",
        audiences=list(plan.strategy.audiences) if plan.strategy else [],
        objectives=[ObjectiveView(o.id, o.statement or "",
                                  [kpi_text(k.metric, k.target, k.by) for k in o.kpis])
                    for o in plan.objectives],
        tactics=[TacticView(t.id, t.channel or "", list(t.serves), t.owner or "", t.budget,
                            (t.experiment.question or "(no question)") if t.experiment else "")
                 for t in plan.tactics],
    )


def lint_view(report: Mapping[str, Any]) -> LintView:
    findings = [Finding(str(f.get("rule", "")), str(f.get("severity", "")), str(f.get("path", "")),
                        str(f.get("message", "")), str(f.get("hint", "") or ""))
                for f in report.get("findings", [])]
    return LintView(int(report.get("errors", 0)), int(report.get("warnings", 0)), findings)


def _series(raw: Any) -> list[SeriesPoint]:
    points = []
    for item in raw or []:
        period = as_date(item.get("period"))
        if period is not None:
            points.append(SeriesPoint(period, as_float(item.get("value", item.get("actual")))))
    return sorted(points, key=lambda p: p.period)


def _forecast(raw: Any) -> list[ForecastPoint]:
    if not isinstance(raw, list):
        return []
    points = []
    for item in raw:
        period = as_date(item.get("period"))
        if period is not None:
            points.append(ForecastPoint(period, as_float(item.get("value", item.get("forecast"))),
                                        as_float(item.get("low")), as_float(item.get("high"))))
    return sorted(points, key=lambda p: p.period)


def _interval(kpi: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """The forecast interval at the deadline, wherever diagnose puts it."""
    for key in ("forecast_interval", "interval"):
        pair = kpi.get(key)
        if isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2:
            return as_float(pair[0]), as_float(pair[1])
        if isinstance(pair, Mapping):
            return as_float(pair.get("low")), as_float(pair.get("high"))
    forecast = kpi.get("forecast")
    if isinstance(forecast, Mapping):
        return as_float(forecast.get("low")), as_float(forecast.get("high"))
    return as_float(kpi.get("forecast_low")), as_float(kpi.get("forecast_high"))


def kpi_views(diagnosis: Mapping[str, Any]) -> list[KpiView]:
    views = []
    for k in diagnosis.get("kpis", []):
        metric = str(k.get("metric", ""))
        spec = catalog.get(metric)
        low, high = _interval(k)
        version = k.get("version")
        views.append(KpiView(
            objective=str(k.get("objective", "")), metric=metric,
            unit=str(k.get("unit") or (spec.unit if spec else "")), status=str(k.get("status", "no_data")),
            actual=as_float(k.get("actual")), target=as_float(k.get("target")),
            expected_now=as_float(k.get("expected_now")),
            forecast_at_deadline=as_float(k.get("forecast_at_deadline")),
            forecast_low=low, forecast_high=high,
            baseline=as_float(k.get("baseline")), deadline=as_date(k.get("by", k.get("deadline"))),
            version=int(version) if isinstance(version, int) else None, reason=str(k.get("reason") or ""),
            paced=bool(k.get("paced")),
            series=_series(k.get("series")), forecast=_forecast(k.get("forecast")),
        ))
    return views


def verdicts(diagnosis: Mapping[str, Any]) -> list[Verdict]:
    return [Verdict(str(v.get("kind", "")), str(v.get("objective") or ""),
                    str(v.get("tactic") or ", ".join(v.get("tactics") or [])),
                    str(v.get("evidence") or ""), as_float(v.get("probability")))
            for v in diagnosis.get("verdicts", [])]


def budget_moves(diagnosis: Mapping[str, Any]) -> list[BudgetMove]:
    return [BudgetMove(str(b.get("from", "")), str(b.get("to", "")), as_float(b.get("amount")) or 0.0,
                       str(b.get("why") or ""), str(b.get("objective") or ""))
            for b in diagnosis.get("budget", [])]


def footnotes(diagnosis: Mapping[str, Any], statuses: Iterable[str]) -> list[str]:
    """Diagnose's footnotes other than the status rules (those are listed on their own); a rule's footnote
    starts with its status in words ("on track: ...") or, from older diagnoses, its id ("on_track: ...")."""
    prefixes = tuple(f"{name}:" for s in statuses for name in {s, status_label(s)})
    return [str(n) for n in diagnosis.get("footnotes", []) or [] if not str(n).startswith(prefixes)]


def account_names(rows: Iterable[Mapping[str, Any]]) -> Callable[[Mapping[str, Any]], str]:
    """How to name a row's `key` among `rows` (by account: each with its `platform`): a name that is an account on
    two platforms (a Facebook page and a LinkedIn page both "Acme") with its platform, "Acme on facebook", so that
    the two are two lines of a chart and two rows of a table, never one; any other as it is."""
    platforms: dict[str, set[str]] = {}
    for r in rows:
        if r.get("platform"):
            platforms.setdefault(str(r.get("key")), set()).add(str(r["platform"]))

    def name(r: Mapping[str, Any]) -> str:
        key = str(r.get("key") or "all")
        return f"{key} on {r['platform']}" if len(platforms.get(key, ())) > 1 else key

    return name


def keyed_values(rows: Iterable[Mapping[str, Any]], metric: str) -> list[KeyedValue]:
    """The rows of one metric (from `measure`), skipping periods with no value; named by `account_names`."""
    picked = [r for r in rows if r.get("metric") == metric]
    name = account_names(picked)
    out = [KeyedValue(name(r), as_date(r.get("period")), as_float(r.get("value")), int(r.get("n") or 0))
           for r in picked]
    return [v for v in out if v.value is not None]


def _field(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def decision_view(decision: Any) -> DecisionView:
    """A decision from the app database (an ORM row or a dict)."""
    at = _field(decision, "created_at", "at")
    version = _field(decision, "plan_version")
    if version is not None and not isinstance(version, str | int):
        number, digest = _field(version, "number"), _field(version, "sha256")
        version = f"v{number}" + (f" ({str(digest)[:8]})" if digest else "") if number else digest
    return DecisionView(
        at=at.strftime("%Y-%m-%d %H:%M") if isinstance(at, dt.datetime) else str(at or ""),
        text=str(_field(decision, "text") or ""), objective=str(_field(decision, "objective") or ""),
        tactic=str(_field(decision, "tactic") or ""), plan_version=str(version or ""),
        author=str(_field(decision, "author") or ""),
    )


def _grid(heatmap: Any) -> list[list[float]] | None:
    """A 7×24 grid from `CapacityPlan.heatmap()` rows ({'shortfall': [24], ...}) or a plain matrix."""
    rows = [r.get("shortfall") if isinstance(r, Mapping) else r for r in heatmap]
    grid = [[as_float(v) or 0.0 for v in row] for row in rows if row is not None]
    return grid if len(grid) == 7 and all(len(r) == 24 for r in grid) else None


def capacity_view(plan: Any) -> CapacityView | None:
    """The report's view of a `strategyfirst.capacity.CapacityPlan`."""
    grid = _grid(plan.heatmap())
    if grid is None:
        return None
    level = getattr(plan, "expected_service_level", None)
    window = getattr(plan, "window", None)  # which days the volume comes from, and why (issue 13.5)
    stated = [str(window.statement)] if window is not None else []
    return CapacityView(shortfall=grid, timezone=str(getattr(plan, "timezone", "UTC") or "UTC"),
                        gaps=[str(g) for g in getattr(plan, "gaps", []) or []],
                        assumptions=[*stated, *(str(a) for a in getattr(plan, "assumptions", ()) or ())],
                        expected_service_level=as_float(level))
