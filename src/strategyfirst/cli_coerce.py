"""Option values without pydantic where Typer's own conversion gives the same value (issue 19: fixed costs).

Typer 0.29 converts every option value, defaults included, through a pydantic `TypeAdapter` built on first use:
importing pydantic and building the adapters costs ~0.1 s on every command that has options, whatever the
command does. Most of those adapters only wrap a plain function of Typer's (`Annotated[Any,
BeforeValidator(f)]`: the value is `f(value)`), or take a value that is already of the right type as it is.
`install()` makes Typer build, for each parameter, a conversion that does that directly and hands every other
case to Typer's own adapter, built when first needed: lists, tuples, dates and files given a value, and any
value the direct conversion refuses (so an error message is always Typer's own). tests/cli/test_coerce.py checks
both give the same value or the same error for every parameter of every command.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from typer import _coercion

_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")

Direct = Callable[[Any, Any, Any], Any]  # (value, param, ctx) -> value; any exception: ask Typer's adapter


def _direct(descriptor: Any) -> Direct | None:
    """The direct conversion for a parameter's type, or None where only Typer's adapter will do."""
    from typer._param_types import (
        coerce_cli_choice,
        coerce_cli_path,
        lenient_issubclass,
        literal_values,
        routes_to_path,
    )
    from typer._typing import is_literal_type

    info = descriptor.parameter_info
    annotation = descriptor.annotation
    if descriptor.is_file or descriptor.is_list or descriptor.is_tuple:
        return None
    if info.parser is not None:  # Typer: Annotated[Any, BeforeValidator(parser)]
        parser = info.parser
        return lambda value, param, ctx: parser(value)
    if lenient_issubclass(annotation, Enum) or is_literal_type(annotation):
        choices = list(annotation) if lenient_issubclass(annotation, Enum) else literal_values(annotation)
        case_sensitive = info.case_sensitive
        return lambda value, param, ctx: coerce_cli_choice(value, choices=choices, case_sensitive=case_sensitive,
                                                           ctx=ctx)
    if annotation in (int, float):
        if info.clamp:
            return None
        low, high = info.min, info.max
        pattern = _INT if annotation is int else _FLOAT

        def number(value: Any, param: Any, ctx: Any) -> Any:
            if type(value) is annotation:
                result = value
            elif type(value) is str and pattern.fullmatch(value):
                result = annotation(value)
            else:
                raise ValueError(value)
            if (low is not None and result < low) or (high is not None and result > high):
                raise ValueError(value)  # out of range: Typer's message
            return result

        return number
    if annotation is bool or annotation is str:
        def exact(value: Any, param: Any, ctx: Any) -> Any:  # a flag's bool, an option's text: as given
            if type(value) is not annotation:
                raise ValueError(value)
            return value

        return exact
    if routes_to_path(annotation, info):
        path_type = info.path_type
        if path_type is None and lenient_issubclass(annotation, Path):
            path_type = annotation
        if not lenient_issubclass(path_type, Path):
            return None

        def path(value: Any, param: Any, ctx: Any) -> Any:
            if type(value) is str:  # what pydantic's TypeAdapter(Path) makes of a string
                value = path_type(value)
            elif not isinstance(value, path_type):
                raise ValueError(value)
            return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)

        return path
    return None


@dataclass(frozen=True)
class DirectRuntimeParam(_coercion.RuntimeParam):
    """`direct` first; Typer's own runtime param (built on first need) when it refuses the value."""

    descriptor: Any = None
    direct: Direct | None = None
    typer_param: dict[str, Any] = field(default_factory=dict)

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if self.direct is not None:
            try:
                return self.direct(value, param, ctx)
            except Exception:  # Typer's own conversion decides, and words any error
                pass
        if "built" not in self.typer_param:
            self.typer_param["built"] = _coercion.build_runtime_param(self.descriptor)
        return self.typer_param["built"]._coerce_value(value, param=param, ctx=ctx)


def runtime_param(descriptor: Any) -> Any:
    """Typer's `build_runtime_param`, built when a value needs it: no value (None, which Typer's runtime param
    passes through without its adapter) and the values `_direct` takes need none."""
    return DirectRuntimeParam(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation,
                              descriptor=descriptor, direct=_direct(descriptor))


def install() -> None:
    """Make Typer's parameters use `runtime_param` (once; nothing when Typer's internals are not as expected:
    then Typer converts as it always did)."""
    import typer.core as core

    if getattr(core, "build_runtime_param", None) is getattr(_coercion, "build_runtime_param", object()) and \
            hasattr(_coercion, "RuntimeParam"):
        core.build_runtime_param = runtime_param
