"""Diagnose: KPI status and forecasts, tactic-vs-strategy verdicts, budget proposals (issue 5, items 1–3).

`diagnose(ws_or_inputs, as_of)` is the entry: from a `Workspace` it gathers the numbers (`inputs.gather`),
from a `DiagnoseInputs` it uses them as given. Everything after gathering is pure::

    >>> d = diagnose(Workspace("acme"))              # or Workspace("acme").diagnose()
    >>> [(k.metric, k.status) for k in d.kpis]       # status.py: rules; FOOTNOTES for the report
    >>> [(v.kind, v.tactic, v.probability) for v in d.verdicts]
    >>> d.to_json()                                  # `diagnose --format json` (cli.md)

The names below are loaded when first used (PEP 562): importing `strategyfirst.diagnose.diagnosis` or
`.render` to show a kept diagnosis, or `STATUS_RULES` for the report's footnotes, costs no numpy or scipy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.lazy import exports

if TYPE_CHECKING:
    from strategyfirst.diagnose.diagnosis import (
        BudgetMove,
        Diagnosis,
        ForecastPoint,
        KpiStatus,
        SeriesPoint,
        TacticEvidence,
        Verdict,
    )
    from strategyfirst.diagnose.engine import RESULT_NAMES, budget_proposals, diagnose, kpi_statuses
    from strategyfirst.diagnose.inputs import DiagnoseInputs, Observation
    from strategyfirst.diagnose.rules import STATUS_RULES
    from strategyfirst.diagnose.status import FOOTNOTES

__all__ = ["FOOTNOTES", "RESULT_NAMES", "STATUS_RULES", "BudgetMove", "DiagnoseInputs", "Diagnosis",
           "ForecastPoint", "KpiStatus", "Observation", "SeriesPoint", "TacticEvidence", "Verdict",
           "budget_proposals", "diagnose", "kpi_statuses"]

_WHERE = {
    **dict.fromkeys(("BudgetMove", "Diagnosis", "ForecastPoint", "KpiStatus", "SeriesPoint", "TacticEvidence",
                     "Verdict"), "diagnosis"),
    **dict.fromkeys(("RESULT_NAMES", "budget_proposals", "diagnose", "kpi_statuses"), "engine"),
    **dict.fromkeys(("DiagnoseInputs", "Observation"), "inputs"),
    "STATUS_RULES": "rules",
    "FOOTNOTES": "status",
}


__getattr__ = exports(__name__, _WHERE, globals())
