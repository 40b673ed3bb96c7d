"""meta-overview (issue 14): Meta Business Suite overview charts, UTF-16 or UTF-8, `sep=,` / `sep=\\t` first
line, title lines, "Date","Primary" rows, several sections per file; --account required, --platform where no
title names one; Audience.csv refused. Figures worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.sources.registry import detect
from strategyfirst.sources.textfile import open_source_file
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, snapshot

pytestmark = pytest.mark.usefixtures("no_derive")

D18, D19, D20 = dt.date(2025, 3, 18), dt.date(2025, 3, 19), dt.date(2025, 3, 20)
FOLLOWS = [
    "sep=,",
    '"Follows"',
    '"Date","Primary"',
    '"2025-03-18T01:00:00","3"',
    '"2025-03-19T01:00:00","5"',
    "",
    '"Instagram follows"',
    '"Date","Primary"',
    '"2025-03-18T01:00:00","7"',
    '"2025-03-19T01:00:00","0"',
]
VIEWS_TAB = [
    "sep=\t",
    '"Facebook views"\t\t',
    '"Date"\t"Primary"',
    '"2025-03-18T00:00:00"\t"1200"',
    '"2025-03-19T00:00:00"\t"1,500"',
    '"Instagram views"\t\t',
    '"Date"\t"Primary"',
    '"2025-03-18T00:00:00"\t"400"',
]


def write(path: Path, lines: list[str], encoding: str = "utf-16") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_follows_utf16_two_sections_feed_audience_gains(tmp_path: Path) -> None:
    path = write(tmp_path / "Follows.csv", FOLLOWS)
    assert detect(open_source_file(path, tmp_path / "tmp")).name == "meta-overview"
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="Velo"))
    assert (f["source"], f["rows_new"], f["rows_rejected"]) == ("meta-overview", 4, 0)
    # "Follows" beside "Instagram follows": the unnamed chart is the Facebook one
    assert query(ws, "SELECT date, platform, account, metric, value, gained, lost FROM audience "
                     "ORDER BY platform, date") == [
        (D18, "facebook", "Velo", "followers", None, 3.0, None),
        (D19, "facebook", "Velo", "followers", None, 5.0, None),
        (D18, "instagram", "Velo", "followers", None, 7.0, None),
        (D19, "instagram", "Velo", "followers", None, 0.0, None)]


def test_views_tab_separated_with_trailing_tabs_then_interactions_add_engagements(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [write(tmp_path / "Views.csv", VIEWS_TAB)], account="Velo"))
    assert (f["rows_new"], f["rows_rejected"]) == (3, 0)
    interactions = ["sep=,", '"Facebook interactions"', '"Date","Primary"', '"2025-03-18T00:00:00","45"']
    g = one(ingest(ws, [write(tmp_path / "Interactions.csv", interactions, encoding="utf-8-sig")], account="Velo"))
    assert (g["rows_new"], g["rows_updated"]) == (0, 1)
    # 1,500 is fifteen hundred; the Interactions file adds engagements to the day without losing its views
    assert query(ws, "SELECT date, platform, impressions, engagements FROM account_daily "
                     "ORDER BY platform, date") == [
        (D18, "facebook", 1200.0, 45.0), (D19, "facebook", 1500.0, None), (D18, "instagram", 400.0, None)]


def test_overview_needs_account_and_platform_when_no_title_names_one(tmp_path: Path) -> None:
    views = ["sep=,", '"Views"', '"Date","Primary"', '"2025-03-18","10"', '"2025-03-19","20"']
    path = write(tmp_path / "Views.csv", views)
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(ImportFileError, match="pass --account NAME"):
        ingest(ws, [path])
    with pytest.raises(ImportFileError, match="pass --platform facebook or --platform instagram") as exc:
        ingest(ws, [path], account="Velo")
    assert exc.value.line == 2
    assert snapshot(ws).get("account_daily", (0, 0))[0] == 0
    one(ingest(ws, [path], account="Velo", platform="instagram"))
    assert query(ws, "SELECT platform, sum(impressions) FROM account_daily GROUP BY 1") == [("instagram", 30.0)]


def test_bad_row_is_rejected_with_its_line_and_reimport_changes_nothing(tmp_path: Path) -> None:
    lines = [FOLLOWS[0], '"Facebook follows"', *FOLLOWS[2:5], '"2025-03-20T01:00:00","many"', '"not a day","4"']
    path = write(tmp_path / "Follows.csv", lines)
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="Velo"))
    assert (f["rows_new"], f["rows_rejected"]) == (2, 2)
    assert query(ws, "SELECT line, reason FROM rejects ORDER BY line") == [
        (6, "Primary is not a number"),
        (7, "the first cell is not a date like '2025-03-18' (a Date,Primary row was expected)")]
    before = snapshot(ws)
    assert one(ingest(ws, [path], account="Velo"))["status"] == "already imported"
    assert snapshot(ws) == before


def test_audience_demographics_are_refused_with_a_reason(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    audience = ["sep=,", '"Age & gender"', '"Age","Women","Men"', '"18-24","10%","12%"']
    with pytest.raises(ImportFileError, match="demographics, not imported"):
        ingest(ws, [write(tmp_path / "Audience.csv", audience)], account="Velo")
    assert snapshot(ws).get("audience", (0, 0))[0] == 0


def test_reach_and_visits_charts_fill_the_days_reach_and_profile_visits(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    one(ingest(ws, [write(tmp_path / "Views.csv", VIEWS_TAB)], account="Velo"))
    reach = ["sep=,", '"Facebook reach"', '"Date","Primary"', '"2025-03-18T00:00:00","910"',
             '"2025-03-19T00:00:00","1,020"', "", '"Instagram reach"', '"Date","Primary"', '"2025-03-20","33"']
    f = one(ingest(ws, [write(tmp_path / "Reach.csv", reach)], account="Velo"))
    # "1,020" is quoted, its comma a thousands separator, not a second cell
    # 18 and 19 March of Facebook are stored (views): updated; Instagram's 20 March is a new day
    assert (f["source"], f["rows_new"], f["rows_updated"], f["rows_rejected"]) == ("meta-overview", 1, 2, 0)
    # Views and Visits in one file: two sections of one day give one row with both figures
    visits = ["sep=,", '"Instagram views"', '"Date","Primary"', '"2025-03-19","250"',
              '"Instagram visits"', '"Date","Primary"', '"2025-03-19","12"', '"2025-03-20","4"']
    g = one(ingest(ws, [write(tmp_path / "Visits.csv", visits, encoding="utf-8")], account="Velo"))
    assert (g["rows_new"], g["rows_updated"], g["rows_rejected"]) == (1, 1, 0)
    assert query(ws, "SELECT date, platform, impressions, reach, profile_visits FROM account_daily "
                     "ORDER BY platform, date") == [
        (D18, "facebook", 1200.0, 910.0, None), (D19, "facebook", 1500.0, 1020.0, None),
        (D18, "instagram", 400.0, None, None), (D19, "instagram", 250.0, None, 12.0),
        (D20, "instagram", None, 33.0, 4.0)]


def test_a_last_line_cut_mid_value_is_a_reject_not_a_smaller_figure(tmp_path: Path) -> None:
    path = tmp_path / "Follows.csv"
    # the last value was 15, cut after its first digit (no closing quote, no line break)
    path.write_bytes(b'sep=,\n"Facebook follows"\n"Date","Primary"\n2025-03-18,3\n2025-03-19,1')
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="Velo"))
    assert (f["rows_new"], f["rows_rejected"]) == (1, 1)
    assert query(ws, "SELECT line, reason LIKE 'truncated last line%' FROM rejects") == [(5, True)]


def test_date_and_primary_are_found_by_name(tmp_path: Path) -> None:
    path = tmp_path / "Follows.csv"
    path.write_bytes(b'sep=,\n"Facebook follows"\n"Primary","Date"\n"3","2025-03-18"\n"5","2025-03-19"\n')
    ws = Workspace(tmp_path / "ws")
    assert one(ingest(ws, [path], account="Velo"))["rows_new"] == 2
    assert query(ws, "SELECT date, gained FROM audience ORDER BY date") == [(D18, 3.0), (D19, 5.0)]
