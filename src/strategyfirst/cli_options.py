"""Options shared by every command module, and the checks behind them: the workspace folder (refused unless it
is one, so that no command creates a folder or state it was not asked to), dates, the text/json switch.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path, PurePath
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from strategyfirst import dates
from strategyfirst.errors import UsageError, WorkspaceError
from strategyfirst.ports import PLAN_FILE, STATE_DIR

# Commands that make or fill a workspace: any folder will do (they create what is missing).
CREATES = frozenset({"init", "demo", "ingest", "restore"})
# Commands whose -w another argument may replace (`lint PLAN`, `measure --data DIR`): checked in the body.
OPTIONAL = frozenset({"lint", "measure"})


def is_workspace(path: Path) -> bool:
    """A folder holding a plan (`strategy.yaml`) or the product's state (`.strategyfirst/`)."""
    return path.is_dir() and ((path / PLAN_FILE).is_file() or (path / STATE_DIR).is_dir())


def require_workspace(path: Path) -> Path:
    """`path` if it is a workspace; else WorkspaceError saying what is there and how to start one."""
    if is_workspace(path):
        return path
    shown = str(path.resolve()) if str(path) in ("", ".") else str(path)
    if not path.exists():
        why = "no such folder"
    elif not path.is_dir():  # `init` of a file would be refused too: only -w can help
        raise WorkspaceError(f"no workspace at {shown} (it is a file, not a folder): point -w at your workspace "
                             "folder")
    else:
        why = f"the folder has no {PLAN_FILE} and no {STATE_DIR}/"
    raise WorkspaceError(f"no workspace at {shown} ({why}): start one with `strategyfirst init {shown}` (it "
                         f"writes {PLAN_FILE} there), or point -w at your workspace")


def _check_workspace(ctx: typer.Context, param: typer.CallbackParam, value: Path) -> Path:
    if ctx.resilient_parsing or ctx.info_name in CREATES or ctx.info_name in OPTIONAL:
        return value
    source = ctx.get_parameter_source(param.name or "")
    if source is not None and source.name == "DEFAULT":
        if isinstance(ctx.command, TyperGroup):
            return value  # `imports undo ID -w DIR`: the subcommand's own -w is checked
        parent = ctx.parent.params.get(param.name or "") if ctx.parent is not None else None
        if isinstance(parent, Path) and parent != HERE:
            return value  # `imports -w DIR undo ID`: the group's -w was checked
    return require_workspace(value)


def _check_given_workspace(ctx: typer.Context, param: typer.CallbackParam, value: Path) -> Path:
    source = ctx.get_parameter_source(param.name or "")
    if ctx.resilient_parsing or (source is not None and source.name == "DEFAULT"):
        return value
    return require_workspace(value)


# Commands that need no workspace (`metrics`, `sources`, `simulate`) take -w too (cli.md: every command does);
# a folder given is checked, so a mistyped one is said rather than silently ignored.
AnyWsOpt = Annotated[Path, typer.Option(
    "--workspace", "-w", help="Workspace folder: not needed by this command; checked when given.",
    show_default=".", callback=_check_given_workspace)]
WsOpt = Annotated[Path, typer.Option(
    "--workspace", "-w", help="Workspace folder (a folder with strategy.yaml or .strategyfirst/; init, demo and "
    "ingest make one).", show_default=".", callback=_check_workspace)]
HERE = Path(".")


def one_folder(ctx: typer.Context, directory: Path | None, ws_path: Path | None, default: Path) -> Path:
    """The folder of `init DIR` / `demo DIR`, which -w may give instead: both naming different folders is a
    contradiction (UsageError), not a choice to make silently; the same folder twice is that folder."""
    source = ctx.get_parameter_source("ws_path")
    given = ws_path if ws_path is not None and (source is None or source.name != "DEFAULT") else None
    if directory is None:
        return given if given is not None else default
    if given is not None and directory.resolve() != given.resolve():
        raise UsageError(f"two folders given, {directory} and -w {given}: give one (`strategyfirst "
                         f"{ctx.info_name} {directory}` or `-w {given}`)")
    return directory


class Format(StrEnum):
    text = "text"
    json = "json"


def parse_day(value: str | dt.date) -> dt.date:
    """An ISO calendar date (YYYY-MM-DD) the product works with (dates.parse_day); else one line saying so."""
    try:
        return dates.plausible(value) if isinstance(value, dt.date) else dates.parse_day(str(value))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def day_option(name: str, help: str) -> object:
    """A `--as-of`-style option read as a `datetime.date`."""
    return typer.Option(name, parser=parse_day, metavar="YYYY-MM-DD", help=help, show_default=False)


AsOfOpt = Annotated[dt.date | None, day_option(
    "--as-of", "Date to judge as of, YYYY-MM-DD (default: the latest data).")]


def version_number(text: str) -> int:
    """A plan version as `history` prints it (`v2`) or as a bare number (`2`)."""
    match = re.fullmatch(r"[vV]?(\d+)", text.strip())
    if match is None or int(match.group(1)) < 1:
        raise typer.BadParameter(f"{text!r} is not a plan version: write it as `history` lists it, e.g. v2 "
                                 "(or 2)")
    return int(match.group(1))


def option_values(command: Any, args: list[str]) -> dict[str, list[str]]:
    """The single-valued options of `command` in its arguments `args`, read as click's parser reads them
    (`--by X`, `--by=X`, `-fX`, flags), each with the values given in order; repeatable options (`--metric`)
    are read past, not listed. A flag's value is the spelling given (`--strict`, `--no-strict`)."""
    known: dict[str, Any] = {}
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "option":
            known.update(dict.fromkeys([*param.opts, *param.secondary_opts], param))
    given: dict[str, list[str]] = {}
    i = 0
    while i < len(args):
        arg, i = args[i], i + 1
        if arg == "--":
            break
        if not arg.startswith("-"):
            continue
        name, value = arg.split("=", 1) if arg.startswith("--") and "=" in arg else (arg, None)
        if name not in known and not arg.startswith("--"):  # `-fjson`: a short option with its value
            name, value = arg[:2], arg[2:]
        param = known.get(name)
        if param is None:
            continue
        if param.is_flag or param.count:
            value = name
        elif value is None:
            value = " ".join(args[i:i + max(param.nargs, 1)])
            i += max(param.nargs, 1)
        if not param.multiple and not param.count:
            given.setdefault(param.opts[0], []).append(value)
    return given


def path_options(command: Any) -> set[str]:
    """The options of `command` whose value is a path (their first name, as `option_values` keys them)."""
    found = set()
    for param in getattr(command, "params", []):
        # typer 0.29 keeps the declared type on the parameter's type_descriptor (click's `type` comes later)
        annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
        if getattr(param, "param_type_name", "") == "option" and isinstance(annotation, type) and \
                issubclass(annotation, PurePath):
            found.add(param.opts[0])
    return found


def _named(value: str) -> object:
    """The file or folder a path names, for comparing two spellings of it; the text when it cannot resolve."""
    try:
        return Path(value).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte: compared as typed
        return value


def refuse_repeats(command: Any, args: list[str]) -> None:
    """UsageError when a single-valued option of `command` is given twice with different values: click would
    silently keep the last (`--by account --by tactic`), as `ingest` refuses a second --account. A path is
    compared as the file or folder it names (`-w . -w /abs/path/of/it` is one folder given twice)."""
    paths = path_options(command)
    for option, values in option_values(command, args).items():
        distinct = {_named(v) for v in values} if option in paths else set(values)
        if len(distinct) > 1:
            raise UsageError(f"{option} was given {len(values)} times ({', '.join(values)}); give it once")


class OnceGroup(TyperGroup):
    """A command group whose commands refuse a single-valued option given twice (`refuse_repeats`)."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not ctx.resilient_parsing:
            refuse_repeats(command, rest)
        return name, command, rest
