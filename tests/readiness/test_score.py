"""Readiness scores per dimension, worked out by hand from the scoring rules in docs/readiness.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.plan import loads
from strategyfirst.readiness import DIMENSION_IDS, QUESTIONS, score_readiness
from strategyfirst.readiness.score import SCORERS

EXAMPLE = (Path(__file__).resolve().parents[2] / "src/strategyfirst/plan/example.yaml").read_text()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "readiness.md"


def scores(section: str) -> dict[str, float]:
    plan = loads(EXAMPLE + section).plan
    return {d.dimension: d.score for d in score_readiness(plan).dimensions}


def test_no_section_scores_zero_everywhere() -> None:
    result = score_readiness(loads(EXAMPLE).plan)
    assert not result.answered and result.overall == 0
    assert all(d.status == "not_ready" and d.gaps for d in result.dimensions)


def test_partial_answers_by_hand() -> None:
    s = scores("""readiness:
  ownership: {owner: Jane, hours_per_week: 4}       # 0.4 + 0.6 × 4/8 = 0.7
  leadership: {support: tolerant}                   # 0.8 × 0.5 = 0.4
  listening: {done: true, weeks: 2}                 # 0.5 + 0.3 × 2/4 = 0.65
  guidelines: {written: true}                       # 0.5
  response:                                         # 0.25 + 0.5 + 0.25 × 5/7
    handling_minutes: 5
    staffing: [{days: mon-fri, hours: "09-17", people: 1}]
  measurement: {baseline_captured: true}            # 0.8 (no date)
  budget: {funded_until: 2026-07-02}                # (Jul 2 - Jan 1) / (Dec 31 - Jan 1) = 182/364 = 0.5
  content: {plan: false, tied_to_objectives: true}  # 0.5
""")
    assert s == pytest.approx({"ownership": 0.7, "leadership": 0.4, "listening": 0.65, "guidelines": 0.5,
                               "response": 0.75 + 0.25 * 5 / 7, "measurement": 0.8, "budget": 0.5,
                               "content": 0.5})


def test_full_marks() -> None:
    s = scores("""readiness:
  ownership: {owner: Jane, hours_per_week: 12}
  leadership: {support: committed, sponsor: COO}
  listening: {done: true, weeks: 6, findings: they ask about repairs}
  guidelines: {written: true, escalation: product team}
  response:
    handling_minutes: 5
    staffing: [{days: every day, hours: "08-20", people: 1}]
  measurement: {baseline_captured: true, as_of: 2026-01-05}
  budget: {lasts_horizon: "yes"}
  content: {plan: true, tied_to_objectives: true}
""")
    assert set(s.values()) == {1.0}
    result = score_readiness(loads(EXAMPLE + "readiness: {budget: {lasts_horizon: 'no'}}").plan)
    budget = next(d for d in result.dimensions if d.dimension == "budget")
    assert budget.score == 0 and "Fund the whole horizon" in budget.gaps[0]


def test_every_dimension_has_questions_a_scorer_and_docs() -> None:
    assert set(SCORERS) == set(DIMENSION_IDS)
    assert {q.dimension for q in QUESTIONS} == set(DIMENSION_IDS)
    docs = DOCS.read_text(encoding="utf-8")
    for dim in DIMENSION_IDS:
        assert f"`not-ready-{dim}`" in docs
    for q in QUESTIONS:
        assert f"`{q.field}`" in docs, q.id
