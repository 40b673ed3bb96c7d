"""The dashboard's permission funnel takes the report's month (QA: the dashboard showed "2026-06 against 2026-05",
the latest month of all data, while `strategyfirst report` showed "2021-12 against 2021-11", the as-of month inside
the plan's horizon; and it ignored the view's dates and as-of day).

The workspace of drill_env.py (horizon 2026-01-01 to 2026-06-30) plus one post after the horizon, on 2026-08-03
(reach 40, 5 engagements). Owned reach by month: January 800 + 1,500 + 900 + 90 + 90 = 3,380 (253 engagements:
30 + 200 + 20 + 1 + 2; its last post on the 20th); February the reel's 400 (10 engagements, on the 1st); August
40 (5). A month whose data end before it does is compared day for day (funnel_steps.FunnelReport.dates).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from strategyfirst.appdb import dispose
from strategyfirst.report.gather import gather_report_data
from tests.web.drill_env import POSTS, DrillEnv, build_drill, flat

LATE = "x:300,x,drillco,true,2026-08-03 10:00:00,post,After the horizon,,https://x.com/drillco/status/300,,50,40,5\n"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DrillEnv]:
    root = tmp_path_factory.mktemp("dashboard-funnel")
    built = build_drill(root, posts=POSTS + LATE)
    yield built
    dispose(f"sqlite:///{root / 'app.sqlite'}")


@pytest.fixture(scope="module")
def viewer(env: DrillEnv) -> TestClient:
    return env.login()



def overall(page: str) -> str:
    """The overall funnel's table, without its cells' labels (data-label, shown on a phone's cards)."""
    start = page.index('data-scope="overall"')
    return re.sub(r' data-label="[^"]*"', "", page[start:page.index("</table>", start)])


def unwrapped(page: str) -> str:
    """The page without the spans that keep each day or month on one line (formatting.whole_dates)."""
    return re.sub(r'<span class="nowrap">([^<]*)</span>', r"\1", page)


def row(step: str, value: str) -> str:
    return f'<th scope="row">{step}</th> <td class="num">{value}</td>'


def test_the_dashboard_funnel_is_the_reports_month_inside_the_horizon(env: DrillEnv, viewer: TestClient) -> None:
    page = unwrapped(flat(viewer.get("/w/drill/dashboard").text))
    # the latest data inside the horizon is February's reel (the 1st): February so far, not August
    assert "2026-02-01 to 2026-02-01 (the month so far) against 2026-01-01 to 2026-01-01 (as many days)" in page
    assert "2026-08" not in page
    chain = overall(page)
    assert row("Reach", "400") in chain and row("Engagements", "10") in chain
    # the report of the same workspace shows the same month
    funnel = gather_report_data(env.ws).funnel
    assert funnel is not None and funnel["period"] == "2026-02"


def test_the_dashboard_funnel_follows_the_views_dates_and_as_of_day(viewer: TestClient) -> None:
    january = "?range=custom&since=2026-01-01&until=2026-01-31"
    page = unwrapped(flat(viewer.get("/w/drill/dashboard" + january).text))
    january_so_far = "2026-01-01 to 2026-01-20 (the month so far) against 2025-12-01 to 2025-12-20 (as many days)"
    assert january_so_far in page
    assert row("Reach", "3,380") in overall(page) and row("Engagements", "253") in overall(page)
    page = unwrapped(flat(viewer.get("/w/drill/dashboard?range=all&as_of=2026-01-20").text))
    assert january_so_far in page
    # its downloads keep the view, and give the month the page shows
    assert 'href="/w/drill/funnel.csv?range=custom&amp;since=2026-01-01&amp;until=2026-01-31"' in \
        flat(viewer.get("/w/drill/dashboard" + january).text)
    rows = list(csv.DictReader(io.StringIO(viewer.get("/w/drill/funnel.csv" + january).text)))
    reach = [(r["period"], r["value"]) for r in rows if r["scope"] == "overall" and r["step"] == "reach"]
    assert reach == [("2026-01", "3380")]
    default = list(csv.DictReader(io.StringIO(viewer.get("/w/drill/funnel.csv").text)))
    assert {r["period"] for r in default} == {"2026-02"}


def test_the_funnel_tables_say_what_their_columns_hold(viewer: TestClient) -> None:
    """QA: the column "month before" held the month before's conversion, not its value; the funnel's tables had
    no borders (no `grid` class, unlike every other table); the month's name broke in two at 360 px."""
    page = flat(viewer.get("/w/drill/dashboard").text)
    assert page.count('<table class="grid funnel stack"') >= 1 and '<table class="funnel' not in page
    assert '<table class="grid asset stack"' in page or "The permission asset" not in page
    # each cell labelled with its column's heading, for the cards a phone shows (test_browser_narrow.py)
    start = page.index('data-scope="overall"')
    assert '<th scope="row">Reach</th> <td class="num" data-label="2026-02">400</td>' in page[start:]
    assert 'data-label="conversion, month before"' in page[start:]
    chain = overall(page)
    assert '<th scope="col" class="num nowrap">2026-02</th>' in chain  # .nowrap: on one line
    assert '<th scope="col" class="num">conversion</th>' in chain
    assert '<th scope="col" class="num">conversion, month before</th>' in chain
    assert ">month before<" not in chain
    assert "A step's conversion: its value over the step before's, this month and the month before." in page
    # the days of the sentence above the tables never split at their hyphens on a phone ("2026-" / "02-01")
    assert ('<span class="nowrap">2026-02-01</span> to <span class="nowrap">2026-02-01</span> (the month so far) '
            'against <span class="nowrap">2026-01-01</span>') in page
