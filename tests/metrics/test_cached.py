"""The compiled-query cache of `Workspace.measure` (metrics/cached.py, metrics/compiled.py): a hit gives what a
cold run gives without Ibis; a change of plan, schema or code misses, new data does not; a damaged entry is
ignored and rebuilt."""

from __future__ import annotations

import hashlib
import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.appdb import ENV_VAR
from strategyfirst.metrics import cached
from strategyfirst.metrics import measure as uncached
from strategyfirst.plan import load
from strategyfirst.warehouse import sqlkeep
from strategyfirst.warehouse.engine import connect, open_duckdb
from strategyfirst.workspace import Workspace
from tests.metrics import dataset
from tests.metrics.helpers import insert, msg

SRC = Path(__file__).resolve().parents[2] / "src"
ASKS: list[dict[str, Any]] = [
    {},
    {"by": "account", "period": "month"},
    {"by": "tactic", "metrics": ["response_rate", "spend", "budget_burn", "audience_growth"]},
    {"by": "objective", "period": "week", "since": "2026-01-01", "until": "2026-01-31"},
    {"by": "platform", "accounts": ["@Acme"]},
]


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.delenv(ENV_VAR, raising=False)
    return dataset.workspace(tmp_path)


def entries(ws: Workspace) -> list[Path]:
    return sorted((ws.state_dir / "cache").glob("measure-*.json"))


def plain(result: Any) -> dict[str, Any]:
    return {"rows": result.rows, "data_quality": result.data_quality}


def no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make building the queries with Ibis fail: only a cache hit can measure now."""
    module = importlib.import_module("strategyfirst.metrics.measure")  # the package's `measure` is the function
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the queries were built: not a cache hit")

    monkeypatch.setattr(module, "build", fail)


def direct(ws: Workspace, **ask: Any) -> dict[str, Any]:
    """The same measurement without the cache: the Ibis expressions of `metrics.measure` on the warehouse."""
    plan = load(ws.plan_path).plan
    backend = connect(ws.warehouse_path)
    try:
        return plain(uncached(backend, plan, ask.get("by", "none"), ask.get("period", "all"), ask.get("since"),
                             ask.get("until"), ask.get("metrics"), platforms=ask.get("platforms"),
                             accounts=ask.get("accounts")))
    finally:
        backend.disconnect()


@pytest.mark.parametrize("ask", ASKS)
def test_a_hit_gives_the_cold_result(ws: Workspace, ask: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    cold = plain(ws.measure(**ask))
    assert len(entries(ws)) == 1
    no_build(monkeypatch)
    hit = plain(ws.measure(**ask))
    assert hit == cold
    assert len(entries(ws)) == 1
    # and both equal the uncached expressions run by Ibis (refreshed above, so the same derived tables)
    monkeypatch.undo()
    assert direct(ws, **ask) == cold


def test_hand_figures_through_a_hit(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws.measure(by="account", metrics=["response_rate"])
    no_build(monkeypatch)
    got = ws.measure(by="account", metrics=["response_rate"])
    # By hand (tests/metrics/dataset.py): Acme answers 2 of its 4 inbound pairs, AcmeHelp 1 of 3; the
    # Facebook page receives nothing.
    assert {r["key"]: (r["numerator"], r["denominator"]) for r in got.rows} == {
        "Acme": (2, 4), "AcmeHelp": (1, 3), "Acme Outdoor": (None, None)}


def test_a_hit_imports_no_ibis(ws: Workspace) -> None:
    script = ("import sys, json\nfrom strategyfirst.workspace import Workspace\n"
              f"r = Workspace({str(ws.root)!r}).measure(by='account', period='month')\n"
              "heavy = [m for m in ('ibis', 'sqlglot', 'pyarrow', 'pandas', 'ruamel.yaml', 'strategyfirst.plan')"
              " if m in sys.modules]\n"
              "print(json.dumps({'heavy': heavy, 'rows': len(r.rows)}))")
    env = {"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}

    def child() -> dict[str, Any]:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                              check=True)
        got: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return got

    first, second = child(), child()
    assert "ibis" in first["heavy"]  # the miss compiled the queries
    assert second["heavy"] == [] and second["rows"] == first["rows"] > 0
    # a KPI edit: the plan is parsed again (its models), the SQL kept, so still no Ibis
    text = ws.plan_path.read_text(encoding="utf-8")
    ws.plan_path.write_text(text.replace("target: 0.9}", "target: 0.95}", 1), encoding="utf-8")
    third = child()
    assert third["heavy"] == ["ruamel.yaml", "strategyfirst.plan"] and third["rows"] == first["rows"]


def burn(result: Any, tactic: str) -> tuple[float, float]:
    rows = {(r["metric"], r["key"]): r["value"] for r in result.rows}
    return rows["spend", tactic], rows["budget_burn", tactic]


def test_a_budget_or_kpi_edit_keeps_the_sql(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Budgets, KPIs and objectives' statements are read by the finishing, from the current plan: the SQL is
    kept and the figures follow the edit."""
    before = ws.measure(by="tactic", metrics=["spend", "budget_burn"])
    text = ws.plan_path.read_text(encoding="utf-8")
    assert "budget: 1000" in text and "target: 0.9}" in text
    text = text.replace("budget: 1000", "budget: 1500", 1).replace("target: 0.9}", "target: 0.95}", 1)
    ws.plan_path.write_text(text.replace("  - id: dialogue\n", "  - id: dialogue\n    statement: Talk back\n", 1),
                            encoding="utf-8")
    no_build(monkeypatch)
    after = ws.measure(by="tactic", metrics=["spend", "budget_burn"])
    assert len(entries(ws)) == 1
    # budget_burn = spend / the tactic's budget (metrics.md): the same spend over 1000, then over 1500
    spend, was = burn(before, "spring")
    assert burn(after, "spring") == (spend, pytest.approx(spend / 1500)) and was == pytest.approx(spend / 1000)
    monkeypatch.undo()
    assert direct(ws, by="tactic", metrics=["spend", "budget_burn"]) == plain(after)


def test_a_rule_edit_misses(ws: Workspace) -> None:
    """A tactic's match rule is in the SQL (the campaigns no tactic names): a new entry."""
    ws.measure(by="tactic", metrics=["spend"])
    text = ws.plan_path.read_text(encoding="utf-8")
    assert "match: {campaign: [spring]}" in text
    ws.plan_path.write_text(text.replace("match: {campaign: [spring]}", "match: {campaign: [spring, summer]}"),
                            encoding="utf-8")
    after = plain(ws.measure(by="tactic", metrics=["spend"]))
    assert len(entries(ws)) == 2
    assert direct(ws, by="tactic", metrics=["spend"]) == after


def test_new_data_reuses_the_sql(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The SQL depends on no row: after an import the kept SQL runs again, on the new data."""
    before = ws.measure(by="account", metrics=["inbound_messages", "response_rate"])
    con = open_duckdb(ws.warehouse_path)
    row = msg("new-1", "fan9", False, "2026-01-20 09:00", text="@Acme hello?")
    row["import_id"] = 2
    insert(con, "messages", [row])
    con.close()
    no_build(monkeypatch)
    after = ws.measure(by="account", metrics=["inbound_messages", "response_rate"])
    assert len(entries(ws)) == 1
    # one more unanswered inbound message to Acme: 5 messages, 2 of 5 pairs answered (2 of 4 before, by hand)
    got = {(r["metric"], r["key"]): r for r in after.rows}
    was = {(r["metric"], r["key"]): r for r in before.rows}
    assert got["inbound_messages", "Acme"]["value"] == was["inbound_messages", "Acme"]["value"] + 1
    assert (was["response_rate", "Acme"]["numerator"], was["response_rate", "Acme"]["denominator"]) == (2, 4)
    assert (got["response_rate", "Acme"]["numerator"], got["response_rate", "Acme"]["denominator"]) == (2, 5)
    monkeypatch.undo()
    assert direct(ws, by="account", metrics=["inbound_messages", "response_rate"]) == plain(after)


def test_a_schema_change_misses(ws: Workspace) -> None:
    ws.measure()
    con = open_duckdb(ws.warehouse_path)
    con.execute("ALTER TABLE messages ADD COLUMN extra INTEGER")
    con.close()
    ws.measure()
    assert len(entries(ws)) == 2


def test_a_code_change_misses(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws.measure()
    monkeypatch.setattr(sqlkeep, "_code_version", "another build of strategyfirst")
    ws.measure()
    assert len(entries(ws)) == 2


@pytest.mark.parametrize("damage", ["truncated", "garbage", "edited", "other key"])
def test_a_damaged_entry_is_ignored_and_rebuilt(ws: Workspace, damage: str) -> None:
    cold = plain(ws.measure(by="account"))
    [entry] = entries(ws)
    text = entry.read_text(encoding="utf-8")
    if damage == "truncated":
        entry.write_text(text[: len(text) // 2], encoding="utf-8")
    elif damage == "garbage":
        entry.write_bytes(b"\x00\xff not json")
    elif damage == "edited":  # valid JSON, a query changed, checksum left as it was: never trusted
        doc = json.loads(text)
        name = next(iter(doc["value"]["queries"]))
        doc["value"]["queries"][name] = "SELECT 1 AS key"
        entry.write_text(json.dumps(doc), encoding="utf-8")
    else:
        doc = json.loads(text)
        doc["key"] = "0" * 64
        entry.write_text(json.dumps(doc), encoding="utf-8")
    assert plain(ws.measure(by="account")) == cold
    assert json.loads(entry.read_text(encoding="utf-8"))["value"] is not None  # rewritten whole
    assert [p.name for p in entries(ws)] == [entry.name]


def test_bad_arguments_fail_the_same_on_a_hit(ws: Workspace) -> None:
    from strategyfirst.errors import MeasureError

    ws.measure()
    for ask, words in (({"by": "team"}, "--by 'team'"), ({"metrics": ["response_rat"]}, "did you mean"),
                       ({"since": "last week"}, "--since last week is not a date")):
        with pytest.raises(MeasureError, match=words):
            ws.measure(**ask)


def test_the_sql_reads_nothing_left_out_of_its_shape(ws: Workspace) -> None:
    """Two plans that differ in every field `recipe.sql_shape` leaves out have one shape and compile to the same
    SQL for every grouping and period; a field kept in the shape (a tactic's campaigns) changes both."""
    from strategyfirst.metrics.args import BY_CHOICES, PERIODS, request
    from strategyfirst.metrics.compiled import compile_queries
    from strategyfirst.metrics.measure import build
    from strategyfirst.metrics.recipe import NOT_IN_SQL, TACTIC_NOT_IN_SQL, sql_shape
    from strategyfirst.plan.document import loads

    ws.measure()  # the derived tables, as every cached measurement has (without them the queries recompute
    # attribution, with Ibis's random unnest names: never kept, as measure refreshes them first)
    plan = load(ws.plan_path).plan
    other = loads(dataset.PLAN_YAML.replace("organisation: Acme Outdoor",
                                            "organisation: Other\nreview: {cadence: weekly}")
                  .replace("owner: Jane", "owner: Joe\nlint: {tool_words: [synergy]}")
                  .replace("2026-12-31", "2027-03-31").replace("total: 30000, currency: EUR", "total: 9, currency: USD")
                  .replace("Build a permission asset", "Something else")
                  .replace("  - id: dialogue\n", "  - id: talk\n    statement: Talk\n")
                  .replace("target: 0.9}", "target: 0.5, baseline: 0.1}")
                  .replace("budget: 12000,", "budget: 1, owner: Ann, expected_inbound_per_week: 40,")
                  .replace("budget: 8000", "budget: 3\n    experiment: {question: Does it work?}")
                  + "readiness:\n  response: {handling_minutes: 4}\n", "strategy.yaml").plan
    dumped, dumped_other = plan.model_dump(), other.model_dump()
    assert all(dumped[k] != dumped_other[k] for k in NOT_IN_SQL)  # every field left out differs
    changed = {k for a, b in zip(dumped["tactics"], dumped_other["tactics"], strict=True) for k in a if a[k] != b[k]}
    assert changed == TACTIC_NOT_IN_SQL
    assert sql_shape(plan) == sql_shape(other)
    moved = loads(dataset.PLAN_YAML.replace("campaign: [spring]", "campaign: [spring, summer]"), "strategy.yaml").plan
    assert sql_shape(moved) != sql_shape(plan)
    backend = connect(ws.warehouse_path)
    try:
        def sql(p: Any, by: str, period: str) -> tuple[dict[str, str], dict[str, Any]]:
            exprs, recipe = build(backend, p, request(by, period, has_tactics=True))
            compiled = compile_queries(backend, exprs, recipe)
            return compiled.queries, compiled.memtables

        for by in BY_CHOICES:
            for period in PERIODS:
                assert sql(plan, by, period) == sql(other, by, period), (by, period)
        assert sql(moved, "none", "all") != sql(plan, "none", "all")  # the campaigns no tactic names
    finally:
        backend.disconnect()


def test_a_plan_edited_while_a_measurement_waits_keeps_no_sql_under_the_old_text(
        ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan's facts are read before the warehouse lock is taken; an edit landing meanwhile (an import holds
    the lock, someone saves the plan) is what the queries are built of. That SQL must not be kept under the
    older text's shape: back on that text (a revert), a measurement would run the edit's rules."""
    ask: dict[str, Any] = {"by": "tactic", "metrics": ["spend"]}
    ws.measure()  # the facts of text A are kept: the next measurement reads the plan file again on a miss
    a = ws.plan_path.read_text(encoding="utf-8")
    b = a.replace("match: {campaign: [spring]}", "match: {campaign: [autumn]}")
    assert b != a
    ws.plan_path.write_text(b, encoding="utf-8")
    under_b = direct(ws, **ask)
    ws.plan_path.write_text(a, encoding="utf-8")
    under_a = direct(ws, **ask)
    assert under_a != under_b  # the spring campaign's 100 of spend is no tactic's under B
    real = cached.kept_facts  # what `Workspace.measure` reads before the lock (the facts of A are kept)

    def edited_meanwhile(plan_path: Path, state_dir: Path) -> Any:
        facts = real(plan_path, state_dir)  # of text A
        assert facts is not None and facts.sha256 is not None
        plan_path.write_text(b, encoding="utf-8")  # saved while the measurement waits for the lock
        return facts

    monkeypatch.setattr(cached, "kept_facts", edited_meanwhile)
    ws.measure(**ask)
    monkeypatch.setattr(cached, "kept_facts", real)
    ws.plan_path.write_text(a, encoding="utf-8")  # reverted
    assert plain(ws.measure(**ask)) == under_a


def test_an_import_parses_the_plan_once_for_its_rows_and_the_facts_it_records(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan the import parsed (owned accounts, currency) is also what it records for `measure`
    (`note_facts`): one parse of the file, not a second one of the same text; the facts are the file's."""
    from strategyfirst.plan import document
    from strategyfirst.warehouse.derive import meta

    export = tmp_path / "posts.csv"
    export.write_text("message_id,platform,account,created_at,text,in_reply_to,impressions,likes\n"
                      "x:901,x,acme,2026-01-02 10:00:00,hello,,100,1\n", encoding="utf-8")
    parsed: list[str] = []
    real = document.loads
    monkeypatch.setattr(document, "loads", lambda text, file="strategy.yaml": parsed.append(file) or real(text, file))
    assert ws.ingest([export]).files[0]["status"] == "imported"
    assert parsed == ["strategy.yaml"]
    con = open_duckdb(ws.warehouse_path)
    try:
        recorded = json.loads(meta(con, cached.FACTS_KEY) or "null")
    finally:
        con.close()
    sha = hashlib.sha256(ws.plan_path.read_bytes()).hexdigest()
    expected = cached.PlanFacts.of(real(ws.plan_path.read_text(encoding="utf-8")).plan, sha).stored()
    assert recorded == {"key": cached._key(sha), "facts": expected}


def test_the_facts_of_a_plan_parsed_from_another_text_are_not_taken(ws: Workspace, tmp_path: Path) -> None:
    """A plan parsed from text the file no longer holds (edited since) is not the file's: the file is parsed.
    One parsed from the file's very text is taken as it is (here a stand-in, to show it was)."""
    from strategyfirst.plan.document import loads

    text = ws.plan_path.read_text(encoding="utf-8")
    other = text.replace("currency: EUR", "currency: USD")
    assert other != text
    usd = loads(other).plan
    assert cached.plan_facts(ws.plan_path, tmp_path / "state-a", (other, usd)).currency == "EUR"
    assert cached.plan_facts(ws.plan_path, tmp_path / "state-b", (text, usd)).currency == "USD"
