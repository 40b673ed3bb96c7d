"""drill_env.py's workspace with a permission objective like QA's: audience growth (baseline 0, target 100 by the
horizon's end, 2026-06-30) of the email list `letter`, 40 subscribers on 2026-02-01 and 39 on 2026-02-20: one
measured point (growth 39 - 40 = -1 on 2026-02-20) and a forecast without an interval (too few periods)."""

from __future__ import annotations

from tests.web.drill_env import PLAN

KPI_PLAN = PLAN.replace('  instagram: ["drill.ig"]\n', '  instagram: ["drill.ig"]\n  email: ["letter"]\n').replace(
    "tactics:\n", """  - id: permission
    statement: Grow the list
    kpis:
      - {metric: audience_growth, baseline: 0, target: 100}
tactics:
  - id: letters
    channel: email
    serves: [permission]
    owner: Pat
    budget: 100
    match: {accounts: [letter]}
""")
AUDIENCE = """\
date,platform,account,metric,value
2026-02-01,email,letter,subscribers,40
2026-02-20,email,letter,subscribers,39
"""
