"""SQL compiled ahead of time (metrics/shipped.py, shipped_sql.json): the file is what Ibis compiles now; a
first measurement by none, account or platform runs it without building anything, with the numbers of the
Ibis-compiled SQL and of hand counts, for a plan whose accounts and rules differ from those it was compiled
with; what the shipped file does not cover is compiled as before."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.appdb import ENV_VAR
from strategyfirst.errors import MeasureError
from strategyfirst.metrics import shipped
from strategyfirst.metrics.registry import ORDER
from strategyfirst.workspace import Workspace
from tests.metrics import dataset
from tests.metrics.test_cached import direct, entries, plain

DIALOGUE = ["response_rate", "first_response_minutes_median", "first_response_minutes_p90"]


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.delenv(ENV_VAR, raising=False)
    # the dataset's plan: accounts, rules, campaigns ("spring"), objectives and budgets all its own
    return dataset.workspace(tmp_path)


class Built(Exception):
    pass


@contextmanager
def no_build() -> Iterator[None]:
    """Building queries with Ibis raises `Built` for the while: only kept or shipped SQL can measure."""
    module = importlib.import_module("strategyfirst.metrics.measure")

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise Built

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(module, "build", fail)
        yield


def outcome(fn: Any, **ask: Any) -> Any:
    try:
        got = fn(**ask)
        return got if isinstance(got, dict) else plain(got)
    except MeasureError as exc:  # a period finer than the data's precision fails the same either way
        return f"MeasureError: {exc}"


def test_the_shipped_file_is_what_ibis_compiles_now() -> None:
    """Fails when a change of the metrics, the warehouse's schema, Ibis or DuckDB changes the SQL: run
    `make shipped-sql` (python -m strategyfirst.metrics.shipped --write) and commit the file."""
    assert shipped.FILE.read_text(encoding="utf-8") == shipped.render(shipped.generate_fresh()), \
        "metrics/shipped_sql.json is stale: make shipped-sql"


def test_hand_figures_from_shipped_sql(ws: Workspace) -> None:
    with no_build():
        got = ws.measure(by="account", metrics=["response_rate"])
        by_platform = ws.measure(by="platform", metrics=["inbound_messages"])
    # By hand (tests/metrics/dataset.py): Acme answers 2 of its 4 inbound pairs, AcmeHelp 1 of 3; the
    # Facebook page receives nothing.
    assert {r["key"]: (r["numerator"], r["denominator"]) for r in got.rows} == {
        "Acme": (2, 4), "AcmeHelp": (1, 3), "Acme Outdoor": (None, None)}
    # inbound pairs by platform: those 7, all on X (messages 1, 4 to AcmeHelp; 7, 11, 14 to Acme; 5 to both)
    assert {r["key"]: r["value"] for r in by_platform.rows} == {"x": 7}
    assert len(entries(ws)) == 2  # kept as compiled SQL is


@pytest.mark.parametrize("by", shipped.GROUPINGS)
def test_shipped_sql_gives_the_ibis_numbers(ws: Workspace, by: str) -> None:
    """Every period, every metric, the dialogue three and each metric alone (under one grouping): the shipped
    SQL (nothing built) equals the Ibis expressions of `metrics.measure` compiled and run now."""
    asks: list[dict[str, Any]] = [{"by": by, "period": p} for p in shipped.PERIODS]
    asks += [{"by": by, "period": p, "metrics": DIALOGUE} for p in shipped.PERIODS]
    # each metric alone under one of the groupings, by month or over all
    asks += [{"by": by, "period": "month" if i % 2 else "all", "metrics": [m]} for i, m in enumerate(ORDER)
             if shipped.GROUPINGS[i % len(shipped.GROUPINGS)] == by]
    ws.measure(by="tactic")  # the derived tables (compiled, by tactic: not shipped)
    for entry in entries(ws):
        entry.unlink()
    for ask in asks:
        with no_build():
            got = outcome(ws.measure, **ask)
        assert got == outcome(direct, ws=ws, **ask), ask


def test_a_workspace_without_plan_accounts_gets_it_back_and_the_shipped_sql(ws: Workspace) -> None:
    """A workspace derived before `plan_accounts` existed: its next measurement writes that table (the plan's
    accounts) and runs the shipped SQL, nothing built; before, it matched no shipped schema and compiled."""
    import duckdb

    ws.measure(by="tactic")  # the derived tables (compiled, by tactic: not shipped)
    for entry in entries(ws):
        entry.unlink()
    con = duckdb.connect(str(ws.warehouse_path))
    con.execute("DROP TABLE plan_accounts")
    con.close()
    with no_build():
        got = ws.measure(by="account", metrics=["response_rate"])
    # as test_hand_figures_from_shipped_sql: Acme answers 2 of its 4 inbound pairs, AcmeHelp 1 of 3
    assert {r["key"]: (r["numerator"], r["denominator"]) for r in got.rows} == {
        "Acme": (2, 4), "AcmeHelp": (1, 3), "Acme Outdoor": (None, None)}
    # the plan's accounts (tests/metrics/dataset.py): x "@Acme", "@AcmeHelp"; facebook "Acme Outdoor"
    assert sorted((r["platform"], r["account"]) for r in ws.query("SELECT * FROM plan_accounts")) == [
        ("facebook", "acme outdoor"), ("x", "acme"), ("x", "acmehelp")]


def test_what_is_not_shipped_is_compiled(ws: Workspace) -> None:
    ws.measure(by="account")
    with no_build():
        for ask in ({"by": "tactic"}, {"by": "objective", "period": "month"},
                    {"by": "account", "since": "2026-01-01"}, {"by": "none", "platforms": ["x"]}):
            with pytest.raises(Built):
                ws.measure(**ask)
        # a campaign whose spelling in SQL is left to Ibis (a backslash)
        ws.plan_path.write_text(dataset.PLAN_YAML.replace("campaign: [spring]", "campaign: ['spring\\2026']"),
                                encoding="utf-8")
        with pytest.raises(Built):
            ws.measure(by="account")
    assert plain(ws.measure(by="none")) == direct(ws, by="none")


def test_other_campaigns_take_the_stand_in_place(ws: Workspace) -> None:
    """A plan naming other campaigns than any shipped plan (quotes, accents, several) measures from the
    shipped SQL, nothing built, with the numbers of its own Ibis-compiled SQL."""
    ws.plan_path.write_text(dataset.PLAN_YAML.replace("campaign: [spring]", "campaign: [\"Spring \", \"it's\", Été]"),
                            encoding="utf-8")
    ws.measure(by="tactic")  # the derived tables (compiled, by tactic: not shipped)
    for entry in entries(ws):
        entry.unlink()
    for ask in ({"by": "none"}, {"by": "account", "period": "month"}):
        with no_build():
            got = outcome(ws.measure, **ask)
        assert got == outcome(direct, ws=ws, **ask), ask


def test_a_standard_shape_decides_the_sql(ws: Workspace) -> None:
    """Plans of one standard shape but other accounts, rules, objectives and budgets compile to the same SQL for
    every shipped grouping and period; another campaign changes the SQL exactly where the shipped SQL takes the
    plan's campaigns in place of the stand-in."""
    from strategyfirst.metrics.args import request
    from strategyfirst.metrics.cached import schema
    from strategyfirst.metrics.compiled import compile_queries
    from strategyfirst.metrics.measure import build
    from strategyfirst.metrics.recipe import standard_shape
    from strategyfirst.plan import load
    from strategyfirst.plan.document import loads
    from strategyfirst.warehouse.engine import connect

    ws.measure()  # the derived tables
    demo = shipped.plans()[1]
    mine = loads(dataset.PLAN_YAML.replace("campaign: [spring]", f"campaign: [{shipped.STAND_IN}]"),
                 "strategy.yaml").plan
    assert demo is not None and mine is not None
    assert standard_shape(mine) == standard_shape(demo)
    assert mine.accounts != demo.accounts and [t.match for t in mine.tactics] != [t.match for t in demo.tactics]
    other = load(ws.plan_path).plan  # campaign "spring"
    assert other is not None and standard_shape(other) != standard_shape(demo)
    backend = connect(ws.warehouse_path)
    try:
        def sql(p: Any, by: str, period: str) -> dict[str, Any]:
            exprs, recipe = build(backend, p, request(by, period, has_tactics=True))
            return compile_queries(backend, exprs, recipe).to_dict()

        for by in shipped.GROUPINGS:
            for period in shipped.PERIODS:
                a, b = sql(mine, by, period), sql(demo, by, period)
                for got in (a, b):  # the finishing's plan parts come from the current plan, not the SQL's
                    for part in ("extra_keys", "names", "budgets"):
                        got["recipe"].pop(part)
                assert a == b, (by, period)
        assert sql(other, "none", "all")["queries"] != sql(demo, "none", "all")["queries"]
        # the plan's campaigns in place of the stand-in: what Ibis compiles for that plan, quotes and all
        odd = loads(dataset.PLAN_YAML.replace("campaign: [spring]", "campaign: [\"it's\", \" Été \", b, B]"),
                    "strategy.yaml").plan
        assert odd is not None
        warehouse_schema = schema(backend.con)
        for by in shipped.GROUPINGS:
            for period in shipped.PERIODS:
                got = shipped.lookup(warehouse_schema, request(by, period, has_tactics=True), standard_shape(odd))
                assert got is not None, (by, period)
                assert got.to_dict()["queries"] == sql(odd, by, period)["queries"], (by, period)
    finally:
        backend.disconnect()


def test_a_shipped_file_for_another_schema_is_not_used(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    data = shipped._data()
    assert data is not None
    monkeypatch.setattr(shipped, "_loaded", {**data, "schema": "another"})
    with no_build(), pytest.raises(Built):
        ws.measure(by="account")


FIRST = ("import sys, json\nfrom strategyfirst.workspace import Workspace\n"
         "r = Workspace(sys.argv[1]).measure(by='account', period='month', metrics=sys.argv[2].split(','))\n"
         "heavy = [m for m in ('ibis', 'sqlglot', 'ruamel.yaml', 'strategyfirst.plan') if m in sys.modules]\n"
         "print(json.dumps({'heavy': heavy, 'rows': r.rows}, default=str))")


def first_measure(root: Path) -> dict[str, Any]:
    """A measurement in a new process with nothing kept in the cache: which heavy modules it imported."""
    import json
    import subprocess
    import sys

    for entry in (root / ".strategyfirst" / "cache").glob("*.json"):
        entry.unlink()
    env = {"PYTHONPATH": str(Path(shipped.__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", FIRST, str(root), ",".join(DIALOGUE)], env=env,
                          capture_output=True, text=True, check=True)
    got: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return got


def test_the_first_measurement_after_an_import_parses_no_plan(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The import records what `measure` needs of the plan text it read (metrics.cached.note_facts): the first
    measurement afterwards neither parses the plan nor compiles; after an edit of the plan it parses it again
    (an invalid plan still fails as one)."""
    import json
    import subprocess
    import sys

    from strategyfirst.errors import PlanError
    from strategyfirst.metrics.cached import FACTS_KEY
    from strategyfirst.simulate import ingest_simulated, simulate, simulated_files
    from strategyfirst.warehouse.derive import meta
    from strategyfirst.warehouse.engine import open_duckdb

    monkeypatch.delenv(ENV_VAR, raising=False)
    root = tmp_path / "org"
    simulate(root, events=800, seed=3)
    ws = Workspace(root)
    twcs = simulated_files(root)["twcs"]
    env = {"PYTHONPATH": str(Path(shipped.__file__).resolve().parents[2]), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "strategyfirst", "ingest", "-w", str(root), *map(str, twcs)], env=env,
                   capture_output=True, text=True, check=True)  # the command line's import
    assert first_measure(root)["heavy"] == []
    con = open_duckdb(ws.warehouse_path)
    try:
        con.execute(f"DELETE FROM meta WHERE key = '{FACTS_KEY}'")
    finally:
        con.close()
    assert "strategyfirst.plan" in first_measure(root)["heavy"]  # nothing recorded: the plan is parsed
    ingest_simulated(ws, {"twcs": twcs})  # already imported: nothing stored, nothing recorded
    con = open_duckdb(ws.warehouse_path)
    try:
        assert meta(con, FACTS_KEY) is None
    finally:
        con.close()
    ingest_simulated(ws, simulated_files(root))  # the library's import: every other file
    first = first_measure(root)
    assert first["heavy"] == []
    expected = json.loads(json.dumps(direct(ws, by="account", period="month", metrics=DIALOGUE)["rows"],
                                     default=str))
    assert first["rows"] == expected and expected
    text = ws.plan_path.read_text(encoding="utf-8")
    edited = text.replace("target: 0.85", "target: 0.8", 1)
    assert edited != text
    ws.plan_path.write_text(edited, encoding="utf-8")
    second = first_measure(root)
    assert "strategyfirst.plan" in second["heavy"] and "ibis" not in second["heavy"]
    assert second["rows"] == expected
    ws.plan_path.write_text(text + "\ntactics: 3\n", encoding="utf-8")
    for entry in (root / ".strategyfirst" / "cache").glob("*.json"):
        entry.unlink()
    with pytest.raises(PlanError):
        ws.measure(by="account")
