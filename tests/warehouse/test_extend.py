"""An import that adds a few messages to a large warehouse extends the derived tables (`derive._extend`: the
conversations of the new messages, computed again) instead of rebuilding them all. What it leaves must be
exactly what a rebuild of the whole warehouse gives: every derived table row for row, and the data-quality
counts. Checked after each import of a sequence built to hit the hard cases: replies whose parent came in an
earlier file, orphans whose parent arrives later (their conversation moves), a later export updating stored
messages (text and figures), a new owned account (every mention changes: a rebuild), an undo (a rebuild)."""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from strategyfirst import Workspace
from strategyfirst.plan import load
from strategyfirst.simulate import simulate
from strategyfirst.simulate.run import ingest_simulated
from strategyfirst.warehouse import derive
from strategyfirst.warehouse.engine import open_duckdb


def _derived(path: Path) -> dict[str, Any]:
    """Every derived table's rows (columns in name order, rows sorted) and the data-quality counts."""
    con = open_duckdb(path, read_only=True)
    try:
        out: dict[str, Any] = {}
        for name in derive.DERIVED:
            columns = sorted(r[0] for r in con.execute(f"DESCRIBE {name}").fetchall())
            rows = con.execute(f"SELECT {', '.join(columns)} FROM {name}").fetchall()
            out[name] = (columns, sorted(rows, key=repr))
        out["quality"] = json.loads(derive.meta(con, derive.QUALITY_KEY) or "null")
        return out
    finally:
        con.close()


def _rebuilt(ws: Workspace, tmp: Path) -> dict[str, Any]:
    """`_derived` of a copy of the warehouse whose derived tables were rebuilt whole."""
    copy = tmp / "rebuilt.duckdb"
    copy.unlink(missing_ok=True)
    shutil.copy(ws.warehouse_path, copy)
    con = open_duckdb(copy)
    Spy.paused = True  # this rebuild is the reference, not the workspace's
    try:
        derive.refresh(con, load(ws.plan_path).plan, force=True)
        con.execute("CHECKPOINT")
    finally:
        Spy.paused = False
        con.close()
    return _derived(copy)


def _split(twcs: Path, out: Path, parts: int, seed: int) -> list[Path]:
    """The twcs file's rows dealt at random into `parts` files (so that some replies come before their parent)."""
    with twcs.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    rng = random.Random(seed)
    dealt: list[list[list[str]]] = [[] for _ in range(parts)]
    for row in rows:
        dealt[rng.randrange(parts)].append(row)
    paths = []
    for i, chunk in enumerate(dealt):
        path = out / f"twcs-part{i}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(chunk)
        paths.append(path)
    return paths


@pytest.fixture
def ws_and_parts(tmp_path: Path) -> tuple[Workspace, list[Path], list[str]]:
    summary = simulate(tmp_path / "org", events=4000, seed=3)
    files = dict(summary.files)
    twcs = files.pop("twcs")
    assert len(twcs) == 1
    with twcs[0].open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    parts = _split(twcs[0], tmp_path, 4, seed=5)
    ws = Workspace(tmp_path / "org")
    # Everything but three quarters of the conversations' messages: the first build is a whole one.
    ingest_simulated(ws, {**files, "twcs": parts[:1]})
    return ws, parts, header


class Spy:
    """Counts the workspace's whole rebuilds of the derived tables (`derive._rebuild`)."""

    paused = False

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.rebuilds = 0
        real = derive._rebuild

        def counted(*args: Any, **kwargs: Any) -> None:
            self.rebuilds += not Spy.paused
            real(*args, **kwargs)

        monkeypatch.setattr(derive, "_rebuild", counted)


def test_each_extension_equals_a_rebuild(ws_and_parts: tuple[Workspace, list[Path], list[str]], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ws, parts, header = ws_and_parts
    monkeypatch.setattr(derive, "EXTEND_SHARE", 1.0)  # these parts are a large share of a small warehouse
    spy = Spy(monkeypatch)
    for part in parts[1:]:
        ws.ingest(part)
        assert spy.rebuilds == 0, "a plain import extends the derived tables"
        assert _derived(ws.warehouse_path) == _rebuilt(ws, tmp_path)
    # A later export of some stored messages: other texts (scored again) and an other author for one.
    with parts[1].open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:40]
    text = header.index("text")
    for row in rows:
        row[text] = row[text] + " Thanks, that was awful!"
    changed = tmp_path / "twcs-changed.csv"
    with changed.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    result = ws.ingest(changed)
    assert result.files[0]["rows_updated"] == len(rows)
    assert spy.rebuilds == 0
    assert _derived(ws.warehouse_path) == _rebuilt(ws, tmp_path)


def test_orphans_whose_parent_arrives_move_with_their_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Replies imported before the message they answer root their own conversation (with an inbound pair, a
    conversation row...); once the parent comes, those rows go and the conversation is the parent's."""
    ws = Workspace(tmp_path)
    (tmp_path / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    header = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
    first = tmp_path / "first.csv"
    first.write_text(header + "".join([
        "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@AcmeCare my order is late,2,\n",
        "2,AcmeCare,False,Tue Oct 31 22:20:47 +0000 2017,@115712 sorry! DM us,,1\n",
        # 12 answers 11, which is not imported yet; 13 answers 12 (a chain under the orphan)
        "12,AcmeCare,False,Wed Nov 01 10:00:00 +0000 2017,@200 we are on it,13,11\n",
        "13,200,True,Wed Nov 01 10:30:00 +0000 2017,@AcmeCare still nothing,,12\n",
    ]), encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text(header + "11,200,True,Wed Nov 01 09:00:00 +0000 2017,@AcmeCare where is my refund?,12,\n",
                      encoding="utf-8")
    ws.ingest(first)
    before = _derived(ws.warehouse_path)
    convs = {r[before["conversations"][0].index("conv")] for r in before["conversations"][1]}
    assert "x:12" in convs or "12" in {c.split(":")[-1] for c in convs}  # the orphan roots a conversation
    spy = Spy(monkeypatch)
    monkeypatch.setattr(derive, "EXTEND_SHARE", 1.0)
    ws.ingest(second)
    assert spy.rebuilds == 0
    after = _derived(ws.warehouse_path)
    assert after == _rebuilt(ws, tmp_path)
    convs = {r[after["conversations"][0].index("conv")].split(":")[-1] for r in after["conversations"][1]}
    assert convs == {"1", "11"}  # the orphan's conversation is gone: its rows are under 11's
    pairs = after["inbound"]
    who = {(r[pairs[0].index("message_id")].split(":")[-1], r[pairs[0].index("first_reply_id")]) for r in pairs[1]}
    assert ("11", "x:12") in who or ("11", "12") in {(m, (f or "").split(":")[-1]) for m, f in who}



def _conversations(ws: Workspace) -> dict[str, str]:
    con = open_duckdb(ws.warehouse_path, read_only=True)
    try:
        return dict(con.execute("SELECT message_id, conversation_id FROM messages").fetchall())
    finally:
        con.close()


@pytest.mark.parametrize("seed", [5, 6])
def test_a_file_in_random_parts_gives_the_conversations_of_the_whole(tmp_path: Path, seed: int) -> None:
    """The simulated twcs file imported in four random parts, one after another (replies before their parent,
    chains of orphans whose parents come in one later file), gives every message the conversation the whole
    file gives it in one import. Before the fix, an orphan under a parent that arrived answering another orphan
    kept that orphan's id as its conversation (a root that roots nothing)."""
    summary = simulate(tmp_path / "org", events=4000, seed=seed)
    (twcs,) = summary.files["twcs"]
    whole, parted = Workspace(tmp_path / "whole"), Workspace(tmp_path / "parted")
    whole.ingest(twcs)
    for part in _split(twcs, tmp_path, 4, seed=seed):
        parted.ingest(part)
    assert _conversations(parted) == _conversations(whole)


def test_orphan_chains_whose_parents_arrive_together(tmp_path: Path) -> None:
    """11 <- 12 and 13 <- 14 are stored, their parents 10 and 12's... : 10 and 13 arrive in one file, 13
    answering 12. All four replies are then in 10's conversation."""
    header = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(header + "11,200,True,Wed Nov 01 10:00:00 +0000 2017,@AcmeCare hello?,,10\n"
                     "14,AcmeCare,False,Wed Nov 01 12:00:00 +0000 2017,@200 on it,,13\n", encoding="utf-8")
    second.write_text(header + "10,200,True,Wed Nov 01 09:00:00 +0000 2017,@AcmeCare my order,,\n"
                      "13,200,True,Wed Nov 01 11:00:00 +0000 2017,@AcmeCare still waiting,,11\n",
                      encoding="utf-8")
    ws = Workspace(tmp_path / "ws")
    ws.ingest(first)
    assert _conversations(ws) == {"x:11": "x:11", "x:14": "x:14"}
    ws.ingest(second)
    assert _conversations(ws) == dict.fromkeys(("x:10", "x:11", "x:13", "x:14"), "x:10")

PLAN = """\
version: 1
accounts: {x: ["@AcmeCare"]}
objectives: [{id: dialogue}]
tactics:
  - {id: care, serves: [dialogue], match: {accounts: ["@AcmeCare"]}}
"""


def test_a_new_owned_account_an_undo_or_another_plan_rebuilds(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A message of an owned account not seen before changes what every stored message mentions (the plan lists
    no X account here: twcs's `inbound` flag says which are the brand's); an undo takes rows back under earlier
    imports; another plan changes ownership: each rebuilds the tables whole, and the result is a rebuild's."""
    ws = Workspace(tmp_path)
    (tmp_path / "strategy.yaml").write_text(PLAN.replace('accounts: {x: ["@AcmeCare"]}\n', ""), encoding="utf-8")
    header = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
    one = tmp_path / "one.csv"
    one.write_text(header + "".join([
        "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@AcmeCare my order is late cc @AcmeHelp,2,\n",
        "2,AcmeCare,False,Tue Oct 31 22:20:47 +0000 2017,@115712 sorry! DM us,,1\n",
    ]), encoding="utf-8")
    two = tmp_path / "two.csv"
    two.write_text(header + "3,AcmeCare,False,Wed Nov 01 09:00:00 +0000 2017,we are here,,\n", encoding="utf-8")
    three = tmp_path / "three.csv"
    three.write_text(header + "".join([
        "4,AcmeHelp,False,Wed Nov 01 09:00:00 +0000 2017,we are here to help,5,\n",
        "5,300,True,Wed Nov 01 10:00:00 +0000 2017,@AcmeHelp hello,,4\n",
    ]), encoding="utf-8")
    ws.ingest(one)
    spy = Spy(monkeypatch)
    monkeypatch.setattr(derive, "EXTEND_SHARE", 1.0)
    ws.ingest(two)  # AcmeCare's handle is known: extended
    assert spy.rebuilds == 0
    assert _derived(ws.warehouse_path) == _rebuilt(ws, tmp_path)
    before = _derived(ws.warehouse_path)["inbound"]
    assert {r[before[0].index("account")] for r in before[1]} == {"acmecare"}
    ws.ingest(three)  # AcmeHelp is new: message 1 mentions it, an inbound pair of an earlier conversation
    assert spy.rebuilds == 1
    after = _derived(ws.warehouse_path)
    assert after == _rebuilt(ws, tmp_path)
    pairs = {(r[after["inbound"][0].index("message_id")], r[after["inbound"][0].index("account")])
             for r in after["inbound"][1]}
    assert ("x:1", "acmehelp") in pairs or ("1", "acmehelp") in pairs
    ws.undo_import(3)
    assert spy.rebuilds == 2
    assert _derived(ws.warehouse_path) == _rebuilt(ws, tmp_path)
    (tmp_path / "strategy.yaml").write_text(PLAN, encoding="utf-8")  # another plan
    ws.ingest(three)
    assert spy.rebuilds == 3
    assert _derived(ws.warehouse_path) == _rebuilt(ws, tmp_path)


REAL_PLAN = """\
version: 1
accounts:
  x: ["@AppleSupport", "@Tesco", "@rOpenSci"]
  mastodon: ["dealingwith"]
  facebook: ["Visualization Studio VIC"]
objectives: [{id: dialogue}, {id: reach}]
tactics:
  - {id: care-desk, serves: [dialogue], match: {accounts: ["@AppleSupport", "@Tesco"]}}
  - {id: science, serves: [reach], match: {accounts: ["@rOpenSci", "dealingwith"]}}
  - {id: page, serves: [reach], match: {accounts: ["Visualization Studio VIC"]}}
"""


def test_real_exports_one_at_a_time_extend_like_a_rebuild(shared_data: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The real exports, one file at a time after a first one (the twcs sample dealt into three files, X
    analytics months, a Mastodon outbox, Facebook post exports), with tactics of two accounts each: the inbound
    pairs' labels are tables then (`_attribution`), which the extension keeps too. Each import extends, and
    leaves what a whole rebuild leaves."""
    ws = Workspace(tmp_path / "ws")
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "strategy.yaml").write_text(REAL_PLAN, encoding="utf-8")
    parts = _split(shared_data / "twcs" / "sample.csv", tmp_path, 3, seed=1)
    later = [parts[1], *sorted((shared_data / "x-analytics" / "rOpenSci").glob("*.csv"))[:2], parts[2],
             shared_data / "mastodon" / "dealingwith" / "outbox.json",
             *sorted((shared_data / "facebook-insights" / "VIC").glob("*Post Level*"))[:1]]
    ws.ingest(parts[0])
    con = open_duckdb(ws.warehouse_path, read_only=True)
    try:
        assert derive._kind(con, "attribution") == "TABLE"
    finally:
        con.close()
    monkeypatch.setattr(derive, "EXTEND_SHARE", 1.0)
    spy = Spy(monkeypatch)
    for path in later:
        assert ws.ingest(path).files[0]["status"] == "imported", path
        assert spy.rebuilds == 0, path
        assert _derived(ws.warehouse_path) == _rebuilt(ws, tmp_path), path


TWCS_HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"


def _kept(ws: Workspace) -> dict[str, Any] | None:
    con = open_duckdb(ws.warehouse_path, read_only=True)
    try:
        raw = derive.meta(con, derive.EXTEND_SQL_KEY)
        return None if raw is None else json.loads(raw)
    finally:
        con.close()


def _write(path: Path, *rows: str) -> Path:
    path.write_text(TWCS_HEADER + "".join(rows), encoding="utf-8")
    return path


def test_the_kept_sql_extends_without_ibis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first extension compiles its SQL with Ibis and keeps it in the warehouse; the next import, in a new
    process, runs that SQL without importing Ibis, pyarrow or pandas, and leaves what a rebuild leaves."""
    import subprocess
    import sys

    ws = Workspace(tmp_path)
    (tmp_path / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    # Forty other messages first: the later files are a small share of the warehouse (EXTEND_SHARE), in the
    # new process too.
    others = [f"{100 + i},{500 + i},True,Mon Oct 30 10:{i:02d}:00 +0000 2017,@AcmeCare question {i},,\n"
              for i in range(40)]
    ws.ingest(_write(tmp_path / "one.csv", *others,
                     "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@AcmeCare my order is late,2,\n",
                     "2,AcmeCare,False,Tue Oct 31 22:20:47 +0000 2017,@115712 sorry! DM us,,1\n"))
    assert _kept(ws) is None  # a whole build: nothing compiled for an extension yet
    ws.ingest(_write(tmp_path / "two.csv",
                     "3,200,True,Wed Nov 01 09:00:00 +0000 2017,@AcmeCare where is my refund? Awful.,4,\n",
                     "4,AcmeCare,False,Wed Nov 01 09:30:00 +0000 2017,@200 on it,,3\n"))
    kept = _kept(ws)
    assert kept is not None and "stored" in kept and "ruled" not in kept  # the stored flags follow the plan
    assert _derived(ws.warehouse_path) == _rebuilt(ws, tmp_path)
    three = _write(tmp_path / "three.csv",
                   "5,300,True,Thu Nov 02 08:00:00 +0000 2017,@AcmeCare thank you so much!,6,\n",
                   "6,AcmeCare,False,Thu Nov 02 08:05:00 +0000 2017,@300 you are welcome,,5\n",
                   "7,300,True,Thu Nov 02 08:10:00 +0000 2017,@AcmeCare great,,6\n")
    script = ("import sys\nfrom strategyfirst.cli import main\nsys.argv = ['strategyfirst', 'ingest', '-w', "
              f"{str(tmp_path)!r}, {str(three)!r}]\ntry:\n    main()\nexcept SystemExit as e:\n    assert not e.code\n"
              "print(sorted(m for m in ('ibis', 'pyarrow', 'pandas') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
    assert "3 read, 3 new" in done.stdout
    assert _kept(ws) == kept  # nothing compiled again
    after = _derived(ws.warehouse_path)
    assert after == _rebuilt(ws, tmp_path)
    pairs = after["inbound"]
    assert {r[pairs[0].index("message_id")] for r in pairs[1]} == {"x:1", "x:3", "x:5", "x:7"} | {
        f"x:{100 + i}" for i in range(40)}
    # Messages 5 and 7 are the audience's: scored as VADER scores their texts; AcmeCare's 6 is not scored.
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    con = open_duckdb(ws.warehouse_path, read_only=True)
    try:
        scores = dict(con.execute("SELECT message_id, sentiment FROM messages WHERE message_id IN ('x:5', 'x:7', "
                                  "'x:6')").fetchall())
    finally:
        con.close()
    assert scores == {"x:5": vader.polarity_scores("@AcmeCare thank you so much!")["compound"],
                      "x:7": vader.polarity_scores("@AcmeCare great")["compound"], "x:6": None}
    assert scores["x:5"] > 0 and scores["x:7"] > 0


@pytest.mark.parametrize("entry", [
    "not json",
    json.dumps({"key": "another key", "differ": "SELECT 1", "stored": {
        "queries": {"inbound": "SELECT 1/0"}, "memtables": {}, "unlabelled": None}}),
    "right key, a query missing",
    "right key, a small table not ours",
])
def test_a_kept_entry_of_another_key_or_damaged_is_not_run(tmp_path: Path, entry: str,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """What `meta` holds for the extension is run only if it was written for this code, layout, plan and
    handles, and has the layout `_extend` writes; otherwise it is compiled again (and replaced)."""
    ws = Workspace(tmp_path)
    (tmp_path / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    monkeypatch.setattr(derive, "EXTEND_SHARE", 1.0)
    ws.ingest(_write(tmp_path / "one.csv",
                     "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@AcmeCare my order is late,2,\n",
                     "2,AcmeCare,False,Tue Oct 31 22:20:47 +0000 2017,@115712 sorry! DM us,,1\n"))
    ws.ingest(_write(tmp_path / "two.csv", "3,200,True,Wed Nov 01 09:00:00 +0000 2017,@AcmeCare hello,,\n"))
    good = _kept(ws)
    assert good is not None
    if entry == "right key, a query missing":
        queries = {k: v for k, v in good["stored"]["queries"].items() if k != "inbound"}
        entry = json.dumps({**good, "stored": {**good["stored"], "queries": queries}})
    elif entry == "right key, a small table not ours":
        entry = json.dumps({**good, "stored": {**good["stored"], "memtables": {"messages": {"columns": [],
                                                                                            "rows": []}}}})
    con = open_duckdb(ws.warehouse_path)
    try:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [derive.EXTEND_SQL_KEY, entry])
    finally:
        con.close()
    spy = Spy(monkeypatch)
    ws.ingest(_write(tmp_path / "three.csv", "4,AcmeCare,False,Thu Nov 02 08:05:00 +0000 2017,@200 hi,,3\n"))
    assert spy.rebuilds == 0
    again = _kept(ws)  # compiled again (Ibis names an unnested column at random: the same SQL but for that)
    assert again is not None and again["key"] == good["key"] and sorted(again["stored"]["queries"]) == sorted(
        good["stored"]["queries"])
    assert _derived(ws.warehouse_path) == _rebuilt(ws, tmp_path)


def test_messages_the_plan_owns_otherwise_than_flagged_extend_by_the_rule(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Imported before the plan listed X accounts, AcmeHelp's messages are flagged owned (twcs's `inbound`
    flag); the plan then owns AcmeCare only. An import into AcmeHelp's conversation extends with the plan's
    rule applied to those messages (the "ruled" SQL), and leaves what a rebuild leaves."""
    ws = Workspace(tmp_path)
    (tmp_path / "strategy.yaml").write_text(PLAN.replace('accounts: {x: ["@AcmeCare"]}\n', ""), encoding="utf-8")
    monkeypatch.setattr(derive, "EXTEND_SHARE", 1.0)
    ws.ingest(_write(tmp_path / "one.csv",
                     "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@AcmeCare @AcmeHelp my order is late,2,\n",
                     "2,AcmeCare,False,Tue Oct 31 22:20:47 +0000 2017,@115712 sorry! DM us,,1\n",
                     "3,AcmeHelp,False,Wed Nov 01 09:00:00 +0000 2017,we are here to help,4,\n",
                     "4,300,True,Wed Nov 01 10:00:00 +0000 2017,@AcmeHelp hello,,3\n"))
    (tmp_path / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    ws.ingest(_write(tmp_path / "two.csv", "5,400,True,Thu Nov 02 08:00:00 +0000 2017,@AcmeCare hi,,\n"))
    spy = Spy(monkeypatch)
    ws.ingest(_write(tmp_path / "three.csv",
                     "6,AcmeHelp,False,Thu Nov 02 09:00:00 +0000 2017,@300 still here,,4\n"))
    assert spy.rebuilds == 0
    kept = _kept(ws)
    assert kept is not None and "ruled" in kept
    after = _derived(ws.warehouse_path)
    assert after == _rebuilt(ws, tmp_path)
    owned = after["owned_messages"]
    assert {r[owned[0].index("message_id")] for r in owned[1]} == {"x:2"}  # AcmeHelp's are not the plan's


def test_a_new_workspaces_monthly_exports_extend_without_ibis(shared_data: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A workspace of a few hundred messages: each monthly X analytics export is most of the warehouse, yet
    after the first it extends (EXTEND_ALWAYS), so from the third on the kept SQL runs, in a new process without
    importing Ibis, pyarrow or pandas, and leaves what a whole rebuild leaves."""
    import subprocess
    import sys

    ws = Workspace(tmp_path / "ws")
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "strategy.yaml").write_text(REAL_PLAN, encoding="utf-8")
    months = sorted((shared_data / "x-analytics" / "rOpenSci").glob("*.csv"))[:4]
    spy = Spy(monkeypatch)
    for path in months[:3]:
        assert ws.ingest(path).files[0]["status"] == "imported", path
    assert spy.rebuilds == 1  # the first import only: the next two extend
    kept = _kept(ws)
    assert kept is not None and "stored" in kept
    assert _derived(ws.warehouse_path) == _rebuilt(ws, tmp_path)
    script = ("import sys\nfrom strategyfirst.cli import main\nsys.argv = ['strategyfirst', 'ingest', '-w', "
              f"{str(tmp_path / 'ws')!r}, {str(months[3])!r}]\ntry:\n    main()\nexcept SystemExit as e:\n"
              "    assert not e.code\nprint(sorted(m for m in ('ibis', 'pyarrow', 'pandas') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
    assert _kept(ws) == kept  # nothing compiled again
    after = _derived(ws.warehouse_path)
    assert after == _rebuilt(ws, tmp_path)
    # Every month's tweets are rOpenSci's own: owned_messages holds them all (the files' records, one tweet each,
    # counted by Python's csv reader: a tweet's text may span lines).
    records = 0
    for path in months:
        with path.open(newline="", encoding="utf-8") as fh:
            records += sum(1 for _ in csv.reader(fh)) - 1
    assert len(after["owned_messages"][1]) == records == 125
