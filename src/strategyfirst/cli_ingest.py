"""The `ingest` and `sources` commands, registered on the main Typer app by `register`: thin over
`Workspace.ingest` and the source registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from strategyfirst.cli_options import HERE, Format, WsOpt
from strategyfirst.workspace import Workspace


def register(app: typer.Typer, out: Console, err: Console) -> None:
    """Add `ingest` and `sources` to `app`."""

    @app.command()
    def ingest(
        files: Annotated[list[Path], typer.Argument(help="Export files to import.", show_default=False)],
        source: Annotated[str, typer.Option(
            "--source", "-s", help="auto, or a name from `strategyfirst sources`.")] = "auto",
        account: Annotated[str | None, typer.Option(
            "--account", help="Account of the rows where the file does not name it (also overrides).")] = None,
        strict: Annotated[bool, typer.Option(
            "--strict", help="Fail (exit 1, nothing written) if any row is rejected.")] = False,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
        ws_path: WsOpt = HERE,
    ) -> None:
        """Import exports into the warehouse: idempotent, one transaction per file, bad rows to `rejects`."""
        from strategyfirst.warehouse.ingest import ingest_files

        result = ingest_files(Workspace(ws_path), files, source=source, account=account, strict=strict,
                              progress=True)
        if fmt is Format.json:
            typer.echo(json.dumps({"files": [_public(f) for f in result.files]}))
        else:
            for f in result.files:
                state = "" if f.get("imported", True) else " [bold red]not imported (--strict)[/]"
                out.print(f"{escape(f['file'])} ({f['source']}): {f['rows_read']} read, {f['rows_new']} new, "
                          f"{f['rows_updated']} updated, {f['rows_duplicate']} duplicate, "
                          f"{f['rows_rejected']} rejected{state}", highlight=False)
                if f["rejects_file"]:
                    err.print(f"  rejected rows: {escape(f['rejects_file'])}", highlight=False)
        if strict and result.rows_rejected:
            raise typer.Exit(1)

    @app.command()
    def sources(fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text) -> None:
        """The import formats known, with the columns each expects."""
        from strategyfirst.sources.registry import SOURCES

        if fmt is Format.json:
            typer.echo(json.dumps({"sources": [
                {"name": s.name, "description": s.description, "detection": s.detection,
                 "columns": list(s.columns), "kind": s.kind} for s in SOURCES]}))
            return
        table = Table("source", "file", "columns expected", show_lines=True)
        for s in SOURCES:
            table.add_row(s.name, s.description, ", ".join(s.columns))
        out.print(table)


def _public(summary: dict[str, object]) -> dict[str, object]:
    """The cli.md fields first, in their documented order, then the additions."""
    keys = ("file", "source", "rows_read", "rows_new", "rows_updated", "rows_duplicate", "rows_rejected",
            "rejects_file")
    return {**{k: summary[k] for k in keys}, **{k: v for k, v in summary.items() if k not in keys}}
