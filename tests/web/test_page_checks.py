"""Every page in Debian's chromium at a desktop (1366 px) and a phone (360 px) width, on a served workspace with
real exports imported (issue 18.7/18.8/18.9): no sideways scroll, zero critical or serious axe-core findings,
no words a person should not read (metric ids, "-0.0", literal backticks, ...), and a screenshot of each page
and width saved as a test artefact (in test-artifacts/web/, or $STRATEGYFIRST_SCREENSHOTS; printed)."""

from __future__ import annotations

import csv
import itertools
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
         "account": "/w/acme/accounts/x/rOpenSci", "accounts": "/w/acme/accounts",
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
    """acme with the twcs sample and a month of rOpenSci's X analytics imported by the CLI, one owner; the plan
    owns rOpenSci too."""
    root = tmp_path_factory.mktemp("pages")
    ws = root / "acme"
    ws.mkdir()
    # rOpenSci among the owned accounts, so that its posts are the workspace's posts (as a tester set it up)
    plan = ACME_PLAN.replace('"@Tesco"]', '"@Tesco", "@rOpenSci"]', 1)
    # and a tactic of its posts serving a reach objective: the funnel draws a tactic's chain beside the overall
    # one (the plan's care desks serve dialogue only, and their chains without data are left out)
    plan = plan.replace("tactics:\n", "  - id: reach\n    kpis:\n      - {metric: engagement_rate, target: 0.02}\n"
                        "tactics:\n  - id: open-science\n    channel: x\n    serves: [reach]\n    owner: Jane\n"
                        "    match: {accounts: [\"@rOpenSci\"]}\n", 1)
    assert plan.count("@rOpenSci") == 2
    (ws / "strategy.yaml").write_text(plan, encoding="utf-8")
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


def _open(session: Any, served: str, path: str, width: int) -> tuple[Any, list[str]]:
    page = session.new_page()
    problems = watch(page, allow_422=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(served + path)
    page.wait_for_load_state("networkidle")
    return page, problems


def _fits(page: Any, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} at {width} px is {scroll} px wide"


def _figure(page: Any, metric: str) -> str:
    return str(page.inner_text(f"table.figures th[title={metric}] + td")).strip()


@pytest.mark.parametrize("width", WIDTHS)
def test_account_pages_show_their_figures_whatever_the_case(served: str, session: Any, artefacts: Path,
                                                            shared_data: Path, width: int) -> None:
    # rOpenSci's January: the impressions and engagements of its export's rows, its posts those that are not
    # replies (a reply's text starts with its '@' addressee)
    x_month = shared_data / "x-analytics" / "rOpenSci" / "tweet_activity_metrics_rOpenSci_20170101_20170201_en.csv"
    with x_month.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    posts = sum(1 for r in rows if not r["Tweet text"].startswith("@"))
    impressions = sum(int(float(r["impressions"])) for r in rows)
    engagements = sum(int(float(r["engagements"])) for r in rows)
    assert (posts, impressions, engagements) == (34, 103_068, 1_287)
    page, problems = _open(session, served, "/w/acme/accounts/x/ropensci", width)
    assert page.inner_text("h1").startswith("rOpenSci")
    assert (_figure(page, "posts"), _figure(page, "impressions"), _figure(page, "engagements")) == \
        (f"{posts:,}", f"{impressions:,}", f"{engagements:,}")
    assert page.locator("table.posts tbody tr").count() == 10  # its top posts
    page.screenshot(path=str(artefacts / f"account-ropensci-{width}.png"), full_page=True)
    _fits(page, width)
    # AppleSupport in the twcs sample: 17 inbound messages, 13 answered (`strategyfirst measure --by account`)
    page.goto(served + "/w/acme/accounts/x/%40APPLESUPPORT")
    assert (_figure(page, "inbound_messages"), _figure(page, "response_rate")) == ("17", "76.5%")
    assert page.goto(served + "/w/acme/accounts/x/nope").status == 404
    assert problems == ["console: Failed to load resource: the server responded with a status of 404 (Not Found)"]
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_refused_forms_keep_what_was_typed(served: str, session: Any, artefacts: Path, width: int) -> None:
    page, problems = _open(session, served, "/w/acme/plan", width)
    why = page.locator("#plan-why")
    why.fill("w" * 2100)
    assert len(why.input_value()) == 2000  # maxlength
    draft = page.input_value("#plan-text").replace("total: 51000", "total: 52000")
    page.fill("#plan-text", draft)
    why.evaluate("e => { e.removeAttribute('maxlength'); e.value = 'x'.repeat(2001); }")  # past the limit
    page.click("button:has-text('Save as a new version')")
    page.locator("#plan-why-error").wait_for()
    assert page.inner_text("#plan-why-error").startswith("At most 2,000 characters (this has 2,001)")
    assert page.input_value("#plan-why") == "x" * 2001 and page.input_value("#plan-text") == draft
    page.screenshot(path=str(artefacts / f"plan-why-refused-{width}.png"), full_page=True)
    _fits(page, width)

    page.goto(served + "/w/acme/verdicts")
    assert page.get_attribute(".decision-form textarea[name=text]", "maxlength") == "5000"
    page.fill(".decision-form textarea[name=text]", "Hire a second agent")
    page.fill(".decision-form input[name=objective]", "nope")
    page.click(".decision-form button")
    page.locator("#decision-objective-error").wait_for()
    assert page.inner_text("#decision-objective-error") == \
        "The plan has no objective 'nope' (objectives: dialogue, reach)."
    assert page.input_value("#decision-text") == "Hire a second agent"
    assert page.input_value("#decision-objective") == "nope"
    page.fill("#decision-text", "   ")
    page.fill("#decision-objective", "")
    page.click(".decision-form button")
    page.locator("#decision-text-error").wait_for()
    assert page.inner_text("#decision-text-error") == "The decision is empty: say what was decided and why, briefly."
    page.screenshot(path=str(artefacts / f"decision-refused-{width}.png"), full_page=True)
    _fits(page, width)
    assert all("status of 422" in p for p in problems) or problems == []
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_long_text_columns_stay_readable_and_hour_labels_apart(served: str, session: Any, artefacts: Path,
                                                               width: int) -> None:
    page, problems = _open(session, served, "/w/acme/posts?range=all&sort=engagements", width)
    widths = page.eval_on_selector_all("table.posts td.post-text", "cells => cells.map(c => c.offsetWidth)")
    heights = page.eval_on_selector_all("table.posts tbody tr", "rows => rows.map(r => r.offsetHeight)")
    assert len(widths) == 34 and min(widths) >= 200, widths  # was ~40 px at 360, a word a line broken letter by letter
    # at a phone's width a post is a card of its ten fields, a line each; at a desktop's a row
    stacked = page.eval_on_selector("table.posts tbody tr", "r => getComputedStyle(r).display") == "block"
    assert stacked == (width < 700)
    assert max(heights) < (500 if stacked else 300), heights
    _fits(page, width)  # the table scrolls in its own box
    page.screenshot(path=str(artefacts / f"posts-text-{width}.png"), full_page=True)

    page.goto(served + "/w/acme/verdicts")
    page.wait_for_load_state("networkidle")
    evidence = page.eval_on_selector_all("table.verdicts td.evidence", "cells => cells.map(c => c.offsetWidth)")
    assert evidence and min(evidence) >= 200, evidence
    _fits(page, width)

    page.goto(served + "/w/acme/readiness")
    page.locator("[data-vega-spec=shortfall-heatmap] svg").wait_for()
    page.wait_for_timeout(300)
    boxes = page.eval_on_selector_all(
        "[data-vega-spec=shortfall-heatmap] .role-axis-label text",
        "ts => ts.filter(t => /^\\d+$/.test(t.textContent)).map(t => { const r = t.getBoundingClientRect(); "
        "return [t.textContent, r.left, r.right]; })")
    shown = [b[0] for b in boxes]
    assert shown == ([str(h) for h in range(24)] if width > 1000 else ["0", "6", "12", "18"]), shown
    assert all(a[2] <= b[1] for a, b in itertools.pairwise(boxes)), boxes  # no label overlaps the next
    page.locator("[data-vega-spec=shortfall-heatmap]").screenshot(path=str(artefacts / f"heatmap-{width}.png"))
    _fits(page, width)

    # the upload form's hints ("only if the file does not name it") are read whole, not cut to "only fo…"
    page.goto(served + "/w/acme/imports")
    page.wait_for_load_state("networkidle")
    for field in ("account", "year", "rate"):
        room, needed = page.eval_on_selector(
            f"#upload input[name={field}]",
            "el => { const c = document.createElement('canvas').getContext('2d'); const s = getComputedStyle(el); "
            "c.font = s.font; return [el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight), "
            "c.measureText(el.placeholder).width]; }")
        assert needed <= room, (field, room, needed)
    _fits(page, width)
    assert problems == []
    page.close()
