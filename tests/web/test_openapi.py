"""The OpenAPI schema (issue 17.13): the Bearer security scheme, the error statuses each route may answer
(401/403/404/409/413/422) and typed response schemas that the real bodies satisfy."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from strategyfirst.web import schemas
from tests.web.env import WebEnv

WRITES = {("put", "/api/v1/workspaces/{slug}/plan"), ("post", "/api/v1/workspaces/{slug}/imports"),
          ("post", "/api/v1/workspaces/{slug}/decisions"), ("patch", "/api/v1/workspaces/{slug}/decisions/{number}"),
          ("post", "/api/v1/workspaces/{slug}/decisions/{number}/withdraw"),
          ("post", "/api/v1/workspaces/{slug}/plan/objectives"), ("post", "/api/v1/workspaces/{slug}/plan/kpis"),
          ("post", "/api/v1/workspaces/{slug}/plan/tactics"), ("post", "/api/v1/workspaces/{slug}/plan/revert")}
# what each GET answers, checked against a real body below
READS: dict[str, Any] = {
    "/api/v1/workspaces": list[schemas.WorkspaceItem],
    "/api/v1/workspaces/acme/plan": schemas.PlanOut,
    "/api/v1/workspaces/acme/lint": schemas.LintOut,
    "/api/v1/workspaces/acme/measure?by=account&period=month": schemas.MeasureOut,
    "/api/v1/workspaces/acme/measure?by=account&platform=x&account=%40Tesco": schemas.MeasureOut,
    "/api/v1/workspaces/acme/diagnose": schemas.DiagnoseOut,
    "/api/v1/workspaces/acme/imports": schemas.ImportLog,
    "/api/v1/workspaces/acme/posts?sort=replies&size=5": schemas.PostsOut,
    "/api/v1/workspaces/acme/decisions": schemas.DecisionList,
    "/api/v1/workspaces/acme/history": schemas.HistoryOut,
    "/api/v1/workspaces/acme/history?from=1&to=1": schemas.HistoryOut,
    "/api/v1/workspaces/acme/readiness": schemas.ReadinessOut,
    "/api/v1/workspaces/acme/capacity?service_level=0.8&target_minutes=30": schemas.CapacityOut,
}


@pytest.fixture()
def web(web_sqlite: WebEnv) -> WebEnv:
    return web_sqlite


@pytest.fixture()
def schema(web: WebEnv) -> dict[str, Any]:
    document: dict[str, Any] = web.client().get("/api/v1/openapi.json").json()
    return document


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, item in schema["paths"].items() for method, op in item.items()]


def test_the_bearer_scheme_is_declared_on_every_operation(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["Bearer"] == {
        "type": "http", "scheme": "bearer", "description": schemas.BEARER_HELP}
    for method, path, op in operations(schema):
        assert op["security"] == [{"Bearer": []}], (method, path)


def test_every_operation_documents_its_error_statuses(schema: dict[str, Any]) -> None:
    for method, path, op in operations(schema):
        statuses = set(op["responses"])
        assert "401" in statuses, (method, path)
        if "{slug}" in path:
            assert {"403", "404", "422"} <= statuses, (method, path, statuses)
        if (method, path) in WRITES:
            assert "413" in statuses, (method, path)
    responses = {(m, p): op["responses"] for m, p, op in operations(schema)}
    stale = responses[("put", "/api/v1/workspaces/{slug}/plan")]["409"]
    assert stale["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PlanConflict"}
    assert "409" in responses[("post", "/api/v1/workspaces/{slug}/imports")]
    problem = responses[("get", "/api/v1/workspaces/{slug}/plan")]["404"]
    assert problem["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_the_filtered_reads_document_their_filters_and_what_a_bad_one_answers(schema: dict[str, Any]) -> None:
    """measure and posts take `platform` and `account` (measure ignored them, answering every figure); a bad one is
    a 422 that their documented responses say."""
    for path in ("/api/v1/workspaces/{slug}/measure", "/api/v1/workspaces/{slug}/posts"):
        op = schema["paths"][path]["get"]
        assert {"platform", "account"} <= {p["name"] for p in op["parameters"] if p["in"] == "query"}, path
        assert "an `account` the plan's `accounts` do not list" in op["responses"]["422"]["description"], path
    measure = {p["name"]: p for p in schema["paths"]["/api/v1/workspaces/{slug}/measure"]["get"]["parameters"]}
    assert "as `measure --platform`" in measure["platform"]["description"]
    assert "as `measure --account`" in measure["account"]["description"]


def test_json_successes_have_typed_schemas(schema: dict[str, Any]) -> None:
    for method, path, op in operations(schema):
        if path.endswith("report.html"):
            continue
        ok = op["responses"].get("200") or op["responses"]["201"]
        body = ok["content"]["application/json"]["schema"]
        ref = body.get("$ref") or body.get("items", {}).get("$ref")
        assert ref and ref.startswith("#/components/schemas/"), (method, path, body)
        named = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert named["properties"] and named.get("required"), (method, path)


def test_real_bodies_satisfy_their_schemas(web: WebEnv) -> None:
    viewer = web.bearer("viewer@acme.org")
    for path, model in READS.items():
        response = viewer.get(path)
        assert response.status_code == 200, (path, response.text[:200])
        TypeAdapter(model).validate_python(response.json())
    failure = viewer.get("/api/v1/workspaces/nope/plan")
    schemas.Problem.model_validate(failure.json())
    invalid = viewer.get("/api/v1/workspaces/acme/diagnose?as_of=someday")
    assert invalid.status_code == 422
    schemas.Problem.model_validate(invalid.json())


def test_a_stale_save_body_satisfies_the_conflict_schema(fresh_web: WebEnv) -> None:
    editor = fresh_web.bearer("editor@acme.org")
    text = fresh_web.acme.plan_path.read_text(encoding="utf-8")
    stale = editor.put("/api/v1/workspaces/acme/plan", json={"text": text.replace("50000", "40001")},
                       headers={"If-Match": '"0123"'})
    assert stale.status_code == 409
    schemas.PlanConflict.model_validate(stale.json())
    saved = editor.put("/api/v1/workspaces/acme/plan", json={"text": text.replace("50000", "40002")})
    schemas.PlanSaved.model_validate(saved.json())
    made = editor.post("/api/v1/workspaces/acme/decisions", json={"text": "Go"})
    schemas.DecisionOut.model_validate(made.json())


def test_models_allow_new_keys() -> None:
    """A key added to the CLI's JSON later is no breaking change for a client built on the schema."""
    class_with_extra: type[BaseModel] = schemas.WorkspaceItem
    item = class_with_extra.model_validate({"slug": "a", "organisation": None, "role": "viewer", "new": 1})
    assert item.model_dump()["new"] == 1
