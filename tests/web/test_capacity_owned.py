"""Capacity staffs for the inbound messages of the plan's owned accounts only, as every measurement counts them
(metrics.md, "owned accounts"). QA: the Readiness page and `strategyfirst capacity` planned staff on "49 messages
over 3 days" written to twcs brands the plan does not own, while `measure --metric inbound_messages` gave 0.

The plan owns @acme on x. The export also holds @otherbrand's post, flagged owned by the source (the plan's
`accounts` list x accounts, so on x only @acme is owned), and 5 customer replies to it, 2026-03-02 to 03-04.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from strategyfirst.appdb import dispose
from strategyfirst.capacity import plan_capacity
from strategyfirst.cli import app as cli
from strategyfirst.workspace import Workspace
from tests.web.drill_env import HEADER, build_drill

PLAN = """\
version: 1
organisation: Care Co
owner: Pat
horizon: {start: 2026-03-01, end: 2026-06-30}
budget: {total: 1000, currency: EUR}
accounts:
  x: ["@acme"]
strategy:
  statement: Build a permission asset so we can grow our influence with our best customers over time.
  audiences: [makers]
objectives:
  - id: dialogue
    statement: Answer the people who write to us
    kpis:
      - {metric: first_response_minutes_median, target: 60}
tactics:
  - id: desk
    channel: x
    serves: [dialogue]
    owner: Pat
    budget: 1000
    match: {accounts: ["@acme"]}
readiness:
  response:
    handling_minutes: 6
    timezone: UTC
    staffing:
      - {days: [mon, tue, wed, thu, fri], hours: 09-17, people: 1}
"""
POSTS = HEADER + """\
x:1,x,acme,true,2026-03-02 09:00:00,post,Hello from acme,,https://x.com/acme/status/1,,100,90,1
x:2,x,otherbrand,true,2026-03-02 09:00:00,post,Hello from another brand,,https://x.com/o/status/2,,100,90,1
""" + "".join(f"x:{10 + i},x,customer{i},false,2026-03-0{2 + i % 3} 10:0{i}:00,reply,@otherbrand help,x:2,,,,,\n"
              for i in range(5))
# three customers also write to @acme (Tuesday 2026-03-03, 11:00-11:02)
TO_ACME = "".join(f"x:{20 + i},x,fan{i},false,2026-03-03 11:0{i}:00,reply,@acme hi,x:1,,,,,\n" for i in range(3))


def capacity_json(root: Path) -> dict:
    result = CliRunner().invoke(cli, ["capacity", "--format", "json", "-w", str(root / "drill")])
    assert result.exit_code == 0, result.output
    data: dict = json.loads(result.stdout)
    return data


def test_no_capacity_for_messages_to_accounts_the_plan_does_not_own(tmp_path: Path) -> None:
    env = build_drill(tmp_path, posts=POSTS, spend=None, plan=PLAN)
    try:
        viewer = env.login()
        measured = viewer.get("/api/v1/workspaces/drill/measure?metric=inbound_messages").json()
        assert [r["value"] for r in measured["rows"]] in ([0], [None], [])
        page = " ".join(viewer.get("/w/drill/readiness").text.split())
        assert "No data yet: no inbound messages measured" in page and "Volume: 5 messages" not in page
        assert viewer.get("/api/v1/workspaces/drill/capacity").json()["messages"] == 0
        data = capacity_json(tmp_path)
        assert (data["messages"], data["volume_source"], data["gaps"]) == (0, "none", [])
        assert plan_capacity(Workspace(tmp_path / "drill")).messages == 0
    finally:
        dispose(f"sqlite:///{tmp_path / 'app.sqlite'}")


def test_capacity_counts_the_messages_to_owned_accounts_only(tmp_path: Path) -> None:
    env = build_drill(tmp_path, posts=POSTS + TO_ACME, spend=None, plan=PLAN)
    try:
        viewer = env.login()
        # 3 to @acme; the 5 to @otherbrand are nobody's inbound under this plan
        measured = viewer.get("/api/v1/workspaces/drill/measure?metric=inbound_messages").json()
        assert [r["value"] for r in measured["rows"]] == [3]
        data = capacity_json(tmp_path)
        assert (data["messages"], data["volume_source"]) == (3, "inbound")
        tuesday_11 = next(h for h in data["hours"] if (h["weekday"], h["hour"]) == ("tue", 11))
        assert tuesday_11["arrivals_per_hour"] == pytest.approx(3.0)  # one Tuesday 11:00 in the window
        page = " ".join(viewer.get("/w/drill/readiness").text.split())
        assert "Volume: 3 messages over 1 day" in page
    finally:
        dispose(f"sqlite:///{tmp_path / 'app.sqlite'}")
