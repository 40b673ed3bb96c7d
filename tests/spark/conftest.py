"""One local Spark session per test run, and the workspaces the parity tests export and measure twice.

Every test here is marked `spark` and runs in the xdist group "spark", so only one worker starts a JVM.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strategyfirst import Workspace
from tests.conftest import require

# Tactics over the real files' accounts, so that --by tactic and --by objective run on real data too.
REAL_PLAN = """\
version: 1
organisation: Real exports
owner: Test Owner <owner@example.org>
horizon: {start: 2012-01-01, end: 2022-12-31}
budget: {total: 3000, currency: EUR}
accounts:
  x: ["@AppleSupport", "@SpotifyCares", "@Tesco", "@rOpenSci"]
strategy:
  statement: Keep a dialogue with the people who use our products and tools.
  audiences: [customers, research software users]
objectives:
  - id: dialogue
    statement: Answer customers where they talk to us
    kpis:
      - {metric: response_rate, target: 0.9}
  - id: community
    statement: Grow the research software community
    kpis:
      - {metric: engagement_rate, target: 0.02}
tactics:
  - id: apple-care
    channel: x
    serves: [dialogue]
    owner: Test Owner
    budget: 1000
    match: {accounts: ["@AppleSupport"]}
  - id: retail-care
    channel: x
    serves: [dialogue]
    owner: Test Owner
    budget: 1000
    match: {accounts: ["@SpotifyCares", "@Tesco"]}
  - id: ropensci-news
    channel: x
    serves: [community, dialogue]
    owner: Test Owner
    budget: 1000
    match: {accounts: ["@rOpenSci"]}
"""


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The one local Spark session of the run (2 cores, UTC, no UI)."""
    require(shutil.which("java") is not None, "java not found (Spark needs a JRE 17+)")
    pytest.importorskip("pyspark")
    from strategyfirst.warehouse.spark_engine import spark_session

    session = spark_session(master="local[2]", conf={"spark.sql.shuffle.partitions": "2"})
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _ingest_each(ws: Workspace, files: list[Path]) -> None:
    for f in files:
        ws.ingest([f])


@pytest.fixture(scope="session")
def simulated_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A simulated organisation of ~20k messages (every export format the simulator writes), ingested."""
    from strategyfirst.simulate import simulate

    root = tmp_path_factory.mktemp("spark-sim")
    summary = simulate(root / "sim", events=20_000, seed=11)
    ws = Workspace(root / "ws").ensure()
    shutil.copy(summary.plan, ws.plan_path)
    _ingest_each(ws, sorted(p for paths in summary.files.values() for p in paths))
    return ws


@pytest.fixture(scope="session")
def real_ws(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Workspace:
    """The twcs sample and rOpenSci's X analytics exports (dated to the second), with a plan over them."""
    ws = Workspace(tmp_path_factory.mktemp("spark-real")).ensure()
    ws.plan_path.write_text(REAL_PLAN, encoding="utf-8")
    _ingest_each(ws, [shared_data / "twcs" / "sample.csv",
                      *sorted((shared_data / "x-analytics" / "rOpenSci").glob("*.csv"))])
    return ws


@pytest.fixture(scope="session")
def uci_ws(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Workspace:
    """The UCI Facebook metrics file: posts dated only to the month, page likes per post."""
    ws = Workspace(tmp_path_factory.mktemp("spark-uci")).ensure()
    _ingest_each(ws, [shared_data / "uci-facebook-metrics" / "dataset_Facebook.csv"])
    return ws
