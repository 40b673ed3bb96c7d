"""schemathesis over the OpenAPI schema: no generated request (bounded, deterministic) makes a server error.

It runs as the owner of a workspace of its own (its plan may be replaced by whatever parses)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from strategyfirst.appdb import dispose
from strategyfirst.web import Settings, create_app
from strategyfirst.web.state import AppState
from tests.web.env import WebEnv, build

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("schemathesis")]


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
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    root = tmp_path_factory.mktemp("fuzz")
    env = build(root, f"sqlite:///{root / 'app.sqlite'}", None)
    APP.target = env.app
    yield env
    dispose(env.db_url)


@schema.parametrize()
@settings(max_examples=30, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_is_a_server_error(case: Any, fuzzed: WebEnv) -> None:
    if case.path_parameters and "slug" in case.path_parameters:
        case.path_parameters["slug"] = "acme"
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzzed.tokens['owner@acme.org']}"},
                           checks=[not_a_server_error])


def test_fuzzing_left_the_workspace_usable(fuzzed: WebEnv) -> None:
    r = fuzzed.bearer("owner@acme.org").get("/api/v1/workspaces/acme/history")
    assert r.status_code == 200
    assert Path(fuzzed.acme.root).is_dir()
