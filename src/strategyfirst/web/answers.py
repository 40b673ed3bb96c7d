"""Cached JSON answers as HTTP responses: the bytes kept with the result (`services.answer`), an `ETag`, and
304 Not Modified without a body when the client already holds that version (`If-None-Match`)."""

from __future__ import annotations

from fastapi import Request, Response

from strategyfirst.web.services import Encoded

# a client may keep the answer but must ask again each time (the data or the plan may have changed)
REVALIDATE = "private, no-cache"


def not_modified(request: Request, etag: str) -> bool:
    """True when the request's If-None-Match names `etag` (or is `*`)."""
    given = request.headers.get("if-none-match")
    if not given:
        return False
    tags = {t.strip().removeprefix("W/") for t in given.split(",")}
    return etag in tags or "*" in tags


def json_answer(request: Request, found: Encoded, etag: str | None = None) -> Response:
    """200 with `found`'s bytes and its ETag (or `etag`), or 304 when the client has them."""
    tag = etag or found.etag
    headers = {"ETag": tag, "Cache-Control": REVALIDATE}
    if not_modified(request, tag):
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type="application/json", headers=headers)
