"""plan_capacity on a real workspace: a DuckDB warehouse with hand-made inbound traffic, a declared team."""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
from pathlib import Path

import pytest

from strategyfirst import Workspace
from strategyfirst.capacity import plan_capacity
from strategyfirst.errors import UsageError
from strategyfirst.plan.document import loads
from strategyfirst.warehouse.engine import open_duckdb

EXAMPLE = (Path(__file__).resolve().parents[2] / "src/strategyfirst/plan/example.yaml").read_text()
READINESS = """readiness:
  response:
    handling_minutes: 6
    staffing:
      - {days: mon-fri, hours: "09-17", people: 2}
"""
MONDAY = dt.datetime(2026, 3, 2)  # a Monday; four full weeks of traffic follow


def traffic() -> list[dt.datetime]:
    """Each week: 30 messages in each hour Mon 09-12 and 6 at Tue 14; plus one message at the very start
    (Mon 00:00, week 1) and one at the very end (Sun 23:30, week 4) so the span is exactly 4 weeks."""
    times = [MONDAY, MONDAY + dt.timedelta(days=27, hours=23, minutes=30)]
    for week in range(4):
        base = MONDAY + dt.timedelta(weeks=week)
        for hour in (9, 10, 11):
            times += [base + dt.timedelta(hours=hour, minutes=2 * i) for i in range(30)]
        times += [base + dt.timedelta(days=1, hours=14, minutes=10 * i) for i in range(6)]
    return times


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two warehouse files built once (migrations are slow): traffic in `inbound`, or only in `messages`."""
    out = {}
    rows = [(f"x:{i}", t) for i, t in enumerate(traffic())]
    for table in ("inbound", "messages"):
        path = tmp_path_factory.mktemp(table) / "warehouse.duckdb"
        con = open_duckdb(path)
        if table == "inbound":
            con.executemany("INSERT INTO inbound (message_id, platform, account, created_at) "
                            "VALUES (?, 'x', 'acmehelp', ?)", rows)
        else:
            con.executemany("INSERT INTO messages (message_id, platform, account, owned, created_at, "
                            "time_precision, kind, import_id) "
                            "VALUES (?, 'x', 'someone', false, ?, 'second', 'reply', 1)", rows)
        con.close()
        out[table] = path
    return out


def make_workspace(root: Path, warehouse: Path, *, plan_extra: str = READINESS,
                   example: str = EXAMPLE) -> Workspace:
    ws = Workspace(root)
    ws.ensure()
    ws.plan_path.write_text(example + plan_extra, encoding="utf-8")
    shutil.copyfile(warehouse, ws.warehouse_path)
    return ws


@pytest.mark.parametrize("table", ["inbound", "messages"])
def test_gaps_named_from_measured_volume(tmp_path: Path, table: str, warehouses: dict[str, Path]) -> None:
    cp = plan_capacity(make_workspace(tmp_path, warehouses[table]))
    assert cp.volume_source == table
    assert cp.weeks_of_data == pytest.approx(4.0)
    assert cp.messages == 4 * (90 + 6) + 2
    assert cp.target_minutes == 60  # the example plan's first_response_minutes_median target
    by = {(r.weekday, r.hour): r for r in cp.hours}
    assert len(cp.hours) == 168
    # Mon 09: 120 messages over 4 Mondays = 30/h; × 6 min = 3 Erlangs. Four people are the smallest team that
    # keeps up (N > A), and with a 60-minute target (10 handling times) they answer nearly all in time.
    assert by["mon", 9].arrivals_per_hour == pytest.approx(30.0)
    assert (by["mon", 9].needed, by["mon", 9].declared, by["mon", 9].shortfall) == (4, 2.0, 2.0)
    # Tue 14: 6/h -> 0.6 Erlangs; one person: SL = 1 - 0.6·e^(-0.4·10) = 0.989 >= 0.9.
    assert (by["tue", 14].needed, by["tue", 14].shortfall) == (1, 0.0)
    # With the 2 declared: C(2, 0.6) = (0.18·2/1.4)/(1.6 + 0.18·2/1.4) = 0.1385; SL = 1 - 0.1385·e^(-14).
    assert by["tue", 14].service_level_declared == pytest.approx(1 - 0.36 / 1.4 / (1.6 + 0.36 / 1.4)
                                                                 * math.exp(-1.4 * 10), abs=1e-12)
    assert by["mon", 0].arrivals_per_hour == pytest.approx(0.25)
    assert by["wed", 3].needed == 0 and by["wed", 3].service_level_declared is None
    assert cp.gaps == [
        "Mondays 00–01: nobody on duty, 1 person needed",
        "Mondays 09–12: 2 people short",
        "Sundays 23–24: nobody on duty, 1 person needed",
    ]
    heat = cp.heatmap()
    assert [r["weekday"] for r in heat] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert heat[0]["shortfall"][8:13] == [0.0, 2.0, 2.0, 2.0, 0.0] and heat[0]["shortfall"][0] == 1.0
    assert all(len(r["shortfall"]) == 24 for r in heat)
    data = json.loads(cp.to_json())
    assert len(data["hours"]) == 168 and data["gaps"][1]["people_short"] == 2.0
    assert data["gaps"][1]["statement"] == "Mondays 09–12: 2 people short"


def test_forecast_from_a_tactic_with_expected_inbound(tmp_path: Path, warehouses: dict[str, Path]) -> None:
    # The summit contest (May-June) brings 96.5 extra messages a week, as many as the measured week
    # (3 × 30 + 6 + 0.25 + 0.25), spread like it: every hour doubles. Mon 09-12 -> 60/h = 6 Erlangs
    # -> 7 people (5 short of 2); Tue 14 -> 12/h = 1.2 Erlangs -> 2 people (declared 2: fine).
    plan = EXAMPLE.replace("    period: {start: 2026-05-01, end: 2026-06-30}\n",
                           "    period: {start: 2026-05-01, end: 2026-06-30}\n"
                           "    expected_inbound_per_week: 96.5\n")
    cp = plan_capacity(make_workspace(tmp_path, warehouses["inbound"], example=plan))
    (spike,) = cp.forecasts
    assert (spike.start, spike.end, spike.tactics) == (dt.date(2026, 5, 1), dt.date(2026, 6, 30),
                                                       ("summit-contest",))
    assert spike.gaps == ["Mondays 00–01: nobody on duty, 1 person needed", "Mondays 09–12: 5 people short",
                          "Sundays 23–24: nobody on duty, 1 person needed"]
    assert spike.extra_people_hours_per_week == 3 * 3 + 1
    assert json.loads(cp.to_json())["forecasts"][0]["start"] == "2026-05-01"


def test_time_zone_shifts_the_hours(tmp_path: Path, warehouses: dict[str, Path]) -> None:
    # Europe/Paris is UTC+1 in March (before the last Sunday): the Monday 09-12 UTC peak is 10-13 local.
    extra = READINESS.replace("handling_minutes: 6", "handling_minutes: 6\n    timezone: Europe/Paris")
    cp = plan_capacity(make_workspace(tmp_path, warehouses["inbound"], plan_extra=extra))
    assert "Mondays 10–13: 2 people short" in cp.gaps


def test_explicit_target_and_bad_input(tmp_path: Path, warehouses: dict[str, Path]) -> None:
    ws = make_workspace(tmp_path, warehouses["inbound"])
    # A 1-minute target: Mon 09 (A = 3) needs more than the bare 4.
    assert {(r.weekday, r.hour): r.needed for r in plan_capacity(ws, target_minutes=1).hours}["mon", 9] > 4
    with pytest.raises(UsageError):
        plan_capacity(ws, service_level=1.5)
    ws.plan_path.write_text(EXAMPLE, encoding="utf-8")  # no readiness.response
    with pytest.raises(UsageError, match="handling_minutes"):
        plan_capacity(ws)


def test_no_warehouse_yet(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.plan_path.parent.mkdir(parents=True, exist_ok=True)
    ws.plan_path.write_text(EXAMPLE + READINESS, encoding="utf-8")
    cp = plan_capacity(ws)
    assert cp.gaps == [] and cp.volume_source == "none" and cp.expected_service_level is None
    assert any("ingest" in n for n in cp.notes)
    assert loads(ws.plan_path.read_text()).plan.readiness is not None
