"""A simulated organisation through the real pipeline: every report section has content, in Chromium too."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from strategyfirst.appdb import open_appdb
from strategyfirst.simulate import simulate
from strategyfirst.workspace import Workspace
from tests.conftest import require
from tests.report.test_browser import ARTIFACTS, CHROMIUM_ARGS
from tests.report.test_render import SECTIONS

pytestmark = pytest.mark.slow
DECISION = "Stop the summit contest <script>alert(1)</script>"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, str]:
    """A small simulated year, ingested, one decision recorded, and its report."""
    root = tmp_path_factory.mktemp("sim") / "northwind"
    summary = simulate(root, events=3000, seed=7)
    ws = Workspace(root)
    summary.ingest_into(ws)
    db = open_appdb(ws)
    db.record_decision(db.slug, DECISION, tactic="summit-contest")
    return ws, ws.report().read_text(encoding="utf-8")


def test_every_section_of_a_simulated_year_has_content(simulated: tuple[Workspace, str]) -> None:
    ws, html = simulated
    assert re.findall(r'data-missing="([a-z_]+)"', html) == []
    plan = ws.plan_document().plan
    kpis = sum(len(o.kpis) for o in plan.objectives)
    assert len(re.findall(r'<tr data-status="(?:on_track|at_risk|off_track|met|no_data)">', html)) == kpis
    # one chart per KPI, then response times, response rate, sentiment lift, audience, capacity
    assert html.count('data-chart="kpi"') == kpis
    assert html.count("<svg") == kpis + 5
    assert "Stop the summit contest &lt;script&gt;" in html and "<script" not in html


def test_simulated_report_opens_cleanly_in_chromium(simulated: tuple[Workspace, str]) -> None:
    chromium = shutil.which("chromium")
    require(chromium is not None, "Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ws, html = simulated
    path: Path = ws.root / "report.html"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: problems.append(r.url) if r.url != path.as_uri() else None)
        page.goto(path.as_uri(), wait_until="load")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-simulated.png"), full_page=True)
        for section in SECTIONS:
            assert page.locator(f"section#{section}").is_visible(), section
        assert page.locator("figure.chart svg").count() == html.count("<svg")
        browser.close()
    assert problems == []


def test_audience_growth_agrees_between_kpi_and_report_table(simulated: tuple[Workspace, str]) -> None:
    """Issue 13.4: one definition, one code path; on the demo the KPI and the report's table agree."""
    import json

    from strategyfirst.report.gather import gather_report_data

    ws, _ = simulated
    data = gather_report_data(ws)
    (kpi,) = [k for k in data.kpis if k.metric == "audience_growth"]
    table = {g.key: g.growth for g in data.audience_growth}
    # The permission objective's tactics: the newsletter and the contest account.
    assert kpi.actual == table["newsletter"] + table["NorthwindSummit"]
    truth = json.loads((ws.root / "truth.json").read_text(encoding="utf-8"))
    assert kpi.actual == truth["objectives"]["permission"]["realised"]["audience_growth"]
    assert all(g.gap == "" for g in data.audience_growth)  # daily data without gaps
