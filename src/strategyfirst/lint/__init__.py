"""The strategy-first lint: one registered `Rule` per check (see `registry`), findings located in the file.

Public API::

    from strategyfirst.lint import lint_document
    report = lint_document(doc, as_of=date(2026, 6, 30))
    report.errors, report.warnings, report.to_json("strategy.yaml")
"""

from strategyfirst.lint.engine import lint_document, lint_text
from strategyfirst.lint.registry import (
           RULE_MODULES,
           RULES,
           Hit,
           LintContext,
           Rule,
           all_rules,
           get_rule,
           register,
)
from strategyfirst.lint.report import Finding, LintReport
from strategyfirst.lint.tool_words import DEFAULT_TOOL_WORDS

__all__ = ["DEFAULT_TOOL_WORDS", "RULES", "RULE_MODULES", "Finding", "Hit", "LintContext", "LintReport",
           "Rule", "all_rules", "get_rule", "lint_document", "lint_text", "register"]
