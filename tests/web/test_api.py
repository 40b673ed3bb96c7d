"""The JSON API on the real app over a real workspace that ingested the real twcs sample: the bodies are the
CLI's, plan saves make versions and write the file, bad input is a located 422."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from strategyfirst.cli import app as cli
from tests.web.env import WebEnv, copy_sample

runner = CliRunner()


def cli_json(*args: str) -> object:
    result = runner.invoke(cli, list(args))
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_workspaces_lists_only_memberships_with_role(web: WebEnv) -> None:
    viewer = web.bearer("viewer@acme.org").get("/api/v1/workspaces")
    outsider = web.bearer("outsider@globex.org").get("/api/v1/workspaces")
    assert viewer.json() == [{"slug": "acme", "organisation": "Acme Outdoor", "role": "viewer", "scope": "write"}]
    assert outsider.json() == [{"slug": "globex", "organisation": "Globex", "role": "owner", "scope": "write"}]


def test_import_log_counts_the_93_tweets_of_the_sample(web: WebEnv) -> None:
    # PROVENANCE.md: twcs/sample.csv holds 93 tweets; the fixture imported it once
    log = web.bearer("viewer@acme.org").get("/api/v1/workspaces/acme/imports").json()["imports"]
    first = log[-1]
    assert (first["source"], first["rows_read"], first["rows_new"], first["rows_rejected"]) == ("twcs", 93, 93, 0)


def test_reimport_by_upload_is_all_duplicates(web: WebEnv, tmp_path: Path, shared_data: Path) -> None:
    sample = copy_sample(shared_data, tmp_path)
    with sample.open("rb") as fh:
        r = web.bearer("editor@acme.org").post("/api/v1/workspaces/acme/imports",
                                               files=[("files", ("sample.csv", fh, "text/csv"))])
    assert r.status_code == 200, r.text
    (summary,) = r.json()["files"]
    assert summary["file"] == "sample.csv"
    assert (summary["rows_read"], summary["rows_new"], summary["rows_duplicate"]) == (93, 0, 93)


def test_a_zip_upload_imports_its_members_named_inside_it(web: WebEnv, tmp_path: Path,
                                                          shared_data: Path) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.write(copy_sample(shared_data, tmp_path), "twcs/sample.csv")
        zf.writestr("notes.txt", "exported on Monday\n")
    r = web.bearer("editor@acme.org").post("/api/v1/workspaces/acme/imports",
                                           files=[("files", ("download.zip", buffer.getvalue(), "application/zip"))])
    assert r.status_code == 200, r.text
    got = [(f["file"], f["status"], f["rows_duplicate"]) for f in r.json()["files"]]
    assert got == [("download.zip!notes.txt", "skipped", 0), ("download.zip!twcs/sample.csv", "already imported", 93)]


def test_lint_measure_diagnose_are_the_cli_json(web: WebEnv) -> None:
    client, ws = web.bearer("viewer@acme.org"), str(web.acme.root)
    assert client.get("/api/v1/workspaces/acme/lint").json() == cli_json("lint", "--format", "json", "-w", ws)
    api = client.get("/api/v1/workspaces/acme/measure",
                     params={"by": "account", "metric": ["response_rate", "inbound_messages"]}).json()
    expected = cli_json("measure", "--by", "account", "--metric", "response_rate", "--metric",
                        "inbound_messages", "--format", "json", "-w", ws)
    assert api == expected
    assert {r["metric"] for r in api["rows"]} == {"response_rate", "inbound_messages"}
    assert client.get("/api/v1/workspaces/acme/diagnose").json() == cli_json(
        "diagnose", "--format", "json", "-w", ws)


def test_cached_analysis_answers_are_encoded_once_per_parameters(web: WebEnv) -> None:
    client, base = web.bearer("viewer@acme.org"), "/api/v1/workspaces/acme"
    rate = client.get(f"{base}/measure", params={"metric": "response_rate"})
    inbound = client.get(f"{base}/measure", params={"metric": "inbound_messages"})
    again = client.get(f"{base}/measure", params={"metric": "response_rate"})
    assert rate.headers["content-type"] == "application/json"
    # the encoded bytes are kept per parameters: another metric is another answer, the same one the same bytes
    assert {r["metric"] for r in rate.json()["rows"]} == {"response_rate"}
    assert {r["metric"] for r in inbound.json()["rows"]} == {"inbound_messages"}
    assert again.content == rate.content
    for route in ("diagnose", "funnel"):
        r = client.get(f"{base}/{route}")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert isinstance(r.json(), dict)


def test_measure_refuses_an_unknown_metric_with_422_located_at_the_metric(web: WebEnv) -> None:
    """BAD_FILTER documents a located message for a bad metric; it came back with `"loc": []`."""
    r = web.bearer("viewer@acme.org").get("/api/v1/workspaces/acme/measure",
                                          params={"metric": ["response_rate", "respons_rate"]})
    assert r.status_code == 422
    [item] = r.json()["detail"]
    assert item["loc"] == ["query", "metric"]
    assert item["msg"].startswith("unknown metric 'respons_rate': did you mean response_rate")


def test_since_after_until_is_refused_as_the_cli_refuses_it_located_in_the_query_s_words(web: WebEnv) -> None:
    """The API answered 200 with null rows where `measure` exits 2 (web.md: the bodies are the CLI's); then it
    answered the CLI's `--since ... --until` words, located nowhere, to a query that has no such flags."""
    said = "since=2018-01-01 is after until=2017-01-01: nothing lies between them; swap them"
    client = web.bearer("viewer@acme.org")
    for path in ("measure", "posts"):
        r = client.get(f"/api/v1/workspaces/acme/{path}", params={"since": "2018-01-01", "until": "2017-01-01"})
        assert r.status_code == 422 and r.json() == {"detail": [
            {"type": "value_error", "loc": ["query", "since"], "msg": said}]}, (path, r.text)
    one_day = client.get("/api/v1/workspaces/acme/measure", params={"since": "2017-10-11", "until": "2017-10-11"})
    assert one_day.status_code == 200
    result = runner.invoke(cli, ["measure", "--since", "2018-01-01", "--until", "2017-01-01", "-w",
                                 str(web.acme.root)])
    assert str(result.exception) == ("--since 2018-01-01 is after --until 2017-01-01: nothing lies between them; "
                                     "swap them")  # main() prints it as one line, exit 2 (tests/cli/test_hygiene.py)


def test_plan_put_saves_a_version_and_writes_the_file(web: WebEnv) -> None:
    editor = web.bearer("editor@acme.org")
    before = editor.get("/api/v1/workspaces/acme/plan").json()
    assert before["text"] == web.acme.plan_path.read_text(encoding="utf-8")
    assert before["plan"]["organisation"] == "Acme Outdoor"
    text = before["text"].replace("review: {cadence: monthly}", "review: {cadence: weekly}")
    # versions are numbered in saving order; the current one is the version holding the file's text, which
    # is not the newest when an earlier test of this shared environment saved a change and then restored it
    numbers = [e["number"] for e in editor.get("/api/v1/workspaces/acme/history").json()["entries"]
               if e["kind"] == "version"]
    assert before["version"] in numbers
    r = editor.put("/api/v1/workspaces/acme/plan", json={"text": text, "why": "weekly reviews"})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == max(numbers) + 1
    assert web.acme.plan_path.read_text(encoding="utf-8") == text
    history = editor.get("/api/v1/workspaces/acme/history").json()["entries"]
    saved = [e for e in history if e["kind"] == "version" and e["number"] == r.json()["version"]]
    assert saved[0]["why"] == "weekly reviews" and saved[0]["author"] == "editor@acme.org"
    diff = editor.get("/api/v1/workspaces/acme/history",
                      params={"from": before["version"], "to": r.json()["version"]}).json()
    assert "-review: {cadence: monthly}" in diff["diff"] and "+review: {cadence: weekly}" in diff["diff"]
    editor.put("/api/v1/workspaces/acme/plan", json={"text": before["text"], "why": "back"})


def test_plan_that_does_not_parse_is_a_located_422(web: WebEnv) -> None:
    text = web.acme.plan_path.read_text(encoding="utf-8")
    lines = text.splitlines()
    bad_line = next(i for i, line in enumerate(lines, 1) if line.startswith("tactics:"))
    broken = text.replace("tactics:", "tactcs:", 1)
    r = web.bearer("editor@acme.org").put("/api/v1/workspaces/acme/plan", json={"text": broken})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert any(d["line"] == bad_line and "tactcs" in d["msg"] + d.get("key", "") for d in detail), detail
    assert web.acme.plan_path.read_text(encoding="utf-8") == text  # nothing written


def test_decision_round_trip_and_unknown_tactic(web: WebEnv) -> None:
    editor = web.bearer("editor@acme.org")
    r = editor.post("/api/v1/workspaces/acme/decisions", json={"text": "Hire a second care agent",
                                                                "tactic": "care-desk"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["kind"], body["text"], body["tactic"], body["author"]) == (
        "decision", "Hire a second care agent", "care-desk", "editor@acme.org")
    listed = editor.get("/api/v1/workspaces/acme/decisions").json()["decisions"]
    assert listed[-1]["number"] == body["number"]
    bad = editor.post("/api/v1/workspaces/acme/decisions", json={"text": "x", "tactic": "no-such"})
    assert bad.status_code == 422 and "care-desk" in bad.text  # names the known tactics


def test_report_is_self_contained_html(web: WebEnv) -> None:
    r = web.bearer("viewer@acme.org").get("/api/v1/workspaces/acme/report.html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<html" in r.text.lower() and "Acme Outdoor" in r.text
    assert "src=\"http" not in r.text  # nothing loaded from the network


def test_openapi_lists_every_api_route(web: WebEnv) -> None:
    paths = web.client().get("/api/v1/openapi.json").json()["paths"]
    assert set(paths) == {"/api/v1/workspaces", "/api/v1/workspaces/{slug}/plan", "/api/v1/workspaces/{slug}/lint",
                          "/api/v1/workspaces/{slug}/measure", "/api/v1/workspaces/{slug}/funnel",
                          "/api/v1/workspaces/{slug}/diagnose",
                          "/api/v1/workspaces/{slug}/imports", "/api/v1/workspaces/{slug}/decisions",
                          "/api/v1/workspaces/{slug}/history", "/api/v1/workspaces/{slug}/report.html",
                          "/api/v1/workspaces/{slug}/readiness", "/api/v1/workspaces/{slug}/capacity",
                          "/api/v1/workspaces/{slug}/decisions/{number}",
                          "/api/v1/workspaces/{slug}/decisions/{number}/withdraw",
                          "/api/v1/workspaces/{slug}/posts", "/api/v1/workspaces/{slug}/plan/objectives",
                          "/api/v1/workspaces/{slug}/plan/kpis", "/api/v1/workspaces/{slug}/plan/tactics",
                          "/api/v1/workspaces/{slug}/plan/revert"}
    assert web.client().get("/api/v1/docs").status_code == 200


def test_workspaces_are_isolated_in_history_and_data(web: WebEnv) -> None:
    outsider, viewer = web.bearer("outsider@globex.org"), web.bearer("viewer@acme.org")
    mine = outsider.post("/api/v1/workspaces/globex/decisions", json={"text": "Globex-only decision"})
    assert mine.status_code == 201
    theirs = web.bearer("editor@acme.org").post("/api/v1/workspaces/acme/decisions",
                                                json={"text": "Acme-only decision"})
    assert theirs.status_code == 201
    acme_texts = [d["text"] for d in viewer.get("/api/v1/workspaces/acme/decisions").json()["decisions"]]
    globex_texts = [d["text"] for d in outsider.get("/api/v1/workspaces/globex/decisions").json()["decisions"]]
    # Unique texts, so decisions other tests record in both workspaces (the role matrix) do not matter.
    assert "Globex-only decision" not in acme_texts and "Globex-only decision" in globex_texts
    assert "Acme-only decision" not in globex_texts and "Acme-only decision" in acme_texts
    globex_sources = {r["source"] for r in outsider.get("/api/v1/workspaces/globex/imports").json()["imports"]}
    assert "twcs" not in globex_sources  # acme's import stays in acme's warehouse
    acme_plan = viewer.get("/api/v1/workspaces/acme/plan").json()
    globex_plan = outsider.get("/api/v1/workspaces/globex/plan").json()
    assert (acme_plan["plan"]["organisation"], globex_plan["plan"]["organisation"]) == ("Acme Outdoor", "Globex")


def test_serving_a_database_without_folders_serves_every_workspace_registered_in_it(web: WebEnv) -> None:
    from strategyfirst.web import Settings
    from strategyfirst.web.state import open_state

    state = open_state(Settings(db_url=web.db_url))
    assert set(state.workspaces) == {"acme", "globex"}
    assert state.workspaces["acme"].root == web.acme.root


def test_an_upload_gives_the_year_of_dates_without_one(web: WebEnv) -> None:
    overview = b"Date,Video Views,Profile Views,Likes,Comments,Shares\nDecember 31,10,1,2,0,0\nJanuary 1,20,1,3,1,0\n"
    editor = web.bearer("editor@acme.org")
    r = editor.post("/api/v1/workspaces/acme/imports", files=[("files", ("Overview.csv", overview, "text/csv"))],
                    data={"account": "acme.tiktok"})
    assert r.status_code == 422, r.text
    (refused,) = r.json()["detail"]
    assert refused["file"].endswith("Overview.csv") and refused["line"] == 2
    assert "send the `year` field" in refused["msg"] and "--year" not in refused["msg"]  # the API's own field
    r = editor.post("/api/v1/workspaces/acme/imports", files=[("files", ("Overview.csv", overview, "text/csv"))],
                    data={"account": "acme.tiktok", "year": "2026"})
    (summary,) = r.json()["files"]
    # the export day is January 1 2026: December 31 falls in 2025
    assert (summary["source"], summary["rows_new"], summary["status"]) == ("tiktok-analytics", 2, "imported")


def test_a_bad_date_is_refused_in_the_pages_words(web: WebEnv) -> None:
    """QA: the API answered `diagnose?as_of=bad` with pydantic's "Input should be a valid date or datetime, input
    is too short" while the pages say "give it as YYYY-MM-DD"."""
    said = "as_of='bad' is not a date: give it as YYYY-MM-DD"
    r = web.bearer("viewer@acme.org").get("/api/v1/workspaces/acme/diagnose", params={"as_of": "bad"})
    assert r.status_code == 422
    [problem] = r.json()["detail"]
    assert problem["loc"] == ["query", "as_of"] and problem["msg"] == said
    page = web.login("viewer@acme.org").get("/w/acme/verdicts", params={"as_of": "bad"})
    assert page.status_code == 422 and said.replace("'", "&#39;") in page.text
