"""Plan builders for the lint tests: the example plan of plan.md as a dict, and dict -> PlanDocument."""

from __future__ import annotations

import copy
import datetime as dt
import io
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

from strategyfirst.lint import LintReport, lint_document
from strategyfirst.plan import PlanDocument, loads

EXAMPLE_TEXT = resources.files("strategyfirst.plan").joinpath("example.yaml").read_text(encoding="utf-8")
AS_OF = dt.date(2026, 6, 30)


def example() -> dict[str, Any]:
    """A fresh deep copy of the example plan as plain data."""
    data = YAML(typ="safe").load(EXAMPLE_TEXT)
    return copy.deepcopy(data)


def to_text(data: dict[str, Any]) -> str:
    buf = io.StringIO()
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    yaml.dump(data, buf)
    return buf.getvalue()


def doc(data: dict[str, Any]) -> PlanDocument:
    return loads(to_text(data))


def lint(data: dict[str, Any], as_of: dt.date = AS_OF) -> LintReport:
    return lint_document(doc(data), as_of=as_of)
