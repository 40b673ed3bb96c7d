"""Lint reports kept by content (lint_cache.py): read back only while plan, day, data and code are unchanged."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.lint import registry
from strategyfirst.lint.engine import lint_document
from strategyfirst.plan import load
from strategyfirst.workspace import Workspace

EXAMPLE_PLAN = Path(__file__).resolve().parents[2] / "src" / "strategyfirst" / "plan" / "example.yaml"
SRC = Path(__file__).resolve().parents[2] / "src"
DAY = dt.date(2026, 6, 30)
BUDGET = "budget: {total: 50000, currency: EUR}\n"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "acme"
    root.mkdir()
    (root / "strategy.yaml").write_text(EXAMPLE_PLAN.read_text(encoding="utf-8").replace(BUDGET, ""),
                                        encoding="utf-8")  # one warning: no-budget
    return Workspace(root)


def _entries(ws: Workspace) -> list[Path]:
    return sorted((ws.state_dir / "cache").glob("lint-*.json"))


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Workspace, path: object = None) -> None:
        raise AssertionError("the plan was parsed")

    monkeypatch.setattr(Workspace, "plan_document", refuse)


def test_an_unchanged_plan_is_read_back_not_linted_again(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    first = ws.lint(as_of=DAY)
    assert first == lint_document(load(ws.plan_path), as_of=DAY)  # linted as without a cache
    assert [f.rule for f in first.findings] == ["no-budget"]
    assert len(_entries(ws)) == 1
    _no_parsing(monkeypatch)
    again = Workspace(ws.root).lint(as_of=DAY)
    assert again == first and again.to_json() == first.to_json()


def test_another_text_or_day_is_linted_anew(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    first = ws.lint(as_of=DAY)
    later = ws.lint(as_of=DAY + dt.timedelta(days=400))
    assert later.as_of != first.as_of and later == lint_document(load(ws.plan_path), as_of=later.as_of)
    ws.plan_path.write_text(EXAMPLE_PLAN.read_text(encoding="utf-8"), encoding="utf-8")  # the budget back
    edited = Workspace(ws.root).lint(as_of=DAY)
    assert edited.findings == () and first.findings != ()
    assert len(_entries(ws)) == 3


def test_a_warehouse_lint_could_not_read_keeps_nothing(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    ws.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    ws.warehouse_path.write_bytes(b"not a DuckDB file")  # unreadable: the data rules cannot run
    ws.lint(as_of=DAY)
    assert _entries(ws) == []


@pytest.fixture
def own_rule() -> Iterator[registry.Rule]:
    def check(ctx: registry.LintContext) -> Iterator[registry.Hit]:
        yield registry.Hit(("organisation",), "a rule of this process")

    rule = registry.register(registry.Rule("own-rule", "warning", "test", "none", check))
    try:
        yield rule
    finally:
        registry.RULES.remove(rule)


def test_rules_of_ones_own_are_never_answered_from_the_cache(ws: Workspace, own_rule: registry.Rule) -> None:
    registry.RULES.remove(own_rule)
    plain = ws.lint(as_of=DAY)
    registry.RULES.append(own_rule)
    with_own = Workspace(ws.root).lint(as_of=DAY)
    assert "own-rule" in with_own.rules() and "own-rule" not in plain.rules()
    assert len(_entries(ws)) == 1  # kept: the built-in rules' report only


def test_the_cli_on_a_kept_report_loads_no_plan_parser_nor_duckdb(ws: Workspace) -> None:
    probe = ("import contextlib, io, sys\nfrom strategyfirst.cli import main\n"
             f"sys.argv = ['strategyfirst', 'lint', '-w', {str(ws.root)!r}, '--as-of', '2026-06-30']\n"
             "out = io.StringIO()\nwith contextlib.redirect_stdout(out):\n    try:\n        main()\n"
             "    except SystemExit:\n        pass\n"
             "print('LOADED:', *(m for m in ('pydantic', 'ruamel', 'duckdb') if m in sys.modules))\n"
             "sys.__stdout__.write('OUT:' + out.getvalue())")
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "120"}
    runs = [subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
            for _ in range(2)]
    (loaded1, out1), (loaded2, out2) = (r.stdout.split("OUT:", 1) for r in runs)
    assert "pydantic" in loaded1 and loaded2.split("LOADED:", 1)[1].split() == []
    assert out2 == out1 and "Warnings" in out1


def test_a_plan_edited_while_linting_is_not_kept_under_the_older_text(ws: Workspace,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The key names the plan text read before the plan is parsed: a report of an edit saved in between is not
    kept under the older text (a revert would show the edit's findings)."""
    a = ws.plan_path.read_text(encoding="utf-8")
    b = a.replace("version: 1\n", "version: 1\n" + BUDGET, 1)  # the budget back: no finding
    assert b != a
    under_a = Workspace(ws.root).lint(as_of=DAY)
    assert [f.rule for f in under_a.findings] == ["no-budget"]
    for entry in _entries(ws):
        entry.unlink()
    real = Workspace.plan_document

    def edited_meanwhile(self: Workspace, path: object = None) -> Any:
        ws.plan_path.write_text(b, encoding="utf-8")
        return real(self, path)  # type: ignore[arg-type]

    monkeypatch.setattr(Workspace, "plan_document", edited_meanwhile)
    assert Workspace(ws.root).lint(as_of=DAY).findings == ()  # the edit's report
    monkeypatch.setattr(Workspace, "plan_document", real)
    ws.plan_path.write_text(a, encoding="utf-8")  # reverted
    assert Workspace(ws.root).lint(as_of=DAY) == under_a
