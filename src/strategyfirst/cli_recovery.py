"""backup, restore, rebuild, check: keeping a workspace's history safe (the work is in recovery.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from strategyfirst.cli_options import HERE, Format, WsOpt
from strategyfirst.workspace import Workspace

FmtOpt = Annotated[Format, typer.Option("--format", "-f", help="text or json.")]


def register(app: typer.Typer, out: Console, err: Console) -> None:
    """Add `backup`, `restore`, `rebuild` and `check` to `app`."""

    @app.command()
    def backup(
        dest: Annotated[Path, typer.Argument(metavar="OUT", help="A new folder, or a file ending in .tar.gz.")],
        ws_path: WsOpt = HERE,
        fmt: FmtOpt = Format.text,
    ) -> None:
        """A consistent snapshot of the workspace, with a manifest of sha256s and row counts.

        The plan, warehouse, raw files and SQLite app database; safe while `serve` runs (imports wait for it)."""
        from strategyfirst import recovery

        result = recovery.backup(Workspace(ws_path), dest)
        if fmt is Format.json:
            typer.echo(json.dumps(result.to_dict()))
            return
        rows = result.tables.get("messages", 0)
        out.print(f"backed up {escape(str(ws_path))} to {escape(str(dest))}: {result.files:,} files, "
                  f"{result.bytes:,} bytes, {rows:,} messages (manifest.json lists every sha256)", highlight=False)

    @app.command()
    def restore(
        source: Annotated[Path, typer.Argument(metavar="BACKUP", help="A backup folder or .tar.gz.")],
        ws_path: WsOpt = HERE,
        fmt: FmtOpt = Format.text,
    ) -> None:
        """Restore a backup into a new or empty folder (-w), after checking every file against its manifest."""
        from strategyfirst import recovery

        result = recovery.restore(source, ws_path)
        if fmt is Format.json:
            typer.echo(json.dumps(result))
            return
        out.print(f"restored {escape(str(source))} into {escape(str(ws_path))}; run `strategyfirst check -w "
                  f"{escape(str(ws_path))}` to verify it", highlight=False)

    @app.command()
    def rebuild(ws_path: WsOpt = HERE, fmt: FmtOpt = Format.text) -> None:
        """Rebuild the warehouse from raw/ and the import log alone; the previous one is kept beside it.

        Same ids, original names and options, same order; the log kept as it was.

        The previous file is kept as warehouse.duckdb.before-rebuild."""
        from strategyfirst import recovery

        result = recovery.rebuild(Workspace(ws_path))
        if fmt is Format.json:
            typer.echo(json.dumps(result))
            return
        undone = f" ({result['undone']} undone, kept in the log as undone)" if result["undone"] else ""
        out.print(f"rebuilt {escape(result['rebuilt'])} from {result['imports']} imports{undone}; the previous "
                  f"warehouse is kept as {escape(result['previous'])}", highlight=False)

    @app.command()
    def check(ws_path: WsOpt = HERE, fmt: FmtOpt = Format.text) -> None:
        """Integrity of the workspace; exit 1 with the list of problems.

        Checks the schema, raw files' sha256s, fresh derived tables, leftovers of interrupted runs, the app database."""
        from strategyfirst import recovery

        problems = recovery.check(Workspace(ws_path))
        if fmt is Format.json:
            typer.echo(json.dumps({"ok": not problems, "problems": problems}))
        elif problems:
            for p in problems:
                out.print(f"problem: {escape(p)}", highlight=False)
        else:
            out.print(f"{escape(str(ws_path))}: all checks passed", highlight=False)
        if problems:
            raise typer.Exit(1)
