"""The `metrics` command and docs/metrics.md, both rendered from the one catalogue (`strategyfirst.catalog`).

Regenerate the document with `python -m strategyfirst.cli_metrics > docs/metrics.md`; a test checks that the
file equals what the catalogue renders, so a new metric needs only its catalogue entry and label.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from strategyfirst import catalog
from strategyfirst.cli_options import HERE, AnyWsOpt, Format

DIRECTION_WORDS = {"up": "higher is better", "down": "lower is better", "none": "no better direction"}
FAMILY_TITLES = {"dialogue": "Dialogue", "reach": "Reach and engagement", "audience": "Permission asset",
                 "site": "Outcomes on the organisation's own site", "cost": "Cost"}


def catalogue_rows() -> list[dict[str, Any]]:
    """One dict per metric in catalogue order: the `metrics --format json` rows."""
    return [{"id": m.id, "label": m.label, "unit": m.unit, "direction": m.direction, "family": m.family,
             "formula": m.formula, "version": m.version, "needs": list(m.needs)} for m in catalog.METRICS]


def _families() -> list[str]:
    seen: list[str] = []
    for m in catalog.METRICS:
        if m.family not in seen:
            seen.append(m.family)
    return seen


def _title(family: str) -> str:
    return FAMILY_TITLES.get(family, family.replace("_", " ").capitalize())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


HEADER = """\
# Metrics

Every metric `strategyfirst measure` computes, `diagnose` judges and the report shows. Generated from the
metric catalogue by `python -m strategyfirst.cli_metrics > docs/metrics.md` (a test checks it is current);
`strategyfirst metrics [--format json]` prints the same list.

- **label**: what tables and the report call it; JSON and CSV use the **id**.
- **unit**: `ratio` (shown as %), `count`, `minutes`, `currency` (the plan's budget currency), `score`
  (VADER compound, −1 to 1).
- **direction**: which way is better; a KPI's target must lie that way from its baseline (`lint`).
- **version**: a definition that changes gets a new version; measurements and reports record the versions
  they used, and a comparison across two versions is flagged, never silently mixed.

A metric whose inputs are absent from the data is empty (`null`, `n = 0`), never 0. Ratios are ratios of
sums over the scope (Σa / Σb), not means of per-post ratios. An owned message is one authored by an account
the plan lists for its platform (where the plan lists none for a platform, the export's own flag decides).
Measured up to a day (`--until D`, and a KPI as of D), the data are taken as they stood at the end of D: a
reply written after D is no reply yet (its message was unanswered then, with no response time), and a
conversation's later messages neither answer it nor count in its depth; a message inbound to an account only
because the account replied to it (rule (b): it neither mentions nor answers the account) was no inbound
message before that reply.
"""


def catalogue_markdown() -> str:
    """docs/metrics.md: one table per family, every catalogue metric once."""
    parts = [HEADER]
    for family in _families():
        parts.append(f"\n## {_title(family)}\n\n| id | label | unit | direction | version | formula |\n"
                     "| --- | --- | --- | --- | --- | --- |\n")
        parts.extend(f"| `{m.id}` | {_cell(m.label)} | {m.unit} | {DIRECTION_WORDS[m.direction]} | "
                     f"{m.version} | {_cell(m.formula)} |\n" for m in catalog.METRICS if m.family == family)
    return "".join(parts)


def render_text(console: Console) -> None:
    """The catalogue grouped by family: id, label, unit, direction and version, then the formula indented."""
    for i, family in enumerate(_families()):
        console.print(("\n" if i else "") + f"[bold]{escape(_title(family))}[/]", highlight=False)
        for m in (m for m in catalog.METRICS if m.family == family):
            console.print(f"  [cyan]{m.id}[/]  {escape(m.label)}  [dim]({m.unit}, "
                          f"{DIRECTION_WORDS[m.direction]}, v{m.version})[/]", highlight=False)
            console.print(f"      {escape(m.formula)}", highlight=False)


def register(app: typer.Typer, out: Console, err: Console) -> None:
    """Add `metrics` to `app`."""

    @app.command()
    def metrics(
        fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
        ws_path: AnyWsOpt = HERE,  # the catalogue is the same in every workspace
    ) -> None:
        """The metric catalogue: id, label, unit, direction, formula and version of every metric."""
        if fmt is Format.json:
            typer.echo(json.dumps({"metrics": catalogue_rows()}, indent=2, ensure_ascii=False))
        else:
            render_text(out)


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
