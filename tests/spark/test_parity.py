"""Spark and DuckDB give the same measurement: every metric, every --by and --period, on a simulated
organisation with real exports beside it (twcs sample, rOpenSci X analytics), and on the UCI file (dated to
the month only). Each (by, period) is one `measure` call with every metric of the registry.

All of it is ONE test on purpose: with pytest 9.2, pytest-xdist 3.8's `xdist_group` no longer keeps tests on
one worker (it rewrites `item._nodeid`, which pytest 9.2 no longer reads), and every worker that ran a Spark
test would start its own JVM and rebuild the workspaces. Failures name each (dataset, by, period) that differs.

The DuckDB side is the workspace's own warehouse (`Workspace.measure`); the Spark side reads the Parquet
export through `measure` with the same plan. A third run of the same export on DuckDB checks the export alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from strategyfirst import Workspace
from strategyfirst.cli import app
from strategyfirst.errors import MeasureError
from strategyfirst.metrics import BY_CHOICES, PERIODS, MeasureResult, measure
from strategyfirst.warehouse.dataset import Dataset, open_tables
from tests.spark.parity import differences

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]
COMBOS = [(by, period) for by in BY_CHOICES for period in PERIODS]


class Exported:
    """A workspace, its Parquet export, and the export's tables opened once on Spark and on DuckDB."""

    def __init__(self, ws: Workspace, out: Path, spark: Any) -> None:
        self.ws = ws
        ws.export(out)
        self.dataset = Dataset.open(out)
        self.plan = self.dataset.plan()
        self.spark_tables = open_tables(self.dataset, "spark", session=spark, cache=True)
        self.duck_tables = open_tables(self.dataset, "duckdb")

    def both(self, by: str, period: str) -> tuple[MeasureResult, MeasureResult, MeasureResult]:
        warehouse = self.ws.measure(by=by, period=period)
        return (warehouse, measure(self.spark_tables, self.plan, by, period),
                measure(self.duck_tables, self.plan, by, period))


@pytest.fixture(scope="module")
def combined(combined_ws: Workspace, spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    return Exported(combined_ws, tmp_path_factory.mktemp("combined-export") / "parquet", spark)


@pytest.fixture(scope="module")
def uci(uci_ws: Workspace, spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    return Exported(uci_ws, tmp_path_factory.mktemp("uci-export") / "parquet", spark)


def _compare(exported: Exported, by: str, period: str) -> tuple[list[str], MeasureResult]:
    warehouse, on_spark, on_duck = exported.both(by, period)
    problems = [f"spark: {d}" for d in differences(warehouse, on_spark)]
    problems += [f"duckdb over parquet: {d}" for d in differences(warehouse, on_duck)]
    if not any(r["value"] is not None for r in warehouse.rows):  # comparing nulls alone proves nothing
        problems.append("no value at all")
    return problems, warehouse


def _combined_problems(combined: Exported) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for by, period in COMBOS:
        problems, result = _compare(combined, by, period)
        real = [r for r in result.rows if r["period"] == "all" or r["period"] < "2026"]
        simulated = [r for r in result.rows if r["period"] == "all" or r["period"] >= "2026"]
        if not (any(r["value"] is not None for r in real) and any(r["value"] is not None for r in simulated)):
            problems.append("real or simulated rows carry no value")
        if by == "account":
            keys = {str(r["key"]).lower() for r in result.rows if r["value"] is not None}
            if not {"applesupport", "ropensci", "northwindhelp"} <= keys:
                problems.append(f"accounts with values: {sorted(keys)}")
        found[f"combined --by {by} --period {period}"] = problems
    # --since/--until compare timestamps with date literals: the same window on both engines.
    args = ("tactic", "week", "2026-03-01", "2026-04-15")
    warehouse, on_spark = combined.ws.measure(*args), measure(combined.spark_tables, combined.plan, *args)
    window = differences(warehouse, on_spark)
    if {r["period"] for r in on_spark.rows} != {f"2026-W{w:02d}" for w in range(9, 17)}:
        window.append(f"periods {sorted({r['period'] for r in on_spark.rows})}")
    found["combined --since 2026-03-01 --until 2026-04-15"] = window
    return found


def _uci_problems(uci: Exported) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for by in ("none", "account", "platform"):
        for period in ("all", "month"):
            found[f"uci --by {by} --period {period}"] = _compare(uci, by, period)[0]
    for period in ("day", "week"):  # dated only to the month: both engines refuse, with the same words
        messages = []
        for run in (lambda p: uci.ws.measure(period=p),
                    lambda p: measure(uci.spark_tables, uci.plan, "none", p)):
            try:
                run(period)
                messages.append("no error")
            except MeasureError as exc:
                messages.append(str(exc))
        ok = messages[0] == messages[1] and "dated only to the month" in messages[0]
        found[f"uci --period {period} refused"] = [] if ok else messages
    return found


def _cli_problems(shared_data: Path, tmp_path: Path) -> list[str]:
    """The done-when: `export`, then `measure --engine spark --data` prints the DuckDB engine's JSON."""
    ws = Workspace(tmp_path / "ws").ensure()
    ws.ingest([shared_data / "twcs" / "sample.csv"])
    runner = CliRunner()
    exported = runner.invoke(app, ["export", "--format", "parquet", "--out", str(tmp_path / "p"), "-w",
                                   str(ws.root)])
    if exported.exit_code != 0:
        return [f"export: {exported.output}"]
    args = ["measure", "--by", "account", "--period", "day", "--format", "json"]
    on_duckdb = runner.invoke(app, [*args, "-w", str(ws.root)])
    on_spark = runner.invoke(app, [*args, "--engine", "spark", "--data", str(tmp_path / "p")])
    if on_duckdb.exit_code != 0 or on_spark.exit_code != 0:
        return [f"exit codes {on_duckdb.exit_code}, {on_spark.exit_code}: {on_spark.output[-500:]}"]
    left, right = json.loads(on_duckdb.stdout), json.loads(on_spark.stdout)
    problems = differences(MeasureResult(left["rows"], left["data_quality"]),
                           MeasureResult(right["rows"], right["data_quality"]))
    if not any(r["metric"] == "response_rate" and r["key"] == "AppleSupport" and r["value"] is not None
               for r in right["rows"]):
        problems.append("no response rate for AppleSupport")
    return problems


def test_spark_gives_the_duckdb_values(combined: Exported, uci: Exported, shared_data: Path,
                                       tmp_path: Path) -> None:
    """Every metric × --by × --period (and a --since/--until window) on both engines, the UCI refusals,
    and the CLI round trip export → measure --engine spark."""
    found = {**_combined_problems(combined), **_uci_problems(uci),
             "cli export + measure --engine spark (twcs sample)": _cli_problems(shared_data, tmp_path)}
    assert len(found) == len(COMBOS) + 1 + 6 + 2 + 1
    failing = {name: problems for name, problems in found.items() if problems}
    assert failing == {}
