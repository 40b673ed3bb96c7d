"""Issue 13.13: each bad command line is one clear line (JSON under `--format json`), the right exit code, and
nothing created or changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer

from strategyfirst.appdb import ENV_VAR
from strategyfirst.cli_options import HERE, WsOpt
from strategyfirst.errors import WorkspaceError
from tests.cli.support import run

EXAMPLE_PLAN = Path(__file__).resolve().parents[2] / "src" / "strategyfirst" / "plan" / "example.yaml"


@pytest.fixture(autouse=True)
def _own_databases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)  # each workspace keeps its own app.sqlite


def _workspace(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "strategy.yaml").write_text(EXAMPLE_PLAN.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def _tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# Every command that takes -w and must find a workspace there (init, demo and ingest make one).
COMMANDS = [
    ["measure"], ["measure", "--format", "json"], ["diagnose"], ["report"], ["lint"], ["export", "--out", "OUT"],
    ["readiness", "--no-ask"], ["capacity"], ["decide", "Stop the contest"], ["history"], ["users", "list"],
    ["users", "add", "ana@acme.org", "--role", "owner"], ["tokens", "create", "ana@acme.org"],
    ["tokens", "list", "ana@acme.org"], ["tokens", "revoke", "ana@acme.org", "--all"], ["serve"],
    ["imports"], ["imports", "--format", "json"], ["imports", "undo", "1"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_a_missing_workspace_is_refused_and_not_created(args: list[str], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nonexistent"
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    code, out, err = run([*args, "-w", str(missing)], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and f"no workspace at {missing}" in err
    assert not missing.exists() and _tree(tmp_path) == []


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_a_folder_that_is_no_workspace_is_left_as_it_was(args: list[str], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "cat.jpg").write_bytes(b"\xff\xd8")
    monkeypatch.chdir(folder)  # no -w: the current folder
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    code, _, err = run(args, monkeypatch, capsys)
    assert code == 2 and "no workspace at" in err and "has no strategy.yaml" in err
    assert _tree(tmp_path) == ["photos", "photos/cat.jpg"]


def test_tokens_create_without_w_does_not_register_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["tokens", "create", "ana@acme.org"], monkeypatch, capsys)
    assert code == 2 and out == "" and "no workspace at" in err
    assert not (tmp_path / ".strategyfirst").exists()


def test_missing_workspace_under_format_json_is_a_json_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["measure", "-w", str(tmp_path / "nonexistent"), "--format", "json"], monkeypatch,
                         capsys)
    assert code == 2 and out == ""
    body = json.loads(err)  # the whole of stderr is one JSON object
    assert body["error"].startswith("no workspace at") and body["file"] is None


def test_report_without_a_plan_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    (ws / ".strategyfirst").mkdir(parents=True)  # data imported, no plan written
    code, out, err = run(["report", "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and f"no plan at {ws / 'strategy.yaml'}" in err
    assert not (ws / "report.html").exists()


def test_report_with_an_unreadable_plan_is_located_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "strategy.yaml").write_text("version: 1\nowner: Kim\nhorizon: {start: 2026-01-01, end: [\n",
                                      encoding="utf-8")
    code, out, err = run(["report", "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and out == "" and "strategy.yaml:" in err and "Traceback" not in err
    assert not (ws / "report.html").exists()
    code, _, err = run(["diagnose", "-w", str(ws), "--format", "json"], monkeypatch, capsys)
    body = json.loads(err)
    assert code == 2 and body["file"] == "strategy.yaml" and body["line"] >= 3 and body["column"] >= 1


def test_report_into_an_existing_folder_is_refused_and_leaves_no_tmp(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path / "ws")
    target = tmp_path / "reports"
    target.mkdir()
    code, out, err = run(["report", "-w", str(ws), "-o", str(target)], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "is a folder" in err and "report.html" in err
    assert "IsADirectoryError" not in err
    assert _tree(target) == [] and not Path(str(target) + ".tmp").exists()


def test_the_library_refuses_a_folder_too(tmp_path: Path) -> None:
    from strategyfirst.errors import UsageError
    from strategyfirst.workspace import Workspace

    ws = Workspace(_workspace(tmp_path / "ws"))
    with pytest.raises(UsageError, match="is a folder"):
        ws.report(tmp_path)


def test_report_into_a_missing_folder_is_refused_not_created(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path / "ws")
    missing = tmp_path / "missing" / "dir"
    code, out, err = run(["report", "-w", str(ws), "-o", str(missing / "r.html")], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and f"{missing}: no such folder" in err
    assert not (tmp_path / "missing").exists() and _tree(ws) == ["strategy.yaml"]


def test_the_library_refuses_a_missing_folder_too(tmp_path: Path) -> None:
    from strategyfirst.errors import UsageError
    from strategyfirst.workspace import Workspace

    ws = Workspace(_workspace(tmp_path / "ws"))
    with pytest.raises(UsageError, match="no such folder"):
        ws.report(tmp_path / "nowhere" / "r.html")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("args", [["lint", "--as-of"], ["diagnose", "--as-of"], ["report", "--as-of"],
                                  ["measure", "--since"], ["measure", "--until"]])
def test_an_impossible_date_says_so_plainly(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path / "ws")
    before = _tree(ws)
    code, out, err = run([*args, "2021-02-30", "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "2021-02-30 is not a date (YYYY-MM-DD)" in err
    assert "does not match" not in err and "%Y" not in err
    assert _tree(ws) == before
    if args[0] == "report":
        return  # no --format
    code, _, err = run([*args, "2021-02-30", "-w", str(ws), "--format", "json"], monkeypatch, capsys)
    assert code == 2 and "2021-02-30 is not a date (YYYY-MM-DD)" in json.loads(err)["error"]


@pytest.mark.parametrize("args", [["lint", "--as-of"], ["diagnose", "--as-of"], ["report", "--as-of"],
                                  ["measure", "--since"], ["measure", "--until"], ["measure", "--funnel", "--until"]])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_out_of_range_is_one_line_not_a_traceback(args: list[str], day: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """A year 9999 overflowed as soon as a day was added to it (`measure --until 9999-12-31`)."""
    ws = _workspace(tmp_path / "ws")
    before = _tree(ws)
    code, out, err = run([*args, day, "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert f"{day} is outside the dates this app works with (1970-01-01 to 2200-12-31)" in err
    assert _tree(ws) == before


def test_since_after_until_is_an_error_not_an_empty_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path / "ws")
    code, out, err = run(["measure", "--since", "2026-03-01", "--until", "2026-02-01", "-w", str(ws)],
                         monkeypatch, capsys)
    assert code == 2 and out == ""
    assert "--since 2026-03-01 is after --until 2026-02-01" in err and len(err.strip().splitlines()) == 1
    assert not (ws / ".strategyfirst").exists()  # refused before the warehouse was opened
    code, _, _ = run(["measure", "--since", "2026-02-01", "--until", "2026-02-01", "--metric", "posts",
                      "--format", "json", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0  # a single day is a window


def _two_versions(ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["history", "-w", str(ws)], monkeypatch, capsys)[0] == 0  # records v1
    plan = ws / "strategy.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("cadence: monthly", "cadence: weekly"),
                    encoding="utf-8")


def test_history_diff_takes_the_versions_as_history_prints_them(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    ws = _workspace(tmp_path / "ws")
    _two_versions(ws, monkeypatch, capsys)
    code, listed, _ = run(["history", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0 and [ln.split()[0] for ln in listed.splitlines()] == ["v1", "v2"]
    code, with_v, _ = run(["history", "--diff", "v1", "v2", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0 and "-review: {cadence: monthly}" in with_v and "+review: {cadence: weekly}" in with_v
    assert run(["history", "--diff", "1", "2", "-w", str(ws)], monkeypatch, capsys)[1] == with_v
    code, shown, _ = run(["history", "--show", "v1", "-w", str(ws)], monkeypatch, capsys)
    assert code == 0 and "cadence: monthly" in shown
    code, out, err = run(["history", "--diff", "version1", "v2", "-w", str(ws)], monkeypatch, capsys)
    assert code == 2 and out == "" and "'version1' is not a plan version" in err
    assert len(err.strip().splitlines()) == 1


def test_a_copied_workspace_goes_on_quietly_with_its_own_history(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    original = _workspace(tmp_path / "acme")
    assert run(["decide", "Original only", "-w", str(original)], monkeypatch, capsys)[0] == 0
    copy = tmp_path / "acme-copy"
    shutil.copytree(original, copy)
    code, _, err = run(["lint", "-w", str(copy), "--as-of", "2026-06-30"], monkeypatch, capsys)
    assert code == 0 and err == ""  # no HistoryWarning, no warning at all
    assert run(["decide", "Copy only", "-w", str(copy)], monkeypatch, capsys)[0] == 0
    copy_history = json.loads(run(["history", "--format", "json", "-w", str(copy)], monkeypatch, capsys)[1])
    original_history = json.loads(run(["history", "--format", "json", "-w", str(original)], monkeypatch,
                                      capsys)[1])
    texts = {e["text"] for e in copy_history["entries"] if e["kind"] == "decision"}
    assert texts == {"Original only", "Copy only"}  # the copy took the history along, then went its own way
    assert {e["text"] for e in original_history["entries"] if e["kind"] == "decision"} == {"Original only"}


def test_a_copy_sharing_the_originals_database_is_one_warning_line(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'agency.sqlite'}"
    original = _workspace(tmp_path / "acme")
    assert run(["history", "-w", str(original), "--db", url], monkeypatch, capsys)[0] == 0
    copy = tmp_path / "acme-copy"
    shutil.copytree(original, copy)
    code, _, err = run(["lint", "-w", str(copy), "--as-of", "2026-06-30"], monkeypatch, capsys)
    assert code == 0
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: plan history not recorded:")
    assert "HistoryWarning" not in err and "claims workspace 'acme'" in err and "workspace.json" in err
    code, out, err = run(["lint", "-w", str(copy), "--as-of", "2026-06-30", "--format", "json"], monkeypatch,
                         capsys)
    assert code == 0 and json.loads(out)["errors"] == 0
    assert json.loads(err)["warning"].startswith("plan history not recorded:")  # stderr: one JSON object


def test_no_command_shows_the_help_and_exits_2(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([], monkeypatch, capsys)
    assert code == 2 and "Usage: strategyfirst" in out + err and "error:" not in err


def test_init_still_creates_a_new_folder_and_lint_plan_needs_no_workspace(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(["init", "new"], monkeypatch, capsys)
    assert code == 0 and (tmp_path / "new" / "strategy.yaml").is_file()
    code, _, err = run(["lint", "new/strategy.yaml"], monkeypatch, capsys)
    assert code == 0 and err == ""  # `lint PLAN` lints a plan wherever it is
    assert _tree(tmp_path) == ["new", "new/.strategyfirst", "new/.strategyfirst/raw", "new/strategy.yaml"]


def test_a_command_group_checks_the_workspace_where_it_is_given(tmp_path: Path) -> None:
    """`imports -w DIR undo ID` and `imports undo ID -w DIR` (a group and its subcommand both take -w)."""
    seen: list[Path] = []
    app, group = typer.Typer(), typer.Typer()

    @group.callback(invoke_without_command=True)
    def imports(ctx: typer.Context, ws_path: WsOpt = HERE) -> None:
        ctx.obj = ws_path

    @group.command()
    def undo(ctx: typer.Context, n: int, ws_path: WsOpt = HERE) -> None:
        seen.append(ctx.obj if ws_path == HERE else ws_path)

    app.add_typer(group, name="imports")
    app.command()(lambda: None)
    ws = _workspace(tmp_path / "ws")
    app(["imports", "undo", "3", "-w", str(ws)], standalone_mode=False)
    app(["imports", "-w", str(ws), "undo", "3"], standalone_mode=False)
    assert seen == [ws, ws]
    for args in (["imports", "-w", str(tmp_path / "nope"), "undo", "3"],
                 ["imports", "undo", "3", "-w", str(tmp_path / "nope")]):
        with pytest.raises(WorkspaceError, match="no workspace at"):
            app(args, standalone_mode=False)


def test_an_import_error_under_format_json_is_located_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    garbage = tmp_path / "garbage.csv"
    garbage.write_text("what,is,this\n1,2,3\n", encoding="utf-8")
    code, out, err = run(["ingest", "-w", str(tmp_path / "ws"), "--format", "json", str(garbage)], monkeypatch,
                         capsys)
    assert code == 2 and out == ""
    body = json.loads(err)
    assert body["file"] == str(garbage) and body["line"] == 1 and body["error"].startswith(f"{garbage}:1")


@pytest.mark.parametrize("args", [["ingest", "FILE", "--account", "Caf\udce9"], ["measure", "--account", "Caf\udce9"],
                                  ["measure", "--platform=Caf\udce9"], ["decide", "Caf\udce9"]])
def test_a_value_that_is_not_utf8_text_is_refused_before_anything_runs(args: list[str], tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`--account Café` typed in a Latin-1 terminal reaches Python as 'Caf\\udce9': DuckDB, SQLite and the
    terminal refused it with a UnicodeEncodeError traceback (ingest, measure, decide)."""
    ws = tmp_path / "ws"
    export = tmp_path / "twcs.csv"
    export.write_text("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
                      "1,alice,True,Tue Oct 10 10:00:00 +0000 2017,@acme help,,\n", encoding="utf-8")
    assert run(["ingest", str(export), "-w", str(ws)], monkeypatch, capsys)[0] == 0
    before = sorted(p.name for p in (ws / ".strategyfirst").iterdir())
    given = [str(export) if a == "FILE" else a for a in args]
    code, out, err = run([*given, "-w", str(ws)], monkeypatch, capsys)
    assert (code, out) == (2, "")
    value = next(a for a in args if "\udce9" in a).replace("\udce9", "\\xe9")
    assert err.strip().splitlines() == [
        f"error: {value}: this value is not UTF-8 text (a terminal set to another encoding?); give it in UTF-8"]
    code, _, err = run([*given, "-w", str(ws), "--format", "json"], monkeypatch, capsys)
    assert code == 2 and json.loads(err)["error"].startswith(f"{value}: this value is not UTF-8 text")
    assert sorted(p.name for p in (ws / ".strategyfirst").iterdir()) == before
