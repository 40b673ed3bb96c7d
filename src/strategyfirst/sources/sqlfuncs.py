"""SQL macros the sources share: localised numbers, nulls written as `-`, ids written as floats.

Installed once per connection as temp macros so every source's mapping stays one set-based SELECT.
"""

from __future__ import annotations

import duckdb

MACROS = (
    # Text that means "not given".
    r"""CREATE OR REPLACE TEMP MACRO sf_blank(s) AS
        s IS NULL OR trim(s) IN ('', '-', '--', 'n/a', 'N/A', 'null', 'NULL', 'None', 'nan', 'NaN')""",
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
    # The same, where the file's locale is known to write decimal commas ("1.234" = 1234).
    r"""CREATE OR REPLACE TEMP MACRO sf_num_dc(s) AS
        CASE WHEN sf_blank(s) THEN NULL
             ELSE TRY_CAST(replace(replace(sf_numtxt(s), '.', ''), ',', '.') AS DOUBLE) END""",
    r"""CREATE OR REPLACE TEMP MACRO sf_numtxt(s) AS
        regexp_replace(trim(replace(replace(s, chr(160), ''), chr(8239), '')), '[ %]', '', 'g')""",
    # True when a non-blank cell did not parse as a number (a reject reason, not a silent null).
    r"""CREATE OR REPLACE TEMP MACRO sf_badnum(s) AS NOT sf_blank(s) AND sf_num(s) IS NULL""",
    # Ids the pandas round trip wrote as floats: "119237.0" -> "119237".
    r"""CREATE OR REPLACE TEMP MACRO sf_id(s) AS
        CASE WHEN sf_blank(s) THEN NULL ELSE regexp_replace(trim(s), '\.0+$', '') END""",
    r"""CREATE OR REPLACE TEMP MACRO sf_bool(s) AS
        CASE WHEN lower(trim(s)) IN ('true', 't', '1', 'yes', 'y', '1.0') THEN TRUE
             WHEN lower(trim(s)) IN ('false', 'f', '0', 'no', 'n', '0.0') THEN FALSE END""",
    # Plain text from HTML (Mastodon, some exports): tags dropped, paragraphs as line breaks, entities decoded.
    r"""CREATE OR REPLACE TEMP MACRO sf_strip_html(s) AS
        trim(replace(replace(replace(replace(replace(replace(
          regexp_replace(regexp_replace(s, '<br\s*/?>|</p>\s*<p>', chr(10), 'gi'), '<[^>]*>', '', 'g'),
          '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&nbsp;', ' '), '&amp;', '&'))""",
)


def install(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temp macros on this connection (idempotent)."""
    # sf_numtxt and sf_blank first: the others refer to them.
    order = (MACROS[3], MACROS[0], MACROS[1], MACROS[2], *MACROS[4:])
    for ddl in order:
        con.execute(ddl)
