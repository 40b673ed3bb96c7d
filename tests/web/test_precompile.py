"""A serving process keeps the SQL of the API's standard measurements after its warm-up (web/state.py
`_warm_up`, `ServedWorkspace.precompile`): compiled, not run, only where none is kept, never without data, and
not in an app that is not serving (the tests' TestClient)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.appdb import ENV_VAR
from strategyfirst.web import Settings, create_app
from strategyfirst.web import served as served_module
from strategyfirst.web.served import ServedWorkspace
from strategyfirst.web.state import AppState
from strategyfirst.workspace import Workspace
from tests.metrics import dataset
from tests.metrics.test_cached import direct, entries, no_build, plain


def started(served: ServedWorkspace, **flags: bool) -> None:
    """`AppState.start` over `served` alone, returning once its warm-up thread has finished."""
    state = AppState(settings=Settings(workspaces=[served.root]), db=None)  # type: ignore[arg-type]  # unused
    state.workspaces[served.slug] = served
    state.start(**flags)
    for thread in threading.enumerate():
        if thread.name == f"sf-snapshot-{served.slug}":
            thread.join(60)


def test_the_warm_up_of_a_serving_process_keeps_the_standard_sql(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    ws = dataset.workspace(tmp_path)
    ws.measure(metrics=["inbound_messages"])  # derived tables built, as after an import
    before = len(entries(ws))
    served = ServedWorkspace(ws.root)
    started(served)  # as in the TestClient app: no precompiling (and the warm-up's own measure keeps nothing)
    assert len(entries(ws)) == before
    # three of the standard groupings (compiling all 15 takes ~5 s here), one by tactic: the plan has tactics
    monkeypatch.setattr(served_module, "STANDARD_GROUPINGS", (("platform", "week"), ("objective", "month"),
                                                              ("none", "all")))
    started(served, precompile=True)
    assert len(entries(ws)) == before + 3
    with monkeypatch.context() as m:
        no_build(m)  # only kept SQL can measure now
        assert served.measure(by="objective", period="month").rows
        assert served.measure().rows
        got = plain(served.measure(by="platform", period="week"))
        assert plain(ws.measure(by="platform", period="week")) == got  # the CLI finds the same entry
        assert served.precompile() == 0  # all kept: nothing built
    assert got == direct(ws, by="platform", period="week")  # the Ibis expressions, no cache
    assert len(entries(ws)) == before + 3


def test_the_standard_groupings_are_the_apis() -> None:
    # every `by` of /measure by week, by month and over all data (not per day)
    assert sorted(served_module.STANDARD_GROUPINGS) == sorted(
        (by, period) for by in ("account", "none", "objective", "platform", "tactic")
        for period in ("all", "month", "week"))


def test_no_precompiling_without_data_or_in_an_app_not_serving(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    empty = ServedWorkspace(Workspace(tmp_path / "empty").ensure().root)
    with monkeypatch.context() as m:
        no_build(m)
        assert empty.precompile() == 0
        started(empty, wait=True, precompile=True)  # and the start-up does not fail
    assert entries(empty) == []

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(AppState, "start", lambda self, **flags: calls.append(flags))
    state = AppState(settings=Settings(workspaces=[empty.root]), db=None)  # type: ignore[arg-type]
    create_app(state.settings, state)
    create_app(state.settings, state, serving=True)
    assert [c.get("precompile") for c in calls] == [False, True]
