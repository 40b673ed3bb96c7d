"""Web-test fixtures: one served environment per test process (building it ingests a real file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from strategyfirst.appdb import dispose
from tests.web.env import WebEnv, build


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[WebEnv]:
    """acme (example plan + the real twcs sample ingested) and globex, one SQLite app database."""
    root = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{root / 'app.sqlite'}"
    env = build(root, url, shared_data / "twcs" / "sample.csv")
    yield env
    dispose(env.db_url)
