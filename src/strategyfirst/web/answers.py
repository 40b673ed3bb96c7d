"""Cached JSON answers as HTTP responses: the bytes kept with the result (`services.answer`), an `ETag`, and
304 Not Modified without a body when the client already holds that version (`If-None-Match`).

Each answer is also noted by its URL with the data and plan versions it holds (`Answers`), so that the next
GET of the same URL can be answered without FastAPI (web/fastpath.py) while those versions are current."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response

from strategyfirst.web.services import Encoded

# a client may keep the answer but must ask again each time (the data or the plan may have changed)
REVALIDATE = "private, no-cache"
# set by web/fastpath.py in the scope of a request it passes on: the day it began and the workspace's versions
# (`services.stamp`) then
DAY_KEY, STAMP_KEY = "strategyfirst.day", "strategyfirst.stamp"
# URLs noted before the notes start afresh: as many as services keeps results, so that the bodies held here
# (the same bytes objects as the cached results') are at most as many again as the result cache's
_ANSWERS_SIZE = 256


def not_modified(given: str | None, etag: str) -> bool:
    """True when an If-None-Match header value `given` names `etag` (or is `*`)."""
    if not given:
        return False
    tags = {t.strip().removeprefix("W/") for t in given.split(",")}
    return etag in tags or "*" in tags


def response(if_none_match: str | None, body: bytes, tag: str) -> Response:
    """200 with `body` and its ETag `tag`, or 304 when the client has them."""
    headers = {"ETag": tag, "Cache-Control": REVALIDATE}
    if not_modified(if_none_match, tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def json_answer(request: Request, found: Encoded, etag: str | None = None) -> Response:
    """200 with `found`'s bytes and its ETag (or `etag`), or 304 when the client has them."""
    tag = etag or found.etag
    answers = getattr(getattr(request.app.state, "sf", None), "answers", None)  # AppState.answers
    day = request.scope.get(DAY_KEY)
    # noted only when the versions did not change while the request was answered (what it read is of them)
    if isinstance(answers, Answers) and isinstance(day, dt.date) and found.stamp \
            and request.scope.get(STAMP_KEY) == found.stamp:
        answers.note(request.scope["path"], request.scope.get("query_string", b""),
                     Noted(found.stamp, day, found.body, tag))
    return response(request.headers.get("if-none-match"), found.body, tag)


@dataclass(frozen=True)
class Noted:
    """A JSON answer given for a URL: valid while the workspace's `stamp` is `stamp` and the day is `day`
    (lint's answer without as_of depends on the day)."""

    stamp: tuple[Any, ...]
    day: dt.date
    body: bytes
    etag: str


class Answers:
    """The last JSON answer given for each URL (path and query string) of the cached routes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_url: dict[tuple[str, bytes], Noted] = {}

    def note(self, path: str, query: bytes, noted: Noted) -> None:
        with self._lock:
            if len(self._by_url) >= _ANSWERS_SIZE and (path, query) not in self._by_url:
                self._by_url.clear()
            self._by_url[(path, query)] = noted

    def get(self, path: str, query: bytes) -> Noted | None:
        return self._by_url.get((path, query))
