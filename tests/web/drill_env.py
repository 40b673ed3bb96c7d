"""A small served workspace for the drill-down tests (objective, tactic, account and posts pages), every
figure chosen so it can be checked by hand.

Posts (owned, on x unless said):
  x:1   drillco, campaign threads (tactic threads): 1,000 impressions, 800 reach, 30 engagements (3.0%)
  x:2   drillco, no tactic: 2,000 impressions, 200 engagements (10.0%), 2 replies from fans
  x:5   drillco, no tactic: 1,000 impressions, 20 engagements (2.0%)
  instagram:9  drill.ig, campaign reels (tactic reels): 500 impressions, 10 engagements (2.0%)
  x:100 deska (tactic desk-a): 100 impressions, 1 engagement (1.0%), 30 replies from fans, none answered
  x:200 deskb (tactic desk-b): 100 impressions, 2 engagements (2.0%), 30 replies from fans, none answered
Spend: threads 120 EUR. Objective `dialogue` (response rate target 90%): both desks answer 0 of 30, so both
miss and its strategy is failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from strategyfirst.appdb import connect
from strategyfirst.web import Settings, create_app
from strategyfirst.web.state import AppState, open_state
from strategyfirst.workspace import Workspace
from tests.web.env import PASSWORD, login

PLAN = """\
version: 1
organisation: Drill Co
owner: Pat
horizon: {start: 2026-01-01, end: 2026-06-30}
budget: {total: 1000, currency: EUR}
accounts:
  x: ["@drillco", "@deska", "@deskb"]
  instagram: ["drill.ig"]
strategy:
  statement: Build a permission asset so we can grow our influence with our best customers over time.
  audiences: [makers]
objectives:
  - id: engage
    statement: People engage with what we post
    kpis:
      - {metric: engagement_rate, target: 0.05}
  - id: dialogue
    statement: Answer the people who write to us
    kpis:
      - {metric: response_rate, target: 0.9}
tactics:
  - id: threads
    channel: x
    serves: [engage]
    owner: Pat
    budget: 300
    match: {accounts: ["@drillco"], campaign: threads}
  - id: reels
    channel: instagram
    serves: [engage]
    owner: Sam
    budget: 200
    match: {campaign: reels}
  - id: desk-a
    channel: x
    serves: [dialogue]
    owner: Ana
    budget: 250
    match: {accounts: ["@deska"]}
  - id: desk-b
    channel: x
    serves: [dialogue]
    owner: Bo
    budget: 250
    match: {accounts: ["@deskb"]}
"""
HEADER = ("message_id,platform,account,owned,created_at,kind,text,in_reply_to,url,campaign,impressions,reach,"
          "engagements\n")
POSTS = HEADER + """\
x:1,x,drillco,true,2026-01-05 10:00:00,post,"First <b>thread</b> & more
second line",,https://x.com/drillco/status/1,threads,1000,800,30
x:2,x,drillco,true,2026-01-12 10:00:00,post,Plain post,,https://x.com/drillco/status/2,,2000,1500,200
x:3,x,fan,false,2026-01-12 11:00:00,reply,@drillco nice,x:2,,,,,
x:4,x,fan2,false,2026-01-12 12:00:00,reply,@drillco cool,x:2,,,,,
x:5,x,drillco,true,2026-01-20 10:00:00,post,Another plain one,,javascript:alert(1),,1000,900,20
instagram:9,instagram,drill.ig,true,2026-02-01 09:00:00,post,Reel one,,https://instagram.com/p/9,reels,500,400,10
x:100,x,deska,true,2026-01-02 09:00:00,post,Desk A is open,,https://x.com/deska/status/100,,100,90,1
x:200,x,deskb,true,2026-01-02 09:00:00,post,Desk B is open,,https://x.com/deskb/status/200,,100,90,2
""" + "".join(f"x:{1000 + i},x,user{i},false,2026-01-{3 + i % 20:02d} 10:00:00,reply,help please,x:100,,,,,\n"
              for i in range(30)) \
    + "".join(f"x:{2000 + i},x,user{i},false,2026-01-{3 + i % 20:02d} 11:00:00,reply,help please,x:200,,,,,\n"
              for i in range(30))
SPEND = "date,platform,tactic,campaign,amount,currency\n2026-01-05,x,threads,,120,EUR\n"


@dataclass
class DrillEnv:
    root: Path
    ws: Workspace
    app: FastAPI
    state: AppState

    def login(self, email: str = "viewer@drill.example") -> TestClient:
        return login(TestClient(self.app), self.state, email)


def build_drill(root: Path, posts: str = POSTS, spend: str | None = SPEND, plan: str = PLAN) -> DrillEnv:
    """The workspace `drill` with the plan (above by default) and the posts (and spend) imported, served."""
    ws = Workspace(root / "drill")
    ws.ensure().plan_path.write_text(plan, encoding="utf-8")
    (root / "posts.csv").write_text(posts, encoding="utf-8")
    files = [root / "posts.csv"]
    if spend is not None:
        (root / "spend.csv").write_text(spend, encoding="utf-8")
        files.append(root / "spend.csv")
    state = open_state(Settings(workspaces=[ws.root], db_url=f"sqlite:///{root / 'app.sqlite'}"))
    served = state.workspaces["drill"]
    served.ingest(files)
    db = connect(state.db.url)
    db.add_user("viewer@drill.example", PASSWORD, "viewer", "drill")
    db.add_user("editor@drill.example", PASSWORD, "editor", "drill")
    return DrillEnv(root, served, create_app(state.settings, state), state)


def flat(html: str) -> str:
    """A page's HTML on one line, runs of whitespace as one space (for assertions on its text)."""
    return " ".join(html.split())
