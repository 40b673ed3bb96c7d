"""A platform, account or page number the address gets wrong is said in one line, never ignored: the API (measure
and posts) and the downloads answer 422, a page the 422 error page (or, for a page number, the posts page saying
so with 422); a bad `since` is a 422 on every CSV download, those not by dates too."""

from __future__ import annotations

import re

import pytest

from tests.web.env import WebEnv
from tests.web.test_api import cli_json


@pytest.fixture(scope="module")
def web(web_sqlite: WebEnv) -> WebEnv:
    return web_sqlite


def said(html: str) -> list[str]:
    return [" ".join(m.split()) for m in re.findall(r'class="error"[^>]*>(.*?)</p>', html, re.S)]


@pytest.mark.parametrize("url", ["/w/acme/dashboard?platform=nosuch", "/w/acme/dialogue?platform=nosuch",
                                 "/w/acme/posts?platform=nosuch", "/w/acme/posts.csv?platform=nosuch",
                                 "/w/acme/dialogue.csv?platform=nosuch"])
def test_an_unknown_platform_is_a_422_saying_which_exist(web: WebEnv, url: str) -> None:
    r = web.login("viewer@acme.org").get(url)
    assert r.status_code == 422
    assert "platform=&#39;nosuch&#39; is not a platform: use one of blog, bluesky, email" in r.text


@pytest.mark.parametrize("url", ["/w/acme/dashboard?account=x", "/w/acme/posts?account=x",
                                 "/w/acme/dialogue?account=nobody"])
def test_an_account_the_plan_does_not_list_is_a_422_naming_those_it_does(web: WebEnv, url: str) -> None:
    r = web.login("viewer@acme.org").get(url)
    assert r.status_code == 422
    assert "is not an account the plan lists under `accounts` (one of @AppleSupport, @SpotifyCares, @Tesco)" in r.text


def test_a_listed_account_is_taken_in_any_case_with_or_without_its_at(web: WebEnv) -> None:
    viewer = web.login("viewer@acme.org")
    assert viewer.get("/w/acme/posts?account=appleSupport&platform=X").status_code == 200
    assert viewer.get("/w/acme/dialogue?account=@tesco").status_code == 200


@pytest.mark.parametrize(("page", "words"), [("-3", "page=&#39;-3&#39; is not a whole number from 1 to 10,000,000"),
                                             ("abc", "page=&#39;abc&#39; is not a whole number from 1 to 10,000,000")])
def test_a_bad_page_number_is_said_on_the_posts_page_with_422(web: WebEnv, page: str, words: str) -> None:
    r = web.login("viewer@acme.org").get(f"/w/acme/posts?page={page}")
    assert r.status_code == 422
    assert any(words in line and "showing page 1" in line for line in said(r.text)), said(r.text)


def test_the_posts_api_says_each_bad_filter_and_page_in_one_line(web: WebEnv) -> None:
    api = web.bearer("viewer@acme.org")
    r = api.get("/api/v1/workspaces/acme/posts", params={"platform": "nosuch", "account": "x"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert [d["loc"] for d in detail] == [["query", "platform"], ["query", "account"]]
    assert detail[0]["msg"].startswith("platform='nosuch' is not a platform: use one of blog, bluesky")
    assert detail[1]["msg"] == ("account='x' is not an account the plan lists under `accounts` (one of "
                                "@AppleSupport, @SpotifyCares, @Tesco)")
    assert api.get("/api/v1/workspaces/acme/posts", params={"page": "-3"}).json()["detail"][0]["msg"] == \
        "page='-3' is out of range: give a number at least 1"
    assert api.get("/api/v1/workspaces/acme/posts", params={"page": "abc"}).json()["detail"][0]["msg"] == \
        "page='abc' is not a whole number"
    assert api.get("/api/v1/workspaces/acme/posts", params={"platform": "x", "account": "@tesco"}).status_code == 200


def test_the_measure_api_says_each_bad_platform_and_account_in_one_line(web: WebEnv) -> None:
    """A newcomer: `/measure?platform=nosuch` answered 200, every figure of every platform, the filter ignored."""
    api = web.bearer("viewer@acme.org")
    r = api.get("/api/v1/workspaces/acme/measure", params={"platform": ["x", "nosuch"], "account": ["@tesco", "x"]})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert [d["loc"] for d in detail] == [["query", "platform"], ["query", "account"]]
    assert detail[0]["msg"].startswith("platform='nosuch' is not a platform: use one of blog, bluesky")
    assert detail[1]["msg"] == ("account='x' is not an account the plan lists under `accounts` (one of "
                                "@AppleSupport, @SpotifyCares, @Tesco)")


def test_the_measure_api_takes_platform_and_account_as_measure_does(web: WebEnv) -> None:
    """`/measure?platform=P&account=A` is `measure --platform P --account A` (web.md: the bodies are the CLI's),
    the account in any case, with or without its @; a filter narrows the figures."""
    api, ws = web.bearer("viewer@acme.org"), str(web.acme.root)
    base, metrics = "/api/v1/workspaces/acme/measure", ["inbound_messages", "response_rate"]
    tesco = api.get(base, params={"by": "account", "metric": metrics, "account": "TESCO"})
    assert tesco.status_code == 200
    assert tesco.json() == cli_json("measure", "--by", "account", "--metric", metrics[0], "--metric", metrics[1],
                                    "--account", "TESCO", "--format", "json", "-w", ws)
    everyone = api.get(base, params={"by": "account", "metric": metrics}).json()
    assert {r["key"] for r in tesco.json()["rows"]} < {r["key"] for r in everyone["rows"]}
    # a platform with no data in the workspace: nothing inbound, where X has the twcs sample's messages
    def inbound(doc: object) -> object:
        assert isinstance(doc, dict)
        return next(r["value"] for r in doc["rows"] if r["metric"] == "inbound_messages")

    mastodon = api.get(base, params={"metric": metrics, "platform": "Mastodon"}).json()
    assert mastodon == cli_json("measure", "--metric", metrics[0], "--metric", metrics[1], "--platform", "Mastodon",
                                "--format", "json", "-w", ws)
    x = api.get(base, params={"metric": metrics, "platform": "x"}).json()
    assert inbound(mastodon) in (0, None) and inbound(x) == inbound(api.get(base, params={"metric": metrics}).json())
    assert inbound(x) > 0


@pytest.mark.parametrize("path", ["/w/acme/accounts.csv", "/w/acme/verdicts.csv", "/w/acme/budget.csv",
                                  "/w/acme/readiness.csv", "/w/acme/objectives/dialogue/kpis.csv",
                                  "/w/acme/objectives/dialogue/tactics.csv", "/w/acme/tactics/care-desk/figures.csv",
                                  "/w/acme/posts.csv", "/w/acme/dialogue.csv"])
def test_a_bad_since_is_a_422_on_every_csv_download(web: WebEnv, path: str) -> None:
    viewer = web.login("viewer@acme.org")
    r = viewer.get(f"{path}?since=bad")
    assert r.status_code == 422
    assert "since=&#39;bad&#39; is not a date: give it as YYYY-MM-DD" in r.text
    assert viewer.get(f"{path}?until=2017-13-01").status_code == 422
    assert viewer.get(path).status_code == 200


@pytest.mark.parametrize("page", ["/w/acme/dashboard", "/w/acme/dialogue", "/w/acme/posts",
                                  "/w/acme/accounts/x/AppleSupport"])
@pytest.mark.parametrize(("query", "words"), [
    ("since=bad", "since=&#39;bad&#39; is not a date: give it as YYYY-MM-DD"),
    ("until=2017-13-01", "until=&#39;2017-13-01&#39; is not a date: give it as YYYY-MM-DD"),
    ("range=fortnight", "range=&#39;fortnight&#39; is not one of 30d, month, quarter, horizon, all, custom"),
    ("since=2017-10-12&until=2017-10-01", "since 2017-10-12 is after until 2017-10-01: swapped")])
def test_a_bad_date_or_range_is_said_on_every_view_page_with_422(web: WebEnv, page: str, query: str,
                                                                 words: str) -> None:
    """As a bad as-of day, platform, account or page number (web.md: 422 for invalid input, located): the page
    still shows the view it took instead, with the line that says what was wrong (it answered 200)."""
    viewer = web.login("viewer@acme.org")
    r = viewer.get(f"{page}?{query}")
    assert r.status_code == 422, (page, query)
    assert words in said(r.text), said(r.text)
    assert viewer.get(f"{page}?{query}").status_code == 422  # a shared rendering kept for the URL says the same
    assert viewer.get(page).status_code == 200


@pytest.mark.parametrize(("query", "words"), [
    ("sort=bogus", "sort=&#39;bogus&#39; is not one of date, platform, account, impressions, reach, engagements, "
                   "engagement_rate, replies: sorted by date"),
    ("dir=up", "dir=&#39;up&#39; is not one of asc, desc: newest or largest first"),
    ("view=best", "view=&#39;best&#39; is not one of all, outside, unusual: showing all posts")])
def test_a_bad_sort_direction_or_view_is_said_on_the_posts_page_with_422(web: WebEnv, query: str,
                                                                         words: str) -> None:
    viewer = web.login("viewer@acme.org")
    r = viewer.get(f"/w/acme/posts?{query}")
    assert r.status_code == 422
    assert words in said(r.text), said(r.text)
    csv = viewer.get(f"/w/acme/posts.csv?{query}")
    assert csv.status_code == 422 and words.split(":")[0] in csv.text
    assert viewer.get("/w/acme/posts?sort=engagements&dir=asc&view=outside").status_code == 200
    assert viewer.get("/w/acme/posts.csv?sort=engagements&dir=asc&view=outside").status_code == 200
