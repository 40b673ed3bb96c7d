"""The dialogue page's response-time bars and "Waiting longest" table up to a day: a reply written after it
was not there yet, so its message was still waiting (unanswered, for as long as the day allowed). Minutes by
hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from strategyfirst.appdb import ENV_VAR
from strategyfirst.web import services
from strategyfirst.workspace import Workspace
from tests.metrics.helpers import derived_workspace, msg

PLAN = "version: 1\naccounts: {x: [\"@Acme\"]}\n"
NOW = dt.datetime(2026, 3, 1, 12, 0)
DAY_10, DAY_11 = dt.date(2026, 1, 10), dt.date(2026, 1, 11)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.delenv(ENV_VAR, raising=False)
    return derived_workspace(tmp_path, PLAN, [
        msg("1", "c1", False, "2026-01-10 12:00", text="@acme anyone?"),
        msg("2", "Acme", True, "2026-01-10 12:20", text="@c1 here", reply_to="1"),       # 20 minutes
        msg("3", "c2", False, "2026-01-10 20:00", text="@acme late question"),
        msg("4", "Acme", True, "2026-01-11 05:00", text="@c2 morning!", reply_to="3"),  # 540 minutes, the 11th
        msg("5", "Acme", True, "2026-01-12 06:00", text="news"),                       # the latest data
    ])


def test_the_bars_count_a_reply_after_the_day_as_none(ws: Workspace) -> None:
    bars = dict(services.reply_buckets(ws, None, DAY_10))
    assert bars["< 15 min"] == 0 and bars["15–60 min"] == 1 and bars["4–24 h"] == 0 and bars["unanswered"] == 1
    bars = dict(services.reply_buckets(ws, None, DAY_11))
    assert bars["15–60 min"] == 1 and bars["4–24 h"] == 1 and bars["unanswered"] == 0
    assert dict(services.reply_buckets(ws, None, None)) == bars  # all data


def test_the_table_shows_it_waiting_until_the_end_of_the_day(ws: Workspace) -> None:
    def waits(**ask: object) -> list[tuple[str, bool, float]]:
        got = services.waiting_longest(ws, ask.pop("since", None), ask.pop("until", None), now=NOW,  # type: ignore[arg-type]
                                       **ask)  # type: ignore[arg-type]
        return [(str(r["created_at"])[11:16], bool(r["unanswered"]), float(r["minutes"])) for r in got]

    # up to the 10th: message 3 (20:00) unanswered, waiting to 11 January 00:00 = 240 minutes
    assert waits(until=DAY_10) == [("20:00", True, 240.0), ("12:00", False, 20.0)]
    assert waits(as_of=DAY_10) == [("20:00", True, 240.0), ("12:00", False, 20.0)]
    # up to the 11th: answered after 540 minutes
    assert waits(until=DAY_11) == [("20:00", False, 540.0), ("12:00", False, 20.0)]
    assert waits() == [("20:00", False, 540.0), ("12:00", False, 20.0)]


@pytest.fixture
def unaddressed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """The messages of `ws` and c3's, which neither mentions nor answers Acme: inbound only by Acme's reply on
    the 11th (rule (b) of metrics.md), 540 minutes later."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    return derived_workspace(tmp_path, PLAN, [
        msg("1", "c1", False, "2026-01-10 12:00", text="@acme anyone?"),
        msg("2", "Acme", True, "2026-01-10 12:20", text="@c1 here", reply_to="1"),       # 20 minutes
        msg("3", "c2", False, "2026-01-10 20:00", text="@acme late question"),
        msg("6", "c3", False, "2026-01-10 21:00", text="my bike is broken"),
        msg("7", "Acme", True, "2026-01-11 06:00", text="@c3 we can help", reply_to="6"),  # 540 minutes
        msg("5", "Acme", True, "2026-01-12 06:00", text="news"),
    ])


def test_a_message_inbound_only_by_a_later_reply_was_not_waiting(unaddressed: Workspace) -> None:
    # Up to the 10th c3's message was nobody's inbound message: message 3 alone waits (240 minutes to midnight).
    got = services.waiting_longest(unaddressed, None, DAY_10, now=NOW)
    assert [(str(r["created_at"])[11:16], bool(r["unanswered"]), float(r["minutes"])) for r in got] == [
        ("20:00", True, 240.0), ("12:00", False, 20.0)]
    bars = dict(services.reply_buckets(unaddressed, None, DAY_10))
    assert bars["15–60 min"] == 1 and bars["4–24 h"] == 0 and bars["unanswered"] == 1
    # Up to the 11th it was, and answered after 540 minutes; message 3 was still waiting (no reply ever).
    got = services.waiting_longest(unaddressed, None, DAY_11, now=NOW)
    assert [(str(r["created_at"])[11:16], bool(r["unanswered"]), float(r["minutes"])) for r in got] == [
        ("20:00", True, 1680.0), ("21:00", False, 540.0), ("12:00", False, 20.0)]
    bars = dict(services.reply_buckets(unaddressed, None, DAY_11))
    assert bars["4–24 h"] == 1 and bars["unanswered"] == 1
