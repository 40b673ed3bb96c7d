"""An import whose data the plan owns no account of says so at once (metrics.md: where the plan lists accounts for
a platform, exactly those are owned). Before, `ingest --account nobody` of the YouTube table imported 442 videos
without a word; only `measure`'s data quality, later, said they counted for nobody."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.cli.test_ingest_cli import invoke, run

YT_TABLE = "youtube-studio/priyankapatel05/Table data.csv"


def workspace(tmp_path: Path, accounts: str) -> Path:
    """A starter plan whose accounts are `accounts` (YAML flow mapping lines)."""
    ws = tmp_path / "ws"
    assert invoke("init", str(ws)).exit_code == 0
    plan = ws / "strategy.yaml"
    text = plan.read_text(encoding="utf-8")
    start = text.index("accounts:\n")
    end = text.index("\n\n", start)
    plan.write_text(text[:start] + "accounts:\n" + accounts + text[end:], encoding="utf-8")
    return ws


def videos(path: Path) -> int:
    """Rows of the table that are videos (its first row after the header is the `Total`)."""
    with path.open(encoding="utf-8", newline="") as f:
        return sum(1 for row in csv.DictReader(f) if row["Content"] != "Total")


def test_an_account_the_plan_does_not_list_is_said_at_import(shared_data: Path, tmp_path: Path) -> None:
    table = shared_data / YT_TABLE
    ws = workspace(tmp_path, '  youtube: ["Priyanka"]\n  email: ["newsletter"]\n')
    n = videos(table)
    assert n == 442  # 443 rows under the header, one of them `Total`
    wrong = invoke("ingest", "-w", str(ws), "-f", "json", "--account", "nobody", str(table))
    assert wrong.exit_code == 0, wrong.stderr
    [notes] = [f.get("notes", []) for f in json.loads(wrong.stdout)["files"]]
    said = [note for note in notes if note.startswith("not counted as owned:")]
    assert said == [f"not counted as owned: 'nobody' ({n} messages) on youtube, where the plan lists only "
                    "priyanka; ingest it again with --account set to the plan's name after `strategyfirst "
                    "imports undo` of this import, or add the account to the plan's accounts under youtube"]
    # the plan's account, written in another case (handles are case-insensitive): nothing to say
    right = invoke("ingest", "-w", str(ws), "-f", "json", "--account", "PRIYANKA", str(table))
    assert right.exit_code == 0, right.stderr
    [file] = json.loads(right.stdout)["files"]
    assert file["rows_updated"] == n and not any("not counted" in note for note in file.get("notes", []))


def test_a_file_some_of_whose_accounts_the_plan_owns_says_nothing(shared_data: Path, tmp_path: Path) -> None:
    """twcs holds many brands; a plan owning one of them owns part of the file: no note. A plan owning none of
    them on x: the note names the largest (by the file: AppleSupport answers 13 times, SpotifyCares and
    Tesco 8)."""
    sample = shared_data / "twcs" / "sample.csv"
    with sample.open(encoding="utf-8", newline="") as f:
        brands: dict[str, int] = {}
        for row in csv.DictReader(f):
            if row["inbound"] == "False":
                brands[row["author_id"]] = brands.get(row["author_id"], 0) + 1
    assert (brands["AppleSupport"], brands["SpotifyCares"], brands["Tesco"]) == (13, 8, 8) and len(brands) == 13
    owning = workspace(tmp_path / "a", '  x: ["@Tesco"]\n')
    some = invoke("ingest", "-w", str(owning), "-f", "json", str(sample))
    assert some.exit_code == 0 and not any("not counted" in note for f in json.loads(some.stdout)["files"]
                                           for note in f.get("notes", []))
    other = workspace(tmp_path / "b", '  x: ["@rOpenSci"]\n')
    none = invoke("ingest", "-w", str(other), str(sample))
    assert none.exit_code == 0
    assert ("not counted as owned: 'AppleSupport' (13 messages), 'SpotifyCares' (8 messages), 'Tesco' "
            f"(8 messages) and {len(brands) - 3} more on x, where the plan lists only ropensci; write the plan's "
            "account as the data names it") in " ".join(none.stderr.split())


def test_one_message_is_one(shared_data: Path, tmp_path: Path) -> None:
    """ChaseSupport answers once in the sample: '(1 message)', not '(1 messages)'."""
    with (shared_data / "twcs" / "sample.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        chase = [row for row in reader if row["author_id"] == "ChaseSupport"]
    assert len(chase) == 1
    one = tmp_path / "one.csv"
    with one.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(chase)
    ws = workspace(tmp_path, '  x: ["@rOpenSci"]\n')
    result = invoke("ingest", "-w", str(ws), "-f", "json", str(one))
    assert result.exit_code == 0, result.stderr
    [file] = json.loads(result.stdout)["files"]
    assert [n for n in file["notes"] if n.startswith("not counted")] == [
        "not counted as owned: 'ChaseSupport' (1 message) on x, where the plan lists only ropensci; write the "
        "plan's account as the data names it, or add the account to the plan's accounts under x"]


def test_a_blank_account_is_refused_before_anything_is_written(shared_data: Path, tmp_path: Path) -> None:
    """`--account "  "` stored the 37 tweets of an X analytics file under an account of no name ('' in
    measure's table): blank and a lone '@' are refused in one line, and no workspace is made."""
    tweets = shared_data / "x-analytics/rOpenSci/tweet_activity_metrics_rOpenSci_20161201_20170101_en.csv"
    ws = tmp_path / "ws"
    for blank in ("  ", "@", " @ "):
        result = run("ingest", "-w", str(ws), "--account", blank, str(tweets))
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == ("error: --account is blank (spaces or a lone '@'): give the account's name (as "
                                 "the plan writes it), or leave --account out where the file names its account\n")
        assert not ws.exists()
