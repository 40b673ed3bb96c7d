"""The KPI charts in Debian's chromium, 1366 and 360 px wide (QA: vega warned `Infinite extent for field "low"` and
`"high"` for a forecast without an interval): on kpi_chart_env.py's workspace the dashboard and the permission
objective draw every chart without a console warning, the audience growth chart's x axis starting at the horizon's
start (labelled with its year) and its expected pace and forecast drawn. Screenshots go to test-artifacts/web/."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.drill_env import POSTS, SPEND
from tests.web.env import PASSWORD
from tests.web.kpi_chart_env import AUDIENCE, KPI_PLAN
from tests.web.test_browser import EMAIL, browser, serve, shot  # noqa: F401  (the browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def chart_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`strategyfirst serve` on the workspace (imported with the CLI), one viewer."""
    root = tmp_path_factory.mktemp("served-kpi-chart")
    ws = root / "drill"
    ws.mkdir()
    (ws / "strategy.yaml").write_text(KPI_PLAN, encoding="utf-8")
    files = {"posts.csv": POSTS, "spend.csv": SPEND, "audience.csv": AUDIENCE}
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    cli = [sys.executable, "-m", "strategyfirst"]
    env = {**os.environ, "STRATEGYFIRST_DB": f"sqlite:///{root / 'app.sqlite'}"}
    subprocess.run([*cli, "ingest", *(str(root / n) for n in files), "-w", str(ws)], env=env, check=True,
                   capture_output=True)
    subprocess.run([*cli, "users", "add", EMAIL, "--role", "viewer", "--workspace", str(ws)],
                   input=PASSWORD + "\n", text=True, env=env, check=True, capture_output=True)
    yield from serve(ws, env)


@pytest.mark.parametrize("width", [1366, 360])
def test_kpi_charts_draw_without_warnings(chart_server: str, browser: Any, width: int) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.goto(chart_server + "/w/drill/objectives/permission")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(chart_server + "/w/drill/objectives/permission")
    for path in ("/w/drill/objectives/permission", "/w/drill/dashboard"):
        page.goto(chart_server + path)
        charts = page.locator(".chart")
        for i in range(charts.count()):
            charts.nth(i).locator("svg").wait_for()
        shot(page, f"kpi_chart_{path.rsplit('/', 1)[-1]}_{width}")
        growth = page.locator("figure:has(figcaption:has-text('Audience growth (permission)')) .chart svg")
        labels = growth.evaluate("svg => [...svg.querySelectorAll('text')].map(t => t.textContent)")
        assert "2026" in labels, " | ".join(labels)  # the horizon's first day, though the data start on 2026-02-20
        # the dashed forecast and the dotted expected pace are drawn (paths with their dash arrays)
        dashes = growth.evaluate("svg => [...svg.querySelectorAll('path')]"
                                 ".map(p => p.getAttribute('stroke-dasharray'))")
        assert "4,3" in dashes and "1,3" in dashes, dashes
    assert problems == [], '\n'.join(p[:160] for p in problems)
    context.close()
