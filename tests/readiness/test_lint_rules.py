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


READINESS = """readiness:
  ownership: {owner: Jane, hours_per_week: 10}
  leadership: {support: LEADERSHIP}
  response:
    handling_minutes: 6
    staffing: [{days: every day, hours: "08-20", people: 2}]
  measurement: {baseline_captured: true, as_of: 2026-01-05}
  budget: {lasts_horizon: "yes"}
  content: {plan: true}
"""


def test_one_warning_for_the_weakest_dimension_naming_the_others() -> None:
    text = EXAMPLE + READINESS.replace("LEADERSHIP", "sceptical")
    report = lint_text(text, as_of=AS_OF)
    hits = [f for f in report.findings if f.rule.startswith("not-ready-")]
    # By hand: leadership 0 (sceptical, no sponsor), listening 0 (unanswered), guidelines 0 (unanswered); content
    # 0.5 is not below half. Three tie at 0%: the first in questionnaire order is the one warned about.
    assert [f.rule for f in hits] == ["not-ready-leadership"]
    (lead,) = hits
    lines = text.splitlines()
    assert (lead.path, lead.severity) == ("readiness.leadership", "warning")
    assert lines[lead.line - 1].strip().startswith("leadership:") and lead.column == 3
    assert lead.message.startswith("not ready: leadership support scores 0%, the weakest — ")
    assert lead.message.endswith("; also below 50%: listening before talking (0%), guidelines and escalation (0%)")
    assert "sponsor" in lead.hint and lead.hint.endswith("for the gaps of the others.")
    assert report.ok  # warnings only


def test_the_weakest_is_by_score_not_by_order() -> None:
    text = EXAMPLE + READINESS.replace("LEADERSHIP", "tolerant")
    hits = [f for f in lint_text(text, as_of=AS_OF).findings if f.rule.startswith("not-ready-")]
    # By hand: leadership 0.8 x 0.5 = 40% (tolerant, no sponsor); listening and guidelines 0%.
    assert [f.rule for f in hits] == ["not-ready-listening"]
    (listening,) = hits
    assert listening.message.endswith("; also below 50%: guidelines and escalation (0%), leadership support (40%)")
    # A dimension with no answers at all points at the readiness section itself.
    assert text.splitlines()[listening.line - 1].startswith("readiness:")


def test_a_single_weak_dimension_names_no_others() -> None:
    text = EXAMPLE + READINESS.replace("LEADERSHIP", "tolerant").replace(
        "  response:", "  listening: {done: true, weeks: 4, findings: yes}\n"
                       "  guidelines: {written: true, escalation: legal}\n  response:")
    hits = [f for f in lint_text(text, as_of=AS_OF).findings if f.rule.startswith("not-ready-")]
    # By hand: leadership 40% is the only dimension below half (listening and guidelines now 100%).
    assert [f.rule for f in hits] == ["not-ready-leadership"]
    assert "also below" not in hits[0].message and "the others" not in (hits[0].hint or "")
    assert hits[0].message.startswith("not ready: leadership support scores 40%, the weakest — ")
