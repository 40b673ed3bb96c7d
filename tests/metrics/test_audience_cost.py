"""Permission-asset and cost metrics on the hand-made organisation (values worked out by hand in comments)."""

from __future__ import annotations

import pytest

from strategyfirst.metrics import measure
from tests.metrics.conftest import Org

AUDIENCE = ["audience_size", "audience_growth", "audience_growth_rate", "audience_gained", "audience_lost"]
COST = ["spend", "budget_burn", "cost_per_engagement", "cost_per_new_subscriber"]


def test_audience_overall(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=AUDIENCE)
    # Series: x followers 1000 -> 1100 -> 1150 (snapshots only: growth 150); Facebook page likes with deltas
    # (10 - 2) + (5 - 1) = 12, last snapshot 508; newsletter deltas 30 - 5 = 25, no snapshot.
    assert result.value("audience_size") == 1150 + 508
    assert result.value("audience_growth") == 150 + 12 + 25
    # The rate divides by the size at the start: x its first snapshot, 1000; the page's first snapshot (500 on
    # Jan 1) already holds that day's (10 - 2): 492 at the start; the newsletter has no size to divide by.
    assert result.value("audience_growth_rate") == pytest.approx((150 + 12) / (1000 + 492))
    assert result.value("audience_gained") == 45
    assert result.value("audience_lost") == 8


def test_audience_by_month_counts_from_the_last_snapshot_before_each_period(org: Org) -> None:
    result = measure(org.backend, org.plan, period="month", metric_ids=["audience_size", "audience_growth"])
    assert result.value("audience_size", period="2026-01") == 1100 + 508
    assert result.value("audience_growth", period="2026-01") == 100 + 12 + 25
    assert result.value("audience_size", period="2026-02") == 1150
    # February's one snapshot against January's last (1100): the months add up to the whole, 100 + 50 = 150.
    assert result.value("audience_growth", period="2026-02") == 50


def test_audience_by_account_and_tactic(org: Org) -> None:
    by_account = measure(org.backend, org.plan, by="account", metric_ids=["audience_growth"])
    assert by_account.value("audience_growth", "Acme") == 150
    assert by_account.value("audience_growth", "Acme Outdoor") == 12
    assert by_account.value("audience_growth", "newsletter") == 25
    by_tactic = measure(org.backend, org.plan, by="tactic", metric_ids=["audience_growth"])
    assert by_tactic.value("audience_growth", "brand") == 150  # match: accounts [Acme], platform [x]
    assert by_tactic.value("audience_growth", "fb") == 12
    assert by_tactic.value("audience_growth", "care-desk") is None  # @AcmeHelp has no audience rows


def test_cost_overall(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=COST)
    spent = 300 + 100 + 50 + 12.5  # spend table + the promoted spend of Facebook post 15
    assert result.value("spend") == pytest.approx(spent)
    assert result.value("budget_burn") == pytest.approx(spent / 30000)  # the plan total
    assert result.value("cost_per_engagement") == pytest.approx(spent / 99)
    assert result.value("cost_per_new_subscriber") == pytest.approx(spent / 187)
    row = result.row("cost_per_engagement")
    assert row is not None and (row["numerator"], row["denominator"]) == (spent, 99)


def test_cost_by_tactic_and_objective(org: Org) -> None:
    by_tactic = measure(org.backend, org.plan, by="tactic", metric_ids=["spend", "budget_burn"])
    assert by_tactic.value("spend", "summit") == 300  # named in the spend table
    assert by_tactic.value("spend", "spring") == 100  # by the campaign its match names
    assert by_tactic.value("spend", "fb") == 12.5  # promoted spend of its post
    assert by_tactic.value("budget_burn", "summit") == pytest.approx(300 / 8000)
    assert by_tactic.value("spend", "care-desk") is None
    by_objective = measure(org.backend, org.plan, by="objective", metric_ids=["spend", "budget_burn"])
    assert by_objective.value("spend", "awareness") == pytest.approx(412.5)
    # awareness is served by brand, summit, spring and fb: 5000 + 8000 + 1000 + 2000
    assert by_objective.value("budget_burn", "awareness") == pytest.approx(412.5 / 16000)
    assert by_objective.value("spend", "dialogue") is None


def test_cost_per_new_subscriber_is_null_without_growth(org: Org) -> None:
    result = measure(org.backend, org.plan, period="month", metric_ids=["cost_per_new_subscriber", "spend"])
    assert result.value("spend", period="2026-03") == 12.5  # Facebook post 15's promoted spend
    assert result.value("cost_per_new_subscriber", period="2026-03") is None  # no audience data in March
    assert result.value("cost_per_new_subscriber", period="2026-02") == pytest.approx(100 / 50)
