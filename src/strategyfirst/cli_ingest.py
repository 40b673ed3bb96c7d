"""The `ingest` and `sources` commands, registered on the main Typer app by `register`: thin over
`Workspace.ingest` and the source registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from strategyfirst.cli_options import HERE, AnyWsOpt, Format, WsOpt
from strategyfirst.errors import UsageError
from strategyfirst.workspace import Workspace

INGEST_HELP = (
    "Import exports into the warehouse.\n\n"
    "Each file imports in its own transaction: whole or not at all.\n\n"
    "Bad rows: a row that cannot be read (a bad date or number, too few or too many fields, a line cut off) is "
    "not imported: it goes to the `rejects` table and to a rejects CSV (file, line, reason, raw) named in the "
    "summary, and the rest of the file imports. With --strict any rejected row fails the whole file instead.\n\n"
    "Several files: a file that fails (missing, not a known export, unreadable) is listed with its error, the "
    "others still import, and the command exits 1. A single file that fails is a one-line error (exit 2), as "
    "is a single folder or zip that cannot be read at all (empty, not a zip, too big to unpack). "
    "A folder or a .zip imports every file in it (a zip's members named archive.zip!folder/file); files there "
    "that are no known export are listed as skipped.\n\n"
    "Re-import: the same file again (same bytes, same options) changes nothing (\"already imported as #N\"). A "
    "newer export of the same posts updates their lifetime figures (a lower figure never replaces a higher one) "
    "and never moves a post's publish time; another --account updates the posts' account.\n\n"
    "Currencies: spend (spend CSV, Meta Ads Manager) in another currency than the plan's budget currency is "
    "refused with one line, unless --rate CUR=RATE converts it; amounts in two currencies are never added.\n\n"
    "Undo: `strategyfirst imports` lists every import; `strategyfirst imports undo ID` takes one back.")


def register(app: typer.Typer, out: Console, err: Console) -> None:
    """Add `ingest`, `sources` and `imports` to `app`."""

    @app.command(help=INGEST_HELP)
    def ingest(
        files: Annotated[list[Path], typer.Argument(
            help="Export files to import, or folders or .zip archives (every file in them; other files are "
            "listed as skipped).",
            show_default=False, metavar="FILE|DIR...")],
        source: Annotated[list[str] | None, typer.Option(
            "--source", "-s", help="auto (the default: detected from the header), or a name from "
            "`strategyfirst sources`; once.", show_default=False, metavar="NAME")] = None,
        account: Annotated[list[str] | None, typer.Option(
            "--account", help="Account of the rows where the file does not name it (also overrides); once.",
            show_default=False, metavar="NAME")] = None,
        platform: Annotated[list[str] | None, typer.Option(
            "--platform", help="Platform of the rows where the file does not name it (Meta Business Suite overview "
            "charts titled only \"Follows\", \"Views\"): facebook or instagram; a file whose rows are of another "
            "platform is refused; once.", show_default=False,
            metavar="NAME")] = None,
        rate: Annotated[list[str] | None, typer.Option(
            "--rate", help="CUR=RATE: convert spend in currency CUR into the plan's budget currency, RATE being 1 "
            "CUR in it (--rate UAH=0.024); repeat for several currencies. Without it, spend in another currency "
            "than the plan's is refused, never added.", show_default=False, metavar="CUR=RATE")] = None,
        exported_on: Annotated[list[str] | None, typer.Option(
            "--exported-on", help="The day member exports (Mailchimp, Substack, beehiiv) were downloaded: the "
            "list's size is dated on it (default: the latest time in the file); YYYY-MM-DD; once.",
            show_default=False, metavar="DATE")] = None,
        year: Annotated[list[int] | None, typer.Option(
            "--year", help="Year of the dates a file writes without one (TikTok Studio's \"February 28\"): the year "
            "of the export day; a date later in the calendar than the export day falls in the year before. The UCI "
            "Facebook metrics file's year (default 2014); once.", show_default=False, metavar="YYYY",
            min=1900, max=2999)] = None,
        strict: Annotated[bool, typer.Option(
            "--strict", help="Fail a file (exit 1, nothing of it written) if any of its rows is rejected.")] = False,
        wait: Annotated[float | None, typer.Option(
            "--wait", help="While another import holds the workspace, wait at most SECONDS (default: as long as "
            "it runs).", show_default=False, metavar="SECONDS", min=0)] = None,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
        ws_path: WsOpt = HERE,
    ) -> None:
        from strategyfirst.warehouse.archive import is_zip
        from strategyfirst.warehouse.ingest import FAILED, ingest_files

        chosen_source = _once("--source", source) or "auto"
        chosen_account = _once("--account", account)
        chosen_platform = _once("--platform", platform)
        chosen_year = _once("--year", [str(y) for y in year] if year else None)
        # One file that cannot be imported is the command's error (one line, exit 2); with several (or a
        # folder or zip), each file's outcome is listed and the command exits 1 when any failed.
        ws = Workspace(ws_path)
        several = len(files) > 1 or any(f.is_dir() or is_zip(f) for f in files)
        result = ingest_files(ws, files, source=chosen_source, account=chosen_account,
                              platform=chosen_platform, strict=strict, progress=True, rates=rate,
                              exported_on=_once("--exported-on", exported_on),
                              year=int(chosen_year) if chosen_year else None,
                              keep_going=several, wait=wait,
                              notify=lambda message: err.print(escape(message), highlight=False))
        ws.note_plan_facts(result)  # what the first measurement needs of the plan, kept in the warehouse
        lone = str(files[0]) if len(files) == 1 else None
        if lone is not None and [f["file"] for f in result.files] == [lone] and lone in result.errors:
            # the one folder or zip given cannot be read at all (empty, not a zip, too big): no file's
            # outcome to list, so it is the command's one-line error like any single input (exit 2)
            raise result.errors[lone]
        if fmt is Format.json:
            typer.echo(json.dumps({"files": [_public(f) for f in result.files]}))
        else:
            for f in result.files:
                out.print(_line(f), highlight=False)
                if f["rejects_file"]:
                    err.print(f"  rejected rows: {escape(f['rejects_file'])}", highlight=False)
                for note in f.get("notes", ()):
                    err.print(f"  {escape(str(note))}", highlight=False)
            if several:  # each file's outcome is listed: and what they add up to (a folder of one file too)
                counts: dict[str, int] = {}
                for f in result.files:
                    counts[f["status"]] = counts.get(f["status"], 0) + 1
                err.print(f"{len(result.files)} file{'s' * (len(result.files) != 1)}: "
                          + ", ".join(f"{n} {s}" for s, n in counts.items()), highlight=False)
        if any(f["status"] == FAILED for f in result.files) or (strict and result.rows_rejected):
            raise typer.Exit(1)

    from strategyfirst.cli_imports import register as register_imports

    register_imports(app, out, err)

    @app.command()
    def sources(
        fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
        ws_path: AnyWsOpt = HERE,  # the formats are the same in every workspace
    ) -> None:
        """The import formats known, with the columns each expects."""
        from strategyfirst.sources.registry import SOURCES

        if fmt is Format.json:
            typer.echo(json.dumps({"sources": [
                {"name": s.name, "description": s.description, "detection": s.detection,
                 "columns": [s.spell(c) for c in s.columns], "kind": s.kind} for s in SOURCES]}))
            return
        table = Table("source", "file", "columns expected", show_lines=True)
        for s in SOURCES:
            table.add_row(s.name, s.description, ", ".join(s.spell(c) for c in s.columns))
        out.print(table)


def _once(option: str, values: list[str] | None) -> str | None:
    """The value of an option that may be given once (Typer would silently keep the last of two)."""
    if not values:
        return None
    if len(set(values)) > 1:
        raise UsageError(f"{option} was given {len(values)} times ({', '.join(values)}); give it once: every file "
                         f"of one ingest is imported with the same {option} (run ingest once per value)")
    return values[0]


def _line(f: dict[str, Any]) -> str:
    """One file's outcome in words."""
    name, source = escape(str(f["file"])), f["source"]
    counts = (f"{f['rows_read']} read, {f['rows_new']} new, {f['rows_updated']} updated, "
              f"{f['rows_duplicate']} duplicate, {f['rows_rejected']} rejected")
    status = f["status"]
    if status == "failed":
        return f"[bold red]not imported:[/] {escape(str(f['error']))}"
    if status == "skipped":
        return f"skipped: {escape(str(f['error']))}"
    if status == "already imported":
        return (f"{name} ({source}): already imported as #{f['import_id']}, nothing changed "
                f"({f['rows_read']} read: {f['rows_duplicate']} duplicate, {f['rows_rejected']} rejected)")
    if status == "rolled back":
        return (f"{name} ({source}): {f['rows_read']} read, {f['rows_rejected']} rejected: [bold red]nothing "
                f"imported (--strict)[/]{_would_be(f)}")
    return f"{name} ({source}): {counts} (import #{f['import_id']})"


def _would_be(f: dict[str, Any]) -> str:
    """What a file refused by --strict would have imported: its counts (the JSON's, cli.md) are of rows never
    written, so not called new: '; 92 rows would be new', '; of the other 96 rows, 92 would be new and 4 updated'."""
    kinds = [(n, word) for n, word in ((f["rows_new"], "new"), (f["rows_updated"], "updated"),
                                       (f["rows_duplicate"], "duplicate")) if n]
    if not kinds:
        return ""
    if len(kinds) == 1:
        n, word = kinds[0]
        if word == "duplicate":
            word = "a duplicate" if n == 1 else "duplicates"
        return f"; {n} row{'s' if n != 1 else ''} would be {word}"
    listed = [f"{n} would be {word}" if i == 0 else f"{n} {word}" for i, (n, word) in enumerate(kinds)]
    return f"; of the other {sum(n for n, _ in kinds)} rows, {', '.join(listed[:-1])} and {listed[-1]}"


def _public(summary: dict[str, object]) -> dict[str, object]:
    """The cli.md fields first, in their documented order, then the additions."""
    keys = ("file", "source", "rows_read", "rows_new", "rows_updated", "rows_duplicate", "rows_rejected",
            "rejects_file")
    return {**{k: summary[k] for k in keys}, **{k: v for k, v in summary.items() if k not in keys}}
