"""An as-of day outside the plan's horizon is said, not left to read as "no data": `diagnose` (text and JSON)
and `report` name the horizon's start (before it nothing is measured yet) or its end (after it the KPIs are
measured up to it). Not an error: planning ahead and looking back are both legitimate.

Real data: rOpenSci's X analytics exports of December 2016 and January 2017, owned by a plan whose horizon is
2017-01-01..2017-12-31, so the December tweets lie before it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from strategyfirst.appdb import ENV_VAR
from strategyfirst.workspace import Workspace
from tests.cli.support import run

FILES = ("tweet_activity_metrics_rOpenSci_20161201_20170101_en.csv",
         "tweet_activity_metrics_rOpenSci_20170101_20170201_en.csv")
PLAN = """\
version: 1
organisation: rOpenSci
owner: Ana <ana@example.org>
horizon: {start: 2017-01-01, end: 2017-12-31}
budget: {total: 1000, currency: EUR}
accounts:
  x: ["@rOpenSci"]
strategy:
  statement: Build a permission asset so we can grow our influence with researchers over time.
  audiences: [researchers]
objectives:
  - id: reach
    statement: Be seen by researchers
    kpis:
      - {metric: impressions, target: 2000000}
tactics:
  - id: x-posts
    channel: x
    serves: [reach]
    owner: Ana
    budget: 500
    match: {accounts: ["@rOpenSci"]}
"""
BEFORE = "as of 1999-01-01, before the plan's horizon starts on 2017-01-01: nothing is measured yet"
AFTER = ("as of 2019-06-01, after the plan's horizon ended on 2017-12-31: the KPIs are measured on the horizon's "
         "data, up to 2017-12-31")


@pytest.fixture(scope="module")
def ws(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("as-of-horizon")
    (root / "strategy.yaml").write_text(PLAN, encoding="utf-8")
    Workspace(root).ingest([shared_data / "x-analytics" / "rOpenSci" / name for name in FILES])
    return root


@pytest.fixture(autouse=True)
def _no_appdb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def _horizon_impressions(shared_data: Path) -> float:
    """The impressions of the tweets dated inside the horizon, read from the files with the csv module."""
    total = 0.0
    for name in FILES:
        with (shared_data / "x-analytics" / "rOpenSci" / name).open(encoding="utf-8", newline="") as fh:
            total += sum(float(r["impressions"]) for r in csv.DictReader(fh) if r["time"].startswith("2017-"))
    return total


def test_diagnose_before_the_horizon_says_so_first(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["diagnose", "-w", str(ws), "--as-of", "1999-01-01"], monkeypatch, capsys)
    assert code == 0, err  # planning ahead is not a mistake
    lines = out.splitlines()
    assert lines[0] == "Diagnosis as of 1999-01-01"
    assert lines[1] == f"Note: {BEFORE}."
    code, out, err = run(["diagnose", "-w", str(ws), "--as-of", "1999-01-01", "-f", "json"], monkeypatch, capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["note"] == BEFORE
    assert [k["status"] for k in doc["kpis"]] == ["no_data"]


def test_diagnose_after_the_horizon_says_the_kpis_stop_at_its_end(
        ws: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["diagnose", "-w", str(ws), "--as-of", "2019-06-01", "-f", "json"], monkeypatch, capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["note"] == AFTER
    # what the note says: the January 2017 tweets count, December 2016's do not
    (kpi,) = doc["kpis"]
    assert kpi["actual"] == pytest.approx(_horizon_impressions(shared_data))
    code, out, err = run(["diagnose", "-w", str(ws), "--as-of", "2019-06-01"], monkeypatch, capsys)
    assert code == 0, err
    assert out.splitlines()[1] == f"Note: {AFTER}."


def test_an_as_of_day_inside_the_horizon_has_no_note(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["diagnose", "-w", str(ws), "-f", "json"], monkeypatch, capsys)
    assert code == 0, err
    assert json.loads(out)["note"] is None
    for day in ("2017-01-01", "2017-12-31"):  # the horizon's own first and last days are inside it
        code, out, err = run(["diagnose", "-w", str(ws), "--as-of", day], monkeypatch, capsys)
        assert "Note:" not in out


def test_report_says_it_under_its_title(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    for day, note in (("1999-01-01", BEFORE), ("2019-06-01", AFTER), (None, None)):
        target = ws / f"report-{day}.html"
        args = ["report", "-w", str(ws), "-o", str(target)] + (["--as-of", day] if day else [])
        code, _out, err = run(args, monkeypatch, capsys)
        assert code == 0, err
        html = target.read_text(encoding="utf-8")
        header = html.split("<header", 1)[1].split("</header>", 1)[0]
        if note is None:
            assert 'class="as-of-note"' not in html
        else:
            assert f'<p class="as-of-note" role="note">Note: {note.replace(chr(39), "&#39;")}.</p>' in header
