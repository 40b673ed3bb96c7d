"""Option values converted without pydantic (strategyfirst.cli_coerce) are those Typer's own adapters give,
and a value the direct conversion refuses gets Typer's own error, for every parameter of every command."""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer import _coercion
from typer._click.exceptions import BadParameter

from strategyfirst import cli
from strategyfirst.cli_coerce import DirectRuntimeParam, runtime_param

SAMPLES: tuple[Any, ...] = (None, "", "text", "json", "TEXT", "tactic", "week", "duckdb", "parquet", "0", "7",
                            "-3", "+5", "1000", "999", "3000", "2.5", "0.9", "1e3", "١٢", " 5", "5_000", "abc",
                            "2026-02-28", "2021-02-30", "v2", ".", "/tmp", "/no/such/folder", "a/b/", "é",
                            "a\udcff", 0, 7, 0.9, True, False, Path("."), dt.date(2026, 1, 2))


def _parameters() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []

    def walk(command: Any, path: str) -> None:
        for param in command.params:
            if hasattr(param, "type_descriptor"):
                found.append((f"{path} {param.name}", param))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(cli.app), "strategyfirst")
    return found


def _outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        result = runtime.coerce(value, param=param, ctx=ctx)
    except BadParameter as exc:
        return "error", exc.format_message()
    except Exception as exc:  # compared as they are
        return "raised", (type(exc).__name__, str(exc))
    return "value", (type(result), result.value if isinstance(result, enum.Enum) else result)


PARAMETERS = _parameters()
CTX = typer.main.get_command(cli.app).make_context("strategyfirst", ["--help"], resilient_parsing=True)


@pytest.mark.parametrize(("where", "param"), PARAMETERS, ids=[where for where, _ in PARAMETERS])
def test_each_value_converts_as_typer_converts_it(where: str, param: Any) -> None:
    direct = runtime_param(param.type_descriptor)
    assert isinstance(direct, DirectRuntimeParam)
    own = _coercion.build_runtime_param(param.type_descriptor)
    for value in (*SAMPLES, param.default):
        assert _outcome(direct, value, param, CTX) == _outcome(own, value, param, CTX), (where, value)


def test_the_parameters_cover_the_kinds_the_direct_conversion_takes() -> None:
    kinds = {type(runtime_param(p.type_descriptor).direct).__name__ for _, p in PARAMETERS}
    assert len(PARAMETERS) > 100
    assert "function" in kinds and "NoneType" in kinds  # some taken directly, lists and tuples not


def test_the_cli_uses_the_direct_conversion() -> None:
    assert typer.core.build_runtime_param is runtime_param
