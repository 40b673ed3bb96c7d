"""The History page's diff summary says every change `history --diff` prints, in its words (QA: v2 → v3 changed
a KPI and the horizon; the page said only "kpis changed: dialogue/response_rate", the CLI "KPIs changed:
dialogue/response_rate" and "also changed: horizon"). The page takes the API's `from` and `to` as well as its
own `a` and `b`."""

from __future__ import annotations

import re

from strategyfirst.plan.diff import summarise_changes
from tests.web.env import ACME_PLAN, WebEnv

KPI_AND_HORIZON = (ACME_PLAN.replace("{metric: response_rate, target: 0.9}", "{metric: response_rate, target: 0.85}")
                   .replace("end: 2018-03-31", "end: 2018-06-30"))


def changes(page: str) -> list[str]:
    listed = re.search(r'<ul class="changes">(.*?)</ul>', page, flags=re.S)
    return re.findall(r"<li>(.*?)</li>", listed.group(1)) if listed else []


def test_the_diff_lists_every_change_the_cli_prints(fresh_web: WebEnv) -> None:
    assert KPI_AND_HORIZON.count("0.85") == 1 and "2018-06-30" in KPI_AND_HORIZON
    owner = fresh_web.bearer("owner@acme.org")
    assert owner.put("/api/v1/workspaces/acme/plan", json={"text": KPI_AND_HORIZON}).status_code == 200  # v2
    cli_lines = summarise_changes(ACME_PLAN, KPI_AND_HORIZON).lines()
    assert cli_lines == ["KPIs changed: dialogue/response_rate", "also changed: horizon"]
    viewer = fresh_web.login("viewer@acme.org")
    for query in ("a=1&b=2", "from=1&to=2", "a=v1&b=v2", ""):  # the latest two by default
        page = viewer.get(f"/w/acme/history?{query}").text
        assert "<h2>v1 → v2</h2>" in page, query
        assert changes(page) == cli_lines, query
        assert "kpis changed" not in page
    # the API's names say what is wrong in the page's words, naming the parameter given
    wrong = viewer.get("/w/acme/history?from=first&to=2").text
    assert "from=&#39;first&#39; is not a plan version" in wrong


def test_equal_versions_are_said_equal(fresh_web: WebEnv) -> None:
    owner = fresh_web.bearer("owner@acme.org")
    assert owner.put("/api/v1/workspaces/acme/plan", json={"text": KPI_AND_HORIZON}).status_code == 200
    page = fresh_web.login("viewer@acme.org").get("/w/acme/history?a=2&b=2").text
    assert "Versions 2 and 2 are equal." in page and changes(page) == [] and "<pre" not in page
