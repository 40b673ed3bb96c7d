"""One history per workspace: a decision recorded with the CLI shows in the web history and vice versa;
a plan saved on the web is the file the CLI lints, and a plan edited on disk is the web's newest version."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from strategyfirst.cli import app as cli
from tests.web.env import WebEnv

runner = CliRunner()


def test_cli_decision_shows_in_web_history_and_web_decision_in_cli_history(web: WebEnv) -> None:
    ws = str(web.acme.root)
    done = runner.invoke(cli, ["decide", "Answer within the hour, from the CLI", "--objective", "dialogue",
                               "--author", "cli-user", "-w", ws, "--format", "json"])
    assert done.exit_code == 0, done.output
    from_cli = json.loads(done.stdout)["number"]
    web_history = web.bearer("viewer@acme.org").get("/api/v1/workspaces/acme/history").json()["entries"]
    assert any(e["kind"] == "decision" and e["number"] == from_cli and e["author"] == "cli-user"
               and e["text"] == "Answer within the hour, from the CLI" for e in web_history)

    posted = web.bearer("editor@acme.org").post("/api/v1/workspaces/acme/decisions",
                                                json={"text": "Pause the contest, from the web"}).json()
    cli_history = json.loads(runner.invoke(cli, ["history", "--format", "json", "-w", ws]).stdout)
    assert cli_history["workspace"] == "acme"
    assert any(e["kind"] == "decision" and e["number"] == posted["number"] and e["author"] == "editor@acme.org"
               for e in cli_history["entries"])
    page = web.login("viewer@acme.org").get("/w/acme/history").text
    assert "Answer within the hour, from the CLI" in page and "Pause the contest, from the web" in page


def test_plan_saved_on_the_web_is_linted_by_the_cli_and_disk_edits_reach_the_web(web: WebEnv) -> None:
    ws, editor = str(web.acme.root), web.bearer("editor@acme.org")
    original = web.acme.plan_path.read_text(encoding="utf-8")
    changed = original.replace("budget: {total: 50000, currency: EUR}", "budget: {total: 51000, currency: EUR}")
    saved = editor.put("/api/v1/workspaces/acme/plan", json={"text": changed, "why": "web edit"}).json()
    runner.invoke(cli, ["lint", "-w", ws])
    history = json.loads(runner.invoke(cli, ["history", "--format", "json", "-w", ws]).stdout)["entries"]
    current = [e for e in history if e["kind"] == "version" and e["current"]]
    assert current[0]["number"] == saved["version"] and current[0]["why"] == "web edit"

    web.acme.plan_path.write_text(original.replace("50000", "52000"), encoding="utf-8")  # edited on disk
    plan = editor.get("/api/v1/workspaces/acme/plan").json()
    assert plan["version"] > saved["version"] and "52000" in plan["text"]
    editor.put("/api/v1/workspaces/acme/plan", json={"text": original, "why": "restore"})
