"""Hand-built diagnose inputs: a plan with one dialogue objective served by several desks."""

from __future__ import annotations

import datetime as dt

from strategyfirst.diagnose.inputs import DiagnoseInputs, Observation
from strategyfirst.plan import Plan, loads

AS_OF = dt.date(2026, 6, 30)
MONTHS = [dt.date(2026, m, 1) for m in range(1, 7)]


def dialogue_plan(tactics: dict[str, float | None], target: float = 0.9) -> Plan:
    """One objective 'dialogue' (response_rate ≥ target) served by the named tactics with these budgets."""
    lines = [
        "version: 1", "organisation: Test", "owner: Ann", "horizon: {start: 2026-01-01, end: 2026-12-31}",
        "budget: {total: 100000, currency: EUR}", "review: {cadence: monthly}", "accounts: {x: ['@a']}",
        "strategy: {statement: Answer customers}", "objectives:", "  - id: dialogue",
        f"    kpis: [{{metric: response_rate, target: {target}}}]", "tactics:",
    ]
    for name, budget in tactics.items():
        lines.append(f"  - {{id: {name}, serves: [dialogue], owner: Ann, match: {{accounts: ['@a']}}"
                     + (f", budget: {budget}}}" if budget is not None else "}"))
    return loads("\n".join(lines) + "\n").plan


def dialogue_inputs(rates: dict[str, tuple[int, int]], *, objective: tuple[int, int] | None = None,
                    spend: dict[str, float] | None = None, budgets: dict[str, float | None] | None = None,
                    target: float = 0.9) -> DiagnoseInputs:
    """Inputs where each tactic answered k of n inbound messages, spread evenly over six months."""
    plan = dialogue_plan(budgets or dict.fromkeys(rates, 1000.0), target)
    inputs = DiagnoseInputs(plan=plan, as_of=AS_OF, tactic_spend=dict(spend or {}))
    total_k = total_n = 0
    for tactic, (k, n) in rates.items():
        inputs.tactic_actual[(tactic, "response_rate")] = Observation(k / n if n else None, n, k, n)
        inputs.tactic_series[(tactic, "response_rate")] = [
            Observation(k / n if n else None, n // 6, k / 6, n / 6, period=m) for m in MONTHS]
        total_k, total_n = total_k + k, total_n + n
    k, n = objective or (total_k, total_n)
    inputs.objective_actual[("dialogue", "response_rate")] = Observation(k / n if n else None, n, k, n)
    inputs.objective_series[("dialogue", "response_rate")] = [
        Observation(k / n if n else None, n // 6, k / 6, n / 6, period=m) for m in MONTHS]
    return inputs


class FakeMeasure:
    """Stands in for `Workspace.measure` (the metrics contract): returns the rows given for (by, period)."""

    def __init__(self, rows: dict[tuple[str, str], list[dict[str, object]]]) -> None:
        self.rows = rows
        self.calls: list[dict[str, object]] = []

    def __call__(self, ws: object = None, **kwargs: object) -> object:
        self.calls.append(kwargs)
        wanted = set(kwargs.get("metrics") or [])  # type: ignore[call-overload]
        rows = [r for r in self.rows.get((str(kwargs["by"]), str(kwargs["period"])), [])
                if not wanted or r["metric"] in wanted]
        return type("MeasureResult", (), {"rows": rows})()


def row(metric: str, by: str, key: str, period: str, value: float | None, n: int,
        numerator: float | None = None, denominator: float | None = None) -> dict[str, object]:
    return {"metric": metric, "by": by, "key": key, "period": period, "value": value, "n": n, "unit": "",
            "version": 1, "numerator": numerator, "denominator": denominator}
