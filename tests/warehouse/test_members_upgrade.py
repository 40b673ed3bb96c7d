"""A warehouse of schema v7 with member exports in it: the upgrade to v8 records them (`member_exports`,
`member_days`) from their raw copies, as each import would have, so that the newest-export rule, undo and the
one-platform-per-list check see them without a `rebuild`. Expected values worked out with the csv module."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.warehouse.members import PENDING
from strategyfirst.warehouse.migrate import migrate
from strategyfirst.workspace import Workspace
from tests.sources.support import ingest, one, query

pytestmark = pytest.mark.usefixtures("no_derive")

FIXTURES = "newsletter/tryghost-fixtures"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").date()


def _as_v7(ws: Workspace) -> None:
    """The warehouse as schema v7 left it: no record of member exports."""
    con = duckdb.connect(str(ws.warehouse_path))
    try:
        con.execute("DROP TABLE member_exports; DROP TABLE member_days")
        con.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    finally:
        con.close()


def _with_member(src: Path, out: Path, member: dict[str, str]) -> Path:
    with src.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        head, members = list(reader.fieldnames or []), list(reader)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, head, restval="")
        writer.writeheader()
        writer.writerows([*members, member])
    return out


def test_the_upgrade_to_v8_records_member_exports_imported_before(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / FIXTURES
    unsub = folder / "unsubscribed.csv"
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [unsub], account="list1", exported_on="2023-07-01")       # #1
    ingest(ws, [folder / "beehiiv_members.csv"], account="Bee")           # #2
    ws.undo_import(2)                                                     # undone: nothing to record
    ingest(ws, [folder / "beehiiv_members.csv"], account="Bee2")          # #3
    _as_v7(ws)
    con = duckdb.connect(str(ws.warehouse_path))
    try:
        assert migrate(con) == 7
        exports = con.execute("SELECT import_id, platform, account, metric, provider, exported_on, gains, losses "
                              "FROM member_exports ORDER BY import_id").fetchall()
        days = con.execute("SELECT date, value, gained, lost FROM member_days WHERE import_id = 1").fetchall()
        pending = con.execute("SELECT count(*) FROM meta WHERE key = ?", [PENDING]).fetchone()
    finally:
        con.close()
    # beehiiv's snapshot day: its latest time, 2024-03-13 (unsublit's unsubscribed_at).
    assert exports == [(1, "email", "list1", "subscribers_unsubscribed", "mailchimp", dt.date(2023, 7, 1), True, True),
                       (3, "email", "Bee2", "subscribers", "beehiiv", dt.date(2024, 3, 13), True, True)]
    members = _rows(unsub)
    gained = Counter(_day(r["CONFIRM_TIME"] or r["OPTIN_TIME"]) for r in members)
    lost = Counter(_day(r["UNSUB_TIME"]) for r in members)
    assert {d: (v, g, loss) for d, v, g, loss in days} == {
        d: (None, float(gained[d]), float(lost[d])) for d in set(gained) | set(lost)}
    assert pending == (0,)


def test_after_the_upgrade_an_older_export_sees_the_newer_one_and_the_platform_check_too(shared_data: Path,
                                                                                         tmp_path: Path) -> None:
    """unsubscribed.csv downloaded on 2023-07-01 (its last leave 2023-06-06), imported at v7; then, at v8, one
    downloaded on 2023-06-20 listing one more member (m1, joined 2021-03-01, left 2023-06-10, subscribed again
    since). Only the record of the first export's day (2023-07-01) tells that the June one is older: without it
    the stored days (to 2023-06-06) made the June export the newer one, and m1 counted as joined and left."""
    folder = shared_data / FIXTURES
    unsub = folder / "unsubscribed.csv"
    members = _rows(unsub)
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [unsub], account="List1", exported_on="2023-07-01")
    _as_v7(ws)
    june = _with_member(unsub, tmp_path / "unsubscribed_june.csv",
                        {"Email Address": "m1@example.org", "OPTIN_TIME": "2021-03-01 10:00:00",
                         "CONFIRM_TIME": "2021-03-01 10:00:00", "UNSUB_TIME": "2023-06-10 09:00:00"})
    f = one(ingest(ws, [june], account="list1", exported_on="2023-06-20"))   # the upgrade runs first
    assert any(n.startswith("older than the counts stored for this list (they run to 2023-07-01")
               for n in f["notes"])
    # The file's 5 members joined and left once each; m1's days are stored as 0 (no one of the newer export).
    assert query(ws, "SELECT sum(gained), sum(lost) FROM audience") == [(float(len(members)), float(len(members)))]
    assert query(ws, "SELECT gained, lost FROM audience WHERE date = '2023-06-10'") == [(0.0, 0.0)]
    # One spelling stored: the list's first (`List1`).
    assert query(ws, "SELECT DISTINCT account FROM audience") == [("List1",)]
    # The list holds Mailchimp's export (imported at v7): a beehiiv export under it is refused.
    with pytest.raises(ImportFileError, match="already holds a Mailchimp list"):
        ingest(ws, [folder / "beehiiv_members.csv"], account="LIST1")
