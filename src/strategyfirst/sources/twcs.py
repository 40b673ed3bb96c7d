"""`twcs`: Kaggle "Customer Support on Twitter" conversations (and the variant pandas re-wrote).

Fully set-based: the benchmark feeds ten million rows through this path. The text is X's, with `&`, `<` and
`>` written as HTML entities: stored decoded (`sf_x_text`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.handles import trim_space_sql
from strategyfirst.sources.base import (
    CONTROL_ID_REASON,
    LoadContext,
    Loaded,
    Source,
    add_csv_rejects,
    control_char,
    owned_sql,
    reasons,
    split_mapped,
)
from strategyfirst.sources.textfile import SourceFile, ident, read_mapped, read_rows, unique_names

if TYPE_CHECKING:
    import duckdb

# The staged columns alike on every row: the stage's view gives them (0.5 CPU s at ten million rows not written).
CONSTANTS = {"platform": "'x'", "time_precision": "'second'"}
COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
           "in_response_to_tweet_id")

TS_TZ = "['%a %b %d %H:%M:%S %z %Y', '%Y-%m-%d %H:%M:%S%z', '%Y-%m-%dT%H:%M:%S%z', '%Y-%m-%d %H:%M:%S.%f%z']"
TS_NAIVE = "['%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S.%f']"


def utc_ts(expr: str, tz_formats: str = TS_TZ, naive_formats: str = TS_NAIVE) -> str:
    """SQL: a text timestamp (with or without offset) as naive UTC. The trimmed text is bound once through a
    one-element lambda: written twice, DuckDB's common-subexpression pass trims every row's text before the
    `coalesce` that needs it only where the Kaggle format failed (1.8 of 6.0 CPU s at ten million rows)."""
    return (f"list_transform([trim({expr})], s -> coalesce(timezone('UTC', try_strptime(s, {tz_formats})), "
            f"try_strptime(s, {naive_formats})))[1]")


def raw_expr(names: list[str], delimiter: str = ",") -> str:
    """SQL: the row's cells joined back, for the rejects table."""
    return f"concat_ws('{delimiter}', " + ", ".join(f"coalesce({ident(n)}, '')" for n in names) + ")"


def norm_id(expr: str) -> str:
    """SQL: an id as text, without the `.0` a pandas round trip adds (the common all-digit case costs one
    `contains`: this runs on every row of ten-million-row files)."""
    e = f"trim({expr})"
    return (f"nullif(CASE WHEN contains({expr}, '.') THEN CASE WHEN rtrim(split_part({e}, '.', 2), '0') = '' "
            f"THEN split_part({e}, '.', 1) ELSE {e} END WHEN contains({expr}, ' ') THEN {e} ELSE {expr} END, '')")


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    names = unique_names(sf.header)
    cols = {n.lower().strip(): n for n in names}
    c = {k: ident(cols[k]) for k in COLUMNS}
    if not _load_in_one_pass(con, sf, ctx, names, c):
        read_rows(con, sf, "src_rows", names=names)
        add_csv_rejects(con)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _mapped_messages AS {_mapping(c, ctx, 'src_rows', lined=True)}")
        _link(con)
        # A linked parent may be a rejected row's id with a control character: the ids are checked after linking.
        split_mapped(con, "messages", constants=CONSTANTS)
    return Loaded(primary="messages", unique_lines=True)  # one message per record


def _load_in_one_pass(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext, names: list[str],
                      c: dict[str, str]) -> bool:
    """Read, type and map the file in one statement (the ten-million-row path): true when it could, that is
    when no row needs its line number, as none is rejected (`read_mapped`); else nothing is left behind and
    the file goes the general way, which locates each reject."""
    line = read_mapped(con, sf, "_mapped_messages", lambda rows: _mapping(c, ctx, rows, lined=False),
                       names=names)
    if line is None:
        return False
    if con.execute("SELECT count(*) FROM _mapped_messages WHERE _reject IS NOT NULL").fetchone() != (0,):
        con.execute("DROP TABLE _mapped_messages")
        return False
    _link(con)
    # no row rejected: every linked parent checked
    split_mapped(con, "messages", line=line, ids_checked=True, constants=CONSTANTS)
    return True


def _link(con: duckdb.DuckDBPyConnection) -> None:
    """A reply listed in its parent's response_tweet_id but without in_response_to_tweet_id of its own gets
    that parent: a few rows of `_mapped_messages` updated (usually none), instead of joining every row with
    the links while mapping."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE twcs_links AS
        SELECT DISTINCT ON (child) child, parent FROM (
            SELECT 'x:' || trim(unnest(string_split(_responses, ','))) AS child, message_id AS parent
            FROM _mapped_messages WHERE _responses IS NOT NULL)
        WHERE child IN (SELECT message_id FROM _mapped_messages WHERE in_reply_to IS NULL)""")
    if con.execute("SELECT count(*) FROM twcs_links WHERE parent IS NOT NULL").fetchone() != (0,):
        con.execute("""UPDATE _mapped_messages SET in_reply_to = l.parent, kind = 'reply' FROM twcs_links l
                       WHERE _mapped_messages.message_id = l.child AND _mapped_messages.in_reply_to IS NULL
                         AND l.parent IS NOT NULL""")
    con.execute("DROP TABLE twcs_links")


def _plain(expr: str) -> str:
    """SQL: true where the id `expr` (a tweet id: it casts to UBIGINT) is its number written plainly, digits
    only; false for what else the cast reads (`007`, `+7`, a tab or line break around the digits)."""
    return f"{expr} = CAST(TRY_CAST({expr} AS UBIGINT) AS VARCHAR)"


def _mapping(c: dict[str, str], ctx: LoadContext, rows: str, *, lined: bool) -> str:
    """SQL: the rows of `rows` as staged messages, their response_tweet_id kept as `_responses` for `_link`.
    `lined`: `rows` has `_line` (the general way); else (one pass) the rows have no line."""
    tid, pid = norm_id(c["tweet_id"]), norm_id(c["in_response_to_tweet_id"])
    damaged = control_char("t.tid || coalesce(t.pid, '')")
    reject = reasons(
        ("t.tid IS NULL OR TRY_CAST(t.tid AS UBIGINT) IS NULL", "tweet_id is empty or not a tweet id"),
        ("t.account IS NULL", "author_id (the account) is empty"),
        ("t.inbound IS NULL", "inbound is not True/False"),
        ("t.created_at IS NULL", "created_at is not a date like 'Wed Oct 11 06:55:44 +0000 2017'"),
        ("t.pid IS NOT NULL AND TRY_CAST(t.pid AS UBIGINT) IS NULL", "in_response_to_tweet_id is not a tweet id"),
        # `x:` + the id, as `split_mapped` checks message_id and in_reply_to. Ids written as their number
        # (digits only: the common case) hold none: the regex only runs on the others (0.3 CPU s at 10M rows).
        (f"NOT ({_plain('t.tid')} AND (t.pid IS NULL OR {_plain('t.pid')})) AND {damaged}", CONTROL_ID_REASON),
    )
    # Typed once in a subquery (the common Kaggle timestamp first, no regexes), then checked and mapped.
    return f"""
        SELECT 'x:' || t.tid AS message_id, t.account,
               {owned_sql(ctx, 'x', 't.account', 'NOT t.inbound')} AS owned,
               t.created_at,
               CASE WHEN t.pid IS NULL THEN 'post' ELSE 'reply' END AS kind,
               t.text, 'x:' || t.pid AS in_reply_to, {'t._line AS line, ' if lined else ''}t._responses,
               {reject} AS _reject,
               NULL::VARCHAR AS _raw  -- filled for the rejects afterwards, from src_rows
        FROM (SELECT {tid} AS tid, {pid} AS pid, CASE {c['inbound']} WHEN 'True' THEN TRUE WHEN 'False' THEN FALSE
                          ELSE sf_bool({c['inbound']}) END AS inbound,
                     nullif({trim_space_sql(c['author_id'])}, '') AS account,
                     coalesce(try_strptime({c['created_at']}, '%a %b %d %H:%M:%S +0000 %Y'),
                              {utc_ts(c['created_at'])}) AS created_at,
                     sf_x_text({c['text']}) AS text, {c['response_tweet_id']} AS _responses{', _line' if lined else ''}
              FROM {rows}) t"""


SOURCE = Source(
    name="twcs",
    description='Kaggle "Customer Support on Twitter" CSV (also the pandas re-write with an index column)',
    detection="header has tweet_id, author_id, inbound, created_at, text and the two reply-id columns",
    columns=COLUMNS,
    required=COLUMNS,
    load=load,
)
