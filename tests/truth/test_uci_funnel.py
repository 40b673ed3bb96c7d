"""The permission funnel on the UCI "Facebook metrics" file (imported with --account, a plan owning that page)
against the file itself, worked out in plain Python below, and against `measure`.

The file gives the page's likes only as `Page total likes` seen by each post (snapshots, no gains or losses):
the funnel's permission asset showed "net n/a" for December 2014 while `measure --by account --period month`
gave an audience growth of 1,088. The asset's net is `audience_growth` (metrics.md: the net change, from the
last snapshot before the month); where a scope's data gives no gains, its "new followers" step is that net
growth and says so."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from strategyfirst.metrics.funnel import funnel
from strategyfirst.workspace import Workspace
from tests.cli.support import run

ACCOUNT = "CosmeticsBrand"
PLAN = f"""\
version: 1
organisation: Cosmetics
accounts: {{facebook: ["{ACCOUNT}"]}}
strategy: {{statement: Build a permission asset so we can grow our influence with our best customers over time}}
objectives: [{{id: permission, statement: Grow the page, kpis: [{{metric: audience_growth, target: 5000}}]}}]
tactics:
  - {{id: page, serves: [permission], match: {{accounts: ["{ACCOUNT}"]}}}}
  - {{id: any-facebook, serves: [permission], match: {{platform: [facebook]}}}}
"""


@pytest.fixture(scope="module")
def months(shared_data: Path) -> dict[int, list[dict[str, str]]]:
    """The file's rows by Post Month."""
    with (shared_data / "uci-facebook-metrics/dataset_Facebook.csv").open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    out: dict[int, list[dict[str, str]]] = {}
    for r in rows:
        out.setdefault(int(r["Post Month"]), []).append(r)
    return out


def total(rows: list[dict[str, str]], column: str) -> int:
    return sum(int(r[column]) for r in rows if r[column].strip())


def likes(rows: list[dict[str, str]]) -> int:
    """The month's last count of page likes: its highest (the count grows post after post)."""
    return max(int(r["Page total likes"]) for r in rows)


@pytest.fixture(scope="module")
def ws(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("uci-funnel")
    (root / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    ws = Workspace(root)
    ws.ingest([shared_data / "uci-facebook-metrics/dataset_Facebook.csv"], account=ACCOUNT)
    return ws


def test_the_asset_nets_the_page_likes_of_the_month(ws: Workspace, months: dict[int, list[dict[str, str]]]) -> None:
    # December: from November's last count to December's last; November: from October's last to its own.
    december, november = likes(months[12]) - likes(months[11]), likes(months[11]) - likes(months[10])
    assert (december, november) == (139441 - 138353, 138353 - 137059) == (1088, 1294)
    for report in (ws.funnel(), ws.funnel()):  # compiled, then from the kept SQL
        assert (report.period, report.previous) == ("2014-12", "2014-11")
        assert report.asset == [{"platform": "facebook", "account": ACCOUNT, "gained": None, "lost": None,
                                 "net": december, "net_previous": november}]
    growth = ws.measure(by="account", period="month", metrics=["audience_growth"]).row(
        "audience_growth", key=ACCOUNT, period="2014-12")
    assert growth is not None and growth["value"] == december


def test_each_step_is_the_file_and_measure(ws: Workspace, months: dict[int, list[dict[str, str]]]) -> None:
    dec, nov = months[12], months[11]
    reach = (total(dec, "Lifetime Post Total Reach"), total(nov, "Lifetime Post Total Reach"))
    engaged = (total(dec, "Lifetime Engaged Users"), total(nov, "Lifetime Engaged Users"))
    net = (likes(dec) - likes(nov), likes(nov) - likes(months[10]))
    assert (reach, engaged) == ((488288, 614413), (44163, 24014))
    report = ws.funnel()
    chains = {f.scope: f for f in report.funnels}
    for scope in ("overall", "page"):
        steps = {s["step"]: s for s in chains[scope].steps}
        assert (steps["reach"]["value"], steps["reach"]["previous"]) == reach
        assert (steps["engagements"]["value"], steps["engagements"]["previous"]) == engaged
        assert (steps["new_followers"]["value"], steps["new_followers"]["previous"]) == net
        assert steps["new_followers"]["label"] == "New followers / subscribers (net growth)"
        assert chains[scope].new_followers_is_growth and chains[scope].churn is None
        assert steps["new_followers"]["conversion"] == pytest.approx(net[0] / engaged[0])
        assert steps["new_followers"]["change"] == pytest.approx(net[0] / net[1] - 1)
        # no GA4 export: the chain breaks at the site's visits, not at followers it has
        assert chains[scope].breaks_at is not None and chains[scope].breaks_at["step"] == "site_sessions"
    # A tactic matched only by `platform:` holds the page's posts and the audience of the owned accounts on that
    # platform (the page): its funnel and `measure --by tactic` give it the page's net growth alike.
    anyfb = {s["step"]: s for s in chains["any-facebook"].steps}
    assert (anyfb["reach"]["value"], anyfb["engagements"]["value"]) == (reach[0], engaged[0])
    assert (anyfb["new_followers"]["value"], anyfb["new_followers"]["previous"]) == net
    by_tactic = ws.measure(by="tactic", period="month", metrics=["audience_growth"])
    assert [r["value"] for r in by_tactic.rows if r["key"] == "any-facebook" and r["period"] == "2014-12"] == [net[0]]


def test_ibis_and_warehouse_funnels_agree(ws: Workspace) -> None:
    """`funnel` over Ibis tables (no kept SQL) gives what the workspace's does."""
    from strategyfirst.plan import load
    from strategyfirst.warehouse.engine import ibis_backend, open_duckdb

    expected = ws.funnel().to_dict()
    con = open_duckdb(ws.warehouse_path, read_only=True)
    try:
        assert funnel(ibis_backend(con), load(ws.plan_path).plan).to_dict() == expected
    finally:
        con.close()


def test_the_text_says_net_growth(ws: Workspace, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["measure", "--funnel", "-w", str(ws.root)], monkeypatch, capsys)
    assert code == 0, err
    text = " ".join(out.split())
    assert f"facebook {ACCOUNT}: — gained, — lost, net +1,088 (month before +1,294)" in text
    assert "-> New followers / subscribers (net growth): 1,088 (-16% on the month before)" in text
