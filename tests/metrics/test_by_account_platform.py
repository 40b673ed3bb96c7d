"""By account, an account is a name on a platform: the same name on X and on Instagram is two accounts, each
with its own row (the simulated organisation's "Northwind Cycles" is its Facebook page and its LinkedIn page).
Expected values by hand from the rows below."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from strategyfirst.metrics import measure
from strategyfirst.plan import loads
from strategyfirst.warehouse import derive
from strategyfirst.warehouse.engine import ibis_backend
from tests.metrics.helpers import CARE_PLAN as PLAN
from tests.metrics.helpers import msg, warehouse


def _rows() -> list[dict[str, object]]:
    return [
        # X: two posts, one inbound reply answered after 10 minutes, one inbound mention unanswered.
        msg("1", "Acme", True, "2026-02-01 09:00", text="hello", impressions=100),
        msg("2", "Acme", True, "2026-02-02 09:00", text="again", impressions=300),
        msg("3", "c1", False, "2026-02-01 10:00", text="@Acme nice", reply_to="1"),
        msg("4", "Acme", True, "2026-02-01 10:10", text="@c1 thanks", reply_to="3"),
        msg("5", "c2", False, "2026-02-03 10:00", text="@acme are you there?"),
        # Instagram: one post, one comment on it, unanswered.
        msg("1", "acme", True, "2026-02-05 09:00", platform="instagram", text="photo", impressions=1000),
        msg("2", "c3", False, "2026-02-05 11:00", platform="instagram", text="lovely", reply_to="1"),
    ]


def test_one_name_on_two_platforms_is_two_accounts(tmp_path: Path) -> None:
    con = warehouse(tmp_path, _rows(), audience=[
        {"date": dt.date(2026, 2, 28), "platform": "x", "account": "Acme", "metric": "followers",
         "value": 500.0, "gained": None, "lost": None, "import_id": 2},
        {"date": dt.date(2026, 2, 28), "platform": "instagram", "account": "acme", "metric": "followers",
         "value": 2000.0, "gained": None, "lost": None, "import_id": 2}])
    plan = loads(PLAN, "strategy.yaml").plan
    derive.refresh(con, plan)
    metrics = ["posts", "impressions", "inbound_messages", "response_rate", "audience_size"]
    backend = ibis_backend(con)
    result = measure(backend, plan, by="account", metric_ids=metrics)
    got = {(r["key"], r["platform"], r["metric"]): r["value"] for r in result.rows}
    # X: posts 1 and 2 (4 is a reply), 100 + 300 + no figure on 4 impressions; inbound 3 and 5, 3 answered.
    assert got[("Acme", "x", "posts")] == 2
    assert got[("Acme", "x", "impressions")] == 400
    assert got[("Acme", "x", "inbound_messages")] == 2
    assert got[("Acme", "x", "response_rate")] == pytest.approx(1 / 2)
    assert got[("Acme", "x", "audience_size")] == 500
    # Instagram: its post, its 1000 impressions, one comment unanswered, 2000 followers.
    assert got[("acme", "instagram", "posts")] == 1
    assert got[("acme", "instagram", "impressions")] == 1000
    assert got[("acme", "instagram", "inbound_messages")] == 1
    assert got[("acme", "instagram", "response_rate")] == 0
    assert got[("acme", "instagram", "audience_size")] == 2000
    assert {(k, p) for k, p, _ in got} == {("Acme", "x"), ("acme", "instagram")}
    # Every other grouping names no platform on its rows.
    assert {r["platform"] for r in measure(backend, plan, by="platform", metric_ids=metrics).rows} == {None}
    con.close()


def test_the_table_and_csv_name_each_accounts_platform(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from strategyfirst.cli_measure import render_table
    from strategyfirst.metrics.result import COLUMNS

    con = warehouse(tmp_path, _rows())
    plan = loads(PLAN, "strategy.yaml").plan
    derive.refresh(con, plan)
    result = measure(ibis_backend(con), plan, by="account", metric_ids=["posts"])
    buffer = io.StringIO()
    render_table(result, Console(file=buffer, width=200))
    lines = [line.split() for line in buffer.getvalue().splitlines()]
    assert ["account", "platform", "metric", "value", "n"] in lines
    assert ["Acme", "x", "Posts", "2", "3"] in lines  # n: its owned messages, the reply 4 too
    assert ["acme", "instagram", "Posts", "1", "1"] in lines
    assert COLUMNS[-1] == "platform"  # last: a reader of the CSV by position reads the columns it did
    con.close()


def test_an_account_known_only_by_its_audience_takes_its_platforms_spelling(tmp_path: Path) -> None:
    """The permission-asset table and `measure --by account` name an account without messages by the plan's
    spelling on its platform: Instagram's "acme", not X's "Acme" (one normalised handle on two platforms)."""
    from strategyfirst.metrics.measure import audience_growth_by_account

    def snapshot(day: int, platform: str, value: float) -> dict[str, object]:
        return {"date": dt.date(2026, 3, day), "platform": platform, "account": "ACME", "metric": "followers",
                "value": value, "gained": None, "lost": None, "import_id": 2}

    # the data spell both "ACME": only the plan's spellings can tell them apart
    con = warehouse(tmp_path, [], audience=[snapshot(1, "x", 500.0), snapshot(31, "x", 530.0),
                                            snapshot(1, "instagram", 2000.0), snapshot(31, "instagram", 2100.0)])
    plan = loads(PLAN, "strategy.yaml").plan
    derive.refresh(con, plan)
    backend = ibis_backend(con)
    growth = {(r["key"], r["platform"]): r["growth"] for r in audience_growth_by_account(backend, plan)}
    assert growth == {("Acme", "x"): 30, ("acme", "instagram"): 100}
    rows = measure(backend, plan, by="account", metric_ids=["audience_growth"]).rows
    assert {(r["key"], r["platform"], r["value"]) for r in rows} == {("Acme", "x", 30), ("acme", "instagram", 100)}
    con.close()
