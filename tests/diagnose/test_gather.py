"""`gather`: measure rows and the warehouse's reply gaps as DiagnoseInputs (on a real DuckDB warehouse)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from strategyfirst.demo import example_plan_text
from strategyfirst.diagnose.inputs import (
    Observation,
    attributed_gaps,
    gather,
    latest_data_date,
    objective_reply_gaps,
    reply_gaps,
)
from strategyfirst.warehouse.engine import open_duckdb
from strategyfirst.workspace import Workspace
from tests.diagnose.conftest import FakeMeasure, row


@pytest.fixture()
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path).ensure()
    ws.plan_path.write_text(example_plan_text(), encoding="utf-8")
    con = open_duckdb(ws.warehouse_path)
    # Four inbound messages to @AcmeHelp, one answered after -5 minutes (a data error) and one unanswered.
    con.execute("""INSERT INTO inbound (message_id, platform, account, created_at, first_reply_at,
                   first_reply_minutes) VALUES
        ('x:1', 'x', 'acmehelp', '2026-03-01 10:00:00', '2026-03-01 10:30:00', 30),
        ('x:2', 'x', 'acmehelp', '2026-03-02 10:00:00', '2026-03-02 11:30:00', 90),
        ('x:3', 'x', 'acmehelp', '2026-03-03 10:00:00', '2026-03-03 09:55:00', -5),
        ('x:4', 'x', 'acmehelp', '2026-03-04 10:00:00', NULL, NULL),
        ('x:5', 'x', 'acmehelp', '2026-07-04 10:00:00', '2026-07-04 10:10:00', 10)""")
    con.execute("INSERT INTO attribution VALUES ('x:1', 'care-desk'), ('x:2', 'care-desk'), "
                "('x:3', 'care-desk'), ('x:4', 'care-desk'), ('x:5', 'care-desk')")
    con.execute("INSERT INTO spend (date, platform, tactic, amount, currency, import_id) "
                "VALUES ('2026-07-20', 'x', 'care-desk', 100, 'EUR', 1)")
    con.close()
    return ws


def test_reply_gaps_keep_non_negative_gaps_in_the_window(ws: Workspace) -> None:
    gaps = reply_gaps(ws, ws.plan_document().plan, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert list(gaps) == ["care-desk"]
    assert sorted(gaps["care-desk"].tolist()) == [30.0, 90.0]  # -5 is a data error, NULL unanswered, July out


def test_a_reply_after_the_as_of_day_is_no_gap_yet(ws: Workspace) -> None:
    # x:2 came on 2 March 10:00 and was answered at 11:30: as of 1 March it had not come; as of 2 March it was
    # answered. A reply after the day was not there yet: x:1's reply (1 March 10:30) as of 28 February is none.
    plan = ws.plan_document().plan
    assert reply_gaps(ws, plan, None, dt.date(2026, 3, 2))["care-desk"].tolist() == [30.0, 90.0]
    with open_duckdb(ws.warehouse_path) as con:  # x:2 answered on 3 March instead, 1,530 minutes after
        con.execute("UPDATE inbound SET first_reply_at = '2026-03-03 11:30:00', first_reply_minutes = 1530 "
                    "WHERE message_id = 'x:2'")
    assert reply_gaps(ws, plan, None, dt.date(2026, 3, 2))["care-desk"].tolist() == [30.0]
    assert sorted(reply_gaps(ws, plan, None, dt.date(2026, 3, 3))["care-desk"].tolist()) == [30.0, 1530.0]


def test_latest_data_date_is_the_last_dated_row(ws: Workspace) -> None:
    assert latest_data_date(ws) == dt.date(2026, 7, 20)  # the spend row; no messages were inserted


def test_gather_indexes_rows_by_key_and_period(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeMeasure({
        ("objective", "all"): [row("response_rate", "objective", "dialogue", "all", 0.8, 100, 80, 100)],
        ("objective", "month"): [
            row("response_rate", "objective", "dialogue", "2026-03", 0.75, 40, 30, 40),
            row("response_rate", "objective", "dialogue", "2026-04-01", 5 / 6, 60, 50, 60)],
        ("tactic", "all"): [row("response_rate", "tactic", "care-desk", "all", 0.8, 100, 80, 100),
                            row("spend", "tactic", "care-desk", "all", 1234.5, 3)],
        ("tactic", "month"): [row("audience_growth", "tactic", "newsletter", "2026-03", 10, 1)],
    })
    monkeypatch.setattr(Workspace, "measure", fake, raising=False)
    plan = ws.plan_document().plan
    inputs = gather(ws, plan, dt.date(2026, 6, 30))
    assert inputs.objective_actual[("dialogue", "response_rate")].numerator == 80
    series = inputs.objective_series[("dialogue", "response_rate")]
    assert [o.period for o in series] == [dt.date(2026, 3, 1), dt.date(2026, 4, 1)]
    assert inputs.tactic_spend == {"care-desk": 1234.5}
    assert inputs.tactic_series[("newsletter", "audience_growth")][0].value == 10
    assert np.sort(inputs.tactic_gaps["care-desk"]).tolist() == [30.0, 90.0]
    assert np.sort(inputs.objective_gaps["dialogue"]).tolist() == [30.0, 90.0]  # the median's bootstrap pool
    window = [c for c in fake.calls if "since" in c]
    assert all(c["since"] == dt.date(2026, 1, 1) and c["until"] == dt.date(2026, 6, 30) for c in window)
    assert {c["period"] for c in window} == {"all", "month"}  # monthly review cadence
    # newsletter and summit-contest show nothing inside the window: one more read, over all dates, by tactic.
    [anywhere] = [c for c in fake.calls if "since" not in c]
    assert anywhere["by"] == "tactic" and anywhere["period"] == "all"


def test_tactics_with_data_only_outside_the_window_say_what_they_have(ws: Workspace,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, object]] = []

    def measure(self: object, **kwargs: object) -> object:
        calls.append(kwargs)
        rows = []
        if kwargs["by"] == "tactic" and kwargs["period"] == "all":
            rows = [row("response_rate", "tactic", "care-desk", "all", 0.8, 5, 4, 5)]
            if "since" not in kwargs:  # over all dates: the newsletter's growth of 2025, outside the horizon
                rows += [row("posts", "tactic", "care-desk", "all", 9, 9),
                         row("audience_growth", "tactic", "newsletter", "all", 33, 4),
                         row("posts", "tactic", "newsletter", "all", None, 0)]
        return type("MeasureResult", (), {"rows": [r for r in rows if r["metric"] in (kwargs["metrics"] or [])]})()

    monkeypatch.setattr(Workspace, "measure", measure, raising=False)
    inputs = gather(ws, ws.plan_document().plan, dt.date(2026, 6, 30))
    # Only the tactics with nothing inside for some KPI of theirs are kept, and only what they have (no empty
    # posts row): the newsletter, with nothing inside; the care desk, whose response rate lies inside (never
    # repeated as outside it) but none of its other dialogue KPIs (reply times, sentiment) do, keeps its posts.
    assert inputs.tactic_outside == {("newsletter", "audience_growth"): Observation(33.0, 4, version=1),
                                     ("care-desk", "posts"): Observation(9.0, 9, version=1)}
    assert "posts" in calls[-1]["metrics"] and "inbound_messages" in calls[-1]["metrics"]  # type: ignore[operator]


def test_objective_gaps_pool_each_message_once(ws: Workspace) -> None:
    # x:1 is attributed to both tactics of 'permission' as well: it counts once there (30 min). 'dialogue'
    # (care-desk) keeps its own two valid gaps in the window, 30 and 90 minutes.
    con = open_duckdb(ws.warehouse_path)
    con.execute("INSERT INTO attribution VALUES ('x:1', 'newsletter'), ('x:1', 'summit-contest'), "
                "('x:2', 'summit-contest')")
    con.close()
    plan = ws.plan_document().plan
    gaps = objective_reply_gaps(ws, plan, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert sorted(gaps["dialogue"].tolist()) == [30.0, 90.0]
    assert sorted(gaps["permission"].tolist()) == [30.0, 90.0]  # x:1 once although two tactics hold it
    assert len(gaps["permission"]) == 2


def test_the_plan_is_parsed_once_per_version(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """A diagnosis reads the plan a dozen times (dates, each measure, the render): one parse per version."""
    import strategyfirst.plan

    parsed: list[Path] = []
    real = strategyfirst.plan.load

    def counting(path: Path) -> object:
        parsed.append(Path(path))
        return real(path)

    monkeypatch.setattr(strategyfirst.plan, "load", counting)
    first = ws.plan_document()
    assert ws.plan_document() is first and ws.plan_or_none() is first
    assert len(parsed) == 1
    ws.plan_path.write_text(ws.plan_path.read_text(encoding="utf-8").replace("Acme", "Acne"), encoding="utf-8")
    changed = ws.plan_document()
    assert len(parsed) == 2 and changed.text != first.text and "Acne" in changed.text


def test_one_read_gives_the_tactic_and_the_objective_gaps(ws: Workspace) -> None:
    """care-desk serves `dialogue` (the example plan); x:1 and x:2 are answered in the window, -5 is left out."""
    plan = ws.plan_document().plan
    gaps = attributed_gaps(ws, plan, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert {k: v.tolist() for k, v in gaps.tactics.items()} == {"care-desk": [30.0, 90.0]}  # x:1, then x:2
    assert gaps.objectives["dialogue"].tolist() == [30.0, 90.0]


def test_gaps_follow_the_tactics_of_the_account_each_pair_addresses(ws: Workspace) -> None:
    """A message addressing two owned accounts is two inbound pairs, each with its own reply gap and the
    tactics of its own account (`inbound_attribution`, as `measure` reads them): x:6 waited 20 minutes for
    @AcmeHelp (care-desk) and 200 for @Acme (summit-contest). Objectives pool each pair once: `permission`
    (newsletter, summit-contest) has x:6's pair with @Acme once though both its tactics label it."""
    con = open_duckdb(ws.warehouse_path)
    con.execute("""INSERT INTO inbound (message_id, platform, account, created_at, first_reply_at,
                   first_reply_minutes) VALUES
        ('x:6', 'x', 'acmehelp', '2026-04-01 10:00:00', '2026-04-01 10:20:00', 20),
        ('x:6', 'x', 'acme', '2026-04-01 10:00:00', '2026-04-01 13:20:00', 200)""")
    con.execute("CREATE TABLE inbound_attribution AS SELECT * FROM (VALUES ('x:1', 'acmehelp', 'care-desk'), "
                "('x:2', 'acmehelp', 'care-desk'), ('x:6', 'acmehelp', 'care-desk'), "
                "('x:6', 'acme', 'summit-contest'), ('x:6', 'acme', 'newsletter')) "
                "AS t(message_id, account, tactic_id)")
    con.close()
    plan = ws.plan_document().plan
    gaps = attributed_gaps(ws, plan, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert {k: v.tolist() for k, v in gaps.tactics.items()} == {
        "care-desk": [30.0, 90.0, 20.0], "summit-contest": [200.0], "newsletter": [200.0]}
    assert {k: v.tolist() for k, v in gaps.objectives.items()} == {
        "dialogue": [30.0, 90.0, 20.0], "permission": [200.0]}


def test_latest_data_date_reads_only_what_the_plan_owns(tmp_path: Path) -> None:
    """The default as-of follows the plan's ownership rule (metrics.md, "owned message"), as `measure` does: a
    later post or audience snapshot of an account the plan does not own (on a platform it lists accounts for)
    never moves it; an owned one does, as does an inbound message and an audience series on a platform the
    plan lists no accounts for (its export is of one's own account)."""
    from strategyfirst.warehouse import derive
    from tests.metrics.helpers import insert, msg

    ws = Workspace(tmp_path).ensure()
    ws.plan_path.write_text(example_plan_text(), encoding="utf-8")  # x: @AcmeHelp, @AcmeOutdoor; facebook
    plan = ws.plan_document().plan
    con = open_duckdb(ws.warehouse_path)
    # @AcmeHelp posts on March 3 (owned); a customer mentions it on March 5 (inbound); another brand on x,
    # which the source flags owned (twcs-like), posts on October 1 and a customer writes to it on October 2.
    insert(con, "messages", [msg("1", "AcmeHelp", True, "2026-03-03 09:00", text="hello"),
                             msg("2", "c1", False, "2026-03-05 10:00", text="@acmehelp hi"),
                             msg("3", "OtherBrand", True, "2026-10-01 09:00", text="not ours"),
                             msg("4", "c2", False, "2026-10-02 09:00", text="@otherbrand hi")])
    derive.refresh(con, plan)
    con.close()
    assert latest_data_date(ws) == dt.date(2026, 3, 5)  # the inbound message; October is another brand's

    def audience(day: str, platform: str, account: str) -> dict[str, object]:
        return {"date": dt.date.fromisoformat(day), "platform": platform, "account": account,
                "metric": "followers", "value": 10.0, "gained": None, "lost": None, "import_id": 1}

    con = open_duckdb(ws.warehouse_path)
    # followers of a facebook page the plan does not own (it owns "Acme Outdoor" there), in November
    insert(con, "audience", [audience("2026-11-20", "facebook", "UCI Cosmetics")])
    con.close()
    assert latest_data_date(ws) == dt.date(2026, 3, 5)
    con = open_duckdb(ws.warehouse_path)
    insert(con, "audience", [audience("2026-04-10", "Facebook", "acme outdoor")])  # owned, any case
    con.close()
    assert latest_data_date(ws) == dt.date(2026, 4, 10)
    con = open_duckdb(ws.warehouse_path)
    insert(con, "audience", [audience("2026-05-01", "x", "@AcmeHelp")])  # owned, '@' optional
    con.close()
    assert latest_data_date(ws) == dt.date(2026, 5, 1)
    con = open_duckdb(ws.warehouse_path)
    insert(con, "audience", [audience("2026-06-15", "linkedin", "Acme Company")])  # no accounts listed there
    con.close()
    assert latest_data_date(ws) == dt.date(2026, 6, 15)
