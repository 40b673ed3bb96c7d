"""Site outcome metrics (site_traffic, GA4): which rows count overall and per tactic, periods by date_to, cost
per social conversion. Values by hand in the comments, and against a plain-Python reference."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.metrics import measure
from strategyfirst.plan import loads
from strategyfirst.warehouse import derive
from strategyfirst.warehouse.engine import ibis_backend
from tests.metrics.helpers import insert, warehouse

SITE = ["social_sessions", "social_conversions", "social_conversion_rate", "email_sessions"]
PLAN = """\
version: 1
accounts: {email: ["Members letter"], facebook: ["Acme"]}
strategy: {statement: Build a permission asset}
objectives: [{id: permission, statement: Grow the list, kpis: [{metric: social_conversions, target: 100}]}]
tactics:
  - {id: letter, serves: [permission], match: {accounts: ["Members letter"], platform: [email]}}
  - {id: fb, serves: [permission], match: {accounts: ["Acme"], platform: [facebook]}}
  - {id: spring, serves: [permission], match: {campaign: ["Spring-Launch"]}}
"""
JAN1, JAN31, FEB1, FEB28 = (dt.date(2026, 1, 1), dt.date(2026, 1, 31), dt.date(2026, 2, 1),
                            dt.date(2026, 2, 28))


def row(date_from: dt.date, date_to: dt.date, dimension: str, value: str, sessions: float,
        conversions: float | None) -> dict[str, Any]:
    return {"date_from": date_from, "date_to": date_to, "property": "Acme Web", "dimension": dimension,
            "value": value, "sessions": sessions, "engaged_sessions": None, "users": None, "new_users": None,
            "conversions": conversions, "revenue": None, "import_id": 1}


CG, SM, CA = "session default channel group", "session source / medium", "session campaign"
ROWS = [
    # January: channel groups AND source / medium of the same range -> only channel groups count overall.
    row(JAN1, JAN31, CG, "Organic Social", 1000, 20),
    row(JAN1, JAN31, CG, "Paid Social", 200, 10),
    row(JAN1, JAN31, CG, "Email", 300, 9),
    row(JAN1, JAN31, CG, "Direct", 5000, 50),
    row(JAN1, JAN31, SM, "facebook / social", 700, 14),
    row(JAN1, JAN31, SM, "m.facebook.com / referral", 100, 1),
    row(JAN1, JAN31, SM, "newsletter / email", 280, 8),
    row(JAN1, JAN31, SM, "google / organic", 900, 7),
    row(JAN1, JAN31, CA, "spring-launch", 150, 6),
    # February: only source / medium, one range -> those rows count overall.
    row(FEB1, FEB28, SM, "instagram / social", 400, 4),
    row(FEB1, FEB28, SM, "l.facebook.com / referral", 50, 1),
    row(FEB1, FEB28, SM, "mailchimp / email", 120, 3),
    row(FEB1, FEB28, SM, "bing / organic", 60, 0),
]


def reference_overall(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Plain Python: channel groups where a range has them, else source / medium, by the rules of metrics.md."""
    social_words = ("facebook", "instagram", "twitter", "linkedin", "youtube", "tiktok")
    ranges = {(r["date_from"], r["date_to"]) for r in rows if r["dimension"] == CG}
    soc = conv = email = 0.0
    for r in rows:
        if r["dimension"] == CG:
            is_soc, is_email = r["value"] in ("Organic Social", "Paid Social"), r["value"] == "Email"
        elif r["dimension"] == SM and (r["date_from"], r["date_to"]) not in ranges:
            source, medium = r["value"].split(" / ")
            is_soc = any(w in source for w in social_words) or medium == "social"
            is_email = medium == "email"
        else:
            continue
        if is_soc:
            soc += r["sessions"]
            conv += r["conversions"]
        if is_email:
            email += r["sessions"]
    return {"social_sessions": soc, "social_conversions": conv, "email_sessions": email}


@pytest.fixture
def backend(tmp_path: Path) -> Any:
    con = warehouse(tmp_path, [], spend=[
        {"date": JAN1, "platform": "facebook", "tactic": None, "campaign": "spring-launch", "amount": 300.0,
         "currency": "EUR", "import_id": 1},
        {"date": FEB1, "platform": "facebook", "tactic": "fb", "campaign": None, "amount": 90.0,
         "currency": "EUR", "import_id": 1}])
    insert(con, "site_traffic", ROWS)
    derive.refresh(con, loads(PLAN, "strategy.yaml").plan)
    yield ibis_backend(con)
    con.close()


def test_overall_counts_channel_groups_else_source_medium(backend: Any) -> None:
    plan = loads(PLAN, "strategy.yaml").plan
    result = measure(backend, plan, metric_ids=[*SITE, "cost_per_social_conversion"])
    # January channel groups: social 1000 + 200, conversions 20 + 10, email 300. February by source: instagram
    # 400 + l.facebook.com 50 (conversions 4 + 1), email 120.
    assert result.value("social_sessions") == 1200 + 450
    assert result.value("social_conversions") == 30 + 5
    assert result.value("social_conversion_rate") == pytest.approx(35 / 1650)
    assert result.value("email_sessions") == 300 + 120
    assert result.value("cost_per_social_conversion") == pytest.approx((300 + 90) / 35)
    ref = reference_overall(ROWS)
    for metric in ("social_sessions", "social_conversions", "email_sessions"):
        assert result.value(metric) == pytest.approx(ref[metric]), metric


def test_periods_take_the_row_in_the_month_of_its_end_date(backend: Any) -> None:
    plan = loads(PLAN, "strategy.yaml").plan
    monthly = measure(backend, plan, period="month", metric_ids=["social_sessions", "email_sessions"])
    assert monthly.value("social_sessions", period="2026-01") == 1200
    assert monthly.value("social_sessions", period="2026-02") == 450
    assert monthly.value("email_sessions", period="2026-02") == 120
    # --until before a range's end leaves the whole row out (nothing is prorated)
    assert measure(backend, plan, until="2026-01-30", metric_ids=["social_sessions"]).value(
        "social_sessions") is None


def test_by_tactic_campaign_first_then_source_naming_the_platform(backend: Any) -> None:
    plan = loads(PLAN, "strategy.yaml").plan
    result = measure(backend, plan, by="tactic", metric_ids=[*SITE, "cost_per_social_conversion"])
    # spring: its campaign row (150 sessions, 6 conversions); its spend 300 by campaign -> 300 / 6 = 50.
    assert result.value("social_sessions", "spring") == 150
    assert result.value("cost_per_social_conversion", "spring") == pytest.approx(50)
    # fb: sources naming facebook: Jan 700 + 100, Feb l.facebook.com 50 (not instagram); conversions 14+1+1.
    assert result.value("social_sessions", "fb") == 850
    assert result.value("social_conversions", "fb") == 16
    assert result.value("cost_per_social_conversion", "fb") == pytest.approx(90 / 16)
    # letter (platform email): medium email rows, 280 + 120, as email sessions, not social.
    assert result.value("email_sessions", "letter") == 400
    assert result.value("social_sessions", "letter") is None
    by_account = measure(backend, plan, by="account", metric_ids=["social_sessions"])
    assert by_account.value("social_sessions", "Acme") is None  # the site names no account


def test_a_daily_download_beside_the_monthly_one_counts_once(tmp_path: Path) -> None:
    """February by channel group twice: one monthly row (400 Organic Social sessions) and two daily rows
    (150 + 250) inside it: the daily rows count, the month's row does not (never 800)."""
    rows = [row(FEB1, FEB28, CG, "Organic Social", 400, 8),
            row(dt.date(2026, 2, 3), dt.date(2026, 2, 3), CG, "Organic Social", 150, 3),
            row(dt.date(2026, 2, 4), dt.date(2026, 2, 4), CG, "Organic Social", 250, 5),
            row(JAN1, JAN31, CG, "Organic Social", 90, 1)]   # January has only its monthly row: it counts
    con = warehouse(tmp_path, [])
    insert(con, "site_traffic", rows)
    try:
        result = measure(ibis_backend(con), None, metric_ids=["social_sessions", "social_conversions"])
        assert result.value("social_sessions") == 150 + 250 + 90
        assert result.value("social_conversions") == 3 + 5 + 1
    finally:
        con.close()
