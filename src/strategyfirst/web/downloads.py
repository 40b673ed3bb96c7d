"""Taking a view away: a table as CSV, a chart as SVG or PNG (drawn on the server by vl-convert from the same
Vega-Lite spec the page draws, so the file needs no browser and no network)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from fastapi import HTTPException
from fastapi.responses import Response, StreamingResponse

CHART_WIDTH = 640  # pixels: a page's chart is as wide as its container, a file needs a width
CHART_TYPES = {"svg": "image/svg+xml", "png": "image/png"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(*parts: str) -> str:
    """A download's name from its parts ('acme-tactic-care-desk-posts'), safe in a header."""
    return "-".join(p for p in (_UNSAFE.sub("_", part).strip("_") for part in parts) if p) or "download"


def _cell(value: Any) -> Any:
    return "" if value is None else value


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text in pieces: the header, then each row (nothing is held beyond one row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingResponse:
    """A table as a CSV download, streamed as its rows are read."""
    return StreamingResponse(csv_rows(header, rows), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def chart_response(spec: dict[str, Any] | None, fmt: str, name: str) -> Response:
    """A chart's spec drawn as an SVG or PNG download; 404 when the view has no such chart."""
    if fmt not in CHART_TYPES:
        raise HTTPException(404, f"charts download as {' or '.join(CHART_TYPES)}, not {fmt!r}")
    if spec is None:
        raise HTTPException(404, "this view has no such chart (no data to draw yet)")
    import vl_convert

    fixed = {**spec, "width": CHART_WIDTH if spec.get("width") == "container" else spec.get("width", CHART_WIDTH),
             "background": "white"}
    body: bytes = (vl_convert.vegalite_to_svg(fixed).encode("utf-8") if fmt == "svg"
                   else vl_convert.vegalite_to_png(fixed, scale=2))
    return Response(body, media_type=CHART_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
