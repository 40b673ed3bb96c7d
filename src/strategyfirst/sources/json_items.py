"""Where each item of an export's JSON array begins in the file, so that a rejected item is reported on its line
(data.md: a reject names the file and the line). DuckDB's JSON functions give no positions: the text is walked
with the json module's scanner, and only for a file with rejects. A reject's reason names the item by its number
too (`item 3 of orderedItems: `), which is what tells the items of a one-line (minified) file apart."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's white space
_DECODER = json.JSONDecoder()


def item_lines(text: str, key: str | None = None) -> list[int] | None:
    """The line (1-based) on which each item of the document's array begins, in order: the items of the
    top-level array, or with `key` those of every array under `key` in the top-level object, one after the other
    (an archive may repeat the key). None when the text is not JSON of that shape."""
    try:
        starts = _item_starts(text, key)
    except (ValueError, IndexError):  # JSONDecodeError is a ValueError; IndexError: the text ends early
        return None
    lines, line, at = [], 1, 0
    for start in starts:
        line += text.count("\n", at, start)
        lines.append(line)
        at = start
    return lines


def _skip(text: str, pos: int) -> int:
    found = _SPACE.match(text, pos)
    return found.end() if found else pos


def _array_items(text: str, pos: int) -> tuple[list[int], int]:
    """Where each item of the array opening at `pos` begins, and the position after the array."""
    starts: list[int] = []
    pos = _skip(text, pos + 1)
    if text[pos] == "]":
        return starts, pos + 1
    while True:
        starts.append(pos)
        _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == "]":
            return starts, pos + 1
        if text[pos] != ",":
            raise ValueError("not a JSON array")
        pos = _skip(text, pos + 1)


def _item_starts(text: str, key: str | None) -> list[int]:
    pos = _skip(text, 0)
    if key is None:
        if text[pos] != "[":
            raise ValueError("not a JSON array")
        return _array_items(text, pos)[0]
    if text[pos] != "{":
        raise ValueError("not a JSON object")
    starts: list[int] = []
    pos = _skip(text, pos + 1)
    while text[pos] != "}":
        if text[pos] != '"':
            raise ValueError("not a JSON object")
        name, pos = _DECODER.raw_decode(text, pos)  # the key, a JSON string
        pos = _skip(text, pos)
        if text[pos] != ":":
            raise ValueError("not a JSON object")
        pos = _skip(text, pos + 1)
        if name == key and text[pos] == "[":
            found, pos = _array_items(text, pos)
            starts += found
        else:
            _, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return starts


def locate_rejects(con: duckdb.DuckDBPyConnection, text: Callable[[], str], key: str | None = None) -> None:
    """Turn the `line` of the rejects staged for a JSON file, the rejected item's number (1-based, in
    `item_lines`' order), into the line of the file where that item begins. `text`: reads the JSON as the source
    read it, with the file's lines; called only when there are rejects (most files have none)."""
    numbers = [n for (n,) in con.execute("SELECT DISTINCT line FROM stage_rejects WHERE line IS NOT NULL")
               .fetchall()]
    if not numbers:
        return
    lines = item_lines(text(), key)
    if lines is None:  # DuckDB read what the json module does not: the items keep their numbers
        return
    numbers = [n for n in numbers if 0 < n <= len(lines)]
    con.execute("UPDATE stage_rejects SET line = l.line FROM (SELECT unnest(?::BIGINT[]) AS item, "
                "unnest(?::BIGINT[]) AS line) l WHERE stage_rejects.line = l.item",
                [numbers, [lines[n - 1] for n in numbers]])
