"""Imports: upload several export files (with a progress bar), then each file's summary and its rejects."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import Response

from strategyfirst.errors import ImportFileError
from strategyfirst.sources.registry import SOURCES
from strategyfirst.web import paths, services
from strategyfirst.web.deps import PageEditor, PageViewer
from strategyfirst.web.downloads import csv_response, file_name
from strategyfirst.web.paths import folders, public_import, scrub
from strategyfirst.web.templating import render
from strategyfirst.web.uploads import FORM, checked_options, failures, in_words, ingest_uploads, result_words

router = APIRouter()
MADE = ("imported", "already imported")  # a file's outcomes that have a row in the import log
PER_PAGE = 50  # imports on a page of the log (74 imports made a 30,000 px page at 360 px)
PLATFORMS = ("facebook", "instagram")  # what --platform is for: Meta Business Suite overview charts
Page = Annotated[int, Query(ge=1, le=10**7)]


def _context(m: Any, page: int = 1, **extra: Any) -> dict[str, Any]:
    rows = services.import_log(m.ws)  # newest first
    pages = max(1, -(-len(rows) // PER_PAGE))
    page = min(page, pages)  # past the last page (the log shrank): its last page
    log = [public_import(r) for r in rows[(page - 1) * PER_PAGE:page * PER_PAGE]]
    return {"m": m, "tab": "imports", "log": log, "sources": [s.name for s in SOURCES], "platforms": PLATFORMS,
            "paging": {"page": page, "pages": pages, "total": len(rows), "first": (page - 1) * PER_PAGE + 1,
                       "last": (page - 1) * PER_PAGE + len(log)},
            "given": {}, **extra}


@router.get("/w/{slug}/imports")
def read_imports(request: Request, m: PageViewer, page: Page = 1) -> Response:
    """The upload form (editors) and the import log, a page of it at a time (newest first)."""
    return render(request, "imports.html", _context(m, page))


@router.get("/w/{slug}/imports.csv")
def read_imports_csv(m: PageViewer) -> Response:
    """The import log as CSV, newest first (file names only, never a server folder)."""
    cols = ("import_id", "file", "source", "account", "started_at", "imported_by", "rows_read", "rows_new",
            "rows_updated", "rows_duplicate", "rows_rejected", "undone_at", "undone_by")
    rows = [public_import(r) for r in services.import_log(m.ws)]
    return csv_response(file_name(m.slug, "imports"), cols, ([r.get(c) for c in cols] for r in rows))


@router.get("/w/{slug}/imports/summary.csv")
def read_import_summary_csv(m: PageViewer, id: Annotated[list[int], Query(max_length=500)] = [],  # noqa: B006
                            already: Annotated[list[int], Query(max_length=500)] = []) -> Response:  # noqa: B006
    """An upload's summary as CSV: the imports it made (`id`) and the files it found already imported as an
    earlier import (`already`: every row a duplicate, as the summary said); failed files are not imports."""
    log = {int(r["import_id"]): public_import(r) for r in services.import_log(m.ws)}
    cols = ("File", "Source", "Read", "New", "Updated", "Duplicate", "Rejected", "Outcome")

    def row(r: dict[str, Any], earlier: bool) -> list[Any]:
        if earlier:
            read, rejected = r.get("rows_read") or 0, r.get("rows_rejected") or 0
            return [r.get("file"), r.get("source"), read, 0, 0, read - rejected, rejected,
                    f"already imported as #{r['import_id']}"]
        return [r.get("file"), r.get("source"), *[r.get(f"rows_{c}") for c in ("read", "new", "updated",
                "duplicate", "rejected")], "undone" if r.get("undone_at") else "imported"]

    rows = [row(log[i], False) for i in id if i in log] + [row(log[i], True) for i in already if i in log]
    return csv_response(file_name(m.slug, "import-summary"), cols, rows)


@router.get("/w/{slug}/imports/{number}/rejects.csv")
def read_rejects_csv(m: PageViewer, number: int) -> Response:
    """The rows an import rejected: line and reason (not the row's text, which may hold a person's data; the
    line finds it in the file)."""
    if number not in {int(r["import_id"]) for r in services.import_log(m.ws)}:
        raise HTTPException(404, f"no import #{number} in {m.slug!r} (the Imports page lists them)")
    rows = services.rejects(m.ws, number, limit=1_000_000)
    return csv_response(file_name(m.slug, "import", str(number), "rejects"), ("Line", "Reason"),
                        ([r["line"], r["reason"]] for r in rows))


@router.post("/w/{slug}/imports")
def create_import_page(
    request: Request, m: PageEditor,
    files: Annotated[list[UploadFile] | None, File()] = None,
    source: Annotated[str, Form()] = "auto",
    account: Annotated[str | None, Form()] = None,
    year: Annotated[str | None, Form()] = None,
    platform: Annotated[str | None, Form()] = None,
    rate: Annotated[str | None, Form()] = None,
    exported_on: Annotated[str | None, Form()] = None,
) -> Response:
    """Import the uploaded files; answers the summary (a fragment for HTMX, else the whole page)."""
    # what the user typed, shown again in the form when the page is answered whole (without htmx)
    typed = {"source": source, "account": account, "year": year, "platform": platform, "rate": rate,
             "exported_on": exported_on}
    try:
        given = (year or "").strip()
        options, problems = checked_options(platform, rate, exported_on)
        refusals = [in_words(p, FORM) for p in problems.values()]  # the CLI's one line each, in the form's words
        if given and not (given.isdigit() and 1900 <= int(given) <= 2999):
            refusals.insert(0, f"year: {given!r} is not a year; give the year of the export day, like 2025")
        if refusals:  # no file was read
            raise _Refused(refusals)
        if not files:  # a form sent without one (the browser's `required` prevents it)
            raise ImportFileError("files", "choose at least one file to import")
        result = result_words(ingest_uploads(m.ws, files, m.state.settings.max_upload_bytes, source, account,
                                             year=int(given) if given else None, by=m.email, **options), FORM)
        refused = failures(result)
        errors = [f["msg"] for f in refused or []]  # one line per file, each naming its file
        status = 422 if refused else 200
    except ImportFileError as exc:
        result, errors, status = {"files": []}, [scrub(str(exc), folders([m.ws.root]))], 422
    except _Refused as exc:
        result, errors, status = {"files": []}, exc.lines, 422
    # a refused upload shows its reasons only; a partly failed one lists each file's outcome
    shown = result["files"] if status == 200 else []
    summaries = [{**f, "import_id": f.get("import_id") or (_import_id(m, f) if f.get("status") in MADE else None)}
                 for f in shown]
    summaries = [{**f, "rejects": services.rejects(m.ws, f["import_id"]) if f.get("rows_rejected") else []}
                 for f in summaries]
    context = _context(m, summaries=summaries, errors=errors, summary_query=summary_query(summaries), given=typed)
    # an import changes the log: htmx gets it too, swapped in place (a refused upload changes nothing)
    partial = "_import_response.html" if status == 200 else "_import_summary.html"
    name = partial if request.headers.get("HX-Request") else "imports.html"
    return render(request, name, context, status=status)


class _Refused(Exception):
    """The form's options refused before any file is read: one line each."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


def summary_query(summaries: list[dict[str, Any]]) -> str:
    """The summary CSV's query: the imports the upload made and those it found already made."""
    made = [("already" if f.get("status") == "already imported" else "id", f["import_id"]) for f in summaries
            if isinstance(f.get("import_id"), int) and f["import_id"] > 0]
    return urlencode(made)


def _import_id(m: Any, summary: dict[str, Any]) -> int:
    """The newest import of the file (logged under its name; an older log names the uploaded copy's path)."""
    for row in services.import_log(m.ws):
        if paths.file_name(row.get("file")) == summary["file"]:
            return int(row["import_id"])
    return -1
