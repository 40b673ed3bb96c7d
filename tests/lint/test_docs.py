"""Every registered lint rule is documented in docs/lint-rules.md (rendered from the registry)."""

from __future__ import annotations

from pathlib import Path

from strategyfirst.lint import all_rules
from strategyfirst.lint.docs import rules_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "lint-rules.md"
REGENERATE = "regenerate it: python -m strategyfirst.lint.docs > docs/lint-rules.md"


def test_every_rule_is_documented_with_its_severity() -> None:
    text = DOC.read_text(encoding="utf-8")
    for rule in all_rules():
        row = f"| `{rule.slug}` | {rule.severity} |"
        assert row in text, f"{rule.slug} missing from {DOC.name}; {REGENERATE}"


def test_rendered_table_has_one_row_per_rule() -> None:
    rows = [ln for ln in rules_markdown().splitlines() if ln.startswith("| `")]
    assert len(rows) == len(all_rules())
    assert all(ln.count(" | ") == 3 for ln in rows)  # no stray `|` inside a cell
