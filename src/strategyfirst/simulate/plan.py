"""The simulated organisation's `strategy.yaml`: strategy, three objectives, six tactics, readiness."""

from __future__ import annotations

import datetime as dt
from typing import Any

from strategyfirst.simulate import org
from strategyfirst.simulate.platforms import Platform

TACTIC_BUDGETS = {"care-desk": 12000, "repairs-desk": 8000, "newsletter": 6000, "summit-contest": 8000,
                  "commute-tips": 5000, "ride-stories": 6000}
SOCIAL_BUDGETS = {"instagram-reels": 4000, "tiktok-clips": 3000, "linkedin-updates": 2000}
SOCIAL_OWNERS = {"instagram": "Nadia Costa", "tiktok": "Lee Park", "linkedin": "Maya Lindqvist"}
TOTAL_BUDGET = 60000
KPIS: dict[str, list[dict[str, Any]]] = {
    "permission": [{"metric": "audience_growth", "target": 5000, "by": org.HORIZON_END.isoformat()}],
    "dialogue": [{"metric": "response_rate", "target": 0.85},
                 {"metric": "first_response_minutes_median", "target": 60}],
    "awareness": [{"metric": "engagement_rate", "baseline": 0.01, "target": 0.04}],
}


def _staffing_yaml(blocks: list[dict[str, Any]]) -> str:
    rows = [f"      - {{days: [{', '.join(b['days'])}], hours: \"{b['hours']}\", people: {b['people']}}}"
            for b in blocks]
    return "\n".join(rows) if rows else "      []"


def _kpi_yaml(kpi: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in kpi.items()) + "}"


def _social_accounts(platforms: list[Platform]) -> str:
    return "".join(f'\n  {p.platform}: ["{p.design.account}"]' for p in platforms)


def _social_tactics(platforms: list[Platform]) -> str:
    """A tactic per 2026 platform, serving awareness, matched by platform (each has one account)."""
    return "".join(f"""
  - id: {p.design.tactic}
    channel: {p.platform}
    serves: [awareness]
    owner: {SOCIAL_OWNERS[p.platform]}
    budget: {SOCIAL_BUDGETS[str(p.design.tactic)]}
    match: {{platform: [{p.platform}]}}""" for p in platforms)


def plan_text(staffing: list[dict[str, Any]], platforms: list[Platform] | None = None) -> str:
    """The plan as YAML text (comments say what each part is for); `platforms` add their tactics."""
    platforms = platforms or []
    kpis = {k: "\n".join(f"      - {_kpi_yaml(x)}" for x in v) for k, v in KPIS.items()}
    b = TACTIC_BUDGETS
    contest_last = org.CONTEST_END - dt.timedelta(days=1)
    return f"""\
# Simulated organisation written by `strategyfirst simulate` (see truth.json for what was built in).
version: 1
organisation: {org.ORGANISATION}
owner: Maya Lindqvist <maya@northwind.example>
horizon: {{start: {org.START.isoformat()}, end: {org.HORIZON_END.isoformat()}}}
budget: {{total: {TOTAL_BUDGET}, currency: {org.CURRENCY}}}
review: {{cadence: monthly}}
accounts:
  x: ["@{org.DESKS[0].handle}", "@{org.DESKS[1].handle}", "@{org.BRAND}", "@{org.CONTEST}"]
  facebook: ["{org.FB_PAGE}"]
  email: ["{org.NEWSLETTER}"]{_social_accounts(platforms)}
strategy:
  statement: Build a permission asset so we can keep earning the trust of the riders who already buy from us.
  audiences: [repeat customers, city commuters]
objectives:
  - id: permission
    statement: Grow the opted-in audience among repeat customers
    kpis:
{kpis["permission"]}
  - id: dialogue
    statement: Answer our customers where they talk to us, quickly and every time
    kpis:
{kpis["dialogue"]}
  - id: awareness
    statement: Be the voice city commuters trust on everyday cycling
    kpis:
{kpis["awareness"]}
tactics:
  - id: care-desk
    channel: x
    serves: [dialogue]
    owner: Jonas Berg
    budget: {b["care-desk"]}
    match: {{accounts: ["@{org.DESKS[0].handle}"]}}
  - id: repairs-desk
    channel: x
    serves: [dialogue]
    owner: Tom Weller
    budget: {b["repairs-desk"]}
    match: {{accounts: ["@{org.DESKS[1].handle}"]}}
  - id: newsletter
    channel: email
    serves: [permission]
    owner: Sam Okafor
    budget: {b["newsletter"]}
    match: {{accounts: [{org.NEWSLETTER}]}}
  - id: summit-contest
    channel: x
    serves: [permission]
    owner: Lee Park
    budget: {b["summit-contest"]}
    period: {{start: {org.CONTEST_START.isoformat()}, end: {contest_last.isoformat()}}}
    match: {{accounts: ["@{org.CONTEST}"]}}
  - id: commute-tips
    channel: x
    serves: [awareness]
    owner: Nadia Costa
    budget: {b["commute-tips"]}
    match: {{accounts: ["@{org.BRAND}"]}}
  - id: ride-stories
    channel: facebook
    serves: [awareness]
    owner: Nadia Costa
    budget: {b["ride-stories"]}
    match: {{platform: [facebook], hashtags: ["#RideStories"]}}{_social_tactics(platforms)}
readiness:
  ownership: {{owner: Maya Lindqvist, hours_per_week: 6}}
  leadership: {{support: tolerant}}
  listening: {{done: false}}
  guidelines: {{written: true, escalation: "product team within 4 hours; the owner for a crisis"}}
  response:
    handling_minutes: {org.HANDLING_MINUTES:g}
    timezone: UTC
    staffing:
{_staffing_yaml(staffing)}
  measurement: {{baseline_captured: true, as_of: {org.START.isoformat()}}}
  budget: {{lasts_horizon: "yes"}}
  content: {{plan: true, tied_to_objectives: false}}
"""
