"""Every real export in ../shared/data imports with --source auto; counts and values checked by hand.

Expected values were read off the raw files (line quoted in each comment), or from a plain `csv`/`json`
reference where a count spans many files.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, scalar

pytestmark = pytest.mark.usefixtures("no_derive")

FB = "facebook-insights/VIC/"
POSTS = "Facebook Insights Data Export (Post Level) - Visualization Studio VIC - "
FB_POSTS_2014 = FB + POSTS + "2014-02-28 - 2014-08-23.csv"
FB_POSTS_2015 = FB + POSTS + "2015-02-20 - 2015-08-18.csv"
FB_PAGE = FB + "Facebook Insights Data Export - Visualization Studio VIC - 2014-01-01 - 2014-02-27.csv"
YT = "youtube-studio/priyankapatel05/"


def all_files(root: Path) -> list[Path]:
    """Every real export of a source the product reads. Not here: Mastodon's actor.json and likes.json (not
    outboxes)."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".csv", ".json")
                  and p.name not in ("actor.json", "likes.json"))


# Files that do not name their account: imported with --account (refused without it, see test_no_account_*).
# The member exports of newsletter/ name no list (test_members.py checks the refusal).
NO_ACCOUNT = ("uci-facebook-metrics", "youtube-studio", "newsletter")


def ingest_all(ws: Workspace, files: list[Path]) -> list[dict[str, object]]:
    unnamed = [f for f in files if any(part in NO_ACCOUNT for part in f.parts)]
    named = [f for f in files if f not in unnamed]
    # One account holds one platform's list: the Substack and beehiiv exports under their own (a Mailchimp
    # list's account is refused to them, test_members.py).
    lists = {"Studio Substack": [f for f in unnamed if f.name.startswith("substack_")],
             "Studio beehiiv": [f for f in unnamed if f.name.startswith("beehiiv_")]}
    rest = [f for f in unnamed if not any(f in group for group in lists.values())]
    return [*ingest(ws, named).files, *ingest(ws, rest, account="Studio").files,
            *(f for account, group in lists.items() for f in ingest(ws, group, account=account).files)]


def test_every_real_file_imports_with_auto_and_twice_is_all_duplicate(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    files = all_files(shared_data)
    assert len(files) >= 60
    first = ingest_all(ws, files)
    assert len(first) == len(files)
    for f in first:
        assert f["rows_rejected"] == 0, f
        assert f["rows_read"] == f["rows_new"] + f["rows_updated"] + f["rows_duplicate"] + f["rows_rejected"]
    second = ingest_all(ws, files)
    for f in second:
        assert f["rows_duplicate"] == f["rows_read"] > 0, f
        assert f["rows_new"] == f["rows_updated"] == 0
    # raw files kept, named by sha256
    assert len(list(ws.raw_dir.iterdir())) == len(files)


def test_twcs_sample(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    f = one(ingest(ws, [shared_data / "twcs/sample.csv"]))
    assert (f["source"], f["rows_read"], f["rows_new"]) == ("twcs", 93, 93)
    # line 3: 119238,ChaseSupport,False,Wed Oct 11 13:25:49 +0000 2017,"@105835 Your business ...",,119239
    row = query(ws, "SELECT account, owned, created_at, kind, in_reply_to, time_precision FROM messages "
                    "WHERE message_id = 'x:119238'")[0]
    assert row == ("ChaseSupport", True, dt.datetime(2017, 10, 11, 13, 25, 49), "reply", "x:119239", "second")
    # line 2: 119237,105834,True,... -> inbound, not owned
    assert scalar(ws, "SELECT owned FROM messages WHERE message_id = 'x:119237'") is False
    # 119250 lists "119249,119251" as responses; 119249 answers 119250 and 119251 is not in the sample.
    # 119265 lists "119264,119266": both answer 119265, so both sit in 119265's conversation.
    links = dict(query(ws, "SELECT message_id, in_reply_to FROM messages WHERE message_id IN "
                           "('x:119249', 'x:119264', 'x:119266', 'x:119290', 'x:119291')"))
    assert links == {"x:119249": "x:119250", "x:119264": "x:119265", "x:119266": "x:119265",
                     "x:119290": "x:119289", "x:119291": "x:119289"}
    conv = dict(query(ws, "SELECT message_id, conversation_id FROM messages WHERE message_id IN "
                          "('x:119264', 'x:119266', 'x:119265')"))
    assert conv["x:119264"] == conv["x:119266"] == conv["x:119265"]
    # Two tweets answer a tweet missing from the sample (checked with the csv module): they root themselves.
    rows = list(csv.DictReader((shared_data / "twcs/sample.csv").open(newline="", encoding="utf-8")))
    ids = {r["tweet_id"] for r in rows}
    missing = {"x:" + r["tweet_id"] for r in rows if r["in_response_to_tweet_id"]
               and r["in_response_to_tweet_id"] not in ids}
    assert len(missing) == 2
    got = query(ws, "SELECT message_id, conversation_id FROM messages WHERE parent_missing")
    assert {m for m, _ in got} == missing and all(m == c for m, c in got)


def test_x_analytics_ropensci(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    files = sorted((shared_data / "x-analytics/rOpenSci").glob("*.csv"))
    assert len(files) == 60  # 2016-12 to 2021-12 is 61 months, one missing
    result = ingest(ws, files)
    assert {f["source"] for f in result.files} == {"x-analytics"}
    assert scalar(ws, "SELECT count(*) FROM messages") == 1668  # PROVENANCE.md: 1,668 tweets
    assert scalar(ws, "SELECT count(DISTINCT account) FROM messages") == 1
    # first data line of the Dec 2016 export: "812369747765362688", ..., "2016-12-23 18:50 +0000", "1938.0",
    # "18.0", ..., retweets "0.0", replies "0.0", likes "1.0", ..., url clicks "15.0", ...; promoted "-"
    row = query(ws, "SELECT account, owned, created_at, time_precision, impressions, engagements, shares, "
                    "comments, likes, clicks, spend FROM messages WHERE message_id = 'x:812369747765362688'")[0]
    assert row == ("rOpenSci", True, dt.datetime(2016, 12, 23, 18, 50), "minute", 1938.0, 18.0, 0.0, 0.0, 1.0,
                   15.0, None)
    # quoted line breaks stay inside the text: as many multi-line tweets as the csv module finds
    expected = sum("\n" in r["Tweet text"] for path in files
                   for r in csv.DictReader(path.open(newline="", encoding="utf-8")))
    assert expected > 0
    assert scalar(ws, "SELECT count(*) FROM messages WHERE contains(text, chr(10))") == expected


def test_facebook_insights_posts(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    a = one(ingest(ws, [shared_data / FB_POSTS_2014]))
    b = one(ingest(ws, [shared_data / FB_POSTS_2015]))
    # 22 and 101 CSV records, less the header and the row of metric descriptions
    assert (a["source"], a["rows_new"], b["rows_new"]) == ("facebook-insights-posts", 20, 99)
    # line 4: 518995791497187_777491558980941,...,"06/04/2014 04:01:36 PM"," ",53,53,0,100,100,0,4,...
    row = query(ws, "SELECT account, owned, created_at, reach, impressions, engagements, clicks, likes, shares, "
                    "comments FROM messages WHERE message_id = 'facebook:518995791497187_777491558980941'")[0]
    # share cell blank: none (Facebook writes no 0 in a "by action type" column); this export has no comment column
    assert row == ("Visualization Studio VIC", True, dt.datetime(2014, 6, 4, 16, 1, 36), 53.0, 100.0, 4.0, 4.0,
                   2.0, 0.0, None)


def test_facebook_insights_page(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    f = one(ingest(ws, [shared_data / FB_PAGE]))
    assert (f["source"], f["rows_new"]) == ("facebook-insights-page", 58)  # 1/1/2014 .. 2/27/2014
    # "2/17/2014,123,15,0,..."
    assert query(ws, "SELECT account, value, gained, lost FROM audience WHERE metric = 'page_likes' "
                     "AND date = DATE '2014-02-17'") == [("Visualization Studio VIC", 123.0, 15.0, 0.0)]
    assert scalar(ws, "SELECT sum(gained) FROM audience") == 1 + 15 + 2 + 1 + 1 + 1


def test_facebook_metrics_uci(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    f = one(ingest(ws, [shared_data / "uci-facebook-metrics/dataset_Facebook.csv"], account="Cosmetics"))
    assert (f["source"], f["rows_new"]) == ("facebook-metrics-uci", 500)
    # line 2: 139441;Photo;2;12;4;3;0;2752;5091;178;109;159;3078;1640;119;4;79;17;100
    row = query(ws, "SELECT created_at, time_precision, reach, impressions, engagements, clicks, comments, "
                    "likes, shares FROM messages ORDER BY created_at DESC, reach DESC")
    assert (dt.datetime(2014, 12, 1), "month", 2752.0, 5091.0, 178.0, 159.0, 4.0, 79.0, 17.0) in row
    # line 113: 136736;Photo;1;10;6;8;0;1261;2158;37;37;49;1911;1077;33;0;;;0 -> empty like/share are null
    assert query(ws, "SELECT likes, shares, comments FROM messages WHERE reach = 1261 AND impressions = 2158") \
        == [(None, None, 0.0)]
    # December's posts saw 138353 (its first) to 139441 (its last): the month's first and last snapshots
    assert query(ws, "SELECT date, value FROM audience WHERE month(date) = 12 ORDER BY date") \
        == [(dt.date(2014, 12, 1), 138353.0), (dt.date(2014, 12, 31), 139441.0)]


def test_facebook_metrics_uci_a_month_out_of_range_is_a_reject(shared_data: Path, tmp_path: Path) -> None:
    """Post Month 13 (or 0) on one row refused the whole file with "could not be imported (Conversion Error: Date
    out of range: 2014-13-1)" at 1:1: the date was built before the row's reject split it off."""
    lines = (shared_data / "uci-facebook-metrics/dataset_Facebook.csv").read_text(encoding="utf-8").splitlines(True)
    for number, month in ((11, "13"), (12, "0")):  # line 11: 139441;Photo;3;12;6;10;..., line 12: 139441;...;12;...
        fields = lines[number - 1].split(";")
        assert fields[3] == "12"
        fields[3] = month
        lines[number - 1] = ";".join(fields)
    path = tmp_path / "dataset_Facebook.csv"
    path.write_text("".join(lines), encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], account="Cosmetics"))
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (500, 498, 2)
    assert query(ws, "SELECT line, reason FROM rejects ORDER BY line") == [
        (11, "Post Month is not a month number 1-12"), (12, "Post Month is not a month number 1-12")]
    assert scalar(ws, "SELECT count(*) FROM messages WHERE created_at IS NULL") == 0


def test_facebook_metrics_uci_again_with_another_year_is_refused(shared_data: Path, tmp_path: Path) -> None:
    """A post's date is set once, so the same 500 posts imported again with --year 2015 stayed in 2014 while 24
    page-likes snapshots of 2015 were added beside them (and the summary said "500 duplicate"): refused now,
    nothing written, saying which --year they have and how to move them."""
    ws = Workspace(tmp_path)
    path = shared_data / "uci-facebook-metrics/dataset_Facebook.csv"
    one(ingest(ws, [path], account="Cosmetics"))
    with pytest.raises(ImportFileError) as refused:
        ingest(ws, [path], account="Cosmetics", year=2015)
    # line 2 is the file's first post (the header is line 1)
    assert str(refused.value).startswith(f"{path}:2:1: these posts are already stored in 2014 (import #1)")
    assert "--year 2014" in str(refused.value) and "strategyfirst imports undo 1" in str(refused.value)
    # 12 months of 2014, each with its first and last post's page likes: 24 rows, none of 2015
    assert query(ws, "SELECT year(date), count(*) FROM audience GROUP BY ALL") == [(2014, 24)]
    assert query(ws, "SELECT year(created_at), count(*) FROM messages GROUP BY ALL") == [(2014, 500)]
    assert scalar(ws, "SELECT count(*) FROM imports") == 1
    # Taken back first, the file imports in 2015, posts and page likes alike.
    ws.undo_import(1)
    one(ingest(ws, [path], account="Cosmetics", year=2015))
    assert query(ws, "SELECT year(date), count(*) FROM audience GROUP BY ALL") == [(2015, 24)]
    assert query(ws, "SELECT year(created_at), count(*) FROM messages GROUP BY ALL") == [(2015, 500)]


def test_youtube_studio_trio(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    table, chart, totals = (one(ingest(ws, [shared_data / YT / n], account="Priyanka"))
                            for n in ("Table data.csv", "Chart data.csv", "Totals.csv"))
    assert {table["source"], chart["source"], totals["source"]} == {"youtube-studio"}
    assert table["rows_read"] == 444 - 2  # header and the `Total` row are not videos
    assert chart["rows_read"] == 1825 and totals["rows_read"] == 365
    # "UWQNrpakgcA,Consistency is the key ...,"Aug 28, 2025",9,30331,45.8772,14,456,3.51"
    row = query(ws, "SELECT kind, created_at, time_precision, video_views, watch_minutes, follows, impressions "
                    "FROM messages WHERE message_id = 'youtube:UWQNrpakgcA'")[0]
    assert row[:4] == ("video", dt.datetime(2025, 8, 28), "day", 30331.0)
    assert row[4] == pytest.approx(45.8772 * 60) and row[5:] == (14.0, 456.0)
    # Chart data: "2025-09-28,2imBUt8eZaI,...,5,1380"; Totals.csv: "13-06-2025,1224"
    assert scalar(ws, "SELECT video_views FROM video_daily WHERE message_id = 'youtube:2imBUt8eZaI' "
                      "AND date = DATE '2025-09-28'") == 1380.0
    assert scalar(ws, "SELECT video_views FROM account_daily WHERE date = DATE '2025-06-13'") == 1224.0


def test_mastodon_outbox(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    path = shared_data / "mastodon/dealingwith/outbox.json"
    f = one(ingest(ws, [path]))
    # the archive repeats "orderedItems" (an empty array, then the items); json.load keeps the last one
    items = json.loads(path.read_text(encoding="utf-8"))["orderedItems"]
    creates = [i for i in items if i["type"] == "Create"]
    replies = [i for i in creates if i["object"].get("inReplyTo")]
    assert (f["source"], f["rows_new"]) == ("mastodon-outbox", len(items))
    counts = dict(query(ws, "SELECT kind, count(*) FROM messages GROUP BY kind"))
    assert counts == {"post": len(creates) - len(replies), "reply": len(replies),
                      "share": len(items) - len(creates)}
    first = query(ws, "SELECT account, text, created_at, likes FROM messages WHERE message_id = "
                      "'mastodon:https://indieweb.social/users/dealingwith/statuses/109305976208011760'")[0]
    assert first[0] == "dealingwith@indieweb.social"
    assert first[1].startswith("As Twitter crashes and burns, it’s a good time") and "<p>" not in first[1]
    assert first[2] == dt.datetime(2022, 11, 8, 3, 7, 14) and first[3] is None


def test_a_platform_option_the_format_contradicts_is_refused(shared_data: Path, tmp_path: Path) -> None:
    """`--platform` names the platform of files that do not (Meta overview charts titled "Follows"); an X
    analytics or twcs file is of X whatever it is given: `--platform instagram` was silently ignored."""
    ws = Workspace(tmp_path)
    x_file = shared_data / "x-analytics/rOpenSci/tweet_activity_metrics_rOpenSci_20161201_20170101_en.csv"
    with x_file.open(newline="", encoding="utf-8-sig") as fh:
        tweets = sum(1 for _ in csv.DictReader(fh))
    for path, wrong in ((x_file, "instagram"), (shared_data / "twcs/sample.csv", "facebook")):
        with pytest.raises(ImportFileError) as exc:
            ingest(ws, [path], platform=wrong)
        said = str(exc.value)
        assert f"--platform {wrong} contradicts the file" in said and "rows are of platform x" in said
        assert "import it without --platform" in said and "\n" not in said
        assert exc.value.file == str(path) and exc.value.line == 1
    assert not ws.warehouse_path.exists() or scalar(ws, "SELECT count(*) FROM messages") == 0
    assert one(ingest(ws, [x_file], platform="X"))["rows_new"] == tweets  # agreeing (in any case): imported
    assert query(ws, "SELECT DISTINCT platform FROM messages") == [("x",)]
