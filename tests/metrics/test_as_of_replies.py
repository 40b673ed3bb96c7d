"""Measured up to a day (`--until D`, and so a KPI as of D), a reply written after D is not there: the message
it answers was unanswered on D, its conversation too, and the conversation's later messages did not exist.
Expected values by hand from the rows below; the stored facts (derive) and the facts recomputed from
`messages` alone give the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from strategyfirst.metrics import measure
from strategyfirst.plan import loads
from strategyfirst.warehouse import derive
from strategyfirst.warehouse.engine import ibis_backend
from tests.metrics.helpers import CARE_PLAN as PLAN
from tests.metrics.helpers import msg, warehouse

METRICS = ["inbound_messages", "response_rate", "first_response_minutes_median", "conversation_response_rate",
           "conversation_depth_mean", "dialogue_ratio"]


def _rows() -> list[dict[str, Any]]:
    return [
        # conversation 1 (started by the brand): c1 replies on the 1st, the brand answers on the 3rd (2880 min)
        msg("1", "Acme", True, "2026-02-01 09:00", text="hello"),
        msg("2", "c1", False, "2026-02-01 10:00", text="@Acme why?", reply_to="1"),
        msg("3", "Acme", True, "2026-02-03 10:00", text="@c1 because", reply_to="2"),
        # conversation 4 (the audience's): answered within 30 minutes on the 1st
        msg("4", "c2", False, "2026-02-01 12:00", text="@Acme help"),
        msg("5", "Acme", True, "2026-02-01 12:30", text="@c2 sure", reply_to="4"),
        # conversation 6 (the audience's): asked on the 2nd, answered on the 4th (2880 min), c3 thanks after
        msg("6", "c3", False, "2026-02-02 08:00", text="@acme where is my order"),
        msg("7", "Acme", True, "2026-02-04 08:00", text="@c3 on its way", reply_to="6"),
        msg("8", "c3", False, "2026-02-04 09:00", text="@Acme thanks", reply_to="7"),
    ]


def _measure(tmp_path: Path, *, stored: bool, **kw: Any) -> dict[tuple[str, str], Any]:
    con = warehouse(tmp_path, _rows())
    plan = loads(PLAN, "strategy.yaml").plan
    if stored:
        derive.refresh(con, plan)
    backend = ibis_backend(con)
    source = backend if stored else {"messages": backend.table("messages")}
    rows = measure(source, plan, metric_ids=METRICS, **kw).rows
    con.close()
    return {(r["key"], r["metric"]): r["value"] for r in rows}


@pytest.mark.parametrize("stored", [True, False], ids=["stored facts", "recomputed facts"])
def test_a_reply_after_the_day_is_not_there_yet(tmp_path: Path, stored: bool) -> None:
    got = _measure(tmp_path, stored=stored, since="2026-02-01", until="2026-02-02")
    # Inbound on the 1st and 2nd: 2, 4 and 6; only 4 was answered by the end of the 2nd (30 minutes).
    assert got[("all", "inbound_messages")] == 3
    assert got[("all", "response_rate")] == pytest.approx(1 / 3)
    assert got[("all", "first_response_minutes_median")] == pytest.approx(30)
    # Audience-started conversations 4 (answered) and 6 (not yet): 1 of 2.
    assert got[("all", "conversation_response_rate")] == pytest.approx(1 / 2)
    # Messages by the end of the 2nd: conversation 1 had 2 (1, 2), 4 had 2, 6 had 1.
    assert got[("all", "conversation_depth_mean")] == pytest.approx(5 / 3)
    # Owned messages 1 (a post) and 5 (a reply to the audience).
    assert got[("all", "dialogue_ratio")] == pytest.approx(1 / 2)


@pytest.mark.parametrize("stored", [True, False], ids=["stored facts", "recomputed facts"])
def test_up_to_a_day_after_every_reply_the_numbers_are_the_whole_datas(tmp_path: Path, stored: bool) -> None:
    got = _measure(tmp_path, stored=stored, since="2026-02-01", until="2026-02-02")
    # A window ending after the last message reads everything: 2, 4, 6 answered (and 8, received on the 4th).
    (tmp_path / "w").mkdir()
    whole = _measure(tmp_path / "w", stored=stored, until="2026-02-28")
    assert whole[("all", "inbound_messages")] == 4
    assert whole[("all", "response_rate")] == pytest.approx(3 / 4)
    assert whole[("all", "first_response_minutes_median")] == pytest.approx(2880)  # of 2880, 30, 2880
    assert whole[("all", "conversation_response_rate")] == pytest.approx(1)
    assert whole[("all", "conversation_depth_mean")] == pytest.approx(8 / 3)  # 3, 2, 3 messages
    assert got != whole
    (tmp_path / "n").mkdir()
    assert _measure(tmp_path / "n", stored=stored) == whole


@pytest.mark.parametrize("stored", [True, False], ids=["stored facts", "recomputed facts"])
def test_by_account_a_conversation_answered_later_was_not_answered(tmp_path: Path, stored: bool) -> None:
    got = _measure(tmp_path, stored=stored, by="account", since="2026-02-01", until="2026-02-02")
    assert got[("Acme", "conversation_response_rate")] == pytest.approx(1 / 2)
    assert got[("Acme", "response_rate")] == pytest.approx(1 / 3)


def test_by_tactic_the_kpi_as_of_a_day_reads_no_later_reply(tmp_path: Path) -> None:
    got = _measure(tmp_path, stored=True, by="objective", since="2026-02-01", until="2026-02-02")
    assert got[("dialogue", "response_rate")] == pytest.approx(1 / 3)
    assert got[("dialogue", "conversation_response_rate")] == pytest.approx(1 / 2)


def test_a_workspace_cuts_only_where_later_data_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the workspace (kept SQL, `metrics.cached.settled`): the cut where messages come later, none where
    nothing does (the same numbers, without the pass over the derived tables)."""
    from strategyfirst.appdb import ENV_VAR
    from strategyfirst.metrics import args
    from strategyfirst.metrics.cached import settled
    from strategyfirst.warehouse.engine import open_duckdb
    from tests.metrics.helpers import derived_workspace

    monkeypatch.delenv(ENV_VAR, raising=False)
    ws = derived_workspace(tmp_path, PLAN, _rows())
    got = ws.measure(since="2026-02-01", until="2026-02-02", metrics=METRICS)
    assert got.value("response_rate") == pytest.approx(1 / 3)
    assert got.value("conversation_response_rate") == pytest.approx(1 / 2)
    late, last = (args.request(until=day, has_tactics=True) for day in ("2026-02-03", "2026-02-04"))
    with open_duckdb(ws.warehouse_path) as con:
        assert settled(con, late).cut  # message 8 came on the 4th
        assert not settled(con, last).cut  # nothing after the 4th
    whole = ws.measure(metrics=METRICS)
    assert ws.measure(until="2026-02-04", metrics=METRICS).rows == whole.rows
    assert whole.value("response_rate") == pytest.approx(3 / 4)


def _with_an_unaddressed_message() -> list[dict[str, Any]]:
    """`_rows` and c4's message that neither mentions nor replies to Acme, inbound only by Acme's reply the next
    day (rule (b))."""
    return [*_rows(),
            msg("9", "c4", False, "2026-02-02 10:00", text="my parcel never came"),
            msg("10", "Acme", True, "2026-02-03 10:00", text="@c4 sorry, we look into it", reply_to="9")]


@pytest.mark.parametrize("stored", [True, False], ids=["stored facts", "recomputed facts"])
def test_a_message_inbound_only_by_a_later_reply_was_not_inbound_yet(tmp_path: Path, stored: bool) -> None:
    def measured(folder: str, until: str) -> dict[tuple[str, str], Any]:
        (tmp_path / folder).mkdir()
        con = warehouse(tmp_path / folder, _with_an_unaddressed_message())
        plan = loads(PLAN, "strategy.yaml").plan
        if stored:
            derive.refresh(con, plan)
        backend = ibis_backend(con)
        source = backend if stored else {"messages": backend.table("messages")}
        rows = measure(source, plan, metric_ids=METRICS, since="2026-02-01", until=until).rows
        con.close()
        return {(r["key"], r["metric"]): r["value"] for r in rows}

    # On the 2nd, nothing made message 9 Acme's: inbound are 2, 4 and 6 as without it (not 4 with 1 of 4
    # answered), and conversation 9 addressed no account (conversations 4 and 6: 1 of 2 answered, not 1 of 3).
    day2 = measured("d2", "2026-02-02")
    assert day2[("all", "inbound_messages")] == 3
    assert day2[("all", "response_rate")] == pytest.approx(1 / 3)
    assert day2[("all", "conversation_response_rate")] == pytest.approx(1 / 2)
    # On the 3rd Acme had answered it (1440 minutes): inbound 2, 4, 6, 9, answered 2 (2880), 4 (30) and 9.
    day3 = measured("d3", "2026-02-03")
    assert day3[("all", "inbound_messages")] == 4
    assert day3[("all", "response_rate")] == pytest.approx(3 / 4)
    assert day3[("all", "first_response_minutes_median")] == pytest.approx(1440)
    assert day3[("all", "conversation_response_rate")] == pytest.approx(2 / 3)  # 4 and 9 of 4, 6, 9


def test_a_warehouse_derived_before_pairs_said_how_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A schema-6 warehouse (derived tables without `inbound.addressed`) gains the column when opened (v7) and
    its derived tables are rebuilt by the next measurement, which then leaves message 9 out as of the 2nd."""
    from strategyfirst.appdb import ENV_VAR
    from strategyfirst.warehouse.engine import open_duckdb
    from tests.metrics.helpers import derived_workspace

    monkeypatch.delenv(ENV_VAR, raising=False)
    ws = derived_workspace(tmp_path, PLAN, _with_an_unaddressed_message())
    with open_duckdb(ws.warehouse_path) as con:  # as a schema-6 import left it: derived, no column
        con.execute("ALTER TABLE inbound DROP COLUMN addressed")
        con.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    with open_duckdb(ws.warehouse_path) as con:
        assert con.execute("SELECT count(*) FROM inbound WHERE addressed IS NULL").fetchone() == (5,)
    got = ws.measure(since="2026-02-01", until="2026-02-02", metrics=METRICS)
    assert got.value("inbound_messages") == 3
    assert got.value("response_rate") == pytest.approx(1 / 3)
    with open_duckdb(ws.warehouse_path) as con:
        assert con.execute("SELECT message_id FROM inbound WHERE NOT addressed").fetchall() == [("x:9",)]
