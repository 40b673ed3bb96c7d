"""The `imports` command (the import log) and `imports undo ID`, registered by cli_ingest: thin over
`Workspace.imports` and `Workspace.undo_import`."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from strategyfirst.cli_options import HERE, Format, OnceGroup, WsOpt, require_workspace
from strategyfirst.workspace import Workspace

# The first paragraph on one line: `--help`'s list of commands keeps a docstring's line breaks (Typer's rich mode)
IMPORTS_HELP = ("The import log: id, file, source, --account option, when, by whom, counts; `imports undo ID` takes "
                "one back.\n\n`imports undo ID` takes one import back (the rows it added removed, the values it "
                "updated restored).")


def register(app: typer.Typer, out: Console, err: Console) -> None:
    """Add `imports` (with its `undo` subcommand) to `app`."""
    imports_app = typer.Typer(help=IMPORTS_HELP, no_args_is_help=False, cls=OnceGroup)

    @imports_app.callback(invoke_without_command=True)
    def imports(
        ctx: typer.Context,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
        ws_path: WsOpt = HERE,
    ) -> None:
        """List every import, oldest first (undone ones marked)."""
        if ctx.invoked_subcommand is not None:
            ctx.obj = ws_path  # `imports -w DIR undo ID` as well as `imports undo ID -w DIR`
            return
        rows = Workspace(require_workspace(ws_path)).imports()
        if fmt is Format.json:
            typer.echo(json.dumps({"imports": rows}))
            return
        if not rows:
            err.print("no imports yet: `strategyfirst ingest FILE...` imports export files", highlight=False)
            return
        for r in rows:
            out.print(_line(r), highlight=False)

    @imports_app.command()
    def undo(
        ctx: typer.Context,
        import_id: Annotated[int, typer.Argument(help="The id shown by `strategyfirst imports`.",
                                                 show_default=False, metavar="ID")],
        fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
        ws_path: WsOpt = HERE,
    ) -> None:
        """Take an import back: remove the rows it added, restore the values it updated, drop its rejects (their CSV kept, renamed undone-NNNNN-...), in one transaction, recorded in the log. Refused while a later import changed rows it wrote (undo that one first)."""  # noqa: E501
        where = ctx.obj if ws_path == HERE and isinstance(ctx.obj, Path) else ws_path
        summary = Workspace(where).undo_import(import_id)
        if fmt is Format.json:
            typer.echo(json.dumps(summary))
            return
        kept = (f" (their list kept for the record as {escape(summary['rejects_file'])})"
                if summary.get("rejects_file") else "")
        out.print(f"undid import #{summary['import_id']} ({escape(summary['file'])}): {summary['rows_removed']:,} "
                  f"rows removed, {summary['rows_restored']:,} restored to their previous values, "
                  f"{summary['rejects_removed']:,} rejected rows dropped{kept}", highlight=False)
        for again in summary.get("recounted", []):  # older member exports of the list that deferred to it
            out.print(f"import #{again['import_id']} ({escape(again['file'])}) counted again: {again['rows']:,} "
                      f"rows of its list's counts now as it gave them (they deferred to #{summary['import_id']}, "
                      "a newer export)", highlight=False)

    app.add_typer(imports_app, name="imports")


def _line(r: dict[str, Any]) -> str:
    """One import in one line: `#3 posts.csv (x-analytics, --account acme) 2026-01-02 10:00:00Z by ana: ...`.
    A member export's counts are of the rows it was counted as (its list's daily gains, losses and size), not
    of its members (none is stored): its line says so rather than "1 read" for a file of 17 members."""
    account = f", --account {r['account_option']}" if r["account_option"] else ""
    counts = (f"{r['rows_read']:,} read, {r['rows_new']:,} new, {r['rows_updated']:,} updated, "
              f"{r['rows_duplicate']:,} duplicate, {r['rows_rejected']:,} rejected")
    if r["source"] in _member_sources():  # (its rejected rows are members' rows: they count in `rows_read`)
        counted = r["rows_read"] - r["rows_rejected"]
        counts = (f"counted as {counted:,} row{'' if counted == 1 else 's'} of its list's daily counts (no member "
                  f"stored): {r['rows_new']:,} new, {r['rows_updated']:,} updated, {r['rows_duplicate']:,} "
                  f"duplicate; {r['rows_rejected']:,} member row{'' if r['rows_rejected'] == 1 else 's'} rejected")
    undone = f" [bold]UNDONE[/] {r['undone_at']} by {escape(str(r['undone_by']))}" if r["undone_at"] else ""
    return (f"#{r['import_id']} {escape(r['file'])} ({r['source']}{escape(account)}) {r['imported_at']} by "
            f"{escape(str(r['imported_by'] or '?'))}: {counts}{undone}")


@functools.cache
def _member_sources() -> frozenset[str]:
    """The sources of member exports (counted, never stored member by member)."""
    from strategyfirst.sources.registry import BY_NAME

    return frozenset(name for name, src in BY_NAME.items() if src.redacted_raw)
