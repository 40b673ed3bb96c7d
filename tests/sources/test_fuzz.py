"""Property tests: truncated, mis-encoded, column-shuffled and garbage files, for every source.

Whatever the bytes, an import either succeeds with consistent counts or raises the project's own error with a
file:line:col location — and after a failure every canonical table is exactly as before (checksums).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategyfirst.errors import ImportFileError, StrategyFirstError
from strategyfirst.sources.registry import SOURCES
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, snapshot
from tests.sources.test_bluesky import RECORDS, car_file
from tests.sources.test_linkedin import member_sheets, workbook

pytestmark = pytest.mark.usefixtures("no_derive")

TS = "Wed Oct 11 06:55:44 +0000 2017"
# A small valid file per source: (file name, text). Real layouts, a few rows each.
SAMPLES: dict[str, tuple[str, str]] = {
    "twcs": ("twcs.csv", "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
             f'1,acme,False,{TS},"hi, there",2,\n2,bob,True,{TS},"multi\nline",3,1\n3,acme,False,{TS},ok,,2\n'),
    "x-analytics": ("tweet_activity_metrics_acme_20200101_20200201_en.csv",
                    '"Tweet id","Tweet permalink","Tweet text","time","impressions","engagements","retweets",'
                    '"replies","likes","url clicks","follows"\n'
                    '"11","https://twitter.com/acme/status/11","a\nb","2020-01-02 03:04 +0000","1938.0","18.0",'
                    '"0.0","0.0","1.0","15.0","-"\n'
                    '"12","https://twitter.com/acme/status/12","c","2020-01-03 03:04 +0000","5","1","0","0","0",'
                    '"0","-"\n'),
    "x-analytics-daily": ("daily_tweet_activity_metrics_acme_20200101_20200201_en.csv",
                          '"Date","Tweets published","impressions","engagements","likes","follows"\n'
                          '"2020-01-01","2","100.0","5.0","3.0","1"\n"2020-01-02","0","40.0","1.0","0.0","0"\n'),
    "facebook-insights-posts": (
        "Facebook Insights Data Export (Post Level) - Acme - 2014-01-01 - 2014-02-01.csv",
        '\ufeff"Post ID",Permalink,"Post Message",Type,Posted,"Lifetime Post Total Reach",'
        '"Lifetime Post Total Impressions","Lifetime Engaged Users"\n'
        ',,,,,"Lifetime: reach","Lifetime: impressions","Lifetime: engaged"\n'
        '1_2,https://www.facebook.com/acme/posts/2,"Hello",Photo,"06/04/2014 04:03:05 PM",53,100,4\n'
        '1_3,https://www.facebook.com/acme/posts/3,"Again",Link,"06/05/2014 04:03:05 PM",5,10,1\n'),
    "facebook-insights-page": (
        "Facebook Insights Data Export - Acme - 2014-01-01 - 2014-02-01.csv",
        "Date,Lifetime Total Likes,Daily New Likes,Daily Unlikes\n,Lifetime: likes,Daily: new,Daily: unlikes\n"
        "1/1/2014,10,1,0\n1/2/2014,12,2,0\n"),
    "facebook-metrics-uci": (
        "dataset_Facebook.csv",
        "Page total likes;Type;Category;Post Month;Post Weekday;Post Hour;Paid;Lifetime Post Total Reach;"
        "Lifetime Post Total Impressions;Lifetime Engaged Users;Lifetime Post Consumers;"
        "Lifetime Post Consumptions;comment;like;share;Total Interactions\n"
        "139441;Photo;2;12;4;3;0;2752;5091;178;109;159;4;79;17;100\n139441;Status;2;12;3;10;0;10460;19057;"
        "1457;1361;1674;5;130;29;164\n"),
    "youtube-studio": (
        "Table data.csv",
        "Content,Video title,Video publish time,Duration,Views,Watch time (hours),Subscribers,Impressions\n"
        "Total,,,,100,2.5,3,50\n"
        'abc,"Title, one","Aug 28, 2025",9,60,1.5,2,30\ndef,Two,"Aug 29, 2025",15,40,1.0,1,20\n'),
    "mastodon-outbox": (
        "outbox.json",
        '{"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection", "orderedItems": ['
        '{"id": "https://m.example/users/a/statuses/1/activity", "type": "Create", '
        '"actor": "https://m.example/users/a", "published": "2022-11-08T03:07:14Z", "object": '
        '{"id": "https://m.example/users/a/statuses/1", "type": "Note", "inReplyTo": null, '
        '"content": "<p>Hello &amp; welcome</p>", "url": "https://m.example/@a/1"}},'
        '{"id": "https://m.example/users/a/statuses/2/activity", "type": "Announce", '
        '"actor": "https://m.example/users/a", "published": "2022-11-09T03:07:14Z", '
        '"object": "https://other.example/users/b/statuses/9"}]}'),
    "canonical-csv": (
        "messages.csv",
        "message_id,platform,account,created_at,text,in_reply_to,impressions,likes\n"
        "x:1,x,acme,2020-01-01 10:00:00,hello,,100,3\nx:2,x,bob,2020-01-01 11:00:00,re,x:1,,\n"),
    "audience-csv": ("audience.csv", "date,platform,account,metric,value,gained,lost\n"
                     "2020-01-01,x,acme,followers,100,5,1\n2020-01-02,x,acme,followers,104,,\n"),
    "mailchimp-members": (
        "unsubscribed_members_export_1a2b3c.csv",
        "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,UNSUB_TIME,"
        "LEID,EUID,NOTES\n"
        "a@example.com,Ann,Lee,2,2018-02-12 10:54:27,10.0.0.1,2018-02-12 10:55:00,,2020-05-13 10:18:25,1,9E+09,\n"
        "b@example.com,,,1,2019-03-01 08:00:00,,,,2021-09-20 20:13:55,2,,\"a note, here\"\n"),
    "newsletter-subscribers": (
        "beehiiv_members.csv",
        "email,First Name,Last Name,status,tier,created_at,unsubscribed_at\n"
        "a@example.com,Ann,,active,free,2023-03-24 10:23:10 UTC,\n"
        "b@example.com,,,inactive,premium,2023-03-25 10:23:10 UTC,2024-03-13 11:33:53 UTC\n"),
    "spend-csv": ("spend.csv", "date,platform,tactic,amount,currency\n2020-01-01,x,contest,100.50,EUR\n"
                  "2020-01-02,facebook,ads,\"1,200.00\",EUR\n"),
    "meta-posts": (
        "Mar-01-2025_Mar-31-2025_77.csv",
        "Post ID,Account ID,Account username,Account name,Description,Duration (sec),Publish time,Permalink,"
        "Post type,Data comment,Date,Views,Reach,Likes,Shares,Comments,Saves,Follows\n"
        '9001,77,acme,Acme,"Reel,\none",30,03/01/2025 12:00,https://www.instagram.com/reel/A/,IG reel,,Lifetime,'
        "3000,2500,100,10,20,5,3\n"
        "9002,77,acme,Acme,Two,0,03/02/2025 08:45,https://www.instagram.com/p/B/,IG image,,Lifetime,400,350,30,2,"
        "4,1,0\n"),
    "meta-video": (
        "Mar-01-2025_Mar-31-2025_videos.csv",
        "Video asset ID,Universal video ID,Page ID,Page name,Title,Duration (sec),Publish time,Permalink,Date,"
        "Reach,3-second video views,1-minute video views,Seconds viewed\n"
        "5550,U1,900,Acme,Ride,95,03/19/2025 09:31,https://www.facebook.com/acme/videos/5550/,Lifetime,1600,900,"
        "120,5400\n"
        "7770,U2,900,Acme,Shop,300,03/25/2025 17:00,,Lifetime,300,250,40,1500\n"),
    "meta-overview": (
        "Follows.csv",
        'sep=,\n"Facebook follows"\n"Date","Primary"\n"2025-03-18T01:00:00","3"\n"2025-03-19T01:00:00","5"\n'
        '\n"Instagram follows"\n"Date","Primary"\n"2025-03-18T01:00:00","7"\n'),
    "mailchimp-campaigns": (
        "campaigns.csv",
        "Title,Subject,List,Send Date,Send Weekday,Total Recipients,Successful Deliveries,Unique Opens,Open Rate,"
        "Unique Clicks,Click Rate,Unsubscribes,Unique Id\n"
        '"Oct, letter",Hi,Members,"Oct 26, 2018 02:56 pm",Friday,10,9,4,44.44%,2,22.22%,1,a1b2c3\n'
        'Nov,Hi,Members,"Nov 2, 2018 09:05 am",Friday,12,12,"1,2",10.00%,0,0.00%,0,d4e5f6\n'),
    "x-archive": (
        "tweets.js",
        'window.YTD.tweets.part0 = [ {\n  "tweet" : {\n    "id_str" : "1050118621198921728",\n    "created_at" : '
        '"Wed Oct 10 20:19:24 +0000 2018",\n    "full_text" : "Ride &amp; coffee",\n    "favorite_count" : "12",\n'
        '    "retweet_count" : "3"\n  }\n}, {\n  "tweet" : {\n    "id_str" : "1050118999999999999",\n    '
        '"created_at" : "Wed Oct 10 21:00:05 +0000 2018",\n    "full_text" : "@acme more",\n    '
        '"in_reply_to_status_id_str" : "1050118621198921728",\n    "favorite_count" : "4",\n    '
        '"retweet_count" : "0"\n  }\n} ]'),
    "ga4-export": (
        "Traffic_acquisition.csv",
        "# ----------------------------------------\n# Property: Acme Website\n# Start date: 20260101\n"
        "# End date: 20260131\n\nSession default channel group,Sessions,Engaged sessions,Key events,Total revenue\n"
        'Organic Social,"1,200",700,30,450.5\nEmail,300,210,12,120\n\nNth day,Organic Social,Email\n0000,40,10\n'),
    "sprout-posts": (
        "Post Performance (Acme).csv",
        "Date,Post ID,Network,Post Type,Content Type,Profile,Sent by,Link,Post,Linked Content,Impressions,Reach,"
        "Engagement Rate (per Impression),Engagements,Reactions,Likes,Comments,Shares,Saves,Post Link Clicks,"
        "Video Views,Tags\n"
        '4/8/2026 9:22 pm,179,Instagram,Post,Reel,acme,Staff One,https://www.instagram.com/reel/A/,"Reel,\none",,'
        '"136,832","98,004",3.08%,"4,210",,"3,900",120,150,40,,"80,500",Spring\n'
        "02-01-2025,11_22,Facebook,Post,Photo,Acme Page,Staff Two,,Shop,,1000,800,0%,75,50,45,10,5,,12,,\n"),
    "sprout-profiles": (
        "Profile Performance (Acme).csv",
        "Date,Network,Profile,Audience,Net Audience Growth,Audience Gained,Published Posts,Impressions,"
        "Engagements,Engagement Rate (per Impression),Video Views,Profile Views,Likes,Comments,Shares\n"
        '02-01-2025,Instagram,acme,"10,250",35,40,2,"12,400",830,6.69%,"3,100",12,700,80,50\n'
        '02-02-2025,X (Twitter),acme,"5,001",-2,3,4,"2,222",44,0%,,,,,\n'),
    "meta-ads": (
        "Acme-Campaigns-Mar-1-2024-Mar-31-2024.csv",
        '"Reporting starts","Reporting ends","Campaign name","Results","Result indicator","Reach","Impressions",'
        '"Cost per results","Amount spent (EUR)"\n'
        '"2024-03-01","2024-03-31","","","","300","900","","30.50"\n'
        '"2024-03-01","2024-03-31","Summit, contest","12","actions:link_click","200","600","2","24.00"\n'
        '"2024-03-01","2024-03-31","Drive","3","reach","100","300","2.17","6.50"\n'),
}
SAMPLES["tiktok-analytics"] = (
    "Overview.csv",
    "Date,Video views,Reached audience,Profile views,Likes,Shares,Comments,Phone number clicks,Leads submission,"
    "Net growth,New followers,Lost followers \n2025/10/30,500,420,12,40,3,5,0,0,6,8,2\n"
    "2025/10/31,--,NAN,--,-1,0,2,0,0,-3,1,4\n")
LOCATED = re.compile(r"^.+:\d+(:\d+)?: \S")


# Files that do not name their account are imported with --account (without it they are refused).
ACCOUNT: dict[str, str] = {"facebook-metrics-uci": "Acme", "youtube-studio": "Acme",
                          "newsletter-subscribers": "Acme", "meta-overview": "Acme", "x-archive": "Acme"}


# Workbook sources: a sample built with xlsxwriter (file name, builder writing it at a path).
WORKBOOK_SAMPLES: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "linkedin-content": ("Content.xlsx", lambda path: workbook(path, member_sheets())),
    # a binary file too: a real CARv1 with its MST (the records less the one with a bad time)
    "bluesky-car": ("repo.car", lambda path: car_file(path, {k: v for k, v in RECORDS.items() if "e2a" not in k})),
}
ACCOUNT["linkedin-content"] = ACCOUNT["tiktok-analytics"] = "Acme"


def test_every_source_has_a_fuzz_sample() -> None:
    assert set(SAMPLES) | set(WORKBOOK_SAMPLES) == {s.name for s in SOURCES}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_import_cleanly_with_auto(name: str, tmp_path: Path) -> None:
    file_name, text = SAMPLES[name]
    path = tmp_path / file_name
    path.write_text(text, encoding="utf-8")
    f = one(ingest(Workspace(tmp_path / "ws"), [path], account=ACCOUNT.get(name)))
    assert (f["source"], f["rows_rejected"]) == (name, 0) and f["rows_new"] >= 2


def _shuffle_columns(text: str, order: list[int]) -> str:
    delim = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delim))
    width = len(rows[0])
    perm = sorted(range(width), key=lambda i: order[i % len(order)] * 1000 + i)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delim, lineterminator="\r\n")
    for row in rows:
        writer.writerow([row[i] if i < len(row) else "" for i in perm])
    return out.getvalue()


mutations = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
    st.tuples(st.just("encode"), st.sampled_from(["latin-1", "utf-16", "utf-16-le", "cp1252", "utf-8-sig"])),
    st.tuples(st.just("flip"), st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), min_size=1,
                                        max_size=4)),
    st.tuples(st.just("shuffle"), st.permutations(list(range(8)))),
    st.tuples(st.just("garbage"), st.binary(min_size=0, max_size=300)),
    st.tuples(st.just("crlf"), st.just(None)),
)


def _mutate(text: str, mutation: tuple[str, object]) -> bytes:
    kind, arg = mutation
    data = text.encode("utf-8")
    if kind == "truncate":
        assert isinstance(arg, float)
        return data[: int(len(data) * arg)]
    if kind == "encode":
        return text.encode(str(arg), errors="replace")
    if kind == "flip":
        buf = bytearray(data)
        for where, byte in arg:  # type: ignore[attr-defined]
            if buf:
                buf[min(int(where * len(buf)), len(buf) - 1)] = byte
        return bytes(buf)
    if kind == "shuffle":
        if text.lstrip().startswith(("{", "window.YTD.", "#")):  # JSON; GA4's '#' lines and tables of several widths
            return data
        return _shuffle_columns(text, list(arg)).encode("utf-8")  # type: ignore[call-overload]
    if kind == "garbage":
        assert isinstance(arg, bytes)
        return arg
    return text.replace("\n", "\r\n").encode("utf-8")


@pytest.mark.parametrize("name", sorted(SAMPLES))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=mutations)
def test_mutated_files_import_or_fail_located_leaving_the_warehouse_unchanged(
        name: str, mutation: tuple[str, object]) -> None:
    file_name, text = SAMPLES[name]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = Workspace(root / "ws")
        seed = root / ("seed-" + file_name)
        seed.write_text(text, encoding="utf-8")
        ingest(ws, [seed], account=ACCOUNT.get(name))
        before = snapshot(ws)
        path = root / file_name
        path.write_bytes(_mutate(text, mutation))
        try:
            result = ingest(ws, [path], account=ACCOUNT.get(name))
        except ImportFileError as exc:
            assert LOCATED.match(str(exc)), str(exc)
            assert "\n" not in str(exc)
            assert snapshot(ws) == before
            return
        except StrategyFirstError as exc:  # pragma: no cover - any other product error is a failure here
            raise AssertionError(f"unexpected {type(exc).__name__}: {exc}") from exc
        f = one(result)
        if mutation[0] == "shuffle":  # columns are found by name, wherever they stand
            assert f["rows_rejected"] == 0 and f["rows_duplicate"] >= 1, f


byte_mutations = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
    st.tuples(st.just("flip"), st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), min_size=1,
                                        max_size=4)),
    st.tuples(st.just("garbage"), st.binary(min_size=0, max_size=300)),
)


@pytest.mark.parametrize("name", sorted(WORKBOOK_SAMPLES))
def test_workbook_samples_import_cleanly_with_auto(name: str, tmp_path: Path) -> None:
    file_name, build = WORKBOOK_SAMPLES[name]
    f = one(ingest(Workspace(tmp_path / "ws"), [build(tmp_path / file_name)], account=ACCOUNT.get(name)))
    assert (f["source"], f["rows_rejected"]) == (name, 0) and f["rows_new"] >= 2


@pytest.mark.parametrize("name", sorted(WORKBOOK_SAMPLES))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=byte_mutations)
def test_mutated_workbooks_import_or_fail_located_leaving_the_warehouse_unchanged(
        name: str, mutation: tuple[str, object]) -> None:
    file_name, build = WORKBOOK_SAMPLES[name]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ws = Workspace(root / "ws")
        seed = build(root / ("seed-" + file_name))
        ingest(ws, [seed], account=ACCOUNT.get(name))
        before = snapshot(ws)
        kind, arg = mutation
        data = bytearray(seed.read_bytes())
        if kind == "truncate":
            assert isinstance(arg, float)
            data = data[: int(len(data) * arg)]
        elif kind == "flip":
            for where, byte in arg:  # type: ignore[attr-defined]
                data[min(int(where * len(data)), len(data) - 1)] = byte
        else:
            assert isinstance(arg, bytes)
            data = bytearray(arg)
        path = root / file_name
        path.write_bytes(bytes(data))
        try:
            one(ingest(ws, [path], account=ACCOUNT.get(name)))
        except ImportFileError as exc:
            assert LOCATED.match(str(exc)), str(exc)
            assert "\n" not in str(exc)
            assert snapshot(ws) == before
        except StrategyFirstError as exc:  # pragma: no cover - any other product error is a failure here
            raise AssertionError(f"unexpected {type(exc).__name__}: {exc}") from exc


def test_shuffle_helper_keeps_rows() -> None:
    text = "a,b,c\n1,2,3\n"
    assert _shuffle_columns(text, [2, 1, 0]) == "c,b,a\r\n3,2,1\r\n"
    assert list(itertools.islice(range(3), 1)) == [0]
