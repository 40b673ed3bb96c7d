"""`services.waiting_longest` (the dialogue page's "Waiting longest" table and `dialogue-waiting.csv`): an
unanswered message waits until the as-of moment, never past the latest data time nor now; hours by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from strategyfirst.appdb import ENV_VAR
from strategyfirst.web import services
from strategyfirst.workspace import Workspace
from tests.metrics.helpers import derived_workspace, msg

PLAN = "version: 1\naccounts: {x: [\"@Acme\"]}\n"
NOW = dt.datetime(2026, 3, 1, 12, 0)  # "today", well after the data


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.delenv(ENV_VAR, raising=False)
    return derived_workspace(tmp_path, PLAN, [
        msg("1", "Acme", True, "2026-01-10 09:00", text="news"),
        msg("2", "c1", False, "2026-01-10 10:00", text="@acme help"),        # never answered
        msg("3", "c2", False, "2026-01-10 12:00", text="@acme anyone?"),
        msg("4", "Acme", True, "2026-01-10 13:30", text="@c2 here", reply_to="3"),  # 90 minutes
        msg("5", "Acme", True, "2026-01-11 06:00", text="more news"),        # the latest data time
    ])


def waits(ws: Workspace, **ask: object) -> list[tuple[str, bool, float]]:
    ask.setdefault("since", None)
    ask.setdefault("until", None)
    ask.setdefault("now", NOW)
    return [(str(r["created_at"])[11:16], bool(r["unanswered"]), float(r["minutes"]))
            for r in services.waiting_longest(ws, **ask)]  # type: ignore[arg-type]


def test_a_window_into_the_future_waits_until_the_latest_data(ws: Workspace) -> None:
    # before: until 2200-01-01 made the unanswered message wait to 2200-01-02: 91,502,760 minutes, 174 years
    # now: to the latest data time, the post of 11 January 06:00: 10:00 -> 06:00 next day = 20 h = 1200 min
    assert waits(ws, until=dt.date(2200, 1, 1)) == [("10:00", True, 1200.0), ("12:00", False, 90.0)]
    # all data: the same moment (before: the latest inbound message, 12:00 -> 2 h)
    assert waits(ws) == [("10:00", True, 1200.0), ("12:00", False, 90.0)]


def test_the_window_and_the_as_of_day_end_the_wait(ws: Workspace) -> None:
    # the window ends with 10 January: to 11 January 00:00 = 14 h = 840 min
    assert waits(ws, since=dt.date(2026, 1, 10), until=dt.date(2026, 1, 10))[0] == ("10:00", True, 840.0)
    # an as-of day of 10 January cuts a window reaching 2200 the same way
    assert waits(ws, until=dt.date(2200, 1, 1), as_of=dt.date(2026, 1, 10))[0] == ("10:00", True, 840.0)
    # as of 9 January the message had not arrived: it has not waited (never a negative wait)
    assert waits(ws, as_of=dt.date(2026, 1, 9))[0] == ("10:00", True, 0.0)


def test_never_past_now(ws: Workspace) -> None:
    # a clock at 10 January 16:00 (data dated ahead of it): 10:00 -> 16:00 = 6 h = 360 min
    assert waits(ws, until=dt.date(2200, 1, 1), now=dt.datetime(2026, 1, 10, 16, 0))[0] == ("10:00", True, 360.0)
