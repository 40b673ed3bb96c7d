"""Member exports (issue 15): `mailchimp-members`, `newsletter-subscribers` on the real anonymised files.

Expected counts are worked out here with the csv module and datetime (not read back from the code); the privacy
test searches every table, the rejects files, every file of the workspace but the raw copies, and the command's
output for the addresses and names of the files.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from strategyfirst.errors import ImportFileError
from strategyfirst.workspace import Workspace
from tests.cli.support import run
from tests.sources.support import earlier_mailchimp_export, ingest, one, query, scalar, snapshot

pytestmark = pytest.mark.usefixtures("no_derive")

FIXTURES = "newsletter/tryghost-fixtures"
MAILCHIMP = {"subscribed.csv": None, "unsubscribed.csv": "UNSUB_TIME", "cleaned.csv": "CLEAN_TIME"}
METRIC = {"subscribed.csv": "subscribers", "unsubscribed.csv": "subscribers_unsubscribed",
          "cleaned.csv": "subscribers_cleaned"}
SUBSTACK_SIGNUP = "substack_signup_emails.csv"
SUBSTACK_PAID = "substack_subscriber_emails.csv"
BEEHIIV = "beehiiv_members.csv"
MEMBER_FILES = (*MAILCHIMP, SUBSTACK_SIGNUP, SUBSTACK_PAID, BEEHIIV)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def mc_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")


def series(ws: Workspace, account: str, metric: str) -> dict[dt.date, tuple[object, object, object]]:
    got = query(ws, "SELECT date, value, gained, lost FROM audience WHERE platform = 'email' AND account = ? "
                    "AND metric = ?", [account, metric])
    return {d: (v, g, lost) for d, v, g, lost in got}


def test_mailchimp_counts_per_day_and_snapshot(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    folder = shared_data / FIXTURES
    result = ingest(ws, [folder / name for name in MAILCHIMP], account="Members letter")
    assert {f["source"] for f in result.files} == {"mailchimp-members"}
    assert all(f["rows_rejected"] == 0 for f in result.files)
    for name, left_col in MAILCHIMP.items():
        members = rows(folder / name)
        gained = Counter(mc_time(r["CONFIRM_TIME"] or r["OPTIN_TIME"]).date() for r in members)
        lost = Counter(mc_time(r[left_col]).date() for r in members) if left_col else Counter()
        times = [mc_time(r[c]) for r in members for c in ("OPTIN_TIME", "CONFIRM_TIME", "LAST_CHANGED",
                                                           left_col or "") if r.get(c, "").strip()]
        snap_day = max(times).date()
        expected = {d: (float(len(members)) if name == "subscribed.csv" and d == snap_day else None,
                        float(gained[d]), float(lost[d]) if left_col else None)
                    for d in set(gained) | set(lost) | ({snap_day} if name == "subscribed.csv" else set())}
        assert series(ws, "Members letter", METRIC[name]) == expected, name
    # By hand: 15 members joined, 5 unsubscribed and 5 were cleaned; the 5 left are the subscribed export.
    assert query(ws, "SELECT sum(gained), sum(lost) FROM audience") == [(15.0, 10.0)]
    assert query(ws, "SELECT date, value FROM audience WHERE value IS NOT NULL") == [(dt.date(2023, 4, 21), 5.0)]
    # Two members of the subscribed export joined on 2018-02-05 (19:28:22 and 19:28:23).
    assert series(ws, "Members letter", "subscribers")[dt.date(2018, 2, 5)] == (None, 2.0, None)


def test_mailchimp_list_from_the_file_name_else_refused(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    src = shared_data / FIXTURES / "subscribed.csv"
    with pytest.raises(ImportFileError) as refused:
        ingest(ws, [src])
    assert "pass --account" in str(refused.value) and "subscribed.csv:1:1" in str(refused.value)
    assert snapshot(ws).get("audience", (0, 0))[0] == 0
    named = tmp_path / "subscribed_members_export_3f2a1b9c0d.csv"
    shutil.copy(src, named)
    assert one(ingest(ws, [named]))["rows_rejected"] == 0
    assert query(ws, "SELECT DISTINCT account FROM audience") == [("3f2a1b9c0d",)]


def test_beehiiv_gains_except_pending_losses_and_active_size(shared_data: Path, tmp_path: Path) -> None:
    """Gains by created_at (not pending), losses by unsubscribed_at, and the members no longer subscribed whose
    leaving beehiiv does not date (inactive, no unsubscribed_at) lost on the export day: gains - losses = size."""
    ws = Workspace(tmp_path)
    path = shared_data / FIXTURES / BEEHIIV
    f = one(ingest(ws, [path], account="Bee"))
    assert (f["source"], f["rows_rejected"]) == ("newsletter-subscribers", 0)
    members = rows(path)

    def t(text: str) -> dt.datetime:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S UTC")

    counted = [r for r in members if r["status"] != "pending"]
    gained = Counter(t(r["created_at"]).date() for r in counted)
    snap_day = max([t(r["created_at"]) for r in members]
                   + [t(r["unsubscribed_at"]) for r in members if r["unsubscribed_at"].strip()]).date()
    lost = Counter(t(r["unsubscribed_at"]).date() if r["unsubscribed_at"].strip() else snap_day
                   for r in counted if r["status"] != "active" or r["unsubscribed_at"].strip())
    size = sum(r["status"] == "active" and not r["unsubscribed_at"].strip() for r in members)
    # By hand: 9 members; amett is pending (not counted); lorem, ipsum, elit, nullfirst and fromsubstack are
    # active (the size, 5); unsublit unsubscribed on 2024-03-13 (the latest time: the export day); dolor and
    # simet are inactive without a date: lost on the export day. 8 gained - 3 lost = 5.
    assert (gained, lost, size, snap_day) == (Counter({dt.date(2023, 3, 24): 4, dt.date(2023, 4, 11): 4}),
                                              Counter({dt.date(2024, 3, 13): 3}), 5, dt.date(2024, 3, 13))
    expected = {d: (float(size) if d == snap_day else None, float(gained[d]), float(lost[d]))
                for d in set(gained) | set(lost) | {snap_day}}
    assert series(ws, "Bee", "subscribers") == expected
    assert ("2 members left without a date (neither active nor pending, no unsubscribed_at): counted as lost on "
            "2024-03-13, the export day, the latest they can have left on") in f["notes"]
    # On another export day the two undated leaves move there; the dated one stays on its day.
    ws = Workspace(tmp_path / "given")
    one(ingest(ws, [path], account="Bee", exported_on="2024-04-01"))
    assert series(ws, "Bee", "subscribers") == {dt.date(2023, 3, 24): (None, 4.0, 0.0),
                                                dt.date(2023, 4, 11): (None, 4.0, 0.0),
                                                dt.date(2024, 3, 13): (None, 0.0, 1.0),
                                                dt.date(2024, 4, 1): (5.0, 0.0, 2.0)}


def test_substack_signups_and_the_variant_without_created_at(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    signup, paid = shared_data / FIXTURES / SUBSTACK_SIGNUP, shared_data / FIXTURES / SUBSTACK_PAID
    ingest(ws, [signup], account="Letter")
    members = rows(signup)
    created = [dt.datetime.strptime(r["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ") for r in members]
    gained = Counter(c.date() for c in created)
    snap_day = max(created).date()
    expected = {d: (float(len(members)) if d == snap_day else None, float(gained[d]), None) for d in gained}
    assert series(ws, "Letter", "subscribers") == expected
    assert len(members) == 21 and gained[dt.date(2018, 8, 27)] == 6  # by hand
    # No created_at: the size only, on the day the file was last modified.
    before = series(ws, "Letter", "subscribers")
    f = one(ingest(ws, [paid], account="Letter"))
    assert (f["rows_new"], f["rows_rejected"]) == (1, 0)
    day = dt.datetime.fromtimestamp(paid.stat().st_mtime, dt.UTC).date()
    assert series(ws, "Letter", "subscribers") == {**before, day: (float(len(rows(paid))), None, None)}
    with pytest.raises(ImportFileError, match="pass --account"):
        ingest(ws, [paid])


def test_reimport_changes_nothing_and_a_newer_export_moves_a_leaver(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    folder = shared_data / FIXTURES
    sub, unsub = folder / "subscribed.csv", folder / "unsubscribed.csv"
    ingest(ws, [sub, unsub], account="L")
    before = snapshot(ws)["audience"]
    # The same members in another order (other bytes, so not skipped as the same file): nothing changes.
    lines = sub.read_text(encoding="utf-8").splitlines(keepends=True)
    reordered = tmp_path / "subscribed-again.csv"
    reordered.write_text(lines[0] + "".join(reversed(lines[1:])), encoding="utf-8")
    f = one(ingest(ws, [reordered], account="L"))
    assert (f["rows_new"], f["rows_updated"], f["rows_duplicate"]) == (0, 0, f["rows_read"])
    assert snapshot(ws)["audience"] == before
    # A month later s1 (the only member who joined on 2023-04-21) has unsubscribed; s2 changed on 2023-05-20.
    newer_sub = tmp_path / "subscribed_later.csv"
    kept = [line for line in lines[1:] if not line.startswith("s1@")]
    kept = [line.replace(",,,,,,,,,,,,", ",,,,,,,,,2023-05-20 09:00:00,,,", 1) if line.startswith("s2@") else line
            for line in kept]
    newer_sub.write_text(lines[0] + "".join(kept), encoding="utf-8")
    s1 = next(line for line in lines if line.startswith("s1@")).rstrip("\n").split(",")
    head = unsub.read_text(encoding="utf-8").splitlines()[0].split(",")
    moved = dict.fromkeys(head, "")
    moved.update({"Email Address": s1[0], "OPTIN_TIME": s1[7], "CONFIRM_TIME": s1[9],
                  "UNSUB_TIME": "2023-05-10 08:00:00"})
    newer_unsub = tmp_path / "unsubscribed_later.csv"
    newer_unsub.write_text(unsub.read_text(encoding="utf-8") + ",".join(moved[h] for h in head) + "\n",
                           encoding="utf-8")
    ingest(ws, [newer_sub, newer_unsub], account="L")
    subscribed = series(ws, "L", "subscribers")
    assert subscribed[dt.date(2023, 4, 21)] == (5.0, 0.0, None)   # s1's gain left this series
    assert subscribed[dt.date(2023, 5, 20)] == (4.0, 0.0, None)   # the newer snapshot: 4 members
    left = series(ws, "L", "subscribers_unsubscribed")
    assert left[dt.date(2023, 4, 21)] == (None, 1.0, 0.0) and left[dt.date(2023, 5, 10)] == (None, 0.0, 1.0)
    # Still 10 gains (5 + 5 members) and 6 losses: 4 subscribers now.
    assert query(ws, "SELECT sum(gained), sum(lost) FROM audience") == [(10.0, 6.0)]


def test_an_older_unsubscribed_export_after_a_newer_one_changes_no_count(shared_data: Path,
                                                                         tmp_path: Path) -> None:
    """The tester's case: unsubscribed.csv downloaded on 2023-07-01, then the export of 2021-01-01 (only the two
    members who had left by then) must not take back the gains of the three who left after."""
    unsub = shared_data / FIXTURES / "unsubscribed.csv"
    # By hand from unsubscribed.csv: joined 2018-02-05 (u4, u5), 2018-02-12 (u1, u2), 2020-12-25 (u3); left
    # 2018-07-23 (u1), 2020-05-13 (u4), 2021-09-20 (u5), 2022-12-05 (u3), 2023-06-06 (u2).
    day = dt.date
    full = {day(2018, 2, 5): (None, 2.0, 0.0), day(2018, 2, 12): (None, 2.0, 0.0), day(2018, 7, 23): (None, 0.0, 1.0),
            day(2020, 5, 13): (None, 0.0, 1.0), day(2020, 12, 25): (None, 1.0, 0.0), day(2021, 9, 20): (None, 0.0, 1.0),
            day(2022, 12, 5): (None, 0.0, 1.0), day(2023, 6, 6): (None, 0.0, 1.0)}
    old = earlier_mailchimp_export(unsub, tmp_path / "unsubscribed_2021.csv", ("u1@", "u4@"))
    ws = Workspace(tmp_path / "newer-first")
    ingest(ws, [unsub], account="list1", exported_on="2023-07-01")
    assert series(ws, "list1", "subscribers_unsubscribed") == full
    f = one(ingest(ws, [old], account="list1", exported_on="2021-01-01"))
    assert series(ws, "list1", "subscribers_unsubscribed") == full   # still 5 gained, 5 lost: growth 0
    assert query(ws, "SELECT sum(gained), sum(lost) FROM audience") == [(5.0, 5.0)]
    # Its 4 days and the stored 2020-12-25 (up to its day, without a member in it): all as stored.
    assert (f["rows_new"], f["rows_updated"], f["rows_duplicate"]) == (0, 0, 5)
    # The stored export's day (--exported-on 2023-07-01), not its last leave (2023-06-06).
    assert any(n.startswith("older than the counts stored for this list (they run to 2023-07-01, the day of the "
                            "newest export stored)") for n in f["notes"])
    # The other way round the newer export replaces the older one's counts, as before.
    ws = Workspace(tmp_path / "older-first")
    f = one(ingest(ws, [old], account="list1", exported_on="2021-01-01"))
    assert not any(n.startswith("older than") for n in f["notes"])
    assert series(ws, "list1", "subscribers_unsubscribed") == {
        day(2018, 2, 5): (None, 1.0, 0.0), day(2018, 2, 12): (None, 1.0, 0.0), day(2018, 7, 23): (None, 0.0, 1.0),
        day(2020, 5, 13): (None, 0.0, 1.0)}
    ingest(ws, [unsub], account="list1", exported_on="2023-07-01")
    assert series(ws, "list1", "subscribers_unsubscribed") == full


def test_an_older_subscribed_export_adds_only_its_size_and_either_order_ends_alike(shared_data: Path,
                                                                                 tmp_path: Path) -> None:
    """subscribed.csv downloaded on 2023-07-01 and the subscribed export of 2021-01-01, which also lists u2, u3
    and u5 (subscribed then, unsubscribed since): their gains belong to the unsubscribed series now."""
    folder = shared_data / FIXTURES
    sub = folder / "subscribed.csv"
    left_since = [r for r in rows(folder / "unsubscribed.csv") if r["Email Address"][:3] in ("u2@", "u3@", "u5@")]
    old = earlier_mailchimp_export(sub, tmp_path / "subscribed_2021.csv", ("s2@", "s3@", "s4@", "s5@"), left_since)
    day = dt.date
    # By hand. subscribed.csv: joined 2018-02-05 (s4, s5), 2018-02-12 (s2, s3), 2023-04-21 (s1); 5 members.
    newer = {day(2018, 2, 5): (None, 2.0, None), day(2018, 2, 12): (None, 2.0, None),
             day(2023, 4, 21): (None, 1.0, None), day(2023, 7, 1): (5.0, 0.0, None)}
    # The 2021 export: 2018-02-05 (s4, s5, u5), 2018-02-12 (s2, s3, u2), 2020-12-25 (u3); 7 members.
    older = {day(2018, 2, 5): (None, 3.0, None), day(2018, 2, 12): (None, 3.0, None),
             day(2020, 12, 25): (None, 1.0, None), day(2021, 1, 1): (7.0, 0.0, None)}
    # Both: the newer export's gains (u3's day set to 0), and the size of each export on its day.
    both = {**newer, day(2020, 12, 25): (None, 0.0, None), day(2021, 1, 1): (7.0, 0.0, None)}
    ws = Workspace(tmp_path / "older-first")
    ingest(ws, [old], account="list1", exported_on="2021-01-01")
    assert series(ws, "list1", "subscribers") == older
    ingest(ws, [sub], account="list1", exported_on="2023-07-01")   # newer: resets u2, u3, u5's gains as before
    assert series(ws, "list1", "subscribers") == both
    ws = Workspace(tmp_path / "newer-first")
    ingest(ws, [sub], account="list1", exported_on="2023-07-01")
    assert series(ws, "list1", "subscribers") == newer
    f = one(ingest(ws, [old], account="list1", exported_on="2021-01-01"))
    assert series(ws, "list1", "subscribers") == both   # gained still 5 (was 8 before the fix), size 5
    # 2018-02-05 and 2018-02-12 as stored; 2020-12-25 (0) and 2021-01-01 (7 members) added.
    assert (f["rows_new"], f["rows_updated"], f["rows_duplicate"]) == (2, 0, 2)
    assert query(ws, "SELECT sum(gained), max_by(value, date) FROM audience") == [(5.0, 5.0)]


def _with_member(src: Path, out: Path, member: dict[str, str]) -> Path:
    """`src` (a Mailchimp export) with one more member (cells by header name, the others empty)."""
    with src.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        head, members = list(reader.fieldnames or []), list(reader)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, head, restval="")
        writer.writeheader()
        writer.writerows([*members, member])
    return out


def test_an_older_export_dated_after_the_newer_ones_last_leave_changes_no_count(shared_data: Path,
                                                                                tmp_path: Path) -> None:
    """unsubscribed.csv downloaded on 2023-07-01 (its last leave 2023-06-06), then one downloaded on 2023-06-20:
    the same five members and m1, who unsubscribed on 2023-06-10 and had subscribed again by 2023-07-01 (so the
    newer export no longer lists him). The export of 2023-06-20 is the older one: it changes no count."""
    unsub = shared_data / FIXTURES / "unsubscribed.csv"
    day = dt.date
    # By hand from unsubscribed.csv (as in the test above): 5 joined, 5 left, on these days.
    full = {day(2018, 2, 5): (None, 2.0, 0.0), day(2018, 2, 12): (None, 2.0, 0.0), day(2018, 7, 23): (None, 0.0, 1.0),
            day(2020, 5, 13): (None, 0.0, 1.0), day(2020, 12, 25): (None, 1.0, 0.0), day(2021, 9, 20): (None, 0.0, 1.0),
            day(2022, 12, 5): (None, 0.0, 1.0), day(2023, 6, 6): (None, 0.0, 1.0)}
    june = _with_member(unsub, tmp_path / "unsubscribed_june.csv",
                        {"Email Address": "m1@example.org", "OPTIN_TIME": "2021-03-01 10:00:00",
                         "CONFIRM_TIME": "2021-03-01 10:00:00", "UNSUB_TIME": "2023-06-10 09:00:00"})
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [unsub], account="list1", exported_on="2023-07-01")
    f = one(ingest(ws, [june], account="list1", exported_on="2023-06-20"))
    # m1's two days were stored for no one: 0, as the newer export would set them. Before the fix the June
    # export counted as newer (2023-06-20 after 2023-06-06) and m1 joined and left here: 6 gained, 6 lost.
    assert series(ws, "list1", "subscribers_unsubscribed") == {
        **full, day(2021, 3, 1): (None, 0.0, 0.0), day(2023, 6, 10): (None, 0.0, 0.0)}
    assert query(ws, "SELECT sum(gained), sum(lost) FROM audience") == [(5.0, 5.0)]
    assert (f["rows_new"], f["rows_updated"], f["rows_duplicate"]) == (2, 0, 8)
    assert any(n.startswith("older than the counts stored for this list (they run to 2023-07-01") for n in f["notes"])


def test_undoing_the_newer_export_counts_the_older_one_again(shared_data: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """Undo of the newer export after an older one was imported: the warehouse as if the newer one had never
    been imported (the older export's counts, which it did not write while the newer one stood)."""
    folder = shared_data / FIXTURES
    sub, unsub = folder / "subscribed.csv", folder / "unsubscribed.csv"
    left_since = [r for r in rows(unsub) if r["Email Address"][:3] in ("u2@", "u3@", "u5@")]
    old_sub = earlier_mailchimp_export(sub, tmp_path / "subscribed_2021.csv", ("s2@", "s3@", "s4@", "s5@"), left_since)
    old_unsub = earlier_mailchimp_export(unsub, tmp_path / "unsubscribed_2021.csv", ("u1@", "u4@"))
    day = dt.date
    # By hand (as in the tests above). The 2021 subscribed export alone: s4, s5, u5 joined 2018-02-05; s2, s3,
    # u2 2018-02-12; u3 2020-12-25; 7 members on 2021-01-01.
    older_sub = {day(2018, 2, 5): (None, 3.0, None), day(2018, 2, 12): (None, 3.0, None),
                 day(2020, 12, 25): (None, 1.0, None), day(2021, 1, 1): (7.0, 0.0, None)}
    # The 2021 unsubscribed export alone: u4 joined 2018-02-05 and left 2020-05-13; u1 joined 2018-02-12 and
    # left 2018-07-23.
    older_unsub = {day(2018, 2, 5): (None, 1.0, 0.0), day(2018, 2, 12): (None, 1.0, 0.0),
                   day(2018, 7, 23): (None, 0.0, 1.0), day(2020, 5, 13): (None, 0.0, 1.0)}
    ws_dir = tmp_path / "ws"
    ws = Workspace(ws_dir)
    ingest(ws, [sub, unsub], account="list1", exported_on="2023-07-01")            # #1, #2
    ingest(ws, [old_sub, old_unsub], account="list1", exported_on="2021-01-01")    # #3, #4
    assert query(ws, "SELECT sum(gained), sum(lost) FROM audience") == [(10.0, 5.0)]  # the newer exports' counts
    code, out, err = run(["imports", "undo", "1", "-w", str(ws_dir)], monkeypatch, capsys)
    assert code == 0, err
    assert "import #3 (subscribed_2021.csv) counted again" in out
    assert series(ws, "list1", "subscribers") == older_sub
    code, out, err = run(["imports", "undo", "2", "-w", str(ws_dir), "--format", "json"], monkeypatch, capsys)
    assert code == 0, err
    assert [(r["import_id"], r["file"]) for r in json.loads(out)["recounted"]] == [(4, "unsubscribed_2021.csv")]
    assert series(ws, "list1", "subscribers_unsubscribed") == older_unsub
    # The same rows as a workspace that only ever had the 2021 exports, and as a rebuild from raw/.
    alone = Workspace(tmp_path / "alone")
    ingest(alone, [old_sub, old_unsub], account="list1", exported_on="2021-01-01")
    stored = "SELECT date, metric, value, gained, lost FROM audience ORDER BY metric, date"
    assert query(ws, stored) == query(alone, stored)
    code, _, err = run(["rebuild", "-w", str(ws_dir)], monkeypatch, capsys)
    assert code == 0, err
    assert query(ws, stored) == query(alone, stored)
    # Each 2021 export can still be undone on its own: nothing left.
    for import_id in (4, 3):
        ws.undo_import(import_id)
    assert query(ws, "SELECT count(*) FROM audience") == [(0,)]


def test_undoing_the_older_export_after_the_newer_one_leaves_the_newer_counts(shared_data: Path,
                                                                              tmp_path: Path) -> None:
    folder = shared_data / FIXTURES
    sub = folder / "subscribed.csv"
    old = earlier_mailchimp_export(sub, tmp_path / "subscribed_2021.csv", ("s2@", "s3@", "s4@", "s5@"))
    ws = Workspace(tmp_path / "ws")
    ingest(ws, [sub], account="list1", exported_on="2023-07-01")
    before = query(ws, "SELECT * FROM audience ORDER BY date")
    ingest(ws, [old], account="list1", exported_on="2021-01-01")
    summary = ws.undo_import(2)
    assert summary["recounted"] == []
    assert query(ws, "SELECT * FROM audience ORDER BY date") == before


def test_another_platforms_list_under_the_same_account_is_refused(shared_data: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = shared_data / FIXTURES
    ws_dir = tmp_path / "ws"
    code, _, err = run(["ingest", "-w", str(ws_dir), "--account", "Letter", str(folder / "subscribed.csv")],
                       monkeypatch, capsys)
    assert code == 0, err
    ws = Workspace(ws_dir)
    before = snapshot(ws)
    # beehiiv under the same account (as measure groups it: case does not matter): one line, nothing stored.
    code, out, err = run(["ingest", "-w", str(ws_dir), "--account", "letter", str(folder / BEEHIIV)],
                         monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert ("account 'Letter' already holds a Mailchimp list (import #1, subscribed.csv) and this is a beehiiv "
            "export") in err
    assert '--account "letter (beehiiv)"' in err and "strategyfirst imports undo 1" in err
    assert snapshot(ws) == before
    # Substack likewise; the same platform's other exports are welcome.
    with pytest.raises(ImportFileError, match=r"holds a Mailchimp list .* this is a Substack export"):
        ingest(ws, [folder / SUBSTACK_SIGNUP], account="Letter")
    assert one(ingest(ws, [folder / "unsubscribed.csv"], account="Letter"))["status"] == "imported"
    # Under its own account it imports; once the Mailchimp imports are undone, the account is free.
    assert one(ingest(ws, [folder / BEEHIIV], account="Letter (beehiiv)"))["status"] == "imported"
    ws.undo_import(2)
    ws.undo_import(1)
    assert one(ingest(ws, [folder / BEEHIIV], account="Letter"))["status"] == "imported"


def _personal(folder: Path) -> tuple[set[str], set[str]]:
    """Every address, and every name (first, last, company), in the member files."""
    emails: set[str] = set()
    names: set[str] = set()
    for name in MEMBER_FILES:
        for r in rows(folder / name):
            emails.add((r.get("Email Address") or r.get("email") or "").strip())
            names.update(v.strip() for k, v in r.items()
                         if k in ("First Name", "Last Name", "Company") and v and v.strip())
    emails.discard("")
    return emails, names


def test_nothing_personal_is_stored_or_printed(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = shared_data / FIXTURES
    emails, names = _personal(folder)
    # 15 Mailchimp members, 21 Substack ones (the 17 of the paid export among them) and 9 of beehiiv.
    assert len(emails) == 15 + 21 + 9 and {"Dolor", "Simet", "Lorem Name"} <= names
    ws_dir = tmp_path / "ws"
    # A member file with bad rows: a time that is no time, and a row of too many fields.
    bad = tmp_path / "unsubscribed_members_export_9f9f9f.csv"
    head = (folder / "unsubscribed.csv").read_text(encoding="utf-8").splitlines()[0]
    n = len(head.split(","))
    bad_rows = ["bad1@example.org,Zebulon,Quixotic" + ",when" * (n - 3),
                "bad2@example.org,Xanthippe,Yarborough" + ",2020-01-01 00:00:00" * (n - 3) + ",extra,cells"]
    bad.write_text(head + "\n" + "\n".join(bad_rows) + "\n", encoding="utf-8")
    emails |= {"bad1@example.org", "bad2@example.org"}
    names |= {"Zebulon", "Quixotic", "Xanthippe", "Yarborough"}
    outputs = []
    for fmt in ("text", "json"):
        for args in (["--account", "Members letter", *(str(folder / m) for m in MAILCHIMP), str(bad)],
                     ["--account", "Letter", str(folder / SUBSTACK_SIGNUP), str(folder / SUBSTACK_PAID)],
                     ["--account", "Bee", str(folder / BEEHIIV)],
                     [str(folder / "subscribed.csv")]):   # refused: no --account
            _, out, err = run(["ingest", "-w", str(ws_dir), "--format", fmt, *args], monkeypatch, capsys)
            outputs.append(out + err)
    text = "\n".join(outputs)
    assert "pass --account" in text and "rejected" in text   # the refusal and the rejects were printed
    ws = Workspace(ws_dir)
    assert scalar(ws, "SELECT count(*) FROM rejects") == 2
    assert query(ws, "SELECT line, reason FROM rejects ORDER BY line") == [
        (2, "neither CONFIRM_TIME nor OPTIN_TIME is a time like 2018-02-05 19:28:23"),
        (3, f"the row has {n + 2} fields where the header has {n}")]
    rejects_files = list((ws.state_dir / "rejects").glob("*.csv"))
    assert rejects_files
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        assert {"audience", "rejects", "imports"} <= set(tables)
        cells = [json.dumps(row, default=str) for t in tables for row in con.execute(f'SELECT * FROM "{t}"').fetchall()]
    finally:
        con.close()
    haystacks = {"warehouse tables": "\n".join(cells), "command output": text,
                 **{p.name: p.read_text(encoding="utf-8") for p in rejects_files}}
    for where, hay in haystacks.items():
        found = sorted([e for e in emails if e.lower() in hay.lower()] + [n for n in names if n in hay])
        assert not found, f"{where} holds {found}"
    # Every file of the workspace but the raw copies (the warehouse file, logs, ...): no address in its bytes.
    for path in ws.state_dir.rglob("*"):
        if path.is_file() and ws.raw_dir not in path.parents:
            data = path.read_bytes().lower()
            assert not [e for e in emails if e.lower().encode() in data], path


def test_mailchimp_export_without_email_column_and_with_semicolons(shared_data: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    src = shared_data / FIXTURES / "unsubscribed.csv"
    semi = tmp_path / "unsubscribed_members_export_ab12.csv"
    with semi.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter=";")
        for row in csv.reader(src.open(newline="", encoding="utf-8")):
            writer.writerow(row[1:])   # no Email Address column
    f = one(ingest(ws, [semi]))
    assert (f["source"], f["rows_rejected"]) == ("mailchimp-members", 0)
    ingest(ws, [src], account="Full")
    assert series(ws, "ab12", "subscribers_unsubscribed") == series(ws, "Full", "subscribers_unsubscribed")
    assert scalar(ws, "SELECT sum(gained) FROM audience WHERE account = 'ab12'") == 5.0  # the file's 5 members


def test_exported_on_dates_the_snapshot_and_the_summary_says_which_day(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / FIXTURES
    ws = Workspace(tmp_path / "latest")
    f = one(ingest(ws, [folder / "subscribed.csv"], account="Members letter"))
    # Without --exported-on: the latest time in the file (2023-04-21, as in the test above), and it says so.
    # The file lists 5 members (csv module below); the summary's counts are of rows of counts, so it says both.
    members = sum(1 for _ in csv.DictReader((folder / "subscribed.csv").open(newline="", encoding="utf-8")))
    assert members == 5
    assert f["notes"] == [f"5 members read, counted as {f['rows_read']} rows of daily gains, losses and list size "
                          "(no address, name or IP stored)",
                          "list size dated 2023-04-21 (the latest time in the file; pass --exported-on DATE to "
                          "give the export day)"]
    ws2 = Workspace(tmp_path / "given")
    f2 = one(ingest(ws2, [folder / "subscribed.csv"], account="Members letter", exported_on="2023-05-02"))
    assert f2["notes"][1:] == ["list size dated 2023-05-02 (--exported-on)"]
    assert query(ws2, "SELECT date, value FROM audience WHERE value IS NOT NULL") == [(dt.date(2023, 5, 2), 5.0)]
    # The gains per day do not depend on the snapshot day.
    assert query(ws2, "SELECT sum(gained) FROM audience") == query(ws, "SELECT sum(gained) FROM audience")


def test_exported_on_must_be_a_date(tmp_path: Path) -> None:
    from strategyfirst.errors import UsageError

    with pytest.raises(UsageError, match="--exported-on '31/03/2023' is not a date like 2026-03-31"):
        ingest(Workspace(tmp_path / "ws"), [tmp_path / "x.csv"], exported_on="31/03/2023")


@pytest.mark.parametrize(("given", "says"), [
    ("9999-01-01", "--exported-on 9999-01-01 is after today"),
    ("AFTER_TOMORROW", "is after today"),
    ("1900-01-01", "--exported-on 1900-01-01 is before 2000-01-01, older than any member export"),
    ("1999-12-31", "--exported-on 1999-12-31 is before 2000-01-01"),
])
def test_exported_on_in_the_future_or_absurdly_old_is_refused(given: str, says: str, shared_data: Path,
                                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    if given == "AFTER_TOMORROW":  # two days on: after today in every time zone
        given = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    ws = tmp_path / "ws"
    code, out, err = run(["ingest", "-w", str(ws), "--account", "L", "--exported-on", given,
                          str(shared_data / FIXTURES / "subscribed.csv")], monkeypatch, capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and says in err
    assert not (ws / ".strategyfirst" / "warehouse.duckdb").exists()


def test_exported_on_today_and_the_first_day_are_accepted(shared_data: Path, tmp_path: Path) -> None:
    for given in (dt.date.today().isoformat(), "2000-01-01"):
        f = one(ingest(Workspace(tmp_path / given), [shared_data / FIXTURES / "subscribed.csv"], account="L",
                       exported_on=given))
        assert f["status"] == "imported" and f"list size dated {given} (--exported-on)" in f["notes"]


def test_exported_on_before_the_latest_time_in_the_file_is_warned(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / FIXTURES / "subscribed.csv"
    # By hand: the latest time in the file is 2023-04-21 11:16:57, the OPTIN/CONFIRM_TIME of its line 2.
    f = one(ingest(Workspace(tmp_path / "early"), [src], account="L", exported_on="2023-04-01"))
    assert f["status"] == "imported"
    assert f["notes"][-1] == ("warning: --exported-on 2023-04-01 is before the latest time in the file "
                              "(2023-04-21 11:16, line 2): the file was downloaded later; check the day (without "
                              "--exported-on the size is dated 2023-04-21)")
    # A day before is a time zone's difference (the file's times are UTC), not a mistake: no warning.
    f = one(ingest(Workspace(tmp_path / "eve"), [src], account="L", exported_on="2023-04-20"))
    assert not [n for n in f["notes"] if n.startswith("warning:")]


def test_the_summary_counts_every_rejected_member_of_either_kind(shared_data: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A newcomer's report: 10 members, 2 of them rejected (a time that is no time, a row the CSV reader cannot
    split), and the summary said "9 members read (1 rejected)". The file: the 5 members of the real subscribed
    export, 3 good ones written here, and the 2 bad ones: 10 members, 8 counted, 2 rejected."""
    src = shared_data / FIXTURES / "subscribed.csv"
    head = src.read_text(encoding="utf-8").splitlines()
    n = len(head[0].split(","))
    assert len(head) - 1 == 5
    good = [f"g{i}@example.org" + ",2022-05-0{i} 10:00:00".replace("{i}", str(i)) * (n - 1) for i in (1, 2, 3)]
    bad = ["bad1@example.org" + ",when" * (n - 1),                                   # no time
           "bad2@example.org" + ",2022-05-04 10:00:00" * (n - 1) + ",extra,cells"]  # n + 2 fields
    path = tmp_path / "subscribed_members_export_5e5e5e.csv"
    path.write_text("\n".join([*head, *good, *bad]) + "\n", encoding="utf-8")
    ws_dir = tmp_path / "ws"
    code, out, _ = run(["ingest", "-w", str(ws_dir), "--format", "json", str(path)], monkeypatch, capsys)
    assert code == 0
    (f,) = json.loads(out)["files"]
    assert f["rows_rejected"] == 2
    assert f["notes"][0].startswith("10 members read (2 rejected), counted as ")
    ws = Workspace(ws_dir)
    assert scalar(ws, "SELECT rows_rejected FROM imports") == 2
    assert scalar(ws, "SELECT count(*) FROM rejects") == 2
    # The list's size: the 8 members counted (5 real, 3 written here).
    assert scalar(ws, "SELECT value FROM audience WHERE value IS NOT NULL") == 8.0
    # The text summary says the same.
    _, out, err = run(["ingest", "-w", str(ws_dir / "2"), "--format", "text", str(path)], monkeypatch, capsys)
    assert "2 rejected (import #1)" in out and "10 members read (2 rejected)" in err
