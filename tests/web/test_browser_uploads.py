"""A refused upload in Debian's chromium (issue 17.7): htmx swaps no 4xx answer by default, so app.js puts
the server's reason in the page — a file that is no known export (422, the server's alert) and a body over
the limit (413, JSON from the body limit) — and the page never shows a server path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.env import PASSWORD
from tests.web.test_browser import EMAIL, browser, serving  # noqa: F401  (the browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]
LIMIT = 64 * 1024  # bytes of a request body; enough for the forms, not for the big file below


@pytest.fixture(scope="module")
def small_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("served-small")


@pytest.fixture(scope="module")
def small_server(small_root: Path) -> Iterator[str]:
    with serving(small_root, STRATEGYFIRST_WEB_MAX_UPLOAD_BYTES=str(LIMIT)) as base:
        yield base


def logged_in(small_server: str, browser: Any) -> tuple[Any, Any]:  # noqa: F811
    """A new browser context and its page, logged in on the Imports page."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(small_server + "/w/acme/imports")
    if page.locator("input[name=email]").count():
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Log in')")
        page.wait_for_url(small_server + "/w/acme/imports")
    return context, page


def upload(small_server: str, browser: Any, *files: Path) -> tuple[str, str, str]:  # noqa: F811
    """The alert in the summary, the upload state and the page's HTML after uploading `files`."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(small_server + "/w/acme/imports")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(small_server + "/w/acme/imports")
    page.set_input_files("input[name=files]", [str(f) for f in files])
    page.click("button:has-text('Import')")
    alert = page.locator("#summary [role=alert]")
    alert.wait_for()
    page.locator("#upload-state:has-text('the import failed')").wait_for()
    found = alert.inner_text(), page.inner_text("#upload-state"), page.content()
    context.close()
    return found


def test_a_file_that_is_no_export_shows_why(small_server: str, browser: Any, tmp_path: Path) -> None:  # noqa: F811
    notes = tmp_path / "notes.txt"
    notes.write_text("hello world\n", encoding="utf-8")
    alert, state, html = upload(small_server, browser, notes)
    assert alert.startswith("notes.txt:1:1: header not recognised (hello world)")
    assert state == "the import failed: why is said below"  # the reason is said once, in the summary
    assert html.count("header not recognised") == 1
    assert "/.strategyfirst/" not in html and str(tmp_path.parent) not in html


def test_two_bad_files_are_two_lines_said_once(small_server: str, browser: Any, tmp_path: Path) -> None:  # noqa: F811
    """Two files' errors ran into one paragraph, shown twice (next to the Import button and in red)."""
    notes, image = tmp_path / "notes.txt", tmp_path / "bad.png"
    notes.write_text("hello world\n", encoding="utf-8")
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    alert, state, html = upload(small_server, browser, notes, image)
    assert alert.splitlines()[0].startswith("notes.txt:1:1: header not recognised (hello world)")
    assert alert.splitlines()[1].startswith("bad.png:1:1: is an image, not an export file")
    assert len(alert.splitlines()) == 2 and state == "the import failed: why is said below"
    assert html.count("header not recognised") == 1 and html.count("is an image") == 1


def test_a_file_over_the_limit_shows_why(small_server: str, browser: Any, tmp_path: Path) -> None:  # noqa: F811
    big = tmp_path / "big.csv"
    big.write_text("tweet_id,text\n" + "1,hello\n" * (LIMIT // 8), encoding="utf-8")
    alert, state, _ = upload(small_server, browser, big)
    assert alert == f"the request body is over the limit of {LIMIT:,} bytes"
    assert state == "the import failed: why is said below"


def test_an_upload_refreshes_the_import_log_with_the_uploader(small_server: str, browser: Any,  # noqa: F811
                                                             tmp_path: Path) -> None:
    posts = tmp_path / "fresh-posts.csv"
    posts.write_text("message_id,platform,account,created_at,text\nx:901,x,Tesco,2017-10-05 10:00:00,hello\n",
                     encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(small_server + "/w/acme/imports")
    if page.locator("input[name=email]").count():
        page.fill("input[name=email]", EMAIL)
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Log in')")
        page.wait_for_url(small_server + "/w/acme/imports")
    page.evaluate("window.__not_reloaded = 1")
    page.set_input_files("input[name=files]", [str(posts)])
    page.click("button:has-text('Import')")
    row = page.locator("#import-log tr", has_text="fresh-posts.csv")
    row.wait_for()
    assert EMAIL in row.inner_text()
    assert page.evaluate("window.__not_reloaded") == 1  # swapped in by htmx, not a reload
    context.close()


def test_a_mailchimp_export_is_dated_on_the_day_it_was_exported(small_server: str, small_root: Path,
                                                               browser: Any, shared_data: Path) -> None:  # noqa: F811
    """QA: the form had no Exported on, so a member export was dated by the latest time in the file. A bad day
    is the CLI's one line and the form keeps what was typed; a good one dates the list's size."""
    import datetime as dt

    import duckdb

    from strategyfirst.workspace import Workspace

    context, page = logged_in(small_server, browser)
    page.set_input_files("input[name=files]", [str(shared_data / "newsletter" / "tryghost-fixtures" /
                                                   "subscribed.csv")])
    page.fill("input[name=account]", "newsletter")
    page.fill("input[name=exported_on]", "1999-12-31")
    page.fill("input[name=rate]", "UAH=0.024")
    page.click("button:has-text('Import')")
    alert = page.locator("#summary [role=alert]")
    alert.wait_for()
    # warehouse/ingest.py export_day's line for --exported-on 1999-12-31, naming the form's field
    assert alert.inner_text() == ("Exported on 1999-12-31 is before 2000-01-01, older than any member export: give "
                                  "the day the file was downloaded")
    kept = [page.input_value(f"input[name={n}]") for n in ("account", "exported_on", "rate")]
    assert kept == ["newsletter", "1999-12-31", "UAH=0.024"]
    page.fill("input[name=exported_on]", "2024-05-31")
    page.fill("input[name=rate]", "")
    page.click("button:has-text('Import')")
    page.locator("#summary .import-notes li", has_text="list size dated 2024-05-31 (Exported on)").wait_for()
    page.locator("#import-log tr", has_text="subscribed.csv").wait_for()
    context.close()
    with duckdb.connect(str(Workspace(small_root / "acme").warehouse_path), read_only=True) as con:
        # not 2023-04-21, the latest OPTIN_TIME in the file (read by hand)
        assert con.execute("SELECT exported_on FROM member_exports").fetchall() == [(dt.date(2024, 5, 31),)]
