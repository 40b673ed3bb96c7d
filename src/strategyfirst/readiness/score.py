"""Score each readiness dimension from 0 to 1 and say what to do about every gap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from strategyfirst.plan.model import Plan
from strategyfirst.plan.readiness import WEEKDAY_NAMES, Readiness
from strategyfirst.readiness.questions import DIMENSIONS

Status = Literal["ready", "partial", "not_ready"]
READY, PARTIAL = 0.8, 0.5          # score thresholds of "ready" and "partial"
MIN_OWNER_HOURS = 8.0              # hours a week that keep a conversation going
MIN_LISTENING_WEEKS = 4.0


@dataclass(frozen=True)
class DimensionScore:
    """One dimension's score (0-1), its status and what to do about each gap."""

    dimension: str
    title: str
    score: float
    gaps: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return "ready" if self.score >= READY else "partial" if self.score >= PARTIAL else "not_ready"

    def to_dict(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "title": self.title, "score": round(self.score, 3),
                "status": self.status, "gaps": list(self.gaps)}


@dataclass(frozen=True)
class ReadinessScore:
    """Scores of every dimension, in questionnaire order."""

    dimensions: list[DimensionScore]
    answered: bool                     # the plan has a `readiness` section at all

    @property
    def overall(self) -> float:
        return sum(d.score for d in self.dimensions) / len(self.dimensions)

    def weakest(self, below: float = PARTIAL) -> list[DimensionScore]:
        """Dimensions scoring under `below`, weakest first."""
        return sorted((d for d in self.dimensions if d.score < below), key=lambda d: d.score)

    def to_dict(self) -> dict[str, Any]:
        return {"answered": self.answered, "overall": round(self.overall, 3),
                "dimensions": [d.to_dict() for d in self.dimensions]}


Scorer = Callable[[Readiness, Plan], tuple[float, list[str]]]


def _ownership(r: Readiness, plan: Plan) -> tuple[float, list[str]]:
    o, score, gaps = r.ownership, 0.0, []
    if o and o.owner:
        score += 0.4
    else:
        gaps.append("Name one person in charge of the dialogue (readiness.ownership.owner).")
    hours = o.hours_per_week if o else None
    if hours is None:
        gaps.append(f"Say how many hours a week the owner gives it; plan at least {MIN_OWNER_HOURS:g}.")
    else:
        score += 0.6 * min(hours / MIN_OWNER_HOURS, 1.0)
        if hours < MIN_OWNER_HOURS:
            gaps.append(f"{hours:g} hours a week is too little to keep a conversation going: "
                        f"free at least {MIN_OWNER_HOURS:g}.")
    return score, gaps


_SUPPORT = {"committed": 1.0, "tolerant": 0.5, "sceptical": 0.0, "unknown": 0.0}


def _leadership(r: Readiness, plan: Plan) -> tuple[float, list[str]]:
    lead, gaps = r.leadership, []
    support = lead.support if lead else None
    score = 0.8 * _SUPPORT.get(support or "unknown", 0.0)
    if support != "committed":
        gaps.append("Get leadership to back the objectives and a long-run commitment explicitly, before the "
                    "first post (a sceptical or silent leadership pulls the plug at the first bad week).")
    if lead and lead.sponsor:
        score += 0.2
    else:
        gaps.append("Name a sponsor in leadership who defends the plan's budget and people.")
    return score, gaps


def _listening(r: Readiness, plan: Plan) -> tuple[float, list[str]]:
    li = r.listening
    if not li or not li.done:
        return 0.0, ["Listen before you talk: spend a few weeks reading what your audience already says "
                     "(mentions, reviews, forums, competitors) and write down what you learn."]
    score, gaps = 0.5, []
    weeks = li.weeks or 0.0
    score += 0.3 * min(weeks / MIN_LISTENING_WEEKS, 1.0)
    if weeks < MIN_LISTENING_WEEKS:
        gaps.append(f"Listen for at least {MIN_LISTENING_WEEKS:g} weeks (readiness.listening.weeks).")
    if li.findings:
        score += 0.2
    else:
        gaps.append("Write down what the listening taught you (readiness.listening.findings).")
    return score, gaps


def _guidelines(r: Readiness, plan: Plan) -> tuple[float, list[str]]:
    g, score, gaps = r.guidelines, 0.0, []
    if g and g.written:
        score += 0.5
    else:
        gaps.append("Write short guidelines: tone, what may be promised, what never to say in public.")
    if g and g.escalation:
        score += 0.5
    else:
        gaps.append("Agree an escalation path: who takes a hard question, a complaint going viral, a crisis.")
    return score, gaps


def _response(r: Readiness, plan: Plan) -> tuple[float, list[str]]:
    resp, score, gaps = r.response, 0.0, []
    if resp and resp.handling_minutes:
        score += 0.25
    else:
        gaps.append("Measure how long one reply takes (readiness.response.handling_minutes).")
    if resp and resp.staffing:
        score += 0.5
        empty = [name for name, row in zip(WEEKDAY_NAMES, resp.declared(), strict=True) if not any(row)]
        score += 0.25 * (7 - len(empty)) / 7
        if empty:
            gaps.append(f"Nobody answers on {', '.join(empty)}: audiences write every day; cover those days, "
                        "even lightly, or say publicly when you answer.")
    else:
        gaps.append("Declare who is on duty to answer, per weekday and hour (readiness.response.staffing).")
    return score, gaps


def _measurement(r: Readiness, plan: Plan) -> tuple[float, list[str]]:
    m = r.measurement
    if not m or not m.baseline_captured:
        return 0.0, ["Measure the starting value of every KPI before launch (ingest the exports you have), "
                     "so progress can be shown."]
    if m.as_of is None:
        return 0.8, ["Record when the baseline was measured (readiness.measurement.as_of)."]
    return 1.0, []


_LASTS = {"yes": 1.0, "partly": 0.5, "no": 0.0}


def _budget(r: Readiness, plan: Plan) -> tuple[float, list[str]]:
    b = r.budget
    gap = ("Fund the whole horizon: a conversation stopped after a few months costs more trust than "
           "never starting; shrink the scope rather than the duration.")
    if b and b.funded_until and plan.horizon:
        span = (plan.horizon.end - plan.horizon.start).days or 1
        covered = min(max((b.funded_until - plan.horizon.start).days / span, 0.0), 1.0)
        return covered, ([] if covered >= 1 else [gap])
    if b and b.lasts_horizon:
        score = _LASTS[b.lasts_horizon]
        return score, ([] if score >= 1 else [gap])
    return 0.0, ["Check that the budget lasts the horizon (readiness.budget)."]


def _content(r: Readiness, plan: Plan) -> tuple[float, list[str]]:
    c, score, gaps = r.content, 0.0, []
    if c and c.plan:
        score += 0.5
    else:
        gaps.append("Draw up a content plan: themes, formats, a calendar.")
    if c and c.tied_to_objectives:
        score += 0.5
    else:
        gaps.append("Tie each content theme to an objective it serves; drop the ones that serve none.")
    return score, gaps


SCORERS: dict[str, Scorer] = {
    "ownership": _ownership, "leadership": _leadership, "listening": _listening, "guidelines": _guidelines,
    "response": _response, "measurement": _measurement, "budget": _budget, "content": _content,
}


def score_readiness(plan: Plan) -> ReadinessScore:
    """Score every dimension from the plan's `readiness` answers (an absent section scores 0 everywhere)."""
    answers = plan.readiness or Readiness()
    dims = []
    for d in DIMENSIONS:
        score, gaps = SCORERS[d.id](answers, plan)
        dims.append(DimensionScore(d.id, d.title, round(min(max(score, 0.0), 1.0), 6), gaps))
    return ReadinessScore(dims, answered=plan.readiness is not None)
