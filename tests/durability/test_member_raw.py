"""The raw copy of a member export is redacted (data.md, "Member exports"): raw/ and backups hold no address,
name, IP, coordinate, phone or note, and the warehouse rebuilt from raw/ is the one the original files made.

The personal values are found here by reading the source files with the csv module; the rows compared are
every column of `audience` and the rejects' lines and reasons.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tarfile
from pathlib import Path

import duckdb
import pytest

from strategyfirst import Workspace
from strategyfirst.plan.starter import starter_plan_text
from strategyfirst.recovery import check, sha256
from tests.cli.support import run

FIXTURES = "newsletter/tryghost-fixtures"
MAILCHIMP = ("subscribed.csv", "unsubscribed.csv", "cleaned.csv")
NEWSLETTER = {"substack_signup_emails.csv": "Letter", "substack_subscriber_emails.csv": "Paid",
              "beehiiv_members.csv": "Bee"}
# Columns whose values are personal (or free text that may be), in every member export kind.
PERSONAL = {"email address", "email", "first name", "last name", "company", "position", "zip code", "optin_ip",
            "confirm_ip", "latitude", "longitude", "phone", "phone number", "address", "notes", "leid", "euid",
            "stripe_customer_id", "stripe_connected_customer_id", "unsub_reason_other", "tags", "region"}
HEADER = ("Email Address,First Name,Last Name,Phone Number,Address,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,"
          "CONFIRM_IP,LATITUDE,LONGITUDE,UNSUB_TIME,UNSUB_REASON_OTHER,LAST_CHANGED,LEID,EUID,NOTES")
# A Mailchimp unsubscribed export with every kind of personal value, a note over two lines, a blank line,
# a time that is no time and a row of too many fields: rejects at known lines. Its EUIDs are not hexadecimal:
# one such as "aaa111" could turn up inside any sha256 of the raw copies' names or the backup's manifest.
BAD_ROWS = [
    'ana.pereira@mail.example,Ana,Pereira,+351 912 345 678,"Rua Augusta 1, Lisboa",2,2021-03-01 10:00:00,'
    '198.51.100.7,2021-03-01 10:05:00,198.51.100.8,38.7071,-9.1355,2022-01-10 09:00:00,too many emails,'
    '2022-01-10 09:00:00,111,xaa111,"call Ana on Tuesdays\nprefers Portuguese"',
    "",
    "bruno.costa@mail.example,Bruno,Costa,+351 913 000 111,Porto,3,whenever,203.0.113.9,sometime,203.0.113.10,"
    "41.1496,-8.6109,2022-02-02 08:00:00,,2022-02-02 08:00:00,222,xbb222,VIP",
    "carla.dias@mail.example,Carla,Dias,+351 914 000 222,Braga,1,2021-05-05 05:05:05,192.0.2.33,"
    "2021-05-05 05:06:00,192.0.2.34,41.5454,-8.4265,2023-03-03 03:03:03,,2023-03-03 03:03:03,333,xcc333,,extra",
    "duarte.reis@mail.example,Duarte,Reis,+351 915 000 333,Faro,4,2021-06-06 06:06:06,192.0.2.44,"
    "2021-06-06 06:07:00,192.0.2.45,37.0194,-7.9304,2023-04-04 04:04:04,moved away,2023-04-04 04:04:04,444,"
    "xdd444,",
]


def _bad_file(folder: Path) -> Path:
    path = folder / "unsubscribed_members_export_a1b2c3.csv"
    path.write_text(HEADER + "\n" + "\n".join(BAD_ROWS) + "\n", encoding="utf-8")
    return path


def _personal(paths: list[Path]) -> set[str]:
    """Every non-empty value of a personal column of the files, and each line of a value of several."""
    found: set[str] = set()
    for path in paths:
        with path.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for column, value in row.items():
                    if column is not None and column.strip().lower() in PERSONAL and value and value.strip():
                        found.add(value.strip())
                        found.update(part.strip() for part in value.splitlines() if len(part.strip()) > 3)
    # "No" or "1" would be found in any file, and the fixtures' last name "Name" in the plan's text; a short run
    # of digits ("444", a house number) in any sha256 or byte count of the backup's manifest
    plan = starter_plan_text().lower()
    return {v for v in found if len(v) > 2 and v.lower() not in plan and not (v.isdigit() and len(v) < 7)}


def _leaks(data: bytes, values: set[str]) -> list[str]:
    text = data.decode("utf-8", errors="replace").lower()
    return sorted(v for v in values if v.lower() in text)


def _rows(ws: Workspace, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        return sorted(con.execute(sql).fetchall(), key=repr)
    finally:
        con.close()


AUDIENCE = "SELECT * FROM audience"
REJECTS = "SELECT import_id, file, line, reason, raw, source FROM rejects"
LOG = "SELECT import_id, file, sha256, source, rows_read, rows_new, rows_rejected, bytes FROM imports"


@pytest.fixture(scope="module")
def member_ws(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[Workspace, list[Path]]:
    """A workspace that imported every member-export kind: Mailchimp's three, Substack's two, beehiiv, and a
    Mailchimp file with bad rows."""
    folder = shared_data / FIXTURES
    work = tmp_path_factory.mktemp("members")
    ws = Workspace(work / "ws")
    ws.root.mkdir()
    ws.plan_path.write_text(starter_plan_text(), encoding="utf-8")
    bad = _bad_file(work)
    ws.ingest([folder / name for name in MAILCHIMP], account="L")
    for name, account in NEWSLETTER.items():
        ws.ingest([folder / name], account=account)
    ws.ingest([bad])
    return ws, [*(folder / n for n in (*MAILCHIMP, *NEWSLETTER)), bad]


def _copy(ws: Workspace, to: Path) -> Workspace:
    shutil.copytree(ws.root, to)
    return Workspace(to)


def test_the_personal_values_are_found_in_the_source_files(member_ws: tuple[Workspace, list[Path]]) -> None:
    values = _personal(member_ws[1])
    assert {"s1@example.com", "Lorem Name", "herroooo@substack.com", "198.51.100.7", "38.7071", "+351 912 345 678",
            "prefers Portuguese", "Pereira"} <= values


def test_raw_copies_and_a_backup_hold_no_personal_value(member_ws: tuple[Workspace, list[Path]], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    ws, sources = member_ws
    values = _personal(sources)
    raw = sorted(ws.raw_dir.iterdir())
    assert len(raw) == len(sources)
    for path in raw:
        assert not _leaks(path.read_bytes(), values), path
    out = tmp_path / "backup.tar.gz"
    code, _, err = run(["backup", "-w", str(ws.root), str(out)], monkeypatch, capsys)
    assert code == 0, err
    with tarfile.open(out) as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        assert sum("/raw/" in m.name for m in members) == len(sources)
        for member in members:
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.endswith(".duckdb"):
                continue  # compressed pages; its tables are searched in tests/sources/test_members.py
            assert not _leaks(data, values), member.name
    # The rejects of the bad file: line and reason, no cell of the row, in the table and the rejects file.
    assert _rows(ws, "SELECT line, reason, raw FROM rejects") == sorted([
        (4, "neither CONFIRM_TIME nor OPTIN_TIME is a time like 2018-02-05 19:28:23",
         "(row not stored: member exports keep no personal data)"),
        (5, "the row has 19 fields where the header has 18",
         "(row not stored: member exports keep no personal data)")], key=repr)
    for path in (ws.state_dir / "rejects").glob("*.csv"):
        assert not _leaks(path.read_bytes(), values), path


def test_the_log_keeps_the_original_digest_and_check_accepts_the_redacted_copy(
        member_ws: tuple[Workspace, list[Path]]) -> None:
    ws, sources = member_ws
    log = _rows(ws, "SELECT sha256, raw_sha256 FROM imports")
    assert sorted(d for d, _ in log) == sorted(sha256(p) for p in sources)
    for digest, raw_digest in log:
        kept = ws.raw_dir / f"{digest}.csv"
        assert kept.is_file() and raw_digest == sha256(kept) != digest
    assert check(ws) == []


def test_reimporting_an_original_file_changes_nothing(member_ws: tuple[Workspace, list[Path]],
                                                      tmp_path: Path) -> None:
    ws = _copy(member_ws[0], tmp_path / "ws")
    folder = member_ws[1][0].parent
    before = _rows(ws, AUDIENCE), _rows(ws, LOG)
    again = ws.ingest([folder / "unsubscribed.csv", folder / "cleaned.csv"], account="L")
    assert [f["status"] for f in again.files] == ["already imported"] * 2
    for name, account in NEWSLETTER.items():
        assert ws.ingest([folder / name], account=account).files[0]["status"] == "already imported"
    assert ws.ingest([member_ws[1][-1]]).files[0]["status"] == "already imported"
    assert (_rows(ws, AUDIENCE), _rows(ws, LOG)) == before


def test_rebuild_from_raw_gives_the_same_rows(member_ws: tuple[Workspace, list[Path]], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    ws = _copy(member_ws[0], tmp_path / "ws")
    before = {sql: _rows(ws, sql) for sql in (AUDIENCE, REJECTS, LOG)}
    raw_before = {p.name: p.read_bytes() for p in ws.raw_dir.iterdir()}
    code, _, err = run(["rebuild", "-w", str(ws.root)], monkeypatch, capsys)
    assert code == 0, err
    for sql, rows in before.items():
        assert _rows(ws, sql) == rows, sql
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        con.execute(f"ATTACH '{ws.warehouse_path}.before-rebuild' AS old (READ_ONLY)")
        for a, b in (("audience", "old.audience"), ("old.audience", "audience")):
            assert con.execute(f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})"
                               ).fetchone() == (0,)
    finally:
        con.close()
    assert {p.name: p.read_bytes() for p in ws.raw_dir.iterdir()} == raw_before  # a redacted copy is final
    assert check(ws) == []
    folder = member_ws[1][0].parent
    assert ws.ingest([folder / "cleaned.csv"], account="L").files[0]["status"] == "already imported"


def test_the_redacted_copy_imports_as_the_original(member_ws: tuple[Workspace, list[Path]], tmp_path: Path) -> None:
    """Each raw copy, imported on its own under the original's name and options, stages the same rows."""
    ws, sources = member_ws
    for source in sources:
        digest = sha256(source)
        account = {**dict.fromkeys(MAILCHIMP, "L"), **NEWSLETTER}.get(source.name)
        one = Workspace(tmp_path / f"orig-{source.stem}")
        other = Workspace(tmp_path / f"raw-{source.stem}")
        named = tmp_path / f"named-{source.stem}" / source.name
        named.parent.mkdir()
        shutil.copy2(ws.raw_dir / f"{digest}.csv", named)
        first = one.ingest([source], account=account).files[0]
        second = other.ingest([named], account=account).files[0]
        assert {k: first[k] for k in ("source", "rows_read", "rows_new", "rows_rejected")} == \
            {k: second[k] for k in ("source", "rows_read", "rows_new", "rows_rejected")}
        if "substack_subscriber" not in source.name:  # its size is dated by the file's time: the copy's differs
            assert _rows(one, AUDIENCE) == _rows(other, AUDIENCE), source.name
        assert _rows(one, "SELECT line, reason, raw FROM rejects") == \
            _rows(other, "SELECT line, reason, raw FROM rejects")


def _kept_whole(member_ws: tuple[Workspace, list[Path]], tmp_path: Path) -> tuple[Workspace, Path, str, int]:
    """A copy of the workspace as made before raw copies were redacted: the first file's copy is the original
    and the log knows no redacted copy. Returns it, that file, its sha256 and its import id."""
    ws = _copy(member_ws[0], tmp_path / "ws")
    source = member_ws[1][0]
    digest = sha256(source)
    shutil.copyfile(source, ws.raw_dir / f"{digest}.csv")
    con = duckdb.connect(str(ws.warehouse_path))
    try:
        con.execute("UPDATE imports SET raw_sha256 = NULL WHERE sha256 = ?", [digest])
        found = con.execute("SELECT min(import_id) FROM imports WHERE sha256 = ?", [digest]).fetchone()
    finally:
        con.close()
    assert found is not None
    return ws, source, digest, int(found[0])


def test_check_reports_an_unredacted_raw_copy_and_rebuild_redacts_it(
        member_ws: tuple[Workspace, list[Path]], tmp_path: Path) -> None:
    """A workspace made before raw copies were redacted: its copy is the original file."""
    from strategyfirst.recovery import rebuild

    ws, source, digest, _ = _kept_whole(member_ws, tmp_path)
    before = _rows(ws, AUDIENCE)
    problems = check(ws)
    assert len(problems) == 1 and "personal" in problems[0] and "rebuild" in problems[0], problems
    rebuild(ws)
    assert check(ws) == []
    assert not _leaks((ws.raw_dir / f"{digest}.csv").read_bytes(), _personal([source]))
    assert _rows(ws, AUDIENCE) == before


def test_an_undone_import_kept_whole_is_reported_and_rebuild_removes_it(
        member_ws: tuple[Workspace, list[Path]], tmp_path: Path) -> None:
    """A member export imported before copies were redacted, then undone: nothing replays it, so nothing would
    redact it; check reports its copy and rebuild removes it (the other imports' copies and rows stay)."""
    from strategyfirst.recovery import rebuild

    ws, _, digest, undone = _kept_whole(member_ws, tmp_path)
    ws.undo_import(undone)
    others = sorted(p.name for p in ws.raw_dir.iterdir() if p.name != f"{digest}.csv")
    problems = check(ws)
    assert len(problems) == 1 and "undone" in problems[0] and "personal" in problems[0], problems
    before = _rows(ws, AUDIENCE)
    rebuild(ws)
    assert check(ws) == []
    assert not (ws.raw_dir / f"{digest}.csv").exists()
    assert sorted(p.name for p in ws.raw_dir.iterdir()) == others
    assert _rows(ws, AUDIENCE) == before


def test_the_redacted_copy_is_a_csv_of_times_and_line_numbers(member_ws: tuple[Workspace, list[Path]]) -> None:
    """The redacted copy is a CSV the loader reads: its header and first rows, for a reader of raw/."""
    ws, sources = member_ws
    text = (ws.raw_dir / f"{sha256(sources[-1])}.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["member_rating", "optin_time", "confirm_time", "unsub_time", "last_changed", "sf_line",
                       "sf_reject"]
    assert rows[1] == ["", "2021-03-01 10:00:00", "2021-03-01 10:05:00", "2022-01-10 09:00:00",
                       "2022-01-10 09:00:00", "2", ""]
    assert json.dumps(rows)  # plain text cells


def test_a_member_exports_bytes_never_reach_raw_even_for_a_moment(shared_data: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A kill -9 while the file is read must not leave its addresses in raw/: the import only hashes it, and the
    redacted copy is the only one ever written there."""
    import hashlib

    import strategyfirst.warehouse.ingest as ingest_module

    ws = Workspace(tmp_path / "ws")
    bad = _bad_file(tmp_path)
    values = _personal([bad])
    seen: list[tuple[str, bytes]] = []
    staging = ingest_module.create_stage

    def spy(con: object) -> None:  # the moment the loader starts reading: what a kill now would leave behind
        seen.extend((p.name, p.read_bytes()) for p in ws.raw_dir.glob("*") if p.is_file())
        staging(con)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest_module, "create_stage", spy)
    (f,) = ws.ingest([bad]).files
    assert f["status"] == "imported" and seen == []  # no copy at all before the redacted one
    assert not [p for p in ws.raw_dir.iterdir() if p.name.endswith(".part")]
    (kept,) = list(ws.raw_dir.iterdir())
    assert kept.name == hashlib.sha256(bad.read_bytes()).hexdigest() + ".csv"  # named by the file as imported
    assert _leaks(kept.read_bytes(), values) == []


def test_partial_files_a_killed_import_left_go_at_the_next_command_that_takes_the_lock(
        shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    ws.plan_path.write_text(starter_plan_text(), encoding="utf-8")
    ws.ingest([_bad_file(tmp_path)])
    kept = sorted(p.name for p in (*ws.raw_dir.iterdir(), *(ws.state_dir / "rejects").iterdir()))
    # What a kill -9 leaves: a raw copy on its way (here a member export's bytes) and a rejects file before commit.
    part_raw = ws.raw_dir / ".0123abcd.part"
    part_raw.write_text(HEADER + "\n" + BAD_ROWS[0] + "\n", encoding="utf-8")
    part_rejects = ws.state_dir / "rejects" / ".00002-posts.rejects.csv.part"
    part_rejects.write_text("file,line,reason,raw\n", encoding="utf-8")
    problems = check(ws)
    assert [p for p in problems if ".part" in p] == [
        f"{part_raw}: a partial file left by an interrupted import (the next ingest, measure, export, backup or "
        "rebuild removes it)",
        f"{part_rejects}: a partial file left by an interrupted import (the next ingest, measure, export, backup "
        "or rebuild removes it)"]
    code, _, err = run(["measure", "-w", str(ws.root), "--format", "json"], monkeypatch, capsys)
    assert code == 0, err
    assert not part_raw.exists() and not part_rejects.exists()
    assert sorted(p.name for p in (*ws.raw_dir.iterdir(), *(ws.state_dir / "rejects").iterdir())) == kept
    assert not [p for p in check(ws) if ".part" in p]
