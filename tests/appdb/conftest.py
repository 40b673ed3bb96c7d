"""Every app-database test runs twice: on a fresh SQLite file and on a fresh schema of a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from strategyfirst.appdb import AppDB, dispose, open_appdb
from strategyfirst.workspace import Workspace
from tests.appdb.databases import pg_schema_url, pg_unavailable
from tests.conftest import require

EXAMPLE_PLAN = Path(__file__).resolve().parents[2] / "src" / "strategyfirst" / "plan" / "example.yaml"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty app database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared-app.sqlite'}"
        yield url
        dispose(url)
        return
    reason = pg_unavailable()
    require(reason is None, reason or "")
    with pg_schema_url() as url:
        yield url


def make_workspace(root: Path, plan_text: str | None = None) -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    if plan_text is not None:
        (root / "strategy.yaml").write_text(plan_text, encoding="utf-8")
    return Workspace(root)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A workspace folder named `acme` holding the example plan."""
    return make_workspace(tmp_path / "acme", EXAMPLE_PLAN.read_text(encoding="utf-8"))


@pytest.fixture
def db(ws: Workspace, db_url: str) -> AppDB:
    """The app database at `db_url` with `ws` registered (db.slug == "acme")."""
    return open_appdb(ws, db_url)
