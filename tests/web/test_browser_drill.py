"""Drilling down in Debian's chromium (issue 18.3/18.4/18.6): from the strategy map to an objective and its
tactics, the posts table sorted by a click on its header, and a chart downloaded as SVG from its figure."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.drill_env import PLAN, POSTS, SPEND
from tests.web.env import PASSWORD
from tests.web.test_browser import EMAIL, browser, serve  # noqa: F401  (the browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def drill_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`strategyfirst serve` on drill_env.py's workspace (imported with the CLI), one viewer."""
    root = tmp_path_factory.mktemp("served-drill")
    ws = root / "drill"
    ws.mkdir()
    (ws / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    (root / "posts.csv").write_text(POSTS, encoding="utf-8")
    (root / "spend.csv").write_text(SPEND, encoding="utf-8")
    cli = [sys.executable, "-m", "strategyfirst"]
    env = {**os.environ, "STRATEGYFIRST_DB": f"sqlite:///{root / 'app.sqlite'}"}
    subprocess.run([*cli, "ingest", str(root / "posts.csv"), str(root / "spend.csv"), "-w", str(ws)], env=env,
                   check=True, capture_output=True)
    subprocess.run([*cli, "users", "add", EMAIL, "--role", "viewer", "--workspace", str(ws)],
                   input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
    yield from serve(ws, env)


def test_drill_down_sort_and_download(drill_server: str, browser: Any) -> None:  # noqa: F811
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(drill_server + "/w/drill")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(drill_server + "/w/drill")

    page.click("h3 a:has-text('dialogue')")
    page.wait_for_url(drill_server + "/w/drill/objectives/dialogue")
    assert "2 of 2 tactics serving 'dialogue' miss its KPIs" in page.inner_text(".verdict")
    page.locator(".chart svg").first.wait_for()
    with page.expect_download() as download:
        page.click("figure a:has-text('SVG')")
    assert download.value.suggested_filename == "drill-dialogue-response_rate.svg"
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("<svg")

    page.click("table.tactics-ranked a:has-text('desk-a')")
    page.wait_for_url(drill_server + "/w/drill/tactics/desk-a")
    assert page.inner_text(".verdict").startswith("Its own figures: desk-a: response rate 0.0% (0 of 30;")

    page.goto(drill_server + "/w/drill/posts?range=all")
    page.click("th a:has-text('Replies received')")
    page.wait_for_url("**sort=replies**")
    ids = page.eval_on_selector_all("table.posts tbody tr", "rows => rows.map(r => r.dataset.message)")
    assert ids == ["x:100", "x:200", "x:2", "instagram:9", "x:1", "x:5"]  # 30, 30, 2, then 0s by id
    assert page.get_attribute("th[aria-sort]", "aria-sort") == "descending"
    page.click("th a:has-text('Replies received')")  # again: ascending
    page.wait_for_url("**dir=asc**")
    assert page.eval_on_selector("table.posts tbody tr", "r => r.dataset.message") == "instagram:9"
    assert problems == []
    context.close()
