"""`strategyfirst ingest` and `strategyfirst sources` through the real entry point: JSON shape, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

TWCS = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
ROW = "1,acme,False,Wed Oct 11 06:55:44 +0000 2017,hello,,\n"
KEYS = ["file", "source", "rows_read", "rows_new", "rows_updated", "rows_duplicate", "rows_rejected",
        "rejects_file"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed entry point in a subprocess (exit codes and the one-line error of `main`)."""
    return subprocess.run([sys.executable, "-m", "strategyfirst", *args], capture_output=True, text=True,
                          timeout=300)


def invoke(*args: str) -> Result:
    """The Typer app in-process (fast), for output shapes."""
    from strategyfirst.cli import app

    return CliRunner().invoke(app, list(args))


def test_ingest_json_shape_then_duplicates_and_strict(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    good = tmp_path / "good.csv"
    good.write_text(TWCS + ROW + "2,bob,True,Wed Oct 11 06:56:00 +0000 2017,hi @acme,1,\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(TWCS + "3,bob,True,Wed Oct 11 06:57:00 +0000 2017,ok,,\n4,bob,True,yesterday,x,,\n",
                   encoding="utf-8")
    first = invoke("ingest", "-w", str(ws), "--format", "json", str(good))
    assert first.exit_code == 0, first.stderr
    files = json.loads(first.stdout)["files"]
    assert list(files[0])[:8] == KEYS
    assert files[0] | {"file": ""} == {
        "file": "", "source": "twcs", "rows_read": 2, "rows_new": 2, "rows_updated": 0, "rows_duplicate": 0,
        "rows_rejected": 0, "rejects_file": None, "imported": True, "status": "imported", "import_id": 1,
        "rows_lower_figures": 0}
    again = json.loads(invoke("ingest", "-w", str(ws), "--format", "json", str(good)).stdout)["files"][0]
    assert (again["rows_duplicate"], again["rows_new"]) == (2, 0)
    lenient = invoke("ingest", "-w", str(ws), "--format", "json", str(bad))
    assert lenient.exit_code == 0
    got = json.loads(lenient.stdout)["files"][0]
    assert (got["rows_read"], got["rows_new"], got["rows_rejected"]) == (2, 1, 1)
    assert Path(got["rejects_file"]).is_file()
    strict = invoke("ingest", "-w", str(ws), "--strict", "--format", "json", str(bad))
    assert strict.exit_code == 1
    assert json.loads(strict.stdout)["files"][0]["rows_rejected"] == 1


def test_unreadable_file_exits_2_with_one_located_line(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.csv"
    garbage.write_text("what,is,this\n1,2,3\n", encoding="utf-8")
    result = run("ingest", "-w", str(tmp_path / "ws"), str(garbage))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{garbage}:1:1:" in lines[0] and "closest source" in lines[0]
    assert "Traceback" not in result.stderr
    missing = run("ingest", "-w", str(tmp_path / "ws"), str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "nope.csv" in missing.stderr
    unknown = run("ingest", "-w", str(tmp_path / "ws"), "--source", "myspace", str(garbage))
    assert unknown.returncode == 2 and "unknown source" in unknown.stderr


def test_sources_lists_every_registered_source_with_columns() -> None:
    from strategyfirst.sources.registry import SOURCES

    result = invoke("sources", "--format", "json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)["sources"]
    assert [s["name"] for s in listed] == [s.name for s in SOURCES]
    assert {s["name"] for s in listed} >= {
        "twcs", "x-analytics", "x-analytics-daily", "facebook-insights-posts", "facebook-insights-page",
        "facebook-metrics-uci", "youtube-studio", "mastodon-outbox", "canonical-csv", "audience-csv", "spend-csv"}
    assert all(s["columns"] for s in listed)
    text = invoke("sources")
    assert text.exit_code == 0 and "twcs" in text.stdout and "in_response_to_tweet_id" in text.stdout


def test_a_mistyped_path_is_listed_as_failed_and_the_other_files_still_import(tmp_path: Path) -> None:
    # issue 12.8 changed this: a missing path among several files no longer stops the others (exit 1, listed)
    ws = tmp_path / "ws"
    good = tmp_path / "good.csv"
    good.write_text(TWCS + ROW, encoding="utf-8")
    proc = run("ingest", "-w", str(ws), "--format", "json", str(good), str(tmp_path / "typo.csv"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    files = json.loads(proc.stdout)["files"]
    assert [(f["status"], f["rows_new"]) for f in files] == [("imported", 1), ("failed", 0)]
    assert files[1]["error"] == f"{tmp_path / 'typo.csv'}: no such file; check the path (nothing of it was imported)"
    text = run("ingest", "-w", str(ws), str(tmp_path / "typo.csv"), str(good))
    assert text.returncode == 1
    assert text.stdout.splitlines() == [
        f"not imported: {tmp_path / 'typo.csv'}: no such file; check the path (nothing of it was imported)",
        f"{good} (twcs): already imported as #1, nothing changed (1 read: 1 duplicate, 0 rejected)"]
    assert text.stderr.strip().splitlines()[-1] == "2 files: 1 failed, 1 already imported"


def test_a_folder_lists_each_file_and_skips_files_that_are_no_export(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.csv").write_text(TWCS + ROW, encoding="utf-8")
    (folder / "readme.txt").write_text("exported on Monday\n", encoding="utf-8")
    proc = run("ingest", "-w", str(tmp_path / "ws"), "--format", "json", str(folder))
    assert proc.returncode == 0, proc.stderr  # a skipped file is no failure
    files = json.loads(proc.stdout)["files"]
    assert [(Path(f["file"]).name, f["status"], f["rows_new"]) for f in files] == [
        ("a.csv", "imported", 1), ("readme.txt", "skipped", 0)]
    assert files[1]["error"].startswith(f"{folder / 'readme.txt'}:")


def test_a_skipped_file_says_why_in_a_few_words_a_file_given_alone_in_full(tmp_path: Path) -> None:
    folder = tmp_path / "download"
    folder.mkdir()
    (folder / "a.csv").write_text(TWCS + ROW, encoding="utf-8")
    (folder / "PROVENANCE.md").write_text("# Where these files come from\n\nA shop's exports.\n", encoding="utf-8")
    (folder / "LICENSE").write_text("MIT License\n\nCopyright (c) 2024 Someone\n", encoding="utf-8")
    (folder / "other.csv").write_text("when,what,how much,where\n2024-01-01,x,1,y\n", encoding="utf-8")
    (folder / "ga.csv").write_text("# Report of nothing\n# made by hand\nchannel,sessions\nx,1\n", encoding="utf-8")
    text = invoke("ingest", "-w", str(tmp_path / "ws"), str(folder))
    assert text.exit_code == 0, text.stderr
    assert text.stdout.splitlines() == [
        f"skipped: {folder / 'LICENSE'}: header not recognised (MIT License)",
        f"skipped: {folder / 'PROVENANCE.md'}: a text document, not an export",
        f"{folder / 'a.csv'} (twcs): 1 read, 1 new, 0 updated, 0 duplicate, 0 rejected (import #1)",
        f"skipped: {folder / 'ga.csv'}: header not recognised (# Report of nothing)",
        f"skipped: {folder / 'other.csv'}: header not recognised (when, what, how much ...)"]
    # given on its own, the same file is an error with the whole explanation (what was closest, every source)
    alone = run("ingest", "-w", str(tmp_path / "ws"), str(folder / "LICENSE"))
    assert alone.returncode == 2 and alone.stdout == ""
    assert alone.stderr.startswith(f"error: {folder / 'LICENSE'}:1:1: header not recognised (MIT License); "
                                   "closest source is ")
    assert "known sources: twcs, " in alone.stderr and alone.stderr.count("\n") == 1


def test_a_markdown_file_given_with_source_auto_is_no_known_export(shared_data: Path, tmp_path: Path) -> None:
    """PROVENANCE.md's '#' title made --source auto take it for GA4, and the refusal said 'starts with '#' lines
    but none of GA4's ...: not a GA4 export': a guess, told as unknown like any other file (data.md: the known
    sources and the closest match). Named with --source ga4-export, GA4's own reason stays."""
    doc = shared_data / "PROVENANCE.md"
    good = tmp_path / "good.csv"
    good.write_text(TWCS + ROW, encoding="utf-8")
    both = run("ingest", "-w", str(tmp_path / "ws"), "--source", "auto", str(doc), str(good))
    assert both.returncode == 1, both.stderr
    first = both.stdout.splitlines()[0]
    assert first.startswith(f"not imported: {doc}:1:1: header not recognised (# Real export files for tests); "
                            "closest source is ")
    assert "GA4" not in first and "known sources: twcs, x-analytics, " in first
    alone = run("ingest", "-w", str(tmp_path / "ws"), str(doc))
    assert alone.returncode == 2 and alone.stdout == "" and alone.stderr.count("\n") == 1
    assert alone.stderr.startswith(f"error: {doc}:1:1: header not recognised (# Real export files for tests); ")
    named = run("ingest", "-w", str(tmp_path / "ws"), "--source", "ga4-export", str(doc))
    assert named.returncode == 2 and "none of GA4's ('# Property:', '# Start date:')" in named.stderr


def test_an_export_cut_in_its_header_row_is_refused_and_not_logged(shared_data: Path, tmp_path: Path) -> None:
    """The first 150 bytes of an X analytics export (its header cut inside 'url clicks', the 12th column) were
    'a successful empty import' (0 read, exit 0, an import logged). Refused: one line, exit 2, nothing logged;
    the same header complete (ending in a line break) with no rows still imports as 0 rows."""
    export = sorted((shared_data / "x-analytics" / "rOpenSci").glob("*.csv"))[0]
    data = export.read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[:150])
    assert data[:150].endswith(b'"user profile clicks","url') and b"\n" not in data[:150]
    ws = tmp_path / "ws"
    proc = run("ingest", "-w", str(ws), str(cut))
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (f"error: {cut}:1:12: ends in the middle of its header row (no line break after it, no "
                           "rows): the file was cut short; export it again (or, if the header is complete, end "
                           "the file with a line break)\n")
    log = run("imports", "-w", str(ws), "--format", "json")
    assert log.returncode == 0 and json.loads(log.stdout)["imports"] == []
    header = tmp_path / "header.csv"
    header.write_bytes(data.split(b"\n", 1)[0] + b"\n")
    empty = run("ingest", "-w", str(ws), str(header))
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout == f"{header} (x-analytics): 0 read, 0 new, 0 updated, 0 duplicate, 0 rejected (import #1)\n"


def test_a_folder_of_one_file_ends_with_the_summary_line_too(shared_data: Path, tmp_path: Path) -> None:
    """The UCI folder (one file) listed its file's outcome but not the 'N files: ...' line a folder of three
    (YouTube) ends with: every folder, zip or list of files gets it; a file given alone does not."""
    folder = shared_data / "uci-facebook-metrics"
    ws = tmp_path / "ws"
    failed = invoke("ingest", "-w", str(ws), str(folder))
    assert failed.exit_code == 1
    assert failed.stdout.splitlines() == [
        f"not imported: {folder / 'dataset_Facebook.csv'}:1:1: this UCI Facebook metrics file does not say which "
        "account it belongs to; pass --account NAME"]
    assert failed.stderr.splitlines()[-1] == "1 file: 1 failed"
    done = invoke("ingest", "-w", str(ws), "--account", "uci", str(folder))
    assert done.exit_code == 0 and done.stderr.splitlines()[-1] == "1 file: 1 imported"
    alone = invoke("ingest", "-w", str(ws), "--account", "uci", str(folder / "dataset_Facebook.csv"))
    assert alone.exit_code == 0 and "1 file" not in alone.stderr


def test_strict_refusal_keeps_its_rejects_under_no_import_id(tmp_path: Path) -> None:
    """A file refused by --strict is never an import: its rejects file says why the rows were refused, under a
    name claiming no import id, and the import that next takes that id writes its own file beside it."""
    ws = tmp_path / "ws"
    bad = tmp_path / "bad.csv"
    bad.write_text(TWCS + ROW + "9,bob,True,yesterday,x,,\n", encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text(TWCS + "2,acme,False,Wed Oct 11 06:55:44 +0000 2017,hi,,\n8,bob,True,tomorrow,y,,\n",
                     encoding="utf-8")
    refused = json.loads(invoke("ingest", "-w", str(ws), "--strict", "--format", "json", str(bad)).stdout)
    f = refused["files"][0]
    assert (f["status"], f["import_id"], f["rows_rejected"]) == ("rolled back", None, 1)
    kept = Path(f["rejects_file"])
    assert kept.is_file() and not kept.name[:5].isdigit()  # no import id in its name
    assert kept.name.startswith("refused-") and kept.name.endswith("-bad.rejects.csv")
    why = kept.read_text(encoding="utf-8")
    assert "yesterday" in why and str(bad) in why
    # the next import is #1 (the refusal took no id) and writes its own file; the refusal's is untouched
    done = json.loads(invoke("ingest", "-w", str(ws), "--format", "json", str(other)).stdout)["files"][0]
    assert done["import_id"] == 1 and Path(done["rejects_file"]).name == "00001-other.rejects.csv"
    assert kept.read_text(encoding="utf-8") == why
    # refusing the same file again names the same file, no second copy
    again = json.loads(invoke("ingest", "-w", str(ws), "--strict", "--format", "json", str(bad)).stdout)
    assert again["files"][0]["rejects_file"] == str(kept)
    assert sorted(p.name for p in kept.parent.iterdir()) == sorted([kept.name, "00001-other.rejects.csv"])


def test_a_rejects_file_that_cannot_be_written_fails_the_import_whole(tmp_path: Path) -> None:
    """The rejects file is written before the import commits: where it cannot be written (here `rejects` is a
    file, as on a full disk), the import fails in one line with nothing stored, and the same file imports once
    the cause is gone, under the id it would have had (not "already imported" with no rejects file)."""
    ws = tmp_path / "ws"
    bad = tmp_path / "bad.csv"
    bad.write_text(TWCS + ROW + "9,bob,True,yesterday,x,,\n", encoding="utf-8")
    assert run("init", str(ws)).returncode == 0
    blocker = ws / ".strategyfirst" / "rejects"
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("not a folder", encoding="utf-8")
    failed = run("ingest", "-w", str(ws), str(bad))
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    assert len([line for line in failed.stderr.splitlines() if line.startswith("error:")]) == 1
    blocker.unlink()
    listed = run("imports", "-w", str(ws))
    assert "#1" not in listed.stdout  # nothing of the failed import was recorded
    done = json.loads(run("ingest", "-w", str(ws), "--format", "json", str(bad)).stdout)["files"][0]
    assert (done["status"], done["import_id"], done["rows_new"], done["rows_rejected"]) == ("imported", 1, 1, 1)
    written = Path(done["rejects_file"])
    assert written.name == "00001-bad.rejects.csv" and "yesterday" in written.read_text(encoding="utf-8")
    assert [p.name for p in written.parent.iterdir()] == [written.name]  # no part file left behind


def test_a_strict_refusal_says_nothing_was_imported_and_what_would_have_been(tmp_path: Path) -> None:
    """The rows of a file --strict refused were never written: the text does not call them new (cli.md's JSON
    keeps its counts, which add up to rows_read)."""
    ws = tmp_path / "ws"
    assert invoke("ingest", "-w", str(ws), "--format", "json", str(_file(tmp_path / "good.csv", ROW))).exit_code == 0
    bad_row = "4,bob,True,yesterday,x,,\n"
    new_row = "3,bob,True,Wed Oct 11 06:57:00 +0000 2017,ok,,\n"
    only_new = _file(tmp_path / "only_new.csv", new_row + bad_row)
    mixed = _file(tmp_path / "mixed.csv", ROW + new_row + bad_row)  # ROW: already imported, a duplicate
    refused = invoke("ingest", "-w", str(ws), "--strict", str(only_new))
    assert refused.exit_code == 1
    assert refused.stdout.splitlines() == [
        f"{only_new} (twcs): 2 read, 1 rejected: nothing imported (--strict); 1 row would be new"]
    refused = invoke("ingest", "-w", str(ws), "--strict", str(mixed))
    assert refused.stdout.splitlines() == [
        f"{mixed} (twcs): 3 read, 1 rejected: nothing imported (--strict); of the other 2 rows, 1 would be new "
        "and 1 duplicate"]
    f = json.loads(invoke("ingest", "-w", str(ws), "--strict", "--format", "json", str(mixed)).stdout)["files"][0]
    assert (f["status"], f["rows_read"], f["rows_new"], f["rows_duplicate"], f["rows_rejected"]) == (
        "rolled back", 3, 1, 1, 1)
    log = json.loads(invoke("imports", "-w", str(ws), "--format", "json").stdout)["imports"]
    assert [r["file"] for r in log] == ["good.csv"]  # nothing of the refused files was imported


def _file(path: Path, rows: str) -> Path:
    path.write_text(TWCS + rows, encoding="utf-8")
    return path


def test_a_member_export_without_its_header_prints_no_member(shared_data: Path, tmp_path: Path) -> None:
    """The beehiiv export with its header line removed: its first member became the "header" quoted by the
    refusal (`header not recognised (lorem@example.com, Lorem Name, ...)`), alone or in a folder, text or JSON."""
    real = shared_data / "newsletter/tryghost-fixtures/beehiiv_members.csv"
    lines = real.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[1].startswith("lorem@example.com, Lorem Name  ,")
    folder = tmp_path / "exports"
    folder.mkdir()
    path = folder / "members.csv"
    path.write_text("".join(lines[1:]), encoding="utf-8")
    ws = str(tmp_path / "ws")
    alone = run("ingest", "-w", ws, "--account", "news", str(path))
    as_json = run("ingest", "-w", ws, "--account", "news", "--format", "json", str(path))
    in_folder = run("ingest", "-w", ws, "--account", "news", str(folder))
    assert (alone.returncode, as_json.returncode, in_folder.returncode) == (2, 2, 0)  # skipped: no failure
    assert alone.stderr.splitlines() == [
        f"error: {path}:1:1: has no header row: its first line holds an email or IP address, so it is a row of "
        "data (not quoted here: it is personal data); export the file again with its header row"]
    assert json.loads(as_json.stderr)["line"] == 1
    assert in_folder.stdout.splitlines() == [
        f"skipped: {path}: no header row (its first line holds an email or IP address)"]
    for shown in (alone.stdout + alone.stderr, as_json.stdout + as_json.stderr, in_folder.stdout + in_folder.stderr):
        assert not any(personal in shown.lower() for personal in ("@example.com", "lorem", "ipsum")), shown


def test_a_file_name_that_is_not_utf8_is_refused_in_one_line(tmp_path: Path) -> None:
    """A name written in Latin-1 (`Données.csv` from an old zip or share: byte 0xE9) was a UnicodeEncodeError
    traceback that stopped the whole folder; now that file fails in one line and the others import."""
    folder = tmp_path / "exports"
    folder.mkdir()
    latin = folder / os.fsdecode(b"Donn\xe9es.csv")
    latin.write_text(TWCS + ROW, encoding="utf-8")
    (folder / "twcs.csv").write_text(TWCS + ROW.replace("1,acme", "2,acme"), encoding="utf-8")
    ws = str(tmp_path / "ws")
    shown = f"{folder}/Donn\\xe9es.csv"
    why = ("the file's name is not UTF-8 text (written in another encoding, e.g. by an old zip tool or share): "
           "rename the file and import it again")
    alone = run("ingest", "-w", ws, str(latin))
    assert alone.returncode == 2 and alone.stdout == ""
    assert alone.stderr.splitlines() == [f"error: {shown}:1:1: {why}"]
    as_json = run("ingest", "-w", ws, "--format", "json", str(latin))
    assert as_json.returncode == 2 and json.loads(as_json.stderr)["file"] == shown
    both = run("ingest", "-w", ws, str(folder))
    assert both.returncode == 1 and "Traceback" not in both.stderr
    assert both.stdout.splitlines() == [f"not imported: {shown}:1:1: {why}",
                                        f"{folder / 'twcs.csv'} (twcs): 1 read, 1 new, 0 updated, 0 duplicate, "
                                        "0 rejected (import #1)"]
    assert run("imports", "-w", ws, "--format", "json").stdout.count('"import_id"') == 1


def test_a_named_pipe_is_not_called_a_missing_file(tmp_path: Path) -> None:
    """`ingest export.csv` where export.csv is a named pipe said "no such file; check the path" of a path that
    exists."""
    pipe = tmp_path / "export.csv"
    os.mkfifo(pipe)
    proc = run("ingest", "-w", str(tmp_path / "ws"), str(pipe))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"error: {pipe}: is not a regular file (a pipe, socket or device): save the export to a file and import "
        "that (nothing of it was imported)"]


def test_a_file_name_with_a_line_break_keeps_its_error_on_one_line(tmp_path: Path) -> None:
    """An empty file named `e<LF>x.csv`: its error line was cut in two by the name's line break."""
    path = tmp_path / "e\nx.csv"
    path.write_bytes(b"")
    proc = run("ingest", "-w", str(tmp_path / "ws"), str(path))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"error: {tmp_path}/e\\nx.csv:1:1: the file is empty (0 bytes): there is "
                                        "nothing to import; export it again"]
    folder = run("ingest", "-w", str(tmp_path / "ws"), str(tmp_path))
    assert folder.stdout.splitlines() == [f"not imported: {tmp_path}/e\\nx.csv:1:1: the file is empty (0 bytes): "
                                          "there is nothing to import; export it again"]
