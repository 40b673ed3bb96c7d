"""Alembic migrations shipped in the package: an empty database is brought to head, idempotently."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from strategyfirst.appdb import connect, dispose
from strategyfirst.appdb.engine import MIGRATIONS, create, current_revision, head_revision, migrate
from strategyfirst.appdb.models import Base

TABLES = {"workspaces", "users", "memberships", "sessions", "api_tokens", "login_attempts", "plan_versions",
          "decisions", "decision_changes", "invitations", "alembic_version"}


def test_the_migrations_ship_inside_the_package() -> None:
    assert (MIGRATIONS / "env.py").is_file()
    assert any(MIGRATIONS.glob("versions/0001_*.py"))
    assert head_revision() == "0004"


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
        assert current_revision(engine) == "0004"
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


def upgraded_with(db_url: str, revision: str, *rows: str) -> Engine:
    """A new database at `revision` holding `rows` (INSERT statements), then migrated to head."""
    from alembic import command

    from strategyfirst.appdb.engine import alembic_config

    engine = create(db_url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        for row in rows:
            conn.execute(text(row))
    migrate(engine)
    return engine


def test_tokens_made_before_scopes_keep_what_they_could_do(db_url: str) -> None:
    """0001 → 0002: an existing token becomes one for all its user's workspaces with write access (scripts keep
    working; `tokens list` shows the scope so it can be replaced by a narrower one)."""
    engine = upgraded_with(db_url, "0001",
                           "INSERT INTO users (id, email, password_hash, created_at) "
                           "VALUES (1, 'ana@acme.org', 'x', CURRENT_TIMESTAMP)",
                           "INSERT INTO api_tokens (user_id, name, token_hash, created_at) "
                           "VALUES (1, 'ci', 'h', CURRENT_TIMESTAMP)")
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT name, workspace_id, access FROM api_tokens")).all()
        assert [tuple(r) for r in rows] == [("ci", None, "write")]
    finally:
        engine.dispose()


def test_adding_admins_keeps_every_user_role_session_and_token(db_url: str) -> None:
    """0002 → 0003 adds `users.is_admin` (false for all): the users' memberships, sessions and tokens stay (a
    copy-and-drop of `users` on SQLite would have cascaded to them)."""
    engine = upgraded_with(
        db_url, "0002",
        "INSERT INTO workspaces (id, slug, path, created_at) VALUES (1, 'acme', '/tmp/acme', CURRENT_TIMESTAMP)",
        "INSERT INTO users (id, email, password_hash, created_at) VALUES (1, 'ana@acme.org', 'x', CURRENT_TIMESTAMP)",
        "INSERT INTO memberships (user_id, workspace_id, role, created_at) VALUES (1, 1, 'owner', CURRENT_TIMESTAMP)",
        "INSERT INTO sessions (token_hash, user_id, csrf_secret, created_at, expires_at) "
        "VALUES ('s', 1, 'c', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at, workspace_id, access) "
        "VALUES (1, 'ci', 'h', CURRENT_TIMESTAMP, 1, 'read')")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT email, is_admin FROM users")).all() == [("ana@acme.org", False)]
            assert conn.execute(text("SELECT role FROM memberships")).all() == [("owner",)]
            assert conn.execute(text("SELECT count(*) FROM sessions")).scalar() == 1
            assert conn.execute(text("SELECT name, access FROM api_tokens")).all() == [("ci", "read")]
    finally:
        engine.dispose()


def test_repeat_texts_keep_every_decision_linked_to_its_version(db_url: str) -> None:
    """0003 → 0004 lets a text be stored again (a revert is a new version): the decisions still point at their
    versions (a copy-and-drop of `plan_versions` on SQLite would have set their links to NULL), and a text may
    then be stored twice."""
    engine = upgraded_with(
        db_url, "0003",
        "INSERT INTO workspaces (id, slug, path, created_at) VALUES (1, 'acme', '/tmp/acme', CURRENT_TIMESTAMP)",
        "INSERT INTO plan_versions (id, workspace_id, number, sha256, text, created_at, last_seen_at) "
        "VALUES (7, 1, 1, 'a', 'version: 1\n', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        "INSERT INTO decisions (workspace_id, number, text, plan_version_id, created_at) "
        "VALUES (1, 1, 'Stop the contest', 7, CURRENT_TIMESTAMP)")
    try:
        with engine.begin() as conn:
            assert conn.execute(text("SELECT text, plan_version_id FROM decisions")).all() == [
                ("Stop the contest", 7)]
            conn.execute(text("INSERT INTO plan_versions (workspace_id, number, sha256, text, created_at, "
                              "last_seen_at, why) VALUES (1, 2, 'a', 'version: 1\n', CURRENT_TIMESTAMP, "
                              "CURRENT_TIMESTAMP, 'reverts to version 1')"))
            assert conn.execute(text("SELECT count(*) FROM plan_versions WHERE sha256 = 'a'")).scalar() == 2
    finally:
        engine.dispose()
