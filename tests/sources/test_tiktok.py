"""tiktok-analytics (issue 14): TikTok Studio's Overview.csv, Content.csv and FollowerHistory.csv, personal and
business layouts; dates without a year (--year) or in the account's language; `undefined`, `--`, `NAN`; a header
with a trailing space; account from the video links or --account. Figures worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategyfirst.errors import ImportFileError
from strategyfirst.sources import sqlfuncs
from strategyfirst.sources.registry import detect
from strategyfirst.sources.textfile import open_source_file
from strategyfirst.sources.tiktok_analytics import date_parts, resolved_date
from strategyfirst.workspace import Workspace
from tests.cli.support import run
from tests.sources.support import ingest, one, query, snapshot

pytestmark = pytest.mark.usefixtures("no_derive")

OVERVIEW = ("Date,Video Views,Profile Views,Likes,Comments,Shares\n"
            "December 30,100,5,10,1,0\n"
            'December 31,"1,200",7,-2,undefined,3\n'
            "January 1,50,1,4,0,1\n")
CONTENT = ("Time,Video title,Video link,Post time,Total likes,Total comments,Total shares,Total views\n"
           "January 5,Winter ride,https://www.tiktok.com/@velo.club/video/7450000000000000001,December 28,120,8,5,"
           "3400\n"
           'January 5,"Bike wash, 60 s",https://www.tiktok.com/@velo.club/video/7450000000000000002,January 3,30,'
           "undefined,2,900\n")
BUSINESS = ("Date,Video views,Reached audience,Profile views,Likes,Shares,Comments,Phone number clicks,"
            "Leads submission,Net growth,New followers,Lost followers \n"
            "2025/10/30,500,420,12,40,3,5,0,0,6,8,2\n"
            "2025/10/31,--,NAN,--,-1,0,2,0,0,-3,1,4\n")
BUSINESS_VIDEOS = ("Video title,Video link,Post time,Video views,Likes,Comments,Shares,Add to Favorites\n"
                   "Shop tour,https://www.tiktok.com/@velo.shop/video/7460000000000000007,2025/10/31 14:05,2000,150,"
                   "12,9,30\n")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_overview_yearless_dates_take_the_export_day_year_and_the_year_before(tmp_path: Path) -> None:
    path = write(tmp_path / "Overview.csv", OVERVIEW)
    assert detect(open_source_file(path, tmp_path / "tmp")).name == "tiktok-analytics"
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="velo.club", year=2026))
    assert (f["source"], f["rows_new"], f["rows_rejected"]) == ("tiktok-analytics", 3, 0)
    # The export day is the last row, January 1 2026; December 30 and 31 come later in the calendar: 2025.
    # `undefined` is not given (null), -2 likes (a correction) kept as given, "1,200" is twelve hundred.
    assert query(ws, "SELECT date, platform, account, video_views, likes, comments, shares FROM account_daily "
                     "ORDER BY date") == [
        (dt.date(2025, 12, 30), "tiktok", "velo.club", 100.0, 10.0, 1.0, 0.0),
        (dt.date(2025, 12, 31), "tiktok", "velo.club", 1200.0, -2.0, None, 3.0),
        (dt.date(2026, 1, 1), "tiktok", "velo.club", 50.0, 4.0, 0.0, 1.0)]
    # Profile Views are the day's profile visits (5, 7, 1); this layout has no reach
    assert query(ws, "SELECT profile_visits, reach FROM account_daily ORDER BY date") == [
        (5.0, None), (7.0, None), (1.0, None)]


def test_yearless_dates_without_year_are_refused_naming_it(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(ImportFileError, match=r"Overview.csv:2:1: dates without a year .*pass --year YYYY"):
        ingest(ws, [write(tmp_path / "Overview.csv", OVERVIEW)], account="velo.club")
    assert snapshot(ws).get("account_daily", (0, 0)) == (0, 0)


def test_cli_year_and_account_errors_are_one_line_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "Overview.csv", OVERVIEW)
    workspace = str(tmp_path / "ws")
    code, out, err = run(["ingest", "-w", workspace, str(path), "--account", "velo.club"], monkeypatch, capsys)
    lines = [ln for ln in (out + err).splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1 and "Overview.csv:2:1:" in lines[0] and "--year" in lines[0], out + err
    code, out, err = run(["ingest", "-w", workspace, str(path), "--year", "2026"], monkeypatch, capsys)
    lines = [ln for ln in (out + err).splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1 and "pass --account NAME" in lines[0], out + err
    # It read "TikTok Studio's an Overview.csv does not say ...".
    assert lines[0] == (f"error: {path}:1:1: this TikTok Studio Overview.csv does not say which account it belongs "
                        "to; pass --account NAME")
    code, out, _ = run(["ingest", "-w", workspace, str(path), "--year", "2026", "--account", "velo.club"],
                       monkeypatch, capsys)
    assert code == 0 and "tiktok-analytics" in out
    code, out, _ = run(["ingest", "--help"], monkeypatch, capsys)
    assert code == 0 and "--year" in out


@pytest.mark.parametrize(("language", "first", "second"), [
    ("en", "February 28", "March 1"),
    ("es", "28 de febrero", "1 de marzo"),
    ("pt", "28 de fevereiro", "1 de março"),
    ("fr", "28 février", "1er mars"),
    ("de", "28. Februar", "1. März"),
    ("it", "28 febbraio", "1 marzo"),
])
def test_follower_history_in_the_accounts_language(tmp_path: Path, language: str, first: str, second: str) -> None:
    text = ("Date,Followers,Difference in followers from previous day\n"
            f"{first},1000,5\n{second},undefined,-3\n")
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [write(tmp_path / "FollowerHistory.csv", text)], account="velo.club", year=2025))
    assert (f["rows_new"], f["rows_rejected"]) == (2, 0), language
    # The snapshot where Followers is given; the difference is a net change: not gains or losses.
    assert query(ws, "SELECT date, platform, metric, value, gained, lost FROM audience ORDER BY date") == [
        (dt.date(2025, 2, 28), "tiktok", "followers", 1000.0, None, None),
        (dt.date(2025, 3, 1), "tiktok", "followers", None, None, None)]


def test_content_videos_account_from_links_and_yearless_post_times(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [write(tmp_path / "Content.csv", CONTENT)], year=2026))
    assert (f["rows_new"], f["rows_rejected"]) == (2, 0)
    # Exported January 5 2026: posted December 28 is 2025. Engagements = likes + comments + shares:
    # 120 + 8 + 5 = 133; 30 + (undefined) + 2 = 32.
    assert query(ws, "SELECT message_id, account, owned, kind, created_at, time_precision, text, video_views, "
                     "likes, comments, shares, saves, engagements FROM messages ORDER BY message_id") == [
        ("tiktok:7450000000000000001", "velo.club", True, "video", dt.datetime(2025, 12, 28), "day", "Winter ride",
         3400.0, 120.0, 8.0, 5.0, None, 133.0),
        ("tiktok:7450000000000000002", "velo.club", True, "video", dt.datetime(2026, 1, 3), "day",
         "Bike wash, 60 s", 900.0, 30.0, None, 2.0, None, 32.0)]


def test_content_time_with_a_year_needs_no_year_option(tmp_path: Path) -> None:
    text = CONTENT.replace("January 5,", "2026/01/05,")
    ws = Workspace(tmp_path / "ws")
    one(ingest(ws, [write(tmp_path / "Content.csv", text)]))
    assert query(ws, "SELECT created_at FROM messages ORDER BY message_id") == [
        (dt.datetime(2025, 12, 28),), (dt.datetime(2026, 1, 3),)]


def test_business_overview_daily_totals_and_follower_gains(tmp_path: Path) -> None:
    path = write(tmp_path / "Overview.csv", BUSINESS)
    assert detect(open_source_file(path, tmp_path / "tmp")).name == "tiktok-analytics"
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="velo.shop"))  # full dates: no --year needed
    assert (f["rows_new"], f["rows_rejected"]) == (2, 0)
    # `--` and `NAN` are not given; -1 likes kept; New/Lost followers (header with a trailing space) are the
    # day's follows/unfollows and the audience's gains/losses
    assert query(ws, "SELECT date, video_views, likes, shares, comments, follows, unfollows FROM account_daily "
                     "ORDER BY date") == [
        (dt.date(2025, 10, 30), 500.0, 40.0, 3.0, 5.0, 8.0, 2.0),
        (dt.date(2025, 10, 31), None, -1.0, 0.0, 2.0, 1.0, 4.0)]
    # Reached audience -> reach (420, then NAN: not given), Profile views -> profile_visits (12, then --)
    assert query(ws, "SELECT reach, profile_visits FROM account_daily ORDER BY date") == [
        (420.0, 12.0), (None, None)]
    assert query(ws, "SELECT date, metric, value, gained, lost FROM audience ORDER BY date") == [
        (dt.date(2025, 10, 30), "followers", None, 8.0, 2.0), (dt.date(2025, 10, 31), "followers", None, 1.0, 4.0)]


def test_business_videos_favorites_are_saves(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [write(tmp_path / "Content.csv", BUSINESS_VIDEOS)]))
    assert (f["rows_new"], f["rows_rejected"]) == (1, 0)
    # engagements = 150 + 12 + 9 + 30 = 201; the post time has minutes
    assert query(ws, "SELECT message_id, account, created_at, time_precision, video_views, saves, engagements "
                     "FROM messages") == [
        ("tiktok:7460000000000000007", "velo.shop", dt.datetime(2025, 10, 31, 14, 5), "minute", 2000.0, 30.0,
         201.0)]


def test_reimport_changes_nothing_and_a_newer_export_raises_lifetime_figures(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    path = write(tmp_path / "Content.csv", CONTENT)
    one(ingest(ws, [path], year=2026))
    before = snapshot(ws)
    again = one(ingest(ws, [path], year=2026))
    assert again["status"] == "already imported" and snapshot(ws) == before
    newer = write(tmp_path / "Content-later.csv", CONTENT.replace("January 5", "January 9").replace(",3400", ",5100"))
    g = one(ingest(ws, [newer], year=2026))
    assert (g["rows_new"], g["rows_updated"], g["rows_duplicate"]) == (0, 1, 1)
    assert query(ws, "SELECT video_views, created_at FROM messages ORDER BY message_id") == [
        (5100.0, dt.datetime(2025, 12, 28)), (900.0, dt.datetime(2026, 1, 3))]


def test_bad_rows_are_rejects_with_their_line(tmp_path: Path) -> None:
    text = CONTENT + "January 5,Gone,https://www.tiktok.com/@velo.club,January 4,1,1,1,10\n" \
                     "January 5,Odd,https://www.tiktok.com/@velo.club/video/7450000000000000003,someday,1,1,1,10\n"
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [write(tmp_path / "Content.csv", text)], year=2026))
    assert (f["rows_new"], f["rows_rejected"]) == (2, 2)
    assert query(ws, "SELECT line, reason FROM rejects ORDER BY line") == [
        (4, "Video link names no video (a link like tiktok.com/@handle/video/<id>)"),
        (5, "Post time is not a date like '2025/10/31' or 'February 28'")]


def test_content_without_handles_needs_account(tmp_path: Path) -> None:
    text = ("Video title,Video link,Post time,Video views,Likes,Comments,Shares,Add to Favorites\n"
            "A,https://www.tiktok.com/video/7460000000000000008,2025/10/31,10,1,0,0,0\n")
    path = write(tmp_path / "Content.csv", text)
    with pytest.raises(ImportFileError, match="pass --account NAME"):
        ingest(Workspace(tmp_path / "ws"), [path])
    ws = Workspace(tmp_path / "ws2")
    one(ingest(ws, [path], account="velo.shop"))
    assert query(ws, "SELECT message_id, account FROM messages") == [("tiktok:7460000000000000008", "velo.shop")]


MONTH_NAMES = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
           "novembro", "dezembro"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
           "novembre", "dicembre"),
}
SHAPES = {"en": "{m} {d}", "es": "{d} de {m}", "pt": "{d} de {m}", "fr": "{d} {m}", "de": "{d}. {m}", "it": "{d} {m}"}


def yearless(day: dt.date, language: str) -> str:
    return SHAPES[language].format(m=MONTH_NAMES[language][day.month - 1], d=day.day)


@settings(max_examples=150, deadline=None)
@given(export=st.dates(dt.date(2001, 1, 1), dt.date(2030, 12, 31)), back=st.integers(0, 364),
       language=st.sampled_from(sorted(MONTH_NAMES)))
def test_a_yearless_date_is_the_day_in_the_year_up_to_the_export_day(export: dt.date, back: int,
                                                                       language: str) -> None:
    # Independent of the SQL: the day `back` days before the export day, written without its year, with the
    # export day's year given, reads back as that day (the year before when it is later in the calendar).
    day = export - dt.timedelta(days=back)
    con = duckdb.connect()
    try:
        sqlfuncs.install(con)
        con.execute("CREATE TABLE t AS SELECT ?::VARCHAR AS d, ?::VARCHAR AS e",
                    [yearless(day, language), yearless(export, language)])
        got = con.execute(f"SELECT CAST({resolved_date('p', 'e', str(export.year))} AS DATE) FROM "
                          f"(SELECT {date_parts('d', 'p')}, {date_parts('e', 'e')} FROM t)").fetchone()
    finally:
        con.close()
    assert got == (day,)
