"""x-archive (issue 14): the X account archive's data/tweets.js, its account from account.js (username only),
the archive folder given to `ingest`, and a tweet also in an X analytics export counted once. Fixtures are
written here in the archive's own layout; the expected values are read off the fixture by hand."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, scalar, snapshot, stored_text

pytestmark = pytest.mark.usefixtures("no_derive")

EMAIL = "velo.owner@example.org"


def tweet(id_str: str, created: str, text: str, likes: str = "0", retweets: str = "0", **extra: Any) -> dict[str, Any]:
    return {"tweet": {"edit_info": {"initial": {"editTweetIds": [id_str]}}, "retweeted": False,
                      "source": "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
                      "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
                      "display_text_range": ["0", str(len(text))], "favorite_count": likes, "id_str": id_str,
                      "truncated": False, "retweet_count": retweets, "id": id_str, "created_at": created,
                      "favorited": False, "full_text": text, "lang": "en", **extra}}


TWEETS = [
    tweet("1050118621198921728", "Wed Oct 10 20:19:24 +0000 2018", "Spring ride &amp; coffee &lt;3", "12", "3"),
    # a reply in a thread of our own: its parent is the first tweet
    tweet("1050118999999999999", "Wed Oct 10 21:00:05 +0000 2018", "@velo_club and the route", "4", "0",
          in_reply_to_status_id_str="1050118621198921728", in_reply_to_status_id="1050118621198921728",
          in_reply_to_user_id_str="42", in_reply_to_user_id="42", in_reply_to_screen_name="velo_club"),
    # a reply whose parent tweet is gone: only the user id is left
    tweet("1060000000000000001", "Thu Nov 08 07:05:00 +0000 2018", "@someone thanks!", "1", "0",
          in_reply_to_user_id_str="77", in_reply_to_user_id="77", in_reply_to_screen_name="someone"),
    # a retweet
    tweet("1070000000000000002", "Sat Dec 01 10:00:00 +0000 2018", "RT @friend: great ride", "0", "0"),
    # a time that is no time: rejected
    tweet("1080000000000000003", "yesterday", "lost", "0", "0"),
]


def tweets_js(path: Path, tweets: list[dict[str, Any]], part: str = "tweets") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"window.YTD.{part}.part0 = " + json.dumps(tweets, indent=2), encoding="utf-8")
    return path


def account_js(folder: Path, username: str = "velo_club") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "account.js"
    doc = [{"account": {"email": EMAIL, "createdVia": "web", "username": username, "accountId": "42",
                        "createdAt": "2012-01-01T10:00:00.000Z", "accountDisplayName": "Velo Club"}}]
    path.write_text("window.YTD.account.part0 = " + json.dumps(doc, indent=2), encoding="utf-8")
    return path


def archive(tmp_path: Path) -> Path:
    """An unzipped archive: Your archive.html, data/ with tweets.js, account.js, like.js and a media file."""
    root = tmp_path / "twitter-2024-05-01-abc"
    data = root / "data"
    tweets_js(data / "tweets.js", TWEETS)
    account_js(data)
    (data / "like.js").write_text('window.YTD.like.part0 = [{"like": {"tweetId": "1", "fullText": "x"}}]',
                                  encoding="utf-8")
    (data / "tweets_media").mkdir()
    (data / "tweets_media" / "1050118621198921728-abc.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(200))
    (root / "assets" / "js").mkdir(parents=True)
    (root / "assets" / "js" / "main.1f2e.js").write_text("(function(){var a=1,b=2;})();", encoding="utf-8")
    (root / "Your archive.html").write_text("<!DOCTYPE html><html><body>archive</body></html>", encoding="utf-8")
    return root


def test_archive_folder_imports_tweets_and_skips_the_rest(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    root = archive(tmp_path)
    result = ingest(ws, [root], keep_going=True)
    status = {Path(f["file"]).name: (f["status"], f["source"]) for f in result.files}
    assert status["tweets.js"] == ("imported", "x-archive")
    for other in ("account.js", "like.js", "main.1f2e.js", "Your archive.html"):
        assert status[other][0] == "skipped", other
    # media files are not read: one skipped line per folder of them
    media = [f for f in result.files if f["file"].endswith("tweets_media/")]
    assert [(f["status"], f["error"].split(": ", 1)[1]) for f in media] == [
        ("skipped", "1 media file (.jpg), not exports")]
    assert not [f for f in result.files if f["file"].endswith(".jpg")]
    reasons = {Path(f["file"]).name: f.get("error", "") for f in result.files}
    assert "read with tweets.js" in reasons["account.js"] and "like data" in reasons["like.js"]
    assert not result.failed
    f = next(f for f in result.files if f["source"] == "x-archive")
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (5, 4, 1)
    rows = query(ws, "SELECT message_id, platform, account, owned, created_at, time_precision, kind, in_reply_to, "
                     "likes, shares, impressions, url FROM messages ORDER BY message_id")
    assert rows == [
        ("x:1050118621198921728", "x", "velo_club", True, dt.datetime(2018, 10, 10, 20, 19, 24), "second", "post",
         None, 12.0, 3.0, None, "https://x.com/velo_club/status/1050118621198921728"),
        ("x:1050118999999999999", "x", "velo_club", True, dt.datetime(2018, 10, 10, 21, 0, 5), "second", "reply",
         "x:1050118621198921728", 4.0, 0.0, None, "https://x.com/velo_club/status/1050118999999999999"),
        ("x:1060000000000000001", "x", "velo_club", True, dt.datetime(2018, 11, 8, 7, 5), "second", "reply",
         None, 1.0, 0.0, None, "https://x.com/velo_club/status/1060000000000000001"),
        ("x:1070000000000000002", "x", "velo_club", True, dt.datetime(2018, 12, 1, 10, 0), "second", "share",
         None, 0.0, 0.0, None, "https://x.com/velo_club/status/1070000000000000002"),
    ]
    # HTML entities of the archive's text decoded
    assert scalar(ws, "SELECT text FROM messages WHERE message_id = 'x:1050118621198921728'") == \
        "Spring ride & coffee <3"
    # the reply joins its parent's conversation
    assert scalar(ws, "SELECT conversation_id FROM messages WHERE message_id = 'x:1050118999999999999'") == \
        "x:1050118621198921728"
    # the line of a reject is where its tweet begins in the file (json.dumps(indent=2) opens each item on a
    # line "  {"), its reason names it by its number in the array
    tweets_text = (root / "data" / "tweets.js").read_text(encoding="utf-8")
    starts = [n for n, text in enumerate(tweets_text.splitlines(), 1) if text == "  {"]
    assert len(starts) == len(TWEETS)
    ((line, reason, raw),) = query(ws, "SELECT line, reason, raw FROM rejects")
    assert (line, reason) == (starts[4], "tweet 5 in the file: created_at is not a time like "
                                         "'Wed Oct 10 20:19:24 +0000 2018'")
    assert json.loads(raw) == TWEETS[4]  # the item itself, nothing before it


def test_account_js_email_is_never_stored(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [archive(tmp_path)], keep_going=True)
    cells = stored_text(ws)
    assert "velo_club" in cells and EMAIL not in cells
    for path in ws.state_dir.rglob("*"):
        if path.is_file() and ws.raw_dir not in path.parents:
            assert EMAIL.encode() not in path.read_bytes(), path


def test_tweets_js_alone_needs_account_js_or_the_option(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    alone = tweets_js(tmp_path / "elsewhere" / "tweets.js", TWEETS[:2])
    with pytest.raises(ImportFileError) as info:
        ingest(ws, [alone])
    assert "--account" in str(info.value) and "\n" not in str(info.value)
    assert snapshot(ws) == {} or not scalar(ws, "SELECT count(*) FROM messages")
    f = one(ingest(ws, [alone], account="@velo_club"))
    assert f["rows_new"] == 2
    assert query(ws, "SELECT DISTINCT account FROM messages") == [("velo_club",)]
    # beside an account.js, the archive's username is used; --account still wins over it
    account_js(alone.parent, "other_name")
    again = tweets_js(tmp_path / "elsewhere" / "tweets.js", [*TWEETS[:2], TWEETS[2]])
    one(ingest(ws, [again]))
    assert query(ws, "SELECT DISTINCT account FROM messages ORDER BY 1") == [("other_name",)]


def test_older_archive_tweet_js_and_unwrapped_items(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    data = tmp_path / "old" / "data"
    account_js(data)
    items = [TWEETS[0], TWEETS[3]["tweet"]]   # the oldest archives leave out the "tweet" wrapper
    f = one(ingest(ws, [tweets_js(data / "tweet.js", items, part="tweet")]))
    assert (f["source"], f["rows_new"]) == ("x-archive", 2)
    assert query(ws, "SELECT message_id, kind, likes FROM messages ORDER BY 1") == [
        ("x:1050118621198921728", "post", 12.0), ("x:1070000000000000002", "share", 0.0)]


def test_reimport_changes_nothing(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    data = tmp_path / "a" / "data"
    account_js(data)
    path = tweets_js(data / "tweets.js", TWEETS)
    one(ingest(ws, [path]))
    before = snapshot(ws)
    again = one(ingest(ws, [path]))
    assert again["status"] == "already imported" and snapshot(ws) == before


def test_tweet_in_x_analytics_export_and_archive_counts_once(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    analytics = tmp_path / "tweet_activity_metrics_velo_club_20181001_20181101_en.csv"
    analytics.write_text(
        '"Tweet id","Tweet permalink","Tweet text","time","impressions","engagements","retweets","replies",'
        '"likes","url clicks","follows"\n'
        '"1050118621198921728","https://twitter.com/velo_club/status/1050118621198921728","Spring ride & coffee '
        '<3","2018-10-10 20:19 +0000","900.0","30.0","2.0","1.0","10.0","4.0","0"\n', encoding="utf-8")
    one(ingest(ws, [analytics]))
    data = tmp_path / "arch" / "data"
    account_js(data)
    f = one(ingest(ws, [tweets_js(data / "tweets.js", TWEETS)]))
    assert (f["rows_new"], f["rows_updated"]) == (3, 1)
    assert scalar(ws, "SELECT count(*) FROM messages WHERE message_id = 'x:1050118621198921728'") == 1
    # analytics gave impressions 900, likes 10, retweets 2; the archive likes 12, retweets 3 (larger kept);
    # the archive's second refines the analytics' minute
    assert query(ws, "SELECT impressions, likes, shares, clicks, created_at, time_precision FROM messages "
                     "WHERE message_id = 'x:1050118621198921728'") == [
        (900.0, 12.0, 3.0, 4.0, dt.datetime(2018, 10, 10, 20, 19, 24), "second")]
    assert scalar(ws, "SELECT sum(likes) FROM messages WHERE platform = 'x'") == 12 + 4 + 1 + 0


def test_truncated_tweets_js_is_one_line_and_imports_nothing(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    data = tmp_path / "cut" / "data"
    account_js(data)
    path = tweets_js(data / "tweets.js", TWEETS)
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    one(ingest(ws, [tweets_js(tmp_path / "good" / "tweets.js", TWEETS[:1])], account="velo_club"))
    before = snapshot(ws)
    with pytest.raises(ImportFileError) as info:
        ingest(ws, [path])
    message = str(info.value)
    assert "cut short" in message and "\n" not in message and message.startswith(str(path) + ":")
    assert snapshot(ws) == before


def test_zipped_archive_imports_tweets_with_the_account_of_account_js(tmp_path: Path) -> None:
    import zipfile

    root = archive(tmp_path)
    zipped = tmp_path / "twitter-2024-05-01-abc.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(root).as_posix())
    ws = Workspace(tmp_path / "ws")
    result = ingest(ws, [zipped], keep_going=True)
    assert not result.failed
    imported = [f for f in result.files if f["status"] == "imported"]
    assert [(f["source"], f["rows_new"]) for f in imported] == [("x-archive", 4)]
    assert query(ws, "SELECT DISTINCT account FROM messages") == [("velo_club",)]
    html = next(f for f in result.files if f["file"].endswith("Your archive.html"))
    assert html["status"] == "skipped" and "web page" in html["error"]


def test_a_newer_archive_updates_likes_and_an_older_one_never_lowers_them(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    old_data, new_data = tmp_path / "old" / "data", tmp_path / "new" / "data"
    account_js(old_data)
    account_js(new_data)
    old = tweets_js(old_data / "tweets.js", TWEETS[:2])
    grown = [tweet("1050118621198921728", "Wed Oct 10 20:19:24 +0000 2018", "Spring ride &amp; coffee &lt;3", "20",
                   "5"), TWEETS[1]]
    new = tweets_js(new_data / "tweets.js", grown)
    one(ingest(ws, [old]))
    f = one(ingest(ws, [new]))
    assert (f["rows_new"], f["rows_updated"], f["rows_duplicate"]) == (0, 1, 1)
    assert query(ws, "SELECT likes, shares FROM messages WHERE message_id = 'x:1050118621198921728'") == [
        (20.0, 5.0)]
    # the older archive again (other bytes than the newer one): 12 likes and 3 retweets do not replace 20 and 5
    tweets_js(old_data / "tweets.js", [*TWEETS[:2]][::-1])
    one(ingest(ws, [old]))
    assert query(ws, "SELECT likes, shares FROM messages WHERE message_id = 'x:1050118621198921728'") == [
        (20.0, 5.0)]
