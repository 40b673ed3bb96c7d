"""What Meta Business Suite exports share: Excel re-saves that wrap each line in one quoted cell, short rows
whose trailing figure columns are missing, and video ids in permalinks.

- **Wrapped lines.** Excel may re-save an export with each whole line as one quoted cell
  (`"Post ID,""Account ID"",..."`): the file is unwrapped into a copy and read as the export it was.
- **Short rows.** A complete line with fewer fields than the header, where only trailing figure columns are
  missing, is a row whose missing figures are null (Meta ends some rows early); a row that also lacks a column
  before the first figure, or the last line cut mid-row, stays a reject.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from strategyfirst.sources.base import normalise_column
from strategyfirst.sources.textfile import ROWS, TRUNCATED, SourceFile, ident

if TYPE_CHECKING:
    import duckdb

_WRAPPED = re.compile(r'^"(.*)"[,;\t]*$', re.DOTALL)
# Video ids in Facebook permalinks: /videos/<id>, /reel/<id>, /watch/?v=<id>
VIDEO_IN_URL = r"(?:/videos/(?:[^/?#]+/)?|/reel/|[?&]v=)([0-9]+)"


def split_wrapped(header: list[str]) -> list[str] | None:
    """The real header cells when Excel wrapped the whole header line in one quoted cell, else None."""
    cells = [h for h in header if h.strip()]
    if len(cells) != 1:
        return None
    inner = cells[0]
    delimiter = max((",", ";", "\t"), key=inner.count)
    if not inner.count(delimiter):
        return None
    if "\n" in inner or "\r" in inner:  # a header cut inside a quote, not one wrapped line
        return None
    return [c.strip() for c in next(csv.reader([inner], delimiter=delimiter))]


def wrapped_header_map(header: list[str]) -> list[str]:
    """Header cells compared loosely, unwrapped first when Excel wrapped the line in one cell."""
    return [normalise_column(h) for h in (split_wrapped(header) or header)]


def unwrap(sf: SourceFile) -> None:
    """Point `sf` at a copy whose lines are unwrapped (Excel's one-quoted-cell-per-line re-save), with its
    header and delimiter sniffed again. A no-op when the header is not wrapped.

    Streams the file line by line: such re-saves are small post exports, and each line is only unquoted."""
    cells = split_wrapped(sf.header)
    if cells is None:
        return
    inner_header = next(h for h in sf.header if h.strip())
    sf.delimiter = max((",", ";", "\t"), key=inner_header.count)
    tmp_dir = sf.tmp_dir or sf.text_path.parent
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="import-", suffix=".csv", dir=tmp_dir)
    out = Path(name)
    try:
        with sf.text_path.open(encoding="utf-8-sig", newline="") as src, open(fd, "w", encoding="utf-8",
                                                                            newline="") as dst:
            for line in src:
                body = line.rstrip("\r\n")
                end = line[len(body):]
                found = _WRAPPED.match(body)
                dst.write((found.group(1).replace('""', '"') if found else body) + end)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    if sf.text_path != sf.path:
        sf.text_path.unlink(missing_ok=True)
    sf.text_path = out
    sf.line_ends_rewritten = True
    sf.header = cells
    sf.ends_with_newline = True
    sf.ends_with_quote = False


def pad_short_rows(con: duckdb.DuckDBPyConnection, sf: SourceFile, names: list[str], first_figure: int) -> int:
    """Turn the complete rows that end early, after column `first_figure` (0-based index of the first figure
    column), into rows of `src_rows` with the missing trailing figures null; they leave `csv_rejects`.

    Only the (few) short rows DuckDB's reader rejected are parsed here, with the standard csv module."""
    rows = con.execute("SELECT line, raw FROM csv_rejects WHERE reason LIKE 'the row has % where the header has %' "
                       "AND reason <> ? ORDER BY line", [TRUNCATED]).fetchall()
    padded: list[tuple[object, ...]] = []
    for line, raw in rows:
        if raw is None:
            continue
        try:
            cells = next(csv.reader(io.StringIO(raw.rstrip("\r\n"), newline=""), delimiter=sf.delimiter))
        except (csv.Error, StopIteration):
            continue
        if first_figure <= len(cells) < len(names):
            padded.append((*cells, *([None] * (len(names) - len(cells))), int(line)))
    if not padded:
        return 0
    cols = ", ".join(f"{ident(n)} VARCHAR" for n in names)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _meta_padded ({cols}, _line BIGINT)")
    con.executemany(f"INSERT INTO _meta_padded VALUES ({', '.join('?' * (len(names) + 1))})", padded)
    con.execute("DELETE FROM csv_rejects WHERE line IN (SELECT _line FROM _meta_padded)")
    con.execute(f"CREATE OR REPLACE TEMP TABLE _meta_rows AS SELECT * FROM {ROWS} "
                "UNION ALL SELECT * FROM _meta_padded")
    con.execute(f"DROP VIEW {ROWS}")
    con.execute(f"CREATE TEMP VIEW {ROWS} AS SELECT * FROM _meta_rows")
    return len(padded)
