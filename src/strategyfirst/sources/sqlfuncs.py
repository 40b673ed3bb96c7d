"""SQL macros the sources share: localised numbers, nulls written as `-`, ids written as floats.

Installed once per connection as temp macros so every source's mapping stays one set-based SELECT.

Decimal separators are decided per column from the values in the file, never from the header's language
(`decimal_marks`): one aggregate query over the file's number columns looks for values that can only be read
one way. A point is the decimal mark where some value has one or two (or four and more) digits after its only
point (`91.0`, `0.25`, `12.5000`), starts `0.` / `.`, has a point after comma groups (`1,234.5`), several comma
groups (`1,234,567`) or an exponent; a comma is, by the same shapes mirrored (`91,0`, `1.234,5`, `1.234.567`).
A column showing only one mark is read with it (the other mark groups thousands); a column showing none (whole
numbers, or only `1,234` / `1.234`) takes the mark the file's other number columns show, and where no column
shows one its `1,234` and `1.234` are thousands (1234): export figures are counts far more often than numbers
with exactly three decimals. A column showing both marks (a hand-edited file) is read value by value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


MACROS = (
    # A number cell without spaces, no-break spaces and percent signs.
    r"""CREATE OR REPLACE TEMP MACRO sf_numtxt(s) AS
        regexp_replace(trim(replace(replace(s, chr(160), ''), chr(8239), '')), '[ %]', '', 'g')""",
    # Text that means "not given". list_contains, not IN: DuckDB turns an IN list of this many constants into a
    # join planned and built per use, ~0.5 ms for each of the dozens of uses in a mapping of a few rows.
    r"""CREATE OR REPLACE TEMP MACRO sf_blank(s) AS
        s IS NULL OR list_contains(['', '-', '--', 'n/a', 'N/A', 'null', 'NULL', 'None', 'nan', 'NaN'], trim(s))""",
    # A number as localised exports write it: "1938.0", "1,234", "1.234.567", "0,5", "3.51%", "1 234".
    # The cleaned text is bound once through a one-element lambda, which keeps the expanded macro small.
    r"""CREATE OR REPLACE TEMP MACRO sf_num(s) AS
        CASE WHEN sf_blank(s) THEN NULL ELSE list_transform([sf_numtxt(s)], t -> TRY_CAST(
          CASE
            WHEN regexp_full_match(t, '[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?') THEN t
            WHEN regexp_full_match(t, '[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?') THEN replace(t, ',', '')
            WHEN regexp_full_match(t, '[-+]?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?')
              THEN replace(replace(t, '.', ''), ',', '.')
            WHEN regexp_full_match(t, '[-+]?[0-9]+,[0-9]+') THEN replace(t, ',', '.')
            ELSE NULL END AS DOUBLE))[1] END""",
    # A number whose column writes decimal points ("1,234.5", "91.0", "0.25"): commas group thousands.
    r"""CREATE OR REPLACE TEMP MACRO sf_num_dot(s) AS
        CASE WHEN sf_blank(s) THEN NULL ELSE list_transform([sf_numtxt(s)], t -> CASE
          WHEN regexp_full_match(t, '[-+]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)?(\.[0-9]+)?([eE][-+]?[0-9]+)?')
            THEN TRY_CAST(replace(t, ',', '') AS DOUBLE) END)[1] END""",
    # A number whose column writes decimal commas ("1.234,5", "91,0", "0,25"): points group thousands.
    r"""CREATE OR REPLACE TEMP MACRO sf_num_comma(s) AS
        CASE WHEN sf_blank(s) THEN NULL ELSE list_transform([sf_numtxt(s)], t -> CASE
          WHEN regexp_full_match(t, '[-+]?([0-9]+|[0-9]{1,3}(\.[0-9]{3})+)?(,[0-9]+)?')
            THEN TRY_CAST(replace(replace(t, '.', ''), ',', '.') AS DOUBLE) END)[1] END""",
    # A whole number whose only separators group thousands ("1,234" or "1.234" = 1234).
    r"""CREATE OR REPLACE TEMP MACRO sf_num_group(s) AS
        CASE WHEN sf_blank(s) THEN NULL ELSE list_transform([sf_numtxt(s)], t -> CASE
          WHEN regexp_full_match(t, '[-+]?([0-9]+|[0-9]{1,3}([.,][0-9]{3})+)')
            THEN TRY_CAST(replace(replace(t, '.', ''), ',', '') AS DOUBLE) END)[1] END""",
    # True when a non-blank cell did not parse as a number (a reject reason, not a silent null).
    r"""CREATE OR REPLACE TEMP MACRO sf_badnum(s) AS NOT sf_blank(s) AND sf_num(s) IS NULL""",
    # Ids the pandas round trip wrote as floats: "119237.0" -> "119237".
    r"""CREATE OR REPLACE TEMP MACRO sf_id(s) AS
        CASE WHEN sf_blank(s) THEN NULL ELSE regexp_replace(trim(s), '\.0+$', '') END""",
    r"""CREATE OR REPLACE TEMP MACRO sf_bool(s) AS
        CASE WHEN list_contains(['true', 't', '1', 'yes', 'y', '1.0'], lower(trim(s))) THEN TRUE
             WHEN list_contains(['false', 'f', '0', 'no', 'n', '0.0'], lower(trim(s))) THEN FALSE END""",
    # Tweet text as X exports it (analytics, twcs): X escapes exactly `&`, `<` and `>` as `&amp;`, `&lt;`,
    # `&gt;`, so decoding those three, `&amp;` last, gives the typed text back (`&amp;lt;` was a typed `&lt;`).
    # Most texts hold no `&`: one contains() is all they cost.
    r"""CREATE OR REPLACE TEMP MACRO sf_x_text(s) AS
        CASE WHEN contains(s, '&') THEN replace(replace(replace(s, '&lt;', '<'), '&gt;', '>'), '&amp;', '&')
             ELSE s END""",
    # Plain text from HTML (Mastodon, some exports): tags dropped, paragraphs as line breaks, entities decoded.
    r"""CREATE OR REPLACE TEMP MACRO sf_strip_html(s) AS
        trim(replace(replace(replace(replace(replace(replace(
          regexp_replace(regexp_replace(s, '<br\s*/?>|</p>\s*<p>', chr(10), 'gi'), '<[^>]*>', '', 'g'),
          '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&nbsp;', ' '), '&amp;', '&'))""",
)


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temp macros on this connection (idempotent)."""
    # In order: sf_numtxt and sf_blank come first, the others refer to them.
    for ddl in MACROS:
        con.execute(ddl)


# Values that can only be read with a decimal point, and those that can only be read with a decimal comma.
_DOT_SHOWS = (r"[-+]?[0-9]*\.([0-9]{1,2}|[0-9]{4,})",      # 91.0, 0.25, 3.5000 (not exactly three digits)
              r"[-+]?0?\.[0-9]+",                             # 0.034, .5
              r"[-+]?[0-9]{4,}\.[0-9]+",                      # 1234.567 (no thousands group has four digits)
              r"[-+]?[0-9]{1,3}(,[0-9]{3})+\.[0-9]+",         # 1,234.5
              r"[-+]?[0-9]{1,3}(,[0-9]{3}){2,}",              # 1,234,567
              r"[-+]?[0-9]*\.?[0-9]+[eE][-+]?[0-9]+")         # 1.5e3
_COMMA_SHOWS = (r"[-+]?[0-9]*,([0-9]{1,2}|[0-9]{4,})",     # 91,0, 0,25
                r"[-+]?0?,[0-9]+",                            # 0,034
                r"[-+]?[0-9]{4,},[0-9]+",                     # 1234,567
                r"[-+]?[0-9]{1,3}(\.[0-9]{3})+,[0-9]+",       # 1.234,5
                r"[-+]?[0-9]{1,3}(\.[0-9]{3}){2,}")           # 1.234.567
_DOT_RE = "|".join(f"({p})" for p in _DOT_SHOWS)
_COMMA_RE = "|".join(f"({p})" for p in _COMMA_SHOWS)
MACRO_OF = {".": "sf_num_dot", ",": "sf_num_comma", "": "sf_num_group", None: "sf_num"}


class Numbers:
    """The number columns of one file with the decimal mark each one's values show (see the module doc).

    `Numbers(con, "src_rows", [c["views"], ...])` runs one aggregate query over the file; `num(expr)` is then the
    SQL of the parsed value and `bad(expr)` the SQL of "a non-blank cell that is not a number".
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str, exprs: Iterable[str]) -> None:
        columns = list(dict.fromkeys(e for e in exprs if not e.startswith("NULL")))
        self.marks: dict[str, str | None] = decimal_marks(con, table, columns)

    def num(self, expr: str) -> str:
        return f"{MACRO_OF[self.marks.get(expr, '')]}({expr})"

    def bad(self, expr: str) -> str:
        return f"(NOT sf_blank({expr}) AND {self.num(expr)} IS NULL)"


def decimal_marks(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> dict[str, str | None]:
    """For each column (an SQL expression over `table`), the decimal mark its values show: `.` or `,`; `""`
    where no value shows one anywhere in the file (separators then group thousands); None where a column shows
    both (read value by value)."""
    if not columns:
        return {}
    # One query and one scan: every (column, cell) pair that has a separator, distinct, the regexes run once
    # per pair (few, even in millions of rows of counts). One scalar subquery per column cost ~2 ms a column.
    cells = ", ".join(columns)
    rows = con.execute(f"""
        SELECT i, coalesce(bool_or(regexp_full_match(sf_numtxt(v), '{_DOT_RE}')), FALSE),
                  coalesce(bool_or(regexp_full_match(sf_numtxt(v), '{_COMMA_RE}')), FALSE)
        FROM (SELECT DISTINCT i, v FROM (SELECT unnest(range({len(columns)})) AS i, unnest([{cells}]) AS v
                                         FROM {table})
              WHERE contains(v, '.') OR contains(v, ','))
        GROUP BY i""").fetchall()
    found = {int(i): (bool(dot), bool(comma)) for i, dot, comma in rows}
    row = [found.get(i, (False, False)) for i in range(len(columns))]
    shown: dict[str, str | None] = {}
    for col, (dot, comma) in zip(columns, row, strict=True):
        shown[col] = None if dot and comma else "." if dot else "," if comma else ""
    file_marks = {m for m in shown.values() if m}
    fallback = file_marks.pop() if len(file_marks) == 1 else ""
    return {col: fallback if mark == "" else mark for col, mark in shown.items()}
