"""plan.diff: the unified text diff and the structured summary of what changed."""

from __future__ import annotations

from importlib import resources

import pytest

from strategyfirst.errors import PlanError
from strategyfirst.plan.diff import diff_plans, summarise_changes

OLD = resources.files("strategyfirst.plan").joinpath("example.yaml").read_text(encoding="utf-8")


def test_equal_texts_give_no_diff() -> None:
    assert diff_plans(OLD, OLD) == ""
    assert summarise_changes(OLD, OLD).is_empty
    assert summarise_changes(OLD, OLD).lines() == []


def test_unified_diff_of_one_changed_line() -> None:
    new = OLD.replace("    budget: 12000\n", "    budget: 15000\n")
    diff = diff_plans(OLD, new)
    lines = diff.splitlines()
    assert lines[0] == "--- a/strategy.yaml" and lines[1] == "+++ b/strategy.yaml"
    assert [ln for ln in lines if ln.startswith(("-", "+")) and not ln.startswith(("---", "+++"))] == \
        ["-    budget: 12000", "+    budget: 15000"]
    # `budget: 12000` is line 35 of the example: the hunk starts 3 context lines earlier, at 32, and spans 7
    assert lines[2] == "@@ -32,7 +32,7 @@"


def test_missing_final_newline_does_not_glue_lines() -> None:
    diff = diff_plans("a: 1", "a: 2")
    assert "-a: 1\n+a: 2\n" in diff


SUMMIT = ("  - id: summit-contest\n    channel: instagram\n    serves: [permission]\n    owner: Lee\n"
          "    budget: 8000\n    period: {start: 2026-05-01, end: 2026-06-30}\n"
          "    match: {hashtags: [\"#AcmeSummit\"], campaign: summit}\n")


def test_structured_changes() -> None:
    new = (OLD
           .replace("    budget: 12000\n", "    budget: 15000\n")  # care-desk changed
           .replace(SUMMIT, "")  # summit-contest removed
           .replace("{metric: response_rate, target: 0.9}", "{metric: response_rate, target: 0.95}")
           .replace("owner: Jane Doe <jane@acme.example>", "owner: Ana Lima <ana@acme.example>"))
    new += ("  - id: trail-talks\n    channel: youtube\n    serves: [dialogue]\n    owner: Lee\n"
            "    budget: 1000\n"
            "    match: {platform: youtube}\n")
    changes = summarise_changes(OLD, new)
    assert changes.tactics.added == ("trail-talks",)
    assert changes.tactics.removed == ("summit-contest",)
    assert changes.tactics.changed == ("care-desk",)
    assert changes.kpis.changed == ("dialogue/response_rate",)
    assert not changes.objectives
    assert changes.other == ("owner",)
    assert changes.lines() == [
        "tactics added: trail-talks", "tactics removed: summit-contest", "tactics changed: care-desk",
        "KPIs changed: dialogue/response_rate", "also changed: owner",
    ]
    assert changes.to_dict()["tactics"] == {"added": ["trail-talks"], "removed": ["summit-contest"],
                                            "changed": ["care-desk"]}


def test_objective_added_with_its_kpi() -> None:
    new = OLD.replace("tactics:\n", "  - id: reach\n    statement: Be known in trail clubs\n    kpis:\n"
                                    "      - {metric: reach, target: 10000}\ntactics:\n")
    changes = summarise_changes(OLD, new)
    assert changes.objectives.added == ("reach",)
    assert changes.kpis.added == ("reach/reach",)
    assert not changes.tactics


def test_unreadable_version_is_a_plan_error() -> None:
    with pytest.raises(PlanError):
        summarise_changes(OLD, "owner: [")
