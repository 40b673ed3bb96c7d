"""Uploaded export files: saved under their own names (some sources read the account from the file name)
in a private folder of the workspace, ingested, then removed; over the size limit is a 413."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import HTTPException, UploadFile

from strategyfirst.errors import UsageError
from strategyfirst.sources.currency import parse_rates
from strategyfirst.warehouse.ingest import export_day
from strategyfirst.web import services
from strategyfirst.web.paths import folders, scrub_json
from strategyfirst.workspace import Workspace

CHUNK = 1 << 20
FAILED = "failed"  # an ingest summary's status for a file that could not be imported (warehouse.ingest)
_UNSAFE = re.compile(r"[\x00-\x1f/\\]")


def safe_name(name: str | None) -> str:
    """The file's own name without any folder part or control characters."""
    base = _UNSAFE.sub("_", Path((name or "").replace("\\", "/")).name).strip(" .")
    return base[:200] or "upload"


@contextmanager
def saved(ws: Workspace, files: list[UploadFile], limit: int) -> Iterator[dict[Path, str]]:
    """The uploads written to a fresh folder (removed afterwards), each with the name it was uploaded as; 413
    when they add up to over `limit`."""
    folder = ws.ensure().state_dir / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    try:
        names: dict[Path, str] = {}
        total = 0
        for n, upload in enumerate(files):
            name = safe_name(upload.filename)
            target = folder / name if not (folder / name).exists() else folder / f"{n}-{name}"
            with target.open("wb") as out:
                while chunk := upload.file.read(CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise HTTPException(413, f"the upload is over the limit of {limit:,} bytes")
                    out.write(chunk)
            names[target] = name
        yield names
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# Several rates in one field: "UAH=0.024, USD=0.92" (a comma before a currency code, a semicolon or a line
# break part them; "UAH=0,024", a decimal comma, stays one rate and is refused as the CLI refuses it).
_RATES_APART = re.compile(r"[;\n]+|,(?=\s*[A-Za-z])")


def split_rates(given: str | list[str] | None) -> list[str]:
    """The `CUR=RATE` items of the rates field (or of each of several), as `--rate` would be given them."""
    texts = [given] if isinstance(given, str) else list(given or [])
    return [part.strip() for text in texts for part in _RATES_APART.split(text) if part.strip()]


def checked_options(platform: str | None, rates: str | list[str] | None,
                    exported_on: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The upload's platform, rates and export day, checked by the CLI's own checks before any file is read
    (an empty field is an option not given), and the CLI's one-line error of each refused field by name."""
    options: dict[str, Any] = {"platform": (platform or "").strip() or None}
    problems: dict[str, str] = {}
    try:
        options["rates"] = parse_rates(split_rates(rates)) or None
    except UsageError as exc:
        problems["rate"] = exc.message
    try:
        options["exported_on"] = export_day((exported_on or "").strip() or None)
    except UsageError as exc:
        problems["exported_on"] = exc.message
    return options, problems


def ingest_uploads(ws: Workspace, files: list[UploadFile], limit: int, source: str = "auto",
                   account: str | None = None, strict: bool = False, year: int | None = None,
                   by: str | None = None, platform: str | None = None, rates: dict[str, float] | None = None,
                   exported_on: str | None = None) -> dict[str, Any]:
    """The JSON of `ingest --format json`, every file's outcome (one that fails does not stop the others),
    each `file` and `error` naming the file as uploaded; 422 when no file could be imported. `by` (the
    uploader) is who the import log says imported them; `platform`, `rates` and `exported_on` are `ingest`'s
    `--platform`, `--rate` and `--exported-on` (checked by `checked_options`)."""
    if not files:
        raise HTTPException(422, [{"loc": ["body", "files"], "msg": "choose at least one file to import"}])
    with saved(ws, files, limit) as names:
        # each file is imported, summed up and logged under the name it was uploaded as (a zip's members as
        # `archive.zip!inner/name`), not as its copy in the private folder
        # a field of spaces is an empty field (the CLI refuses `--account "  "`: typed, it is a mistake)
        result = ws.ingest(list(names), source=source, account=(account or "").strip() or None, strict=strict,
                           year=year, keep_going=True, by=by, names=names, platform=platform, rates=rates,
                           exported_on=exported_on)
    summaries = [scrub_json(summary, folders([ws.root])) for summary in result.files]
    return services.plain({"files": summaries})


def failures(result: dict[str, Any]) -> list[dict[str, Any]] | None:
    """422's located `detail` when no file of the upload was imported (each failed file's reason), else None."""
    files = result["files"]
    if not files or any(f.get("status") != FAILED for f in files):
        return None
    return [{"loc": ["body", "files"], "msg": f["error"], "file": f["file"], "line": f.get("line"),
             "column": f.get("column")} for f in files]


# The importers' advice names the CLI's options; the upload form and the API name their own fields instead.
Words = tuple[tuple[re.Pattern[str], str], ...]
FORM: Words = ((re.compile(r"check --source \(or use --source auto\)"), "check the Source (or choose auto)"),
               (re.compile(r"pass --source NAME"), "choose the Source"),
               (re.compile(r"pass --account(?: [A-Z]+)?"), "fill in the Account"),
               (re.compile(r"pass --year(?: YYYY)?"), "fill in the Year"),
               (re.compile(r"pass --exported-on DATE"), "fill in Exported on"),
               (re.compile(r"--exported-on"), "Exported on"),
               (re.compile(r"pass --rate "), "fill in Currency rates with "),
               (re.compile(r"e\.g\. --rate "), "e.g. "),
               (re.compile(r"\(--rate "), "(Currency rates "),
               (re.compile(r"--rate "), "Currency rate "),
               (re.compile(r"(?:give|pass) --platform facebook or --platform instagram"),
                "choose the Platform: facebook or instagram"),
               (re.compile(r"without --platform"), "with the Platform the file says"),
               (re.compile(r"--platform "), "Platform "))
API: Words = ((re.compile(r"check --source \(or use --source auto\)"), "check the `source` field (or send auto)"),
              (re.compile(r"pass --source NAME"), "send the `source` field"),
              (re.compile(r"pass --account(?: [A-Z]+)?"), "send the `account` field"),
              (re.compile(r"pass --year(?: YYYY)?"), "send the `year` field"),
              (re.compile(r"pass --exported-on DATE"), "send the `exported_on` field"),
              (re.compile(r"\(--exported-on\)"), "(the `exported_on` field)"),
              (re.compile(r"--exported-on"), "`exported_on`"),
              (re.compile(r"pass --rate "), "send the `rate` field "),
              (re.compile(r"e\.g\. --rate "), "e.g. "),
              (re.compile(r"\(--rate "), "(the `rate` field "),
              (re.compile(r"--rate "), "`rate` "),
              (re.compile(r"(?:give|pass) --platform facebook or --platform instagram"),
               "send the `platform` field facebook or instagram"),
              (re.compile(r"without --platform"), "without the `platform` field"),
              (re.compile(r"--platform "), "`platform` "))


def in_words(message: str, words: Words) -> str:
    """An import error in the words of the form or the API (their fields) rather than the CLI's options."""
    for pattern, said in words:
        message = pattern.sub(said, message)
    return message


def result_words(result: dict[str, Any], words: Words) -> dict[str, Any]:
    """An ingest answer whose files' errors and notes name the form's or the API's fields."""
    return {**result, "files": [{**f, "error": in_words(f["error"], words) if f.get("error") else f.get("error"),
                                 **({"notes": [in_words(str(n), words) for n in f["notes"]]} if f.get("notes")
                                    else {})}
                                for f in result["files"]]}


def api_words(result: dict[str, Any]) -> dict[str, Any]:
    """An ingest answer whose files' errors and notes name the API's fields."""
    return result_words(result, API)
