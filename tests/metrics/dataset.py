"""One small hand-made organisation used by the metric tests: messages, audience, spend and a plan.

The comments give what each row is for; expected values in the tests are worked out from these rows by hand
or by tests/metrics/reference.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from strategyfirst.workspace import Workspace
from tests.metrics.helpers import msg, warehouse

PLAN_YAML = """
version: 1
organisation: Acme Outdoor
owner: Jane
horizon: {start: 2026-01-01, end: 2026-12-31}
budget: {total: 30000, currency: EUR}
accounts:
  x: ["@Acme", "@AcmeHelp"]
  facebook: ["Acme Outdoor"]
strategy: {statement: Build a permission asset}
objectives:
  - id: dialogue
    kpis: [{metric: response_rate, target: 0.9}]
  - id: awareness
    kpis: [{metric: impressions, target: 10000}]
tactics:
  - {id: care-desk, serves: [dialogue], budget: 12000, match: {accounts: ["@acmehelp"]}}
  - {id: brand, serves: [dialogue, awareness], budget: 5000, match: {accounts: [Acme], platform: [x]}}
  - id: summit
    serves: [awareness]
    budget: 8000
    period: {start: 2026-05-01, end: 2026-06-30}
    match: {hashtags: ["#AcmeSummit"]}
  - {id: spring, serves: [awareness], budget: 1000, match: {campaign: [spring]}}
  - {id: fb, serves: [awareness], budget: 2000, match: {accounts: ["Acme Outdoor"]}}
"""


def messages() -> list[dict[str, Any]]:
    return [
        msg("1", "c1", False, "2026-01-05 10:00", text="@AcmeHelp my order is late, this is terrible"),
        msg("2", "AcmeHelp", True, "2026-01-05 10:30", text="@c1 sorry, we will fix it", reply_to="1"),
        msg("3", "AcmeHelp", True, "2026-01-05 11:00", text="@c1 done", reply_to="1"),  # not the earliest
        msg("4", "c1", False, "2026-01-05 10:45", text="@AcmeHelp thanks, that is great", reply_to="2"),
        msg("5", "c2", False, "2026-01-06 09:00", text="@acmehelp @Acme where is my refund?"),  # two accounts
        msg("6", "Acme", True, "2026-01-06 09:20", text="@c2 on its way", reply_to="5"),
        msg("7", "c3", False, "2026-01-07 12:00", text="hello @ACME. anyone there?"),  # unanswered
        msg("8", "c4", False, "2026-01-07 12:30", text="@AcmeX is not them"),  # not an owned handle
        msg("9", "Acme", True, "2026-05-10 09:00", text="Summit is coming #AcmeSummit", impressions=1000,
            engagements=50, reach=800, clicks=20, shares=5, follows=3),
        msg("10", "Acme", True, "2026-02-01 09:00", text="New boots", campaign="Spring", impressions=500,
            likes=10, comments=2, shares=3, clicks=4, url="https://acme.example/boots?utm_campaign=spring"),
        msg("11", "c5", False, "2026-05-10 13:00", text="Love it! #acmesummit", reply_to="9"),
        msg("12", "Acme", True, "2026-05-10 12:00", text="@c5 thanks", reply_to="11"),  # negative gap
        msg("13", "AcmeHelp", True, "2026-02-02 08:00", text="@c9 following up", reply_to="999"),  # no parent
        msg("14", "c2", False, None, text="@Acme hi"),  # no timestamp
        msg("15", "Acme Outdoor", True, "2026-03-01 10:00", platform="facebook", text="Trail day",
            impressions=200, reach=150, engagements=30, spend=12.5),
        msg("16", "Acme", True, "2026-05-10 14:00", text="more info", reply_to="9"),  # owned -> owned
        msg("17", "c6", False, "2026-01-08 08:00", text="random chatter"),
    ]


def audience() -> list[dict[str, Any]]:
    d = dt.date.fromisoformat
    return [
        {"date": d("2026-01-01"), "platform": "x", "account": "Acme", "metric": "followers", "value": 1000.0,
         "gained": None, "lost": None, "import_id": 2},
        {"date": d("2026-01-31"), "platform": "x", "account": "Acme", "metric": "followers", "value": 1100.0,
         "gained": None, "lost": None, "import_id": 2},
        {"date": d("2026-02-28"), "platform": "x", "account": "Acme", "metric": "followers", "value": 1150.0,
         "gained": None, "lost": None, "import_id": 2},
        {"date": d("2026-01-01"), "platform": "facebook", "account": "Acme Outdoor", "metric": "page_likes",
         "value": 500.0, "gained": 10.0, "lost": 2.0, "import_id": 2},
        {"date": d("2026-01-02"), "platform": "facebook", "account": "Acme Outdoor", "metric": "page_likes",
         "value": 508.0, "gained": 5.0, "lost": 1.0, "import_id": 2},
        {"date": d("2026-01-15"), "platform": "email", "account": "newsletter", "metric": "subscribers",
         "value": None, "gained": 30.0, "lost": 5.0, "import_id": 2},
    ]


def spend() -> list[dict[str, Any]]:
    d = dt.date.fromisoformat
    return [
        {"date": d("2026-05-15"), "platform": "x", "tactic": "summit", "campaign": None, "amount": 300.0,
         "currency": "EUR", "import_id": 3},
        {"date": d("2026-02-10"), "platform": "x", "tactic": None, "campaign": "spring", "amount": 100.0,
         "currency": "EUR", "import_id": 3},
        {"date": d("2026-01-10"), "platform": "email", "tactic": None, "campaign": None, "amount": 50.0,
         "currency": "EUR", "import_id": 3},
    ]


# Hand-worked attribution of the rows above to the plan's tactics (owned under their author, inbound under
# the account they address; summit also by hashtag within May-June).
ATTRIBUTION = {
    "x:1": {"care-desk"}, "x:2": {"care-desk"}, "x:3": {"care-desk"}, "x:4": {"care-desk"},
    "x:5": {"care-desk", "brand"}, "x:6": {"brand"}, "x:7": {"brand"}, "x:9": {"brand", "summit"},
    "x:10": {"brand", "spring"}, "x:11": {"brand", "summit"}, "x:12": {"brand"}, "x:13": {"care-desk"},
    "x:14": {"brand"}, "facebook:15": {"fb"}, "x:16": {"brand"},
}


def workspace(root: Path) -> Workspace:
    """A workspace folder holding this plan and a warehouse of these rows."""
    (root / "strategy.yaml").write_text(PLAN_YAML, encoding="utf-8")
    ws = Workspace(root).ensure()
    warehouse(ws.warehouse_path.parent, messages(), audience=audience(), spend=spend()).close()
    return ws
