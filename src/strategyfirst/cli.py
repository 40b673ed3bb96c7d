"""The `strategyfirst` command line (../shared/spec/cli.md): thin Typer commands over `Workspace`.

Machine-readable output goes to stdout, messages to stderr. Domain errors become one line and exit 2 here,
at the edge; a traceback is never the answer to bad input.
"""

from __future__ import annotations

import datetime as dt
import sys
import warnings
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from strategyfirst.cli_options import AsOfOpt, WsOpt, day_option, require_workspace
from strategyfirst.errors import PlanError, StrategyFirstError, UsageError, WorkspaceError
from strategyfirst.workspace import Workspace

app = typer.Typer(
    name="strategyfirst",
    help="Social media in the right order: strategy first, tactics that serve it, measurement that feeds "
         "back.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

out = Console(soft_wrap=True)            # stdout: results
err = Console(stderr=True, soft_wrap=True)  # stderr: progress and messages

WorkspaceOpt = WsOpt
DEFAULT_WS = Path(".")


def workspace(path: Path) -> Workspace:
    return Workspace(path)


def planned_workspace(path: Path, command: str) -> Workspace:
    """The workspace at `path`, with a readable plan (PlanError locating each problem otherwise)."""
    ws = workspace(path)
    if not ws.has_plan():
        raise WorkspaceError(f"no plan at {ws.plan_path}: `{command}` judges the data against the plan; write "
                             f"one (`strategyfirst init {ws.root}` starts it) and lint it")
    ws.plan_document()
    return ws


# --- demo (issue 5 replaces the body with the full pipeline) ----------------------------------------------
@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="Where to build the demo workspace.")]
    = Path("strategyfirst-demo"),
    events: Annotated[int, typer.Option(min=1000, help="Messages to simulate.")] = 40_000,
    seed: Annotated[int, typer.Option(help="Simulator seed (same seed, same organisation).")] = 7,
) -> None:
    """Build a simulated organisation and run lint → ingest → measure → diagnose → report on it."""
    from strategyfirst.demo import run_demo

    run_demo(directory, out=out, err=err, events=events, seed=seed)


# --- init and lint (issue 2) -------------------------------------------------------------------------------
class LintFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def init(
    directory: Annotated[Path | None, typer.Argument(help="Workspace folder (default: --workspace).")] = None,
    ws_path: WorkspaceOpt = DEFAULT_WS,
) -> None:
    """Start a workspace with a commented starter strategy.yaml (never overwrites a plan)."""
    ws = workspace(directory if directory is not None else ws_path)
    if ws.plan_path.exists():
        err.print(f"error: {escape(str(ws.plan_path))} already exists; `init` never overwrites a plan "
                  "(edit it, or choose another folder)", highlight=False)
        raise typer.Exit(2)
    ws.init()
    err.print(f"Wrote {escape(str(ws.plan_path))}: fill it in, then run `strategyfirst lint -w "
              f"{escape(str(ws.root))}`.", highlight=False)


@app.command()
def lint(
    plan: Annotated[Path | None, typer.Argument(help="Plan file (default: the workspace's strategy.yaml).")]
    = None,
    as_of: Annotated[dt.date | None, day_option(
        "--as-of", "Date the time-dependent rules use, YYYY-MM-DD (default: today).")] = None,
    fmt: Annotated[LintFormat, typer.Option("--format", help="text (a table) or json (cli.md shape).")]
    = LintFormat.text,
    ws_path: WorkspaceOpt = DEFAULT_WS,
) -> None:
    """Strategy-first lint of the plan: exit 0 no errors, 1 errors found, 2 unreadable plan."""
    if plan is None:
        require_workspace(ws_path)
    try:
        report = workspace(ws_path).lint(plan, as_of=as_of)
    except PlanError as exc:
        if fmt is LintFormat.json:
            raise  # main() writes it as a JSON error
        for problem in exc.problems:  # one located `file:line:col: message` line each
            err.print(escape(str(problem)), highlight=False)
        raise typer.Exit(2) from None
    if fmt is LintFormat.json:
        import json

        typer.echo(json.dumps(report.to_json(report.file), indent=2, ensure_ascii=False))
    else:
        from strategyfirst.lint.render import render_text

        render_text(report, out)
    raise typer.Exit(0 if report.ok else 1)


# --- diagnose (issue 5) ------------------------------------------------------------------------------------
class DiagnoseFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def diagnose(
    as_of: AsOfOpt = None,
    fmt: Annotated[DiagnoseFormat, typer.Option("--format", help="text (tables) or json (cli.md shape).")]
    = DiagnoseFormat.text,
    ws_path: WorkspaceOpt = DEFAULT_WS,
) -> None:
    """KPI status, forecasts, tactic-vs-strategy verdicts, budget proposals.

    Each diagnosis is kept in .strategyfirst/cache/ under what it depends on (the warehouse file's version,
    the plan's sha256, the as-of day, the code): `--format json`, `decide` and `report` reuse it while none
    of these changed, and diagnose again otherwise. Deleting the folder is always safe."""
    ws = planned_workspace(ws_path, "diagnose")
    if fmt is DiagnoseFormat.json:
        import json

        typer.echo(json.dumps(ws.diagnosis_json(as_of), indent=2, ensure_ascii=False))
    else:
        from strategyfirst.diagnose.render import render_text as render_diagnosis

        result = ws.diagnose(as_of)

        document = ws.plan_or_none()  # money reads in the plan's budget currency
        budget = document.plan.budget if document is not None else None
        render_diagnosis(result, out, currency=budget.currency if budget is not None else None)


# --- report (issue 5) --------------------------------------------------------------------------------------
@app.command()
def report(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="HTML file to write (default: report.html in the workspace).")] = None,
    as_of: AsOfOpt = None,
    ws_path: WorkspaceOpt = DEFAULT_WS,
) -> None:
    """Write the self-contained HTML report (no network needed to open it); prints its path."""
    if output is not None:
        if output.is_dir():
            raise UsageError(f"{output} is a folder: give the report a file name, e.g. -o "
                             f"{output / 'report.html'}")
        if output.parent.exists() and not output.parent.is_dir():
            raise UsageError(f"{output.parent} is a file, not a folder: choose where to write the report")
    path = planned_workspace(ws_path, "report").report(output, as_of=as_of)
    typer.echo(str(path))


# --- simulate (issue 4) ------------------------------------------------------------------------------------
@app.command()
def simulate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the plan, exports and truth.json.")],
    events: Annotated[int, typer.Option("--events", help="Messages to simulate, all files together.")] = 50_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed writes the same bytes.")] = 7,
) -> None:
    """Write a simulated organisation: strategy.yaml, export files in real formats, truth.json."""
    from strategyfirst.simulate import simulate as run_simulation

    summary = run_simulation(out_dir, events=events, seed=seed)
    for source, paths in summary.files.items():
        typer.echo(f"{source}\t{len(paths)} file(s)\t{paths[0].parent if paths else ''}")
    typer.echo(f"plan\t{summary.plan}")
    typer.echo(f"truth\t{summary.truth_path}")
    err.print(f"{summary.messages:,} messages written to {summary.out}")


# --- decide, history, users, tokens (app database; the commands live in cli_appdb.py) ----------------------
from strategyfirst.cli_appdb import register as _register_appdb_commands  # noqa: E402

_register_appdb_commands(app, out, err)

# --- ingest, sources (issue 3; the commands live in cli_ingest.py) -----------------------------------------
from strategyfirst.cli_ingest import register as _register_ingest_commands  # noqa: E402

_register_ingest_commands(app, out, err)

# --- measure (issue 4; the command lives in cli_measure.py) -----------------------------------------------
from strategyfirst.cli_measure import register as _register_measure_commands  # noqa: E402

_register_measure_commands(app, out, err)

# --- export (issue 7; the command lives in cli_export.py, with measure's --engine options) -----------------
from strategyfirst.cli_export import register as _register_export_commands  # noqa: E402

_register_export_commands(app, out, err)

# --- readiness, capacity (issue 8; the commands live in cli_readiness.py) ----------------------------------
from strategyfirst.cli_readiness import register as _register_readiness_commands  # noqa: E402

_register_readiness_commands(app, out, err)

# --- metrics (issue 13; the catalogue, the command lives in cli_metrics.py) ---------------------------------
from strategyfirst.cli_metrics import register as _register_metrics_command  # noqa: E402

_register_metrics_command(app, out, err)

# --- backup, restore, rebuild, check (issue 16; the commands live in cli_recovery.py) ----------------------
from strategyfirst.cli_recovery import register as _register_recovery_commands  # noqa: E402

_register_recovery_commands(app, out, err)

# --- serve (issue 6; the command lives in cli_serve.py, the app in web/) -----------------------------------
from strategyfirst.cli_serve import register as _register_serve_command  # noqa: E402

_register_serve_command(app, out, err)


def wants_json(argv: list[str]) -> bool:
    """True when the command line asks for `--format json` (errors are then JSON too)."""
    for i, arg in enumerate(argv):
        if arg in ("--format", "-f") and i + 1 < len(argv) and argv[i + 1] == "json":
            return True
        if arg in ("--format=json", "-fjson"):
            return True
    return False


def fail(message: str, code: int, *, as_json: bool, file: str | None = None, line: int | None = None,
         column: int | None = None, problems: list[dict[str, object]] | None = None) -> NoReturn:
    """Report an error as one line on stderr (`{"error": ...}` under `--format json`) and exit with `code`."""
    if as_json:
        import json

        body: dict[str, object] = {"error": message, "file": file, "line": line, "column": column}
        if problems:
            body["problems"] = problems
        sys.stderr.write(json.dumps(body, ensure_ascii=False) + "\n")
    else:
        err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    sys.exit(code)


def _strategyfirst_error(exc: StrategyFirstError, as_json: bool) -> NoReturn:
    from strategyfirst.errors import ImportFileError

    if isinstance(exc, PlanError) and exc.problems:
        first = exc.problems[0]
        problems = [{"file": p.file, "line": p.line, "column": p.column, "message": p.message}
                    for p in exc.problems]
        fail(str(exc), exc.exit_code, as_json=as_json, file=first.file, line=first.line, column=first.column,
             problems=problems if len(problems) > 1 else None)
    if isinstance(exc, ImportFileError):
        fail(str(exc), exc.exit_code, as_json=as_json, file=exc.file, line=exc.line, column=exc.column)
    fail(str(exc), exc.exit_code, as_json=as_json)


def _plain_dates(message: str) -> str:
    """click's "'2021-02-30' does not match the formats '%Y-%m-%d'." (date options declared with `formats=`)
    said the way people write dates."""
    import re

    message = message.replace("Value error, ", "")  # typer's pydantic coercion prefixes its messages
    return re.sub(r"'([^']*)' does not match the formats? '%Y-%m-%d'\.?", r"\1 is not a date (YYYY-MM-DD)",
                  message)


def _warning_printer(previous: Callable[..., None], as_json: bool) -> Callable[..., None]:
    """`warnings.showwarning` printing the product's own warnings as one `warning:` line (not Python's
    `file:line: Category:` form; `{"warning": ...}` under `--format json`); others go to `previous`."""
    from strategyfirst.errors import HistoryWarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: object = None,
             line: str | None = None) -> None:
        if issubclass(category, HistoryWarning) and as_json:
            import json

            sys.stderr.write(json.dumps({"warning": str(message)}, ensure_ascii=False) + "\n")
        elif issubclass(category, HistoryWarning):
            err.print(f"[yellow]warning:[/] {escape(str(message))}", highlight=False)
        else:
            previous(message, category, filename, lineno, file, line)

    return show


def main() -> None:
    """Entry point: run the app; the product's errors and usage errors become one line and exit code 2."""
    as_json = wants_json(sys.argv[1:])
    shown = warnings.showwarning
    warnings.showwarning = _warning_printer(shown, as_json)
    # Python shows a warning once per place and process; each command's run reports its own.
    warnings.filterwarnings("always", message="plan history not recorded")
    try:
        code = app(prog_name="strategyfirst", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except StrategyFirstError as exc:
        _strategyfirst_error(exc, as_json)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # click usage errors
        import click

        # typer 0.29 vendors its own click (typer._click): its usage errors are TyperExceptions, not click's
        if isinstance(exc, click.ClickException | typer.TyperException) and hasattr(exc, "format_message"):
            if not exc.format_message().strip() and hasattr(exc, "show"):  # no command given: the help
                exc.show()
                sys.exit(2)
            ctx = getattr(exc, "ctx", None)
            where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            fail(f"{_plain_dates(exc.format_message())}{where}", int(getattr(exc, "exit_code", 2)) or 2,
                 as_json=as_json)
        raise
    finally:
        warnings.showwarning = shown
