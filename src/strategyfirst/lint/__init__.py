"""The strategy-first lint: one registered `Rule` per check (see `registry`), findings located in the file.

Public API::

    from strategyfirst.lint import lint_document
    report = lint_document(doc, as_of=date(2026, 6, 30))
    report.errors, report.warnings, report.to_json("strategy.yaml")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.lazy import exports

if TYPE_CHECKING:  # imported on first use: `lint.report` and `lint.render` load no plan parser
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

_HOME = {"lint_document": "engine", "lint_text": "engine", "Finding": "report", "LintReport": "report",
         "DEFAULT_TOOL_WORDS": "tool_words", **{name: "registry" for name in (
             "RULE_MODULES", "RULES", "Hit", "LintContext", "Rule", "all_rules", "get_rule", "register")}}


__getattr__ = exports(__name__, _HOME, globals())
