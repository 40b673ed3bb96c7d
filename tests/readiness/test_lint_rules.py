"""`not-ready-<dimension>` lint warnings: registered, located, and silent until the questionnaire is taken."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from strategyfirst.lint import all_rules, lint_text
from strategyfirst.readiness import DIMENSION_IDS

EXAMPLE = (Path(__file__).resolve().parents[2] / "src/strategyfirst/plan/example.yaml").read_text()
AS_OF = dt.date(2026, 3, 1)


def test_one_rule_per_dimension_is_registered() -> None:
    slugs = {r.slug: r for r in all_rules()}
    for dim in DIMENSION_IDS:
        rule = slugs[f"not-ready-{dim}"]
        assert rule.severity == "warning" and rule.summary and rule.hint


def test_silent_without_a_readiness_section() -> None:
    assert not [f for f in lint_text(EXAMPLE, as_of=AS_OF).findings if f.rule.startswith("not-ready-")]


def test_weakest_dimensions_are_pointed_at() -> None:
    text = EXAMPLE + """readiness:
  ownership: {owner: Jane, hours_per_week: 10}
  leadership: {support: sceptical}
  response:
    handling_minutes: 6
    staffing: [{days: every day, hours: "08-20", people: 2}]
  measurement: {baseline_captured: true, as_of: 2026-01-05}
  budget: {lasts_horizon: "yes"}
  content: {plan: true}
"""
    report = lint_text(text, as_of=AS_OF)
    hits = {f.rule: f for f in report.findings if f.rule.startswith("not-ready-")}
    # leadership 0 (sceptical, no sponsor), listening 0 (unanswered), guidelines 0; content 0.5: not below.
    assert sorted(hits) == ["not-ready-guidelines", "not-ready-leadership", "not-ready-listening"]
    lead = hits["not-ready-leadership"]
    lines = text.splitlines()
    assert (lead.path, lead.severity) == ("readiness.leadership", "warning")
    assert lines[lead.line - 1].strip().startswith("leadership:") and lead.column == 3
    assert "sponsor" in lead.hint and "0%" in lead.message
    # A dimension with no answers at all points at the readiness section itself.
    listening = hits["not-ready-listening"]
    assert lines[listening.line - 1].startswith("readiness:")
    assert report.ok  # warnings only
