"""The readiness questionnaire as data: dimensions, and the questions asked for each.

Each question names where its answer lives under `readiness:` in strategy.yaml; the interactive prompts, the
answers-file reader, the docs and the tests all iterate over `QUESTIONS`, so a new question is one new entry
(plus its field in `plan/readiness.py` and its share of the dimension's score in `score.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from strategyfirst.plan.readiness import HANDLING_MINUTES, HOURS_PER_WEEK, LISTENING_WEEKS, Bound

Kind = Literal["text", "number", "yes_no", "choice", "date", "staffing"]


@dataclass(frozen=True)
class Dimension:
    """One side of being ready to talk: what it is and why it matters."""

    id: str
    title: str
    why: str


@dataclass(frozen=True)
class Question:
    """One question; its answer is stored at `readiness.<dimension>.<field>` (a number within `bound`)."""

    dimension: str
    field: str
    prompt: str
    kind: Kind
    help: str = ""
    choices: tuple[str, ...] = ()
    bound: Bound | None = None

    @property
    def id(self) -> str:
        return f"{self.dimension}.{self.field}"


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("ownership", "Ownership",
              "someone is in charge of the dialogue and has the time to do it"),
    Dimension("leadership", "Leadership support",
              "leadership backs a long-run commitment, not a one-month experiment"),
    Dimension("listening", "Listening before talking",
              "the team has researched what its audience already says before starting to talk"),
    Dimension("guidelines", "Guidelines and escalation",
              "people know what they may say, and where a hard question or a crisis goes"),
    Dimension("response", "Response capacity",
              "enough people are on duty, at the hours the audience writes, to keep answering"),
    Dimension("measurement", "Measurement baseline",
              "the starting point was measured, so progress can be shown"),
    Dimension("budget", "Budget for the horizon",
              "the money lasts as long as the conversation must (you cannot leave the room after a month)"),
    Dimension("content", "Content plan",
              "what to say comes from a plan tied to the objectives, not from the day's mood"),
)

DIMENSION_IDS: tuple[str, ...] = tuple(d.id for d in DIMENSIONS)

QUESTIONS: tuple[Question, ...] = (
    Question("ownership", "owner", "Who is in charge of the dialogue (one named person)?", "text"),
    Question("ownership", "hours_per_week", "How many hours a week can they give it?", "number",
             "8 or more keeps a conversation going", bound=HOURS_PER_WEEK),
    Question("leadership", "support", "How does leadership see the social presence?", "choice",
             "committed: backs it for the long run; tolerant: lets it happen; sceptical: expects it to fail",
             ("committed", "tolerant", "sceptical", "unknown")),
    Question("leadership", "sponsor", "Which leader sponsors it (name or role)?", "text"),
    Question("listening", "done", "Did the team listen to its audience before starting to talk?", "yes_no",
             "reading mentions, reviews, forums and competitors' conversations"),
    Question("listening", "weeks", "For how many weeks?", "number", "4 or more",
             bound=LISTENING_WEEKS),
    Question("listening", "findings", "What did you learn, in one sentence?", "text"),
    Question("guidelines", "written", "Are there written guidelines for what may be said?", "yes_no"),
    Question("guidelines", "escalation", "Where does a hard question or a crisis go (escalation path)?",
             "text",
             "e.g. 'product team within 4 hours, legal and CEO for a crisis'"),
    Question("response", "handling_minutes", "How many minutes does one reply take on average?", "number",
             "reading, finding the answer, writing it", bound=HANDLING_MINUTES),
    Question("response", "timezone", "In which time zone is the team's schedule?", "text",
             "an IANA name such as Europe/Paris or UTC"),
    Question("response", "staffing", "Who is on duty to answer, per weekday?", "staffing",
             "hour ranges with people on duty, e.g. '09-12x2, 13-17x1'; blank for nobody"),
    Question("measurement", "baseline_captured", "Were the starting values of the KPIs measured?", "yes_no"),
    Question("measurement", "as_of", "On which date (YYYY-MM-DD)?", "date"),
    Question("budget", "lasts_horizon", "Does the budget last the whole horizon?", "choice",
             "yes, partly, or no", ("yes", "partly", "no")),
    Question("budget", "funded_until", "Until which date is it funded (YYYY-MM-DD)?", "date"),
    Question("content", "plan", "Is there a content plan (what to publish, when)?", "yes_no"),
    Question("content", "tied_to_objectives", "Does each content theme serve a stated objective?", "yes_no"),
)


def dimension(dimension_id: str) -> Dimension:
    """The dimension with this id (KeyError if none)."""
    for d in DIMENSIONS:
        if d.id == dimension_id:
            return d
    raise KeyError(dimension_id)


def questions_for(dimension_id: str) -> list[Question]:
    return [q for q in QUESTIONS if q.dimension == dimension_id]
