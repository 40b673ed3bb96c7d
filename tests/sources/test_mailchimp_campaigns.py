"""`mailchimp-campaigns`: the campaign report as owned email messages; figures worked out by hand below."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query

pytestmark = pytest.mark.usefixtures("no_derive")

# The report's header as Mailchimp writes it (Reports -> Export as CSV), rates as percentages.
HEADER = ("Title,Subject,List,Send Date,Send Weekday,Total Recipients,Successful Deliveries,Soft Bounces,"
          "Hard Bounces,Total Bounces,Times Forwarded,Forwarded Opens,Unique Opens,Open Rate,Total Opens,"
          "Unique Clicks,Click Rate,Total Clicks,Unsubscribes,Abuse Complaints,Times Liked on Facebook,"
          "Folder Id,Unique Id,Analytics ROI,Campaign Cost,Revenue Created,ROI,Total Orders,Total Gross Sales,"
          "Total Revenue")
ROWS = (
    '"October letter","News from the trail, October","Members letter","Oct 26, 2018 02:56 pm",Friday,'
    '1210,1200,6,4,10,0,0,480,40.00%,912,"1,020",85.00%,1500,12,0,0,0,a1b2c3d4e5,0,0,0,0,0,0,0',
    '"Summit invite","Join us at the summit","Members letter","Nov 2, 2018 09:05 am",Friday,'
    '800,800,0,0,0,1,2,200,25.00%,300,40,5.00%,55,4,0,0,0,f6e5d4c3b2,0,0,0,0,0,0,0',
    '"Broken date","x","Members letter","26/10/2018",Friday,'
    '1,1,0,0,0,0,0,1,100.00%,1,1,100.00%,1,0,0,0,0,0123456789,0,0,0,0,0,0,0',
)


def write(path: Path, lines: tuple[str, ...] = ROWS) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_campaigns_are_owned_emails_with_their_counts(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [write(tmp_path / "campaigns.csv")]))
    assert (f["source"], f["rows_new"], f["rows_rejected"]) == ("mailchimp-campaigns", 2, 1)
    got = query(ws, "SELECT message_id, platform, account, owned, kind, created_at, text, campaign, deliveries, "
                    "opens, clicks, unsubscribes FROM messages ORDER BY created_at")
    assert got == [
        ("email:a1b2c3d4e5", "email", "Members letter", True, "email", dt.datetime(2018, 10, 26, 14, 56),
         "News from the trail, October", "October letter", 1200.0, 480.0, 1020.0, 12.0),
        ("email:f6e5d4c3b2", "email", "Members letter", True, "email", dt.datetime(2018, 11, 2, 9, 5),
         "Join us at the summit", "Summit invite", 800.0, 200.0, 40.0, 4.0),
    ]
    # The rate columns (40.00%) are not stored anywhere: only counts.
    assert query(ws, "SELECT line, reason FROM rejects") == [
        (4, "Send Date is not a time like 'Oct 26, 2018 02:56 pm'")]


def test_account_option_overrides_the_list_and_reimport_changes_nothing(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    path = write(tmp_path / "campaigns.csv", ROWS[:1])
    one(ingest(ws, [path], account="newsletter"))
    assert query(ws, "SELECT account FROM messages") == [("newsletter",)]
    again = one(ingest(ws, [path], account="newsletter"))
    assert again["status"] == "already imported"
    assert query(ws, "SELECT count(*) FROM messages") == [(1,)]
