"""Is the organisation ready to talk? A fixed questionnaire over eight dimensions, scored with advice.

    from strategyfirst.readiness import read_answers, record_answers, score_readiness
    doc = record_answers(ws, read_answers("answers.yaml"))   # strategy.yaml keeps its comments
    for d in score_readiness(doc.plan).dimensions: print(d.title, d.score, d.gaps)
"""

from strategyfirst.readiness.answers import apply_answers, parse_answers, read_answers, record_answers
from strategyfirst.readiness.prompt import ask_answers, parse_day_schedule, staffing_blocks
from strategyfirst.readiness.questions import DIMENSION_IDS, DIMENSIONS, QUESTIONS, Dimension, Question
from strategyfirst.readiness.score import DimensionScore, ReadinessScore, score_readiness

__all__ = ["DIMENSIONS", "DIMENSION_IDS", "QUESTIONS", "Dimension", "DimensionScore", "Question",
           "ReadinessScore", "apply_answers", "ask_answers", "parse_answers", "parse_day_schedule",
           "read_answers", "record_answers", "score_readiness", "staffing_blocks"]
