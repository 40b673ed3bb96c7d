"""A rejected item of a JSON export is reported on the line of the file where the item begins (data.md: a reject
names its line), its reason naming the item by its number (which tells apart the items of a one-line file).
Before, the line was the item's number. Files written out by hand here; lines counted by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.sources.json_items import item_lines
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query

pytestmark = pytest.mark.usefixtures("no_derive")

A = "https://m.example/users/a"
# A pretty-printed outbox: items 1 and 2 good (their strings hold brackets, braces, quotes and an escaped line
# break, none of which begins an item), item 3 a Like (line 14), item 4 without an object (line 19).
OUTBOX = f"""{{
  "@context": "https://www.w3.org/ns/activitystreams",
  "type": "OrderedCollection",
  "orderedItems": [
    {{"id": "{A}/statuses/1/activity", "type": "Create", "actor": "{A}", "published": "2022-11-23T00:47:23Z",
      "object": {{"id": "{A}/statuses/1", "type": "Note", "content": "<p>[one] {{two}} \\"three\\" \\n</p>"}}}},
    {{
      "id": "{A}/statuses/2/activity",
      "type": "Create",
      "actor": "{A}",
      "published": "2022-11-24T00:00:00Z",
      "object": {{"id": "{A}/statuses/2", "type": "Note", "content": "<p>], {{\\"x\\": [1]}}</p>"}}
    }},
    {{
      "id": "{A}/statuses/3/activity", "type": "Like", "actor": "{A}",
      "published": "2022-11-25T00:00:00Z",
      "object": {{"id": "{A}/statuses/3", "type": "Note", "content": "<p>liked</p>"}}
    }},
    {{"id": "{A}/statuses/4/activity", "type": "Create", "actor": "{A}", "published": "2022-11-26T00:00:00Z"}}
  ]
}}
"""


def test_the_outbox_is_as_counted() -> None:
    lines = OUTBOX.split("\n")  # lines[13] is line 14
    assert lines[13] == "    {" and "statuses/3/activity" in lines[14] and "statuses/4/activity" in lines[18]


def test_a_rejected_item_of_a_pretty_printed_outbox_is_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    path.write_text(OUTBOX, encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (4, 2, 2)
    assert query(ws, "SELECT line, reason FROM rejects ORDER BY line") == [
        (14, "item 3 of orderedItems: the activity is neither Create nor Announce"),
        (19, "item 4 of orderedItems: the activity has no object (it is missing or null)"),
    ]
    assert query(ws, "SELECT message_id FROM messages ORDER BY 1") == [
        (f"mastodon:{A}/statuses/1",), (f"mastodon:{A}/statuses/2",)]


def test_items_of_a_repeated_key_are_numbered_on(tmp_path: Path) -> None:
    """An archive may repeat `orderedItems`: the items of the second array go on from the first's, so that
    the reject names item 2 (not a second item 1) on line 5."""
    path = tmp_path / "outbox.json"
    path.write_text(f'{{"type": "OrderedCollection",\n'
                    f' "orderedItems": [{{"id": "{A}/statuses/1/activity", "type": "Announce", "actor": "{A}",\n'
                    f'   "published": "2022-11-23T00:47:23Z", "object": "https://elsewhere.example/@b/9"}}],\n'
                    f' "orderedItems": [\n'
                    f'   {{"id": "{A}/statuses/2/activity", "type": "Like", "actor": "{A}",\n'
                    f'    "published": "2022-11-23T00:47:23Z", "object": "https://elsewhere.example/@b/8"}}]}}\n',
                    encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    f = one(ingest(ws, [path]))
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (2, 1, 1)
    assert query(ws, "SELECT line, reason FROM rejects") == [
        (5, "item 2 of orderedItems: the activity is neither Create nor Announce")]


def test_item_lines() -> None:
    assert item_lines('[1,\n {"a": "]\\n["},\n\n  [2, 3], "x"]') == [1, 2, 4, 4]
    assert item_lines('{"a": [9], "k": [1, 2,\n3], "b": {"k": [7]}, "k": [\n4]}', "k") == [1, 1, 2, 3]
    assert item_lines("[]") == [] and item_lines('{"k": []}', "k") == []
    assert item_lines('{"k": [1, 2', "k") is None and item_lines("[1 2]") is None and item_lines("{}") is None
