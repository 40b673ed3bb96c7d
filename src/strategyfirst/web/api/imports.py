"""Imports of a workspace: upload export files (editor+), read the import log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, Response, UploadFile

from strategyfirst.web import services
from strategyfirst.web.answers import json_answer
from strategyfirst.web.deps import ApiEditor, ApiViewer
from strategyfirst.web.paths import public_import
from strategyfirst.web.schemas import BODY_TOO_LARGE, BUSY, SCOPED, ImportLog, IngestOut, documented
from strategyfirst.web.uploads import api_words, failures, ingest_uploads

router = APIRouter(prefix="/api/v1/workspaces/{slug}", tags=["imports"])


@router.post("/imports", **documented(IngestOut, SCOPED, BUSY, BODY_TOO_LARGE))
def create_import(
    m: ApiEditor,
    files: Annotated[list[UploadFile], File(description="Export files to import.")],
    source: Annotated[str, Form(description="auto, or a name from `strategyfirst sources`.")] = "auto",
    account: Annotated[str | None, Form(description="Account where the file does not name it.")] = None,
    strict: Annotated[bool, Form(description="Import nothing of a file with rejected rows.")] = False,
    year: Annotated[int | None, Form(ge=1900, le=2999, description="Year of the export day, for files whose dates "
                                     "give none (TikTok Studio's `February 28`).")] = None,
) -> dict[str, Any]:
    """Import export files into the warehouse (the JSON of `ingest --format json`)."""
    result = api_words(ingest_uploads(m.ws, files, m.state.settings.max_upload_bytes, source, account, strict,
                                      year, by=m.email))
    refused = failures(result)
    if refused:
        raise HTTPException(422, refused)
    return result


@router.get("/imports", **documented(ImportLog, SCOPED))
def list_imports(request: Request, m: ApiViewer) -> Response:
    """The import log, newest first: one row per imported file with its counts."""
    return json_answer(request, services.answer(m.ws, ("imports", m.slug), lambda: {
        "workspace": m.slug, "imports": [public_import(row) for row in services.import_log(m.ws)]}))
