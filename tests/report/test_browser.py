"""The report opened in Debian's headless Chromium: every section and chart shows, nothing errs or loads."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.demo import example_plan_text
from strategyfirst.report.render import render_html
from strategyfirst.workspace import Workspace
from tests.conftest import require
from tests.report.sample import full_report_data
from tests.report.test_render import CHARTS_IN_FULL, SECTIONS

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium")
    require(chromium is not None, "Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _open(browser: Any, path: Path, screenshot: str) -> tuple[Any, list[str]]:
    """Open `path`; return the page and every problem seen: console errors, page errors, any request out."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("request", lambda r: problems.append(f"request: {r.url}") if r.url != path.as_uri() else None)
    page.goto(path.as_uri(), wait_until="load")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
    return page, problems


def test_full_report_shows_every_section_and_chart(browser: Any, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_html(full_report_data()), encoding="utf-8")
    page, problems = _open(browser, path, "report-full.png")
    try:
        assert problems == []
        for section in SECTIONS:
            assert page.locator(f"section#{section}").is_visible(), section
        charts = page.locator("figure.chart svg")
        assert charts.count() == CHARTS_IN_FULL
        for i in range(CHARTS_IN_FULL):
            box = charts.nth(i).bounding_box()
            assert box is not None and box["width"] > 200 and box["height"] > 100
        # hostile text is shown as text, and no script ran
        assert '<script>alert("x")</script>' in page.locator("#decisions td").nth(1).inner_text()
        assert page.evaluate("document.scripts.length") == 0
    finally:
        page.close()


def test_report_of_a_plan_without_data_opens_cleanly(browser: Any, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "acme").ensure()
    ws.plan_path.write_text(example_plan_text(), encoding="utf-8")
    page, problems = _open(browser, ws.report(), "report-plan-only.png")
    try:
        assert problems == []
        for section in SECTIONS:
            assert page.locator(f"section#{section}").is_visible(), section
        assert page.locator("#audience p.missing").inner_text().startswith("no data yet: ingest")
    finally:
        page.close()


def test_the_full_report_fits_a_phone(browser: Any, tmp_path: Path) -> None:
    """At 360 px the page never scrolls sideways: a wide table scrolls inside its own box, the plan summary's
    terms stack above their values (a report is often opened from a mail on a phone)."""
    path = tmp_path / "report.html"
    path.write_text(render_html(full_report_data()), encoding="utf-8")
    page = browser.new_page(viewport={"width": 360, "height": 800})
    try:
        page.goto(path.as_uri(), wait_until="load")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-full-360.png"))
        assert page.evaluate("document.documentElement.scrollWidth") == 360
        sections = page.locator("section")
        for i in range(sections.count()):
            box = sections.nth(i).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, i
    finally:
        page.close()


REAL_PLAN = """version: 1
owner: Ann
horizon: {start: 2020-01-01, end: 2020-12-31}
accounts: {x: ["@rOpenSci"], email: [newsletter]}
strategy: {statement: Grow the audience that opted in}
objectives:
  - id: reach
    kpis: [{metric: impressions, target: 5000000}]
tactics:
  - {id: tweets, serves: [reach], owner: Ann, match: {accounts: ["@rOpenSci"]}}
  - {id: newsletter, serves: [reach], owner: Ann, match: {accounts: [newsletter]}}
"""


def _ropensci_2020_report(shared_data: Path, tmp_path: Path) -> Path:
    """The HTML report of REAL_PLAN over @rOpenSci's 2020 X analytics exports, written to a file."""
    from strategyfirst.report.gather import gather_report_data

    ws = Workspace(tmp_path / "ws")
    ws.ensure()
    ws.plan_path.write_text(REAL_PLAN, encoding="utf-8")
    ws.ingest(sorted((shared_data / "x-analytics" / "rOpenSci").glob("*_2020*_en.csv")))
    path = tmp_path / "report.html"
    path.write_text(render_html(gather_report_data(ws)), encoding="utf-8")
    return path


def test_table_captions_read_whole_on_a_phone(browser: Any, shared_data: Path, tmp_path: Path) -> None:
    """The report of real X analytics exports at 360 px: a wide table (the funnel's) scrolls inside its box, and
    its caption (where the chain breaks, and why) reads whole above it, wrapped inside its section: centred over
    the whole table it was cut off at the screen's edge."""
    path = _ropensci_2020_report(shared_data, tmp_path)
    page = browser.new_page(viewport={"width": 360, "height": 800})
    try:
        page.goto(path.as_uri(), wait_until="load")
        assert page.evaluate("document.documentElement.scrollWidth") == 360
        captions = page.locator("table.funnel > caption")
        assert captions.count() >= 2  # the plan's and each tactic's
        wide = page.locator("table.funnel").first.evaluate("t => t.scrollWidth > t.clientWidth")
        assert wide  # the case at hand: the table itself is wider than the screen
        for i in range(captions.count()):
            caption = captions.nth(i)
            box = caption.bounding_box()
            section = caption.locator("xpath=ancestor::section[1]").bounding_box()
            assert box is not None and section is not None, i
            assert box["x"] >= section["x"] and box["x"] + box["width"] <= section["x"] + section["width"], (
                i, caption.inner_text(), box, section)
    finally:
        page.close()


# Lines of text an element wraps into (the distinct tops of its text's line boxes).
_LINES = """e => { const r = document.createRange(); r.selectNodeContents(e);
  return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"""


def test_funnel_headings_and_months_read_whole_on_a_phone(browser: Any, shared_data: Path, tmp_path: Path) -> None:
    """The same report at 360 px: the month heading (2020-12, the latest month of the 2020 exports) is one line,
    never "2020-" / "12"; each heading takes at most two lines, not one word a line (before: "of the step before,
    month before" five lines); the dates of the funnel's sentence are never split at a hyphen either."""
    path = _ropensci_2020_report(shared_data, tmp_path)
    page = browser.new_page(viewport={"width": 360, "height": 800})
    try:
        page.goto(path.as_uri(), wait_until="load")
        headings = page.locator("table.funnel").first.locator("thead th")
        texts = [headings.nth(i).inner_text() for i in range(headings.count())]
        assert texts[1] == "2020-12"
        lines = [headings.nth(i).evaluate(_LINES) for i in range(headings.count())]
        assert lines[1] == 1, texts
        assert max(lines) <= 2, list(zip(texts, lines, strict=True))
        dates = page.locator("#funnel > p").first.locator("span.nowrap")
        assert dates.count() >= 2  # the month's first and last days
        assert all(dates.nth(i).evaluate(_LINES) == 1 for i in range(dates.count()))
    finally:
        page.close()
