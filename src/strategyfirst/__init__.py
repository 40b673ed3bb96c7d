"""strategyfirst: social media in the right order — strategy, tactics that serve it, measurement."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from strategyfirst.errors import StrategyFirstError
from strategyfirst.version import __version__

if TYPE_CHECKING:
    from strategyfirst.workspace import Workspace

__all__ = ["StrategyFirstError", "Workspace", "__version__"]


def __getattr__(name: str) -> Any:
    """`strategyfirst.Workspace` on first use (PEP 562): importing any module of the package, say
    `strategyfirst.formatting`, then does not load the facade that composes every layer."""
    if name == "Workspace":
        return importlib.import_module("strategyfirst.workspace").Workspace
    raise AttributeError(f"module 'strategyfirst' has no attribute {name!r}")
