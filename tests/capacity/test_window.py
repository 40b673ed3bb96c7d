"""The window capacity takes its volume from (issue 13.5): the latest stretch with data on most days, stated in
the output, and robust to isolated stragglers. On the real twcs sample plus synthetic stragglers."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest
from rich.console import Console

from strategyfirst import Workspace
from strategyfirst.capacity import plan_capacity
from strategyfirst.capacity.render import render_text
from strategyfirst.capacity.volume import MAX_WEEKS, choose_window, told_length
from strategyfirst.report.adapt import capacity_view
from tests.metrics.test_owned_by_plan import BRANDS, PLAN, by_hand


def _when(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y").astimezone(dt.UTC).replace(tzinfo=None)


def _with_stragglers(sample: Path, out: Path) -> Path:
    """The sample with three customer tweets to @AppleSupport from 2011 and 2016 (the issue's stragglers)."""
    shutil.copyfile(sample, out)
    with out.open("a", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(["900001", "900001", "True", "Mon May 02 10:15:00 +0000 2011", "@AppleSupport hi", "", ""])
        w.writerow(["900002", "900002", "True", "Tue Mar 01 09:00:00 +0000 2016", "@AppleSupport help", "", ""])
        w.writerow(["900003", "900003", "True", "Fri Jul 15 14:30:00 +0000 2016", "@Tesco where", "", ""])
    return out


def test_stragglers_do_not_stretch_the_window(shared_data: Path, tmp_path: Path) -> None:
    path = _with_stragglers(shared_data / "twcs" / "sample.csv", tmp_path / "twcs.csv")
    ws = Workspace(tmp_path / "ws")
    ws.ensure()
    ws.plan_path.write_text(PLAN, encoding="utf-8")
    ws.ingest([path])
    cp = plan_capacity(ws, target_minutes=60)

    # By hand: the plan's inbound tweets, by day; the window is the three October 2017 days.
    rows = {r["tweet_id"]: r for r in csv.DictReader(path.open(newline="", encoding="utf-8"))}
    inbound = by_hand(path, BRANDS)["inbound_ids"]
    times = sorted(_when(rows[t]["created_at"]) for t in inbound)
    recent = [t for t in times if t.year == 2017]
    assert len(times) - len(recent) == 3
    assert cp.window is not None
    assert (cp.window.start, cp.window.end) == (dt.date(2017, 10, 10), dt.date(2017, 10, 12))
    assert cp.messages == len(recent) and cp.window.left_out == 3
    # The span is the hours from the first to the last recent message, not 2011 to 2017.
    hours = (recent[-1].replace(minute=0, second=0) - recent[0].replace(minute=0, second=0)).total_seconds()
    assert cp.weeks_of_data == pytest.approx((hours / 3600 + 1) / 168)
    # Each hour of week's arrivals: its messages over the times that hour occurs in the span (once here).
    count = Counter((t.weekday(), t.hour) for t in recent)
    by = {(r.weekday, r.hour): r.arrivals_per_hour for r in cp.hours}
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    for (weekday, hour), n in count.items():
        assert by[(days[weekday], hour)] == pytest.approx(n), (weekday, hour)
    stated = " ".join(cp.notes)
    assert "from 2017-10-10 to 2017-10-12" in stated and "no gap over 7 days" in stated
    # One count of weeks on the page: the three-day window is told in days, not as a second "0.4 weeks".
    assert "(3 days, data on 3 of 3 days)" in cp.window.statement and "weeks," not in cp.window.statement
    assert "3 messages outside it (2011-05-02 to 2016-07-15) left out" in stated
    assert cp.to_dict()["window"]["messages_left_out"] == 3
    # ... and so is every other text about the volume's length: the CLI's volume line and the thin-data note
    # (they said '0.2 weeks', a second count beside the window's '3 days')
    assert cp.to_dict()["window"]["length"] == "3 days"
    console = Console(record=True, width=200)
    render_text(cp, console)
    text = console.export_text()
    assert f"Volume: {len(recent)} messages over 3 days (inbound)." in text.splitlines()
    assert "note: only 3 days of data: hour-of-week averages are rough; 8+ weeks are better" in text
    assert " weeks" not in text.replace("8+ weeks", "").replace("more than a week", "")
    view = capacity_view(cp)  # the report states it too
    assert view is not None and view.assumptions[0] == cp.window.statement


def test_the_window_is_the_latest_stretch_that_holds_a_real_share() -> None:
    d = dt.date
    six_weeks = [(d(2017, 9, 1) + dt.timedelta(days=i), 120) for i in range(42)]
    # One 2011 and two 2016 tweets (the issue), and a lone tweet after the bulk: none is a stretch.
    days = [(d(2011, 5, 2), 1), (d(2016, 3, 1), 1), (d(2016, 7, 15), 1), *six_weeks, (d(2017, 12, 1), 1)]
    w = choose_window(days)
    assert w is not None and (w.start, w.end) == (d(2017, 9, 1), d(2017, 10, 12))
    assert (w.days, w.days_with_data, w.left_out) == (42, 42, 4)
    assert "(6.0 weeks, data on 42 of 42 days)" in w.statement  # two weeks or more: told in weeks
    assert [told_length(n) for n in (1, 2, 13, 14, 42)] == ["1 day", "2 days", "13 days", "2.0 weeks", "6.0 weeks"]
    # A long dense history is cut to its most recent MAX_WEEKS weeks.
    long = [(d(2015, 1, 1) + dt.timedelta(days=i), 5) for i in range(3 * 365)]
    w = choose_window(long)
    assert w is not None and w.capped and w.days == MAX_WEEKS * 7 and w.end == long[-1][0]
    assert choose_window([]) is None


def test_volume_binds_no_python_parameters() -> None:
    """The time zone and the window are written into the SQL: binding Python values makes DuckDB import pandas
    (~0.5 s of every report). Two messages, 10:00 UTC on Monday and 11:30 UTC on Tuesday, in Berlin (UTC+1 in
    January): Monday 11:00 and Tuesday 12:00 each hold one message and occur once between them."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = ("import json, sys, duckdb\nfrom strategyfirst.capacity.volume import volume_from_connection\n"
              "con = duckdb.connect()\ncon.execute(\"CREATE TABLE inbound (created_at TIMESTAMP)\")\n"
              "con.execute(\"INSERT INTO inbound VALUES ('2026-01-05 10:00'), ('2026-01-06 11:30')\")\n"
              "v = volume_from_connection(con, 'Europe/Berlin')\n"
              "print(json.dumps({'messages': v.messages, 'weeks': v.weeks, 'mon11': v.arrivals[0][11],\n"
              "                  'tue12': v.arrivals[1][12], 'total': v.weekly_total,\n"
              "                  'pandas': 'pandas' in sys.modules}))")
    src = Path(__file__).resolve().parents[2] / "src"
    done = subprocess.run([sys.executable, "-c", script], env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, check=True)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got == {"messages": 2, "weeks": 26 / 168, "mon11": 1.0, "tue12": 1.0, "total": 2.0, "pandas": False}
