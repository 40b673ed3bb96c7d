"""Hardening of the web app (issue 17.5, 17.6, 17.10, 17.13): security headers everywhere, bounded inputs,
out-of-range values as 422, a health check for load balancers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from strategyfirst.appdb import dispose
from tests.web.env import WebEnv, build

PAGES = ["/w/acme/dashboard", "/w/acme/dialogue", "/w/acme/plan", "/w/acme/imports", "/w/acme/verdicts",
         "/w/acme/history", "/login", "/w/nope/dashboard", "/static/app.css", "/api/v1/workspaces",
         "/api/v1/workspaces/acme/measure", "/api/v1/openapi.json", "/api/v1/docs", "/healthz"]


@pytest.fixture()
def web(web_sqlite: WebEnv) -> WebEnv:
    return web_sqlite


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_response(web: WebEnv, path: str) -> None:
    client = web.login("owner@acme.org")
    client.headers["Authorization"] = f"Bearer {web.tokens['owner@acme.org']}"
    response = client.get(path, follow_redirects=False)
    assert response.status_code < 500, response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "'unsafe-eval'" not in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_no_page_has_inline_script(web: WebEnv) -> None:
    """What the policy forbids must not be needed: every <script> loads a file of the app (or is JSON data)."""
    import re

    client = web.login("owner@acme.org")
    for path in PAGES[:7]:
        html = client.get(path).text
        for tag, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
            assert "src=\"/static/" in tag or ('type="application/json"' in tag), (path, tag, body[:80])
        # no inline event handlers either (inside a tag: a decision's text may show "onerror=" escaped)
        assert not re.search(r"<[a-zA-Z][^<>]*\son[a-z]+\s*=", html), path


def test_out_of_range_inputs_are_422(web: WebEnv) -> None:
    client = web.bearer("owner@acme.org")
    for path in ("/api/v1/workspaces/acme/diagnose?as_of=9999-12-31",
                 "/api/v1/workspaces/acme/measure?until=9999-12-31",
                 "/api/v1/workspaces/acme/measure?since=0001-01-01",
                 "/api/v1/workspaces/acme/history?from=1&to=9223372036854775808",
                 "/api/v1/workspaces/acme/lint?as_of=9999-12-31"):
        response = client.get(path)
        assert response.status_code == 422, (path, response.status_code, response.text[:200])


@pytest.mark.parametrize("query", ["until=9999-12-31", "as_of=9999-12-31", "since=0001-01-01"])
def test_downloads_refuse_a_date_out_of_range_before_streaming(web: WebEnv, query: str) -> None:
    """posts.csv answered 200, then dropped the connection on the year 9999 (the page says it and shows the
    default dates instead; a file cannot say it, so it is refused)."""
    client = web.login("owner@acme.org")
    said = f"{query} is outside the dates this app works with (1970-01-01 to 2200-12-31)"
    for path in ("/w/acme/posts.csv", "/w/acme/dialogue.csv", "/w/acme/dialogue-waiting.csv",
                 "/w/acme/charts/dialogue/inbound.svg"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 422 and said in response.text, (path, response.text[:300])
        assert response.headers["content-type"].startswith("text/html")
    # the page: a bad as-of day is the error page (as on every page that takes one), a bad date of the range is
    # said beside the default dates shown instead; both 422 (web.md: invalid input)
    page = client.get(f"/w/acme/posts?{query}")
    assert page.status_code == 422 and said in page.text
    fine = client.get("/w/acme/posts.csv?until=2200-12-31&since=1970-01-01")
    assert fine.status_code == 200 and fine.text.startswith("message_id,date,")


def test_bodies_are_bounded(web: WebEnv) -> None:
    editor = web.bearer("owner@acme.org")
    before = editor.get("/api/v1/workspaces/acme/decisions").json()["decisions"]
    too_long = editor.post("/api/v1/workspaces/acme/decisions", json={"text": "x" * 5001})
    assert too_long.status_code == 422 and "5000" in too_long.text.replace(",", "")
    assert editor.get("/api/v1/workspaces/acme/decisions").json()["decisions"] == before
    plan_before = web.acme.plan_path.read_text()
    junk = editor.put("/api/v1/workspaces/acme/plan", json={"text": "a: b\n" * 250_000})
    assert junk.status_code == 422
    assert web.acme.plan_path.read_text() == plan_before


def test_yaml_alias_bomb_is_refused_at_once(web: WebEnv) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    bomb = "\n".join(lines) + "\n"
    editor = web.bearer("owner@acme.org")
    plan_before = web.acme.plan_path.read_text()
    started = time.monotonic()
    response = editor.put("/api/v1/workspaces/acme/plan", json={"text": bomb})
    assert time.monotonic() - started < 2.0
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert "aliases" in problem["msg"] and problem["line"] >= 2
    assert web.acme.plan_path.read_text() == plan_before


def test_openapi_at_the_conventional_place(web: WebEnv) -> None:
    response = web.client().get("/openapi.json", follow_redirects=False)
    assert response.status_code == 308 and response.headers["location"] == "/api/v1/openapi.json"


def test_healthz_needs_no_login_and_says_what_fails(tmp_path: Path) -> None:
    env = build(tmp_path, f"sqlite:///{tmp_path / 'app.sqlite'}", None)
    try:
        ok = env.client().get("/healthz")
        assert ok.status_code == 200 and ok.json() == {"status": "ok", "problems": []}
        env.acme.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        env.acme.warehouse_path.write_bytes(b"\0" * 4096)   # a damaged warehouse
        bad = env.client().get("/healthz")
        assert bad.status_code == 503
        assert bad.json()["problems"] == ["the warehouse of workspace acme cannot be read"]
        assert str(tmp_path) not in bad.text                # never a server path
    finally:
        dispose(env.db_url)
