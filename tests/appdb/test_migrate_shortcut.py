"""`migrate` on a database already at head skips Alembic (its imports cost every command ~0.3 s); any other
database still goes through `alembic upgrade head`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic import command

from strategyfirst.appdb.engine import alembic_config, create, current_revision, head_revision, migrate, shipped_head

SRC = Path(__file__).resolve().parents[2] / "src"


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert shipped_head() is not None
    assert shipped_head() == head_revision()


def test_an_older_database_is_still_upgraded(tmp_path: Path) -> None:
    engine = create(f"sqlite:///{tmp_path / 'old.sqlite'}")
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
        assert current_revision(engine) == "0001"
        migrate(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_a_database_at_head_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    engine = create(url)
    migrate(engine)
    engine.dispose()
    probe = ("import sys\nfrom strategyfirst.appdb import connect\n"
             f"connect({url!r})\nprint('alembic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], env={**os.environ, "PYTHONPATH": str(SRC)},
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
