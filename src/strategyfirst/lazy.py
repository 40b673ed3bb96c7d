"""PEP 562 re-exports: a package offers names of its submodules and imports each submodule on first use only
(so importing the package, or one light submodule of it, loads none of the heavy ones)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def exports(package: str, homes: dict[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """The module `__getattr__` of `package`: `name` is read from the submodule `homes[name]` on first use and
    set in `namespace` (the package's globals), so later lookups, and monkeypatch's undo, see a plain
    attribute."""
    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    return __getattr__
