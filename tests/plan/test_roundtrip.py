"""Editing a plan through PlanDocument keeps its comments and key order; the saved file loads again."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from strategyfirst.errors import PlanError
from strategyfirst.plan import load, loads

EXAMPLE = resources.files("strategyfirst.plan").joinpath("example.yaml").read_text(encoding="utf-8")


def test_unchanged_document_dumps_identically() -> None:
    assert loads(EXAMPLE).dumps() == EXAMPLE


def test_set_and_save_keeps_comments_and_order(tmp_path: Path) -> None:
    doc = loads(EXAMPLE)
    doc.set(("budget", "total"), 60000)
    doc.set(("tactics", 1, "owner"), "Ana")
    doc.set(("review", "cadence"), "weekly")
    path = tmp_path / "strategy.yaml"
    doc.save(path)
    text = path.read_text(encoding="utf-8")

    # exactly three lines changed, every other line (comments included) byte for byte the same
    before, after = EXAMPLE.splitlines(), text.splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        ("budget: {total: 50000, currency: EUR}", "budget: {total: 60000, currency: EUR}"),
        ("review: {cadence: monthly}                  # weekly | monthly | quarterly",
         "review: {cadence: weekly}                   # weekly | monthly | quarterly"),
        ("    owner: Jane", "    owner: Ana"),
    ]
    assert "# the person in charge of the whole plan" in text
    assert "# direction comes from the metric registry" in text

    again = load(path)
    assert again.plan.budget is not None and again.plan.budget.total == 60000
    assert [k for k in again.tree] == [k for k in loads(EXAMPLE).tree]


def test_set_creates_missing_maps_at_the_end() -> None:
    doc = loads(EXAMPLE)
    doc.set(("lint", "tool_words"), ["metaverse"])
    text = doc.dumps()
    assert text.startswith(EXAMPLE)  # appended after everything else, nothing above touched
    assert loads(text).plan.lint is not None
    assert loads(text).plan.lint.tool_words == ["metaverse"]  # type: ignore[union-attr]


def test_save_refuses_an_invalid_plan(tmp_path: Path) -> None:
    doc = loads(EXAMPLE)
    doc.set(("review", "cadence"), "daily")
    path = tmp_path / "strategy.yaml"
    with pytest.raises(PlanError):
        doc.save(path)
    assert not path.exists()


def test_locate_points_at_keys_and_items() -> None:
    doc = loads(EXAMPLE)
    lines = EXAMPLE.splitlines()
    line, col = doc.locate(("tactics", 2, "serves"))
    assert lines[line - 1][col - 1:].startswith("serves: [permission]")
    assert lines[line - 1].strip() == "serves: [permission]" and line == 39
    line, col = doc.locate(("accounts", "x", 1))
    assert lines[line - 1][col - 1:].startswith('"@AcmeOutdoor"')
    # a path that goes beyond the file stops at the deepest node that exists
    assert doc.locate(("tactics", 0, "experiment", "until")) == doc.locate(("tactics", 0))
