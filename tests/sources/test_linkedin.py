"""linkedin-content (issue 14): LinkedIn analytics workbooks, the member Content export (DISCOVERY, ENGAGEMENT,
TOP POSTS with two side-by-side tables, FOLLOWERS, DEMOGRAPHICS) and the Page exports (Update metrics
(aggregated), Update engagement, New followers). Workbooks are built here with xlsxwriter; one has its sheets'
dimension records removed. Figures worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from strategyfirst.errors import ImportFileError, SourceDetectionError
from strategyfirst.sources.registry import detect
from strategyfirst.sources.textfile import open_source_file
from strategyfirst.workspace import Workspace
from tests.cli.support import run
from tests.sources.support import ingest, one, query, snapshot

pytestmark = pytest.mark.usefixtures("no_derive")

D1, D2, D3 = dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2024, 1, 3)
URL_A = "https://www.linkedin.com/feed/update/urn:li:activity:7150000000000000001"
URL_B = "https://www.linkedin.com/feed/update/urn:li:activity:7150000000000000002/"
Cells = list[list[Any]]


def member_sheets(engagement: Cells | None = None, top: Cells | None = None) -> dict[str, Cells]:
    """The member Content export: each sheet as rows of cells (None = an empty cell)."""
    return {
        "DISCOVERY": [["Overall Performance", "1/1/2024 - 1/3/2024"], ["Impressions", "1,730"],
                      ["Members reached", "900"]],
        "ENGAGEMENT": engagement or [["Date", "Impressions", "Engagements"], ["1/1/2024", "500", "10"],
                                     ["1/2/2024", "1,200", "31"], ["1/3/2024", "30", "0"]],
        "TOP POSTS": top or [
            ["Maximum of 50 posts available to include in this list"], [],
            ["Post URL", "Post publish date", "Engagements", None, "Post URL", "Post publish date", "Impressions"],
            [URL_A, "1/2/2024", "25", None, URL_B, "1/1/2024", "800"],
            [URL_B, "1/1/2024", "6", None, URL_A, "1/2/2024", "1,100"]],
        "FOLLOWERS": [["Total followers on 1/3/2024:", "1,234"], [], ["Date", "New followers"],
                      ["1/1/2024", "3"], ["1/2/2024", "5"], ["1/3/2024", "2"]],
        "DEMOGRAPHICS": [["Top Demographics", "Value", "Percentage"], ["Job titles", "Marketing Manager", "< 1%"],
                         ["Locations", "Lyon", "0.31"]],
    }


def workbook(path: Path, sheets: dict[str, Cells]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    dates = wb.add_format({"num_format": "m/d/yyyy"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
                elif value is not None:
                    ws.write(r, c, value)
    wb.close()
    return path


def drop_dimensions(path: Path) -> Path:
    """The same workbook with every sheet's <dimension ref=.../> record removed (as some exports are)."""
    out = path.with_name("nodim-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data, n = re.subn(rb"<dimension [^>]*/>", b"", data)
                assert n == 1
            dst.writestr(item, data)
    return out


def member_rows(ws: Workspace) -> tuple[list[Any], list[Any], list[Any]]:
    messages = query(ws, "SELECT message_id, account, owned, created_at, time_precision, kind, url, engagements, "
                         "impressions FROM messages ORDER BY message_id")
    daily = query(ws, "SELECT date, platform, account, impressions, engagements FROM account_daily ORDER BY date")
    audience = query(ws, "SELECT date, platform, account, metric, value, gained, lost FROM audience ORDER BY date")
    return messages, daily, audience


# By hand: post A has 25 engagements (left table) and 1,100 impressions (right table); B 6 and 800.
MEMBER_MESSAGES = [
    ("linkedin:7150000000000000001", "Velo", True, dt.datetime(2024, 1, 2), "day", "post", URL_A, 25.0, 1100.0),
    ("linkedin:7150000000000000002", "Velo", True, dt.datetime(2024, 1, 1), "day", "post", URL_B, 6.0, 800.0)]
MEMBER_DAILY = [(D1, "linkedin", "Velo", 500.0, 10.0), (D2, "linkedin", "Velo", 1200.0, 31.0),
                (D3, "linkedin", "Velo", 30.0, 0.0)]
# The snapshot "Total followers on 1/3/2024: 1,234" lands on the day of the last gain.
MEMBER_AUDIENCE = [(D1, "linkedin", "Velo", "followers", None, 3.0, None),
                   (D2, "linkedin", "Velo", "followers", None, 5.0, None),
                   (D3, "linkedin", "Velo", "followers", 1234.0, 2.0, None)]


def test_member_content_workbook_posts_days_and_followers(tmp_path: Path) -> None:
    path = workbook(tmp_path / "Content_2024-01-01_2024-01-03_Velo.xlsx", member_sheets())
    assert detect(open_source_file(path, tmp_path / "tmp")).name == "linkedin-content"
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="Velo"))
    assert (f["source"], f["rows_new"], f["rows_rejected"]) == ("linkedin-content", 2, 0)
    assert member_rows(ws) == (MEMBER_MESSAGES, MEMBER_DAILY, MEMBER_AUDIENCE)
    # DEMOGRAPHICS and DISCOVERY are not imported: the daily impressions are ENGAGEMENT's (500 + 1,200 + 30 = 1,730)
    assert query(ws, "SELECT sum(impressions) FROM account_daily") == [(1730.0,)]


def test_workbook_without_dimension_records_reads_every_row(tmp_path: Path) -> None:
    path = drop_dimensions(workbook(tmp_path / "Content.xlsx", member_sheets()))
    with zipfile.ZipFile(path) as zf:
        assert b"<dimension" not in zf.read("xl/worksheets/sheet2.xml")
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="Velo"))
    assert (f["rows_new"], f["rows_rejected"]) == (2, 0)
    assert member_rows(ws) == (MEMBER_MESSAGES, MEMBER_DAILY, MEMBER_AUDIENCE)


def test_date_cells_and_number_cells_read_like_text(tmp_path: Path) -> None:
    # A re-saved workbook: real date cells and numbers instead of LinkedIn's text.
    engagement = [["Date", "Impressions", "Engagements"], [D1, 500, 10], [D2, 1200.0, 31], [D3, 30, 0]]
    path = workbook(tmp_path / "Content.xlsx", member_sheets(engagement=engagement))
    ws = Workspace(tmp_path / "ws")
    one(ingest(ws, [path], account="Velo"))
    assert member_rows(ws)[1] == MEMBER_DAILY


def test_bad_rows_are_rejects_located_by_cell(tmp_path: Path) -> None:
    engagement = [["Date", "Impressions", "Engagements"], ["1/1/2024", "500", "10"], ["yesterday", "7", "1"],
                  ["1/3/2024", "30", "0"]]
    top = [["Maximum of 50 posts available to include in this list"], [],
           ["Post URL", "Post publish date", "Engagements", None, "Post URL", "Post publish date", "Impressions"],
           [URL_A, "1/2/2024", "25", None, URL_B, "1/1/2024", "many"],
           ["https://www.linkedin.com/in/someone", "1/1/2024", "6", None, URL_A, "1/2/2024", "1,100"]]
    path = workbook(tmp_path / "Content.xlsx", member_sheets(engagement=engagement, top=top))
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="Velo"))
    assert f["rows_rejected"] == 3
    assert sorted(query(ws, "SELECT line, reason, raw FROM rejects")) == [
        (3, "ENGAGEMENT!A3: Date is not a date like 1/31/2024", "yesterday,7,1"),
        (4, "TOP POSTS!G4: Impressions is not a number", f"{URL_B},1/1/2024,many"),
        (5, "TOP POSTS!A5: Post URL names no post (a link with urn:li:activity:<id>)",
         "https://www.linkedin.com/in/someone,1/1/2024,6")]
    # what could be read is imported: A with both figures, the two good days
    assert query(ws, "SELECT message_id, engagements, impressions FROM messages") == [
        ("linkedin:7150000000000000001", 25.0, 1100.0)]
    assert query(ws, "SELECT date FROM account_daily ORDER BY date") == [(D1,), (D3,)]
    # --strict: the whole file fails, nothing of it written
    ws2 = Workspace(tmp_path / "ws2")
    g = one(ingest(ws2, [path], account="Velo", strict=True))
    assert g["status"] == "rolled back" and snapshot(ws2)["messages"] == (0, 0)


def test_reimport_changes_nothing_and_newer_export_raises_figures(tmp_path: Path) -> None:
    path = workbook(tmp_path / "Content.xlsx", member_sheets())
    ws = Workspace(tmp_path / "ws")
    one(ingest(ws, [path], account="Velo"))
    before = snapshot(ws)
    again = one(ingest(ws, [path], account="Velo"))
    assert again["status"] == "already imported" and snapshot(ws) == before
    # A later export: A has more engagements (25 -> 40); B reports fewer impressions (800 -> 700): kept at 800.
    top = [["Maximum of 50 posts available to include in this list"], [],
           ["Post URL", "Post publish date", "Engagements", None, "Post URL", "Post publish date", "Impressions"],
           [URL_A, "1/2/2024", "40", None, URL_B, "1/1/2024", "700"],
           [URL_B, "1/1/2024", "6", None, URL_A, "1/2/2024", "1,100"]]
    newer = workbook(tmp_path / "Content-later.xlsx", member_sheets(top=top))
    g = one(ingest(ws, [newer], account="Velo"))
    assert (g["rows_new"], g["rows_updated"], g["rows_duplicate"], g["rows_lower_figures"]) == (0, 1, 1, 1)
    assert query(ws, "SELECT engagements, impressions FROM messages ORDER BY message_id") == [
        (40.0, 1100.0), (6.0, 800.0)]


def test_account_is_required(tmp_path: Path) -> None:
    path = workbook(tmp_path / "Content.xlsx", member_sheets())
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(ImportFileError, match="pass --account NAME"):
        ingest(ws, [path])
    assert snapshot(ws).get("messages", (0, 0)) == (0, 0)


def test_cli_without_account_is_one_line_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = workbook(tmp_path / "Content.xlsx", member_sheets())
    code, out, err = run(["ingest", "-w", str(tmp_path / "ws"), str(path)], monkeypatch, capsys)
    lines = [ln for ln in (out + err).splitlines() if ln.strip()]
    assert code == 2 and len(lines) == 1, out + err
    assert "Content.xlsx:1:1:" in lines[0] and "pass --account NAME" in lines[0]
    code, out, _ = run(["ingest", "-w", str(tmp_path / "ws"), str(path), "--account", "Velo"], monkeypatch, capsys)
    assert code == 0 and "linkedin-content" in out


PAGE_UPDATES = {
    "Update metrics (aggregated)": [
        ["Aggregated metrics for the updates of the page, by day"],
        ["Date", "Impressions (organic)", "Impressions (sponsored)", "Impressions (total)",
         "Unique impressions (organic)", "Clicks (organic)", "Clicks (sponsored)", "Clicks (total)",
         "Reactions (organic)", "Reactions (sponsored)", "Reactions (total)", "Comments (organic)",
         "Comments (sponsored)", "Comments (total)", "Reposts (organic)", "Reposts (sponsored)", "Reposts (total)",
         "Engagement rate (organic)", "Engagement rate (sponsored)", "Engagement rate (total)"],
        ["01/01/2024", 100, 50, 150, 80, 4, 1, 5, 7, 0, 7, 1, 0, 1, 2, 0, 2, 0.14, 0.02, 0.1],
        ["01/02/2024", 300, 0, 300, 200, 10, 0, 10, 20, 0, 20, 3, 0, 3, 0, 0, 0, 0.11, 0, 0.11]],
    "Update engagement": [
        ["Update title", "Update link", "Update type", "Campaign name", "Posted by", "Created date",
         "Campaign start date", "Campaign end date", "Audience", "Impressions",
         "Views (excluding off-site video views)", "Off-site views", "Clicks", "Click through rate (CTR)", "Likes",
         "Comments", "Reposts", "Follows", "Engagement rate", "Content Type"],
        ["Spring ride", "https://www.linkedin.com/feed/update/urn:li:share:7160000000000000009", "Organic", None,
         "Jane Staff", "01/02/2024", None, None, "All followers", 300, None, None, 10, 0.033, 20, 3, 0, 2, 0.117,
         "Image"],
        ["Hiring", "https://www.linkedin.com/feed/update/urn:li:activity:7160000000000000010", "Sponsored",
         "Hiring Q1", "Jane Staff", "01/01/2024", "01/01/2024", "01/31/2024", "Targeted", 150, None, None, 5, 0.03,
         7, 1, 2, 0, 0.1, "Text"]],
}
NEW_FOLLOWERS = {"New followers": [
    ["Date", "Sponsored followers", "Organic followers", "Auto-invited followers", "Total followers"],
    ["01/01/2024", 1, 4, 0, 5], ["01/02/2024", 0, 2, 1, 3]]}


def test_page_updates_export_daily_totals_and_updates(tmp_path: Path) -> None:
    path = workbook(tmp_path / "velo_updates.xlsx", PAGE_UPDATES)
    assert detect(open_source_file(path, tmp_path / "tmp")).name == "linkedin-content"
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="Velo Page"))
    assert (f["rows_new"], f["rows_rejected"]) == (2, 0)
    # Daily totals from the (total) columns; engagements = clicks + reactions + comments + reposts:
    # day 1: 5 + 7 + 1 + 2 = 15; day 2: 10 + 20 + 3 + 0 = 33
    assert query(ws, "SELECT date, impressions, clicks, likes, comments, shares, engagements FROM account_daily "
                     "ORDER BY date") == [(D1, 150.0, 5.0, 7.0, 1.0, 2.0, 15.0),
                                          (D2, 300.0, 10.0, 20.0, 3.0, 0.0, 33.0)]
    # Reach = Unique impressions (organic) only on day 2 (no sponsored impressions): 200; day 1 had 50 sponsored
    # impressions, whose members the organic uniques do not count, so its reach is not given
    assert query(ws, "SELECT date, reach, profile_visits FROM account_daily ORDER BY date") == [
        (D1, None, None), (D2, 200.0, None)]
    # Updates: engagements = clicks + likes + comments + reposts + follows: 10+20+3+0+2 = 35; 5+7+1+2+0 = 15
    assert query(ws, "SELECT message_id, account, created_at, text, campaign, impressions, clicks, likes, comments, "
                     "shares, follows, engagements FROM messages ORDER BY message_id") == [
        ("linkedin:7160000000000000009", "Velo Page", dt.datetime(2024, 1, 2), "Spring ride", None, 300.0, 10.0,
         20.0, 3.0, 0.0, 2.0, 35.0),
        ("linkedin:7160000000000000010", "Velo Page", dt.datetime(2024, 1, 1), "Hiring", "Hiring Q1", 150.0, 5.0,
         7.0, 1.0, 2.0, 0.0, 15.0)]
    # "Posted by" (a staff name) is stored nowhere
    assert not query(ws, "SELECT * FROM messages WHERE contains(CAST(messages AS VARCHAR), 'Jane')")


def test_page_new_followers_are_daily_gains(tmp_path: Path) -> None:
    path = workbook(tmp_path / "velo_followers.xlsx", {**NEW_FOLLOWERS, "Location": [["Location", "Total"]]})
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="Velo Page"))
    assert (f["rows_new"], f["rows_rejected"]) == (2, 0)
    assert query(ws, "SELECT date, metric, value, gained, lost FROM audience ORDER BY date") == [
        (D1, "followers", None, 5.0, None), (D2, "followers", None, 3.0, None)]


def test_unknown_workbook_is_refused_naming_its_sheets_and_skipped_in_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    path = workbook(folder / "budget.xlsx", {"Budget 2024": [["Month", "Amount"], ["Jan", 100]]})
    with pytest.raises(SourceDetectionError, match=r"budget.xlsx:1:1: is a workbook whose sheets \(Budget 2024\)"):
        detect(open_source_file(path, tmp_path / "tmp"))
    workbook(folder / "Content.xlsx", member_sheets())
    result = ingest(Workspace(tmp_path / "ws"), [folder], account="Velo", keep_going=True)
    assert sorted((Path(f["file"]).name, f["status"]) for f in result.files) == [
        ("Content.xlsx", "imported"), ("budget.xlsx", "skipped")]


def test_damaged_workbook_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    good = workbook(tmp_path / "Content.xlsx", member_sheets())
    ws = Workspace(tmp_path / "ws")
    one(ingest(ws, [good], account="Velo"))
    before = snapshot(ws)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ImportFileError, match=r"cut.xlsx:1:1: ") as err:
        ingest(ws, [cut], account="Velo")
    assert "\n" not in str(err.value)
    assert snapshot(ws) == before
