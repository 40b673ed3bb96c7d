"""`strategyfirst measure`: JSON/CSV/table per cli.md, data quality, exit 2 and one line on bad usage."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from strategyfirst.appdb import ENV_VAR
from strategyfirst.metrics import COLUMNS
from strategyfirst.workspace import Workspace
from tests.cli.support import run
from tests.metrics import dataset
from tests.metrics.helpers import insert, msg, warehouse
from tests.metrics.test_real_files import _twcs_by_hand


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(ENV_VAR, raising=False)
    return dataset.workspace(tmp_path).root


def test_json_rows_and_data_quality(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["measure", "--by", "account", "--metric", "response_rate", "--metric", "posts",
                        "--format", "json", "--workspace", str(ws)], monkeypatch, capsys)
    assert code == 0
    doc = json.loads(out)
    rows = {(r["metric"], r["key"]): r for r in doc["rows"]}
    # By hand (tests/metrics/dataset.py): Acme answers 2 of its 4 inbound pairs, AcmeHelp 1 of 3.
    assert rows[("response_rate", "Acme")] == {
        "metric": "response_rate", "by": "account", "key": "Acme", "period": "all", "value": 0.5, "n": 4,
        "unit": "ratio", "version": 1, "numerator": 2, "denominator": 4, "platform": "x"}
    assert rows[("response_rate", "AcmeHelp")]["value"] == pytest.approx(1 / 3)
    assert rows[("posts", "Acme Outdoor")]["value"] == 1
    assert doc["data_quality"]["negative_reply_gaps"] == 1
    assert doc["data_quality"]["replies_with_missing_parent"] == 1


def test_csv_has_a_header_then_the_same_columns(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["measure", "--period", "month", "--metric", "posts", "--format", "csv",
                          "--workspace", str(ws)], monkeypatch, capsys)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(COLUMNS)
    by_period = {r[3]: r[4] for r in rows[1:]}
    # Posts 10, 15 and 9; January has owned replies only: 0 posts.
    assert by_period == {"2026-01": "0", "2026-02": "1", "2026-03": "1", "2026-05": "1"}
    assert "replies whose parent is missing: 1" in err


def test_table_shows_data_quality_under_it(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["measure", "--by", "tactic", "--workspace", str(ws)], monkeypatch, capsys)
    assert code == 0
    assert "Engagement rate" in out and "care-desk" in out  # plain labels in the table (issue 13.11)
    assert out.index("Data quality") > out.index("care-desk")
    assert "owned messages attributed to no tactic: 0" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--metric", "respons_rate"], "did you mean response_rate"),
    (["--by", "tactic", "--metric", "posts"], "needs a plan"),
    (["--period", "day"], "finer than the data's time precision"),
])
def test_bad_usage_exits_2_with_one_line(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str], args: list[str],
                                         message: str) -> None:
    if "tactic" in args:
        (ws / "strategy.yaml").unlink()
    if "day" in args:
        con = warehouse(Workspace(ws).state_dir, [])
        insert(con, "messages", [msg("m1", "Acme", True, "2014-07-01 00:00", time_precision="month")])
        con.close()
    code, out, err = run(["measure", *args, "--workspace", str(ws)], monkeypatch, capsys)
    assert code == 2
    assert out == ""
    assert message in err and "Traceback" not in err


def test_period_refusal_follows_platform_and_account(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # One Facebook post dated only to the month (as UCI's are), beside X data dated to the second.
    con = warehouse(Workspace(ws).state_dir, [])
    insert(con, "messages", [msg("m1", "Acme Outdoor", True, "2026-07-01 00:00", platform="facebook",
                                 time_precision="month")])
    con.close()
    base = ["measure", "--period", "day", "--metric", "posts", "--format", "csv", "--workspace", str(ws)]
    for narrowed in (["--platform", "x"], ["--account", "AcmeHelp"]):
        code, out, err = run([*base, *narrowed], monkeypatch, capsys)
        assert code == 0, err
        # X posts 9 and 10 (tests/metrics/dataset.py) each on its day; AcmeHelp posts only replies (0)
        days = {r[3]: r[4] for r in list(csv.reader(io.StringIO(out)))[1:] if r[4] not in ("", "0")}
        assert days == ({"2026-02-01": "1", "2026-05-10": "1"} if "x" in narrowed else {})
    code, _, err = run([*base, "--platform", "facebook"], monkeypatch, capsys)
    assert code == 2 and "1 messages are dated only to the month" in err


def test_csv_says_data_quality_is_the_whole_workspace_under_a_filter(
        ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # Like the table's "Data quality (whole workspace)": 13's missing parent is X's, counted under Facebook too.
    base = ["measure", "--metric", "posts", "--format", "csv", "--workspace", str(ws)]
    code, _, err = run([*base, "--platform", "facebook"], monkeypatch, capsys)
    assert code == 0
    assert "data quality of the whole workspace, not only --platform facebook:" in err
    assert "replies whose parent is missing: 1" in err
    code, _, err = run(base, monkeypatch, capsys)
    assert code == 0 and "whole workspace" not in err


def test_twcs_by_account_json_gives_hand_checkable_values(shared_data: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's done-when: per brand, the values a reader can check by hand from the file."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    path = shared_data / "twcs" / "sample.csv"
    Workspace(tmp_path).ingest([path])
    code, out, _ = run(["measure", "--by", "account", "--format", "json", "--workspace", str(tmp_path)],
                       monkeypatch, capsys)
    assert code == 0
    rows = {(r["metric"], r["key"]): r["value"] for r in json.loads(out)["rows"]}
    for brand, values in _twcs_by_hand(path).items():
        assert rows[("inbound_messages", brand)] == values["inbound_messages"]
        assert rows[("response_rate", brand)] == pytest.approx(values["response_rate"])
        want = values["first_response_minutes_median"]
        got = rows[("first_response_minutes_median", brand)]
        assert got == (None if want is None else pytest.approx(want)), brand


def test_data_folder_whose_path_is_not_utf8_is_refused_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """`measure --data Donn\\xe9es` (an export folder renamed in Latin-1) was a UnicodeEncodeError traceback from
    DuckDB (a Py4JError from Spark)."""
    root = tmp_path / "acme"
    root.mkdir()
    export = tmp_path / "twcs.csv"
    export.write_text("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
                      "1,alice,True,Tue Oct 10 10:00:00 +0000 2017,@acme help,,\n", encoding="utf-8")
    assert run(["ingest", str(export), "-w", str(root)], monkeypatch, capsys)[0] == 0
    good = tmp_path / "parquet"
    assert run(["export", "--out", str(good), "-w", str(root)], monkeypatch, capsys)[0] == 0
    assert run(["measure", "--data", str(good), "--metric", "inbound_messages", "-f", "json"],
               monkeypatch, capsys)[0] == 0
    latin = tmp_path / os.fsdecode(b"Donn\xe9es")
    good.rename(latin)
    code, out, err = run(["measure", "--data", str(latin)], monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err.strip().splitlines() == [f"error: {tmp_path}/Donn\\xe9es: the folder's path is not UTF-8 text "
                                        "(written in another encoding): rename the folder and give --data the new "
                                        "name"]
