"""Moving between views and what each shows, in Debian's chromium at 1366 and 360 px, on the workspace of
test_kpi_scope.py (served by `strategyfirst serve`): the navigation keeps the view's filters, the objective and
tactic pages show their figures and top posts on the days of their verdicts, a second Save after a plan conflict
is refused again, the Imports form's Year box looks like its other boxes, a decision without an objective has no
stray separator, and the funnel's caption wraps on a phone. Screenshots go to test-artifacts/web/."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.env import PASSWORD
from tests.web.test_browser import ARTIFACTS, EMAIL, browser, serve, shot, watch  # noqa: F401  (the browser fixture)
from tests.web.test_kpi_scope import PLAN, POSTS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]
WIDTHS = (1366, 360)


@pytest.fixture(scope="module")
def scoped_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`strategyfirst serve` on test_kpi_scope's workspace (its posts imported with `ingest`), one owner."""
    root = tmp_path_factory.mktemp("served-views")
    ws = root / "drill"
    ws.mkdir()
    (ws / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    (root / "posts.csv").write_text(POSTS, encoding="utf-8")
    cli = [sys.executable, "-m", "strategyfirst"]
    env = {**os.environ, "STRATEGYFIRST_DB": f"sqlite:///{root / 'app.sqlite'}"}
    subprocess.run([*cli, "ingest", str(root / "posts.csv"), "--workspace", str(ws)], env=env, check=True,
                   capture_output=True)
    subprocess.run([*cli, "users", "add", EMAIL, "--role", "owner", "--workspace", str(ws)],
                   input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
    yield from serve(ws, env)


def logged_in(browser: Any, server: str, width: int) -> tuple[Any, Any, list[str]]:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = watch(page, allow_422=True)
    page.goto(server + "/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_load_state("networkidle")
    return context, page, problems


def nav_href(page: Any, label: str) -> str:
    return str(page.locator(f"nav a:text-is('{label}')").get_attribute("href"))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_nav_keeps_the_view_and_drill_downs_show_the_verdicts_days(scoped_server: str, browser: Any,  # noqa: F811
                                                                       width: int) -> None:
    context, page, problems = logged_in(browser, scoped_server, width)
    view = "range=horizon&as_of=2026-04-30&platform=x"
    page.goto(f"{scoped_server}/w/drill/dashboard?{view}")
    shot(page, f"views-dashboard-{width}")
    # the Posts link keeps the view (it dropped it): the posts of the horizon up to 30 April
    assert nav_href(page, "Posts") == f"/w/drill/posts?{view}"
    page.click("nav >> text=Posts")
    page.locator("nav a[aria-current=page]:text-is('Posts')").wait_for()
    assert page.url.endswith(f"/w/drill/posts?{view}")
    assert page.locator("select[name=range]").input_value() == "horizon"
    assert page.locator("input[name=as_of]").input_value() == "2026-04-30"
    shot(page, f"views-posts-{width}")
    # to the strategy map the as-of day, and on to the objective and its tactic
    page.click("nav >> text=Strategy")
    page.wait_for_url(f"{scoped_server}/w/drill?as_of=2026-04-30")
    page.click("a[href='/w/drill/objectives/awareness?as_of=2026-04-30']")
    page.wait_for_load_state("networkidle")
    # up to 30 April only x:1 (1,000 impressions, 50 engagements) counts, for the KPIs and for the top posts
    assert page.locator("table.posts tbody tr").count() == 1
    assert page.locator("table.posts tbody tr[data-message='x:1']").count() == 1
    shot(page, f"views-objective-{width}")
    page.click("table.tactics-ranked a:text-is('launches')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/w/drill/tactics/launches?as_of=2026-04-30")
    impressions = page.locator("table.figures tr:has(th[title=impressions]) td").first.inner_text()
    assert impressions == "1,000"  # all the data: 10,600
    assert page.locator("table.posts tbody tr").count() == 1
    shot(page, f"views-tactic-{width}")
    fits(page, "the tactic page")
    # a bad day is the app's error page
    page.goto(f"{scoped_server}/w/drill/objectives/awareness?as_of=someday")
    assert "is not a date: give it as YYYY-MM-DD" in page.locator("main").inner_text()
    shot(page, f"views-objective-bad-as-of-{width}")
    assert problems == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_posts_and_account_pages_stop_at_the_as_of_day(scoped_server: str, browser: Any,  # noqa: F811
                                                        width: int) -> None:
    context, page, problems = logged_in(browser, scoped_server, width)
    # the horizon as of 2026-05-20: x:2 (that day) and x:1; not x:3 (the day after) nor x:4
    page.goto(f"{scoped_server}/w/drill/posts?range=horizon&as_of=2026-05-20")
    rows = page.locator("table.posts tbody tr")
    assert [rows.nth(i).get_attribute("data-message") for i in range(rows.count())] == ["x:2", "x:1"]
    fits(page, "the posts page")
    # a post's account opens the account's page on the same view: figures and top posts of those days only
    page.click("tr[data-message='x:2'] a:text-is('brand')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/w/drill/accounts/x/brand?range=horizon&as_of=2026-05-20")
    assert page.locator("select[name=range]").input_value() == "horizon"
    assert page.locator("input[name=as_of]").input_value() == "2026-05-20"
    top = page.locator("table.posts tbody tr")
    assert [top.nth(i).get_attribute("data-message") for i in range(top.count())] == ["x:2", "x:1"]
    assert page.locator("table.figures tr:has(th[title=impressions]) td").first.inner_text() == "4,000"
    shot(page, f"views-account-as-of-{width}")
    fits(page, "the account page")
    # a bad day is the error page on the strategy map, verdicts and the view pages too, as on an objective's page
    for path in ("/w/drill", "/w/drill/verdicts", "/w/drill/objectives/awareness", "/w/drill/dashboard",
                 "/w/drill/dialogue", "/w/drill/posts"):
        response = page.goto(f"{scoped_server}{path}?as_of=31/05/2026")
        assert response is not None and response.status == 422, path
        assert "as_of='31/05/2026' is not a date: give it as YYYY-MM-DD" in page.locator("main").inner_text()
    problems[:] = [p for p in problems if "status of 422" not in p]  # chromium logs the 422 page it was sent
    assert problems == []
    context.close()


def fits(page: Any, what: str) -> None:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{what}: the page is {scroll} px wide in a {inner} px window"


@pytest.mark.parametrize("width", WIDTHS)
def test_captions_wrap_inside_their_box(scoped_server: str, browser: Any, width: int) -> None:  # noqa: F811
    context, page, problems = logged_in(browser, scoped_server, width)
    for path, table in (("/w/drill/dashboard", "table.funnel"), ("/w/drill/tactics/launches", "table.posts")):
        page.goto(scoped_server + path)
        page.wait_for_load_state("networkidle")
        box = page.locator(f".scroll:has(> {table})").first
        box.scroll_into_view_if_needed()
        caption = box.locator("caption")
        right, box_right, height, line = page.evaluate("""([c, b]) => {
            const r = c.getBoundingClientRect(), s = b.getBoundingClientRect();
            return [r.right, s.right, r.height, parseFloat(getComputedStyle(c).lineHeight)]; }""",
                                                       [caption.element_handle(), box.element_handle()])
        # the whole caption is inside the box (at 360 px the table is wider than the box and scrolls)
        assert right <= box_right + 0.5, (path, right, box_right)
        if width == 360:
            assert height > 1.5 * line, (path, "the caption wraps onto more lines")
        box.screenshot(path=str(ARTIFACTS / f"views-caption-{table.split('.')[1]}-{width}.png"))
        fits(page, path)
    assert problems == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_year_box_looks_like_the_account_box(scoped_server: str, browser: Any, width: int) -> None:  # noqa: F811
    context, page, problems = logged_in(browser, scoped_server, width)
    page.goto(scoped_server + "/w/drill/imports")
    looks = """(el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
        return [s.fontSize, s.fontFamily, s.paddingTop, s.paddingLeft, s.borderTopWidth, r.width, r.height]; }"""
    account = page.locator("#upload input[name=account]").evaluate(looks)
    year = page.locator("#upload input[name=year]").evaluate(looks)
    assert year == account and account[0] == "15px"  # the page's font; unstyled the box had the browser's 13.33px
    page.locator("#upload").screenshot(path=str(ARTIFACTS / f"views-imports-form-{width}.png"))
    fits(page, "imports")
    assert problems == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_decision_without_objective_reads_cleanly(scoped_server: str, browser: Any, width: int) -> None:  # noqa: F811
    context, page, problems = logged_in(browser, scoped_server, width)
    page.goto(scoped_server + "/w/drill/verdicts")
    text = f"Keep the plan ({width})"
    page.fill(".decision-form textarea[name=text]", text)
    page.click("button:has-text('Record decision')")
    page.wait_for_url("**/verdicts?recorded=*")
    entry = page.locator("ol.decisions li", has_text=text).inner_text()
    assert re.search(rf"on plan v1: {re.escape(text)}", entry), entry
    page.locator("ol.decisions").screenshot(path=str(ARTIFACTS / f"views-decisions-{width}.png"))
    page.goto(scoped_server + "/w/drill/history")
    entry = page.locator("ul.history li.decision", has_text=text).inner_text()
    assert re.search(rf"decision on v1 by {re.escape(EMAIL)}: {re.escape(text)}", entry), entry
    page.locator("ul.history").screenshot(path=str(ARTIFACTS / f"views-history-{width}.png"))
    assert problems == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_saves_after_a_plan_conflict_are_refused_until_reloaded(scoped_server: str, browser: Any,  # noqa: F811
                                                                 width: int) -> None:
    mine, page, problems = logged_in(browser, scoped_server, width)
    theirs, other, _ = logged_in(browser, scoped_server, 1366)
    page.goto(scoped_server + "/w/drill/plan")
    other.goto(scoped_server + "/w/drill/plan")
    # someone else saves meanwhile
    other.fill("#plan-text", other.input_value("#plan-text") + f"# theirs at {width}\n")
    other.click("button:has-text('Save as a new version')")
    other.locator("p.ok[role=status]").wait_for()
    page.fill("#plan-text", page.input_value("#plan-text") + f"# mine at {width}\n")
    for attempt in (1, 2):  # each Save: the conflict again, shown with the other version's change
        with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/w/drill/plan")) as got:
            page.click("button:has-text('Save as a new version')")
        assert got.value.status == 409, attempt
        page.locator("section.conflict").wait_for()
        assert f"+# theirs at {width}" in page.locator("section.conflict pre.diff").inner_text()
        assert f"# mine at {width}" in page.input_value("#plan-text")  # my text is still in the editor
        assert f"# theirs at {width}" not in page.input_value("#plan-text")
        shot(page, f"views-plan-conflict-{attempt}-{width}")
        fits(page, "the plan conflict")
    problems.clear()  # chromium logs each 409 as a failed resource: by design here
    # reloaded, the editor starts from the other version and saves
    page.goto(scoped_server + "/w/drill/plan")
    page.fill("#plan-text", page.input_value("#plan-text") + f"# mine at {width}\n")
    page.click("button:has-text('Save as a new version')")
    page.locator("p.ok[role=status]").wait_for()
    assert "Saved as plan version" in page.locator("p.ok[role=status]").inner_text()
    other.goto(scoped_server + "/w/drill/plan")
    assert other.input_value("#plan-text").endswith(f"# theirs at {width}\n# mine at {width}\n")
    assert problems == []
    mine.close()
    theirs.close()
