"""Email campaign metrics: ratios of sums over campaigns, against a plain-Python reference and by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from strategyfirst.metrics import measure
from strategyfirst.plan import loads
from strategyfirst.warehouse import derive
from strategyfirst.warehouse.engine import ibis_backend
from tests.metrics.helpers import msg, warehouse

EMAIL = ["email_open_rate", "email_click_rate", "email_unsubscribe_rate"]
PLAN = """\
version: 1
accounts: {email: ["Members letter"], x: ["@acme"]}
strategy: {statement: Build a permission asset}
objectives: [{id: permission, statement: Grow the list, kpis: [{metric: email_open_rate, target: 0.5}]}]
tactics:
  - {id: letter, serves: [permission], match: {accounts: ["Members letter"]}}
  - {id: summit, serves: [permission], match: {campaign: ["Summit invite"]}}
"""


def campaigns() -> list[dict[str, Any]]:
    return [
        msg("c1", "Members letter", True, "2026-01-10 09:00", platform="email", kind="email",
            campaign="October letter", deliveries=1200, opens=480, clicks=1020, unsubscribes=12),
        msg("c2", "Members letter", True, "2026-01-20 09:00", platform="email", kind="email",
            campaign="Summit invite", deliveries=800, opens=200, clicks=40, unsubscribes=4),
        # A campaign whose report gave no deliveries is left out of every ratio (no denominator).
        msg("c3", "Members letter", True, "2026-02-03 09:00", platform="email", kind="email",
            campaign="Draft", opens=50, clicks=5),
        # A post with clicks but no deliveries: not an email, not in the email ratios.
        msg("p1", "@acme", True, "2026-01-11 10:00", impressions=1000, clicks=30),
    ]


def reference(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """Σ figure / Σ deliveries over owned messages giving both, in plain Python."""
    out: dict[str, float | None] = {}
    for metric, top in zip(EMAIL, ("opens", "clicks", "unsubscribes"), strict=True):
        both = [r for r in rows if r["owned"] and r[top] is not None and r["deliveries"] is not None]
        den = sum(r["deliveries"] for r in both)
        out[metric] = sum(r[top] for r in both) / den if den else None
    return out


@pytest.fixture
def backend(tmp_path: Path) -> Any:
    con = warehouse(tmp_path, campaigns())
    derive.refresh(con, loads(PLAN, "strategy.yaml").plan)
    yield ibis_backend(con)
    con.close()


def test_email_rates_are_ratios_of_sums(backend: Any) -> None:
    plan = loads(PLAN, "strategy.yaml").plan
    result = measure(backend, plan, metric_ids=EMAIL)
    # By hand: (480 + 200) / (1200 + 800), (1020 + 40) / 2000, (12 + 4) / 2000; the report's own rates would
    # average to (40% + 25%) / 2 = 32.5%, not the 34% of the sums.
    assert result.value("email_open_rate") == pytest.approx(680 / 2000)
    assert result.value("email_click_rate") == pytest.approx(1060 / 2000)
    assert result.value("email_unsubscribe_rate") == pytest.approx(16 / 2000)
    ref = reference(campaigns())
    for metric in EMAIL:
        assert result.value(metric) == pytest.approx(ref[metric]), metric
    row = result.row("email_open_rate")
    assert row is not None and (row["numerator"], row["denominator"]) == (680, 2000)


def test_email_rates_by_tactic_and_month(backend: Any) -> None:
    plan = loads(PLAN, "strategy.yaml").plan
    by_tactic = measure(backend, plan, by="tactic", metric_ids=["email_open_rate"])
    assert by_tactic.value("email_open_rate", "letter") == pytest.approx(680 / 2000)
    assert by_tactic.value("email_open_rate", "summit") == pytest.approx(200 / 800)  # matched by campaign
    by_platform = measure(backend, plan, by="platform", metric_ids=["email_click_rate"])
    assert by_platform.value("email_click_rate", "x") is None  # posts carry no deliveries


def test_without_campaigns_the_rates_are_null_not_zero(tmp_path: Path) -> None:
    con = warehouse(tmp_path, campaigns()[3:])
    try:
        result = measure(ibis_backend(con), None, metric_ids=EMAIL)
        for metric in EMAIL:
            row = result.row(metric)
            assert row is not None and row["value"] is None and row["n"] == 0, metric
    finally:
        con.close()
