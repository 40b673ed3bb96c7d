"""Header lookup for sources: which file column holds each expected column (missing ones read as NULL)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from strategyfirst.sources.base import normalise_column
from strategyfirst.sources.textfile import SourceFile, ident, unique_names

# The expression `column_map` gives for a wanted column the file does not have.
MISSING = "NULL::VARCHAR"


def column_map(sf: SourceFile, wanted: Iterable[str],
               header_map: Callable[[list[str]], list[str]] | None = None) -> tuple[list[str], dict[str, str]]:
    """The unique file column names, and for each wanted column an SQL expression (quoted column or NULL).

    `header_map` turns the header cells into the wanted names (e.g. localised aliases); the first column
    that maps to a name wins.
    """
    names = unique_names(sf.header)
    keys = header_map(sf.header) if header_map else [normalise_column(h) for h in sf.header]
    found: dict[str, str] = {}
    for key, name in zip(keys, names, strict=True):
        found.setdefault(key, name)
    return names, {w: ident(found[w]) if w in found else MISSING for w in wanted}
