"""The strategy file: models, located loading, round-trip saving, diffs."""

from strategyfirst.plan.document import PlanDocument, format_path, load, loads
from strategyfirst.plan.model import KPI, Match, Objective, Plan, Tactic, handle_forms, normalise_handle

__all__ = ["KPI", "Match", "Objective", "Plan", "PlanDocument", "Tactic", "format_path", "handle_forms", "load",
           "loads", "normalise_handle"]
