"""The rule reference (docs/lint-rules.md) rendered from the registry: `python -m strategyfirst.lint.docs`."""

from __future__ import annotations

from strategyfirst.lint.registry import all_rules

HEADER = """\
# Lint rules

Generated from the rule registry by `python -m strategyfirst.lint.docs > docs/lint-rules.md`; a test checks
that every registered rule is listed here. `error`s make `strategyfirst lint` exit 1; `warning`s do not.
Each finding also names the place in the plan (`tactics[2].serves`, with line and column).

A KPI's `target` and `baseline` are in the metric's unit (`strategyfirst metrics` lists them): a ratio is a
fraction (`target: 0.9`), or may be written as a percentage (`target: "90%"`, read as 0.9); counts, minutes
and money are 0 or more.

| rule | severity | fires when | how to fix it |
| --- | --- | --- | --- |
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rules_markdown() -> str:
    """The Markdown table of every registered rule."""
    rows = [f"| `{r.slug}` | {r.severity} | {_cell(r.summary)} | {_cell(r.hint)} |" for r in all_rules()]
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(rules_markdown(), end="")
