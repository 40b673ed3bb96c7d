"""The `strategyfirst` command line (../shared/spec/cli.md): thin Typer commands over `Workspace`.

Machine-readable output goes to stdout, messages to stderr. Domain errors become one line and exit 2 here,
at the edge; a traceback is never the answer to bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from strategyfirst.errors import StrategyFirstError
from strategyfirst.workspace import Workspace

app = typer.Typer(
    name="strategyfirst",
    help="Social media in the right order: strategy first, tactics that serve it, measurement that feeds back.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

out = Console(soft_wrap=True)            # stdout: results
err = Console(stderr=True, soft_wrap=True)  # stderr: progress and messages

WorkspaceOpt = Annotated[Path, typer.Option("--workspace", "-w", help="Workspace folder.", show_default=".")]
DEFAULT_WS = Path(".")


def workspace(path: Path) -> Workspace:
    return Workspace(path)


# --- demo (issue 5 replaces the body with the full pipeline) ----------------------------------------------
@app.command()
def demo(
    directory: Annotated[Path, typer.Argument(help="Where to build the demo workspace.")] = Path("strategyfirst-demo"),
) -> None:
    """Build a simulated organisation and run lint → ingest → measure → diagnose → report on it."""
    from strategyfirst.demo import run_demo

    run_demo(directory, out=out, err=err)


def main() -> None:
    """Entry point: run the app, turning the product's own errors into one line and exit code 2."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except StrategyFirstError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(2)
        raise
