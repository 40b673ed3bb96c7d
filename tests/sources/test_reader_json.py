"""JSON files: a Mastodon file of the wrong kind is refused as such (not accepted with every row rejected),
and a JSON file cut short says where it ends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, snapshot

pytestmark = pytest.mark.usefixtures("no_derive")

MASTODON = "mastodon/dealingwith"


def _error(ws: Workspace, path: Path, **kw: object) -> str:
    seed = ws.root.parent / "seed.csv"
    seed.write_text("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
                    "1,acme,False,Wed Oct 11 06:55:44 +0000 2017,hello,,\n", encoding="utf-8")
    ingest(ws, [seed])
    before = snapshot(ws)
    with pytest.raises(ImportFileError) as info:
        ingest(ws, [path], **kw)  # type: ignore[arg-type]
    assert snapshot(ws) == before
    return str(info.value)


@pytest.mark.parametrize("source", ["auto", "mastodon-outbox"])
def test_likes_json_is_refused_as_a_likes_list(shared_data: Path, tmp_path: Path, source: str) -> None:
    likes = shared_data / MASTODON / "likes.json"
    doc = json.loads(likes.read_text(encoding="utf-8"))
    assert doc["type"] == "OrderedCollection" and all(isinstance(i, str) for i in doc["orderedItems"])
    message = _error(Workspace(tmp_path / "ws"), likes, source=source)
    assert message == (f"{likes}:1:1: is a Mastodon likes list (likes.json), not an outbox: import outbox.json "
                       "from the same Mastodon archive")


def test_actor_json_is_refused_as_a_profile(shared_data: Path, tmp_path: Path) -> None:
    actor = shared_data / MASTODON / "actor.json"
    assert "is a Mastodon profile (actor.json), not an outbox" in _error(Workspace(tmp_path / "ws"), actor)


def test_a_renamed_likes_list_is_still_not_an_outbox(shared_data: Path, tmp_path: Path) -> None:
    doc = json.loads((shared_data / MASTODON / "likes.json").read_text(encoding="utf-8"))
    doc["id"] = "https://m.example/users/a/collection"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert "is a list of links, not a Mastodon outbox" in _error(Workspace(tmp_path / "ws"), path)


def test_the_real_outbox_still_imports(shared_data: Path, tmp_path: Path) -> None:
    outbox = shared_data / MASTODON / "outbox.json"
    items = json.loads(outbox.read_text(encoding="utf-8"))["orderedItems"]
    f = one(ingest(Workspace(tmp_path / "ws"), [outbox]))
    assert f["source"] == "mastodon-outbox" and f["rows_read"] == len(items)


@pytest.mark.parametrize("fraction", [0.001, 0.5, 0.999])
def test_an_outbox_cut_short_says_where_it_ends(shared_data: Path, tmp_path: Path, fraction: float) -> None:
    data = (shared_data / MASTODON / "outbox.json").read_bytes()
    cut = data[: int(len(data) * fraction)]
    path = tmp_path / "outbox.json"
    path.write_bytes(cut)
    text = cut.decode("utf-8", errors="ignore").rstrip()
    line = text.count("\n") + 1
    column = len(text) - (text.rfind("\n") + 1) + 1
    message = _error(Workspace(tmp_path / "ws"), path)
    assert message.startswith(f"{path}:{line}:{column}: the JSON is cut short"), message


def test_broken_json_in_the_middle_is_located(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    path.write_text('{"type": "OrderedCollection",\n "orderedItems": [1 2]}\n', encoding="utf-8")
    # line 2, column 21: the "2" where a comma should be
    assert _error(Workspace(tmp_path / "ws"), path).startswith(f"{path}:2:21: is not valid JSON here")


def test_an_outbox_cut_inside_a_character_is_cut_short_not_undecodable(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / MASTODON / "outbox.json").read_bytes()
    first_multibyte = next(i for i, b in enumerate(data) if b >= 0xC0)
    path = tmp_path / "outbox.json"
    path.write_bytes(data[: first_multibyte + 1])
    assert "the JSON is cut short" in _error(Workspace(tmp_path / "ws"), path)


def test_an_outbox_with_a_utf8_bom_imports(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / MASTODON / "outbox.json").read_bytes()
    items = json.loads(data)["orderedItems"]
    path = tmp_path / "outbox.json"
    path.write_bytes(b"\xef\xbb\xbf" + data)
    f = one(ingest(Workspace(tmp_path / "ws"), [path]))
    assert f["source"] == "mastodon-outbox" and f["rows_read"] == len(items)


def test_a_rejected_activity_is_named_by_its_item_and_what_it_lacks(tmp_path: Path) -> None:
    def create(n: int, obj: object) -> dict[str, object]:
        return {"id": f"https://m.example/users/a/statuses/{n}/activity", "type": "Create",
                "actor": "https://m.example/users/a", "published": "2022-11-23T00:47:23Z", "object": obj}

    note = {"id": "https://m.example/users/a/statuses/1", "type": "Note", "content": "<p>hi</p>"}
    items = [
        create(1, note),
        create(2, None),                                            # the tester's file: object null
        {k: v for k, v in create(3, None).items() if k != "object"},  # no object at all
        create(4, {"type": "Note", "content": "no id"}),
        create(5, 5),
        {"type": "Announce", "actor": "https://m.example/users/a", "published": "2022-11-23T00:47:23Z",
         "object": "https://elsewhere.example/@b/9"},                 # a boost without its own id
        {**create(7, note), "type": "Like"},
    ]
    path = tmp_path / "outbox.json"  # one line of JSON, as Mastodon writes it
    path.write_text(json.dumps({"type": "OrderedCollection", "orderedItems": items}), encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (7, 1, 6)
    rows = query(ws, "SELECT line, reason, raw FROM rejects ORDER BY reason")
    # every item is on line 1 of the file; the reason tells them apart
    assert [(line, reason) for line, reason, _ in rows] == [
        (1, "item 2 of orderedItems: the activity has no object (it is missing or null)"),
        (1, "item 3 of orderedItems: the activity has no object (it is missing or null)"),
        (1, "item 4 of orderedItems: the activity's object has no id"),
        (1, "item 5 of orderedItems: the activity's object is neither an object nor a URL"),
        (1, "item 6 of orderedItems: the activity has no id"),
        (1, "item 7 of orderedItems: the activity is neither Create nor Announce"),
    ]
    assert [json.loads(raw) for _, _, raw in rows] == items[1:]  # each item as it was, nothing before it
