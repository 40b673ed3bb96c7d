"""The `readiness` and `capacity` commands, registered on the main Typer app by `register`: thin over
`strategyfirst.readiness` and `strategyfirst.capacity`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from strategyfirst.cli_options import HERE, Format, WsOpt
from strategyfirst.workspace import Workspace


def register(app: typer.Typer, out: Console, err: Console) -> None:
    """Add `readiness` and `capacity` to `app`."""

    @app.command()
    def readiness(
        answers: Annotated[Path | None, typer.Option(
            "--answers", help="YAML or JSON file of answers (docs/readiness.md) instead of asking.")] = None,
        ask: Annotated[bool, typer.Option(
            "--ask/--no-ask", help="Ask in the terminal (default when stdin is a terminal).")] = True,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
        ws_path: WsOpt = HERE,
    ) -> None:
        """Answer the readiness questionnaire into strategy.yaml (comments kept); score each dimension."""
        from strategyfirst.readiness import ask_answers, read_answers, record_answers, score_readiness

        ws = Workspace(ws_path)
        doc = ws.plan_document()
        given = None
        if answers is not None:
            given = read_answers(answers)
        elif ask and sys.stdin.isatty():
            given = ask_answers(doc.plan.readiness, plan=doc.plan)
        elif ask:
            err.print("stdin is not a terminal: scoring the answers already in the plan "
                      "(pass --answers FILE to record answers)", highlight=False)
        if given is not None:
            doc = record_answers(ws, given)
            err.print(f"Answers written to {escape(str(ws.plan_path))}.", highlight=False)
        result = score_readiness(doc.plan)
        if fmt is Format.json:
            typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        else:
            from strategyfirst.readiness.render import render_text

            render_text(result, out)

    @app.command()
    def capacity(
        service_level: Annotated[float, typer.Option(
            "--service-level", help="Share of inbound messages to answer within the target time.")] = 0.9,
        target_minutes: Annotated[float | None, typer.Option(
            "--target-minutes", help="Response-time target (default: the plan's first_response_minutes "
                                     "KPI target).")] = None,
        fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
        ws_path: WsOpt = HERE,
    ) -> None:
        """People needed per hour of the week (Erlang C) against the declared staffing, and the gaps."""
        result = Workspace(ws_path).capacity(service_level=service_level, target_minutes=target_minutes)
        if fmt is Format.json:
            typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        else:
            from strategyfirst.capacity.render import render_text

            render_text(result, out)
