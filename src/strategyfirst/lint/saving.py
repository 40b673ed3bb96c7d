"""Whether a plan text may be saved as a version: it must parse, and lint must report no error.

`lint` exits 1 on a plan with errors (the command ran and found problems, cli.md) and such a plan cannot be
judged as written (a ratio target of 90 shows as "9,000.0%"); a save from the web app or the API therefore
refuses it (LintRefusedError, HTTP 422), each error one line: where, what, what to do. Warnings never refuse a
save: they are in the returned report, to be shown once the version is saved. Errors the saved plan already had
refuse too — the version saved must be one `lint` passes (a plan edited by hand outside the app stays the CLI's
business: it is recorded as it is seen).
"""

from __future__ import annotations

import datetime as dt

from strategyfirst.errors import LintRefusedError, PlanProblem
from strategyfirst.lint.engine import lint_text
from strategyfirst.lint.report import Finding, LintReport


def refusal_line(finding: Finding) -> str:
    """A lint error in one plain line: where (the plan path), what, what to do, and the rule's slug."""
    message = finding.message if finding.message.endswith((".", "?", "!")) else finding.message + "."
    return f"{finding.path}: {message} {finding.hint} ({finding.rule})"


def check_savable(text: str, *, file: str = "strategy.yaml", as_of: dt.date | None = None) -> LintReport:
    """The lint report of a plan text that may be saved (its warnings, if any); PlanError when it does not
    parse, LintRefusedError (one problem per lint error, at its line) when lint reports errors."""
    report = lint_text(text, file=file, as_of=as_of)
    if report.errors:
        raise LintRefusedError([PlanProblem(file, f.line, f.column, refusal_line(f), key=f.path)
                                for f in report.errors])
    return report


__all__ = ["check_savable", "refusal_line"]
