"""Members, tokens and workspace creation in Debian's chromium against `strategyfirst serve` (issue 18.11), at
1366 and 360 px: each page passes axe (zero critical or serious), has no sideways scroll, and is saved as a
screenshot (in test-artifacts/web/, or $STRATEGYFIRST_SCREENSHOTS). The flows: an admin creates a
workspace; an owner makes a token (shown once, Copy), the API answers it, revokes it after the confirmation and
the API says 401; an owner changes a role from its row and removes a member after the confirmation."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.env import ACME_PLAN, PASSWORD
from tests.web.test_browser import EMAIL, browser, serve, watch  # noqa: F401  (fixtures)
from tests.web.test_page_checks import artefacts  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]
WIDTHS = (1366, 360)
TEAM = {"sam@acme.org": "editor", "kim@acme.org": "viewer"}


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """acme (a plan, no data) served with new workspaces made in `clients/`; EMAIL owns acme and is an admin,
    two more members; yields the base URL and the root folder."""
    root = tmp_path_factory.mktemp("admin")
    ws = root / "acme"
    ws.mkdir()
    (ws / "strategy.yaml").write_text(ACME_PLAN, encoding="utf-8")
    env = {**os.environ, "STRATEGYFIRST_DB": f"sqlite:///{root / 'app.sqlite'}",
           "STRATEGYFIRST_WEB_NEW_WORKSPACES": str(root / "clients")}
    cli = [sys.executable, "-m", "strategyfirst"]
    for email, role in {EMAIL: "owner", **TEAM}.items():
        subprocess.run([*cli, "users", "add", email, "--role", role, "--workspace", str(ws)],
                       input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
    subprocess.run([*cli, "users", "admin", EMAIL, "--workspace", str(ws)], env=env, check=True,
                   capture_output=True)
    for base in serve(ws, env):
        yield base, root


def check(page: Any, name: str, folder: Path) -> None:
    """The page at both widths: a screenshot each, no sideways scroll, no critical or serious axe finding."""
    from axe_playwright_python.sync_playwright import Axe

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{name} at {width} px is {scroll} px wide"
        nav = page.locator("header nav")
        if width == 360 and nav.count():  # one row of navigation, scrolling inside itself
            assert nav.bounding_box()["height"] < 60, f"{name}: the navigation takes several rows at 360 px"
        results = Axe().run(page)
        serious = [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5])
                   for v in results.response["violations"] if v["impact"] in ("critical", "serious")]
        assert serious == [], f"{name} at {width} px:\n" + "\n".join(serious)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


@pytest.fixture(scope="module")
def page(admin_server: tuple[str, Path], browser: Any) -> Iterator[Any]:  # noqa: F811
    base, _root = admin_server
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    problems = watch(page, allow_422=True)  # a refused form answers 422 by design (the page with the reason)
    page.goto(base + "/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_load_state("networkidle")
    yield page
    assert problems == [], "\n".join(problems)
    context.close()


def test_an_admin_creates_a_workspace(admin_server: tuple[str, Path], page: Any,
                                      artefacts: Path) -> None:  # noqa: F811
    base, root = admin_server
    page.goto(base + "/workspaces")
    check(page, "workspaces-admin", artefacts)
    page.fill("input[name=name]", "Client B")
    page.click("button:has-text('Create workspace')")
    page.locator("[role=alert]").wait_for()
    assert "'Client B' is not a workspace name" in page.locator("[role=alert]").inner_text()
    assert page.locator("input[name=name]").get_attribute("aria-invalid") == "true"
    check(page, "workspaces-name-refused", artefacts)
    page.fill("input[name=name]", "client-b")
    page.click("button:has-text('Create workspace')")
    page.locator("text=Created client-b with the starter plan").wait_for()
    assert (root / "clients" / "client-b" / "strategy.yaml").is_file()
    page.click("a:has-text('Fill in its plan')")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/w/client-b/plan")
    assert "Your Organisation" in page.locator("#plan-text").input_value()
    assert page.locator("header nav a:has-text('Members')").count() == 1  # its owner


def test_a_token_is_made_shown_once_and_revoked(admin_server: tuple[str, Path], page: Any,
                                                artefacts: Path) -> None:  # noqa: F811
    base, _root = admin_server
    page.goto(base + "/w/acme")
    page.click("header nav a:has-text('Tokens')")
    page.wait_for_load_state("networkidle")
    check(page, "tokens", artefacts)
    page.fill("input[name=name]", "weekly-export")
    page.select_option("select[name=access]", "read")
    page.click("button:has-text('Make token')")
    page.locator("#new-token").wait_for()
    token = page.locator("#new-token").input_value()
    assert token.startswith("sf_")
    page.click("button[data-copy=new-token]")
    page.locator("[data-copy-state=new-token]:not(:empty)").wait_for()  # Copied, or selected for Ctrl+C
    check(page, "token-made", artefacts)
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.get(base + "/api/v1/workspaces/acme/plan", headers=auth).status_code == 200
    page.reload()  # the browser sends the form again: refused, no second secret
    assert page.locator("[role=alert]").inner_text().startswith("name: you already have a live token named")
    assert token not in page.content() and page.locator("#new-token").count() == 0
    with page.expect_navigation():
        page.click("header nav a:has-text('Tokens')")  # coming back: listed, never shown again
    html = page.content()
    at = html.find(token)
    assert at < 0, html[max(0, at - 300):at + 100]
    assert page.locator("td:text-is('weekly-export')").count() == 1
    page.click("a:has-text('Revoke weekly-export')")
    page.locator("h1:has-text('Revoke token “weekly-export”?')").wait_for()
    check(page, "token-revoke", artefacts)
    assert httpx.get(base + "/api/v1/workspaces/acme/plan", headers=auth).status_code == 200  # not yet
    page.click("button:has-text('Revoke the token')")
    page.locator("text=Revoked token “weekly-export”").wait_for()
    assert httpx.get(base + "/api/v1/workspaces/acme/plan", headers=auth).status_code == 401


def test_an_owner_changes_a_role_and_removes_a_member(admin_server: tuple[str, Path], page: Any,
                                                      artefacts: Path) -> None:  # noqa: F811
    base, _root = admin_server
    page.goto(base + "/w/acme/members")
    check(page, "members-owner", artefacts)
    page.select_option("select[aria-label='Role of kim@acme.org']", "editor")
    page.click("button:has-text('Change the role of kim@acme.org')")
    page.locator("text=Updated kim@acme.org").wait_for()
    assert page.locator("select[aria-label='Role of kim@acme.org']").input_value() == "editor"
    page.click("a:has-text('Remove sam@acme.org')")
    page.locator("h1:has-text('Remove sam@acme.org from acme?')").wait_for()
    check(page, "member-remove", artefacts)
    page.click("button:has-text('Remove sam@acme.org')")
    page.locator("text=Removed sam@acme.org from acme.").wait_for()
    assert page.locator("td:has-text('sam@acme.org')").count() == 0
    with page.expect_download() as download:
        page.click("a:has-text('Download this table as CSV')")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "email,role,status,since,invited_by"
    assert sorted(line.split(",")[0] for line in lines[1:]) == [EMAIL, "kim@acme.org"]


def test_long_user_text_wraps_instead_of_widening_the_page(admin_server: tuple[str, Path], page: Any,
                                                           artefacts: Path) -> None:  # noqa: F811
    """A decision quoting a 281-character URL made Verdicts and History ~2,500 px wide; a long email widened
    the members table (span.decision-text and the cells had no overflow-wrap)."""
    base, _root = admin_server
    url = "https://docs.example.org/spreadsheets/d/" + "x" * 241
    assert len(url) == 281
    page.goto(base + "/w/acme/verdicts")
    page.fill("form.decision-form textarea[name=text]", f"Budget moves as agreed, see {url}")
    page.click("button:has-text('Record decision')")
    page.locator(f"span.decision-text:has-text('{url[:60]}')").wait_for()
    check(page, "verdicts-long-decision", artefacts)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        box = page.locator("span.decision-text").first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, (width, box)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto(base + "/w/acme/history")
    check(page, "history-long-decision", artefacts)
    email = "very.long." + "n" * 300 + "@example.org"
    page.goto(base + "/w/acme/members")
    page.fill("form.member-form input[name=email]", email)
    page.click("form.member-form button[type=submit]")
    page.locator(f"td.name:has-text('{email[:40]}')").wait_for()
    check(page, "members-long-email", artefacts)
    width = page.evaluate("document.querySelector('table.members').getBoundingClientRect().width")
    assert width <= WIDTHS[0], width  # the cell wraps: the table fits, nothing to scroll sideways in its box
