"""A decision's --objective/--tactic are checked against the plan's ids, kept by the plan's content
(appdb.decide.plan_ids): an unchanged plan is not parsed again, an edited one is."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.appdb.decide import check_ids, plan_ids
from strategyfirst.errors import UsageError
from strategyfirst.plan import document
from strategyfirst.workspace import Workspace
from tests.appdb.conftest import EXAMPLE_PLAN, make_workspace

TEXT = EXAMPLE_PLAN.read_text(encoding="utf-8")


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = make_workspace(tmp_path / "acme", TEXT)
    ws.state_dir.mkdir()
    return ws


def test_ids_are_those_of_the_plan_and_read_back_without_parsing(ws: Workspace,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    plan = document.load(ws.plan_path).plan
    expected = ([o.id for o in plan.objectives], [t.id for t in plan.tactics])
    assert plan_ids(ws) == expected and expected[0] and expected[1]

    def refuse(raw: bytes, name: str = "strategy.yaml") -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(document, "load_bytes", refuse)
    assert plan_ids(Workspace(ws.root)) == expected
    with pytest.raises(UsageError, match=rf"no tactic 'tiktok' \(tactics: {', '.join(expected[1])}\)"):
        check_ids(ws, None, "tiktok")
    check_ids(ws, expected[0][0], expected[1][-1])  # known ids pass


def test_an_edited_or_broken_plan_is_read_again(ws: Workspace) -> None:
    first = plan_ids(ws)
    assert first is not None
    objective = first[0][0]
    ws.plan_path.write_text(TEXT.replace(f"id: {objective}", "id: renamed", 1), encoding="utf-8")
    edited = plan_ids(ws)
    assert edited is not None and edited[0][0] == "renamed"
    with pytest.raises(UsageError, match=f"no objective '{objective}'"):
        check_ids(ws, objective, None)
    ws.plan_path.write_text("version: [not a plan\n", encoding="utf-8")
    assert plan_ids(ws) is None
    check_ids(ws, "anything", "goes")  # a broken plan: nothing to check against
    ws.plan_path.unlink()
    assert plan_ids(ws) is None
