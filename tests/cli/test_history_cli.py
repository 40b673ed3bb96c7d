"""`strategyfirst decide` and `strategyfirst history`: outputs, JSON shapes and exit codes."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.appdb import ENV_VAR
from strategyfirst.cli import main
from strategyfirst.workspace import Workspace

EXAMPLE_PLAN = Path(__file__).resolve().parents[2] / "src" / "strategyfirst" / "plan" / "example.yaml"


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
            stdin: str = "") -> Result:
    """Run `strategyfirst ARGS` in this process through `main()` (exit-code handling included)."""
    monkeypatch.setattr(sys, "argv", ["strategyfirst", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(ENV_VAR, raising=False)
    root = tmp_path / "acme"
    root.mkdir()
    (root / "strategy.yaml").write_text(EXAMPLE_PLAN.read_text())
    monkeypatch.delattr(Workspace, "diagnose", raising=False)  # evidence comes from a stub where needed
    monkeypatch.delattr(Workspace, "diagnosis_json", raising=False)  # (decide reads the kept diagnosis)
    return root


def test_decide_records_a_decision_on_the_current_plan(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(["decide", "Move the contest budget to the newsletter", "--objective", "permission",
                 "--author", "ana", "--workspace", str(ws), "--format", "json"], monkeypatch, capsys)
    assert r.code == 0, r.err
    got = json.loads(r.out)
    assert got["kind"] == "decision" and got["number"] == 1 and got["plan_version"] == 1
    assert got["objective"] == "permission" and got["tactic"] is None and got["author"] == "ana"
    assert got["evidence"] is None  # no diagnose layer here
    r = run_cli(["decide", "Answer within the hour", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 0 and r.out.startswith("d2 ") and "decision on v1" in r.out


def test_decide_keeps_the_current_verdicts_as_evidence(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    verdicts = [{"kind": "tactic_failing", "objective": "permission", "tactic": "summit-contest",
                 "evidence": "3 of 40", "probability": 0.93}]

    class Diagnosis:
        def to_json(self) -> dict[str, Any]:
            return {"as_of": "2026-06-30", "kpis": [], "verdicts": verdicts, "budget": [{"amount": 1}]}

    monkeypatch.setattr(Workspace, "diagnosis_json", lambda self: Diagnosis().to_json(), raising=False)
    r = run_cli(["decide", "Stop the contest", "--tactic", "summit-contest", "-w", str(ws),
                 "--format", "json"], monkeypatch, capsys)
    assert r.code == 0, r.err
    assert json.loads(r.out)["evidence"] == {"as_of": "2026-06-30", "kpis": [], "verdicts": verdicts}
    # the text line names the verdict kinds in words (the JSON above keeps the ids)
    r = run_cli(["decide", "Stop it now", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 0 and "(1 verdict(s) as of 2026-06-30: tactic failing)" in r.out


def test_decide_still_records_when_diagnose_fails(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def broken(self: Workspace) -> None:
        raise RuntimeError("no data imported yet")

    monkeypatch.setattr(Workspace, "diagnosis_json", broken, raising=False)
    r = run_cli(["decide", "Import the data first", "-w", str(ws), "--format", "json"], monkeypatch, capsys)
    assert r.code == 0
    assert json.loads(r.out)["evidence"] is None
    assert "no evidence stored" in r.err and "no data imported yet" in r.err


def test_decide_rejects_unknown_ids_and_empty_text(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(["decide", "x", "--objective", "fame", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 2 and "no objective 'fame' (objectives: permission, dialogue)" in r.err
    r = run_cli(["decide", "x", "--tactic", "tiktok", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 2 and "no tactic 'tiktok'" in r.err
    r = run_cli(["decide", "  ", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 2 and "needs a text" in r.err
    r = run_cli(["decide", "x", "-w", str(ws / "missing")], monkeypatch, capsys)
    assert r.code == 2 and "no workspace at" in r.err and "no such folder" in r.err
    assert "Traceback" not in r.err


def test_decide_json_errors_name_the_file_at_fault(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """`"file": null` where the message itself named the plan (an unknown id) or the app database."""
    plan = str(ws / "strategy.yaml")
    for option, word in (("--objective", "objective"), ("--tactic", "tactic")):
        r = run_cli(["decide", "x", option, "fame", "-w", str(ws), "-f", "json"], monkeypatch, capsys)
        said = json.loads(r.err)
        assert r.code == 2 and said["file"] == plan and said["error"].startswith(f"{plan}: no {word} 'fame'")
    r = run_cli(["decide", "  ", "-w", str(ws), "-f", "json"], monkeypatch, capsys)
    assert r.code == 2 and json.loads(r.err)["file"] is None  # the text is at fault: no file
    db = ws / "broken.sqlite"
    db.write_text("not a database\n")
    r = run_cli(["decide", "x", "-w", str(ws), "-f", "json", "--db", f"sqlite:///{db}"], monkeypatch, capsys)
    said = json.loads(r.err)
    assert r.code == 2 and said["file"] == str(db) and "file is not a database" in said["error"]
    assert r.err.count("\n") == 1 and r.out == ""


def test_decide_refuses_a_plan_that_does_not_load_and_stores_nothing(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["decide", "first", "-w", str(ws)], monkeypatch, capsys).code == 0  # v1 and d1
    plan = ws / "strategy.yaml"
    text = plan.read_text()
    # line 22 of the example plan, `      - {metric: response_rate, target: 0.9}`: 6 spaces, "- {" and
    # "metric: response_rate, " (23 characters) put `targt` at column 33
    plan.write_text(text.replace("{metric: response_rate, target: 0.9}", "{metric: response_rate, targt: 0.9}"))
    for args in ([], ["--tactic", "newsletter"], ["--format", "json"]):
        r = run_cli(["decide", "Keep going", "-w", str(ws), *args], monkeypatch, capsys)
        assert r.code == 2 and r.out == "", args
        assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
        assert "strategy.yaml:22:33: objectives[1].kpis[0].targt: unknown key" in r.err
    assert json.loads(r.err)["line"] == 22
    plan.write_text(text)  # fixed again: the history holds v1 and d1 only, no broken version
    r = run_cli(["history", "-w", str(ws), "--format", "json"], monkeypatch, capsys)
    assert [(e["kind"], e["number"]) for e in json.loads(r.out)["entries"]] == [("version", 1), ("decision", 1)]


def test_history_lists_versions_and_decisions_in_order(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["decide", "first", "-w", str(ws)], monkeypatch, capsys).code == 0
    plan = ws / "strategy.yaml"
    plan.write_text(plan.read_text().replace("Acme Outdoor", "Acme Outdoors"))
    assert run_cli(["decide", "second", "-w", str(ws)], monkeypatch, capsys).code == 0
    r = run_cli(["history", "-w", str(ws), "--format", "json"], monkeypatch, capsys)
    assert r.code == 0
    got = json.loads(r.out)
    assert got["workspace"] == "acme"
    assert [(e["kind"], e["number"]) for e in got["entries"]] == [
        ("version", 1), ("decision", 1), ("version", 2), ("decision", 2)]
    assert [e["plan_version"] for e in got["entries"] if e["kind"] == "decision"] == [1, 2]
    assert [e["current"] for e in got["entries"] if e["kind"] == "version"] == [False, True]
    r = run_cli(["history", "-w", str(ws)], monkeypatch, capsys)
    lines = r.out.splitlines()
    assert [line.split()[0] for line in lines] == ["v1", "d1", "v2", "d2"]
    assert lines[2].endswith("(current)") and "decision on v1" in lines[1]


def test_history_diff_shows_a_unified_diff(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    run_cli(["history", "-w", str(ws)], monkeypatch, capsys)  # records the plan as v1
    plan = ws / "strategy.yaml"
    plan.write_text(plan.read_text().replace("organisation: Acme Outdoor", "organisation: Acme Outdoors"))
    r = run_cli(["history", "--diff", "1", "2", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert "also changed: organisation" in r.err
    assert lines[:2] == ["--- strategy.yaml@v1", "+++ strategy.yaml@v2"]
    assert [x for x in lines if x[:1] in "+-" and x[:3] not in ("---", "+++")] == [
        "-organisation: Acme Outdoor", "+organisation: Acme Outdoors"]
    r = run_cli(["history", "--diff", "1", "2", "--format", "json", "-w", str(ws)], monkeypatch, capsys)
    got = json.loads(r.out)
    assert (got["from"], got["to"]) == (1, 2) and "+organisation: Acme Outdoors\n" in got["diff"]
    assert got["changes"] == {"objectives": {"added": [], "removed": [], "changed": []},
                              "tactics": {"added": [], "removed": [], "changed": []},
                              "kpis": {"added": [], "removed": [], "changed": []}, "other": ["organisation"]}
    r = run_cli(["history", "--show", "1", "-w", str(ws)], monkeypatch, capsys)
    assert r.out == EXAMPLE_PLAN.read_text()
    r = run_cli(["history", "--diff", "1", "5", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 2 and "no plan version 5 (versions 1..2)" in r.err


def test_history_of_a_workspace_without_plan_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / ".strategyfirst").mkdir()  # data imported, no plan written yet
    r = run_cli(["history", "-w", str(tmp_path)], monkeypatch, capsys)
    assert r.code == 0 and "no plan versions or decisions yet" in r.out


def test_db_option_and_a_conflicting_database(ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'agency.sqlite'}"
    assert run_cli(["decide", "in the agency db", "-w", str(ws), "--db", url], monkeypatch, capsys).code == 0
    assert (tmp_path / "agency.sqlite").is_file() and not (ws / ".strategyfirst" / "app.sqlite").exists()
    r = run_cli(["history", "-w", str(ws), "--format", "json"], monkeypatch, capsys)  # remembered
    assert [e["kind"] for e in json.loads(r.out)["entries"]] == ["version", "decision"]
    r = run_cli(["history", "-w", str(ws), "--db", f"sqlite:///{tmp_path / 'x.sqlite'}"], monkeypatch, capsys)
    assert r.code == 2 and "keeps its history in" in r.err


@pytest.mark.slow
def test_the_installed_entry_point_runs_history(ws: Path) -> None:
    args = ["history", "--format", "json", "-w", str(ws)]
    proc = subprocess.run([sys.executable, "-m", "strategyfirst", *args], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["entries"][0]["kind"] == "version"


@pytest.mark.postgres
def test_decide_and_history_on_postgresql(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from tests.appdb.databases import pg_schema_url, pg_unavailable
    from tests.conftest import require

    reason = pg_unavailable()
    require(reason is None, reason or "")
    with pg_schema_url() as url:
        r = run_cli(["decide", "on postgres", "-w", str(ws), "--db", url], monkeypatch, capsys)
        assert r.code == 0, r.err
        r = run_cli(["history", "-w", str(ws), "--db", url, "--format", "json"], monkeypatch, capsys)
        assert [(e["kind"], e["number"]) for e in json.loads(r.out)["entries"]] == [("version", 1),
                                                                                    ("decision", 1)]
        assert "postgresql+psycopg://" in (ws / ".strategyfirst" / "workspace.json").read_text()


@pytest.mark.parametrize(("text", "where"), [
    ("Stop the\x00 contest", "line 1, column 9: control character U+0000"),
    ("Stop the contest\nand move \x1b[31mits budget", "line 2, column 10: control character U+001B"),
    ("Stop\r the contest", "line 1, column 5: control character U+000D"),  # a CR alone is no line break
])
def test_decide_refuses_control_characters_with_their_place(text: str, where: str, ws: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(["decide", text, "--workspace", str(ws)], monkeypatch, capsys)
    assert r.code == 2 and r.out == ""
    assert r.err.strip() == (f"error: the decision's text, {where} is not allowed; remove it (line breaks and "
                             "tabs are fine)")
    r = run_cli(["decide", "Stop the contest", "--workspace", str(ws), "--format", "json"], monkeypatch, capsys)
    assert r.code == 0 and json.loads(r.out)["number"] == 1  # nothing was recorded before it


def test_decide_keeps_line_breaks_and_tabs(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(["decide", "Stop the contest\r\n\tand move its budget", "--workspace", str(ws), "--format", "json"],
                monkeypatch, capsys)
    assert r.code == 0, r.err
    assert json.loads(r.out)["text"] == "Stop the contest\r\n\tand move its budget"


def test_the_library_refuses_them_for_every_caller(ws: Path) -> None:
    from strategyfirst.appdb import open_appdb
    from strategyfirst.appdb.decide import decide
    from strategyfirst.errors import UsageError

    with pytest.raises(UsageError, match=re.escape("line 1, column 3: control character U+0007")):
        decide(Workspace(ws), "ok\x07", evidence=False)
    db = open_appdb(Workspace(ws))
    with pytest.raises(UsageError, match=re.escape("line 1, column 1: control character U+007F")):
        db.record_decision(db.slug, "\x7fStop")
    number = db.record_decision(db.slug, "Stop the contest").number
    with pytest.raises(UsageError, match=re.escape("control character U+0000")):
        db.edit_decision(db.slug, number, "ana", "Stop\x00", None, None)
    assert db.decision(db.slug, number).text == "Stop the contest"


def _entries(ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, int]]:
    r = run_cli(["history", "-w", str(ws), "--format", "json"], monkeypatch, capsys)
    assert r.code == 0, r.err
    return [(e["kind"], e["number"]) for e in json.loads(r.out)["entries"]]


def test_history_of_a_plan_that_does_not_load_stores_no_version_and_still_lists(
        ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A strategy.yaml that does not load is never a plan version; `history` says so in one warning line and
    still lists, shows and compares the versions recorded before (the way back to the last plan that loaded)."""
    plan = ws / "strategy.yaml"
    good = plan.read_text()
    # a schema error on a first run (no app database yet): `objectives:` is line 14 of the example plan
    plan.write_text(good.replace("\nobjectives:\n", "\nobjectivs:\n"))
    r = run_cli(["history", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 0 and "Traceback" not in r.err
    assert r.err.strip().splitlines() == [
        "warning: plan history not recorded: strategy.yaml:14:1: objectivs: unknown key (check its spelling; "
        "unknown keys are errors so a typo never drops a target)"]
    assert "v1" not in r.out  # nothing recorded: no version to list
    plan.write_text(good)
    assert _entries(ws, monkeypatch, capsys) == [("version", 1)]  # the fixed plan is v1: no broken version
    # a YAML syntax error once the history exists (history goes through sqlite3 then): line 15 of the example
    # plan, `  - id: permission`, given a second `:` at column 19 (2 spaces, "- ", "id: ", 10 letters)
    assert good.splitlines()[14] == "  - id: permission"
    plan.write_text(good.replace("  - id: permission\n", "  - id: permission: x\n"))
    for args in ([], ["--format", "json"], ["--show", "1"], ["--diff", "1", "1"]):
        r = run_cli(["history", "-w", str(ws), *args], monkeypatch, capsys)
        assert r.code == 0 and "Traceback" not in r.err, args
        assert len(r.err.strip().splitlines()) == 1, (args, r.err)
        if "--format" in args:
            warning = json.loads(r.err)["warning"]
            assert warning.startswith("plan history not recorded: strategy.yaml:15:19: YAML: "), warning
            assert [e.get("number") for e in json.loads(r.out)["entries"]] == [1], r.out
        else:
            assert r.err.startswith("warning: plan history not recorded: strategy.yaml:15:19: YAML: "), r.err
    r = run_cli(["history", "-w", str(ws), "--show", "1"], monkeypatch, capsys)
    assert r.out == good  # the last plan that loaded, to put back
    # two problems: the first, located, and how many more, on one line
    plan.write_text(good.replace("\nobjectives:\n", "\nobjectivs:\n").replace("\ntactics:\n", "\ntactix:\n"))
    r = run_cli(["history", "-w", str(ws)], monkeypatch, capsys)
    assert r.code == 0 and r.err.strip().splitlines() == [
        "warning: plan history not recorded: strategy.yaml:14:1: objectivs: unknown key (check its spelling; "
        "unknown keys are errors so a typo never drops a target) (and 1 more: run `strategyfirst lint`)"], r.err
    assert _entries(ws, monkeypatch, capsys) == [("version", 1)]
    plan.write_text(good.replace("Acme Outdoor", "Acme Outdoors"))
    assert _entries(ws, monkeypatch, capsys) == [("version", 1), ("version", 2)]
