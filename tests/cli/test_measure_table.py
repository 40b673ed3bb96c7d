"""The `measure` table people read (issue 13.11): plain labels, never cut, metrics without data hidden unless
`--all`, readable at 80 and 60 columns and piped; `--platform`/`--account` in every output format."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import strategyfirst.cli as cli_module
from strategyfirst.appdb import ENV_VAR
from strategyfirst.catalog import METRICS
from strategyfirst.workspace import Workspace
from tests.cli.support import run
from tests.metrics import dataset
from tests.metrics.helpers import warehouse


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hand-made organisation of tests/metrics/dataset.py as a workspace."""
    monkeypatch.delenv(ENV_VAR, raising=False)
    (tmp_path / "strategy.yaml").write_text(dataset.PLAN_YAML, encoding="utf-8")
    workspace = Workspace(tmp_path).ensure()
    warehouse(workspace.warehouse_path.parent, dataset.messages(), audience=dataset.audience(),
              spend=dataset.spend()).close()
    return tmp_path



def _json(ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
          *args: str) -> list[dict[str, object]]:
    code, out, _ = run(["measure", *args, "--format", "json", "--workspace", str(ws)], monkeypatch, capsys)
    assert code == 0
    rows: list[dict[str, object]] = json.loads(out)["rows"]
    return rows


def _table(ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], width: int,
           *args: str) -> str:
    monkeypatch.setattr(cli_module.out, "width", width)
    code, out, err = run(["measure", *args, "--workspace", str(ws)], monkeypatch, capsys)
    assert code == 0, err
    return out


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("by", ["none", "account"])
def test_labels_are_whole_on_one_line_at_80_and_60_columns(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str], width: int,
                                                           by: str) -> None:
    with_data = {r["metric"] for r in _json(ws, monkeypatch, capsys, "--by", by) if r["value"] is not None}
    out = _table(ws, monkeypatch, capsys, width, "--by", by)
    lines = out.splitlines()
    assert "…" not in out and "..." not in out
    assert max(len(line) for line in out.split("Data quality")[0].splitlines()) <= width
    for metric in with_data:
        label = next(m.label for m in METRICS if m.id == metric).split(" (")[0]
        assert any(label in line for line in lines), (metric, label)
    assert not [m.id for m in METRICS if "_" in m.id and m.id in out]  # ids are for JSON and CSV
    # the two reply-time rows read apart (the issue saw `first_response_minut…` twice); by hand: gaps of
    # 30 (AcmeHelp, message 1) and 20 minutes (Acme, message 5) -> median 25 min
    if by == "none":
        assert any("Median first response" in line and "25 min" in line for line in lines)
        assert any("First response, 90th pct" in line and "29 min" in line for line in lines)


def test_piped_default_width_output_is_whole(ws: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    proc = subprocess.run([sys.executable, "-m", "strategyfirst", "measure", "--by", "account", "-w", str(ws)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "…" not in proc.stdout
    assert "Median first response" in proc.stdout and "first_response_minutes" not in proc.stdout


def test_metrics_without_data_are_hidden_and_counted(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(ws, monkeypatch, capsys, "--account", "acmehelp")
    empty = {r["metric"] for r in rows} - {r["metric"] for r in rows if r["value"] is not None}
    # AcmeHelp only replies: no impressions, reach, audience, spend... (tests/metrics/dataset.py)
    assert {"impressions", "reach", "audience_size", "spend"} <= empty

    def listed(out: str) -> set[str]:
        return {m.id for m in METRICS for line in out.splitlines()
                if re.match(rf"\s*{re.escape(m.label.split(' (')[0])}\s{{2,}}\S", line)}

    out = _table(ws, monkeypatch, capsys, 100, "--account", "acmehelp")
    assert listed(out) == {r["metric"] for r in rows} - empty
    assert f"Hidden: {len(empty)} metrics without data (--all lists them)." in out
    everything = _table(ws, monkeypatch, capsys, 100, "--account", "acmehelp", "--all")
    assert "Hidden" not in everything
    assert listed(everything) == {m.id for m in METRICS}


def test_values_read_by_unit_in_the_table(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = _table(ws, monkeypatch, capsys, 100, "--by", "account", "--metric", "response_rate",
                 "--metric", "first_response_minutes_median", "--metric", "impressions")
    lines = out.splitlines()
    # By hand (tests/metrics/dataset.py): AcmeHelp answers 1 of 3 (message 1, after 30 minutes); Acme 2 of 4
    # (5 after 20 minutes, 11 before its parent: excluded) with posts of 1,000 and 500 impressions.
    assert any("AcmeHelp" in line and "Response rate" in line and "33.3%" in line for line in lines)
    assert any("AcmeHelp" in line and "Median first response" in line and "30 min" in line for line in lines)
    assert any("Acme " in line and "Response rate" in line and "50.0%" in line for line in lines)
    assert any("Acme " in line and "Impressions" in line and "1,500" in line for line in lines)


def test_account_and_platform_filters_in_json_csv_and_table(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(ws, monkeypatch, capsys, "--account", "@acmehelp", "--metric", "inbound_messages",
                 "--metric", "response_rate")
    assert {r["metric"]: r["value"] for r in rows} == {"inbound_messages": 3, "response_rate": pytest.approx(1 / 3)}
    code, out, _ = run(["measure", "--platform", "facebook", "--metric", "posts", "--metric", "impressions",
                        "--format", "csv", "--workspace", str(ws)], monkeypatch, capsys)
    assert code == 0
    values = {r["metric"]: r["value"] for r in csv.DictReader(io.StringIO(out))}
    assert values == {"posts": "1", "impressions": "200"}  # post 15 alone
    table = _table(ws, monkeypatch, capsys, 80, "--platform", "facebook", "--metric", "posts")
    assert "--platform facebook" in table.splitlines()[0]
    assert "Data quality (whole workspace)" in table


def test_a_filter_that_matches_nothing_says_so(ws: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = _table(ws, monkeypatch, capsys, 80, "--account", "@nobody")
    assert "Nothing measured for --account @nobody" in out


def test_an_account_the_plan_does_not_own_is_named_with_the_ones_it_does(
        ws: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # c1 writes on X, where the plan owns @Acme and @AcmeHelp only: its messages are the audience's.
    out = _table(ws, monkeypatch, capsys, 200, "--account", "c1")
    assert "Nothing measured for --account c1." in out
    assert ("--account c1: the plan does not own it on x (its x accounts: Acme, AcmeHelp), so nothing of it is "
            "measured; add it to the plan's accounts to measure it.") in out
    assert "check the spelling" not in out
    code, _, err = run(["measure", "--account", "c1", "--format", "csv", "--workspace", str(ws)], monkeypatch,
                       capsys)
    assert code == 0 and "--account c1: the plan does not own it on x" in err
