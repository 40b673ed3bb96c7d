"""What the lower layers need of a workspace, so that none of them imports the `Workspace` facade.

`Workspace` (workspace.py) composes every layer; a layer that took a `Workspace` argument, if only for its
type, imported the facade and so, through it, every other layer (architecture.md: layers point one way).
Here instead are two protocols: `WorkspaceFiles`, the folder's paths and plan, and `MeasuringWorkspace`, what
the analysis layers call back (`diagnose` and `report` take anything that measures); and `WorkspaceFolder`, the
paths as a small class with no heavy import, which `Workspace` extends and a lower layer can build for a folder
it only knows by name.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from strategyfirst.errors import WorkspaceError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import ibis.expr.types as ir

    from strategyfirst.metrics import MeasureResult
    from strategyfirst.metrics.funnel import FunnelReport
    from strategyfirst.plan import PlanDocument

PLAN_FILE = "strategy.yaml"
STATE_DIR = ".strategyfirst"


class WorkspaceFolder:
    """A folder holding `strategy.yaml` and the `.strategyfirst/` state (warehouse, raw files, app database)."""

    def __init__(self, path: str | Path = ".", *, db_url: str | None = None) -> None:
        self.root = Path(path).resolve()
        self.db_url = db_url
        shown = os.fsencode(self.root).decode("utf-8", errors="backslashreplace")
        if shown != str(self.root):  # DuckDB and SQLite take UTF-8 paths only (the bytes shown as \xe9)
            raise WorkspaceError(f"{shown}: the workspace's path is not UTF-8 text (a folder name written in "
                                 "another encoding): rename the folder, or choose another one")

    @property
    def plan_path(self) -> Path:
        return self.root / PLAN_FILE

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def warehouse_path(self) -> Path:
        return self.state_dir / "warehouse.duckdb"

    @property
    def raw_dir(self) -> Path:
        return self.state_dir / "raw"

    def ensure(self) -> WorkspaceFolder:
        """Create the folder and its state directory if missing."""
        if self.root.exists() and not self.root.is_dir():
            raise WorkspaceError(f"{self.root}: is a file, not a workspace folder")
        self.raw_dir.mkdir(parents=True, exist_ok=True)
        return self

    def has_plan(self) -> bool:
        return self.plan_path.is_file()

    def plan_document(self, path: str | Path | None = None) -> PlanDocument:
        """Load and validate the plan (raises PlanError with located problems)."""
        from strategyfirst.plan import load as load_plan

        return load_plan(path or self.plan_path)

    def plan_or_none(self) -> PlanDocument | None:
        return self.plan_document() if self.has_plan() else None


class WorkspaceFiles(Protocol):
    """A workspace folder's paths and plan: what the warehouse, app database and capacity layers need."""

    @property
    def root(self) -> Path: ...
    @property
    def db_url(self) -> str | None: ...
    @property
    def plan_path(self) -> Path: ...
    @property
    def state_dir(self) -> Path: ...
    @property
    def warehouse_path(self) -> Path: ...
    @property
    def raw_dir(self) -> Path: ...

    def ensure(self) -> WorkspaceFiles: ...
    def has_plan(self) -> bool: ...
    def plan_document(self, path: str | Path | None = None) -> PlanDocument: ...
    def plan_or_none(self) -> PlanDocument | None: ...


class MeasuringWorkspace(WorkspaceFiles, Protocol):
    """What `diagnose` and `report` call back: the folder, its slug, and the measurements of its warehouse."""

    @property
    def slug(self) -> str: ...

    def lint(self, path: str | Path | None = None, *, as_of: dt.date | None = None) -> Any: ...
    def table(self, name: str) -> ir.Table: ...
    def query(self, sql: str) -> list[dict[str, Any]]: ...
    def query_columns(self, sql: str) -> dict[str, Any]: ...
    def measure(self, by: str = "none", period: str = "all", since: dt.date | str | None = None,
                until: dt.date | str | None = None, metrics: Sequence[str] | None = None, *,
                platforms: Sequence[str] | None = None, accounts: Sequence[str] | None = None) -> MeasureResult: ...
    def funnel(self, since: dt.date | str | None = None, until: dt.date | str | None = None) -> FunnelReport: ...
