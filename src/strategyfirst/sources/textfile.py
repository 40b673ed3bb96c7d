"""Opening an export file: encoding, header sniffing, and DuckDB's CSV reader with located parse rejects.

Everything a source needs before it maps columns: the file decoded to UTF-8 (UTF-8, UTF-8 BOM, UTF-16,
cp1252/Latin-1), checked against the size limits before DuckDB sees it, its header and delimiter, and a temp
table of its rows (all text) with their line numbers. What DuckDB cannot split into the header's fields is a
reject in plain words, never DuckDB's own wording.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from strategyfirst.errors import ImportFileError
from strategyfirst.sources.encoding import detect_encoding, refuse_non_text, transcode
from strategyfirst.sources.workbook import is_workbook, workbook_header
from strategyfirst.sqltext import string_literal

if TYPE_CHECKING:
    import duckdb

CHUNK = 16 << 20
SNIFF_BYTES = 256 << 10
MAX_FIELDS = 10_000            # fields on one line
MAX_FIELD_BYTES = 1 << 20      # bytes in one field
MAX_LINE_BYTES = 20 << 20      # bytes on one line (DuckDB's max_line_size below)
JSON_PARSE_BYTES = 32 << 20    # JSON files up to this size are checked (and located) with the json module
CR_MARK = "\ue00d"             # stands in for a bare CR while DuckDB splits rows (a private-use character)
TRUNCATED = ("truncated last line: the file ends in the middle of this row, without a line break, so its last "
             "value may be cut short; export the file again (or, if the row is complete, end the file with a "
             "line break)")


@dataclass
class SourceFile:
    """An export file opened for import: where its UTF-8 text is, its header and its delimiter."""

    path: Path
    encoding: str
    text_path: Path                   # the file itself, or a UTF-8 copy when it was in another encoding
    kind: str                         # "csv", "json" or "xlsx" (a workbook, .xlsx or .xls)
    header: list[str] = field(default_factory=list)
    delimiter: str = ","
    second_row: list[str] = field(default_factory=list)
    ends_with_newline: bool = True
    ends_with_quote: bool = False     # the last byte closes a quoted field: the last row is complete
    header_only_unterminated: bool = False  # one line, no line break after it: a header, maybe cut short
    size: int = 0
    cr_marked: bool = False           # bare CRs in text_path are CR_MARK (put back when the rows are read)
    can_mark: bool = True             # the file has no CR_MARK of its own
    line_ends_rewritten: bool = False  # text_path is a copy with its line ends rewritten
    tmp_dir: Path | None = None       # where copies go
    blank_records: list[int] = field(default_factory=list)  # DuckDB line numbers of skipped blank lines
    what: str = ""                    # for JSON that is not an export: what it is and what to import instead
    sheets: list[str] = field(default_factory=list)  # a workbook's sheet names (kind "xlsx")

    @property
    def name(self) -> str:
        return self.path.name

    def error(self, message: str, line: int | None = None, column: int | None = None) -> ImportFileError:
        return ImportFileError(str(self.path), message, line, column)


def open_source_file(path: Path, tmp_dir: Path) -> SourceFile:
    """Decode and sniff a file: encoding, kind (csv/json), header row, delimiter; refuse what is not an export
    or breaks the size limits, before DuckDB reads it."""
    if not path.is_file():
        raise ImportFileError(str(path), "no such file; check the path", 1, 1)
    car = car_version(path)
    if car:  # a Bluesky repository export: binary, read by its source with libipld
        return SourceFile(path=path, encoding="binary", text_path=path, kind="car", header=["car", f"car:v{car}"],
                          size=path.stat().st_size, tmp_dir=tmp_dir)
    if is_workbook(path):  # read by the workbook sources, sheet by sheet (sources/workbook.py)
        sheets, header = workbook_header(path)
        return SourceFile(path=path, encoding="xlsx", text_path=path, kind="xlsx", header=header, sheets=sheets,
                          size=path.stat().st_size, tmp_dir=tmp_dir)
    refuse_non_text(path)
    encoding = detect_encoding(path)
    text_path = path if encoding in ("utf-8", "utf-8-sig") else transcode(path, encoding, tmp_dir)
    try:
        return _sniff(path, encoding, text_path, tmp_dir)
    except BaseException:
        if text_path != path:
            text_path.unlink(missing_ok=True)
        raise


def car_version(path: Path) -> int:
    """1 or 2 when the file starts like a CAR (content-addressed archive: a varint length, then a DAG-CBOR
    map with `roots` and `version`; a CARv2 starts with its fixed pragma), else 0."""
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(b"\x0a\xa1\x67version\x02"):
        return 2
    at = 1 if head[:1] and head[0] < 0x80 else 2  # the header's length: a one- or two-byte varint
    return 1 if head[at:].startswith((b"\xa2eroots", b"\xa2gversion")) else 0


def _sniff(path: Path, encoding: str, text_path: Path, tmp_dir: Path) -> SourceFile:
    size = path.stat().st_size
    with text_path.open("rb") as fh:
        head_bytes = fh.read(SNIFF_BYTES)
        fh.seek(0, io.SEEK_END)
        end = fh.tell()
        fh.seek(max(end - 2, 0))
        tail = fh.read()
    head = head_bytes.decode("utf-8", errors="ignore").lstrip("\ufeff")
    sf = SourceFile(path=path, encoding=encoding, text_path=text_path, kind="csv", size=size, tmp_dir=tmp_dir,
                    ends_with_newline=tail.endswith((b"\n", b"\r")), ends_with_quote=tail.endswith(b'"'),
                    header_only_unterminated=end <= SNIFF_BYTES and not re.search(b"[\r\n]", head_bytes))
    if not head.strip():
        raise sf.error("the file holds only blank lines: there is nothing to import; export it again", 1, 1)
    stripped = head.lstrip()
    if path.suffix.lower() == ".js" or stripped.startswith("window.YTD."):
        # An X archive's data file (`window.YTD.<name>.part<N> = [...]`), or other JavaScript: no CSV.
        sf.kind = "js"
        found = re.match(r"window\.YTD\.(\w+)\.part\d+\s*=", stripped)
        sf.header = [f"YTD:{found.group(1)}"] if found else []
        return sf
    if stripped.startswith(("{", "[")):
        sf.kind = "json"
        _sniff_json(sf, head)
        return sf
    try:
        _sniff_csv(sf, head)
    except BaseException:
        if sf.text_path not in (path, text_path):  # a copy made here (the caller removes its own)
            sf.text_path.unlink(missing_ok=True)
        raise
    return sf


def _sniff_csv(sf: SourceFile, head: str) -> None:
    first_line = head.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    sf.delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    bare_cr, can_mark = _prescan(sf)
    if bare_cr and can_mark:
        _rewrite_line_ends(sf, crlf_to_lf=False)
    sf.can_mark = can_mark
    rows = csv.reader(io.StringIO(head, newline=""), delimiter=sf.delimiter)
    try:
        sf.header = [h.strip() for h in next(rows, [])]
        sf.second_row = next(rows, [])
    except csv.Error:
        sf.header = [h.strip().strip('"') for h in first_line.rstrip("\r").split(sf.delimiter)]
    if not any(sf.header):
        raise sf.error("the first line is empty: an export file starts with a line of column names; "
                       "check that you picked the export file", 1, 1)


def _prescan(sf: SourceFile) -> tuple[bool, bool]:
    """Refuse a line over MAX_FIELDS fields, a field over MAX_FIELD_BYTES or a line over MAX_LINE_BYTES, in
    one pass of bounded chunks (DuckDB would take minutes and gigabytes on such a line). Returns whether the
    file has bare CRs (a CR not followed by LF) inside its lines, which DuckDB would take for line ends, and
    whether they can be marked (the file holds no CR_MARK of its own).

    Vectorised over each chunk: only a line of MAX_FIELDS bytes or more can break a limit (each field but the
    last needs a delimiter), and only such lines are read again and looked at.
    """
    import numpy as np

    delim = sf.delimiter.encode()
    nl = 10
    line = 0             # complete lines seen
    line_start = 0       # byte offset where the current line starts
    offset = 0           # byte offset of the current chunk
    bare_cr = False
    blank_lines = False  # a line of at most one byte: maybe blank (DuckDB skips those but counts them)
    cr_at_end = False    # the previous chunk ended with a CR: it is bare unless this chunk starts with LF
    with sf.text_path.open("rb") as fh, sf.text_path.open("rb") as again:
        while chunk := fh.read(CHUNK):
            arr = np.frombuffer(chunk, dtype=np.uint8)
            if offset == 0 and b"\n" not in chunk and b"\r" in chunk:
                nl = 13  # an old Mac file: CR alone ends its lines
            ends = np.flatnonzero(arr == nl) + offset
            if ends.size:
                starts = np.concatenate(([line_start], ends[:-1] + 1))
                blank_lines = blank_lines or bool(((ends - starts) <= 1).any())
                for i in np.flatnonzero(ends - starts >= MAX_FIELDS):
                    _check_line(sf, again, int(starts[i]), int(ends[i]), line + int(i) + 1, delim)
                line += int(ends.size)
                line_start = int(ends[-1]) + 1
            offset += len(chunk)
            if offset - line_start > MAX_LINE_BYTES:  # a line still open: refuse it before holding more
                _check_line(sf, again, line_start, offset, line + 1, delim)
            if nl == 10 and not bare_cr:
                if cr_at_end and arr[0] != 10:
                    bare_cr = True
                # A chunk without any CR (most files: LF line ends) is found so by one memchr, not a pass of
                # numpy over every byte (~3 ms a 16 MiB chunk: ~0.25 CPU s of the 1.4 GB twcs file's scan).
                if b"\r" in chunk:
                    crs = np.flatnonzero(arr[:-1] == 13)
                    bare_cr = bare_cr or bool(crs.size and (arr[crs + 1] != 10).any())
                cr_at_end = bool(arr[-1] == 13)
        if offset > line_start:
            _check_line(sf, again, line_start, offset, line + 1, delim)
    bare_cr = bare_cr or cr_at_end
    if blank_lines:
        sf.blank_records = _blank_records(sf.text_path, nl)
    return bare_cr, not (bare_cr and _contains(sf.text_path, CR_MARK.encode()))


def _blank_records(path: Path, nl: int) -> list[int]:
    """DuckDB's line numbers of the blank lines it skips (outside quoted fields, before the last row): its
    reject line numbers count them, the rows it keeps do not. Line numbers here count line ends outside
    quotes, as DuckDB does; a quote's parity is the count of quote characters before it ("" keeps it)."""
    import numpy as np

    out: list[int] = []
    quotes = 0            # quote characters before the chunk
    lines = 0             # line ends outside quotes before the chunk
    last_row = 0          # DuckDB line number of the last non-blank line
    prev_end, prev_outside = -1, True
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            arr = np.frombuffer(chunk, dtype=np.uint8)
            ends = np.flatnonzero(arr == nl)
            if ends.size:
                outside = (quotes + np.searchsorted(np.flatnonzero(arr == 34), ends)) % 2 == 0
                number = lines + np.cumsum(outside)      # DuckDB's line number of the line each end closes
                ends_abs = ends + offset
                size = ends_abs - np.concatenate(([prev_end], ends_abs[:-1])) - 1
                cr_only = (size == 1) & (arr[np.maximum(ends - 1, 0)] == 13)
                starts_row = np.concatenate(([prev_outside], outside[:-1]))
                blank = ((size == 0) | cr_only) & outside & starts_row
                out.extend(int(n) for n in number[blank])
                kept = outside & ~blank
                if kept.any():
                    last_row = int(number[kept][-1])
                lines = int(number[-1])
                prev_end, prev_outside = int(ends_abs[-1]), bool(outside[-1])
            quotes += int(np.count_nonzero(arr == 34))
            offset += len(chunk)
    if offset > prev_end + 1:
        last_row = lines + 1  # an unterminated last line
    return [n for n in out if n < last_row]


def _contains(path: Path, needle: bytes) -> bool:
    with path.open("rb") as fh:
        tail = b""
        while chunk := fh.read(CHUNK):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle):]
    return False


def _check_line(sf: SourceFile, fh: BinaryIO, start: int, end: int, line: int, delim: bytes) -> None:
    """Refuse the line at bytes [start, end) of the file when it breaks a limit (read only when it can)."""
    size = end - start
    if size < MAX_FIELDS:
        return
    if size > MAX_LINE_BYTES:
        raise sf.error(f"this line is {_size(size)} long or more, more than the {_size(MAX_LINE_BYTES)} an "
                       "import reads: the file is not an export or it is damaged (this file was not imported)", line)
    fh.seek(start)
    text = fh.read(size)
    fields = text.count(delim) + 1
    if fields > MAX_FIELDS:
        raise sf.error(f"this line has {fields:,} fields, more than the {MAX_FIELDS:,} an import reads: "
                       "the file is not an export or it is damaged (this file was not imported)", line)
    if size > MAX_FIELD_BYTES:
        biggest = max(map(len, text.replace(b"\r", delim).split(delim)))
        if biggest > MAX_FIELD_BYTES:
            raise sf.error(f"this line has a field of {_size(biggest)}, more than the 1 MB an import reads "
                           "in one field: the file is not an export or it is damaged (this file was not imported)",
                           line)


def _size(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MB" if n >= 1 << 20 else f"{n / 1024:,.0f} KB"


def _rewrite_line_ends(sf: SourceFile, *, crlf_to_lf: bool, mark: bool = True) -> None:
    """Point `sf.text_path` at a copy with each bare CR as CR_MARK (DuckDB then keeps it inside its field)
    and, with `crlf_to_lf`, every CRLF as LF (a file whose lines end both ways; a CRLF inside a quoted value
    becomes LF there)."""
    tmp_dir = sf.tmp_dir or sf.text_path.parent
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="import-", suffix=".csv", dir=tmp_dir)
    out = Path(name)
    marker = CR_MARK.encode() if mark else b"\r"
    try:
        with sf.text_path.open("rb") as src, open(fd, "wb") as dst:
            carry = b""
            while chunk := src.read(CHUNK):
                data = carry + chunk
                carry = b"\r" if data.endswith(b"\r") else b""   # it may be a CRLF split by the chunk
                if carry:
                    data = data[:-1]
                if crlf_to_lf:
                    data = data.replace(b"\r\n", b"\n")
                dst.write(re.sub(rb"\r(?!\n)", marker, data) if mark else data)
            dst.write(marker if carry else b"")
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    if sf.text_path != sf.path:
        sf.text_path.unlink(missing_ok=True)
    sf.text_path = out
    sf.cr_marked = sf.cr_marked or mark
    sf.line_ends_rewritten = True


def _sniff_json(sf: SourceFile, head: str) -> None:
    """Check the JSON is whole (say where it breaks) and note what it holds: markers standing in for a header
    in detection, and what it is when it is a known file of the wrong kind."""
    if sf.size <= JSON_PARSE_BYTES:
        doc = _parse_json(sf)
        if isinstance(doc, dict):
            items = doc.get("orderedItems")
            markers = {"orderedItems": "orderedItems" in doc,
                       "type:OrderedCollection": doc.get("type") == "OrderedCollection",
                       "orderedItems:links": isinstance(items, list) and bool(items)
                       and all(isinstance(i, str) for i in items)}
            sf.header = [m for m, present in markers.items() if present]
            _what_json(sf, str(doc.get("id", "")), str(doc.get("type", "")))
        return
    # A large file: markers found near the start.
    if re.search(r'"orderedItems"\s*:', head):
        sf.header.append("orderedItems")
    if re.search(r'"type"\s*:\s*"OrderedCollection"', head):
        sf.header.append("type:OrderedCollection")
    if re.search(r'"orderedItems"\s*:\s*\[\s*"', head):
        sf.header.append("orderedItems:links")
    found = re.search(r'"type"\s*:\s*"(\w+)"', head)
    _what_json(sf, "", found.group(1) if found and "orderedItems" not in sf.header else "")


def _what_json(sf: SourceFile, doc_id: str, doc_type: str) -> None:
    name = (doc_id.rsplit("/", 1)[-1] or sf.name).lower()
    again = "import outbox.json from the same Mastodon archive"
    if "orderedItems:links" in sf.header:
        if "like" in name:
            sf.what = f"is a Mastodon likes list (likes.json), not an outbox: {again}"
        elif "bookmark" in name:
            sf.what = f"is a Mastodon bookmarks list (bookmarks.json), not an outbox: {again}"
        else:
            sf.what = f"is a list of links, not a Mastodon outbox (its orderedItems are only URLs): {again}"
    elif doc_type in ("Person", "Service", "Group", "Application", "Organization"):
        sf.what = f"is a Mastodon profile (actor.json), not an outbox: {again}"


def _json_text(sf: SourceFile) -> str:
    return sf.text_path.read_bytes().decode("utf-8-sig", errors="replace")  # a cut last character: see below


def _parse_json(sf: SourceFile, text: str | None = None) -> object:
    """The parsed document; a located error when the file is not valid JSON (cut short, or broken). `text`:
    the file's text when a source read it itself (its lines and columns kept)."""
    text = _json_text(sf) if text is None else text
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        body = text.rstrip()
        # A string or a value still open where the text ends: the file was cut, wherever the parser stopped.
        if exc.pos >= len(body) or exc.msg.startswith("Unterminated string"):
            line = body.count("\n") + 1
            column = len(body) - (body.rfind("\n") + 1) + 1
            raise sf.error("the JSON is cut short: the file ends here before the JSON is complete (a truncated "
                           "download or copy); export or download it again (this file was not imported)",
                           line, column) from None
        raise sf.error("is not valid JSON here (the file is damaged or was edited); export or download it "
                       "again (this file was not imported)", exc.lineno, exc.colno) from None
    except RecursionError:
        raise sf.error("is JSON nested too deeply to be an export: check that you picked the export file",
                       1, 1) from None


def json_problem(sf: SourceFile, text: str | None = None) -> None:
    """For sources reading JSON with DuckDB, when DuckDB failed: raise the located error if the JSON is broken
    (`text`: the JSON as the source sees it, in place of the file's text, with its lines and columns kept)."""
    _parse_json(sf, text)


def read_rows(con: duckdb.DuckDBPyConnection, sf: SourceFile, table: str, *, skip: int = 1,
              names: list[str] | None = None) -> int:
    """Load the file's data rows (all VARCHAR) into temp `table` with a `_line` column; parse rejects go to
    temp `csv_rejects` (line, reason, raw). Returns the number of good rows.

    `_line` (and a reject's line) is the row's record number here: the line it would be on if no quoted field
    held a line break. `fix_reject_lines` turns the rejects' into physical lines afterwards, so the hot path
    needs no window over millions of rows.
    """
    names = names or unique_names(sf.header)
    _read_csv(con, sf, table, skip, names)
    _collect_rejects(con, sf, len(names))
    rebuilt, good = _rows_view(con, sf, table, skip, names)
    if not sf.ends_with_newline and not sf.ends_with_quote:
        _reject_truncated_last_row(con, sf, table, names, rebuilt)
        good = -1  # maybe one fewer
    if good < 0:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        good = int(row[0]) if row else 0
    if not good:
        _refuse_when_no_row_splits(con, sf, len(names))
    return good


def _refuse_when_no_row_splits(con: duckdb.DuckDBPyConnection, sf: SourceFile, n_columns: int) -> None:
    """A file none of whose rows has the header's fields is not this export (or not split right): refused,
    rather than imported with every row rejected."""
    row = con.execute("SELECT count(*), min(line), arg_min(reason, line) FROM csv_rejects").fetchone()
    if not row or int(row[0]) < 2:
        return
    raise sf.error(f"not one of its {int(row[0]):,} rows splits into the header's {n_columns} columns (the first "
                   f"one: {row[2]}); check that the file is the export, unchanged (this file was not imported)",
                   int(row[1]), 1)


def _csv_scan(sf: SourceFile, skip: int, names: list[str]) -> str:
    """SQL: DuckDB's reader over the file, every column VARCHAR, parse rejects stored in `reject_errors`. Its
    path and delimiter as literals: DuckDB imports pandas (~0.5 s) to bind Python parameters."""
    columns = "{" + ", ".join(f"{string_literal(n)}: 'VARCHAR'" for n in names) + "}"
    return (f"read_csv({string_literal(str(sf.text_path))}, columns={columns}, auto_detect=false, header=false, "
            f"skip={skip}, delim={string_literal(sf.delimiter)}, quote='\"', escape='\"', store_rejects=true, "
            f"strict_mode=true, max_line_size={MAX_LINE_BYTES}, parallel=true)")


def read_mapped(con: duckdb.DuckDBPyConnection, sf: SourceFile, table: str, mapping: Callable[[str], str], *,
                skip: int = 1, names: list[str] | None = None) -> str | None:
    """`read_rows` and a source's mapping in one statement, for a file whose rows need no line number: temp
    `table` is `mapping(rows)` (a SELECT over `rows`, the file's rows all VARCHAR, without `_line`), kept in
    the file's order. Returns SQL for each row's `line` in `table` (its record number, from its rowid), or None
    when the file must be read by `read_rows` instead (nothing is left behind then): blank lines, bare CRs, a
    last line without a line break, any row DuckDB rejects, or a read that failed (`read_rows` says why).

    The file is then read once, and its millions of rows are not kept as text besides their mapped copy."""
    import duckdb

    if sf.blank_records or sf.cr_marked or not (sf.ends_with_newline or sf.ends_with_quote):
        return None
    names = names or unique_names(sf.header)
    _clear_rejects(con)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {mapping(_csv_scan(sf, skip, names))}")
        row = con.execute(f"SELECT (SELECT count(*) FROM reject_errors), coalesce(min(rowid), 0) FROM {table}"
                          ).fetchone()
    except duckdb.Error:
        row = None
    if not row or row[0]:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        _clear_rejects(con)
        return None
    # Inside a transaction rowids start at a large offset: count from the first one (as `_rows_view`).
    return f"{skip + 1}::BIGINT + (rowid - {int(row[1])})"


def _read_csv(con: duckdb.DuckDBPyConnection, sf: SourceFile, table: str, skip: int, names: list[str]) -> None:
    import duckdb

    def sql() -> str:  # the file's path is another once its line ends are rewritten
        return f"CREATE OR REPLACE TEMP TABLE {table}_raw AS SELECT * FROM {_csv_scan(sf, skip, names)}"

    _clear_rejects(con)
    try:
        con.execute(sql())
    except duckdb.Error as exc:
        if "state machine" not in str(exc) or sf.line_ends_rewritten:
            raise sf.error(_read_failure(str(exc)), *_failure_line(str(exc), skip)) from None
        # Lines ending both in CRLF and in LF: read a copy with LF line ends only.
        _rewrite_line_ends(sf, crlf_to_lf=True, mark=sf.can_mark)
        _clear_rejects(con)
        try:
            con.execute(sql())
        except duckdb.Error as again:
            raise sf.error(_read_failure(str(again)), *_failure_line(str(again), skip)) from None


def _clear_rejects(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB's reject tables persist per connection: what an earlier read stored goes (the next read with
    store_rejects creates them again)."""
    con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")


def _read_failure(message: str) -> str:
    """DuckDB's reasons for refusing a whole file, in words."""
    low = message.lower()
    if "maximum line size" in low or "line size" in low:
        return (f"a line is longer than the {_size(MAX_LINE_BYTES)} an import reads: the file is not an export "
                "or it is damaged (this file was not imported)")
    if "state machine" in low or "new line" in low or "newline" in low:
        return ("cannot be split into rows: its line ends and quotes are not laid out as in a CSV export; "
                "re-save it as CSV (UTF-8, one kind of line end) and import it again (this file was not imported)")
    return ("cannot be split into rows and columns as CSV: check that it is the export file, unchanged "
            "(this file was not imported)")


def _failure_line(message: str, skip: int) -> tuple[int, int]:
    found = re.search(r"on line:? (\d+)", message, re.IGNORECASE)
    return (int(found.group(1)), 1) if found else (skip + 1, 1)


def _collect_rejects(con: duckdb.DuckDBPyConnection, sf: SourceFile, n_columns: int) -> None:
    """DuckDB's reject errors (one per column for a short row) as one reject per row, the reason in words."""
    found = "TRY_CAST(regexp_extract(error_message, 'Found: (\\d+)', 1) AS INTEGER)"
    raw = f"replace(any_value(csv_line), '{CR_MARK}', chr(13))" if sf.cr_marked else "any_value(csv_line)"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE csv_rejects AS
        SELECT line::BIGINT AS line,
               CASE WHEN bool_or(error_type = 'MISSING COLUMNS') THEN 'the row has ' || min({found})
                         || CASE WHEN min({found}) = 1 THEN ' field' ELSE ' fields' END
                         || ' where the header has {n_columns}'
                    WHEN bool_or(error_type = 'TOO MANY COLUMNS') THEN 'the row has ' || max({found})
                         || ' fields where the header has {n_columns}'
                    WHEN bool_or(error_type = 'UNQUOTED VALUE') THEN 'a quoted field is not closed (a double '
                         || 'quote opens a value but does not close it, or text follows the closing quote)'
                    WHEN bool_or(error_type = 'LINE SIZE OVER MAXIMUM') THEN 'the line is longer than the '
                         || '{_size(MAX_LINE_BYTES)} an import reads'
                    WHEN bool_or(error_type = 'INVALID ENCODING' OR error_type = 'INVALID UNICODE')
                         THEN 'the line has bytes that are not UTF-8 text'
                    ELSE 'the row cannot be split into the header''s fields' END AS reason,
               ltrim({raw}, chr(13) || chr(10)) AS raw, min(column_idx) AS col
        FROM reject_errors GROUP BY line""")


def _rows_view(con: duckdb.DuckDBPyConnection, sf: SourceFile, table: str, skip: int,
               names: list[str]) -> tuple[bool, int]:
    """`table` over `{table}_raw` with `_line`: the row's record number, counting the rejected records before
    it; bare CRs put back when they were marked. The common case (no reject, no CR) is a view over DuckDB's
    table; otherwise `{table}_raw` is rebuilt once with `_line` and the CRs in it (files of 600+ columns would
    otherwise re-evaluate every replace and the join on each scan). Returns whether it was rebuilt, and the
    rows of `table`."""
    # Inside a transaction rowids start at a large offset: count from the first one. (One statement: the
    # rows, and DuckDB's rejects.)
    first = con.execute(f"SELECT coalesce(min(rowid), 0), count(*), (SELECT count(*) FROM csv_rejects) "
                        f"FROM {table}_raw").fetchone()
    offset, rows, n_rejects = (int(first[0]), int(first[1]), int(first[2])) if first else (0, 0, 0)
    good = f"{skip + 1}::BIGINT + (rowid - {offset})"
    has_rejects = bool(n_rejects) or bool(sf.blank_records)
    if not has_rejects and not sf.cr_marked:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT *, {good} AS _line FROM {table}_raw")
        return False, rows
    cells = (", ".join(f"replace({_ident(n)}, '{CR_MARK}', chr(13)) AS {_ident(n)}" for n in names)
             if sf.cr_marked else "r.* EXCLUDE (_sf_g)")
    if has_rejects:
        # The i-th rejected record (1-based, record r_i) comes before the good rows numbered from r_i - (i - 1).
        # Blank lines DuckDB skipped are records that are not rows, like the rejected ones.
        con.execute("""CREATE OR REPLACE TEMP TABLE _sf_reject_gaps AS
                       SELECT _sf_at, max(_sf_n) AS _sf_n FROM (
                           SELECT line - row_number() OVER (ORDER BY line) + 1 AS _sf_at,
                                  row_number() OVER (ORDER BY line) AS _sf_n
                           FROM (SELECT line FROM csv_rejects UNION SELECT unnest(?::BIGINT[])))
                       GROUP BY _sf_at""", [sf.blank_records])
        line = "r._sf_g + coalesce(g._sf_n, 0)"
        join = "ASOF LEFT JOIN _sf_reject_gaps g ON r._sf_g >= g._sf_at"
    else:
        line, join = "r._sf_g", ""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {table}_lined AS
                    SELECT {cells}, {line} AS _line FROM (SELECT *, {good} AS _sf_g FROM {table}_raw) r {join}""")
    con.execute(f"DROP TABLE {table}_raw")
    con.execute(f"ALTER TABLE {table}_lined RENAME TO {table}_raw")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {table}_raw")
    return True, rows


def _reject_truncated_last_row(con: duckdb.DuckDBPyConnection, sf: SourceFile, table: str,
                               names: list[str], rebuilt: bool) -> None:
    """A file that ends without a line break, and not right after a closing quote, may be cut in its last
    value: its last row is a reject "truncated last line" (a prefix of a value looks as valid as the value)."""
    row = con.execute(f"SELECT (SELECT max(_line) FROM {table}), (SELECT max(line) FROM csv_rejects)").fetchone()
    last_good, last_reject = (row or (None, None))
    if last_good is None and last_reject is None:
        return
    if last_good is None or (last_reject is not None and last_reject > last_good):
        con.execute("UPDATE csv_rejects SET reason = ? WHERE line = ?", [TRUNCATED, last_reject])
        return
    cells = ", ".join(f"coalesce({_ident(n)}, '')" for n in names)
    con.execute(f"INSERT INTO csv_rejects SELECT _line, ?, concat_ws(?, {cells}), NULL FROM {table} "
                "WHERE _line = ?", [TRUNCATED, sf.delimiter, last_good])
    if rebuilt:
        con.execute(f"DELETE FROM {table}_raw WHERE _line = ?", [last_good])
    else:
        con.execute(f"DELETE FROM {table}_raw WHERE rowid = (SELECT max(rowid) FROM {table}_raw)")


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
    con.execute(f"""UPDATE stage_rejects SET raw = concat_ws({string_literal(delimiter)}, {cells}) FROM {ROWS} t
                    WHERE stage_rejects.raw IS NULL AND t._line = stage_rejects.line""")


def fix_reject_lines(con: duckdb.DuckDBPyConnection) -> None:
    """Turn the rejects' record numbers into physical lines: add the line breaks that quoted fields of earlier
    rows hold, good rows (from `src_rows`) and rows DuckDB rejected (from `csv_rejects`) alike."""
    if not _exists(con, ROWS) or not _has_rejects(con, "TRUE"):
        return
    names = _row_columns(con)
    joined = "concat(" + ", ".join(_ident(n) for n in names) + ")"  # one flat call: files have 600+ columns
    # One scan for the (few) rows whose fields hold line breaks, then a small join.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _sf_breaks AS
        SELECT line, length(j) - length(replace(j, chr(10), '')) AS n
        FROM (SELECT _line AS line, {joined} AS j FROM {ROWS}) WHERE contains(j, chr(10))
        UNION ALL
        SELECT line, length(raw) - length(replace(raw, chr(10), '')) FROM csv_rejects
        WHERE contains(coalesce(raw, ''), chr(10))""")
    con.execute("""
        UPDATE stage_rejects SET line = stage_rejects.line + extra.n
        FROM (SELECT r.line, sum(b.n) AS n
              FROM (SELECT DISTINCT line FROM stage_rejects) r JOIN _sf_breaks b ON b.line < r.line
              GROUP BY r.line) AS extra
        WHERE stage_rejects.line = extra.line AND extra.n > 0""")
    con.execute("DROP TABLE _sf_breaks")


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
    """Whether a table or view of this name can be read (binding it: listing the catalog cost ~4 ms)."""
    import duckdb

    try:
        con.execute(f"SELECT 1 FROM {_ident(table)} LIMIT 0")
    except duckdb.CatalogException:
        return False
    return True


def drop_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the rows view and its table once the file is staged."""
    con.execute(f"DROP VIEW IF EXISTS {ROWS}; DROP TABLE IF EXISTS {ROWS}_raw")


def _ident(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


ident = _ident
