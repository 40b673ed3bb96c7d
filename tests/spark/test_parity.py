"""Spark and DuckDB give the same measurement: every metric, every --by and --period, on a simulated
organisation with real exports beside it (twcs sample, rOpenSci X analytics), and on the UCI file (dated to
the month only). Each (by, period) is one `measure` call with every metric of the registry.

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


def _check(exported: Exported, by: str, period: str) -> MeasureResult:
    warehouse, on_spark, on_duck = exported.both(by, period)
    assert differences(warehouse, on_spark) == []
    assert differences(warehouse, on_duck) == []
    return warehouse


@pytest.mark.parametrize(("by", "period"), COMBOS)
def test_simulated_and_real_parity(combined: Exported, by: str, period: str) -> None:
    result = _check(combined, by, period)
    real = [r for r in result.rows if r["period"] == "all" or r["period"] < "2026"]
    simulated = [r for r in result.rows if r["period"] == "all" or r["period"] >= "2026"]
    # Comparisons of nulls prove nothing: both the real and the simulated rows carry values.
    assert any(r["value"] is not None for r in real) and any(r["value"] is not None for r in simulated)
    if by == "account":
        keys = {str(r["key"]).lower() for r in result.rows if r["value"] is not None}
        assert {"applesupport", "ropensci", "northwindhelp"} <= keys


@pytest.mark.parametrize(("by", "period"), [(b, p) for b in ("none", "account", "platform")
                                            for p in ("all", "month")])
def test_real_uci_parity(uci: Exported, by: str, period: str) -> None:
    result = _check(uci, by, period)
    assert any(r["value"] is not None for r in result.rows)


@pytest.mark.parametrize("period", ["day", "week"])
def test_uci_finer_than_month_refused_alike(uci: Exported, period: str) -> None:
    with pytest.raises(MeasureError) as on_duckdb:
        uci.ws.measure(period=period)
    with pytest.raises(MeasureError) as on_spark:
        measure(uci.spark_tables, uci.plan, "none", period)
    assert str(on_spark.value) == str(on_duckdb.value)
    assert "dated only to the month" in str(on_spark.value)


def test_cli_export_then_spark_gives_the_duckdb_json_on_the_twcs_sample(
        spark: Any, shared_data: Path, tmp_path: Path) -> None:
    """The done-when: `export`, then `measure --engine spark --data` prints the DuckDB engine's JSON."""
    ws = Workspace(tmp_path / "ws").ensure()
    ws.ingest([shared_data / "twcs" / "sample.csv"])
    runner = CliRunner()
    exported = runner.invoke(app, ["export", "--format", "parquet", "--out", str(tmp_path / "p"), "-w",
                                   str(ws.root)])
    assert exported.exit_code == 0, exported.output
    args = ["measure", "--by", "account", "--period", "day", "--format", "json"]
    on_duckdb = runner.invoke(app, [*args, "-w", str(ws.root)])
    on_spark = runner.invoke(app, [*args, "--engine", "spark", "--data", str(tmp_path / "p")])
    assert on_duckdb.exit_code == on_spark.exit_code == 0, on_spark.output
    left, right = json.loads(on_duckdb.stdout), json.loads(on_spark.stdout)
    assert differences(MeasureResult(left["rows"], left["data_quality"]),
                       MeasureResult(right["rows"], right["data_quality"])) == []
    assert any(r["metric"] == "response_rate" and r["key"] == "AppleSupport" and r["value"] is not None
               for r in right["rows"])
