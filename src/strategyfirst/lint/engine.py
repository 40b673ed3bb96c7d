"""Running the registered rules over a loaded plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from strategyfirst.lint.registry import LintContext, all_rules
from strategyfirst.lint.report import Finding, LintReport
from strategyfirst.plan.document import PlanDocument, format_path, loads


def lint_document(doc: PlanDocument, *, as_of: dt.date | None = None,
                  spend: Sequence[tuple[str, float, str | None]] | None = None) -> LintReport:
    """Lint a loaded plan; `as_of` (default today) dates the time-dependent rules; `spend` (campaign, amount,
    currency) of the workspace's spend with no tactic named, for the rules that check the plan against data."""
    day = as_of or dt.date.today()
    ctx = LintContext(doc=doc, as_of=day, spend=None if spend is None else tuple(spend))
    findings: list[Finding] = []
    for rule in all_rules():
        for hit in rule.check(ctx):
            line, column = doc.locate(hit.path)
            findings.append(Finding(rule=rule.slug, severity=hit.severity or rule.severity,
                                    path=format_path(hit.path), line=line, column=column,
                                    message=hit.message, hint=hit.hint or rule.hint))
    findings.sort(key=Finding.sort_key)
    return LintReport(findings=tuple(findings), as_of=day, file=doc.file)


def lint_text(text: str, *, file: str = "strategy.yaml", as_of: dt.date | None = None) -> LintReport:
    """Parse and lint plan text (raises PlanError when it cannot be read)."""
    return lint_document(loads(text, file=file), as_of=as_of)
