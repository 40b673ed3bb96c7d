"""`measure(platforms=…, accounts=…)`: only the messages, audience and spend of those platforms and accounts.

Expected values are worked out by hand from tests/metrics/dataset.py, and on the real twcs sample each
account's figures under `accounts=[it]` must be its own row of `by="account"` (and its hand count).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from strategyfirst.errors import MeasureError
from strategyfirst.metrics import measure
from strategyfirst.plan import loads
from strategyfirst.warehouse import derive
from strategyfirst.warehouse.engine import ibis_backend
from strategyfirst.workspace import Workspace
from tests.metrics import dataset
from tests.metrics.conftest import Org
from tests.metrics.helpers import msg, warehouse
from tests.metrics.test_real_files import _twcs_by_hand

DIALOGUE = ["inbound_messages", "response_rate", "first_response_minutes_median", "posts",
            "conversation_response_rate"]
# Metrics whose whole-scope value uses the plan's total budget or the spend table (which names no account):
# under --account they are not the account's row of --by account by design.
NOT_PER_ACCOUNT = {"spend", "budget_burn", "cost_per_engagement", "cost_per_new_subscriber"}


def test_account_filter_counts_only_what_that_account_writes_and_receives(org: Org) -> None:
    r = measure(org.backend, org.plan, metric_ids=DIALOGUE, accounts=["@AcmeHelp"])
    # Inbound to AcmeHelp: 1 (answered by 2 at +30 min; 3 is later), 4 (a reply to AcmeHelp's 2, unanswered),
    # 5 (mentions @acmehelp; only Acme answered it) -> 3 inbound, 1 answered.
    assert r.value("inbound_messages") == 3
    assert r.value("response_rate") == pytest.approx(1 / 3)
    assert r.value("first_response_minutes_median") == pytest.approx(30.0)
    assert r.value("posts") == 0  # 2, 3 and 13 are all replies
    # "@" and case do not matter, and a second account adds its own: Acme has 7, 12 and 14 (no timestamp is
    # still a message) and its half of 5 -> 4 inbound pairs, 2 answered (5 by 6, 11 by 12).
    both = measure(org.backend, org.plan, metric_ids=["inbound_messages"], accounts=["acmehelp", "ACME"])
    assert both.value("inbound_messages") == 3 + 4


def test_platform_filter_narrows_messages_audience_and_spend(org: Org) -> None:
    metrics = ["posts", "impressions", "spend", "audience_size", "inbound_messages"]
    fb = measure(org.backend, org.plan, metric_ids=metrics, platforms=["Facebook"])
    # Facebook: post 15 (200 impressions, 12.50 spent on it), the page's latest 508 likes, no inbound.
    assert fb.value("posts") == 1
    assert fb.value("impressions") == 200
    assert fb.value("spend") == pytest.approx(12.5)
    assert fb.value("audience_size") == 508
    assert not fb.value("inbound_messages")
    x = measure(org.backend, org.plan, metric_ids=metrics, platforms=["x"])
    # X: posts 9 and 10 (1,000 + 500 impressions), the spend file's 300 (summit) + 100 (spring) rows.
    assert x.value("posts") == 2 and x.value("impressions") == 1500
    assert x.value("spend") == pytest.approx(400.0)
    assert x.value("audience_size") == 1150
    email = measure(org.backend, org.plan, metric_ids=["spend"], platforms=["email"])
    assert email.value("spend") == pytest.approx(50.0)


def test_account_filter_leaves_out_the_spend_file_which_names_no_account(org: Org) -> None:
    r = measure(org.backend, org.plan, metric_ids=["spend"], accounts=["Acme Outdoor"])
    assert r.value("spend") == pytest.approx(12.5)  # only the spend carried by its own post 15


def test_data_quality_stays_workspace_wide(org: Org) -> None:
    whole = measure(org.backend, org.plan, metric_ids=["posts"]).data_quality
    narrowed = measure(org.backend, org.plan, metric_ids=["posts"], accounts=["Acme Outdoor"]).data_quality
    assert narrowed == whole


def _rows(result: Any) -> dict[tuple[str, str], Any]:
    return {(r["metric"], r["period"]): r["value"] for r in result.rows}


def test_each_account_alone_is_its_row_of_by_account(org: Org) -> None:
    by_account = measure(org.backend, org.plan, by="account", period="month")
    for account in ("Acme", "AcmeHelp", "Acme Outdoor"):
        alone = measure(org.backend, org.plan, period="month", accounts=[account])
        expected = {(r["metric"], r["period"]): r["value"] for r in by_account.rows
                    if r["key"] == account and r["metric"] not in NOT_PER_ACCOUNT}
        got = {k: v for k, v in _rows(alone).items() if k[0] not in NOT_PER_ACCOUNT and k[1] in
               {p for _, p in expected}}
        assert expected and set(expected) <= set(got), account
        for key, value in expected.items():
            assert got[key] == (None if value is None else pytest.approx(value)), (account, key)


def test_real_twcs_each_brand_alone_matches_its_hand_count(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "twcs" / "sample.csv"
    ws = Workspace(tmp_path)
    ws.ingest([path])
    by_account = ws.measure(by="account", metrics=DIALOGUE)
    hand = _twcs_by_hand(path)
    brands = sorted(hand, key=lambda b: -int(hand[b]["inbound_messages"] or 0))[:4]
    for brand in brands:
        alone = ws.measure(metrics=DIALOGUE, accounts=[brand])
        assert alone.value("inbound_messages") == hand[brand]["inbound_messages"], brand
        assert alone.value("response_rate") == pytest.approx(hand[brand]["response_rate"]), brand
        for metric in DIALOGUE:
            mine = by_account.value(metric, brand)
            assert alone.value(metric) == (None if mine is None else pytest.approx(mine)), (brand, metric)
    # one platform only: the twcs file is all X, so --platform x is everything and --platform facebook nothing
    everything = ws.measure(metrics=["inbound_messages"])
    assert ws.measure(metrics=["inbound_messages"], platforms=["x"]).value("inbound_messages") == \
        everything.value("inbound_messages")
    assert not ws.measure(metrics=["inbound_messages"], platforms=["facebook"]).value("inbound_messages")


def _mixed_precision(tmp_path: Path) -> Any:
    """X posts dated to the second by Acme, plus two Facebook posts and one AcmeHelp post dated only to the
    month (as the UCI export dates its posts)."""
    rows = [
        msg("1", "Acme", True, "2026-01-05 10:00", impressions=100),
        msg("2", "Acme", True, "2026-01-06 11:00", impressions=50),
        msg("3", "AcmeHelp", True, "2026-01-01 00:00", time_precision="month"),
        msg("4", "Acme Outdoor", True, "2026-01-01 00:00", platform="facebook", time_precision="month"),
        msg("5", "Acme Outdoor", True, "2026-02-01 00:00", platform="facebook", time_precision="month"),
    ]
    con = warehouse(tmp_path, rows)
    plan = loads(dataset.PLAN_YAML, "strategy.yaml").plan
    derive.refresh(con, plan)
    return con, ibis_backend(con), plan


@pytest.mark.parametrize(("platforms", "accounts", "coarse"), [
    ([], [], 3),  # no filter: every month-dated message
    (["facebook"], [], 2),
    (["x"], [], 1),  # AcmeHelp's post
    ([], ["AcmeHelp"], 1),
    (["x"], ["Acme"], 0),
    ([], ["@acme"], 0),
    (["x"], ["Acme Outdoor"], 0),  # that account posts on Facebook only
])
def test_period_refusal_counts_only_the_messages_the_filters_keep(
        tmp_path: Path, platforms: list[str], accounts: list[str], coarse: int) -> None:
    con, backend, plan = _mixed_precision(tmp_path)
    try:
        ask: dict[str, Any] = {"period": "day", "metric_ids": ["posts", "impressions"],
                               "platforms": platforms, "accounts": accounts}
        if coarse:
            with pytest.raises(MeasureError, match=f": {coarse} messages are dated only to the month"):
                measure(backend, plan, **ask)
        else:
            r = measure(backend, plan, **ask)
            acme = "acme" in {a.lower().lstrip("@") for a in accounts}
            want = {"2026-01-05": 100, "2026-01-06": 50} if acme else {}
            got = {row["period"]: row["value"] for row in r.rows if row["metric"] == "impressions"
                   and row["value"] is not None}
            assert got == want
    finally:
        con.close()
