"""The import rules of data.md on small hand-written files: idempotence, updates, rejects, encodings,
conversation ids, owned accounts, strict mode, migration and the workspace lock."""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from strategyfirst.errors import ImportFileError, SourceDetectionError, WorkspaceLockedError
from strategyfirst.warehouse.lock import workspace_lock
from strategyfirst.warehouse.migrate import migrate, schema_version
from strategyfirst.warehouse.schema import ALL_DDL, SCHEMA_VERSION, V1_DDL
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, scalar, snapshot

pytestmark = pytest.mark.usefixtures("no_derive")

TWCS_HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
XA_HEADER = ('"Tweet id","Tweet permalink","Tweet text","time","impressions","engagements","retweets",'
             '"replies","likes","url clicks","follows"\n')


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def xa_row(tweet: str, impressions: str, likes: str = "1.0", text: str = "hello") -> str:
    return (f'"{tweet}","https://twitter.com/acme/status/{tweet}","{text}","2021-03-04 05:06 +0000",'
            f'"{impressions}","3.0","0.0","0.0","{likes}","0.0","-"\n')


def test_reimport_is_all_duplicate_and_newer_export_updates(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    old = write(tmp_path / "march.csv", XA_HEADER + xa_row("1", "100.0") + xa_row("2", "50.0"))
    new = write(tmp_path / "april.csv", XA_HEADER + xa_row("1", "140.0", likes="4.0") + xa_row("2", "50.0")
                + xa_row("3", "7.0"))
    first = one(ingest(ws, [old]))
    assert (first["rows_new"], first["rows_duplicate"]) == (2, 0)
    again = one(ingest(ws, [old]))
    assert (again["rows_read"], again["rows_duplicate"], again["rows_new"]) == (2, 2, 0)
    newer = one(ingest(ws, [new]))
    assert (newer["rows_new"], newer["rows_updated"], newer["rows_duplicate"]) == (1, 1, 1)
    assert query(ws, "SELECT impressions, likes FROM messages WHERE message_id = 'x:1'") == [(140.0, 4.0)]
    # the older export again cannot lower lifetime figures
    back = one(ingest(ws, [old]))
    assert back["rows_duplicate"] == 2
    assert scalar(ws, "SELECT impressions FROM messages WHERE message_id = 'x:1'") == 140.0
    assert scalar(ws, "SELECT count(*) FROM messages") == 3
    # issue 12.9: the same bytes again add no `imports` row (march.csv twice is one import)
    assert scalar(ws, "SELECT count(*) FROM imports") == 2
    assert (again["status"], again["already_imported_as"], back["already_imported_as"]) == (
        "already imported", first["import_id"], first["import_id"])


def test_the_same_bytes_twice_in_one_batch_are_one_import(tmp_path: Path) -> None:
    """The file sizes the log holds are looked up once per batch (importlog.SeenSizes): a copy of a file
    imported earlier in the same batch, and a file whose size only an earlier import of the batch had, are
    still known, so the copy is "already imported" as the first, and no second `imports` row is written."""
    ws = Workspace(tmp_path / "ws")
    text = XA_HEADER + xa_row("1", "100.0") + xa_row("2", "50.0")
    first, copy = write(tmp_path / "march.csv", text), write(tmp_path / "march-copy.csv", text)
    # Same size, other bytes (tweet 3 for tweet 2): a new import, not the first one again.
    other = write(tmp_path / "other.csv", XA_HEADER + xa_row("1", "100.0") + xa_row("3", "50.0"))
    assert first.stat().st_size == copy.stat().st_size == other.stat().st_size
    files = ingest(ws, [first, copy, other]).files
    assert [f["status"] for f in files] == ["imported", "already imported", "imported"]
    assert files[1]["already_imported_as"] == files[0]["import_id"]
    # two imports: march.csv (tweets 1, 2) and other.csv (tweet 3 new, tweet 1 a duplicate)
    assert (files[2]["rows_new"], files[2]["rows_duplicate"]) == (1, 1)
    assert scalar(ws, "SELECT count(*) FROM imports") == 2
    assert scalar(ws, "SELECT count(*) FROM messages") == 3


def test_bad_rows_go_to_rejects_with_line_and_reason(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    text = (TWCS_HEADER
            + '1,acme,False,Wed Oct 11 06:55:44 +0000 2017,"two\nlines",,\n'   # lines 2-3
            + "2,bob,True,not a date,hi,,\n"                                  # line 4
            + "3,bob,maybe,Wed Oct 11 06:55:44 +0000 2017,hi,,\n"             # line 5
            + "4,bob,True,Wed Oct 11 06:55:44 +0000 2017,hi,,\n")             # line 6
    f = one(ingest(ws, [write(tmp_path / "t.csv", text)]))
    assert (f["rows_read"], f["rows_new"], f["rows_rejected"]) == (4, 2, 2)
    rejects = query(ws, "SELECT line, reason, raw FROM rejects ORDER BY line")
    assert [(r[0], r[1]) for r in rejects] == [
        (4, "created_at is not a date like 'Wed Oct 11 06:55:44 +0000 2017'"),
        (5, "inbound is not True/False")]
    assert rejects[0][2].startswith("2,bob,True,not a date")
    assert f["rejects_file"] and Path(f["rejects_file"]).read_text().count("\n") == 3


def test_strict_rejects_fail_the_file_and_write_nothing(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    good = write(tmp_path / "good.csv", TWCS_HEADER + "1,acme,False,Wed Oct 11 06:55:44 +0000 2017,hi,,\n")
    ingest(ws, [good])
    before = snapshot(ws)
    bad = write(tmp_path / "bad.csv", TWCS_HEADER + "2,bob,True,Wed Oct 11 06:55:44 +0000 2017,hi,,\n"
                + "x,bob,True,never,hi,,\n")
    f = one(ingest(ws, [bad], strict=True))
    assert f["rows_rejected"] == 1 and f["imported"] is False
    assert snapshot(ws) == before


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings_and_crlf(tmp_path: Path, encoding: str) -> None:
    ws = Workspace(tmp_path / "ws")
    text = (XA_HEADER + xa_row("10", "1,234", text="café\r\nsecond line") + xa_row("11", "12.5")).replace(
        "\n", "\r\n").replace("\r\r\n", "\r\n")
    f = one(ingest(ws, [write(tmp_path / "e.csv", text, encoding)]))
    assert (f["rows_new"], f["rows_rejected"]) == (2, 0)
    assert query(ws, "SELECT impressions, text FROM messages WHERE message_id = 'x:10'") == [
        (1234.0, "café\r\nsecond line")]


def test_localised_portuguese_header_with_decimal_commas(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    header = ('"id do Tweet","link permanente do Tweet","texto do Tweet","hora","impressões","engajamentos",'
              '"taxa de engajamento","retweets","respostas","curtidas","cliques em URL"\n')
    row = ('"99","https://twitter.com/marca/status/99","olá","2020-01-02 03:04 +0000","1.234","10",'
           '"0,0081","2","1","5","3"\n')
    f = one(ingest(ws, [write(tmp_path / "pt.csv", header + row)]))
    assert (f["source"], f["rows_new"]) == ("x-analytics", 1)
    assert query(ws, "SELECT account, impressions, engagements, shares, comments, likes, clicks FROM messages") \
        == [("marca", 1234.0, 10.0, 2.0, 1.0, 5.0, 3.0)]


def test_conversation_ids_and_late_parent(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ts = "Wed Oct 11 06:55:44 +0000 2017"
    # 3 replies to 2 which replies to 1 (missing at first); 5 replies to 4.0 written as a float
    first = TWCS_HEADER + f"2,acme,False,{ts},b,3,1\n3,bob,True,{ts},c,,2.0\n4.0,bob,True,{ts},d,5,\n" \
        f"5,acme,False,{ts},e,,4.0\n"
    ingest(ws, [write(tmp_path / "a.csv", first)])
    got = dict(query(ws, "SELECT message_id, conversation_id FROM messages"))
    assert got == {"x:2": "x:2", "x:3": "x:2", "x:4": "x:4", "x:5": "x:4"}
    assert scalar(ws, "SELECT list(message_id ORDER BY message_id) FROM messages WHERE parent_missing") == ["x:2"]
    # the root arrives later: 2 and its descendants join conversation 1
    ingest(ws, [write(tmp_path / "b.csv", TWCS_HEADER + f"1,bob,True,{ts},a,2,\n")])
    got = dict(query(ws, "SELECT message_id, conversation_id FROM messages"))
    assert got == {"x:1": "x:1", "x:2": "x:1", "x:3": "x:1", "x:4": "x:4", "x:5": "x:4"}
    assert scalar(ws, "SELECT count(*) FROM messages WHERE parent_missing") == 0


def test_account_option_and_owned_from_plan(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.ensure()
    (ws.root / "strategy.yaml").write_text("not: [valid plan", encoding="utf-8")  # a broken plan never blocks
    f = one(ingest(ws, [write(tmp_path / "x.csv", XA_HEADER + xa_row("7", "1"))], account="@Other"))
    assert f["rows_new"] == 1
    assert query(ws, "SELECT account, owned FROM messages") == [("Other", True)]


def test_unknown_header_names_the_closest_source(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    path = write(tmp_path / "odd.csv", "tweet_id,author_id,inbound,created_at,body\n1,a,True,x,y\n")
    with pytest.raises(SourceDetectionError) as info:
        ingest(ws, [path])
    message = str(info.value)
    assert message.startswith(f"{path}:1:1: ") and "'twcs'" in message and "text" in message
    assert "response_tweet_id" in message


def test_broken_utf8_and_truncation_are_located_errors(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [write(tmp_path / "ok.csv", XA_HEADER + xa_row("1", "5"))])
    before = snapshot(ws)
    broken = tmp_path / "broken.csv"
    broken.write_bytes((XA_HEADER + xa_row("2", "5", text="café")).encode() + b"\xff" + xa_row("3", "1").encode())
    with pytest.raises(ImportFileError, match=r"broken\.csv:3:\d+: .*not UTF-8 \(0xff\) at byte offset"):
        ingest(ws, [broken])
    assert snapshot(ws) == before
    # A file cut mid-row (issue 12.3): its last row is a reject "truncated last line", the rest imports.
    cut = tmp_path / "cut.csv"
    cut.write_text(XA_HEADER + xa_row("4", "5") + '"5","https://twitter.com/acme/status/5","unfinished', "utf-8")
    f = one(ingest(ws, [cut]))
    assert (f["rows_new"], f["rows_rejected"]) == (1, 1)
    assert query(ws, "SELECT line, left(reason, 19) FROM rejects") == [(3, "truncated last line")]


def test_opening_a_version_1_warehouse_upgrades_it(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    for ddl in V1_DDL:
        con.execute(ddl)
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO messages (message_id, platform, owned, time_precision, kind, import_id) "
                "VALUES ('x:1', 'x', TRUE, 'second', 'post', 1)")
    assert migrate(con) == 1
    assert schema_version(con) == SCHEMA_VERSION == 8
    assert con.execute("SELECT message_id FROM messages").fetchall() == [("x:1",)]
    cols = {r[0] for r in con.execute("DESCRIBE imports").fetchall()}
    assert "rejects_file" in cols
    assert con.execute("SELECT count(*) FROM account_daily").fetchone() == (0,)
    assert migrate(con) == SCHEMA_VERSION  # idempotent
    con.close()


def test_figures_of_messages_are_stored_uncompressed_and_nulls_as_constants(tmp_path: Path) -> None:
    """schema.MESSAGES declares the lifetime figures uncompressed (DuckDB then skips analysing each float
    compression on ten million null figures): a column with values is stored so; one of nulls stays a
    constant segment, so the file is no larger for the replies' null figures."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for ddl in ALL_DDL:
        con.execute(ddl)
    con.execute("INSERT INTO messages (message_id, platform, owned, time_precision, kind, likes, import_id) "
                "SELECT 'x:' || i, 'x', FALSE, 'second', 'post', i % 7, 1 FROM range(5000) AS t(i)")
    con.execute("CHECKPOINT")
    kinds = dict(con.execute("SELECT column_name, list_distinct(list(compression)) FROM "
                             "pragma_storage_info('messages') WHERE column_name IN ('likes', 'reach') "
                             "AND segment_type = 'DOUBLE' GROUP BY ALL").fetchall())
    assert kinds == {"likes": ["Uncompressed"], "reach": ["Constant"]}
    con.close()


def test_opening_a_version_2_warehouse_adds_saves(tmp_path: Path) -> None:
    """v3 adds messages.saves; a v2 warehouse (messages without it) keeps its rows and gains the column."""
    con = duckdb.connect(str(tmp_path / "v2.duckdb"))
    for ddl in ALL_DDL:
        con.execute(ddl)
    con.execute("ALTER TABLE messages DROP COLUMN saves")
    assert "saves" not in {r[0] for r in con.execute("DESCRIBE messages").fetchall()}
    con.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    con.execute("INSERT INTO messages (message_id, platform, owned, time_precision, kind, likes, import_id) "
                "VALUES ('x:1', 'x', TRUE, 'second', 'post', 4, 1)")
    assert migrate(con) == 2
    assert con.execute("SELECT message_id, likes, saves FROM messages").fetchall() == [("x:1", 4.0, None)]
    con.close()


def test_opening_a_version_4_warehouse_adds_email_and_ad_columns(tmp_path: Path) -> None:
    """v5 adds messages.deliveries/opens/unsubscribes and the Ads Manager columns of spend; rows are kept."""
    con = duckdb.connect(str(tmp_path / "v3.duckdb"))
    for ddl in ALL_DDL:
        con.execute(ddl.replace(",\n    account   VARCHAR,", ",\n    account_gone VARCHAR,"))
    for column in ("deliveries", "opens", "unsubscribes"):
        con.execute(f"ALTER TABLE messages DROP COLUMN {column}")
    con.execute("ALTER TABLE spend DROP COLUMN account_gone")
    for column in ("date_to", "level", "results", "result_indicator", "impressions"):
        con.execute(f"ALTER TABLE spend DROP COLUMN {column}")
    assert "opens" not in {r[0] for r in con.execute("DESCRIBE messages").fetchall()}
    con.execute("INSERT INTO meta VALUES ('schema_version', '4')")
    con.execute("INSERT INTO spend (date, tactic, amount, import_id) VALUES ('2026-01-02', 'ads', 10, 1)")
    assert migrate(con) == 4
    assert con.execute("SELECT tactic, amount, account, results FROM spend").fetchall() == [
        ("ads", 10.0, None, None)]
    assert {"deliveries", "opens", "unsubscribes"} <= {r[0] for r in con.execute("DESCRIBE messages").fetchall()}
    con.close()


def test_opening_a_version_5_warehouse_adds_daily_reach_and_visits(tmp_path: Path) -> None:
    """v6 adds account_daily.reach and profile_visits (nullable); stored daily rows are kept with the new figures
    null, and the undo log's previous-values table gains them too."""
    con = duckdb.connect(str(tmp_path / "v5.duckdb"))
    for ddl in ALL_DDL:
        con.execute(ddl)
    con.execute("ALTER TABLE account_daily DROP COLUMN reach")
    con.execute("ALTER TABLE account_daily DROP COLUMN profile_visits")
    con.execute("INSERT INTO meta VALUES ('schema_version', '5')")
    con.execute("INSERT INTO account_daily (date, platform, account, impressions, import_id) "
                "VALUES ('2026-01-02', 'instagram', 'acme', 120, 1)")
    assert migrate(con) == 5
    assert schema_version(con) == SCHEMA_VERSION
    assert con.execute("SELECT account, impressions, reach, profile_visits FROM account_daily").fetchall() == [
        ("acme", 120.0, None, None)]
    assert {"reach", "profile_visits"} <= {r[0] for r in con.execute("DESCRIBE prev_account_daily").fetchall()}
    assert migrate(con) == SCHEMA_VERSION  # idempotent
    con.close()


def _hold_lock(state_dir: str, seconds: float) -> None:
    with workspace_lock(Path(state_dir)):
        time.sleep(seconds)


def test_second_ingest_waits_then_fails_clearly(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws").ensure()
    holder = multiprocessing.get_context("spawn").Process(target=_hold_lock, args=(str(ws.state_dir), 20))
    holder.start()
    try:
        deadline = time.monotonic() + 15
        while not (ws.state_dir / "ingest.lock").exists() or (ws.state_dir / "ingest.lock").read_text() == "":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        started = time.monotonic()
        with (pytest.raises(WorkspaceLockedError, match=r"another command by PID \d+.* still holds the workspace"),
              workspace_lock(ws.state_dir, 1.0)):
            pass
        assert time.monotonic() - started >= 1.0
    finally:
        holder.kill()
        holder.join()
    with workspace_lock(ws.state_dir, 1.0):  # released when the holder dies
        pass


def test_timestamps_are_naive_utc(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    row = xa_row("8", "1").replace("2021-03-04 05:06 +0000", "2021-03-04 05:06 +0200")
    ingest(ws, [write(tmp_path / "tz.csv", XA_HEADER + row)])
    assert scalar(ws, "SELECT created_at FROM messages") == dt.datetime(2021, 3, 4, 3, 6)


def test_daily_account_export_spend_and_canonical_values(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    daily = write(tmp_path / "daily_tweet_activity_metrics_acme_20200101_20200201_en.csv",
                  '"Date","Tweets published","impressions","engagements","follows","unfollows"\n'
                  '"2020-01-01","2","1,500.0","5.0","4","1"\n"2020-01-02","0","40.0","1.0","0","-"\n')
    spend = write(tmp_path / "spend.csv", "date,platform,tactic,amount,currency\n2020-01-01,x,contest,100.50,EUR\n"
                  "2020-01-01,x,contest,20,EUR\n2020-01-02,facebook,ads,\"1,200.00\",eur\n")
    canon = write(tmp_path / "m.csv", "message_id,platform,account,created_at,in_reply_to,likes,owned\n"
                  "7,mastodon,@me,2020-01-01 10:00:00,,3,true\n8,mastodon,you,2020-01-01,mastodon:7,,false\n")
    d, s, c = (one(ingest(ws, [p])) for p in (daily, spend, canon))
    assert (d["source"], d["rows_new"], s["source"], s["rows_new"], c["rows_new"]) == (
        "x-analytics-daily", 2, "spend-csv", 3, 2)
    assert query(ws, "SELECT account, posts, impressions, follows, unfollows FROM account_daily ORDER BY date") == [
        ("acme", 2.0, 1500.0, 4.0, 1.0), ("acme", 0.0, 40.0, 0.0, None)]
    assert query(ws, "SELECT metric, gained, lost FROM audience ORDER BY date") == [
        ("followers", 4.0, 1.0), ("followers", 0.0, None)]
    # two lines of the same day and tactic add up; currencies upper-cased
    assert query(ws, "SELECT date, tactic, amount, currency FROM spend ORDER BY date") == [
        (dt.date(2020, 1, 1), "contest", 120.5, "EUR"), (dt.date(2020, 1, 2), "ads", 1200.0, "EUR")]
    assert query(ws, "SELECT message_id, account, owned, time_precision, conversation_id FROM messages "
                     "ORDER BY message_id") == [
        ("mastodon:7", "me", True, "second", "mastodon:7"), ("mastodon:8", "you", False, "day", "mastodon:7")]


def test_raw_folder_keeps_each_imported_file_by_sha256_and_nothing_of_failed_ones(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    good = write(tmp_path / "Good.CSV", XA_HEADER + xa_row("1", "5") + xa_row("2", "6"))
    ingest(ws, [good])
    ingest(ws, [good])  # the same bytes again: still one copy
    digest = hashlib.sha256(good.read_bytes()).hexdigest()
    assert [p.name for p in ws.raw_dir.iterdir()] == [f"{digest}.csv"]
    assert (ws.raw_dir / f"{digest}.csv").read_bytes() == good.read_bytes()
    assert scalar(ws, "SELECT sha256 FROM imports ORDER BY import_id LIMIT 1") == digest
    # a file that fails (truncated), and one rolled back by --strict, leave no copy and no partial file
    broken = tmp_path / "broken.csv"  # not UTF-8 after a UTF-8 character: refused whole
    broken.write_bytes((XA_HEADER + xa_row("5", "5", text="café")).encode() + b"\xff\n")
    with pytest.raises(ImportFileError):
        ingest(ws, [broken])
    bad = write(tmp_path / "bad.csv", TWCS_HEADER + "x,bob,True,never,hi,,\n")
    assert one(ingest(ws, [bad], strict=True))["imported"] is False
    assert [p.name for p in ws.raw_dir.iterdir()] == [f"{digest}.csv"]


def test_iso_8601_timestamps_with_z_and_offsets_are_utc(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    canon = write(tmp_path / "iso.csv", "message_id,platform,account,created_at\n"
                  "1,x,acme,2024-01-02T03:04:05Z\n2,x,acme,2024-01-02T03:04:05.250Z\n"
                  "3,x,acme,2024-01-02T05:04:05+02:00\n4,x,acme,2024-01-02 03:04:05\n")
    assert one(ingest(ws, [canon]))["rows_rejected"] == 0
    at = dt.datetime(2024, 1, 2, 3, 4, 5)
    assert query(ws, "SELECT created_at FROM messages ORDER BY message_id") == [
        (at,), (at + dt.timedelta(milliseconds=250),), (at,), (at,)]


def test_warehouse_held_by_another_program_is_a_clear_error_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace(tmp_path / "ws")
    good = write(tmp_path / "a.csv", XA_HEADER + xa_row("1", "5"))
    ingest(ws, [good])
    before = snapshot(ws)
    holder = subprocess.Popen(  # e.g. a notebook or a DuckDB shell with the file open
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
         "print('ready', flush=True); time.sleep(60)", str(ws.warehouse_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        monkeypatch.setenv("STRATEGYFIRST_LOCK_TIMEOUT", "1")
        new = write(tmp_path / "b.csv", XA_HEADER + xa_row("2", "6"))
        with pytest.raises(WorkspaceLockedError, match=rf"open in another program \(PID {holder.pid}\)"):
            ingest(ws, [new])
        cli = subprocess.run([sys.executable, "-m", "strategyfirst", "ingest", "-w", str(ws.root), str(new)],
                             capture_output=True, text=True, timeout=120, check=False)
        assert cli.returncode == 2
        assert len(cli.stderr.strip().splitlines()) == 1 and "Traceback" not in cli.stderr
        assert "the warehouse is open in another program" in cli.stderr
    finally:
        holder.kill()
        holder.wait()
    assert snapshot(ws) == before
