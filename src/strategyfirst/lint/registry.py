"""The lint rule registry: each rule is one declared `Rule` in `RULES`; docs, CLI and tests iterate over it.

Adding a rule from another module (e.g. readiness's `not-ready-<dimension>` rules)::

    from strategyfirst.lint.registry import Hit, LintContext, Rule, register

    def _check(ctx: LintContext) -> Iterator[Hit]:
        yield Hit(("readiness", "staffing"), "nobody answers at weekends")

    register(Rule("not-ready-staffing", "warning", "the team cannot keep up", "add cover", _check))

and add the module's import path to `RULE_MODULES` so `all_rules()` imports it before linting.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # types only: the registry, the report and its rendering load no plan parser (lint_cache)
    from strategyfirst.plan.document import PathPart, PlanDocument
    from strategyfirst.plan.model import Plan

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning")


@dataclass(frozen=True)
class LintContext:
    """What a rule's check sees: the loaded plan (model + YAML tree) and the date time-dependent rules use."""

    doc: PlanDocument
    as_of: dt.date
    # What the workspace's data shows, where lint is run on a workspace with a warehouse (None: plan only):
    # (campaign, amount, currency) of spend no tactic names.
    spend: tuple[tuple[str, float, str | None], ...] | None = None

    @property
    def plan(self) -> Plan:
        return self.doc.plan


@dataclass(frozen=True)
class Hit:
    """One place a rule fires; `severity`/`hint` override the rule's own where one rule has two levels."""

    path: Sequence[PathPart]
    message: str
    severity: Severity | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Rule:
    """One lint rule: stable slug, default severity, one-line summary (docs), fix hint, and its check."""

    slug: str
    severity: Severity
    summary: str
    hint: str
    check: Callable[[LintContext], Iterable[Hit]] = field(repr=False, compare=False)


RULES: list[Rule] = []
# Modules whose import registers rules; `all_rules()` imports them (built-in ones first, in table order).
RULE_MODULES: list[str] = [
    "strategyfirst.lint.rules_strategy",
    "strategyfirst.lint.rules_objectives",
    "strategyfirst.lint.rules_tactics",
    "strategyfirst.lint.readiness_rules",
    "strategyfirst.lint.rules_data",
]
BUILT_IN_RULE_MODULES: tuple[str, ...] = tuple(RULE_MODULES)  # lint_cache keeps reports of these rules only


def register(rule: Rule) -> Rule:
    """Add a rule to the registry; each slug once (registering the same object again is a no-op)."""
    for existing in RULES:
        if existing.slug == rule.slug:
            if existing is rule:
                return rule
            raise ValueError(f"lint rule {rule.slug!r} is already registered")
    if rule.severity not in SEVERITIES:
        raise ValueError(f"lint rule {rule.slug!r}: severity must be one of {SEVERITIES}")
    RULES.append(rule)
    return rule


def all_rules() -> list[Rule]:
    """Every registered rule, after importing the modules listed in `RULE_MODULES`."""
    for name in RULE_MODULES:
        importlib.import_module(name)
    return list(RULES)


def get_rule(slug: str) -> Rule:
    """The rule with this slug (KeyError if none)."""
    for rule in all_rules():
        if rule.slug == slug:
            return rule
    raise KeyError(slug)
