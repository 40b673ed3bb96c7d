"""schemathesis over the OpenAPI schema (issue 17.6): no generated request (bounded, deterministic) makes a
server error, whoever sends it — the owner, an editor, a viewer of the workspace, or nobody — and every answer
has a documented status and matches its documented schema (issue 17.13).

The owner and the editor may replace the plan with whatever parses, so the fuzz runs in workspaces of its
own; every example goes to `acme`, where each role is a member."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from strategyfirst.appdb import dispose
from strategyfirst.web import Settings, create_app
from strategyfirst.web.state import AppState
from tests.web.env import WebEnv, build

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("schemathesis")]
# the caller of each run: a token of each role in acme, or no credentials at all
CALLERS = ["owner@acme.org", "editor@acme.org", "viewer@acme.org", None]


class Delegate:
    """An ASGI app forwarding to the app of the fixture (the schema is read at import, before fixtures)."""

    def __init__(self) -> None:
        blank = Settings()
        self.target: Any = create_app(blank, AppState(blank, None, {}))  # type: ignore[arg-type]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.target(scope, receive, send)


APP = Delegate()
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[WebEnv]:
    """acme with the real twcs sample imported (so measure/diagnose compute), one SQLite app database."""
    root = tmp_path_factory.mktemp("fuzz")
    env = build(root, f"sqlite:///{root / 'app.sqlite'}", shared_data / "twcs" / "sample.csv")
    APP.target = env.app
    yield env
    dispose(env.db_url)


def headers_of(env: WebEnv, caller: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {env.tokens[caller]}"} if caller else {}


@pytest.mark.parametrize("caller", CALLERS, ids=["owner", "editor", "viewer", "anonymous"])
@schema.parametrize()
@settings(max_examples=8, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_is_a_server_error(case: Any, fuzzed: WebEnv, caller: str | None) -> None:
    if case.path_parameters and "slug" in case.path_parameters:
        case.path_parameters["slug"] = "acme"
    case.call_and_validate(headers=headers_of(fuzzed, caller), checks=[not_a_server_error, response_schema_conformance,
                                                                     status_code_conformance])


def test_fuzzing_left_the_workspace_usable(fuzzed: WebEnv) -> None:
    r = fuzzed.bearer("owner@acme.org").get("/api/v1/workspaces/acme/history")
    assert r.status_code == 200
    assert Path(fuzzed.acme.root).is_dir()
