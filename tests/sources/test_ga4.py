"""ga4-export (issue 15): GA4 "Download file -> CSV" with '#' header lines, several tables in one file, a chart
series table, trailing junk, daily tables, `Key events` for conversions. Figures worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.sources.registry import detect
from strategyfirst.sources.textfile import open_source_file
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, snapshot

pytestmark = pytest.mark.usefixtures("no_derive")

JAN1, JAN31 = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
PREAMBLE = [
    "# ----------------------------------------",
    "# Traffic acquisition: Session default channel group",
    "# Account: Acme Account",
    "# Property: Acme Website",
    "# ----------------------------------------",
    "#",
    "# All Users",
    "# Start date: 20260101",
    "# End date: 20260131",
]
CHANNELS = [
    *PREAMBLE,
    "Session default channel group,Sessions,Engaged sessions,Engagement rate,Event count,Key events,"
    "Total revenue",
    "Organic Social,1200,700,0.5833333333,5400,30,450.5",
    "Email,300,210,0.7,1500,12,120",
    "Direct,\"2,500\",1000,0.4,9000,25,0",
    "(not set),4,0,0,4,0,0",
    "",
    "# ----------------------------------------",
    "",
    "Nth day,Organic Social,Email,Direct",
    "0000,40,10,80",
    "0001,38,9,82",
    "",
    "Device category,Sessions,Users",
    "desktop,3000,2100",
    "mobile,1004,900",
    "",
    "Grand total,4004,1910,,15904,67,570.5",
]


def write(path: Path, lines: list[str], end: str = "\n") -> Path:
    path.write_bytes((end.join(lines) + end).encode("utf-8"))
    return path


def test_channel_table_imported_other_tables_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "Traffic_acquisition_Session_default_channel_group.csv", CHANNELS)
    assert detect(open_source_file(path, tmp_path / "tmp")).name == "ga4-export"
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    # 4 channel rows; the Nth day series, the device table and the lone total line are not traffic tables
    assert (f["source"], f["rows_new"], f["rows_rejected"]) == ("ga4-export", 4, 0)
    assert query(ws, "SELECT date_from, date_to, property, dimension, value, sessions, engaged_sessions, users, "
                     "new_users, conversions, revenue FROM site_traffic ORDER BY sessions DESC") == [
        (JAN1, JAN31, "Acme Website", "session default channel group", "Direct", 2500.0, 1000.0, None, None,
         25.0, 0.0),
        (JAN1, JAN31, "Acme Website", "session default channel group", "Organic Social", 1200.0, 700.0, None,
         None, 30.0, 450.5),
        (JAN1, JAN31, "Acme Website", "session default channel group", "Email", 300.0, 210.0, None, None, 12.0,
         120.0),
        (JAN1, JAN31, "Acme Website", "session default channel group", "(not set)", 4.0, 0.0, None, None, 0.0,
         0.0),
    ]
    notes = " | ".join(f["notes"])
    assert "line 18 (Nth day, Organic Social, Email, Direct)" in notes
    assert "line 22 (Device category, Sessions, Users)" in notes
    assert "line 26 (Grand total" in notes


def test_reimport_changes_nothing_and_a_file_of_other_tables_imports_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "ga.csv", CHANNELS, end="\r\n")
    ws = Workspace(tmp_path / "ws")
    assert one(ingest(ws, [path]))["rows_new"] == 4
    before = snapshot(ws)
    again = one(ingest(ws, [path]))
    assert (again["status"], again["rows_duplicate"]) == ("already imported", 4)
    assert snapshot(ws) == before
    devices = write(tmp_path / "Tech_details.csv", [*PREAMBLE, "Device category,Sessions,Users", "desktop,3,2",
                                                     "", "Country,Sessions", "Ukraine,5"])
    f = one(ingest(ws, [devices]))
    assert (f["status"], f["rows_read"], f["rows_new"]) == ("imported", 0, 0)
    assert len(f["notes"]) == 3 and "no table of traffic sources" in f["notes"][0]
    assert "(Country, Sessions)" in f["notes"][2]
    assert snapshot(ws)["site_traffic"] == before["site_traffic"]


def test_daily_source_medium_table_with_key_events_and_new_users(tmp_path: Path) -> None:
    lines = [*PREAMBLE,
             "Date,Session source / medium,Sessions,Total users,New users,Key events",
             "20260102,facebook / social,10,9,4,1",
             "20260102,newsletter / email,5,5,1,0",
             "20260103,facebook / social,12,11,6,2",
             "20260104,facebook / social,x,1,1,0",        # a bad number: a reject
             "20260105,facebook / social,3",               # cut short: a reject
             "Export generated on 2026-02-01"]             # trailing junk after the table: a reject, not a crash
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [write(tmp_path / "daily.csv", lines)]))
    assert (f["rows_new"], f["rows_rejected"]) == (3, 3)
    assert query(ws, "SELECT date_from, date_to, dimension, value, sessions, users, new_users, conversions "
                     "FROM site_traffic ORDER BY date_from, value") == [
        (dt.date(2026, 1, 2), dt.date(2026, 1, 2), "session source / medium", "facebook / social", 10.0, 9.0,
         4.0, 1.0),
        (dt.date(2026, 1, 2), dt.date(2026, 1, 2), "session source / medium", "newsletter / email", 5.0, 5.0,
         1.0, 0.0),
        (dt.date(2026, 1, 3), dt.date(2026, 1, 3), "session source / medium", "facebook / social", 12.0, 11.0,
         6.0, 2.0),
    ]
    rejects = query(ws, "SELECT line, reason FROM rejects ORDER BY line")
    assert [r[0] for r in rejects] == [14, 15, 16]
    assert "sessions is not a number" in rejects[0][1]
    assert "field count" in rejects[1][1] and "field count" in rejects[2][1]


def test_campaign_table_with_secondary_dimension_and_quoted_commas(tmp_path: Path) -> None:
    lines = [*PREAMBLE,
             "Session campaign,Session source / medium,Sessions,Conversions",
             '"spring, launch",facebook / cpc,40,4',
             '"spring, launch",newsletter / email,10,1']
    ws = Workspace(tmp_path / "ws")
    assert one(ingest(ws, [write(tmp_path / "c.csv", lines)]))["rows_new"] == 2
    assert query(ws, "SELECT dimension, value, sessions, conversions FROM site_traffic ORDER BY sessions") == [
        ("session campaign + session source / medium", "spring, launch + newsletter / email", 10.0, 1.0),
        ("session campaign + session source / medium", "spring, launch + facebook / cpc", 40.0, 4.0),
    ]


def test_primary_channel_group_header_and_account_override(tmp_path: Path) -> None:
    lines = ["\ufeff# Property: Old name", "# Start date: 20260201", "# End date: 20260228", "",
             "Session primary channel group (Default Channel Group),Sessions,Users,Conversions",
             "Paid Social,7,6,1"]
    ws = Workspace(tmp_path / "ws")
    assert one(ingest(ws, [write(tmp_path / "p.csv", lines)], account="Acme Shop"))["rows_new"] == 1
    assert query(ws, "SELECT date_from, date_to, property, dimension, value, users FROM site_traffic") == [
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28), "Acme Shop", "session default channel group", "Paid Social",
         6.0)]


def test_refusals_are_one_located_line(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    no_property = write(tmp_path / "np.csv", ["# Start date: 20260101", "# End date: 20260131",
                                              "Session default channel group,Sessions", "Email,3"])
    with pytest.raises(ImportFileError, match="--account"):
        ingest(ws, [no_property])
    no_dates = write(tmp_path / "nd.csv", ["# Property: Acme", "Session default channel group,Sessions",
                                           "Email,3"])
    with pytest.raises(ImportFileError, match="Start date") as err:
        ingest(ws, [no_dates])
    assert err.value.line == 2
    comments = write(tmp_path / "notes.csv", ["# my notes", "a,b", "1,2"])
    # only guessed GA4 from its '#' line (--source auto): told as no known export, like any unknown file
    with pytest.raises(ImportFileError, match=r"header not recognised \(# my notes\); closest source is"):
        ingest(ws, [comments])
    with pytest.raises(ImportFileError, match="not a GA4 export"):
        ingest(ws, [comments], source="ga4-export")
    assert snapshot(ws).get("site_traffic", (0, 0))[0] == 0


def test_cli_json_lists_skipped_tables(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from strategyfirst.cli import app

    path = write(tmp_path / "ga.csv", CHANNELS)
    res = CliRunner().invoke(app, ["ingest", "-w", str(tmp_path / "ws"), str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    f = json.loads(res.stdout)["files"][0]
    assert f["source"] == "ga4-export" and len(f["notes"]) == 3


def test_utf16_semicolon_export_with_decimal_commas(tmp_path: Path) -> None:
    """A GA4 download saved by a spreadsheet in a comma-decimal locale: UTF-16, ';' between fields."""
    lines = [*PREAMBLE, "Session default channel group;Sessions;Engaged sessions;Key events;Total revenue",
             "Organic Social;1200;700;30;450,5", "Email;300;210;12;120,25"]
    path = tmp_path / "ga16.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16"))
    ws = Workspace(tmp_path / "ws")
    assert one(ingest(ws, [path]))["rows_new"] == 2
    assert query(ws, "SELECT value, sessions, conversions, revenue FROM site_traffic ORDER BY sessions") == [
        ("Email", 300.0, 12.0, 120.25), ("Organic Social", 1200.0, 30.0, 450.5)]
