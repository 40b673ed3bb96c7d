"""`strategyfirst ingest ARCHIVE.zip`: every member imported or skipped, named `archive.zip!inner/name`, safely."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import duckdb
import pytest
from click.testing import Result
from typer.testing import CliRunner

from tests.cli.support import run

TWCS = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
ROW = "{id},acme,False,Wed Oct 11 06:55:44 +0000 2017,hello {id},,\n"


def invoke(*args: str) -> Result:
    from strategyfirst.cli import app

    return CliRunner().invoke(app, list(args))


def twcs(*ids: int, bad: bool = False) -> str:
    text = TWCS + "".join(ROW.format(id=i) for i in ids)
    return text + ("99,bob,True,yesterday,x,,\n" if bad else "")


def make_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def ingest(ws: Path, *files: Path) -> tuple[int, list[dict[str, object]], str]:
    result = invoke("ingest", "-w", str(ws), "--format", "json", *map(str, files))
    return result.exit_code, json.loads(result.stdout)["files"] if result.stdout else [], result.stderr


def warehouse(ws: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(ws / ".strategyfirst" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_member_in_nested_folders_is_imported_or_skipped_and_named_inside_the_zip(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "archive.zip", {
        "data/tweets.csv": twcs(1, 2),
        "data/deeper/more.csv": twcs(3, bad=True),
        "README.txt": "This archive was exported on Monday.\n",
        "data/tweets_media/1-a.jpg": b"\xff\xd8\xff\xe0jpeg",
        "data/tweets_media/2-b.mp4": b"\x00\x00\x00\x18ftypmp42",
        "__MACOSX/data/._tweets.csv": b"\x00\x05\x16\x07",
        "data/.DS_Store": b"\x00\x00\x00\x01Bud1",
    })
    ws = tmp_path / "ws"
    code, files, _ = ingest(ws, archive)
    assert code == 0  # skipped members are no failure
    got = [(f["file"], f["status"], f["rows_new"], f["rows_rejected"]) for f in files]
    assert got == [
        (f"{archive}!README.txt", "skipped", 0, 0),
        (f"{archive}!data/deeper/more.csv", "imported", 1, 1),
        (f"{archive}!data/tweets.csv", "imported", 2, 0),
        (f"{archive}!data/tweets_media/", "skipped", 0, 0),
    ]
    assert files[0]["error"].startswith(f"{archive}!README.txt:")
    assert files[3]["error"] == f"{archive}!data/tweets_media/: 2 media files (.jpg, .mp4), not exports"
    # the import log and the rejects name the member, not where it was unpacked
    assert warehouse(ws, "SELECT file, source FROM imports ORDER BY import_id") == [
        (f"{archive}!data/deeper/more.csv", "twcs"), (f"{archive}!data/tweets.csv", "twcs")]
    assert warehouse(ws, "SELECT file, line FROM rejects") == [(f"{archive}!data/deeper/more.csv", 3)]
    rejects = Path(str(files[1]["rejects_file"]))
    assert rejects.name == "00001-more.rejects.csv"
    assert f"{archive}!data/deeper/more.csv" in rejects.read_text(encoding="utf-8")
    assert sorted(r[0] for r in warehouse(ws, "SELECT message_id FROM messages")) == ["x:1", "x:2", "x:3"]
    # the raw copies are kept under their hash, and the unpacked members are gone
    assert len(list((ws / ".strategyfirst" / "raw").glob("*.csv"))) == 2
    tmp = ws / ".strategyfirst" / "tmp"
    assert not tmp.exists() or not list(tmp.iterdir())
    # the same zip again changes nothing
    code, again, _ = ingest(ws, archive)
    assert code == 0
    assert [(f["file"], f["status"], f["import_id"]) for f in again if f["status"] != "skipped"] == [
        (f"{archive}!data/deeper/more.csv", "already imported", 1),
        (f"{archive}!data/tweets.csv", "already imported", 2)]
    assert warehouse(ws, "SELECT count(*) FROM imports") == [(2,)]


def test_text_output_names_each_member(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "meta.zip", {"a.csv": twcs(1), "notes.txt": "exported on Monday\n"})
    result = invoke("ingest", "-w", str(tmp_path / "ws"), str(archive))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (f"{archive}!a.csv (twcs): 1 read, 1 new, 0 updated, 0 duplicate, 0 rejected (import #1)")
    assert lines[1].startswith(f"skipped: {archive}!notes.txt:")
    assert result.stderr.strip().splitlines()[-1] == "2 files: 1 imported, 1 skipped"


def test_a_member_that_fails_is_listed_the_others_import_and_the_command_exits_1(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", {"good.csv": twcs(1), "cut.csv": b"\xff\xfet\x00w"})  # UTF-16, cut
    code, files, _ = ingest(tmp_path / "ws", archive)
    assert code == 1
    assert [(f["file"], f["status"]) for f in files] == [(f"{archive}!cut.csv", "failed"),
                                                         (f"{archive}!good.csv", "imported")]
    assert str(files[0]["error"]).startswith(f"{archive}!cut.csv:1: is UTF-16 text that cannot be decoded")
    assert "unzip-" not in str(files[0]["error"])  # never the private folder it was unpacked into


def test_a_zip_with_a_folder_and_a_plain_file_in_one_command(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    make_zip(folder / "inner.zip", {"x/one.csv": twcs(1)})
    (folder / "two.csv").write_text(twcs(2), encoding="utf-8")
    plain = tmp_path / "three.csv"
    plain.write_text(twcs(3), encoding="utf-8")
    code, files, _ = ingest(tmp_path / "ws", folder, plain)
    assert code == 0
    assert [(f["file"], f["status"]) for f in files] == [
        (f"{folder / 'inner.zip'}!x/one.csv", "imported"), (str(folder / "two.csv"), "imported"),
        (str(plain), "imported")]


def test_a_zip_bomb_is_refused_in_one_line_and_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from strategyfirst.warehouse import archive as archive_module

    monkeypatch.setattr(archive_module, "MAX_BYTES", 1000)
    bomb = make_zip(tmp_path / "bomb.zip", {"a.csv": twcs(1), "b.csv": TWCS + "0" * 5000})
    code, out, err = run(["ingest", "-w", str(tmp_path / "ws"), str(bomb)], monkeypatch, capsys)
    # a lone zip refused whole is the command's one-line error (cli.md: unreadable input, exit 2)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        f"error: {bomb}: would unpack to more than 0 GB, more than an archive may hold; unzip it and import "
        "the folder of exports you need (nothing of it was imported)"]
    assert not (tmp_path / "ws" / ".strategyfirst" / "raw").exists() or not list(
        (tmp_path / "ws" / ".strategyfirst" / "raw").iterdir())
    assert not any((tmp_path / "ws" / ".strategyfirst" / "tmp").glob("unzip-*"))


def test_a_zip_that_lies_about_its_sizes_never_unpacks_more_than_it_declares(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from strategyfirst.warehouse import archive as archive_module

    monkeypatch.setattr(archive_module, "MAX_BYTES", 1000)
    liar = make_zip(tmp_path / "liar.zip", {"big.csv": TWCS + "0" * 5000})
    real_members = archive_module._members

    def declared_small(zpath: Path, infos: list[zipfile.ZipInfo]) -> object:
        members, media = real_members(zpath, infos)
        for info in members:
            info.file_size = 10  # what a crafted central directory claims
        return members, media

    monkeypatch.setattr(archive_module, "_members", declared_small)
    result = invoke("ingest", "-w", str(tmp_path / "ws"), "--format", "json", str(liar))
    assert result.exit_code == 1
    files = json.loads(result.stdout)["files"]
    assert [(f["file"], f["status"]) for f in files] == [(f"{liar}!big.csv", "failed")]
    assert files[0]["error"].startswith(f"{liar}!big.csv: could not be extracted (Bad CRC-32")


def test_too_many_entries_unsafe_names_broken_and_empty_zips_are_one_line_each(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from strategyfirst.warehouse import archive as archive_module

    monkeypatch.setattr(archive_module, "MAX_MEMBERS", 3)
    many = make_zip(tmp_path / "many.zip", {f"f{i}.csv": twcs(i) for i in range(4)})
    escape = make_zip(tmp_path / "escape.zip", {"../../evil.csv": twcs(1)})
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    empty = make_zip(tmp_path / "empty.zip", {})
    code, files, _ = ingest(tmp_path / "ws", many, escape, broken, empty)
    assert code == 1
    errors = {Path(str(f["file"])).name: (f["status"], str(f["error"])) for f in files}
    assert errors["many.zip"] == ("failed", f"{many}: holds 4 entries, more than the 3 an archive may have; unzip "
                                  "it and import the folder of exports you need (nothing of it was imported)")
    assert errors["escape.zip"][0] == "failed"
    assert "'../../evil.csv' that would be written outside the archive's folder" in errors["escape.zip"][1]
    assert not (tmp_path.parent / "evil.csv").exists()
    assert errors["broken.zip"][0] == "failed"
    assert errors["broken.zip"][1].startswith(f"{broken}: is not a readable zip archive (")
    assert errors["empty.zip"] == ("failed", f"{empty}: is an empty zip archive: it holds no file (nothing was "
                                   "imported)")
    assert all("\n" not in e for _, e in errors.values())
    code, out, err = run(["ingest", "-w", str(tmp_path / "ws"), str(broken)], monkeypatch, capsys)
    assert code == 2 and out == "" and err.splitlines() == [f"error: {errors['broken.zip'][1]}"]


def test_workspace_ingest_reads_a_zip_too(tmp_path: Path) -> None:
    from strategyfirst import Workspace

    archive = make_zip(tmp_path / "x.zip", {"d/a.csv": twcs(1, 2)})
    result = Workspace(tmp_path / "ws").ingest(archive)
    assert [(f["file"], f["rows_new"]) for f in result.files] == [(f"{archive}!d/a.csv", 2)]


def test_an_x_account_archive_imports_zipped_as_unzipped(tmp_path: Path) -> None:
    # the X archive as X delivers it: a zip of data/tweets.js, account.js (the username beside it), like.js,
    # media and the archive's own web page
    from tests.sources.test_x_archive import archive as x_archive

    root = x_archive(tmp_path)
    zipped = tmp_path / "twitter-2024-05-01-abc.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            zf.write(path, path.relative_to(root).as_posix())
    ws = tmp_path / "ws"
    code, files, _ = ingest(ws, zipped)
    assert code == 0
    status = {str(f["file"]).removeprefix(f"{zipped}!"): (f["status"], f["source"]) for f in files}
    assert status["data/tweets.js"] == ("imported", "x-archive")
    assert status["data/tweets_media/"][0] == "skipped"  # one line for the media folder
    for other in ("data/account.js", "data/like.js", "assets/js/main.1f2e.js", "Your archive.html"):
        assert status[other][0] == "skipped", other
    tweets = next(f for f in files if f["source"] == "x-archive")
    assert (tweets["rows_read"], tweets["rows_new"], tweets["rows_rejected"]) == (5, 4, 1)
    # the account comes from account.js inside the zip; the same four tweets as the unzipped archive gives
    assert warehouse(ws, "SELECT DISTINCT account FROM messages") == [("velo_club",)]
    # the reject is on the line where the fifth tweet begins in the file (each item opens on a line "  {")
    starts = [n for n, text in enumerate((root / "data" / "tweets.js").read_text(encoding="utf-8").splitlines(), 1)
              if text == "  {"]
    assert warehouse(ws, "SELECT file, line FROM rejects") == [(f"{zipped}!data/tweets.js", starts[4])]
    # the e-mail address in account.js reaches nothing but the raw copy of the zip's members it is in: no table
    assert warehouse(ws, "SELECT count(*) FROM messages WHERE text LIKE '%@example.org%'") == [(0,)]


def test_what_a_killed_import_unpacked_is_swept_a_day_later(tmp_path: Path) -> None:
    import os
    import time

    ws = tmp_path / "ws"
    tmp = ws / ".strategyfirst" / "tmp"
    old, recent = tmp / "unzip-old", tmp / "unzip-recent"
    for folder in (old, recent):
        (folder / "data").mkdir(parents=True)
        (folder / "data" / "tweets.js").write_text("left behind", encoding="utf-8")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    code, _, _ = ingest(ws, make_zip(tmp_path / "a.zip", {"a.csv": twcs(1)}))
    assert code == 0
    assert not old.exists() and recent.exists()  # a folder of an import still running is left alone


PROVENANCE = "# Provenance\n\nWhere each file comes from.\n\n## twcs\n\nKaggle, CC BY-NC-SA 4.0.\n"


@pytest.mark.parametrize("inside", ["zip", "folder"])
def test_a_skipped_document_names_no_source(inside: str, tmp_path: Path) -> None:
    """A markdown file's `#` lines look like a GA4 export's at first sight: skipped, it is still no export."""
    members: dict[str, str | bytes] = {"PROVENANCE.md": PROVENANCE, "notes.txt": "# a note\n", "a.csv": twcs(1)}
    if inside == "zip":
        given = make_zip(tmp_path / "data.zip", members)
    else:
        given = tmp_path / "data"
        given.mkdir()
        for name, text in members.items():
            (given / name).write_text(str(text), encoding="utf-8")
    code, files, _ = ingest(tmp_path / "ws", given)
    assert code == 0
    assert [(Path(str(f["file"])).name.split("!")[-1], f["status"], f["source"]) for f in files] == [
        ("PROVENANCE.md", "skipped", None), ("a.csv", "imported", "twcs"), ("notes.txt", "skipped", None)]


def test_the_import_log_names_a_member_inside_its_zip_through_undo_check_and_rebuild(tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    archive = make_zip(downloads / "export.zip", {"sub/a.csv": twcs(1, 2, bad=True)})
    ws = tmp_path / "ws"
    assert invoke("init", str(ws)).exit_code == 0  # `check` wants a plan
    code, files, _ = ingest(ws, archive)
    assert (code, files[0]["file"], files[0]["rows_new"]) == (0, f"{archive}!sub/a.csv", 2)

    def logged() -> tuple[str, str]:
        text = invoke("imports", "-w", str(ws)).stdout.splitlines()[0]
        return text.split(" (")[0], json.loads(invoke("imports", "-w", str(ws), "--format", "json").stdout)[
            "imports"][0]["file"]

    # the log shows no folder, but keeps the archive and the member's place in it (README: the import log)
    assert logged() == ("#1 export.zip!sub/a.csv", "export.zip!sub/a.csv")
    assert invoke("check", "-w", str(ws)).exit_code == 0
    rebuilt = invoke("rebuild", "-w", str(ws))
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert logged() == ("#1 export.zip!sub/a.csv", "export.zip!sub/a.csv")
    assert warehouse(ws, "SELECT file, line FROM rejects") == [(f"{archive}!sub/a.csv", 4)]
    assert sorted(r[0] for r in warehouse(ws, "SELECT message_id FROM messages")) == ["x:1", "x:2"]
    undone = invoke("imports", "undo", "1", "-w", str(ws))
    assert undone.stdout.startswith("undid import #1 (export.zip!sub/a.csv): 2 rows removed")
    assert invoke("check", "-w", str(ws)).exit_code == 0


@pytest.mark.parametrize(("logged", "shown"), [
    ("/home/ana/exports/archive.zip!data/tweets.js", "archive.zip!data/tweets.js"),
    ("Archive.ZIP!a.csv", "Archive.ZIP!a.csv"),
    ("/home/ana/exports/posts.csv", "posts.csv"),
    ("/home/ana/wow!/posts!.csv", "posts!.csv"),  # a '!' outside a zip's name is part of a plain name
])
def test_shown_name_drops_folders_but_not_a_members_place_in_its_zip(logged: str, shown: str) -> None:
    from strategyfirst.warehouse.importlog import shown_name

    assert shown_name(logged) == shown
