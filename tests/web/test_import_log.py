"""The Imports page's log (issue 18.12): it says who imported each file (the web user who uploaded it, the OS
user for the CLI), an upload through htmx answers the summary and the refreshed log (swapped out of band, no
reload), and the log downloads as CSV."""

from __future__ import annotations

import csv
import getpass
import io
import re
from pathlib import Path

from strategyfirst.appdb import dispose
from tests.web.drill_env import HEADER, build_drill
from tests.web.env import WebEnv

NEW_POSTS = HEADER + "x:77,x,drillco,true,2026-03-01 10:00:00,post,Uploaded,,,,10,,1\n"


def log_rows(html: str) -> list[str]:
    start = html.index('class="grid import-log stack"')
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split())
            for row in re.findall(r"<tr data-import=.*?</tr>", html[start:html.index("</table>", start)], re.S)]


def test_an_upload_refreshes_the_log_and_names_the_uploader(tmp_path: Path) -> None:
    env = build_drill(tmp_path)
    try:
        editor = env.login("editor@drill.example")
        before = log_rows(editor.get("/w/drill/imports").text)
        # built through Python: imports #1 (posts) and #2 (spend) by the OS user, newest first
        assert [r.split()[:2] for r in before] == [["2", "spend.csv"], ["1", "posts.csv"]]
        assert all(f" {getpass.getuser()} " in f" {r} " for r in before)

        r = editor.post("/w/drill/imports", files={"files": ("new.csv", NEW_POSTS.encode(), "text/csv")},
                        headers={"HX-Request": "true"})
        assert r.status_code == 200, r.text[:300]
        fragment = r.text
        assert "<html" not in fragment  # a fragment: the summary, then the log out of band
        assert fragment.index("Imported") < fragment.index('<div id="import-log" hx-swap-oob="true">')
        rows = log_rows(fragment)
        assert len(rows) == 3 and rows[0].startswith("3 new.csv canonical-csv")
        # read 1, new 1, updated 0, duplicate 0, rejected 0, by the uploader
        assert rows[0].endswith("editor@drill.example 1 1 0 0 0")
        assert log_rows(editor.get("/w/drill/imports").text)[0] == rows[0]

        exported = list(csv.DictReader(io.StringIO(editor.get("/w/drill/imports.csv").text)))
        assert [(e["import_id"], e["file"], e["imported_by"]) for e in exported] == [
            ("3", "new.csv", "editor@drill.example"), ("2", "spend.csv", getpass.getuser()),
            ("1", "posts.csv", getpass.getuser())]
        api = editor.get("/api/v1/workspaces/drill/imports").json()["imports"]
        assert api[0]["imported_by"] == "editor@drill.example"
    finally:
        dispose(f"sqlite:///{tmp_path / 'app.sqlite'}")


def test_an_api_upload_names_the_caller(tmp_path: Path) -> None:
    env = build_drill(tmp_path, spend=None)
    try:
        editor = env.login("editor@drill.example")
        r = editor.post("/api/v1/workspaces/drill/imports",
                        files={"files": ("api.csv", NEW_POSTS.encode(), "text/csv")})
        assert r.status_code == 200, r.text[:300]
        log = editor.get("/api/v1/workspaces/drill/imports").json()["imports"]
        assert (log[0]["file"], log[0]["imported_by"]) == ("api.csv", "editor@drill.example")
    finally:
        dispose(f"sqlite:///{tmp_path / 'app.sqlite'}")


def test_the_log_names_the_account_a_file_was_imported_with(fresh_web: WebEnv, shared_data: Path) -> None:
    """The CLI's `imports` lists the --account a file was imported with; the page, imports.csv and the API left
    it out. Totals.csv names no account (given: priyanka); the twcs sample names its own (none given)."""
    studio = shared_data / "youtube-studio" / "priyankapatel05" / "Totals.csv"
    sample = shared_data / "twcs" / "sample.csv"
    editor = fresh_web.login("editor@acme.org")
    r = editor.post("/w/acme/imports", files={"files": ("Totals.csv", studio.read_bytes(), "text/csv")},
                    data={"account": "priyanka"})
    assert r.status_code == 200, r.text[:300]
    assert editor.post("/w/acme/imports", files={"files": ("sample.csv", sample.read_bytes(), "text/csv")}
                       ).status_code == 200
    page = editor.get("/w/acme/imports").text
    assert '<th scope="col">Source</th><th scope="col">Account</th>' in page
    rows = log_rows(page)
    assert rows[0].startswith("2 sample.csv twcs — ") and rows[1].startswith("1 Totals.csv youtube-studio priyanka ")
    exported = list(csv.DictReader(io.StringIO(editor.get("/w/acme/imports.csv").text)))
    assert [(e["file"], e["source"], e["account"]) for e in exported] == [
        ("sample.csv", "twcs", ""), ("Totals.csv", "youtube-studio", "priyanka")]
    api = fresh_web.bearer("viewer@acme.org").get("/api/v1/workspaces/acme/imports").json()["imports"]
    assert [(i["file"], i["account"]) for i in api] == [("sample.csv", None), ("Totals.csv", "priyanka")]
