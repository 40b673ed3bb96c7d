"""A kept answer of a cached GET route is given by web/fastpath.py without FastAPI (issue 17.4, p99 at c = 50):
byte for byte the app's own answer (status, headers in order, body, 304), only to a caller the app would
answer, and never after the data, the plan or the day changed."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from strategyfirst.web import fastpath, services
from strategyfirst.web.answers import Answers
from strategyfirst.web.pages import dashboard_pages
from tests.web.env import WebEnv

BASE = "/api/v1/workspaces/acme"
ROUTES = ("/lint", "/plan", "/measure", "/measure?by=account&period=month", "/measure?metric=response_rate",
          "/diagnose", "/funnel", "/capacity", "/readiness", "/imports")


def counted(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    """Count the calls of `owner.name` (the app's own way to an answer)."""
    calls: list[int] = []
    real: Callable[..., Any] = getattr(owner, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapped)
    return calls


def raw(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, list(response.headers.multi_items()), response.content


@pytest.fixture()
def web(web_sqlite: WebEnv, monkeypatch: pytest.MonkeyPatch) -> WebEnv:
    """The shared environment with no JSON answer noted yet."""
    monkeypatch.setattr(web_sqlite.state, "answers", Answers())
    return web_sqlite


@pytest.mark.parametrize("route", ROUTES)
def test_a_kept_json_answer_is_the_apps_own_byte_for_byte(web: WebEnv, monkeypatch: pytest.MonkeyPatch,
                                                          route: str) -> None:
    calls = counted(monkeypatch, services, "answer")
    client = web.bearer("viewer@acme.org")
    client.get(BASE + route)  # the versions' first snapshot and parse
    web.state.answers = Answers()  # nothing noted: the app answers (and notes its answer)
    by_app = client.get(BASE + route)
    etag = by_app.headers["etag"]
    web.state.answers = Answers()
    app_304 = client.get(BASE + route, headers={"If-None-Match": etag})
    assert by_app.status_code == 200 and app_304.status_code == 304 and len(calls) == 3
    before = len(calls)
    kept, kept_304 = client.get(BASE + route), client.get(BASE + route, headers={"If-None-Match": etag})
    assert len(calls) == before  # neither went to the route
    assert raw(kept) == raw(by_app)
    assert raw(kept_304) == raw(app_304) and kept_304.status_code == 304 and kept_304.content == b""
    assert kept.headers["x-frame-options"] == "DENY"  # the security headers too
    # another user of the workspace gets the same kept answer
    assert raw(web.bearer("owner@acme.org").get(BASE + route)) == raw(by_app) and len(calls) == before


def test_only_a_caller_the_app_would_answer_gets_a_kept_answer(fresh_web: WebEnv) -> None:
    route = f"{BASE}/readiness"
    db = fresh_web.state.db
    db.add_user("viewer@acme.org", None, "viewer", "globex")
    other_workspace = db.create_api_token("viewer@acme.org", "globex only", "globex", "read")
    read_only = db.create_api_token("viewer@acme.org", "acme read", "acme", "read")
    viewer = fresh_web.bearer("viewer@acme.org")
    assert viewer.get(route).status_code == 200 and viewer.get(route).status_code == 200  # noted and kept
    assert fresh_web.state.answers.get(route, b"") is not None

    def status(headers: dict[str, str]) -> int:
        return fresh_web.client().get(route, headers=headers).status_code

    assert status({}) == 401
    assert status({"Authorization": "Bearer not-a-token"}) == 401
    assert status({"Authorization": "Basic abc"}) == 401
    assert status({"Authorization": f"Bearer {fresh_web.tokens['outsider@globex.org']}"}) == 404
    assert status({"Authorization": f"Bearer {other_workspace}"}) == 404
    assert status({"Authorization": f"Bearer {read_only}"}) == 200
    assert db.revoke_token("viewer@acme.org", "tests") == 1
    assert viewer.get(route).status_code == 401
    editor = fresh_web.bearer("editor@acme.org")
    assert editor.get(route).status_code == 200
    assert db.remove_member("editor@acme.org", "acme")
    assert editor.get(route).status_code == 404


def test_a_kept_answer_ends_with_its_plan_version(fresh_web: WebEnv) -> None:
    viewer, editor = fresh_web.bearer("viewer@acme.org"), fresh_web.bearer("editor@acme.org")
    plan = viewer.get(f"{BASE}/plan")
    assert viewer.get(f"{BASE}/plan").headers["etag"] == plan.headers["etag"]  # kept
    text = plan.json()["text"].replace("organisation: Acme Outdoor", "organisation: Acme Indoor")
    saved = editor.put(f"{BASE}/plan", json={"text": text}, headers={"If-Match": plan.headers["etag"]})
    assert saved.status_code == 200, saved.text
    after = viewer.get(f"{BASE}/plan")
    assert after.headers["etag"] == saved.headers["etag"] != plan.headers["etag"]
    assert "organisation: Acme Indoor" in after.json()["text"]


def test_a_kept_answer_ends_with_its_day(web: WebEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    client = web.bearer("viewer@acme.org")
    client.get(f"{BASE}/lint")
    client.get(f"{BASE}/lint")  # noted
    calls = counted(monkeypatch, services, "answer")
    client.get(f"{BASE}/lint")
    assert calls == []
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    fake = types.SimpleNamespace(date=types.SimpleNamespace(today=lambda: tomorrow))
    monkeypatch.setattr(fastpath, "dt", fake)
    assert client.get(f"{BASE}/lint").status_code == 200
    assert calls == [1]  # the app answered (lint without as_of judges deadlines against today)


@pytest.mark.parametrize("page", ["dashboard", "dialogue"])
def test_a_kept_page_is_the_apps_own_with_the_callers_token(web: WebEnv, monkeypatch: pytest.MonkeyPatch,
                                                            page: str) -> None:
    url = f"/w/acme/{page}?range=all"
    first = web.login("viewer@acme.org")
    by_app = first.get(url)
    assert by_app.status_code == 200
    calls = counted(monkeypatch, dashboard_pages, "render_shared")
    second = web.login("viewer@acme.org")
    kept, again = second.get(url), first.get(url)
    assert calls == []  # both answered from the kept rendering
    assert raw(again) == raw(by_app)
    mine, theirs = second.headers["X-CSRF-Token"], first.headers["X-CSRF-Token"]
    assert mine in kept.text and theirs not in kept.text
    assert kept.text == by_app.text.replace(theirs, mine)
    assert kept.headers["content-security-policy"] == by_app.headers["content-security-policy"]
    # no session: the app's redirect to the login page; not a member: the app's 404; a token: its own page
    anonymous = TestClient(web.app, follow_redirects=False).get(url)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert web.login("outsider@globex.org").get(url).status_code == 404
    assert calls == []
    assert web.bearer("viewer@acme.org").get(url).status_code == 200
    assert len(calls) == 1
    # an editor's page is the editor role's rendering, not the viewer's
    assert web.login("editor@acme.org").get(url).status_code == 200
    assert len(calls) == 2


def test_a_serving_process_freezes_what_its_start_up_made() -> None:
    import gc
    import threading

    from strategyfirst.web.state import freeze_heap

    ran: list[int] = []
    warm = threading.Thread(target=lambda: ran.append(gc.get_freeze_count()))
    warm.start()
    try:
        freeze_heap([warm])
        assert ran == [0]  # the warm-up ran before the freeze
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_process_of_serve_workers_is_warm_before_it_answers(web: WebEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import OrderedDict

    import uvicorn

    from strategyfirst.web import create_app, state

    # a worker of a rolling restart must be ready within uvicorn's health-check timeout
    assert uvicorn.Config("strategyfirst.web.app:app_from_env").timeout_worker_healthcheck > state.WARM_FIRST_LIMIT
    monkeypatch.setattr(state, "WARM_FIRST_LIMIT", 600.0)  # this machine may be busy: wait for the warm-up
    monkeypatch.setattr(services, "_cache", OrderedDict())  # nothing computed yet
    acme = web.state.workspaces["acme"]
    assert services.peek(acme, ("diagnose", None)) is None
    create_app(web.state.settings, web.state, warm_first=True)
    # what the dashboard and the default API routes read is there when the app is
    assert services.peek(acme, ("diagnose", None)) is not None
    assert services.peek(acme, ("funnel",)) is not None
    assert services.peek(acme, ("measure", "none", "all", None, None, (), (), ())) is not None


def test_the_workspace_list_is_the_apps_own_for_each_caller_until_something_changes(
        fresh_web: WebEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    from strategyfirst.web.api import workspaces

    db = fresh_web.state.db
    viewer = fresh_web.bearer("viewer@acme.org")
    calls = counted(monkeypatch, workspaces, "visible_workspaces")
    by_app = viewer.get("/api/v1/workspaces")
    assert by_app.json() == [{"slug": "acme", "organisation": "Acme Outdoor", "role": "viewer", "scope": "write"}]
    kept = viewer.get("/api/v1/workspaces")
    assert calls == [1]  # the second did not go to the route
    assert raw(kept) == raw(by_app) and kept.headers["x-content-type-options"] == "nosniff"
    assert fresh_web.bearer("outsider@globex.org").get("/api/v1/workspaces").json()[0]["slug"] == "globex"
    assert fresh_web.client().get("/api/v1/workspaces").status_code == 401
    # a new membership, a read-only or one-workspace token, a new organisation, a revoked token
    db.add_user("viewer@acme.org", None, "editor", "globex")
    assert [(w["slug"], w["role"]) for w in viewer.get("/api/v1/workspaces").json()] == [
        ("acme", "viewer"), ("globex", "editor")]
    scoped = db.create_api_token("viewer@acme.org", "globex read", "globex", "read")
    listed = fresh_web.client().get("/api/v1/workspaces", headers={"Authorization": f"Bearer {scoped}"})
    assert [(w["slug"], w["role"], w["scope"]) for w in listed.json()] == [("globex", "editor", "read")]
    text = fresh_web.acme.plan_path.read_text(encoding="utf-8")
    fresh_web.acme.plan_path.write_text(text.replace("organisation: Acme Outdoor", "organisation: Acme Indoor"),
                                        encoding="utf-8")
    assert viewer.get("/api/v1/workspaces").json()[0]["organisation"] == "Acme Indoor"
    assert db.revoke_token("viewer@acme.org", "tests") == 1
    assert viewer.get("/api/v1/workspaces").status_code == 401


@pytest.mark.parametrize("url", [f"{BASE}/readiness", "/w/acme/dashboard", "/api/v1/workspaces"])
def test_an_app_database_failure_is_the_apps_503_not_a_bare_500(fresh_web: WebEnv, monkeypatch: pytest.MonkeyPatch,
                                                                url: str) -> None:
    """The fast path reads the caller as the app does; when the app database fails there, the caller gets the
    app's located 503 (errors.on_domain_error), as without the fast path, not Starlette's plain 500."""
    from strategyfirst.errors import AppDatabaseError

    api = url.startswith("/api/")
    client = fresh_web.bearer("viewer@acme.org") if api else fresh_web.login("viewer@acme.org")
    assert client.get(url).status_code == 200 and client.get(url).status_code == 200  # kept where it can be
    state = fresh_web.state

    def down(*args: Any) -> None:
        raise AppDatabaseError("the app database is down")

    monkeypatch.setattr(state.db, "token_info", down)
    monkeypatch.setattr(state.db, "session_info", down)
    monkeypatch.setattr(state, "remember", lambda key, compute: compute())  # read it: nothing memoised
    failed = TestClient(fresh_web.app, raise_server_exceptions=False, follow_redirects=False,
                        headers=dict(client.headers), cookies=dict(client.cookies)).get(url)
    assert failed.status_code == 503
    assert "the app database is down" in failed.text


def test_a_failure_after_the_listing_is_sent_notes_nothing(fresh_web: WebEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = fastpath.FastPath._listing_versions

    def once(self: fastpath.FastPath) -> Any:
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("the app database went away")
        return real(self)

    monkeypatch.setattr(fastpath.FastPath, "_listing_versions", once)
    answer = fresh_web.bearer("viewer@acme.org").get("/api/v1/workspaces")
    assert answer.status_code == 200 and answer.json()[0]["slug"] == "acme" and len(calls) == 2


def test_the_callers_bits_are_put_in_as_a_replace_would() -> None:
    from strategyfirst.web.templating import CSRF_MARK, EMAIL_MARK, shared_response

    user = types.SimpleNamespace(email="zoë+<b>@exämple.org")
    pages = ("", "plain é", CSRF_MARK, EMAIL_MARK + CSRF_MARK, f"a{CSRF_MARK}b{EMAIL_MARK}c{CSRF_MARK}{EMAIL_MARK}ü")
    for html in pages:
        want = html.replace(CSRF_MARK, "tok-EN_1").replace(EMAIL_MARK, "zoë+&lt;b&gt;@exämple.org")
        assert shared_response(html, "tok-EN_1", user).body == want.encode("utf-8")
