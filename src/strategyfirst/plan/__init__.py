"""The strategy file: models, located loading, round-trip saving, diffs."""

from strategyfirst.plan.document import PlanDocument, format_path, load, loads
from strategyfirst.plan.model import KPI, Match, Objective, Plan, Tactic, normalise_handle

__all__ = ["KPI", "Match", "Objective", "Plan", "PlanDocument", "Tactic", "format_path", "load", "loads",
           "normalise_handle"]
