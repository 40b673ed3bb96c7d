"""Imports of a workspace: upload export files (editor+), read the import log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, Response, UploadFile

from strategyfirst.web import services
from strategyfirst.web.answers import json_answer
from strategyfirst.web.deps import ApiEditor, ApiViewer
from strategyfirst.web.paths import public_import
from strategyfirst.web.schemas import BODY_TOO_LARGE, BUSY, SCOPED, ImportLog, IngestOut, documented
from strategyfirst.web.uploads import API, api_words, checked_options, failures, in_words, ingest_uploads

router = APIRouter(prefix="/api/v1/workspaces/{slug}", tags=["imports"])
MAX_LIMIT = 1000


@router.post("/imports", **documented(IngestOut, SCOPED, BUSY, BODY_TOO_LARGE))
def create_import(
    m: ApiEditor,
    files: Annotated[list[UploadFile], File(description="Export files to import.")],
    source: Annotated[str, Form(description="auto, or a name from `strategyfirst sources`.")] = "auto",
    account: Annotated[str | None, Form(description="Account where the file does not name it.")] = None,
    strict: Annotated[bool, Form(description="Import nothing of a file with rejected rows.")] = False,
    year: Annotated[int | None, Form(ge=1900, le=2999, description="Year of the export day, for files whose dates "
                                     "give none (TikTok Studio's `February 28`).")] = None,
    exported_on: Annotated[str | None, Form(description=(
        "YYYY-MM-DD: the day member exports (Mailchimp, Substack, beehiiv) were downloaded; the list's size is "
        "dated on it (default: the latest time in the file). `--exported-on`."))] = None,
    platform: Annotated[str | None, Form(description=(
        "Platform of the rows where the file does not name it (Meta Business Suite overview charts titled only "
        "`Follows`, `Views`): facebook or instagram. `--platform`."))] = None,
    rate: Annotated[list[str] | None, Form(description=(
        "CUR=RATE: convert spend in currency CUR into the plan's budget currency, RATE being 1 CUR in it "
        "(UAH=0.024); one field per currency, or several in one parted by commas. Without it, spend in another "
        "currency than the plan's is refused. `--rate`."))] = None,
) -> dict[str, Any]:
    """Import export files into the warehouse (the JSON of `ingest --format json`)."""
    options, problems = checked_options(platform, rate, exported_on)
    if problems:  # the CLI's one line, naming the API's field; no file was read
        raise HTTPException(422, [{"type": "value_error", "loc": ["body", field], "msg": in_words(msg, API)}
                                  for field, msg in problems.items()])
    result = api_words(ingest_uploads(m.ws, files, m.state.settings.max_upload_bytes, source, account, strict,
                                      year, by=m.email, **options))
    refused = failures(result)
    if refused:
        raise HTTPException(422, refused)
    return result


@router.get("/imports", **documented(ImportLog, SCOPED))
def list_imports(request: Request, m: ApiViewer,
                 limit: Annotated[int | None, Query(ge=1, le=MAX_LIMIT, description=(
                     f"At most this many imports (1 to {MAX_LIMIT}); without it, every import from `offset` on."))
                 ] = None,
                 offset: Annotated[int, Query(ge=0, le=10**9, description="Imports to skip, newest first.")] = 0,
                 ) -> Response:
    """The import log, newest first: one row per imported file with its counts; `limit` and `offset` page it,
    `total` counts every import."""
    def log() -> dict[str, Any]:
        rows = services.import_log(m.ws)
        shown = rows[offset:] if limit is None else rows[offset:offset + limit]
        return {"workspace": m.slug, "total": len(rows), "limit": limit, "offset": offset,
                "imports": [public_import(row) for row in shown]}
    return json_answer(request, services.answer(m.ws, ("imports", m.slug, limit, offset), log))
