"""Every page in Debian's chromium at a desktop (1366 px) and a phone (360 px) width, on a served workspace with
real exports imported (issue 18.7/18.8/18.9): no sideways scroll, zero critical or serious axe-core findings,
no words a person should not read (metric ids, "-0.0", literal backticks, ...), and a screenshot of each page
and width saved as a test artefact (in test-artifacts/web/, or $STRATEGYFIRST_SCREENSHOTS; printed)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.env import ACME_PLAN, PASSWORD
from tests.web.test_browser import EMAIL, browser, serve, watch  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]
WIDTHS = (1366, 360)
PAGES = {"workspaces": "/workspaces", "strategy": "/w/acme", "dashboard": "/w/acme/dashboard",
         "dialogue": "/w/acme/dialogue", "readiness": "/w/acme/readiness", "imports": "/w/acme/imports",
         "plan": "/w/acme/plan", "verdicts": "/w/acme/verdicts", "history": "/w/acme/history?a=1&b=2",
         "decision-form": "/w/acme/decisions/new?tactic=care-desk&text=Hire", "members": "/w/acme/members",
         "api-docs": "/api/v1/docs", "objective": "/w/acme/objectives/dialogue",
         "tactic": "/w/acme/tactics/care-desk", "posts": "/w/acme/posts?sort=engagements",
         "account": "/w/acme/accounts/x/rOpenSci",
         "dashboard-filtered": "/w/acme/dashboard?range=all&account=%40Tesco",
         "dialogue-window": "/w/acme/dialogue?range=custom&since=2017-10-11&until=2017-10-12"}
# words no page should show (issue 18.9): a metric id as a label, a raw probability column, statisticians' words,
# markdown backticks, negative zero, a percentage beside the same ratio as a decimal, a numbered "no X yet"
FORBIDDEN = {
    "metric id": re.compile(r"\b(first_response_minutes_\w+|response_rate|inbound_messages|dialogue_ratio|"
                            r"sentiment_lift|engagement_rate)\b"),
    "probability column": re.compile(r"\bP \d"),
    "dispersion": re.compile(r"\bdispersion\b", re.I),
    "literal backtick": re.compile(r"`"),
    "negative zero": re.compile(r"(?<![\w.])-0(\.0+)?(?![\d.])"),
    "a ratio as a raw decimal": re.compile(r"(?<![\w.])0\.\d{3,}\b"),
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[str]:
    """acme with the twcs sample and a month of rOpenSci's X analytics imported by the CLI, one owner."""
    root = tmp_path_factory.mktemp("pages")
    ws = root / "acme"
    ws.mkdir()
    (ws / "strategy.yaml").write_text(ACME_PLAN, encoding="utf-8")
    env = {**os.environ, "STRATEGYFIRST_DB": f"sqlite:///{root / 'app.sqlite'}"}
    cli = [sys.executable, "-m", "strategyfirst"]
    x_month = shared_data / "x-analytics" / "rOpenSci" / "tweet_activity_metrics_rOpenSci_20170101_20170201_en.csv"
    subprocess.run([*cli, "ingest", str(shared_data / "twcs" / "sample.csv"), str(x_month), "-w", str(ws)],
                   env=env, check=True, capture_output=True)
    subprocess.run([*cli, "users", "add", EMAIL, "--role", "owner", "--workspace", str(ws)],
                   input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
    yield from serve(ws, env)


@pytest.fixture(scope="module")
def session(served: str, browser: Any) -> Iterator[Any]:  # noqa: F811
    """A logged-in browser context with a second plan version and a decision (so History can compare)."""
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(served + "/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_load_state("networkidle")
    page.goto(served + "/w/acme/plan")
    page.fill("#plan-text", page.input_value("#plan-text").replace("total: 50000", "total: 51000"))
    page.fill("input[name=why]", "a little more budget")
    page.click("button:has-text('Save as a new version')")
    page.locator("text=Saved as plan version").wait_for()
    page.goto(served + "/w/acme/verdicts")
    page.fill(".decision-form textarea[name=text]", "Hire a second agent")
    page.click(".decision-form button")
    page.locator("text=recorded").wait_for()
    page.close()
    yield context
    context.close()


@pytest.fixture(scope="module")
def artefacts() -> Path:
    """test-artifacts/web/ beside the other browser tests' screenshots, or $STRATEGYFIRST_SCREENSHOTS."""
    default = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
    folder = Path(os.environ.get("STRATEGYFIRST_SCREENSHOTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\npage screenshots: {folder}")
    return folder


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", [n for n in PAGES if n in os.environ.get("PAGES", n)])
def test_page_fits_reads_and_passes_axe(served: str, session: Any, artefacts: Path, name: str,
                                        width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = session.new_page()
    problems = watch(page)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(served + PAGES[name])
    page.wait_for_load_state("networkidle")
    if page.locator("[data-vega-spec]").count():
        page.locator(".chart svg").first.wait_for(timeout=20_000)
    page.screenshot(path=str(artefacts / f"{name}-{width}.png"), full_page=True)

    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    wide = page.evaluate("""(w) => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.scroll, nav'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""",
                         inner)
    assert scroll <= inner, f"{name} at {width} px is {scroll} px wide: {wide}"

    results = Axe().run(page)
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5])
               for v in results.response["violations"] if v["impact"] in ("critical", "serious")]
    assert serious == [], "\n".join(serious)

    # every chart has a text alternative: a caption or a table with its numbers
    for chart in page.locator("figure:has([data-vega-spec])").all():
        assert chart.locator("figcaption").count() == 1
        assert chart.locator("table").count() == 1

    # the page's words, without code, the plan's YAML and the diff (ids are right there)
    text = page.evaluate("""() => { const main = document.querySelector('main').cloneNode(true);
        main.querySelectorAll('code, pre, textarea, script').forEach(e => e.remove());
        document.body.appendChild(main); const text = main.innerText; main.remove(); return text; }""")
    words = [f"{what}: {m.group(0)!r}" for what, pattern in FORBIDDEN.items() for m in pattern.finditer(text)]
    # "nothing yet" is a sentence, not item 1 of a numbered list
    words += [f"numbered: {t!r}" for t in page.locator("ol > li").all_inner_texts() if t.startswith("No ")]
    assert words == [], "\n".join(words)
    assert problems == [], "\n".join(problems)
    page.close()
