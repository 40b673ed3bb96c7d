"""The `strategyfirst` command line (../shared/spec/cli.md): thin Typer commands over `Workspace`.

Machine-readable output goes to stdout, messages to stderr. Domain errors become one line and exit 2 here,
at the edge; a traceback is never the answer to bad input.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import warnings
from collections.abc import Callable, Iterator, MutableMapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer import _click
from typer.core import TyperCommand

from strategyfirst.cli_coerce import install as _install_direct_coercion
from strategyfirst.cli_options import AnyWsOpt, AsOfOpt, OnceGroup, WsOpt, day_option, one_folder, require_workspace
from strategyfirst.errors import PlanError, StrategyFirstError, WorkspaceError
from strategyfirst.workspace import Workspace

_core = typer.Typer(  # the commands of this module; `app` (below) has every command
    name="strategyfirst",
    help="Social media in the right order: strategy first, tactics that serve it, measurement that feeds "
         "back.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=OnceGroup,  # a single-valued option given twice is refused, not silently the last
)

_install_direct_coercion()  # option values without pydantic where Typer's adapter would give the same

out = Console(soft_wrap=True)            # stdout: results
err = Console(stderr=True, soft_wrap=True)  # stderr: progress and messages

WorkspaceOpt = WsOpt
DEFAULT_WS = Path(".")


def workspace(path: Path) -> Workspace:
    return Workspace(path)


def planned_workspace(path: Path, command: str, *, parse: bool = True) -> Workspace:
    """The workspace at `path`, with a plan file, and readable unless `parse` is false (PlanError locating
    each problem otherwise)."""
    ws = workspace(path)
    if not ws.has_plan():
        raise WorkspaceError(f"no plan at {ws.plan_path}: `{command}` judges the data against the plan; write "
                             f"one (`strategyfirst init {ws.root}` starts it) and lint it")
    if parse:
        ws.plan_document()
    return ws


# --- demo (issue 5 replaces the body with the full pipeline) ----------------------------------------------
@_core.command()
def demo(
    directory: Annotated[Path | None, typer.Argument(
        help="Where to build the demo workspace (default: --workspace, else ./strategyfirst-demo).",
        show_default=False)] = None,
    events: Annotated[int, typer.Option(min=1000, help="Messages to simulate.")] = 40_000,
    seed: Annotated[int, typer.Option(help="Simulator seed (same seed, same organisation).")] = 7,
    ws_path: Annotated[Path | None, typer.Option(
        "--workspace", "-w", help="Where to build the demo workspace, like DIRECTORY.", show_default=False)]
    = None,
    *, ctx: typer.Context,
) -> None:
    """Build a simulated organisation and run lint → ingest → measure → diagnose → report on it."""
    from strategyfirst.demo import run_demo

    run_demo(one_folder(ctx, directory, ws_path, Path("strategyfirst-demo")), out=out, err=err, events=events,
             seed=seed)


# --- init and lint (issue 2) -------------------------------------------------------------------------------
class LintFormat(StrEnum):
    text = "text"
    json = "json"


@_core.command()
def init(
    directory: Annotated[Path | None, typer.Argument(help="Workspace folder (default: --workspace).")] = None,
    ws_path: WorkspaceOpt = DEFAULT_WS,
    *, ctx: typer.Context,
) -> None:
    """Start a workspace with a commented starter strategy.yaml (never overwrites a plan)."""
    ws = workspace(one_folder(ctx, directory, ws_path, DEFAULT_WS))
    if ws.plan_path.exists():
        err.print(f"error: {escape(str(ws.plan_path))} already exists; `init` never overwrites a plan "
                  "(edit it, or choose another folder)", highlight=False)
        raise typer.Exit(2)
    ws.init()
    err.print(f"Wrote {escape(str(ws.plan_path))}: fill it in, then run `strategyfirst lint -w "
              f"{escape(str(ws.root))}`.", highlight=False)


@_core.command()
def lint(
    plan: Annotated[Path | None, typer.Argument(help="Plan file (default: the workspace's strategy.yaml).")]
    = None,
    as_of: Annotated[dt.date | None, day_option(
        "--as-of", "Date the time-dependent rules use, YYYY-MM-DD (default: today).")] = None,
    fmt: Annotated[LintFormat, typer.Option("--format", "-f", help="text (a table) or json (cli.md shape).")]
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


@_core.command()
def diagnose(
    as_of: AsOfOpt = None,
    fmt: Annotated[DiagnoseFormat, typer.Option("--format", "-f", help="text (tables) or json (cli.md shape).")]
    = DiagnoseFormat.text,
    ws_path: WorkspaceOpt = DEFAULT_WS,
) -> None:
    """KPI status, forecasts, tactic-vs-strategy verdicts, budget proposals.

    Each diagnosis is kept in .strategyfirst/cache/ under what it depends on (the warehouse file's version,
    the plan's sha256, the as-of day, the code): `diagnose` itself, `decide` and `report` reuse it while none
    of these changed, and diagnose again otherwise. Deleting the folder is always safe."""
    if fmt is DiagnoseFormat.json:
        import json

        ws = planned_workspace(ws_path, "diagnose")
        typer.echo(json.dumps(ws.diagnosis_json(as_of), indent=2, ensure_ascii=False))
    else:
        from strategyfirst.diagnose.render import render_text as render_diagnosis

        ws = planned_workspace(ws_path, "diagnose", parse=False)  # a kept diagnosis was made of this plan text
        kept = ws.kept_diagnosis(as_of)
        if kept is None:
            ws.plan_document()  # PlanError locating each problem, before anything is noted
            result = ws.diagnose(as_of)
            budget = ws.plan_document().plan.budget  # money reads in the plan's budget currency
            kept = result, budget.currency if budget is not None else None
        render_diagnosis(kept[0], out, currency=kept[1])


# --- report (issue 5) --------------------------------------------------------------------------------------
@_core.command()
def report(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="HTML file to write (default: report.html in the workspace).")] = None,
    as_of: AsOfOpt = None,
    ws_path: WorkspaceOpt = DEFAULT_WS,
) -> None:
    """Write the self-contained HTML report (no network needed to open it); prints its path."""
    if output is not None:
        from strategyfirst.report import check_target

        check_target(output)  # before the plan is read: a mistyped -o is said at once
    path = planned_workspace(ws_path, "report").report(output, as_of=as_of)
    typer.echo(str(path))


# --- simulate (issue 4) ------------------------------------------------------------------------------------
@_core.command()
def simulate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the plan, exports and truth.json.")],
    events: Annotated[int, typer.Option("--events", help="Messages to simulate, all files together.")] = 50_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed writes the same bytes.")] = 7,
    ws_path: AnyWsOpt = DEFAULT_WS,  # it writes to --out only, never into a workspace
) -> None:
    """Write a simulated organisation: strategy.yaml, export files in real formats, truth.json."""
    from strategyfirst.simulate import simulate as run_simulation

    summary = run_simulation(out_dir, events=events, seed=seed)
    for source, paths in summary.files.items():
        typer.echo(f"{source}\t{len(paths)} file(s)\t{paths[0].parent if paths else ''}")
    typer.echo(f"plan\t{summary.plan}")
    typer.echo(f"truth\t{summary.truth_path}")
    err.print(f"{summary.messages:,} messages written to {summary.out}")


# --- the other commands live in their own modules, each adding its commands to an app with `register` ----------
REGISTRARS = ("strategyfirst.cli_appdb",    # decide, history, users, tokens (the app database)
              "strategyfirst.cli_ingest",   # ingest, sources, imports (issue 3)
              "strategyfirst.cli_measure",  # measure (issue 4)
              "strategyfirst.cli_export",   # export (issue 7, with measure's --engine options)
              "strategyfirst.cli_readiness",  # readiness, capacity (issue 8)
              "strategyfirst.cli_metrics",  # metrics (issue 13, the catalogue)
              "strategyfirst.cli_recovery",  # backup, restore, rebuild, check (issue 16)
              "strategyfirst.cli_serve")    # serve (issue 6; the app in web/)

# Every command in `--help`'s order: name, the module that registers it, the first paragraph of its help.
# `--help` lists these without importing or building any command; `strategyfirst NAME` imports NAME's module
# and builds that command alone. tests/cli/test_lazy_commands.py checks this table against the real commands.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("demo", __name__, "Build a simulated organisation and run lint → ingest → measure → diagnose → report on it."),
    ("init", __name__, "Start a workspace with a commented starter strategy.yaml (never overwrites a plan)."),
    ("lint", __name__, "Strategy-first lint of the plan: exit 0 no errors, 1 errors found, 2 unreadable plan."),
    ("diagnose", __name__, "KPI status, forecasts, tactic-vs-strategy verdicts, budget proposals."),
    ("report", __name__,
     "Write the self-contained HTML report (no network needed to open it); prints its path."),
    ("simulate", __name__,
     "Write a simulated organisation: strategy.yaml, export files in real formats, truth.json."),
    ("decide", "strategyfirst.cli_appdb",
     "Record a decision with the current plan version and the current verdicts as evidence."),
    ("history", "strategyfirst.cli_appdb",
     "List plan versions and decisions in time order, or diff two plan versions."),
    ("ingest", "strategyfirst.cli_ingest", "Import exports into the warehouse."),
    ("sources", "strategyfirst.cli_ingest", "The import formats known, with the columns each expects."),
    ("measure", "strategyfirst.cli_measure",
     "Metric values by scope and period, with the data-quality counts behind them."),
    ("export", "strategyfirst.cli_export",
     "Write the warehouse's tables as Parquet (messages by platform and month) with a manifest."),
    ("readiness", "strategyfirst.cli_readiness",
     "Answer the readiness questionnaire into strategy.yaml (comments kept); score each dimension."),
    ("capacity", "strategyfirst.cli_readiness",
     "People needed per hour of the week (Erlang C) against the declared staffing, and the gaps."),
    ("metrics", "strategyfirst.cli_metrics",
     "The metric catalogue: id, label, unit, direction, formula and version of every metric."),
    ("backup", "strategyfirst.cli_recovery",
     "A consistent snapshot of the workspace, with a manifest of sha256s and row counts."),
    ("restore", "strategyfirst.cli_recovery",
     "Restore a backup into a new or empty folder (-w), after checking every file against its manifest."),
    ("rebuild", "strategyfirst.cli_recovery",
     "Rebuild the warehouse from raw/ and the import log alone; the previous one is kept beside it."),
    ("check", "strategyfirst.cli_recovery",
     "Integrity of the workspace; exit 1 with the list of problems."),
    ("serve", "strategyfirst.cli_serve",
     "Serve the web app: pages, and the JSON API under /api/v1 (docs at /api/v1/docs)."),
    ("users", "strategyfirst.cli_appdb", "Accounts of the web app (no default user exists)."),
    ("tokens", "strategyfirst.cli_appdb", "API tokens for scripts (only their hash is stored)."),
    ("imports", "strategyfirst.cli_ingest",
     "The import log: id, file, source, --account option, when, by whom, counts; `imports undo ID` takes one "
     "back."),
)
_MODULE = {name: module for name, module, _ in COMMANDS}
_SHORT_HELP = {name: short for name, _, short in COMMANDS}
_full: list[typer.Typer] = []


def full_app() -> typer.Typer:
    """The Typer app with every command registered (what `strategyfirst.cli.app` is: tests drive it with
    Typer's CliRunner); `main` builds only the command it runs."""
    if not _full:
        import importlib

        for module in REGISTRARS:
            importlib.import_module(module).register(_core, out, err)
        _full.append(_core)
    return _full[0]


def __getattr__(name: str) -> typer.Typer:
    if name == "app":
        return full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_command(name: str) -> _click.Command | None:
    """The click command of `strategyfirst NAME`, built alone (its module imported); None for no such name."""
    import importlib

    from typer.main import get_command_from_info, get_command_name, get_group_from_info

    module = _MODULE.get(name)
    if module is None:
        return None
    if module == __name__:
        source = _core
    else:
        source = typer.Typer()
        importlib.import_module(module).register(source, out, err)
    for info in source.registered_commands:
        if (info.name or get_command_name(info.callback.__name__ if info.callback else "")) == name:
            return get_command_from_info(info, pretty_exceptions_short=_core.pretty_exceptions_short,
                                         rich_markup_mode=_core.rich_markup_mode)
    for group in source.registered_groups:
        if group.name == name:
            return get_group_from_info(group, pretty_exceptions_short=_core.pretty_exceptions_short,
                                       rich_markup_mode=_core.rich_markup_mode,
                                       suggest_commands=_core.suggest_commands)
    raise LookupError(f"{module} registers no command {name!r} (see strategyfirst.cli.COMMANDS)")


class _Commands(MutableMapping[str, "_click.Command"]):
    """The group's commands by name, in COMMANDS order, each built on first access."""

    def __init__(self) -> None:
        self.built: dict[str, _click.Command] = {}

    def __getitem__(self, name: str) -> _click.Command:
        if name not in self.built:
            command = build_command(name)
            if command is None:
                raise KeyError(name)
            self.built[name] = command
        return self.built[name]

    def __setitem__(self, name: str, command: _click.Command) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        del self.built[name]

    def __iter__(self) -> Iterator[str]:
        yield from _MODULE
        yield from (name for name in self.built if name not in _MODULE)

    def __len__(self) -> int:
        return len(_MODULE) + sum(name not in _MODULE for name in self.built)


class LazyGroup(OnceGroup):
    """The `strategyfirst` group with every command built on first use; its help lists the names and help of
    COMMANDS instead of building them all (Typer makes every option's converters when it builds a command)."""

    listing = False

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if self.listing and cmd_name in _SHORT_HELP and cmd_name not in getattr(self.commands, "built", {}):
            return TyperCommand(name=cmd_name, help=_SHORT_HELP[cmd_name], rich_markup_mode=self.rich_markup_mode)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


def _print_version(asked: bool) -> None:
    if asked:
        from strategyfirst.version import __version__

        typer.echo(f"strategyfirst {__version__}")
        raise typer.Exit()


def _root(version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """The options of `strategyfirst` itself (before a command)."""


_core.callback()(_root)


def lazy_group() -> LazyGroup:
    """The click group `main` runs: the options and help of the app, its commands built on demand."""
    from typer.main import get_group

    shell = typer.Typer(name=_core.info.name, help=_core.info.help, no_args_is_help=True, add_completion=False,
                        pretty_exceptions_enable=False, cls=LazyGroup)
    shell.callback()(_root)
    group = get_group(shell)
    assert isinstance(group, LazyGroup)
    group.commands = _Commands()
    return group


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
    if isinstance(exc, PlanError) and exc.problems:
        first = exc.problems[0]
        problems = [{"file": p.file, "line": p.line, "column": p.column, "message": p.message}
                    for p in exc.problems]
        fail(str(exc), exc.exit_code, as_json=as_json, file=first.file, line=first.line, column=first.column,
             problems=problems if len(problems) > 1 else None)
    fail(str(exc), exc.exit_code, as_json=as_json, file=exc.file, line=exc.line, column=exc.column)


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


def _not_utf8_text(args: list[str]) -> str | None:
    """The first argument that is not UTF-8 text (its bytes shown as \\xe9) and names no path, else None. A file
    or folder named in another encoding is refused where it is used, by its name."""
    for arg in args:
        shown = arg.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="backslashreplace")
        if shown != arg and os.sep not in arg and not os.path.lexists(arg):
            return shown
    return None


def main() -> None:
    """Entry point: run the app; the product's errors and usage errors become one line and exit code 2."""
    as_json = wants_json(sys.argv[1:])
    garbled = _not_utf8_text(sys.argv[1:])
    if garbled is not None:  # before anything runs: DuckDB, SQLite and the terminal take UTF-8 text only
        fail(f"{garbled}: this value is not UTF-8 text (a terminal set to another encoding?); give it in UTF-8", 2,
             as_json=as_json)
    shown = warnings.showwarning
    warnings.showwarning = _warning_printer(shown, as_json)
    # Python shows a warning once per place and process; each command's run reports its own.
    warnings.filterwarnings("always", message="plan history not recorded")
    try:
        code = lazy_group()(prog_name="strategyfirst", standalone_mode=False)
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
