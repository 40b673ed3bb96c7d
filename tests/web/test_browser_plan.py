"""The plan editor in Debian's chromium at 1366 and 360 px (issue 18.10): line numbers that stay beside their
lines while typing and scrolling, a lint marker (a symbol, not colour alone) on each line with a finding, a
finding's link selecting its line, Check, adding a KPI with the form (the page then selects the line it was
written at), a refused KPI with its message beside the field, no sideways scroll, zero critical or serious axe
findings, keyboard use, and the editor without script still a labelled textarea that saves. Screenshots go to
test-artifacts/web/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.env import ACME_PLAN, PASSWORD
from tests.web.test_browser import EMAIL, browser, serving, shot, watch  # noqa: F401  (the browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]
WIDTHS = (1366, 360)
KPI_LINE = "      - {metric: response_rate, target: 0.9}\n"


@pytest.fixture(scope="module")
def plan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("served-plan")) as base:
        yield base


def logged_in(browser: Any, server: str, width: int, script: bool = True) -> tuple[Any, Any, list[str]]:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=script)
    page = context.new_page()
    problems = watch(page)
    page.goto(server + "/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_load_state("networkidle")
    page.goto(server + "/w/acme/plan")
    return context, page, problems


def fits_and_passes_axe(page: Any, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{what}: the page is {scroll} px wide in a {inner} px window"
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5])
               for v in Axe().run(page).response["violations"] if v["impact"] in ("critical", "serious")]
    assert serious == [], f"{what}:\n" + "\n".join(serious)


def gutter_row_top(page: Any, line: int) -> float:
    """How far below the textarea's top edge the gutter shows line `line`'s number, in px."""
    return float(page.evaluate("""(n) => {
        const row = document.querySelectorAll('.gutter .numbers > div')[n - 1];
        return row.getBoundingClientRect().top - document.getElementById('plan-text').getBoundingClientRect().top;
    }""", line))


def selected_text(page: Any) -> str:
    return str(page.evaluate("""() => { const a = document.activeElement;
        return a && a.id === 'plan-text' ? a.value.substring(a.selectionStart, a.selectionEnd) : null; }"""))


@pytest.mark.parametrize("width", WIDTHS)
def test_plan_editor_in_the_browser(plan_server: str, browser: Any, width: int) -> None:  # noqa: F811
    context, page, problems = logged_in(browser, plan_server, width)
    area = page.locator("#plan-text")
    page.locator("#lint .lint-count").wait_for()

    # line numbers: one per line of the text, each level with its line (the textarea's line height apart)
    lines = page.input_value("#plan-text").split("\n")
    assert page.locator(".gutter .numbers > div").count() == len(lines)
    height = float(page.evaluate("parseFloat(getComputedStyle(document.getElementById('plan-text')).lineHeight)"))
    assert gutter_row_top(page, 11) - gutter_row_top(page, 1) == pytest.approx(10 * height, abs=1)
    # scrolled (40 more lines, so the box scrolls): the number of the line at the top of the box is at the
    # top of the gutter
    original = page.input_value("#plan-text")
    first = gutter_row_top(page, 1)  # not scrolled: line 1 at the top
    area.fill(original + "# a note\n" * 40)
    scrolled = page.evaluate("(px) => { const a = document.getElementById('plan-text'); a.scrollTop = px; "
                             "a.dispatchEvent(new Event('scroll')); return a.scrollTop; }", 6 * height)
    assert scrolled == pytest.approx(6 * height, abs=1)
    assert gutter_row_top(page, 7) == pytest.approx(first, abs=1)
    assert page.locator(".gutter .numbers > div").count() == len(lines) + 40
    area.fill(original)
    page.evaluate("document.getElementById('plan-text').scrollTop = 0")

    # typing: a KPI without its target is an error at its line (16): a ✖ in the gutter, and the list links to it
    text = page.input_value("#plan-text")
    kpi_line = text[: text.index(KPI_LINE)].count("\n") + 1
    assert kpi_line == 16
    area.fill(text.replace(KPI_LINE, "      - {metric: response_rate}\n"))
    area.press("End")  # a key typed in the box: htmx lints after the pause
    marker = page.locator(f".gutter .numbers > div:nth-child({kpi_line}).mark.error")
    marker.wait_for()
    assert marker.get_attribute("data-symbol") == "\u2716" and marker.inner_text() == str(kpi_line)
    assert page.locator(".gutter .mark").count() == page.evaluate(
        "new Set([...document.querySelectorAll('#lint [data-line]')].map(e => e.dataset.line)).size")
    shot(page, f"plan-editor-finding-{width}")
    fits_and_passes_axe(page, f"the editor with a finding at {width} px")

    # the finding's link selects its line in the editor
    page.click(f"#lint a.goto[data-line='{kpi_line}']")
    assert selected_text(page) == "      - {metric: response_rate}"

    # Check (nothing saved): put the target back, check, the error goes
    area.fill(text)
    page.click("button:has-text('Check')")
    page.locator(".gutter .mark.error").wait_for(state="detached")
    assert "kpi-without-target" not in page.inner_text("#lint")

    # add a KPI from the form, opened from the keyboard; the metric is picked by its label
    page.focus("#add-kpi summary")
    page.keyboard.press("Enter")
    assert page.get_attribute("#add-kpi", "open") == ""
    page.select_option("#kpi-objective", "dialogue")
    page.select_option("#kpi-metric", label="Engagement rate — a share: 0.9 or 90%; higher is better")
    page.fill("#kpi-target", "5")  # not a share: refused beside the field
    page.click("button:has-text('Add the KPI')")
    error = page.locator("#kpi-target-error")
    error.wait_for()
    assert "can never be met" in error.inner_text()
    assert page.get_attribute("#kpi-target", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "kpi-target"  # focus is on the field to correct
    assert page.locator("#add-kpi[open]").count() == 1 and page.input_value("#kpi-target") == "5"
    shot(page, f"plan-editor-refused-{width}")
    fits_and_passes_axe(page, f"a refused KPI at {width} px")
    page.fill("#kpi-target", "5%")
    current = page.input_value("#plan-text").split("\n")
    # the new KPI goes below the last KPI of the plan's only objective (the 1366 px run added one already)
    new_line = max(i for i, line in enumerate(current, start=1) if line.startswith("      - {metric:")) + 1
    page.click("button:has-text('Add the KPI')")
    status = page.locator("p[role=status]:has-text('Saved as plan version')")
    status.wait_for()
    saved = status.inner_text()
    assert f"added KPI 'Engagement rate' of objective 'dialogue', written at line {new_line}." in saved
    # the page selects the new line, and shows the lint of the new plan
    assert selected_text(page) == "      - {metric: engagement_rate, target: 5%}"
    page.locator("#lint .lint-count").wait_for()
    shot(page, f"plan-editor-added-{width}")
    fits_and_passes_axe(page, f"the editor after adding a KPI at {width} px")
    # every add form open at once still fits
    for form in ("#add-objective", "#add-kpi", "#add-tactic"):
        page.evaluate("(s) => document.querySelector(s).open = true", form)
    fits_and_passes_axe(page, f"all add forms open at {width} px")
    shot(page, f"plan-editor-forms-{width}")
    # the refused form's answer is a 422 page, which chromium logs as a failed load: that one is deliberate
    assert [p for p in problems if "status of 422" not in p] == []
    context.close()


def test_without_script_the_editor_is_a_labelled_textarea_that_saves(plan_server: str, browser: Any) -> None:  # noqa: F811
    context, page, _ = logged_in(browser, plan_server, 360, script=False)
    assert page.locator(".gutter").count() == 0
    label = page.locator("label[for=plan-text]").inner_text()
    assert label == "The plan (strategy.yaml)"
    text = page.input_value("#plan-text")
    page.fill("#plan-text", text.replace("review: {cadence: monthly}", "review: {cadence: weekly}"))
    page.fill("input[name=why]", "weekly reviews")
    page.click("button:has-text('Save as a new version')")
    page.locator("text=Saved as plan version").wait_for()
    assert "review: {cadence: weekly}" in page.input_value("#plan-text")
    assert ACME_PLAN.count("\n") <= page.input_value("#plan-text").count("\n")
    context.close()

