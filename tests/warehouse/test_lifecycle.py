"""The life of an import (issue 12.6-12.10): several files with failures among them, re-imports that change
nothing anywhere, accounts and publish times under a second export, and undo.

Expected counts come from the files themselves, read with the standard library's csv module."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import duckdb
import pytest

from strategyfirst.errors import ImportFileError, UsageError
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query, scalar

ROPENSCI = "x-analytics/rOpenSci/tweet_activity_metrics_rOpenSci_"
APRIL_2021 = ROPENSCI + "20210401_20210501_en.csv"
MAY_2018 = ROPENSCI + "20180501_20180601_en.csv"
DATA_TABLES = ("messages", "audience", "spend", "account_daily", "video_daily", "rejects")


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def every_table(ws: Workspace) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent checksum of every table in the warehouse file (canonical, derived,
    the import log and its previous values, meta)."""
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        out = {}
        for name in names:
            row = con.execute(f"SELECT count(*), coalesce(bit_xor(hash(t)), 0) FROM {name} AS t").fetchone()
            assert row is not None
            out[name] = (int(row[0]), int(row[1]))
        return out
    finally:
        con.close()


def data_tables(ws: Workspace) -> dict[str, tuple[int, int]]:
    return {k: v for k, v in every_table(ws).items() if k in DATA_TABLES}


def rewrite(src: Path, dst: Path, change: dict[str, dict[str, str]], keep: int | None = None) -> Path:
    """A copy of a real export (in tmp_path) with some cells changed: {tweet id: {column: value}}."""
    with src.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)[:keep]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, **change.get(row["Tweet id"], {})})
    dst.write_text(buf.getvalue(), encoding="utf-8")
    return dst


# --- 12.8: several files, some failing ------------------------------------------------------------------------
@pytest.mark.usefixtures("no_derive")
def test_several_files_each_its_own_outcome_and_the_others_still_import(shared_data: Path,
                                                                        tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    good1, good2 = shared_data / APRIL_2021, shared_data / "twcs/sample.csv"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    missing = tmp_path / "typo.csv"
    result = ingest(ws, [good1, empty, missing, good2], keep_going=True)
    got = [(Path(f["file"]).name, f["status"]) for f in result.files]
    assert got == [(good1.name, "imported"), ("empty.csv", "failed"), ("typo.csv", "failed"),
                   ("sample.csv", "imported")]
    april, failed_empty, failed_missing, twcs = result.files
    assert (april["source"], april["rows_new"]) == ("x-analytics", len(csv_rows(good1)))
    assert (twcs["source"], twcs["rows_new"]) == ("twcs", len(csv_rows(good2)))
    assert failed_missing["error"].startswith(f"{missing}: no such file")
    assert failed_empty["error"].startswith(str(empty)) and failed_empty["source"] is None
    for f in (failed_empty, failed_missing):  # the documented keys, counts zero, the one-line error
        assert (f["rows_read"], f["rows_new"], f["rejects_file"], f["imported"]) == (0, 0, None, False)
        assert "\n" not in f["error"]
    assert [f["file"] for f in result.failed] == [str(empty), str(missing)]
    assert scalar(ws, "SELECT count(*) FROM messages") == len(csv_rows(good1)) + len(csv_rows(good2))
    assert scalar(ws, "SELECT count(*) FROM imports") == 2


@pytest.mark.usefixtures("no_derive")
def test_without_keep_going_the_first_error_is_raised_after_the_other_files(shared_data: Path,
                                                                            tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFileError) as info:
        ws.ingest([shared_data / APRIL_2021, empty, shared_data / MAY_2018])
    assert str(info.value).startswith(str(empty))
    files = [Path(r[0]).name for r in query(ws, "SELECT file FROM imports ORDER BY import_id")]
    assert files == [Path(APRIL_2021).name, Path(MAY_2018).name]


@pytest.mark.usefixtures("no_derive")
def test_a_folder_imports_every_file_in_it_and_skips_what_is_no_export(shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    (folder / "2018").mkdir(parents=True)
    (folder / ".cache").mkdir()
    april = folder / Path(APRIL_2021).name
    april.write_bytes((shared_data / APRIL_2021).read_bytes())
    may = folder / "2018" / Path(MAY_2018).name
    may.write_bytes((shared_data / MAY_2018).read_bytes())
    (folder / "notes.txt").write_text("what to post next week\n", encoding="utf-8")
    (folder / ".cache" / "x.csv").write_text("junk\n", encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    result = ws.ingest(folder)  # no error: a file of a folder that is no export is skipped, not failed
    got = [(Path(f["file"]).relative_to(folder).as_posix(), f["status"]) for f in result.files]
    assert got == [(f"2018/{may.name}", "imported"), ("notes.txt", "skipped"), (april.name, "imported")]
    assert result.files[1]["error"].startswith(str(folder / "notes.txt"))
    assert scalar(ws, "SELECT count(*) FROM messages") == len(csv_rows(april)) + len(csv_rows(may))
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    with pytest.raises(ImportFileError, match="is an empty folder"):
        ws.ingest(empty)


@pytest.mark.usefixtures("no_derive")
def test_one_path_as_a_string_is_one_file(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    f = one(ws.ingest(str(shared_data / APRIL_2021)))
    assert (f["status"], f["rows_new"]) == ("imported", len(csv_rows(shared_data / APRIL_2021)))
    with pytest.raises(UsageError, match="no file to import"):
        ws.ingest([])


def test_groups_with_their_own_options_import_in_one_go_with_one_refresh(shared_data: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import strategyfirst.warehouse.derive as derive

    calls: list[object] = []
    monkeypatch.setattr(derive, "refresh", lambda con, plan, **kw: calls.append(plan))
    ws = Workspace(tmp_path / "ws")
    totals = shared_data / "youtube-studio/priyankapatel05/Totals.csv"
    april, twcs = shared_data / APRIL_2021, shared_data / "twcs/sample.csv"
    result = ws.ingest_groups([([april, twcs], {}), ([totals], {"account": "@priya"})])
    assert [(Path(f["file"]).name, f["status"]) for f in result.files] == [
        (april.name, "imported"), ("sample.csv", "imported"), ("Totals.csv", "imported")]
    assert len(calls) == 1  # the derived tables once for the three files, not once per group
    assert query(ws, "SELECT DISTINCT account FROM account_daily") == [("priya",)]
    options = [r[0] for r in query(ws, "SELECT json_extract_string(options, '$.account') FROM imports "
                                       "ORDER BY import_id")]
    assert options == [None, None, "priya"]
    assert scalar(ws, "SELECT count(*) FROM messages") == len(csv_rows(april)) + len(csv_rows(twcs))
    with pytest.raises(UsageError, match="unknown import option 'acount'"):
        ws.ingest_groups([([april], {"acount": "x"})])


# --- 12.9: re-import changes nothing anywhere ---------------------------------------------------------------
def test_reimport_leaves_every_table_and_the_data_quality_counts_as_they_were(shared_data: Path,
                                                                              tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    april = shared_data / APRIL_2021
    ids = [r["Tweet id"] for r in csv_rows(april)]
    # a copy of a real export with one unreadable impressions cell: one reject at line 3 (header is line 1)
    bad = rewrite(april, tmp_path / "april-bad.csv", {ids[1]: {"impressions": "lots"}})
    twcs = shared_data / "twcs/sample.csv"
    first = ingest(ws, [april, twcs])
    assert [f["status"] for f in first.files] == ["imported", "imported"]
    with_bad = one(ingest(ws, [bad]))
    assert (with_bad["rows_rejected"], with_bad["rows_duplicate"]) == (1, len(ids) - 1)
    quality = ws.measure(metrics=["posts"]).data_quality
    assert quality["rows_rejected"] == 1
    before = every_table(ws)
    assert before["rejects"][0] == 1 and before["imports"][0] == 3
    again = ingest(ws, [april, twcs, bad])
    for f, was in zip(again.files, [*first.files, with_bad], strict=True):
        assert f["status"] == "already imported" and f["already_imported_as"] == was["import_id"]
        assert (f["rows_read"], f["rows_new"], f["rows_updated"]) == (was["rows_read"], 0, 0)
        assert f["rows_duplicate"] == was["rows_read"] - was["rows_rejected"]
    renamed = tmp_path / "same bytes, other name.csv"
    renamed.write_bytes(bad.read_bytes())
    assert one(ingest(ws, [renamed]))["already_imported_as"] == with_bad["import_id"]
    assert every_table(ws) == before
    assert ws.measure(metrics=["posts"]).data_quality == quality
    assert len(list(ws.raw_dir.iterdir())) == 3


# --- 12.6: the account is a property of a message ------------------------------------------------------------
@pytest.mark.usefixtures("no_derive")
def test_the_same_posts_with_another_account_are_updated_not_duplicated(shared_data: Path,
                                                                        tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    april = shared_data / APRIL_2021
    n = len(csv_rows(april))
    first = one(ingest(ws, [april], account="wrong_handle"))
    assert first["rows_new"] == n
    assert query(ws, "SELECT DISTINCT account FROM messages") == [("wrong_handle",)]
    second = one(ingest(ws, [april], account="@rOpenSci"))  # same bytes, other options: imported again
    assert (second["status"], second["rows_new"], second["rows_updated"]) == ("imported", 0, n)
    assert scalar(ws, "SELECT count(*) FROM messages") == n
    assert query(ws, "SELECT DISTINCT account FROM messages") == [("rOpenSci",)]
    # and that import can be taken back: the first account returns
    ws.undo_import(second["import_id"])
    assert query(ws, "SELECT DISTINCT account FROM messages") == [("wrong_handle",)]


@pytest.mark.usefixtures("no_derive")
def test_daily_totals_imported_again_with_another_account_move_to_it(shared_data: Path, tmp_path: Path) -> None:
    # YouTube Totals.csv names no account: imported with a wrong --account, then again with the right one
    ws = Workspace(tmp_path / "ws")
    totals = shared_data / "youtube-studio/priyankapatel05/Totals.csv"
    days = len(csv_rows(totals))
    assert one(ingest(ws, [totals], account="wrong"))["rows_new"] == days
    f = one(ingest(ws, [totals], account="right"))
    assert (f["rows_new"], f["rows_updated"]) == (0, days)
    assert query(ws, "SELECT account, count(*) FROM account_daily GROUP BY ALL") == [("right", days)]
    ws.undo_import(f["import_id"])
    assert query(ws, "SELECT account, count(*) FROM account_daily GROUP BY ALL") == [("wrong", days)]


# --- 12.7: publish times stay, lifetime figures only grow ----------------------------------------------------
CANON = "message_id,platform,account,created_at,impressions,likes\n"


def test_a_second_export_never_moves_the_publish_time_but_may_refine_it(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    first = tmp_path / "posts.csv"
    first.write_text(CANON + "1,facebook,page,2020-01-01 10:00:00,100,5\n"
                     "2,facebook,page,2020-01-05,50,1\n"            # a day only
                     "3,facebook,page,2020-01-05,70,2\n", encoding="utf-8")
    video = tmp_path / "video posts.csv"
    video.write_text(CANON + "1,facebook,page,2020-01-01 12:30:00,180,4\n"  # moved by 2.5 h: kept
                     "2,facebook,page,2020-01-05 08:15:00,50,1\n"   # a time within that day: refines it
                     "3,facebook,page,2020-01-07 08:15:00,60,2\n", encoding="utf-8")  # another day: kept
    ingest(ws, [first])
    f = one(ingest(ws, [video]))
    assert (f["rows_updated"], f["rows_duplicate"], f["rows_lower_figures"]) == (2, 1, 2)
    assert query(ws, "SELECT message_id, created_at, time_precision, impressions, likes FROM messages "
                     "ORDER BY message_id") == [
        ("facebook:1", dt.datetime(2020, 1, 1, 10), "second", 180.0, 5.0),   # impressions grew, likes kept
        ("facebook:2", dt.datetime(2020, 1, 5, 8, 15), "second", 50.0, 1.0),
        ("facebook:3", dt.datetime(2020, 1, 5), "day", 70.0, 2.0)]           # lower figures: larger kept
    assert scalar(ws, "SELECT rows_lower_figures FROM imports WHERE import_id = ?", [f["import_id"]]) == 2
    # data.md: two exports that disagree keep the larger, "and count the disagreement in data quality"
    assert ws.measure(metrics=["posts"]).data_quality["lifetime_figure_disagreements"] == 2
    ingest(ws, [video])  # the same file again: already imported, the count stays
    assert ws.measure(metrics=["posts"]).data_quality["lifetime_figure_disagreements"] == 2


# --- 12.10: undo ----------------------------------------------------------------------------------------------
@pytest.mark.usefixtures("no_derive")
def test_undo_restores_what_an_import_updated_and_removes_what_it_added(shared_data: Path,
                                                                        tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    april = shared_data / APRIL_2021
    rows = csv_rows(april)
    ids = [r["Tweet id"] for r in rows]
    a = one(ingest(ws, [april]))
    after_a = data_tables(ws)
    # a later export of the first 5 tweets: two with more impressions (updated), three unchanged
    raised = {ids[0]: {"impressions": str(float(rows[0]["impressions"]) + 10)},
              ids[1]: {"impressions": str(float(rows[1]["impressions"]) + 7)}}
    later = rewrite(april, tmp_path / "later.csv", raised, keep=5)
    b = one(ingest(ws, [later]))
    assert (b["rows_updated"], b["rows_duplicate"]) == (2, 3)
    assert scalar(ws, "SELECT impressions FROM messages WHERE message_id = ?", [f"x:{ids[0]}"]) == \
        float(rows[0]["impressions"]) + 10
    assert scalar(ws, "SELECT count(*) FROM prev_messages") == 2  # only updated rows are kept for undo
    with pytest.raises(UsageError) as refused:
        ws.undo_import(a["import_id"])
    assert str(refused.value) == (f"import #{a['import_id']} ({april.name}) cannot be undone: import "
                                  f"#{b['import_id']} (later.csv) later changed rows it wrote; undo "
                                  f"#{b['import_id']} first, then #{a['import_id']}")
    undone = ws.undo_import(b["import_id"])
    assert (undone["rows_removed"], undone["rows_restored"]) == (0, 2)
    assert data_tables(ws) == after_a
    assert scalar(ws, "SELECT count(*) FROM prev_messages") == 0
    gone = ws.undo_import(a["import_id"])
    assert (gone["rows_removed"], gone["rows_restored"]) == (len(rows), 0)
    assert scalar(ws, "SELECT count(*) FROM messages") == 0
    log = {r["import_id"]: r for r in ws.imports()}
    assert all(log[i]["undone_at"] and log[i]["undone_by"] for i in (a["import_id"], b["import_id"]))
    with pytest.raises(UsageError, match="already undone"):
        ws.undo_import(a["import_id"])
    with pytest.raises(UsageError, match="there is no import #99"):
        ws.undo_import(99)
    # an undone import is no longer "already imported": the file imports again
    again = one(ingest(ws, [april]))
    assert (again["status"], again["rows_new"]) == ("imported", len(rows))


X_DAILY = '"Date","Tweets published","impressions","engagements","follows","unfollows"\n'


@pytest.mark.usefixtures("no_derive")
def test_undo_of_daily_totals_audience_and_spend(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    name = "daily_tweet_activity_metrics_acme_20200101_20200201_en.csv"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    d1 = tmp_path / "a" / name
    d1.write_text(X_DAILY + '"2020-01-01","2","100.0","5.0","4","1"\n"2020-01-02","1","40.0","1.0","0","0"\n',
                  encoding="utf-8")
    d2 = tmp_path / "b" / name
    d2.write_text(X_DAILY + '"2020-01-02","1","45.0","2.0","3","0"\n"2020-01-03","0","9.0","0.0","1","0"\n',
                  encoding="utf-8")
    s1 = tmp_path / "spend1.csv"
    s1.write_text("date,platform,tactic,amount,currency\n2020-01-01,x,contest,100,EUR\n", encoding="utf-8")
    s2 = tmp_path / "spend2.csv"
    s2.write_text("date,platform,tactic,amount,currency\n2020-01-01,x,contest,120,EUR\n"
                  "2020-01-02,x,contest,5,EUR\n", encoding="utf-8")
    ingest(ws, [d1, s1])
    before = data_tables(ws)
    second = ingest(ws, [d2, s2])
    assert [(f["rows_new"], f["rows_updated"]) for f in second.files] == [(1, 1), (1, 1)]
    assert query(ws, "SELECT date, impressions, follows FROM account_daily ORDER BY date")[1] == (
        dt.date(2020, 1, 2), 45.0, 3.0)
    for f in reversed(second.files):
        ws.undo_import(f["import_id"])
    assert data_tables(ws) == before
    assert query(ws, "SELECT date, impressions, follows FROM account_daily ORDER BY date") == [
        (dt.date(2020, 1, 1), 100.0, 4.0), (dt.date(2020, 1, 2), 40.0, 0.0)]
    assert query(ws, "SELECT amount FROM spend") == [(100.0,)]


def test_undo_rebuilds_derived_tables_and_data_quality(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    twcs = shared_data / "twcs/sample.csv"
    april = shared_data / APRIL_2021
    ids = [r["Tweet id"] for r in csv_rows(april)]
    bad = rewrite(april, tmp_path / "april-bad.csv", {ids[0]: {"time": "yesterday"}})
    ingest(ws, [twcs])
    quality = ws.measure(metrics=["posts"]).data_quality
    inbound = every_table(ws)["inbound"]
    f = one(ingest(ws, [bad]))
    assert f["rows_rejected"] == 1 and ws.measure(metrics=["posts"]).data_quality["rows_rejected"] == 1
    ws.undo_import(f["import_id"])
    assert ws.measure(metrics=["posts"]).data_quality == quality
    assert every_table(ws)["inbound"] == inbound
    assert scalar(ws, "SELECT count(*) FROM rejects") == 0
    twcs_import = query(ws, "SELECT import_id FROM imports WHERE undone_at IS NULL")[0][0]
    ws.undo_import(twcs_import)
    assert every_table(ws)["inbound"][0] == 0  # the derived tables follow the data
