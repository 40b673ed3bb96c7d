"""A refused upload in Debian's chromium (issue 17.7): htmx swaps no 4xx answer by default, so app.js puts
the server's reason in the page; the page never shows a server path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.env import PASSWORD
from tests.web.test_browser import EMAIL, browser, server  # noqa: F401  (the served app and the browser)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]


def test_a_refused_upload_shows_why(server: str, browser: Any, tmp_path: Path) -> None:  # noqa: F811
    notes = tmp_path / "notes.txt"
    notes.write_text("hello world\n", encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server + "/w/acme/imports")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(server + "/w/acme/imports")

    page.set_input_files("input[name=files]", [str(notes)])
    page.click("button:has-text('Import')")
    alert = page.locator("#summary [role=alert]")
    alert.wait_for()
    assert alert.inner_text().startswith("notes.txt:1:1: header not recognised (hello world)")
    state = page.inner_text("#upload-state")
    assert state.startswith("the import failed: notes.txt:1:1: header not recognised")
    html = page.content()
    assert "/.strategyfirst/" not in html and str(tmp_path.parent) not in html
    context.close()
