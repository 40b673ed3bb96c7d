"""Alembic migrations shipped in the package: an empty database is brought to head, idempotently."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from strategyfirst.appdb import connect, dispose
from strategyfirst.appdb.engine import MIGRATIONS, create, current_revision, head_revision, migrate
from strategyfirst.appdb.models import Base

TABLES = {"workspaces", "users", "memberships", "sessions", "api_tokens", "login_attempts", "plan_versions",
          "decisions", "decision_changes", "invitations", "alembic_version"}


def test_the_migrations_ship_inside_the_package() -> None:
    assert (MIGRATIONS / "env.py").is_file()
    assert any(MIGRATIONS.glob("versions/0001_*.py"))
    assert head_revision() == "0002"


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
        assert current_revision(engine) == "0002"
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


def test_tokens_made_before_scopes_keep_what_they_could_do(db_url: str) -> None:
    """0001 → 0002: an existing token becomes one for all its user's workspaces with write access (scripts keep
    working; `tokens list` shows the scope so it can be replaced by a narrower one)."""
    from alembic import command
    from sqlalchemy import text

    from strategyfirst.appdb.engine import alembic_config

    engine = create(db_url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
            conn.execute(text("INSERT INTO users (id, email, password_hash, created_at) "
                              "VALUES (1, 'ana@acme.org', 'x', CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO api_tokens (user_id, name, token_hash, created_at) "
                              "VALUES (1, 'ci', 'h', CURRENT_TIMESTAMP)"))
        migrate(engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT name, workspace_id, access FROM api_tokens")).all()
        assert [tuple(r) for r in rows] == [("ci", None, "write")]
    finally:
        engine.dispose()
