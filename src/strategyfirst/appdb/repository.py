"""`AppDB`: the library API over the app database (history + accounts), one short transaction per call."""

from __future__ import annotations

from sqlalchemy import Engine

from strategyfirst.appdb.accounts import AccountsMixin
from strategyfirst.appdb.history import HistoryMixin


class AppDB(HistoryMixin, AccountsMixin):
    """An opened, migrated app database. `slug` is set by `open_appdb` to the slug of the workspace opened."""

    def __init__(self, engine: Engine, url: str, slug: str | None = None) -> None:
        super().__init__(engine, url)
        self.slug: str = slug or ""

    def close(self) -> None:
        """Release pooled connections (the engine is shared per URL within a process)."""
        from strategyfirst.appdb.engine import dispose

        dispose(self.url)
