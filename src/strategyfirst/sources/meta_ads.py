"""`meta-ads`: a Meta Ads Manager export (`.csv`; `.xlsx` through the workbook reader) as `spend` rows.

Columns: `Reporting starts, Reporting ends`, the level's name (`Campaign name`, `Ad set name`, `Ad name`) or a
breakdown (`Region`, `Age`, `Gender`, `Placement`, ...), `Results, Result indicator, Reach, Impressions,
Cost per results, Amount spent (<CUR>)`; optional `Day` (a daily export) and `Account name`.
- The currency is the one in `Amount spent (UAH)`; ingest then checks it against the plan's (sources/currency).
- The first data row of an export with name or breakdown columns, all of them empty, is the account total:
  skipped, never added to the rows below it.
- Each row is spend on platform `meta` dated `Reporting starts` (`Day` in a daily export) with `date_to` =
  `Reporting ends`, its `level` (campaign | adset | ad | breakdown), the account (`Account name` or
  `--account`), `results` in `result_indicator` units and the paid impressions. The campaign used for tactic
  matching is `Campaign name`, else the ad set's or the ad's name; a breakdown export has no campaign.
- Never double counted (data.md): a file whose periods overlap stored Ads Manager spend of the same account at
  another level (a breakdown beside campaigns, ads beside campaigns) or over another period is refused with
  the import to undo. The same export again, or a newer one of the same level and period, updates the rows.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from typing import TYPE_CHECKING

from strategyfirst.handles import trim_space_sql
from strategyfirst.sources.base import (
    LoadContext,
    Loaded,
    Source,
    add_csv_rejects,
    normalise_column,
    reasons,
    sql_str,
    stage_split,
)
from strategyfirst.sources.columns import column_map
from strategyfirst.sources.dates import day
from strategyfirst.sources.sqlfuncs import Numbers
from strategyfirst.sources.textfile import SourceFile, open_source_file, read_rows
from strategyfirst.sources.workbook import cell_text, open_workbook

if TYPE_CHECKING:
    import duckdb

AMOUNT = re.compile(r"^amount spent \(([a-z]{3})\)$")
LEVELS = (("ad", "ad name"), ("adset", "ad set name"), ("campaign", "campaign name"))
BREAKDOWNS = ("region", "country", "age", "gender", "placement", "platform", "device platform")
REQUIRED = ("reporting starts", "reporting ends", "amount spent")
COLUMNS = ("reporting starts", "reporting ends", "day", "account name", "campaign name", "ad set name", "ad name",
           *BREAKDOWNS, "results", "result indicator", "impressions", "amount spent")
NUMBERS = ("results", "impressions", "amount spent")


def header_map(header: list[str]) -> list[str]:
    """`Amount spent (UAH)` reads as `amount spent` (the currency is taken from it in `load`)."""
    return [AMOUNT.sub("amount spent", normalise_column(h)) for h in header]


def currency_of(sf: SourceFile) -> str | None:
    """The currency code in the `Amount spent (<CUR>)` header, upper case."""
    for h in sf.header:
        found = AMOUNT.match(normalise_column(h))
        if found:
            return found.group(1).upper()
    return None


def _level(have: set[str]) -> tuple[str, list[str]]:
    """The export's level and the columns that name its rows (names, or breakdown values)."""
    names = [col for _, col in LEVELS if col in have]
    for level, col in LEVELS:
        if col in have:
            return level, names
    breakdown = [col for col in BREAKDOWNS if col in have]
    return ("breakdown", breakdown) if breakdown else ("account", [])


def load(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    if sf.kind != "xlsx":
        return _load_csv(con, sf, ctx)
    copy = _first_sheet_as_csv(sf)
    try:
        return _load_csv(con, copy, ctx)
    finally:
        copy.text_path.unlink(missing_ok=True)


def _first_sheet_as_csv(sf: SourceFile) -> SourceFile:
    """The workbook's first sheet (Ads Manager writes one) as a CSV copy, row N on line N; errors name the
    workbook and a row's line is its sheet row."""
    assert sf.tmp_dir is not None
    sf.tmp_dir.mkdir(parents=True, exist_ok=True)
    out = sf.tmp_dir / f"{sf.path.stem}.meta-ads.csv"
    wb = open_workbook(sf.path)
    try:
        rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # a damaged sheet: calamine raises its own errors
        raise sf.error(f"the first sheet cannot be read ({type(exc).__name__}); open the workbook in a "
                       "spreadsheet program to check it, or export it again (this file was not imported)",
                       1, 1) from None
    with out.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows([cell_text(v) for v in row] for row in rows)
    try:
        return dataclasses.replace(open_source_file(out, sf.tmp_dir), path=sf.path)
    except BaseException:
        out.unlink(missing_ok=True)
        raise


def _load_csv(con: duckdb.DuckDBPyConnection, sf: SourceFile, ctx: LoadContext) -> Loaded:
    names, c = column_map(sf, COLUMNS, header_map)
    have = set(header_map(sf.header))
    level, named_by = _level(have)
    read_rows(con, sf, "src_rows", names=names)
    add_csv_rejects(con)
    nums = Numbers(con, "src_rows", [c[col] for col in NUMBERS])
    starts, ends = day(c["reporting starts"]), day(c["reporting ends"])
    daily = "day" in have
    date = day(c["day"]) if daily else starts
    date_to = date if daily else ends
    blank = " AND ".join(f"sf_blank({c[col]})" for col in named_by) or "FALSE"
    # The account total: the first data row, every name or breakdown cell empty.
    total = f"(_line = (SELECT min(_line) FROM src_rows) AND {blank})"
    given = (ctx.account or "").strip()
    account = sql_str(given) if given else f"nullif({trim_space_sql(c['account name'])}, '')"
    campaign = ("NULL" if level in ("breakdown", "account") else
                "coalesce(" + ", ".join(f"nullif(trim({c[col]}), '')" for col in
                                        ("campaign name", "ad set name", "ad name") if col in have) + ")")
    reject = reasons(
        (f"{date} IS NULL", ("Day" if daily else "Reporting starts") + " is not a date like 2024-03-01"),
        (f"{date_to} IS NULL", "Reporting ends is not a date like 2024-03-31"),
        (f"{date_to} < {date}", "Reporting ends is before Reporting starts"),
        (f"{nums.num(c['amount spent'])} IS NULL AND NOT sf_blank({c['amount spent']})",
         "Amount spent is not a number"),
        (f"{blank}", "the row names no " + (named_by[0].removesuffix(" name") if named_by else "campaign")),
        *[(nums.bad(c[col]), f"{col.capitalize()} is not a number") for col in ("results", "impressions")],
    )
    stage_split(con, "spend", f"""
        SELECT {date} AS date, 'meta' AS platform, NULL AS tactic, {campaign} AS campaign,
               coalesce({nums.num(c['amount spent'])}, 0) AS amount, {sql_str(currency_of(sf))} AS currency,
               {account} AS account, {date_to} AS date_to, '{level}' AS level,
               {nums.num(c['results'])} AS results, nullif(trim({c['result indicator']}), '') AS result_indicator,
               {nums.num(c['impressions'])} AS impressions,
               _line AS line, {reject} AS _reject, NULL::VARCHAR AS _raw
        FROM src_rows WHERE NOT {total}""")
    refuse_double_count(con, sf)
    return Loaded(primary="spend")


def refuse_double_count(con: duckdb.DuckDBPyConnection, sf: SourceFile) -> None:
    """Refuse a file whose rows overlap stored Ads Manager spend of the same account at another level or over
    another period: adding it would count the same money twice (data.md, meta-ads breakdowns)."""
    clash = con.execute("""
        SELECT s.line, s.level, e.level, e.date, coalesce(e.date_to, e.date), e.import_id, i.file, e.account
        FROM stage_spend s JOIN spend e
          ON e.level IS NOT NULL AND e.account IS NOT DISTINCT FROM s.account
         AND e.date <= coalesce(s.date_to, s.date) AND s.date <= coalesce(e.date_to, e.date)
         AND NOT (e.level = s.level AND e.date = s.date AND e.date_to IS NOT DISTINCT FROM s.date_to)
        LEFT JOIN imports i ON i.import_id = e.import_id
        ORDER BY s.line LIMIT 1""").fetchone()
    if clash is None:
        return
    line, level, other, start, end, import_id, file, account = clash
    what = {"breakdown": "a breakdown (no campaign)", "account": "account totals", "campaign": "campaigns",
            "adset": "ad sets", "ad": "ads"}
    whose = f"account {account!r}" if account else "this ad account"
    raise sf.error(f"would count the same money twice: import #{import_id} ({file}) already holds the Ads Manager "
                   f"spend of {whose} for {start}..{end} by {what.get(other, other)}, and this file has it by "
                   f"{what.get(level, level)}" + (" over another period" if level == other else "")
                   + f"; undo that import first (strategyfirst imports undo {import_id}) or import only one "
                   "of the two exports", int(line), 1)


SOURCE = Source(
    name="meta-ads",
    description="Meta Ads Manager export (.csv or .xlsx): spend per campaign, ad set, ad or breakdown and "
                "period (or day), with results per result indicator and paid impressions; currency from the "
                "Amount spent header; the account-total row is skipped",
    detection="header has Reporting starts, Reporting ends, Amount spent (<currency>)",
    columns=COLUMNS,
    required=REQUIRED,
    load=load,
    header_map=header_map,
    other_kinds=("xlsx",),
)
