"""Stored text is plain text (data.md): the HTML entities X writes in tweet text (`&amp;`, `&lt;`, `&gt;`: X
escapes exactly `&`, `<` and `>`) are decoded by the X analytics and twcs imports, as the X archive and Mastodon
imports already did. Fixtures are written here as X writes them; the expected texts are written out by hand."""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategyfirst.sources import sqlfuncs
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, scalar

pytestmark = pytest.mark.usefixtures("no_derive")

# (as X writes the text, as a person typed it)
TEXTS = [
    ("R &amp; Python", "R & Python"),
    ("I &lt;3 #rstats &gt;&gt; https://t.co/x", "I <3 #rstats >> https://t.co/x"),
    ("typed &amp;lt; and &amp;amp; literally", "typed &lt; and &amp; literally"),  # the entity itself was typed
    ('a "quote" &amp; more', 'a "quote" & more'),
    ("@rOpenSci Q&amp;A at 5", "@rOpenSci Q&A at 5"),
    ("no entity here", "no entity here"),
]
ANALYTICS_HEADER = ('"Tweet id","Tweet permalink","Tweet text","time","impressions","engagements","retweets",'
                    '"replies","likes","url clicks","follows"\n')
TWCS_HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
TS = "Wed Oct 11 06:55:44 +0000 2017"


def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def stored_texts(ws: Workspace) -> list[tuple[str, str]]:
    return [(str(m), str(t)) for m, t in query(ws, "SELECT message_id, text FROM messages ORDER BY message_id")]


def test_x_analytics_text_is_stored_with_the_entities_decoded(tmp_path: Path) -> None:
    path = tmp_path / "tweet_activity_metrics_velo_club_20181001_20181101_en.csv"
    path.write_text(ANALYTICS_HEADER + "".join(
        f'"10{i}","https://twitter.com/velo_club/status/10{i}",{quoted(raw)},"2018-10-10 20:19 +0000","900.0",'
        '"30.0","2.0","1.0","10.0","4.0","0"\n' for i, (raw, _) in enumerate(TEXTS)), encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    assert one(ingest(ws, [path]))["rows_new"] == len(TEXTS)
    assert stored_texts(ws) == [
        ("x:100", "R & Python"),
        ("x:101", "I <3 #rstats >> https://t.co/x"),
        ("x:102", "typed &lt; and &amp; literally"),
        ("x:103", 'a "quote" & more'),
        ("x:104", "@rOpenSci Q&A at 5"),
        ("x:105", "no entity here"),
    ]
    # the kind still comes from the text as it starts: a leading @ is a reply
    assert scalar(ws, "SELECT kind FROM messages WHERE message_id = 'x:104'") == "reply"


@pytest.mark.parametrize("rejected", [False, True], ids=["one-pass", "general-way"])
def test_twcs_text_is_stored_with_the_entities_decoded(tmp_path: Path, rejected: bool) -> None:
    """Both ways of reading twcs (one pass; the general way, taken when a row is rejected) decode."""
    rows = "".join(f"{200 + i},Acme,False,{TS},{quoted(raw)},,\n" for i, (raw, _) in enumerate(TEXTS))
    bad = f"299,Acme,maybe,{TS},x &amp; y,,\n" if rejected else ""  # inbound is not True/False: a reject
    path = tmp_path / "twcs.csv"
    path.write_text(TWCS_HEADER + rows + bad, encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path], keep_going=True))
    assert (f["rows_new"], f["rows_rejected"]) == (len(TEXTS), int(rejected))
    assert stored_texts(ws) == [
        ("x:200", "R & Python"),
        ("x:201", "I <3 #rstats >> https://t.co/x"),
        ("x:202", "typed &lt; and &amp; literally"),
        ("x:203", 'a "quote" & more'),
        ("x:204", "@rOpenSci Q&A at 5"),
        ("x:205", "no entity here"),
    ]


def test_a_tweet_in_an_analytics_export_and_the_archive_has_one_text(tmp_path: Path) -> None:
    """Both write the text as X escapes it; the archive import decoded it already, now the analytics one does too,
    so the later import of the same tweet no longer rewrites its text."""
    ws = Workspace(tmp_path / "ws")
    analytics = tmp_path / "tweet_activity_metrics_velo_club_20181001_20181101_en.csv"
    analytics.write_text(ANALYTICS_HEADER + '"1050118621198921728","https://twitter.com/velo_club/status/'
                         '1050118621198921728","Spring ride &amp; coffee &lt;3","2018-10-10 20:19 +0000","900.0",'
                         '"30.0","2.0","1.0","10.0","4.0","0"\n', encoding="utf-8")
    one(ingest(ws, [analytics]))
    assert scalar(ws, "SELECT text FROM messages") == "Spring ride & coffee <3"
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    tweet = {"tweet": {"id_str": "1050118621198921728", "created_at": "Wed Oct 10 20:19:24 +0000 2018",
                       "full_text": "Spring ride &amp; coffee &lt;3", "favorite_count": "12", "retweet_count": "3"}}
    (data / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps([tweet]), encoding="utf-8")
    one(ingest(ws, [data / "tweets.js"], account="velo_club"))
    assert query(ws, "SELECT text FROM messages") == [("Spring ride & coffee <3",)]


_CON: list[duckdb.DuckDBPyConnection] = []


def _decode(text: str) -> str:
    if not _CON:
        _CON.append(duckdb.connect())
        sqlfuncs.install(_CON[0])
    row = _CON[0].execute("SELECT sf_x_text(?::VARCHAR)", [text]).fetchone()
    assert row is not None
    return str(row[0])


@given(st.text(alphabet="&<>;#ampltgquo x", max_size=40) | st.text(max_size=40).filter(lambda s: "\0" not in s))
def test_decoding_undoes_what_x_escapes(typed: str) -> None:
    """X escapes &, < and > (html.escape without quotes): decoding gives back exactly what was typed."""
    assert _decode(html.escape(typed, quote=False)) == typed


# ---- the real exports ------------------------------------------------------------------------------------------

def test_ropensci_texts_hold_no_entities(shared_data: Path, tmp_path: Path) -> None:
    files = sorted((shared_data / "x-analytics/rOpenSci").glob("*.csv"))
    ws = Workspace(tmp_path / "ws")
    ingest(ws, files)
    # the files write 460 `&amp;`, 10 `&gt;` and 2 `&lt;` (grep -o); none is left in a stored text
    raw = "".join(p.read_text(encoding="utf-8") for p in files)
    assert (raw.count("&amp;"), raw.count("&gt;"), raw.count("&lt;")) == (460, 10, 2)
    assert scalar(ws, "SELECT count(*) FROM messages WHERE contains(text, '&amp;')") == 0
    assert scalar(ws, "SELECT count(*) FROM messages WHERE regexp_matches(text, '&[#a-zA-Z0-9]+;')") == 0
    # as many tweets hold an '&' as the csv module finds with an entity in their text (a tweet in two monthly
    # exports counted once)
    with_amp = {r["Tweet id"] for p in files for r in csv.DictReader(p.open(newline="", encoding="utf-8"))
                if "&amp;" in r["Tweet text"]}
    assert len(with_amp) > 100
    assert scalar(ws, "SELECT count(*) FROM messages WHERE contains(text, '&')") == len(with_amp)
    # Dec 2016, line 3: "812341199767863296",...,"New ver. #rstats stplanr https://t.co/kwP5IBNhNa - release notes
    # https://t.co/NT8YTPMBxv including a new vignette, new fxn, &amp; more"
    assert scalar(ws, "SELECT text FROM messages WHERE message_id = 'x:812341199767863296'") == (
        "New ver. #rstats stplanr https://t.co/kwP5IBNhNa - release notes https://t.co/NT8YTPMBxv including a new "
        "vignette, new fxn, & more")
    # Mar 2020: "1240294165579100161",...,"Starting in &lt; 1 hour https://t.co/ov8tKxC0NK"
    assert scalar(ws, "SELECT text FROM messages WHERE message_id = 'x:1240294165579100161'") == (
        "Starting in < 1 hour https://t.co/ov8tKxC0NK")


def test_twcs_sample_texts_hold_no_entities(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    one(ingest(ws, [shared_data / "twcs/sample.csv"]))
    assert scalar(ws, "SELECT count(*) FROM messages WHERE regexp_matches(text, '&[#a-zA-Z0-9]+;')") == 0
    # line 12: 119248,AppleSupport,False,...,"@105837 We can help. ... You can find that in Settings &gt; General
    # &gt; About. Reply in DM. https://t.co/GDrqU22YpT"
    assert scalar(ws, "SELECT text FROM messages WHERE message_id = 'x:119248'") == (
        "@105837 We can help. Which version of iOS are you on? You can find that in Settings > General > About. "
        "Reply in DM. https://t.co/GDrqU22YpT")


def test_mastodon_outbox_already_decodes(shared_data: Path, tmp_path: Path) -> None:
    """Mastodon's content is HTML: its stripping decodes the entities (`&#39;`, `&quot;`, `&amp;`) too."""
    ws = Workspace(tmp_path / "ws")
    one(ingest(ws, [shared_data / "mastodon/dealingwith/outbox.json"]))
    assert scalar(ws, "SELECT count(*) FROM messages WHERE regexp_matches(text, '&[#a-zA-Z0-9]+;')") == 0
    # content "<p>It&#39;s time for my quarterly P&amp;L report. (Pedaling and Loss.)</p>"
    assert scalar(ws, "SELECT text FROM messages WHERE message_id = "
                      "'mastodon:https://indieweb.social/users/dealingwith/statuses/111410333552033635'") == (
        "It's time for my quarterly P&L report. (Pedaling and Loss.)")
