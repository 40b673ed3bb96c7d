"""Opening an export file: encoding, header sniffing, and DuckDB's CSV reader with located parse rejects.

Everything a source needs before it maps columns: the file decoded to UTF-8 (UTF-8, UTF-8 BOM, UTF-16 BOM,
cp1252/Latin-1), its header and delimiter, and a temp table of its rows (all text) with their line numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from strategyfirst.errors import ImportFileError

CHUNK = 16 << 20
SNIFF_BYTES = 256 << 10


@dataclass
class SourceFile:
    """An export file opened for import: where its UTF-8 text is, its header and its delimiter."""

    path: Path
    encoding: str
    text_path: Path                   # the file itself, or a UTF-8 copy when it was in another encoding
    kind: str                         # "csv" or "json"
    header: list[str] = field(default_factory=list)
    delimiter: str = ","
    second_row: list[str] = field(default_factory=list)
    ends_with_newline: bool = True
    size: int = 0

    @property
    def name(self) -> str:
        return self.path.name

    def error(self, message: str, line: int | None = None, column: int | None = None) -> ImportFileError:
        return ImportFileError(str(self.path), message, line, column)


def _utf8_problem(path: Path) -> tuple[int, int] | None:
    """Byte offset and byte of the first invalid UTF-8 sequence, or None when the file is valid UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return offset + exc.start, chunk[exc.start]
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset, 0
    return None


def _locate(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of a byte offset."""
    before = data[:offset]
    line = before.count(b"\n") + 1
    return line, offset - (before.rfind(b"\n") + 1) + 1


def detect_encoding(path: Path) -> str:
    """The file's encoding; a UTF-8 file with one broken byte is an error, not silently re-read as cp1252."""
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        problem = _utf8_problem(path)
        if problem is None:
            return "utf-8-sig"
        return _broken_utf8(path, problem)
    problem = _utf8_problem(path)
    if problem is None:
        return "utf-8"
    # No valid multi-byte sequence before the bad byte: a single-byte Windows/Latin-1 export.
    with path.open("rb") as fh:
        data = fh.read(problem[0])
    if all(b < 0x80 for b in data):
        return "cp1252"
    try:
        data.decode("utf-8")
        has_multibyte = True
    except UnicodeDecodeError:
        has_multibyte = False
    return _broken_utf8(path, problem) if has_multibyte else "cp1252"


def _broken_utf8(path: Path, problem: tuple[int, int]) -> str:
    with path.open("rb") as fh:
        data = fh.read(problem[0] + 1)
    line, col = _locate(data, problem[0])
    raise ImportFileError(str(path), f"invalid UTF-8 byte 0x{problem[1]:02x} in a UTF-8 file; re-export the "
                          "file or re-save it as UTF-8", line, col)


def _transcode(path: Path, encoding: str, tmp_dir: Path) -> Path:
    """A UTF-8 copy of a file in another encoding (streamed in chunks)."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkstemp(prefix="import-", suffix=".csv", dir=tmp_dir)[1])
    codec = "cp1252" if encoding == "cp1252" else encoding
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    fallback = codecs.getincrementaldecoder("latin-1")()
    with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(CHUNK):
            try:
                dst.write(decoder.decode(chunk))
            except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined: Latin-1 maps every byte
                if codec != "cp1252":
                    raise
                dst.write(fallback.decode(chunk))
        dst.write(decoder.decode(b"", final=True))
    return out


def open_source_file(path: Path, tmp_dir: Path) -> SourceFile:
    """Decode and sniff a file: encoding, kind (csv/json), header row, delimiter."""
    if not path.is_file():
        raise ImportFileError(str(path), "no such file; check the path")
    encoding = detect_encoding(path)
    text_path = path if encoding in ("utf-8", "utf-8-sig") else _transcode(path, encoding, tmp_dir)
    size = path.stat().st_size
    with text_path.open("rb") as fh:
        head_bytes = fh.read(SNIFF_BYTES)
    head = head_bytes.decode("utf-8", errors="ignore").lstrip("\ufeff")
    with text_path.open("rb") as fh:
        fh.seek(0, io.SEEK_END)
        end = fh.tell()
        fh.seek(max(end - 2, 0))
        tail = fh.read()
    sf = SourceFile(path=path, encoding=encoding, text_path=text_path, kind="csv", size=size,
                    ends_with_newline=tail.endswith(b"\n") or tail.endswith(b"\r"))
    stripped = head.lstrip()
    if stripped.startswith(("{", "[")):
        sf.kind = "json"
        # Top-level markers found near the start stand in for a header in detection.
        if re.search(r'"orderedItems"\s*:', head):
            sf.header.append("orderedItems")
        if re.search(r'"type"\s*:\s*"OrderedCollection"', head):
            sf.header.append("type:OrderedCollection")
        return sf
    first_line = head.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    sf.delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    rows = csv.reader(io.StringIO(head, newline=""), delimiter=sf.delimiter)
    try:
        sf.header = [h.strip() for h in next(rows, [])]
        sf.second_row = next(rows, [])
    except csv.Error:
        sf.header = [h.strip().strip('"') for h in first_line.rstrip("\r").split(sf.delimiter)]
    return sf


def read_rows(con: duckdb.DuckDBPyConnection, sf: SourceFile, table: str, *, skip: int = 1,
              names: list[str] | None = None) -> int:
    """Load the file's data rows (all VARCHAR) into temp `table` with a `_line` column; parse rejects go to
    temp `csv_rejects` (line, reason, raw). Returns the number of good rows."""
    names = names or unique_names(sf.header)
    columns = "{" + ", ".join(f"'{_q(n)}': 'VARCHAR'" for n in names) + "}"
    for leftover in ("reject_errors", "reject_scans"):  # DuckDB's reject tables persist per connection
        if _exists(con, leftover):
            con.execute(f"DELETE FROM {leftover}")
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table}_raw AS SELECT * FROM read_csv(?, columns={columns}, "
            f"auto_detect=false, header=false, skip={skip}, delim=?, quote='\"', escape='\"', "
            "store_rejects=true, strict_mode=true, max_line_size=20000000, parallel=true)",
            [str(sf.text_path), sf.delimiter])
    except duckdb.Error as exc:
        raise sf.error(f"cannot be read as CSV ({str(exc).splitlines()[0]}); check it is the export file",
                       skip + 1, 1) from exc
    # `_line` is the row's line as if no quoted field held a line break; `fix_reject_lines` corrects the
    # (few) rejected rows afterwards, so the hot path needs no window over millions of rows.
    # Inside a transaction rowids start at a large offset: count from the first one.
    first = con.execute(f"SELECT coalesce(min(rowid), 0) FROM {table}_raw").fetchone()
    offset = int(first[0]) if first else 0
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT *, {skip + 1}::BIGINT + (rowid - {offset}) "
                f"AS _line FROM {table}_raw")
    con.execute("""CREATE OR REPLACE TEMP TABLE csv_rejects AS
                   SELECT line::BIGINT AS line, error_type || ': ' || error_message AS reason,
                          csv_line AS raw, column_idx AS col FROM reject_errors""")
    if not sf.ends_with_newline:
        last = con.execute("SELECT max(line), any_value(col) FILTER (WHERE line = (SELECT max(line) FROM "
                           "csv_rejects)) FROM csv_rejects").fetchone()
        good_last = con.execute(f"SELECT max(_line) FROM {table}").fetchone()
        if last and last[0] is not None and (good_last is None or good_last[0] is None or last[0] > good_last[0]):
            raise sf.error("the file ends in the middle of a row: it looks truncated; export or copy it again",
                           int(last[0]), int(last[1] or 1))
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


ROWS = "src_rows"  # the table every CSV source reads its rows into


def _has_rejects(con: duckdb.DuckDBPyConnection, where: str) -> bool:
    row = con.execute(f"SELECT count(*) FROM stage_rejects WHERE {where}").fetchone()
    return bool(row and row[0])


def _row_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    rel = con.execute(f"SELECT * FROM {ROWS} LIMIT 0")
    return [d[0] for d in rel.description or [] if d[0] != "_line"]


def fill_reject_raw(con: duckdb.DuckDBPyConnection, delimiter: str) -> None:
    """The raw cells of rejected rows that a source left without them (looked up by line in `src_rows`)."""
    if not _exists(con, ROWS) or not _has_rejects(con, "raw IS NULL"):
        return
    names = _row_columns(con)
    cells = ", ".join(f"coalesce({_ident(n)}, '')" for n in names)
    con.execute(f"""UPDATE stage_rejects SET raw = concat_ws('{_q(delimiter)}', {cells}) FROM {ROWS} t
                    WHERE stage_rejects.raw IS NULL AND t._line = stage_rejects.line""")


def fix_reject_lines(con: duckdb.DuckDBPyConnection) -> None:
    """Turn the rejects' row-based line numbers into physical lines: add the line breaks that quoted fields
    of earlier rows hold (from the `src_rows` table that `read_rows` filled)."""
    if not _exists(con, ROWS) or not _has_rejects(con, "TRUE"):
        return
    names = _row_columns(con)
    joined = " || ".join(f"coalesce({_ident(n)}, '')" for n in names)
    con.execute(f"""
        UPDATE stage_rejects SET line = stage_rejects.line + extra.n
        FROM (SELECT r.line, sum(length({joined}) - length(replace({joined}, chr(10), ''))) AS n
              FROM (SELECT DISTINCT line FROM stage_rejects) r JOIN {ROWS} t ON t._line < r.line
              GROUP BY r.line) AS extra
        WHERE stage_rejects.line = extra.line AND extra.n > 0""")


def unique_names(header: list[str]) -> list[str]:
    """Header names made unique the way DuckDB does (`name`, `name_1`, ...), empty names as `column<i>`."""
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(header):
        name = h or f"column{i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = con.execute("SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name = ?) + "
                      "(SELECT count(*) FROM duckdb_views() WHERE view_name = ?)", [table, table]).fetchone()
    return bool(row and row[0])


def drop_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the rows view and its table once the file is staged."""
    con.execute(f"DROP VIEW IF EXISTS {ROWS}")
    con.execute(f"DROP TABLE IF EXISTS {ROWS}_raw")


def _q(s: str) -> str:
    return s.replace("'", "''")


def _ident(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


ident = _ident
