"""Test databases for the app-database layer: a fresh SQLite file, or a fresh schema on the PostgreSQL server.

The server is found through STRATEGYFIRST_TEST_PG_URL (default: postgres@127.0.0.1:5432/test, trust auth).
Each PostgreSQL test gets its own schema (via the URL's `options=-csearch_path=...`), dropped afterwards, so
parallel runs never collide. The web tests may reuse `pg_schema_url`.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from strategyfirst.appdb import dispose

PG_URL = os.environ.get("STRATEGYFIRST_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@functools.cache
def pg_unavailable() -> str | None:
    """Why the test server cannot be used, or None when it answers."""
    try:
        engine = create_engine(PG_URL, poolclass=NullPool, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means: no usable server here
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL not reachable at {make_url(PG_URL).render_as_string()}: {first}"
    return None


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """A URL whose connections work in a new, empty schema; the schema is dropped on exit."""
    schema = f"sf_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URL, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        yield rendered
    finally:
        dispose(rendered)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
