"""Lint results: located findings and the report with its stable JSON shape (cli.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from strategyfirst.lint.registry import Severity

_RANK = {"error": 0, "warning": 1}


@dataclass(frozen=True)
class Finding:
    """One rule firing at one place of the plan."""

    rule: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    hint: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def sort_key(self) -> tuple[int, int, int, str]:
        return (_RANK[self.severity], self.line, self.column, self.rule)


@dataclass(frozen=True)
class LintReport:
    """All findings of one lint run, errors first then by position in the file."""

    findings: tuple[Finding, ...]
    as_of: dt.date
    file: str = "strategy.yaml"

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when no finding is an error (`lint` exits 0)."""
        return not self.errors

    def rules(self) -> set[str]:
        """Slugs of the rules that fired."""
        return {f.rule for f in self.findings}

    def to_json(self, plan_name: str | None = None) -> dict[str, Any]:
        """The `lint --format json` object of cli.md (a dict ready for `json.dumps`)."""
        return {
            "plan": plan_name if plan_name is not None else self.file,
            "as_of": self.as_of.isoformat(),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
        }
