"""Workbooks (`.xlsx`, `.xls`) opened for import with python-calamine: what a workbook source detects (its
sheet names) and reads (one sheet at a time, as text cells with their sheet row numbers, in a temp table).

Calamine reads every cell of a sheet whose dimension record is missing or wrong (openpyxl's read-only mode
sees one row there). A sheet is read from A1 (`skip_empty_area=False`), so row and column numbers are the
sheet's own and a location reads `TOP POSTS!C12` like Excel shows it. Cells become text the way an export
would write them (`12` not `12.0`; a date cell as `2024-01-31`) and are parsed in SQL like a CSV's.

A SourceFile of kind `xlsx` has as header `sheet:<name>` per sheet (normalised, like CSV header cells) and the
cells of the first sheet's first non-empty row, so a workbook source declares its sheets (and a single-table
workbook its columns) in `required`.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from strategyfirst.errors import ImportFileError
from strategyfirst.sqltext import string_literal

if TYPE_CHECKING:  # the readers are imported where a workbook is read: `sources` and `lint` need none
    import duckdb
    from python_calamine import CalamineWorkbook

    from strategyfirst.sources.textfile import SourceFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC = b"PK\x03\x04"
SHEET = "sheet:"
HEADER_SCAN_ROWS = 50  # header rows are found among a sheet's first rows (after note rows)


def is_workbook(path: Path) -> bool:
    """An Excel workbook: a zip holding `xl/workbook.xml`, or an OLE2 file named `.xls`."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
        if head == ZIP_MAGIC:
            with zipfile.ZipFile(path) as zf:
                return "xl/workbook.xml" in zf.namelist()
        return head == OLE_MAGIC and path.suffix.lower() == ".xls"
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def open_workbook(path: Path) -> CalamineWorkbook:
    """The workbook, or a one-line error saying it cannot be read."""
    return _open(path)


def _open(path: Path) -> CalamineWorkbook:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own errors and ZipError/XmlError on damaged files
        kind = ".xls" if path.suffix.lower() == ".xls" else ".xlsx"
        raise ImportFileError(str(path), f"is an Excel workbook ({kind}) that cannot be read ({type(exc).__name__}): "
                              "it is damaged or cut short; open it in a spreadsheet program to check it, or export "
                              "it again (this file was not imported)", 1, 1) from None


def sheet_key(name: str) -> str:
    """A sheet name as it stands in a workbook's header: `sheet:` and the name compared loosely."""
    return SHEET + " ".join(name.lower().split())


def workbook_header(path: Path) -> tuple[list[str], list[str]]:
    """The workbook's sheet names, and its detection header: `sheet:<name>` per sheet, then the first sheet's
    first non-empty row (normalised)."""
    wb = _open(path)
    names = list(wb.sheet_names)
    header = [sheet_key(n) for n in names]
    if names:
        try:
            rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=True, nrows=HEADER_SCAN_ROWS)
        except Exception:  # the sheet itself is damaged: the loader says where
            rows = []
        first = next((r for r in rows if any(c != "" for c in r)), [])
        header += [" ".join(cell_text(c).lower().split()) for c in first if cell_text(c)]
    return names, header


def cell_text(value: object) -> str:
    """A cell as an export would write it: numbers without a needless `.0`, dates as ISO text, '' for empty."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def find_sheet(names: list[str], wanted: str) -> str | None:
    """The workbook's own name of the sheet called `wanted` (compared loosely)."""
    return next((n for n in names if sheet_key(n) == sheet_key(wanted)), None)


def read_sheet(con: duckdb.DuckDBPyConnection, sf: SourceFile, sheet: str, table: str) -> int:
    """Temp `table` (`_row` BIGINT, `c1` .. `cN` VARCHAR, null for an empty cell): every row of the sheet
    from row 1, each cell as text. Returns N, the sheet's width."""
    import pyarrow as pa

    wb = _open(sf.path)
    try:
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception as exc:
        raise sf.error(f"{sheet}: the sheet cannot be read ({type(exc).__name__}); open the workbook in a "
                       "spreadsheet program to check it, or export it again (this file was not imported)",
                       1, 1) from None
    width = max((len(r) for r in rows), default=0)
    # Column by column into Arrow: a sheet of an analytics export has at most a few thousand rows.
    columns = {"_row": pa.array(range(1, len(rows) + 1), pa.int64())}
    for i in range(width):
        columns[f"c{i + 1}"] = pa.array([(cell_text(r[i]) or None) if i < len(r) else None for r in rows],
                                        pa.string())
    arrow = pa.table(columns) if width else pa.table({"_row": pa.array([], pa.int64())})
    con.register("_wb_arrow", arrow)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM _wb_arrow")
    finally:
        con.unregister("_wb_arrow")
    return width


def find_header(con: duckdb.DuckDBPyConnection, table: str, width: int,
                must: tuple[str, ...]) -> tuple[int, list[str]] | None:
    """The first row (among the first rows) whose cells include every name in `must` (compared loosely), with
    its cells normalised ('' for empty); None if there is none."""
    if not width:
        return None
    cells = ", ".join(f"c{i + 1}" for i in range(width))
    rows = con.execute(f"SELECT _row, {cells} FROM {table} ORDER BY _row LIMIT {HEADER_SCAN_ROWS}").fetchall()
    for row, *values in rows:
        norm = [" ".join(str(v).lower().split()) if v is not None else "" for v in values]
        if all(m in norm for m in must):
            return int(row), norm
    return None


def letter(column: int) -> str:
    """Excel's name of a 1-based column: 1 -> A, 27 -> AA."""
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def cell_sql(sheet: str, column: int) -> str:
    """SQL for the location of a cell of the row being read: 'TOP POSTS!C' || _row."""
    return string_literal(f"{sheet}!{letter(column)}") + " || _row"


def raw_sql(width: int) -> str:
    """SQL for a row's cells as one comma-separated line (a reject's raw)."""
    if not width:
        return "''"
    return "concat_ws(',', " + ", ".join(f"coalesce(c{i + 1}, '')" for i in range(width)) + ")"


def nonempty_sql(width: int) -> str:
    """SQL: the row has at least one cell."""
    return "(" + " OR ".join(f"c{i + 1} IS NOT NULL" for i in range(width)) + ")" if width else "FALSE"


# An Excel date serial (days since 1899-12-30) in a date column whose cells lost their date format.
def excel_serial_sql(expr: str) -> str:
    return (f"CASE WHEN regexp_full_match(trim({expr}), '[0-9]{{5}}(\\.[0-9]+)?') THEN "
            f"DATE '1899-12-30' + CAST(floor(CAST(trim({expr}) AS DOUBLE)) AS INTEGER) END")
