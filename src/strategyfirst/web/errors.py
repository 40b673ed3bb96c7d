"""Domain errors and HTTP errors into responses: JSON under /api, an HTML page elsewhere.

PlanError → 422 with every located problem; other bad input → 422; a workspace held by an import → 409;
the app database unreachable → 503; a page without a login → redirect to /login. A request FastAPI itself
refuses (a field missing or too long, a word where a number goes) is never its raw JSON on a page, nor echoes
what was sent: a bad number in a page's address is a 404 page, anything else a 422 page saying each problem
in words (the forms check what users can get wrong themselves, and come back with the problem beside the field).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from strategyfirst.dates import RANGE_TEXT
from strategyfirst.errors import (
    AdditionError,
    AppDatabaseError,
    ConflictError,
    ImportFileError,
    PlanError,
    PlanIncompleteError,
    StrategyFirstError,
    WorkspaceLockedError,
)
from strategyfirst.web.deps import LoginRequired
from strategyfirst.web.paths import folders, scrub_json
from strategyfirst.web.templating import render


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def located(exc: StrategyFirstError) -> list[dict[str, Any]]:
    """FastAPI-style `detail` items, with file/line/column where the error knows them."""
    if isinstance(exc, AdditionError):  # an item to add to the plan: located at the body field it is about
        return [{"loc": ["body", p.key] if p.key else ["body"], "msg": p.message, "file": p.file, "line": p.line,
                 "column": p.column, "key": p.key} for p in exc.problems]
    if isinstance(exc, PlanError):
        return [{"loc": ["body", "text"], "msg": p.message, "file": p.file, "line": p.line,
                 "column": p.column, "key": p.key} for p in exc.problems]
    if isinstance(exc, ImportFileError):
        return [{"loc": ["body", "files"], "msg": exc.message, "file": exc.file, "line": exc.line,
                 "column": exc.column}]
    if isinstance(exc, PlanIncompleteError):
        return [{"loc": [], "msg": exc.message, "file": exc.file, "line": exc.line, "column": exc.column}]
    if isinstance(exc, ConflictError):
        return [{"loc": ["header", "If-Match"], "msg": exc.message, **exc.details}]
    return [{"loc": [], "msg": exc.message}]


def status_of(exc: StrategyFirstError) -> int:
    if isinstance(exc, WorkspaceLockedError | ConflictError):
        return 409
    if isinstance(exc, AppDatabaseError):
        return 503
    return 422


def hidden_folders(request: Request) -> list[str]:
    """The server folders no response may show: the served workspaces' and the app database's."""
    state = getattr(request.app.state, "sf", None)
    if state is None:
        return []
    db = getattr(state, "db", None)
    roots = [ws.root for ws in list(state.workspaces.values())]  # copied: an admin may add one meanwhile
    created = state.settings.new_workspaces
    return folders([*roots, *([created.resolve()] if created else [])], getattr(db, "url", None))


def _page(request: Request, status: int, message: Any) -> Response:
    """The error as a page, or as an alert fragment for an HTMX request (swapped into the page by app.js)."""
    message = scrub_json(message, hidden_folders(request))
    name = "_alert.html" if request.headers.get("HX-Request") else "error.html"
    return render(request, name, {"status": status, "message": message}, status=status)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if is_api(request):
        return JSONResponse({"detail": scrub_json(exc.detail, hidden_folders(request))},
                            status_code=exc.status_code, headers=exc.headers)
    return _page(request, exc.status_code, exc.detail)


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StrategyFirstError)
    status = status_of(exc)
    if is_api(request):
        return JSONResponse({"detail": scrub_json(located(exc), hidden_folders(request))}, status_code=status)
    return _page(request, status, [str(p) for p in exc.problems] if isinstance(exc, PlanError) else str(exc))


async def on_out_of_range(request: Request, exc: Exception) -> Response:
    """A number or date too large for the computation it feeds (a year 9999 as-of): bad input, 422."""
    message = f"a value in the request is out of range (dates must be from {RANGE_TEXT})"
    if is_api(request):
        return JSONResponse({"detail": [{"loc": [], "msg": message}]}, status_code=422)
    return _page(request, 422, message)


SHOWN_INPUT = 40  # characters of a refused value a message quotes


def _field(error: dict[str, Any]) -> str:
    """The field a FastAPI error is about: its name (`email`, `as_of`), not its place in the list of values."""
    names = [str(part) for part in error.get("loc", ()) if isinstance(part, str)]
    return names[-1] if len(names) > 1 else "the request"


def _quoted(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= SHOWN_INPUT else text[:SHOWN_INPUT] + "…")


def in_words(error: dict[str, Any]) -> str:
    """One FastAPI (pydantic) error as a line a person reads: the field, what is wrong, a short quote at most."""
    kind, ctx, given = str(error.get("type", "")), error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        what = "fill it in"
    elif kind == "string_too_long":
        what = f"at most {ctx.get('max_length', 0):,} characters (this has {len(str(given)):,})"
    elif kind.startswith(("int_", "float_")):
        what = f"{_quoted(given)} is not a number"
    elif kind.startswith(("date_", "datetime_")):
        what = f"{_quoted(given)} is not a date (YYYY-MM-DD)"
    else:
        what = str(error.get("msg", "not valid")).removeprefix("Value error, ")
    return f"{_field(error)}: {what}"


def api_words(error: dict[str, Any]) -> Any:
    """The API's message of one FastAPI error: pydantic's, but for a date or a whole number the pages' plain
    words (`as_of='bad' is not a date: give it as YYYY-MM-DD`, as web.view says it; `page='abc' is not a whole
    number`, `page='-3' is out of range: give a number at least 1`) rather than pydantic's "Input should be a
    valid date or datetime, input is too short"."""
    kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
    if kind.startswith(("date_", "datetime_")):
        return f"{_field(error)}={_quoted(error.get('input'))} is not a date: give it as YYYY-MM-DD"
    if kind.startswith("int_"):
        return f"{_field(error)}={_quoted(error.get('input'))} is not a whole number"
    bound = {"greater_than_equal": ("at least", "ge"), "less_than_equal": ("at most", "le"),
             "greater_than": ("above", "gt"), "less_than": ("below", "lt")}.get(kind)
    if bound and bound[1] in ctx:
        given = _quoted(error.get("input"))
        return f"{_field(error)}={given} is out of range: give a number {bound[0]} {ctx[bound[1]]:,}"
    return error.get("msg")


async def on_invalid_request(request: Request, exc: Exception) -> Response:
    """FastAPI's refusal of a request's values: the API's located JSON without the values sent (but a bad
    date's short quote, in the pages' words: `api_words`); a page's own words (see the module's text)."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if is_api(request):
        detail = [{"type": e.get("type"), "loc": list(e.get("loc", ())), "msg": api_words(e)} for e in errors]
        return JSONResponse({"detail": scrub_json(detail, hidden_folders(request))}, status_code=422)
    if any((e.get("loc") or ("",))[0] == "path" for e in errors):
        wrong = next(e for e in errors if (e.get("loc") or ("",))[0] == "path")
        what = _field(wrong).replace("_", " ")
        return _page(request, 404, f"Nothing is at this address: {_quoted(wrong.get('input'))} is not a valid {what}.")
    return _page(request, 422, [in_words(e) for e in errors])


async def on_login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)


def install(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(StrategyFirstError, on_domain_error)
    app.add_exception_handler(LoginRequired, on_login_required)
    app.add_exception_handler(OverflowError, on_out_of_range)
    app.add_exception_handler(RequestValidationError, on_invalid_request)
