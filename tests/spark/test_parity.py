"""Spark and DuckDB give the same measurement: every metric, every --by and --period, on a simulated
organisation and on real exports. Each (by, period) is one `measure` call with every metric of the registry.

The DuckDB side is the workspace's own warehouse (`Workspace.measure`); the Spark side reads the Parquet
export through `measure` with the same plan. A third run of the same export on DuckDB checks the export alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from strategyfirst import Workspace
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
def sim(simulated_ws: Workspace, spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    return Exported(simulated_ws, tmp_path_factory.mktemp("sim-export") / "parquet", spark)


@pytest.fixture(scope="module")
def real(real_ws: Workspace, spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    return Exported(real_ws, tmp_path_factory.mktemp("real-export") / "parquet", spark)


@pytest.fixture(scope="module")
def uci(uci_ws: Workspace, spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    return Exported(uci_ws, tmp_path_factory.mktemp("uci-export") / "parquet", spark)


def _check(exported: Exported, by: str, period: str) -> MeasureResult:
    warehouse, on_spark, on_duck = exported.both(by, period)
    assert differences(warehouse, on_spark) == []
    assert differences(warehouse, on_duck) == []
    return warehouse


@pytest.mark.parametrize(("by", "period"), COMBOS)
def test_simulated_parity(sim: Exported, by: str, period: str) -> None:
    result = _check(sim, by, period)
    assert any(r["value"] is not None for r in result.rows)  # a comparison of nulls proves nothing


@pytest.mark.parametrize(("by", "period"), COMBOS)
def test_real_twcs_and_x_analytics_parity(real: Exported, by: str, period: str) -> None:
    result = _check(real, by, period)
    assert any(r["value"] is not None for r in result.rows)


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
