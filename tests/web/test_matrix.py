"""The authorisation matrix: every route × caller (anonymous, owner, editor, viewer, non-member, bearer tokens)
× workspace, on the real app, on SQLite and on PostgreSQL. Anonymous → 401 (API) or a login redirect (pages);
not a member → 404 (the same answer as a workspace that does not exist); a role too low → 403; otherwise the
route's success status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route as StarletteRoute

from strategyfirst.appdb import role_at_least
from strategyfirst.web.app import API_ROUTERS, PAGE_ROUTERS
from tests.web.env import ROLES, WebEnv

SAMPLE = "sample.csv"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # with {slug}
    role: str  # the least role that may use it
    ok: int
    body: Callable[[WebEnv, str], dict[str, Any]] = lambda env, slug: {}
    number: Callable[[WebEnv, str], int] | None = None  # fills a {number} in the path
    ok_without_data: int | None = None  # the success status on globex (no data imported), where it differs

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _plan(env: WebEnv, slug: str) -> str:
    return env.state.workspaces.get(slug, env.acme).plan_path.read_text(encoding="utf-8")


def _fresh_decision(env: WebEnv, slug: str) -> int:
    """A new decision of the workspace to edit or withdraw (1 where the workspace does not exist)."""
    return env.state.db.record_decision(slug, "matrix decision").number if slug in env.state.workspaces else 1


def _fresh_token(env: WebEnv, slug: str) -> int:
    """A new read token of the workspace's owner, scoped to it, to revoke (1 where the workspace does not exist)."""
    if slug not in env.state.workspaces:
        return 1
    owner = next(email for email, (home, role) in ROLES.items() if home == slug and role == "owner")
    env.state.db.create_api_token(owner, "matrix-revoke", workspace=slug, access="read")
    return max(t.id for t in env.state.db.workspace_tokens(slug))


def _member_of(env: WebEnv, slug: str) -> dict[str, Any]:
    return {"params": {"email": "viewer@acme.org" if slug == "acme" else "outsider@globex.org"}}


def _answers(env: WebEnv, slug: str) -> dict[str, Any]:
    """The questionnaire as the page fills it in (unchanged: the save writes nothing, the route still answers)."""
    from strategyfirst.readiness.form import answers_stamp, form_values

    readiness = env.state.workspaces.get(slug, env.acme).plan_document().plan.readiness
    return {"data": {**form_values(readiness), "base": answers_stamp(readiness)}}


def _upload(env: WebEnv, slug: str) -> dict[str, Any]:
    return {"files": [("files", (SAMPLE, env.root.joinpath("upload", SAMPLE).read_bytes(), "text/csv"))]}


ROUTES = [
    Route("GET", "/api/v1/workspaces/{slug}/plan", "viewer", 200),
    Route("PUT", "/api/v1/workspaces/{slug}/plan", "editor", 200,
          lambda env, slug: {"json": {"text": _plan(env, slug), "why": "matrix"}}),
    # adding to the plan, with an item lint refuses (422 once the role allows it; the shared plans stay as
    # they are), as for the editor's forms below
    Route("POST", "/api/v1/workspaces/{slug}/plan/objectives", "editor", 422,
          lambda env, slug: {"json": {"id": "dialogue"}}),
    Route("POST", "/api/v1/workspaces/{slug}/plan/kpis", "editor", 422,
          lambda env, slug: {"json": {"objective": "dialogue", "metric": "reach"}}),
    Route("POST", "/api/v1/workspaces/{slug}/plan/tactics", "editor", 422,
          lambda env, slug: {"json": {"id": "care-desk"}}),
    # a revert to a version the workspace does not have: refused once the role allows it (nothing saved)
    Route("POST", "/api/v1/workspaces/{slug}/plan/revert", "editor", 422,
          lambda env, slug: {"json": {"version": 999_999}}),
    Route("GET", "/api/v1/workspaces/{slug}/lint", "viewer", 200),
    Route("GET", "/api/v1/workspaces/{slug}/measure", "viewer", 200),
    Route("GET", "/api/v1/workspaces/{slug}/funnel", "viewer", 200),
    Route("GET", "/api/v1/workspaces/{slug}/diagnose", "viewer", 200),
    Route("GET", "/api/v1/workspaces/{slug}/imports", "viewer", 200),
    Route("POST", "/api/v1/workspaces/{slug}/imports", "editor", 200, _upload),
    Route("GET", "/api/v1/workspaces/{slug}/decisions", "viewer", 200),
    Route("POST", "/api/v1/workspaces/{slug}/decisions", "editor", 201,
          lambda env, slug: {"json": {"text": "matrix decision"}}),
    Route("PATCH", "/api/v1/workspaces/{slug}/decisions/{number}", "editor", 200,
          lambda env, slug: {"json": {"text": "matrix correction"}}, _fresh_decision),
    Route("POST", "/api/v1/workspaces/{slug}/decisions/{number}/withdraw", "editor", 200,
          number=_fresh_decision),
    Route("GET", "/api/v1/workspaces/{slug}/history", "viewer", 200),
    Route("GET", "/api/v1/workspaces/{slug}/posts", "viewer", 200),
    Route("GET", "/api/v1/workspaces/{slug}/report.html", "viewer", 200),
    Route("GET", "/api/v1/workspaces/{slug}/readiness", "viewer", 200),
    Route("GET", "/api/v1/workspaces/{slug}/capacity", "viewer", 200,
          lambda env, slug: {"params": {"service_level": 0.8, "target_minutes": 30}}),
    Route("GET", "/w/{slug}", "viewer", 200),
    Route("GET", "/w/{slug}/dashboard", "viewer", 200),
    Route("GET", "/w/{slug}/dialogue", "viewer", 200),
    Route("GET", "/w/{slug}/readiness", "viewer", 200),
    Route("POST", "/w/{slug}/readiness", "editor", 303, _answers),
    Route("GET", "/w/{slug}/readiness.csv", "viewer", 200),
    Route("GET", "/w/{slug}/asset.csv", "viewer", 200),
    Route("GET", "/w/{slug}/charts/capacity/shortfall.{fmt}", "viewer", 200, ok_without_data=404),
    Route("GET", "/w/{slug}/imports", "viewer", 200),
    Route("POST", "/w/{slug}/imports", "editor", 200, _upload),
    Route("GET", "/w/{slug}/plan", "viewer", 200),
    Route("POST", "/w/{slug}/plan/lint", "viewer", 200, lambda env, slug: {"data": {"text": _plan(env, slug)}}),
    Route("POST", "/w/{slug}/plan", "editor", 303,
          lambda env, slug: {"data": {"text": _plan(env, slug), "why": "matrix"}}),
    # the plan editor's add forms, each with an item lint refuses: a caller the role allows gets as far as
    # validation (422, nothing saved), so the matrix checks who may add without changing the shared plans
    Route("POST", "/w/{slug}/plan/objectives", "editor", 422, lambda env, slug: {"data": {"id": "dialogue"}}),
    Route("POST", "/w/{slug}/plan/kpis", "editor", 422,
          lambda env, slug: {"data": {"objective": "dialogue", "metric": "reach"}}),
    Route("POST", "/w/{slug}/plan/tactics", "editor", 422, lambda env, slug: {"data": {"id": "care-desk"}}),
    Route("POST", "/w/{slug}/plan/revert", "editor", 422, lambda env, slug: {"data": {"version": "999999"}}),
    Route("GET", "/w/{slug}/verdicts", "viewer", 200),
    Route("POST", "/w/{slug}/decisions", "editor", 303, lambda env, slug: {"data": {"text": "matrix decision"}}),
    Route("GET", "/w/{slug}/decisions/new", "editor", 200),
    Route("GET", "/w/{slug}/decisions/{number}/edit", "editor", 200, number=_fresh_decision),
    Route("POST", "/w/{slug}/decisions/{number}", "editor", 303,
          lambda env, slug: {"data": {"text": "matrix correction"}}, _fresh_decision),
    Route("POST", "/w/{slug}/decisions/{number}/withdraw", "editor", 303, number=_fresh_decision),
    Route("GET", "/w/{slug}/history", "viewer", 200),
    Route("GET", "/w/{slug}/report.html", "viewer", 200),
    Route("GET", "/w/{slug}/members", "owner", 200),
    Route("POST", "/w/{slug}/members", "owner", 303,
          lambda env, slug: {"data": {"email": "viewer@acme.org", "role": "viewer"}}),
    Route("POST", "/w/{slug}/members/remove", "owner", 303, lambda env, slug: {"data": {"email": "nobody@x.org"}}),
    Route("GET", "/w/{slug}/members/remove", "owner", 200, _member_of),
    Route("GET", "/w/{slug}/members.csv", "owner", 200),
    Route("GET", "/w/{slug}/tokens", "owner", 200),
    Route("POST", "/w/{slug}/tokens", "owner", 201, lambda env, slug: {"data": {"name": "matrix", "access": "read"}}),
    Route("GET", "/w/{slug}/tokens.csv", "owner", 200),
    Route("GET", "/w/{slug}/tokens/{token_id}/revoke", "owner", 200, number=_fresh_token),
    Route("POST", "/w/{slug}/tokens/{token_id}/revoke", "owner", 303, number=_fresh_token),
    # drill-down (both plans have the objective `dialogue` and the tactic `care-desk`)
    Route("GET", "/w/{slug}/objectives/{objective_id}", "viewer", 200),
    Route("GET", "/w/{slug}/objectives/{objective_id}/kpis.csv", "viewer", 200),
    Route("GET", "/w/{slug}/objectives/{objective_id}/tactics.csv", "viewer", 200),
    Route("GET", "/w/{slug}/objectives/{objective_id}/report.html", "viewer", 200),
    Route("GET", "/w/{slug}/charts/kpi/{objective_id}/{metric}.{fmt}", "viewer", 200, ok_without_data=404),
    Route("GET", "/w/{slug}/tactics/{tactic_id}", "viewer", 200),
    Route("GET", "/w/{slug}/tactics/{tactic_id}/figures.csv", "viewer", 200),
    Route("GET", "/w/{slug}/tactics/{tactic_id}/report.html", "viewer", 200),
    # globex owns no x account tesco: a 404 there
    Route("GET", "/w/{slug}/accounts", "viewer", 200),
    Route("GET", "/w/{slug}/accounts.csv", "viewer", 200),
    Route("GET", "/w/{slug}/accounts/{platform}/{account}", "viewer", 200, ok_without_data=404),
    Route("GET", "/w/{slug}/accounts/{platform}/{account}/figures.csv", "viewer", 200, ok_without_data=404),
    Route("GET", "/w/{slug}/posts", "viewer", 200),
    Route("GET", "/w/{slug}/posts.csv", "viewer", 200),
    Route("GET", "/w/{slug}/imports.csv", "viewer", 200),
    Route("GET", "/w/{slug}/dialogue.csv", "viewer", 200),
    Route("GET", "/w/{slug}/dialogue-waiting.csv", "viewer", 200),
    Route("GET", "/w/{slug}/imports/summary.csv", "viewer", 200, lambda env, slug: {"params": {"id": [1]}}),
    Route("GET", "/w/{slug}/imports/{number}/rejects.csv", "viewer", 200, number=lambda env, slug: 1,
          ok_without_data=404),
    Route("GET", "/w/{slug}/verdicts.csv", "viewer", 200),
    Route("GET", "/w/{slug}/budget.csv", "viewer", 200),
    Route("GET", "/w/{slug}/funnel.csv", "viewer", 200),
    Route("GET", "/w/{slug}/charts/dialogue/{name}.{fmt}", "viewer", 200, ok_without_data=404),
]
# What fills the drill-down routes' other path parameters.
PATH_VALUES = {"name": "inbound", "objective_id": "dialogue", "tactic_id": "care-desk", "metric": "response_rate",
               "fmt": "svg", "platform": "x", "account": "tesco"}
# Not scoped to a workspace: any logged-in caller, or anyone.
SIGNED_IN = [Route("GET", "/api/v1/workspaces", "viewer", 200), Route("GET", "/workspaces", "viewer", 200),
             Route("GET", "/workspaces.csv", "viewer", 200),
             Route("POST", "/workspaces", "viewer", 403),  # admins only (tests/web/test_workspace_creation.py)
             Route("POST", "/logout", "viewer", 303)]
PUBLIC = {"GET /", "GET /login", "POST /login", "GET /favicon.ico", "GET /api/v1/docs", "GET /api/v1/openapi.json",
          "GET /healthz", "GET /openapi.json"}  # a load balancer's check (no data), the schema's alias
CALLERS = ["anonymous", "owner@acme.org", "editor@acme.org", "viewer@acme.org", "outsider@globex.org",
           "token:editor@acme.org", "token:viewer@acme.org", "token:outsider@globex.org"]


def client_for(env: WebEnv, caller: str, cache: dict[str, TestClient]) -> TestClient:
    if caller not in cache:
        if caller == "anonymous":
            cache[caller] = env.client()
        elif caller.startswith("token:"):
            cache[caller] = env.bearer(caller.removeprefix("token:"))
        else:
            cache[caller] = env.login(caller)
    return cache[caller]


def expected(route: Route, caller: str, slug: str) -> int:
    if caller == "anonymous":
        return 401 if route.api else 303
    home, role = ROLES[caller.removeprefix("token:")]
    if home != slug:
        return 404
    if not role_at_least(role, route.role):
        return 403
    return route.ok_without_data if route.ok_without_data is not None and slug == "globex" else route.ok


def globex_has_data(env: WebEnv) -> bool:
    """Whether an earlier test of this shared environment imported into globex (test_pages uploads there):
    then a route that needs data may find it there (e.g. import #1's rejects), or not (no dialogue)."""
    log = env.bearer("outsider@globex.org").get("/api/v1/workspaces/globex/imports")
    assert log.status_code == 200, log.text
    return bool(log.json()["imports"])


@pytest.fixture(scope="module")
def clients(web: WebEnv, shared_data: Path) -> dict[str, TestClient]:
    # the twcs sample itself: the first .csv of raw/ was whatever another test of the session uploaded last
    (web.root / "upload").mkdir(exist_ok=True)
    (web.root / "upload" / SAMPLE).write_bytes((shared_data / "twcs" / "sample.csv").read_bytes())
    return {}


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_route_answers_each_caller_as_their_role_allows(route: Route, web: WebEnv,
                                                        clients: dict[str, TestClient]) -> None:
    wrong = []
    data = globex_has_data(web)
    for slug in ("acme", "globex", "no-such-workspace"):
        for caller in CALLERS:
            want = 404 if slug == "no-such-workspace" and caller != "anonymous" else expected(route, caller, slug)
            allowed = {want}
            if data and slug == "globex" and want == route.ok_without_data:
                allowed.add(route.ok)  # a member let in either way: access is what this test checks
            if want in (200, 201, 303) and caller != "anonymous" and slug == "globex" and route.method != "GET":
                continue  # globex's owner writing there adds nothing the acme cases do not check
            client = client_for(web, caller, clients)
            number = route.number(web, slug) if route.number else 0
            path = route.path.format(slug=slug, number=number, token_id=number, **PATH_VALUES)
            r = client.request(route.method, path, follow_redirects=False,
                               **route.body(web, slug))
            got = r.status_code
            if caller == "anonymous" and not route.api and got == 303:
                assert r.headers["location"].startswith("/login?next=")
            if got not in allowed:
                wrong.append(f"{caller} on {slug}: {got} (wanted {want}) {r.text[:120]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("route", SIGNED_IN, ids=str)
def test_unscoped_routes_need_a_login(route: Route, web: WebEnv) -> None:
    anonymous = web.client().request(route.method, route.path, follow_redirects=False)
    assert anonymous.status_code == (401 if route.api else 303)
    for caller in ("viewer@acme.org", "outsider@globex.org"):
        assert web.login(caller).request(route.method, route.path, follow_redirects=False).status_code == route.ok


def test_non_member_cannot_tell_an_existing_workspace_from_a_missing_one(web: WebEnv) -> None:
    outsider = web.bearer("outsider@globex.org")
    existing = outsider.get("/api/v1/workspaces/acme/plan")
    missing = outsider.get("/api/v1/workspaces/acmf/plan")
    assert existing.status_code == missing.status_code == 404
    assert existing.json()["detail"].replace("acme", "X") == missing.json()["detail"].replace("acmf", "X")


def test_matrix_covers_every_route_of_the_app(web: WebEnv) -> None:
    routes = [*web.app.routes, *(r for router in (*API_ROUTERS, *PAGE_ROUTERS) for r in router.routes)]
    served = {f"{m} {r.path}" for r in routes if isinstance(r, StarletteRoute) for m in r.methods or ()
              if m != "HEAD"}
    covered = {str(r) for r in ROUTES + SIGNED_IN} | PUBLIC
    assert served == covered
