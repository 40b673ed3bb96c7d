"""Web-test fixtures: served environments, built once per test process (building one ingests a real file).

`web` runs a test on SQLite and on PostgreSQL (a schema of its own on the server of
STRATEGYFIRST_TEST_PG_URL, see tests/appdb/databases.py); modules that test no database behaviour use
`web_sqlite` through their own `web` fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from strategyfirst.appdb import dispose
from tests.appdb.databases import pg_schema_url, pg_unavailable
from tests.conftest import require
from tests.web.env import WebEnv, build


@pytest.fixture(scope="session")
def web_sqlite(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[WebEnv]:
    """acme (a plan over the real twcs sample, ingested) and globex, one SQLite app database."""
    root = tmp_path_factory.mktemp("web")
    env = build(root, f"sqlite:///{root / 'app.sqlite'}", shared_data / "twcs" / "sample.csv")
    yield env
    dispose(env.db_url)


@pytest.fixture(scope="session")
def web_pg(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[WebEnv]:
    """The same on the PostgreSQL server, in a fresh schema dropped afterwards."""
    reason = pg_unavailable()
    require(reason is None, reason or "")
    root = tmp_path_factory.mktemp("web-pg")
    with pg_schema_url() as url:
        yield build(root, url, shared_data / "twcs" / "sample.csv")


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def web(request: pytest.FixtureRequest) -> WebEnv:
    """The served environment on each app-database backend."""
    env: WebEnv = request.getfixturevalue("web_pg" if request.param == "postgresql" else "web_sqlite")
    return env


@pytest.fixture()
def fresh_web(tmp_path: Path) -> Iterator[WebEnv]:
    """A served environment of the test's own on SQLite, no data imported: for tests that change the plan,
    decisions or members and want to count exactly what they did."""
    env = build(tmp_path, f"sqlite:///{tmp_path / 'app.sqlite'}", None)
    yield env
    dispose(env.db_url)
