"""A Mastodon account on the real outbox.json (../shared/data/mastodon/dealingwith): the outbox names its
author `dealingwith@indieweb.social`, a plan `dealingwith`, `@dealingwith` or `@dealingwith@indieweb.social`:
one account (strategyfirst.handles), whose statuses are all owned, none of them inbound. Expected values
worked out here from the JSON alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from strategyfirst import Workspace

PLAN = """version: 1
accounts:
  mastodon: ["{handle}"]
objectives:
  - id: reach
tactics:
  - {{id: toots, serves: [reach], match: {{accounts: ["{handle}"]}}}}
"""


def _by_hand(path: Path) -> dict[str, int]:
    """Statuses (Create and Announce), and posts: those that reply to nothing."""
    items = json.loads(path.read_text(encoding="utf-8"))["orderedItems"]
    replies = [i for i in items if isinstance(i["object"], dict) and i["object"].get("inReplyTo")]
    return {"statuses": len(items), "posts": len(items) - len(replies)}


@pytest.mark.parametrize("handle", ["dealingwith", "@dealingwith", "@dealingwith@indieweb.social",
                                    "@DealingWith@IndieWeb.Social"])
def test_every_spelling_of_the_account_owns_the_outbox(shared_data: Path, tmp_path: Path, handle: str) -> None:
    """Before: only `@dealingwith@indieweb.social` owned it; with `dealingwith` all 1,586 statuses were the
    audience's ("marked as owned but the plan does not list: 1,586"), and the 4 that link to one of its own
    statuses (`https://indieweb.social/@dealingwith/1107...`) plus 2 that start with '@dealingwith' were 6
    "inbound" messages, none answered."""
    path = shared_data / "mastodon" / "dealingwith" / "outbox.json"
    want = _by_hand(path)
    assert want == {"statuses": 1586, "posts": 1164}
    ws = Workspace(tmp_path)
    ws.plan_path.write_text(PLAN.format(handle=handle), encoding="utf-8")
    ws.ingest([path])
    result = ws.measure(metrics=["posts", "inbound_messages", "response_rate"])
    assert result.value("posts") == want["posts"]
    assert result.value("inbound_messages") in (None, 0)
    assert result.value("response_rate") is None
    assert result.data_quality["source_owned_not_in_plan"] == 0
    assert result.data_quality["owned_unattributed"] == 0
    by_tactic = ws.measure(metrics=["posts"], by="tactic")
    assert by_tactic.value("posts", "toots") == want["posts"]
