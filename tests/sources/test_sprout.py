"""sprout-posts and sprout-profiles (issue 14): Sprout Social's Post Performance and Profile Performance exports
with their full headers (~70 columns), thousands separators, percentages and both date styles; every network of
the file on its own platform; `Sent by` never stored; an Instagram post also in a Meta Business Suite export
counted once. Expected values are read off the fixture rows by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, scalar, snapshot, stored_text

pytestmark = pytest.mark.usefixtures("no_derive")

POST_HEADER = [
    "Date", "Post ID", "Network", "Post Type", "Content Type", "Profile", "Sent by", "Link", "Post",
    "Linked Content", "Impressions", "Organic Impressions", "Viral Impressions", "Non-viral Impressions",
    "Paid Impressions", "Fan Impressions", "Fan Organic Impressions", "Fan Paid Impressions", "Non-fan Impressions",
    "Non-fan Organic Impressions", "Non-fan Paid Impressions", "Reach", "Organic Reach", "Viral Reach",
    "Non-viral Reach", "Paid Reach", "Fan Reach", "Fan Paid Reach", "Potential Reach",
    "Engagement Rate (per Impression)", "Engagement Rate (per Reach)", "Engagements", "Reactions", "Likes",
    "Dislikes", "Love Reactions", "Haha Reactions", "Wow Reactions", "Sad Reactions", "Angry Reactions",
    "Comments", "Shares", "Saves", "Click-Through Rate", "Post Link Clicks", "Other Post Clicks",
    "Post Clicks (All)", "Post Media Clicks", "Post Hashtag Clicks", "Post Detail Expand Clicks", "Profile Clicks",
    "Post Photo View Clicks", "Post Video Play Clicks", "Other Engagements", "Answers", "App Engagements",
    "App Install Attempts", "App Opens", "Follows from Post", "Unfollows from Post", "Negative Feedback",
    "bit.ly Link Clicks", "Engaged Users", "Engaged Fans", "Users Talking About This", "Unique Reactions",
    "Unique Comments", "Unique Shares", "Video Views", "Organic Video Views", "Paid Video Views",
    "Partial Video Views", "Full Video Views", "Video Length (Seconds)", "Average Video Time Watched (Seconds)",
    "Video View Time (Seconds)", "Tags",
]
PROFILE_HEADER = [
    "Date", "Network", "Profile", "Audience", "Net Audience Growth", "Audience Gained", "Audience Gained (Organic)",
    "Audience Gained (Paid)", "Published Posts", "Impressions", "Organic Impressions", "Paid Impressions", "Reach",
    "Organic Reach", "Paid Reach", "Engagements", "Reactions", "Likes", "Comments", "Shares", "Saves",
    "Engagement Rate (per Impression)", "Post Link Clicks", "Post Clicks (All)", "Profile Views", "Video Views",
    "Organic Video Views", "Paid Video Views",
]
STAFF = ("Ulrike Quistgaard", "Bartholomew Zanetti")


def post(**cells: str) -> dict[str, str]:
    row = dict.fromkeys(POST_HEADER, "")
    row.update({"Engagement Rate (per Impression)": "0%", "Engagement Rate (per Reach)": "0%",
                "Click-Through Rate": "0%", "Sent by": STAFF[0]})
    row.update({k.replace("_", " "): v for k, v in cells.items()})
    return row


def csv_text(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


POSTS = [
    # Instagram reel, time style 1, thousands separators, percent rates
    post(Date="4/8/2026 9:22 pm", **{"Post ID": "17912345678901234", "Network": "Instagram", "Post Type": "Post",
         "Content Type": "Reel", "Profile": "velo.insta", "Link": "https://www.instagram.com/reel/AAA/",
         "Post": "Spring reel", "Impressions": "136,832", "Reach": "98,004", "Engagements": "4,210",
         "Likes": "3,900", "Comments": "120", "Shares": "150", "Saves": "40", "Video Views": "80,500",
         "Video View Time (Seconds)": "1,200", "Engagement Rate (per Impression)": "3.08%", "Tags": "Spring push"}),
    # Facebook photo, date-only style: day precision; likes from Reactions (Likes is only the thumbs-up)
    post(Date="02-01-2025", **{"Post ID": "112233445566_778899", "Network": "Facebook", "Post Type": "Post",
         "Content Type": "Photo", "Profile": "Velo Page", "Link": "https://www.facebook.com/112233445566_778899",
         "Post": "Shop opening", "Impressions": "1,000", "Reach": "800", "Engagements": "75",
         "Reactions": "50", "Likes": "45", "Comments": "10", "Shares": "5", "Post Link Clicks": "12",
         "Sent by": STAFF[1]}),
    # X reply: the tweet id, so it is the same message as in X analytics
    post(Date="4/9/2026 8:05 am", **{"Post ID": "1912345678901234567", "Network": "X", "Post Type": "Reply",
         "Content Type": "Text", "Profile": "@velo_club", "Link": "https://x.com/velo_club/status/1912345678901234567",
         "Post": "@rider thanks!", "Impressions": "310", "Engagements": "9", "Likes": "4", "Comments": "1",
         "Shares": "0", "Post Link Clicks": "0", "Follows from Post": "1"}),
    # LinkedIn, TikTok and Threads posts: their own platforms
    post(Date="4/10/2026 12:00 pm", **{"Post ID": "urn:li:activity:7180000000000000001", "Network": "LinkedIn",
         "Post Type": "Post", "Content Type": "Link", "Profile": "Velo Club", "Post": "We are hiring",
         "Impressions": "2,500", "Engagements": "60", "Reactions": "40", "Comments": "8", "Shares": "2",
         "Post Link Clicks": "10"}),
    post(Date="4/11/2026 6:30 pm", **{"Post ID": "7350000000000000001", "Network": "TikTok", "Post Type": "Post",
         "Content Type": "Video", "Profile": "veloclub", "Post": "Trick", "Video Views": "12,000", "Likes": "900",
         "Comments": "30", "Shares": "25"}),
    post(Date="4/12/2026 7:00 am", **{"Post ID": "3310000000000000001", "Network": "Threads", "Post Type": "Post",
         "Content Type": "Text", "Profile": "velo.insta", "Post": "Morning", "Likes": "14", "Comments": "2"}),
    # rejects: an unknown network, a date that is no date, a count that is no number
    post(Date="4/12/2026 7:00 am", **{"Post ID": "1", "Network": "Myspace", "Profile": "Velo", "Post": "x"}),
    post(Date="someday", **{"Post ID": "2", "Network": "Instagram", "Profile": "velo.insta", "Post": "x"}),
    post(Date="4/12/2026 7:00 am", **{"Post ID": "3", "Network": "Instagram", "Profile": "velo.insta",
                                      "Post": "x", "Impressions": "lots"}),
]


def posts_file(tmp_path: Path, rows: list[dict[str, str]] | None = None) -> Path:
    path = tmp_path / "Post Performance (Velo) April 1, 2026 - April 30, 2026.csv"
    path.write_text(csv_text(POST_HEADER, POSTS if rows is None else rows), encoding="utf-8", newline="")
    return path


def profile(**cells: str) -> dict[str, str]:
    row = dict.fromkeys(PROFILE_HEADER, "")
    row["Engagement Rate (per Impression)"] = "0%"
    row.update(cells)
    return row


PROFILES = [
    profile(Date="02-01-2025", Network="Instagram", Profile="velo.insta", Audience="10,250", **{
        "Net Audience Growth": "35", "Audience Gained": "40", "Published Posts": "2", "Impressions": "12,400",
        "Reach": "9,870", "Organic Reach": "9,000", "Profile Views": "64",
        "Engagements": "830", "Likes": "700", "Comments": "80", "Shares": "50", "Video Views": "3,100",
        "Engagement Rate (per Impression)": "6.69%"}),
    profile(Date="02-02-2025", Network="Instagram", Profile="velo.insta", Audience="10,262", **{
        "Net Audience Growth": "12", "Audience Gained": "15", "Published Posts": "0", "Impressions": "4,000",
        "Engagements": "100", "Likes": "90", "Comments": "6", "Shares": "4"}),
    profile(Date="02-01-2025", Network="X (Twitter)", Profile="velo_club", Audience="5,001", **{
        "Net Audience Growth": "-2", "Audience Gained": "3", "Published Posts": "4", "Impressions": "2,222",
        "Engagements": "44", "Post Link Clicks": "7", "Profile Views": "0"}),
    profile(Date="4/8/2026", Network="LinkedIn", Profile="Velo Club", Audience="812", **{
        "Net Audience Growth": "5", "Audience Gained": "5", "Impressions": "1,300", "Engagements": "31"}),
    profile(Date="yesterday", Network="Instagram", Profile="velo.insta", Audience="1"),
]


def profiles_file(tmp_path: Path) -> Path:
    path = tmp_path / "Profile Performance (Velo) February 2025.csv"
    path.write_text(csv_text(PROFILE_HEADER, PROFILES), encoding="utf-8", newline="")
    return path


def test_posts_of_every_network_with_figures_worked_by_hand(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [posts_file(tmp_path)]))
    assert f["source"] == "sprout-posts"
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (9, 6, 3)
    rows = query(ws, "SELECT message_id, platform, account, owned, created_at, time_precision, kind, campaign, "
                     "impressions, reach, engagements, likes, comments, shares, saves, clicks, follows, "
                     "video_views, watch_minutes FROM messages ORDER BY platform, message_id")
    assert rows == [
        ("facebook:112233445566_778899", "facebook", "Velo Page", True, dt.datetime(2025, 2, 1), "day", "post",
         None, 1000.0, 800.0, 75.0, 50.0, 10.0, 5.0, None, 12.0, None, None, None),
        ("instagram:17912345678901234", "instagram", "velo.insta", True, dt.datetime(2026, 4, 8, 21, 22),
         "minute", "video", "Spring push", 136832.0, 98004.0, 4210.0, 3900.0, 120.0, 150.0, 40.0, None, None,
         80500.0, 20.0),   # 1,200 seconds = 20 minutes
        ("linkedin:7180000000000000001", "linkedin", "Velo Club", True,
         dt.datetime(2026, 4, 10, 12, 0), "minute", "post", None, 2500.0, None, 60.0, 40.0, 8.0, 2.0, None, 10.0,
         None, None, None),
        ("threads:3310000000000000001", "threads", "velo.insta", True, dt.datetime(2026, 4, 12, 7, 0), "minute",
         "post", None, None, None, None, 14.0, 2.0, None, None, None, None, None, None),
        ("tiktok:7350000000000000001", "tiktok", "veloclub", True, dt.datetime(2026, 4, 11, 18, 30), "minute",
         "video", None, None, None, None, 900.0, 30.0, 25.0, None, None, None, 12000.0, None),
        ("x:1912345678901234567", "x", "velo_club", True, dt.datetime(2026, 4, 9, 8, 5), "minute", "reply",
         None, 310.0, None, 9.0, 4.0, 1.0, 0.0, None, 0.0, 1.0, None, None),
    ]
    assert query(ws, "SELECT line, reason FROM rejects ORDER BY line") == [
        (8, "Network is not a network Sprout exports (Instagram, Facebook, X, LinkedIn, TikTok, YouTube, Threads, "
            "Pinterest)"),
        (9, "Date is not a date like '4/8/2026 9:22 pm' or '02-01-2025'"),
        (10, "impressions is not a number"),
    ]
    # sums over the imported posts, by hand: impressions 136832 + 1000 + 310 + 2500 = 140642
    assert scalar(ws, "SELECT sum(impressions) FROM messages") == 140642.0


def test_sent_by_is_never_stored(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    text = posts_file(tmp_path).read_text(encoding="utf-8")
    # plus a row that the reader cannot split (too many fields): its raw line is kept without the staff name
    broken = tmp_path / "Post Performance broken.csv"
    extra = post(Date="4/12/2026 7:00 am", **{"Post ID": "4", "Network": "Instagram", "Profile": "velo.insta",
                                              "Post": "y", "Sent by": STAFF[1]})
    broken.write_text(text + csv_text(POST_HEADER, [extra]).split("\r\n", 1)[1].rstrip("\r\n") + ",9,9\r\n",
                      encoding="utf-8", newline="")
    result = ingest(ws, [posts_file(tmp_path), broken], keep_going=True)
    assert [f["status"] for f in result.files] == ["imported", "imported"]
    cells = stored_text(ws)
    assert "impressions is not a number" in cells and "Velo Page" in cells
    assert "the row has 79 fields where the header has 77" in cells and "velo.insta" in cells
    files = [p.read_text(encoding="utf-8") for p in (ws.state_dir / "rejects").glob("*.csv")]
    assert files
    for hay in (cells, *files):
        assert not [name for name in STAFF if name in hay]


def test_profiles_daily_totals_and_audience_gains_without_losses(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [profiles_file(tmp_path)]))
    assert (f["source"], f["rows_new"], f["rows_rejected"]) == ("sprout-profiles", 4, 1)
    assert query(ws, "SELECT date, platform, account, metric, value, gained, lost FROM audience "
                     "ORDER BY platform, date") == [
        (dt.date(2025, 2, 1), "instagram", "velo.insta", "followers", 10250.0, 40.0, None),
        (dt.date(2025, 2, 2), "instagram", "velo.insta", "followers", 10262.0, 15.0, None),
        (dt.date(2026, 4, 8), "linkedin", "Velo Club", "followers", 812.0, 5.0, None),
        (dt.date(2025, 2, 1), "x", "velo_club", "followers", 5001.0, 3.0, None),
    ]
    assert query(ws, "SELECT date, platform, posts, impressions, engagements, likes, comments, shares, clicks, "
                     "follows, video_views FROM account_daily ORDER BY platform, date") == [
        (dt.date(2025, 2, 1), "instagram", 2.0, 12400.0, 830.0, 700.0, 80.0, 50.0, None, 40.0, 3100.0),
        (dt.date(2025, 2, 2), "instagram", 0.0, 4000.0, 100.0, 90.0, 6.0, 4.0, None, 15.0, None),
        (dt.date(2026, 4, 8), "linkedin", None, 1300.0, 31.0, None, None, None, None, 5.0, None),
        (dt.date(2025, 2, 1), "x", 4.0, 2222.0, 44.0, None, None, None, 7.0, 3.0, None),
    ]
    # Reach (not Organic Reach) and Profile Views: "9,870" is 9870; a 0 stays 0, a blank cell is null
    assert query(ws, "SELECT platform, date, reach, profile_visits FROM account_daily ORDER BY platform, date") == [
        ("instagram", dt.date(2025, 2, 1), 9870.0, 64.0), ("instagram", dt.date(2025, 2, 2), None, None),
        ("linkedin", dt.date(2026, 4, 8), None, None), ("x", dt.date(2025, 2, 1), None, 0.0)]
    assert query(ws, "SELECT line, reason FROM rejects") == [(6, "Date is not a date like '02-01-2025' or '4/8/2026'")]


def test_reimport_changes_nothing(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    one(ingest(ws, [posts_file(tmp_path)]))
    one(ingest(ws, [profiles_file(tmp_path)]))
    before = snapshot(ws)
    for path in (posts_file(tmp_path), profiles_file(tmp_path)):
        assert one(ingest(ws, [path]))["status"] == "already imported"
    assert snapshot(ws) == before


META_IG_HEADER = ("Post ID,Account ID,Account username,Account name,Description,Duration (sec),Publish time,"
                  "Permalink,Post type,Data comment,Date,Views,Reach,Likes,Shares,Comments,Saves,Follows")


def test_instagram_post_in_meta_export_and_sprout_counts_once(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    meta = tmp_path / "Apr-01-2026_Apr-30-2026_77.csv"
    meta.write_text(META_IG_HEADER + "\n17912345678901234,77,velo.insta,Velo,Spring reel,30,04/08/2026 21:22,"
                    "https://www.instagram.com/reel/AAA/,IG reel,,Lifetime,140000,97000,3950,140,118,41,6\n",
                    encoding="utf-8")
    one(ingest(ws, [meta]))
    f = one(ingest(ws, [posts_file(tmp_path)]))
    assert (f["rows_new"], f["rows_updated"]) == (5, 1)
    assert scalar(ws, "SELECT count(*) FROM messages WHERE message_id = 'instagram:17912345678901234'") == 1
    # lifetime figures only grow: the larger of the two exports is kept, figure by figure
    assert query(ws, "SELECT impressions, reach, likes, shares, comments, saves, follows FROM messages "
                     "WHERE message_id = 'instagram:17912345678901234'") == [
        (140000.0, 98004.0, 3950.0, 150.0, 120.0, 41.0, 6.0)]
    assert scalar(ws, "SELECT count(*) FROM messages WHERE platform = 'instagram'") == 1


def test_a_file_whose_dates_can_only_be_day_first_is_read_day_first(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    rows = [profile(Date="02-01-2025", Network="Instagram", Profile="velo.insta", Audience="100",
                    **{"Net Audience Growth": "1", "Audience Gained": "1"}),
            profile(Date="25-01-2025", Network="Instagram", Profile="velo.insta", Audience="110",
                    **{"Net Audience Growth": "10", "Audience Gained": "10"})]
    path = tmp_path / "Profile Performance (EU).csv"
    path.write_text(csv_text(PROFILE_HEADER, rows), encoding="utf-8", newline="")
    one(ingest(ws, [path]))
    # 25-01-2025 can only be 25 January, so 02-01-2025 in the same file is 2 January
    assert query(ws, "SELECT date, value FROM audience ORDER BY date") == [
        (dt.date(2025, 1, 2), 100.0), (dt.date(2025, 1, 25), 110.0)]


def test_linkedin_post_in_linkedins_own_export_and_sprout_counts_once(tmp_path: Path) -> None:
    from tests.sources.test_linkedin import member_sheets, workbook

    ws = Workspace(tmp_path / "ws")
    one(ingest(ws, [workbook(tmp_path / "Content.xlsx", member_sheets())], account="Velo Club"))
    linkedin_before = scalar(ws, "SELECT count(*) FROM messages WHERE platform = 'linkedin'")
    row = post(Date="1/2/2024 9:00 am", **{"Post ID": "urn:li:activity:7150000000000000001", "Network": "LinkedIn",
               "Post Type": "Post", "Content Type": "Text", "Profile": "Velo Club", "Post": "Hello",
               "Impressions": "900"})
    one(ingest(ws, [posts_file(tmp_path, [row])]))
    assert scalar(ws, "SELECT count(*) FROM messages WHERE platform = 'linkedin'") == linkedin_before
    assert scalar(ws, "SELECT count(*) FROM messages WHERE message_id = 'linkedin:7150000000000000001'") == 1
