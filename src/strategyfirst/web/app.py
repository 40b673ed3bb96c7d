"""The app factory: one FastAPI app serving the JSON API under /api/v1 and the server-rendered pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Security
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles

from strategyfirst.web import errors
from strategyfirst.web.api import analysis, decisions, imports, plan, posts, readiness, report, workspaces
from strategyfirst.web.fastpath import FastPath
from strategyfirst.web.limits import BodyLimit
from strategyfirst.web.pages import (
    account_pages,
    auth_pages,
    dashboard_pages,
    download_pages,
    drill_pages,
    history_pages,
    import_pages,
    member_pages,
    plan_pages,
    readiness_pages,
    token_pages,
    verdict_pages,
    workspace_pages,
)
from strategyfirst.web.schemas import BEARER_HELP, UNAUTHENTICATED
from strategyfirst.web.security import SecurityHeaders
from strategyfirst.web.settings import Settings
from strategyfirst.web.state import AppState, open_state
from strategyfirst.web.templating import render

STATIC = Path(__file__).with_name("static")
# documents the API's Bearer scheme in OpenAPI; the check itself is `deps` (a bad token is 401 there)
BEARER = HTTPBearer(auto_error=False, scheme_name="Bearer", description=BEARER_HELP)
API_ROUTERS = (workspaces.router, plan.router, analysis.router, imports.router, decisions.router, report.router,
               readiness.router, posts.router)
PAGE_ROUTERS = (auth_pages.router, workspace_pages.router, dashboard_pages.router, import_pages.router,
                plan_pages.router, verdict_pages.router, history_pages.router, member_pages.router,
                readiness_pages.router, drill_pages.router, account_pages.router, download_pages.router,
                token_pages.router)


SETTINGS_ENV = "STRATEGYFIRST_WEB_SETTINGS_JSON"  # how `serve --workers N` hands its settings to each process


def app_from_env() -> FastAPI:
    """The app of one of `serve --workers N`'s processes, from the settings `serve` put in the environment."""
    import os

    return create_app(Settings.model_validate_json(os.environ[SETTINGS_ENV]), serving=True, warm_first=True)


def health_problems(state: AppState) -> list[str]:
    """What keeps the server from answering: the app database, a warehouse that cannot be read."""
    from strategyfirst.errors import StrategyFirstError
    from strategyfirst.warehouse.engine import unusable_warehouse

    problems = []
    try:
        state.db.workspaces()
    except Exception:  # any failure of the app database is the one thing to report
        problems.append("the app database does not answer")
    for slug, ws in sorted(list(state.workspaces.items())):
        path = ws.warehouse_path
        if not path.is_file():
            continue
        try:
            with path.open("rb") as fh:
                head = fh.read(16)
            if len(head) < 16 or head[8:12] != b"DUCK":
                raise unusable_warehouse(path, OSError("not a valid DuckDB database file"))
        except (OSError, StrategyFirstError):
            problems.append(f"the warehouse of workspace {slug} cannot be read")
    return problems


def create_app(settings: Settings | None = None, state: AppState | None = None, serving: bool = False,
               warm_first: bool = False) -> FastAPI:
    """The web app over `settings`' workspaces and app database (or an already opened `state`); `serving`:
    for a server process (`serve`), whose heap is frozen after the start-up and which keeps the SQL of the
    API's standard measurements compiled (`ServedWorkspace.precompile`); `warm_first`: warmed up before
    it returns (a process of `serve --workers N`; `AppState.start`)."""
    settings = settings or Settings.from_env()
    state = state or open_state(settings)
    app = FastAPI(title="strategyfirst", version="1", description="Strategy-first social media: the plan, "
                  "its measurement, diagnosis and decisions, per workspace.",
                  openapi_url="/api/v1/openapi.json", docs_url=None, redoc_url=None)
    app.state.sf = state
    state.start(freeze=serving, wait=warm_first, precompile=serving)
    app.add_middleware(FastPath, state=state)  # innermost: the security headers are added to its answers too
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    errors.install(app)
    for router in API_ROUTERS:  # scripts send a bearer token (browsers' session cookies work too)
        app.include_router(router, dependencies=[Security(BEARER)], responses=UNAUTHENTICATED)
    for router in PAGE_ROUTERS:
        app.include_router(router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/v1/docs", include_in_schema=False)
    def read_docs(request: Request) -> Response:
        """The API documentation, rendered from the OpenAPI schema by the app itself (no CDN)."""
        return render(request, "api_docs.html", {"schema": app.openapi()})

    @app.get("/healthz", include_in_schema=False)
    def read_health() -> JSONResponse:
        """For a load balancer: no login, no data. 200 when the process is up, the app database answers and
        every served warehouse can be read; 503 naming what fails (never a path)."""
        problems = health_problems(state)
        return JSONResponse({"status": "ok" if not problems else "unavailable", "problems": problems},
                            status_code=503 if problems else 200, headers={"Cache-Control": "no-store"})

    @app.get("/openapi.json", include_in_schema=False)
    def read_openapi_alias() -> RedirectResponse:
        """The OpenAPI schema at the conventional place too."""
        return RedirectResponse("/api/v1/openapi.json", status_code=308)

    @app.get("/favicon.ico", include_in_schema=False)
    def read_favicon() -> FileResponse:
        """The favicon (browsers ask for it; a 404 would show as a console error)."""
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    return app
