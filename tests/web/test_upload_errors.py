"""A failed upload says why, and no response or page shows a server path (issue 17.7): errors name the file
as uploaded (`notes.txt:1:1: ...`), plan errors `strategy.yaml`, the import log file names only."""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.env import WebEnv

NOT_AN_EXPORT = ("notes.txt", b"hello world\n", "text/plain")
IMPORTS = "/api/v1/workspaces/acme/imports"


def no_server_path(env: WebEnv, text: str) -> None:
    assert str(env.root) not in text and str(env.root.resolve()) not in text
    assert ".strategyfirst/uploads" not in text


def test_a_refused_upload_names_the_file_as_uploaded(fresh_web: WebEnv) -> None:
    r = fresh_web.bearer("editor@acme.org").post(IMPORTS, files=[("files", NOT_AN_EXPORT)])
    assert r.status_code == 422
    [problem] = r.json()["detail"]
    assert problem["file"] == "notes.txt" and (problem["line"], problem["column"]) == (1, 1)
    assert problem["msg"].startswith("notes.txt:1:1: header not recognised (hello world)")
    # it said "closest source is 'twcs', which lacks tweet_id, ..." as though twcs lacked its own columns
    assert ", but the file lacks its columns " in problem["msg"] and "which lacks" not in problem["msg"]
    assert "and has columns it does not expect (hello world)" in problem["msg"]
    no_server_path(fresh_web, r.text)


def test_one_bad_file_does_not_stop_the_others(fresh_web: WebEnv, shared_data: Path) -> None:
    sample = ("sample.csv", (shared_data / "twcs" / "sample.csv").read_bytes(), "text/csv")
    r = fresh_web.bearer("editor@acme.org").post(IMPORTS, files=[("files", NOT_AN_EXPORT), ("files", sample)])
    assert r.status_code == 200
    outcome = {f["file"]: (f["status"], f["rows_new"]) for f in r.json()["files"]}
    assert outcome == {"notes.txt": ("failed", 0), "sample.csv": ("imported", 93)}  # 93 tweets (PROVENANCE.md)
    assert r.json()["files"][0]["error"].startswith("notes.txt:1:1: ")
    no_server_path(fresh_web, r.text)
    log = fresh_web.bearer("viewer@acme.org").get(IMPORTS)
    assert [row["file"] for row in log.json()["imports"]] == ["sample.csv"]
    no_server_path(fresh_web, log.text)


def test_the_import_page_answers_htmx_with_the_reason(fresh_web: WebEnv) -> None:
    editor = fresh_web.login("editor@acme.org")
    r = editor.post("/w/acme/imports", files=[("files", NOT_AN_EXPORT)], headers={"HX-Request": "true"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert r.text.startswith('<ul class="error upload-errors" role="alert"><li>notes.txt:1:1: header not '
                             'recognised')
    no_server_path(fresh_web, r.text)
    # an error the route does not handle itself (a missing CSRF token) is a fragment too, not a whole page
    editor.headers.pop("X-CSRF-Token")
    r = editor.post("/w/acme/imports", files=[("files", NOT_AN_EXPORT)], headers={"HX-Request": "true"})
    assert r.status_code == 403 and r.text.startswith('<p class="error" role="alert">missing or wrong CSRF')


def test_plan_errors_name_strategy_yaml_not_its_folder(fresh_web: WebEnv) -> None:
    editor = fresh_web.bearer("editor@acme.org")
    r = editor.post("/api/v1/workspaces/acme/decisions", json={"text": "Go", "tactic": "nope"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "strategy.yaml: no tactic 'nope' (tactics: care-desk, tesco-desk)"
    page = fresh_web.login("editor@acme.org").post("/w/acme/decisions", data={"text": "Go", "tactic": "nope"})
    assert page.status_code == 422 and "The plan has no tactic &#39;nope&#39;" in page.text
    no_server_path(fresh_web, page.text)


def test_the_import_summary_of_a_batch_with_a_failure(fresh_web: WebEnv, shared_data: Path) -> None:
    sample = ("sample.csv", (shared_data / "twcs" / "sample.csv").read_bytes(), "text/csv")
    r = fresh_web.login("editor@acme.org").post("/w/acme/imports", files=[("files", NOT_AN_EXPORT),
                                                                          ("files", sample)])
    assert r.status_code == 200
    summary = " ".join(r.text[r.text.index('<section class="import-summary">'):].split())
    summary = summary[:summary.index("</section>")]
    assert "<h2>1 of 2 files imported</h2>" in summary
    assert "<tr><td>notes.txt</td><td>—</td>" in summary and "None" not in summary
    assert "<tr><td>sample.csv</td><td>twcs</td>" in summary


def test_the_import_page_gives_advice_in_the_form_s_words(fresh_web: WebEnv, shared_data: Path) -> None:
    """The importers' advice names CLI options (--source, --account); the page names the form's fields instead,
    and the API its own (test_the_api_names_its_own_fields)."""
    editor = fresh_web.login("editor@acme.org")
    sample = ("sample.csv", (shared_data / "twcs" / "sample.csv").read_bytes(), "text/csv")
    wrong = editor.post("/w/acme/imports", files=[("files", sample)], data={"source": "x-analytics"},
                        headers={"HX-Request": "true"})
    assert wrong.status_code == 422 and "check the Source (or choose auto)" in wrong.text, wrong.text
    studio = shared_data / "youtube-studio" / "priyankapatel05" / "Totals.csv"
    nameless = editor.post("/w/acme/imports", files=[("files", ("Totals.csv", studio.read_bytes(), "text/csv"))],
                           headers={"HX-Request": "true"})
    assert nameless.status_code == 422 and "fill in the Account" in nameless.text, nameless.text
    assert "--source" not in wrong.text and "--account" not in nameless.text
    api = fresh_web.bearer("editor@acme.org").post(IMPORTS, files=[("files", sample)], data={"source": "x-analytics"})
    assert api.status_code == 422 and "check the `source` field (or send auto)" in api.json()["detail"][0]["msg"]


def _with_a_bad_row(shared_data: Path) -> bytes:
    return (shared_data / "twcs" / "sample.csv").read_bytes() + b"999999999,x,True,not a date,bad row,,\n"


def test_an_upload_is_logged_under_its_name_and_rebuilt_from_it(fresh_web: WebEnv, shared_data: Path) -> None:
    """The import log kept the upload's private copy (`.strategyfirst/uploads/<hex>/cut.csv`), which the report
    and `measure` then showed under "Rejected by import"."""
    from strategyfirst import Workspace
    from strategyfirst.recovery import rebuild

    editor = fresh_web.login("editor@acme.org")
    r = editor.post("/w/acme/imports", files=[("files", ("cut.csv", _with_a_bad_row(shared_data), "text/csv"))])
    assert r.status_code == 200 and "<tr><td>cut.csv</td><td>twcs</td>" in " ".join(r.text.split())
    logged = Workspace(fresh_web.acme.root).measure(metrics=["posts"]).data_quality["rejected_by_import"]
    assert logged == [{"import_id": 1, "file": "cut.csv", "source": "twcs", "rows_rejected": 1}]  # the CLI's
    quality = fresh_web.bearer("viewer@acme.org").get("/api/v1/workspaces/acme/measure").json()["data_quality"]
    assert quality["rejected_by_import"] == [{"import_id": 1, "file": "cut.csv", "source": "twcs",
                                              "rows_rejected": 1}]
    for path in ("/w/acme/report.html", "/w/acme/tactics/care-desk/report.html", "/w/acme/imports"):
        page = editor.get(path)
        assert page.status_code == 200 and "cut.csv" in page.text, path
        no_server_path(fresh_web, page.text)
    rebuild(Workspace(fresh_web.acme.root))  # the raw copy, found by its digest, imported again under its name
    assert Workspace(fresh_web.acme.root).measure(metrics=["posts"]).data_quality["rejected_by_import"] == logged


def test_a_file_imported_from_the_command_line_is_shown_by_its_name(fresh_web: WebEnv, shared_data: Path,
                                                                     tmp_path: Path) -> None:
    """The CLI's user gave the path (the log and `measure` keep it); no page or API answer shows it."""
    from strategyfirst import Workspace

    exports = tmp_path / "exports on the server"
    exports.mkdir()
    cut = exports / "cut.csv"
    cut.write_bytes(_with_a_bad_row(shared_data))
    fresh_web.acme.ingest([cut])
    cli = Workspace(fresh_web.acme.root).measure(metrics=["posts"])
    assert [r["file"] for r in cli.data_quality["rejected_by_import"]] == [str(cut)]
    viewer = fresh_web.bearer("viewer@acme.org")
    measured = viewer.get("/api/v1/workspaces/acme/measure")
    assert [r["file"] for r in measured.json()["data_quality"]["rejected_by_import"]] == ["cut.csv"]
    pages = [measured, viewer.get("/api/v1/workspaces/acme/imports"), viewer.get("/api/v1/workspaces/acme/report.html")]
    browser = fresh_web.login("viewer@acme.org")
    pages += [browser.get(p) for p in ("/w/acme/report.html", "/w/acme/objectives/dialogue/report.html",
                                       "/w/acme/imports", "/w/acme/imports.csv")]
    for page in pages:
        assert page.status_code == 200 and "cut.csv" in page.text, page.url
        assert str(exports) not in page.text and "exports on the server" not in page.text, page.url


def test_a_refused_batch_lists_each_file_s_reason_once(fresh_web: WebEnv) -> None:
    """Two bad files ran into one paragraph ("...; bad.png:1:1: ..."), said again by the upload state: one list,
    one line per file, said once."""
    editor = fresh_web.login("editor@acme.org")
    image = ("bad.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    r = editor.post("/w/acme/imports", files=[("files", NOT_AN_EXPORT), ("files", image)],
                    headers={"HX-Request": "true"})
    assert r.status_code == 422
    items = re.findall(r"<li>(.*?)</li>", r.text[:r.text.index("</ul>")], re.S)
    assert [i.split(":")[0] for i in items] == ["notes.txt", "bad.png"]
    assert items[0].startswith("notes.txt:1:1: header not recognised (hello world)")
    assert items[1].startswith("bad.png:1:1: is an image, not an export file")
    assert r.text.count("header not recognised") == 1 and r.text.count("is an image") == 1
    page = editor.post("/w/acme/imports", files=[("files", NOT_AN_EXPORT), ("files", image)])
    assert page.status_code == 422 and page.text.count("header not recognised") == 1


def test_a_batch_that_wrote_nothing_does_not_say_it_imported(fresh_web: WebEnv, shared_data: Path) -> None:
    """A bad file and one imported before: "1 of 2 files imported", though nothing was written; the file
    imported before now names that import, as the CLI does ("already imported as #1")."""
    sample = ("sample.csv", (shared_data / "twcs" / "sample.csv").read_bytes(), "text/csv")
    editor = fresh_web.login("editor@acme.org")
    assert editor.post("/w/acme/imports", files=[("files", sample)]).status_code == 200  # import #1
    r = editor.post("/w/acme/imports", files=[("files", NOT_AN_EXPORT), ("files", sample)])
    assert r.status_code == 200
    summary = " ".join(r.text[r.text.index('<section class="import-summary">'):].split())
    summary = summary[:summary.index("</section>")]
    assert "<h2>Nothing imported</h2>" in summary and "files imported" not in summary
    assert "<td>already imported as #1</td>" in summary
    again = editor.post("/w/acme/imports", files=[("files", sample)]).text
    assert "<h2>Already imported</h2>" in again
    mixed = editor.post("/w/acme/imports", files=[("files", sample), ("files", (
        "new.csv", b"tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
                   b"990001,Tesco,False,Tue Oct 31 22:10:47 +0000 2017,hello,,\n", "text/csv"))]).text
    assert "<h2>1 of 2 files imported</h2>" in " ".join(mixed.split())


def test_the_api_names_its_own_fields(fresh_web: WebEnv, shared_data: Path) -> None:
    """A YouTube Totals.csv without an account got 422 "pass --account NAME": the API's field is `account`."""
    studio = shared_data / "youtube-studio" / "priyankapatel05" / "Totals.csv"
    api = fresh_web.bearer("editor@acme.org").post(IMPORTS, files=[("files", ("Totals.csv", studio.read_bytes(),
                                                                              "text/csv"))])
    assert api.status_code == 422
    [problem] = api.json()["detail"]
    assert problem["msg"].startswith("Totals.csv:1:1: ") and problem["msg"].endswith("; send the `account` field")
    assert "--account" not in api.text
