"""The one module that opens the app database: engines (cached per URL) and Alembic migration on open.

`open_engine(url)` returns a ready engine whose schema is at the migrations' head (`alembic upgrade head`),
run once per URL per process through Alembic's command API with the migrations shipped in this package.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from strategyfirst.appdb.head import MIGRATIONS, shipped_head
from strategyfirst.errors import AppDatabaseError

if TYPE_CHECKING:
    from alembic.config import Config

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
# an arbitrary constant: the PostgreSQL advisory lock that serialises concurrent migrations of one database
_PG_MIGRATION_LOCK = 724_311_905


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations (usable with `alembic.command.*`)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _at_head(conn: Connection) -> bool:
    """True when the database is already at the shipped head (then `migrate` has nothing to do)."""
    head = shipped_head()
    if head is None or not inspect(conn).has_table("alembic_version"):
        return False
    found = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
    return found == [head]


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the schema to head (idempotent: a database already at head is left as it is)."""
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            if _at_head(conn):
                return
            from alembic import command

            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except SQLAlchemyError as exc:
        raise AppDatabaseError(f"{safe_url(engine.url)}: cannot open or migrate the app database: "
                               f"{_first_line(exc)}", file=db_file(engine.url)) from exc


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")  # the CLI and the web app may write at the same time
    cur.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a writer
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # take the write lock up front: a deferred transaction that reads, then writes, fails at once with
    # "database is locked" when another process wrote meanwhile, instead of waiting for busy_timeout;
    # sessions that only read (DBCore.reading) begin deferred and never wait for a writer (WAL)
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("sf_read") else "BEGIN IMMEDIATE")


def create(url: str) -> Engine:
    """A new engine for `url` (not migrated); AppDatabaseError for a malformed URL or a missing driver."""
    try:
        parsed = make_url(url)
        kwargs: dict[str, Any] = {"future": True}
        if parsed.get_backend_name() == "postgresql":
            kwargs["pool_pre_ping"] = True
            if "connect_timeout" not in parsed.query:  # an unreachable server fails in seconds, not minutes
                kwargs["connect_args"] = {"connect_timeout": 10}
        if parsed.get_backend_name() == "sqlite":
            kwargs["poolclass"] = NullPool  # a file per workspace: hold no connections (or descriptors) open
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise AppDatabaseError(f"{url!r} is not a usable SQLAlchemy URL ({exc}); use e.g. "
                               "sqlite:///path/app.sqlite or postgresql+psycopg://user@host/db") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def open_engine(url: str) -> Engine:
    """The process-wide engine for `url`, migrated to head on first use."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = create(url)
            if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
                Path(engine.url.database).parent.mkdir(parents=True, exist_ok=True)
            try:
                migrate(engine)
            except AppDatabaseError:
                engine.dispose()
                raise
            except SQLAlchemyError as exc:
                engine.dispose()
                raise AppDatabaseError(f"{safe_url(engine.url)}: cannot open the app database: "
                                       f"{_first_line(exc)}", file=db_file(engine.url)) from exc
            _engines[url] = engine
        return engine


def dispose(url: str) -> None:
    """Close the pooled connections of `url` and forget its engine (tests, shutdown)."""
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def safe_url(url: Any) -> str:
    """The URL with any password masked, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def db_file(url: Any) -> str | None:
    """The file of an SQLite app database (the file at fault when it cannot be opened), else None."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # a URL that does not parse names no file
        return None
    database = parsed.database
    return database if parsed.get_backend_name() == "sqlite" and database and database != ":memory:" else None


def _first_line(exc: BaseException) -> str:
    msg = str(getattr(exc, "orig", None) or exc)
    return msg.strip().splitlines()[0] if msg.strip() else type(exc).__name__
