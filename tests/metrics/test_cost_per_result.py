"""cost_per_result: spend of Ads Manager rows / their results, never across unlike result indicators; data
quality lists each indicator's cost and the spend no tactic gets. Figures by hand and by a plain reference."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.metrics import measure
from strategyfirst.plan import loads
from strategyfirst.warehouse import derive
from strategyfirst.warehouse.engine import ibis_backend
from tests.metrics.helpers import warehouse

PLAN = """\
version: 1
strategy: {statement: Build a permission asset}
budget: {total: 10000, currency: UAH}
objectives: [{id: permission, statement: Grow the list, kpis: [{metric: cost_per_result, target: 10}]}]
tactics:
  - {id: summit, serves: [permission], match: {campaign: ["Summit contest"]}}
  - {id: drive, serves: [permission], match: {campaign: ["members drive"]}}
"""
LINK, LEAD = "actions:link_click", "actions:offsite_conversion.fb_pixel_lead"


def row(campaign: str | None, amount: float, results: float | None, indicator: str | None, *,
        level: str | None = "campaign", start: str = "2024-03-01", tactic: str | None = None) -> dict[str, Any]:
    return {"date": dt.date.fromisoformat(start), "platform": "meta" if level else "x", "tactic": tactic,
            "campaign": campaign, "amount": amount, "currency": "UAH", "import_id": 1,
            "account": "Acme Ads" if level else None, "level": level, "results": results,
            "result_indicator": indicator}


SPEND = [
    row("Summit contest", 1500.0, 120, LINK),
    row("Summit contest", 100.0, None, None, start="2024-04-01"),  # a month without results: 0, spend counts
    row("Members drive", 850.75, 35, LEAD),
    row("Old promo", 300.0, 10, LINK),                             # no tactic names it
    row(None, 50.0, 2, LINK, level="breakdown", start="2024-05-01"),  # campaign unknown
    row(None, 200.0, None, None, level=None, tactic="summit"),     # a spend CSV line: not a paid export
]


def reference(rows: list[dict[str, Any]]) -> float | None:
    """Plain Python: Σ amount / Σ results over Ads Manager rows, None when they mix indicators."""
    paid = [r for r in rows if r["level"] is not None]
    kinds = {r["result_indicator"] for r in paid if r["result_indicator"] is not None}
    results = sum(r["results"] or 0 for r in paid)
    if len(kinds) > 1 or not results:
        return None
    return sum(r["amount"] for r in paid) / results


@pytest.fixture
def backend(tmp_path: Path) -> Any:
    con = warehouse(tmp_path, [], spend=SPEND)
    derive.refresh(con, loads(PLAN, "strategy.yaml").plan)
    yield ibis_backend(con)
    con.close()


def test_cost_per_result_per_tactic_and_null_when_indicators_mix(backend: Any) -> None:
    plan = loads(PLAN, "strategy.yaml").plan
    overall = measure(backend, plan, metric_ids=["cost_per_result"])
    row_all = overall.row("cost_per_result")
    # Link clicks and leads are unlike results: no value, the spend kept as numerator.
    assert row_all is not None and row_all["value"] is None and row_all["numerator"] == pytest.approx(2800.75)
    assert reference(SPEND) is None
    by_tactic = measure(backend, plan, by="tactic", metric_ids=["cost_per_result"])
    # summit: (1500 + 100) / (120 + 0), the spend CSV's 200 left out; drive: 850.75 / 35 (matched case-blind).
    assert by_tactic.value("cost_per_result", "summit") == pytest.approx(1600 / 120)
    assert by_tactic.value("cost_per_result", "drive") == pytest.approx(850.75 / 35)
    summit = [r for r in SPEND if r["campaign"] == "Summit contest"]
    assert by_tactic.value("cost_per_result", "summit") == pytest.approx(reference(summit))
    by_account = measure(backend, plan, by="account", metric_ids=["spend"])
    assert by_account.value("spend", "acme ads") == pytest.approx(2800.75)  # Ads Manager rows name it
    only = measure(backend, plan, metric_ids=["spend"], accounts=["Acme Ads"])
    assert only.value("spend") == pytest.approx(2800.75)  # the spend CSV line names no account: left out
    assert measure(backend, plan, metric_ids=["spend"], accounts=["someone"]).value("spend") is None


def test_data_quality_lists_each_indicator_and_the_spend_no_tactic_gets(backend: Any) -> None:
    plan = loads(PLAN, "strategy.yaml").plan
    dq = measure(backend, plan, metric_ids=["cost_per_result"]).data_quality
    assert dq["cost_per_result_by_indicator"] == [
        {"result_indicator": LINK, "spend": 1850.0, "results": 132.0, "cost_per_result": 1850 / 132},
        {"result_indicator": LEAD, "spend": 850.75, "results": 35.0, "cost_per_result": 850.75 / 35},
        {"result_indicator": None, "spend": 100.0, "results": 0.0, "cost_per_result": None},
    ]
    assert dq["spend_unmatched"] == [
        {"campaign": "Old promo", "amount": 300.0, "currency": "UAH", "rows": 1},
        {"campaign": None, "amount": 50.0, "currency": "UAH", "rows": 1},
    ]
