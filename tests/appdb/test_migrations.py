"""Alembic migrations shipped in the package: an empty database is brought to head, idempotently."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from strategyfirst.appdb import connect, dispose
from strategyfirst.appdb.engine import MIGRATIONS, create, current_revision, head_revision, migrate
from strategyfirst.appdb.models import Base

TABLES = {"workspaces", "users", "memberships", "sessions", "api_tokens", "login_attempts", "plan_versions",
          "decisions", "alembic_version"}


def test_the_migrations_ship_inside_the_package() -> None:
    assert (MIGRATIONS / "env.py").is_file()
    assert any(MIGRATIONS.glob("versions/0001_*.py"))
    assert head_revision() == "0001"


def test_an_empty_database_is_migrated_to_head(db_url: str) -> None:
    engine = create(db_url)
    try:
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) == set()
        migrate(engine)
        assert current_revision(engine) == head_revision()
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()


def test_migrate_is_idempotent_and_keeps_data(db_url: str) -> None:
    db = connect(db_url)  # migrates on open
    db.register_workspace("/tmp/one", "one")
    engine = create(db_url)
    try:
        migrate(engine)
        migrate(engine)
        assert current_revision(engine) == "0001"
    finally:
        engine.dispose()
    dispose(db_url)
    assert [w.slug for w in connect(db_url).workspaces()] == ["one"]


def test_the_models_match_what_the_migrations_create(db_url: str) -> None:
    engine = create(db_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                           Base.metadata)
        assert differences == []
    finally:
        engine.dispose()
