"""Account pages show the account's audience (QA: the email lists' pages showed only post figures, all "—", and the
Facebook page omitted its audience size 128 and growth 21), and the accounts list links every owned account with
data (QA: the email and YouTube account pages were reachable only by URL).

The workspace of drill_env.py, its plan also owning the email list `letter`, plus a YouTube video of `drillvids`
(the plan lists no YouTube account: the export's flag owns it) and follower and subscriber snapshots:
  x drillco followers 100 on 2026-01-01, 130 on 2026-03-01: size 130, growth 130 - 100 = 30;
  email letter subscribers 40 on 2026-01-01, 52 on 2026-03-01: size 52, growth 12;
  x notours followers 999: the plan lists x accounts and not this one, so it is nobody's.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from strategyfirst.appdb import dispose
from tests.web.drill_env import PLAN, POSTS, DrillEnv, build_drill, flat

OWNED = PLAN.replace('  instagram: ["drill.ig"]\n', '  instagram: ["drill.ig"]\n  email: ["letter"]\n')
VIDEO = "youtube:7,youtube,drillvids,true,2026-02-03 10:00:00,video,A video,,https://youtube.com/watch?v=7,,300,,12\n"
AUDIENCE = """\
date,platform,account,metric,value
2026-01-01,x,drillco,followers,100
2026-03-01,x,drillco,followers,130
2026-01-01,email,letter,subscribers,40
2026-03-01,email,letter,subscribers,52
2026-03-01,x,notours,followers,999
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DrillEnv]:
    assert OWNED != PLAN
    root = tmp_path_factory.mktemp("accounts")
    built = build_drill(root, posts=POSTS + VIDEO, plan=OWNED)
    (root / "audience.csv").write_text(AUDIENCE, encoding="utf-8")
    built.ws.ingest([root / "audience.csv"])
    yield built
    dispose(f"sqlite:///{root / 'app.sqlite'}")


@pytest.fixture(scope="module")
def viewer(env: DrillEnv) -> TestClient:
    return env.login()



def figure(page: str, metric: str) -> str:
    """The value cell of a figures table's row for `metric`."""
    found = re.search(rf'<th scope="row" title="{metric}">[^<]*</th><td class="num">([^<]*)</td>', page)
    assert found, metric
    return found.group(1)


def test_an_email_lists_page_shows_its_audience(viewer: TestClient) -> None:
    page = flat(viewer.get("/w/drill/accounts/email/letter").text)
    assert (figure(page, "audience_size"), figure(page, "audience_growth")) == ("52", "12")
    rows = {r["metric"]: r["value"] for r in csv.DictReader(io.StringIO(
        viewer.get("/w/drill/accounts/email/letter/figures.csv").text))}
    assert (rows["audience_size"], rows["audience_growth"]) == ("52", "12")


def test_an_account_with_posts_and_followers_shows_both(viewer: TestClient) -> None:
    page = flat(viewer.get("/w/drill/accounts/x/drillco").text)
    assert (figure(page, "audience_size"), figure(page, "audience_growth")) == ("130", "30")
    assert figure(page, "posts") == "3"  # x:1, x:2, x:5


def test_the_accounts_list_links_every_owned_account_with_data(viewer: TestClient) -> None:
    assert 'href="/w/drill/accounts"' in viewer.get("/w/drill").text
    page = flat(viewer.get("/w/drill/accounts").text)
    links = re.findall(r'href="/w/drill/accounts/([^"/]+/[^"]+)"', page)
    assert links == ["email/letter", "instagram/drill.ig", "x/deska", "x/deskb", "x/drillco", "youtube/drillvids"]
    for link in links:
        assert viewer.get(f"/w/drill/accounts/{link}").status_code == 200
    rows = list(csv.DictReader(io.StringIO(viewer.get("/w/drill/accounts.csv").text)))
    by = {(r["platform"], r["account"]): r for r in rows}
    assert (by["email", "letter"]["audience_size"], by["email", "letter"]["posts"]) == ("52", "")
    assert (by["x", "drillco"]["posts"], by["x", "drillco"]["audience_growth"]) == ("3", "30")
    assert (by["youtube", "drillvids"]["posts"], by["youtube", "drillvids"]["impressions"]) == ("1", "300")
    assert ("x", "notours") not in by and len(rows) == 6
