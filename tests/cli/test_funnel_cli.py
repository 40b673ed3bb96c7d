"""`measure --funnel` (issue 15): the permission funnel per tactic and overall on a small workspace whose every
figure is worked out by hand below; text and JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from strategyfirst.appdb import ENV_VAR
from strategyfirst.workspace import Workspace
from tests.cli.support import run
from tests.metrics.helpers import insert, msg, warehouse

PLAN = """\
version: 1
organisation: Acme
accounts: {facebook: ["Acme"], email: ["Members"]}
strategy: {statement: Build a permission asset so we can grow our influence with our best customers over time}
objectives: [{id: permission, statement: Grow the list, kpis: [{metric: audience_growth, target: 500}]}]
tactics:
  - {id: fb, serves: [permission], match: {accounts: ["Acme"], platform: [facebook]}}
  - {id: letter, serves: [permission], match: {accounts: ["Members"], platform: [email]}}
"""


def site(month: int, value: str, sessions: float, conversions: float,
         dimension: str = "session source / medium") -> dict[str, Any]:
    last = 31 if month == 1 else 28
    return {"date_from": dt.date(2026, month, 1), "date_to": dt.date(2026, month, last), "property": "Acme Web",
            "dimension": dimension, "value": value, "sessions": sessions, "engaged_sessions": None,
            "users": None, "new_users": None, "conversions": conversions, "revenue": None, "import_id": 1}


def audience(day: str, platform: str, account: str, metric: str, gained: float, lost: float) -> dict[str, Any]:
    return {"date": dt.date.fromisoformat(day), "platform": platform, "account": account, "metric": metric,
            "value": None, "gained": gained, "lost": lost, "import_id": 1}


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    workspace = Workspace(tmp_path).ensure()
    messages = [
        msg("1", "Acme", True, "2026-01-10 10:00", platform="facebook", reach=10000, engagements=500),
        msg("2", "Acme", True, "2026-02-10 10:00", platform="facebook", reach=8000, engagements=480),
        msg("3", "Acme", True, "2026-02-20 10:00", platform="facebook", reach=2000, engagements=120),
        # a February letter: 1,000 delivered (its reach), 50 unique clicks (its engagements, metrics.md)
        msg("c1", "Members", True, "2026-02-03 10:00", platform="email", kind="email", deliveries=1000,
            opens=400, clicks=50),
    ]
    con = warehouse(workspace.warehouse_path.parent, messages, audience=[
        audience("2026-01-15", "facebook", "Acme", "followers", 100, 10),
        audience("2026-02-15", "facebook", "Acme", "followers", 60, 5),
        audience("2026-01-15", "email", "Members", "subscribers", 40, 0),
        audience("2026-01-20", "email", "Members", "subscribers_unsubscribed", 0, 4),
        audience("2026-02-15", "email", "Members", "subscribers", 50, 0),
        audience("2026-02-16", "email", "Members", "subscribers_cleaned", 0, 2),
    ])
    insert(con, "site_traffic", [
        site(1, "facebook / social", 300, 15), site(1, "newsletter / email", 200, 20),
        site(2, "facebook / social", 240, 6), site(2, "newsletter / email", 250, 25),
        site(2, "google / organic", 999, 99),   # not social, not email: in no funnel
    ])
    con.close()
    return tmp_path


def test_funnel_json_by_hand(ws: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["measure", "--funnel", "--format", "json", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["period"], doc["previous"]) == ("2026-02", "2026-01")
    funnels = {f["scope"]: f for f in doc["funnels"]}
    assert set(funnels) == {"overall", "fb", "letter"}
    fb = {s["step"]: s for s in funnels["fb"]["steps"]}
    # February: reach 8000 + 2000, engagements 480 + 120 = 600, gains 60, sessions 240, conversions 6.
    assert [fb[s]["value"] for s in ("reach", "engagements", "new_followers", "site_sessions", "conversions")] \
        == [10000, 600, 60, 240, 6]
    assert fb["engagements"]["conversion"] == pytest.approx(600 / 10000)
    assert fb["engagements"]["conversion_previous"] == pytest.approx(500 / 10000)
    assert fb["site_sessions"]["conversion"] == pytest.approx(240 / 60)
    assert fb["conversions"]["conversion"] == pytest.approx(6 / 240)
    assert fb["conversions"]["conversion_previous"] == pytest.approx(15 / 300)
    assert fb["new_followers"]["change"] == pytest.approx((60 - 100) / 100)
    assert funnels["fb"]["churn"] == 5
    # Conversions per step vs January: eng/reach 6% vs 5% (+20%), gains/eng 10% vs 20% (-50%), sessions/gains
    # 4.0 vs 3.0 (+33%), conversions/sessions 2.5% vs 5% (-50%): two equal drops, the first in the chain named.
    assert funnels["fb"]["breaks_at"]["step"] == "new_followers"
    # letter, February: reach 1000 deliveries, engagements 50 clicks, gains 50, sessions 250, conversions 25.
    # January had no letter: only sessions/gains (200/40 = 5.0, now 250/50 = 5.0) and conversions/sessions
    # (20/200 = 10%, now 25/250 = 10%) compare, and neither fell: the chain holds.
    letter = funnels["letter"]
    assert [s["value"] for s in letter["steps"]] == [1000, 50, 50, 250, 25]
    assert letter["breaks_at"] is None and letter["churn"] == 2
    # overall: reach 10000 + 1000, engagements 600 + 50, sessions = social + email = 240 + 250, conversions
    # 6 + 25, gains 60 + 50, churn 5 + 2
    overall = {s["step"]: s["value"] for s in funnels["overall"]["steps"]}
    assert [overall[s] for s in ("reach", "engagements", "new_followers", "site_sessions", "conversions")] == [
        11000, 650, 110, 490, 31]
    assert funnels["overall"]["churn"] == 7
    asset = {(a["platform"], a["account"]): a for a in doc["asset"]}
    assert asset[("email", "Members")] == {"platform": "email", "account": "Members", "gained": 50, "lost": 2,
                                           "net": 48, "net_previous": 36}
    assert asset[("facebook", "Acme")]["net"] == 55


def test_funnel_text_names_the_break_and_the_rule(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["measure", "--funnel", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0
    text = " ".join(out.split())
    assert "Permission funnel, 2026-02 (trend against 2026-01)" in text
    assert "-> Site sessions: 240 (-20% on the month before)" in text
    assert "the chain breaks at new followers: engagements -> new followers / subscribers fell from 20.0% to " \
           "10.0%" in text
    assert "email Members: 50 gained, 2 lost, net +48 (month before +36)" in text
    assert "Session campaign" in text and "letter Reach: 1,000" in text and "no step fell" in text
    # --until January: January against December (no history: the weakest conversion is named)
    code, out, _ = run(["measure", "--funnel", "--until", "2026-01-31", "--format", "json", "-w", str(ws)],
                       monkeypatch, capsys)
    doc = json.loads(out)
    assert doc["period"] == "2026-01"
    fb = next(f for f in doc["funnels"] if f["scope"] == "fb")
    assert "no earlier month" in fb["breaks_at"]["why"] and fb["breaks_at"]["step"] == "engagements"


def day_site(day: str, value: str, sessions: float, conversions: float) -> dict[str, Any]:
    """A GA4 row of one day (exported with the Date dimension)."""
    return {**site(1, value, sessions, conversions), "date_from": dt.date.fromisoformat(day),
            "date_to": dt.date.fromisoformat(day)}


@pytest.fixture
def partial_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Data up to February 12: February is partial; January has more after the 12th."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    workspace = Workspace(tmp_path).ensure()
    messages = [
        msg("1", "Acme", True, "2026-01-05 10:00", platform="facebook", reach=1000, engagements=100),
        msg("2", "Acme", True, "2026-01-20 10:00", platform="facebook", reach=3000, engagements=300),
        msg("3", "Acme", True, "2026-02-03 10:00", platform="facebook", reach=1500, engagements=120),
        msg("4", "Acme", True, "2026-02-12 10:00", platform="facebook", reach=500, engagements=30),
        # a post of a page the plan does not own, later: not the funnel's data, it cuts nothing
        msg("5", "Other", True, "2026-02-25 10:00", platform="facebook", reach=9, engagements=9),
    ]
    con = warehouse(workspace.warehouse_path.parent, messages, audience=[
        audience("2026-01-10", "facebook", "Acme", "followers", 40, 5),
        audience("2026-01-25", "facebook", "Acme", "followers", 100, 20),
        audience("2026-02-08", "facebook", "Acme", "followers", 30, 3),
    ])
    insert(con, "site_traffic", [day_site("2026-01-07", "facebook / social", 200, 10),
                                 day_site("2026-01-28", "facebook / social", 400, 8),
                                 day_site("2026-02-11", "facebook / social", 150, 9)])
    con.close()
    return tmp_path


def test_a_partial_month_is_compared_with_as_many_days(partial_ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The data ends on February 12: February 1-12 against January 1-12 (as the dashboard cuts the period before
    at the as-of day), not against the whole of January."""
    code, out, err = run(["measure", "--funnel", "--format", "json", "-w", str(partial_ws)], monkeypatch, capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["period"], doc["previous"]) == ("2026-02", "2026-01")
    assert doc["through"] == "2026-02-12" and doc["previous_days"] == ["2026-01-01", "2026-01-12"]
    steps = {s["step"]: s for s in next(f for f in doc["funnels"] if f["scope"] == "overall")["steps"]}
    order = ("reach", "engagements", "new_followers", "site_sessions", "conversions")
    # February 1-12: reach 1500 + 500, engagements 120 + 30, gains 30, sessions 150, conversions 9
    assert [steps[s]["value"] for s in order] == [2000, 150, 30, 150, 9]
    # January 1-12: the post of the 5th (1000, 100), the gains of the 10th (40), the visits of the 7th (200, 10);
    # the whole of January would be 4000, 400, 140, 600, 18
    assert [steps[s]["previous"] for s in order] == [1000, 100, 40, 200, 10]
    assert steps["reach"]["change"] == pytest.approx(1.0)            # 2000 / 1000 - 1
    assert steps["new_followers"]["change"] == pytest.approx(-0.25)  # 30 / 40 - 1
    assert steps["engagements"]["conversion_previous"] == pytest.approx(0.1)  # 100 / 1000
    assert steps["new_followers"]["conversion"] == pytest.approx(0.2)  # 30 / 150
    assert steps["new_followers"]["conversion_previous"] == pytest.approx(0.4)  # 40 / 100
    overall = next(f for f in doc["funnels"] if f["scope"] == "overall")
    assert (overall["churn"], overall["churn_previous"]) == (3, 5)
    # conversions against January 1-12: eng/reach 7.5% vs 10% (-25%), gains/eng 20% vs 40% (-50%),
    # sessions/gains 5.0 vs 5.0, conversions/sessions 6% vs 5%: the chain breaks at new followers
    assert overall["breaks_at"]["step"] == "new_followers"
    asset = {(a["platform"], a["account"]): a for a in doc["asset"]}
    assert asset[("facebook", "Acme")] == {"platform": "facebook", "account": "Acme", "gained": 30, "lost": 3,
                                           "net": 27, "net_previous": 35}  # 40 - 5 (the whole month: 115)
    code, out, _ = run(["measure", "--funnel", "-w", str(partial_ws)], monkeypatch, capsys)
    text = " ".join(out.split())
    assert ("Permission funnel, 2026-02-01 to 2026-02-12 (the month so far) against 2026-01-01 to 2026-01-12 "
            "(as many days)") in text
    assert "Reach: 2,000 (+100% on the same days of the month before)" in text


def test_since_inside_a_partial_month_compares_with_nothing(partial_ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """`--since 2026-02-05` inside the month shown (data to February 12): the month before lies outside the dates
    asked, so there is no earlier figure to compare with (it was refused as "--since after --until", an --until
    never given). February 5-12: the post of the 12th (reach 500, engagements 30)."""
    code, out, err = run(["measure", "--funnel", "--format", "json", "--since", "2026-02-05", "-w", str(partial_ws)],
                         monkeypatch, capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["period"] == "2026-02" and doc["previous_days"] is None
    steps = {s["step"]: s for s in next(f for f in doc["funnels"] if f["scope"] == "overall")["steps"]}
    assert (steps["reach"]["value"], steps["reach"]["previous"]) == (500, None)
    assert (steps["engagements"]["value"], steps["engagements"]["previous"]) == (30, None)


def test_a_whole_month_of_data_is_compared_whole(partial_ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A social or email GA4 row ending on February 28 (its last day) makes February whole: it is compared with
    the whole of January. A row of another channel ends there too, but is not the funnel's data."""
    from strategyfirst.warehouse.engine import open_duckdb

    db = open_duckdb(Workspace(partial_ws).warehouse_path)
    insert(db, "site_traffic", [day_site("2026-02-28", "google / organic", 1, 0),   # not the funnel's
                                day_site("2026-02-28", "newsletter / email", 20, 2)])
    db.close()
    code, out, err = run(["measure", "--funnel", "--format", "json", "-w", str(partial_ws)], monkeypatch, capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["through"] is None and doc["previous_days"] is None and doc["dates"] is None
    steps = {s["step"]: s for s in next(f for f in doc["funnels"] if f["scope"] == "overall")["steps"]}
    assert steps["reach"]["previous"] == 4000  # the whole of January


def snapshot(day: str, value: float) -> dict[str, Any]:
    """A follower count of the Acme page without gains or losses (as Facebook page likes give them)."""
    return {"date": dt.date.fromisoformat(day), "platform": "facebook", "account": "Acme", "metric": "page_likes",
            "value": value, "gained": None, "lost": None, "import_id": 1}


def test_follower_counts_without_gains_are_their_net_growth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Counts only: the new followers are the counts' net growth, as `measure` gives it, from the last count
    before the month (January 100 -> 130: +30; February from 130 to 120: -10). A loss converts nothing: no
    conversion from engagements into it nor from it into visits."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    workspace = Workspace(tmp_path).ensure()
    con = warehouse(workspace.warehouse_path.parent, [
        msg("1", "Acme", True, "2026-01-10 10:00", platform="facebook", reach=1000, engagements=100),
        msg("2", "Acme", True, "2026-02-10 10:00", platform="facebook", reach=2000, engagements=150),
    ], audience=[snapshot("2026-01-10", 100), snapshot("2026-01-25", 130), snapshot("2026-02-20", 120)])
    insert(con, "site_traffic", [site(1, "facebook / social", 300, 15), site(2, "facebook / social", 240, 6)])
    con.close()
    code, out, err = run(["measure", "--funnel", "--format", "json", "-w", str(tmp_path)], monkeypatch, capsys)
    assert code == 0, err
    doc = json.loads(out)
    fb = next(f for f in doc["funnels"] if f["scope"] == "fb")
    steps = {s["step"]: s for s in fb["steps"]}
    assert fb["new_followers_is_growth"] and steps["new_followers"]["label"].endswith("(net growth)")
    assert (steps["new_followers"]["value"], steps["new_followers"]["previous"]) == (-10, 30)
    assert steps["new_followers"]["conversion"] is None and steps["site_sessions"]["conversion"] is None
    assert steps["new_followers"]["conversion_previous"] == pytest.approx(30 / 100)
    assert steps["site_sessions"]["conversion_previous"] == pytest.approx(300 / 30)
    assert doc["asset"] == [{"platform": "facebook", "account": "Acme", "gained": None, "lost": None, "net": -10,
                             "net_previous": 30}]
    growth = {r["period"]: r["value"] for r in Workspace(tmp_path).measure(
        by="account", period="month", metrics=["audience_growth"]).rows}
    assert growth == {"2026-01": 30, "2026-02": -10}


def test_a_dialogue_tactic_without_funnel_data_is_left_out(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A care desk serves an objective of dialogue KPIs only: no step of the funnel is its to move, so its chain
    (no data in either month) is not listed as 'breaks at reach: import the platforms' post exports'. A tactic
    of the permission objective with no data still is: its exports may really be missing. The same from the
    funnel's kept SQL (the second run) as from its first compile."""
    plan = PLAN.replace("target: 500}]}]", "target: 500}]}, {id: dialogue, kpis: [{metric: response_rate, target: "
                                           "0.9}, {metric: first_response_minutes_median, target: 60}]}]").replace(
        "tactics:\n",
        "tactics:\n"
        "  - {id: desk, serves: [dialogue], match: {accounts: [\"Acme\"], platform: [x]}}\n"
        "  - {id: idle, serves: [permission], match: {accounts: [\"Acme\"], platform: [tiktok]}}\n")
    assert plan.count("id: desk") == 1
    (ws / "strategy.yaml").write_text(plan, encoding="utf-8")
    # visits from X in both months: the desk's platform's, every X tactic's, not the desk's own reach or followers
    con = duckdb.connect(str(Workspace(ws).warehouse_path))
    insert(con, "site_traffic", [site(1, "t.co / referral", 30, 1), site(2, "t.co / referral", 40, 2)])
    con.close()
    for _ in range(2):
        code, out, err = run(["measure", "--funnel", "--format", "json", "-w", str(ws)], monkeypatch, capsys)
        assert code == 0, err
        funnels = {f["scope"]: f for f in json.loads(out)["funnels"]}
        assert set(funnels) == {"overall", "fb", "letter", "idle"}
        assert funnels["idle"]["breaks_at"]["step"] == "reach"
    code, out, err = run(["measure", "--funnel", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0, err
    assert "idle" in out and "desk" not in out


def test_a_tactic_idle_this_month_is_not_told_to_import(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A tactic with reach in January (one Instagram post, reach 700) and nothing in February, the month shown:
    its exports are there, so its chain breaks at reach with January's 700 named, not with advice to import
    the platforms' post exports."""
    plan = PLAN.replace("tactics:\n", "tactics:\n  - {id: winter, serves: [permission], "
                                      "match: {accounts: [\"Acme\"], platform: [instagram]}}\n")
    (ws / "strategy.yaml").write_text(plan, encoding="utf-8")
    con = duckdb.connect(str(Workspace(ws).warehouse_path))
    insert(con, "messages", [msg("i1", "Acme", True, "2026-01-12 10:00", platform="instagram", reach=700,
                                 engagements=35)])
    con.close()
    code, out, err = run(["measure", "--funnel", "--format", "json", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0, err
    winter = {f["scope"]: f for f in json.loads(out)["funnels"]}["winter"]
    assert winter["breaks_at"]["step"] == "reach"
    assert winter["breaks_at"]["why"].startswith("none this month, where the month before had 700:")
