"""One local Spark session per test run, and the workspaces the parity tests export and measure twice.

Every test here is marked `spark` and runs in the xdist group "spark", so only one worker starts a JVM.
"""

from __future__ import annotations

import io
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

    # Tiny data: one shuffle partition, no adaptive re-planning, no code generation (its compile time
    # dominates queries of a few thousand rows).
    session = spark_session(master="local[2]", conf={
        "spark.sql.shuffle.partitions": "1", "spark.sql.adaptive.enabled": "false",
        "spark.sql.codegen.wholeStage": "false"})
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _with_real_tactics(plan_text: str) -> str:
    """The simulated plan plus the real files' accounts, an objective and tactics over them."""
    from ruamel.yaml import YAML

    yaml = YAML()
    plan = yaml.load(plan_text)
    real = yaml.load(REAL_PLAN)
    plan["accounts"]["x"] = [*plan["accounts"]["x"], *real["accounts"]["x"]]
    plan["objectives"].append(real["objectives"][1])
    plan["tactics"].extend(real["tactics"])
    buffer = io.StringIO()
    yaml.dump(plan, buffer)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def combined_ws(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Workspace:
    """A simulated organisation of ~20k messages (2026) and the real twcs sample (2017) and rOpenSci X
    analytics exports (2017-2021) in one workspace, with tactics over both: real and simulated rows fall in
    different accounts and periods, so one measurement per (by, period) checks both on Spark."""
    from strategyfirst.simulate import simulate

    root = tmp_path_factory.mktemp("spark-combined")
    summary = simulate(root / "sim", events=20_000, seed=11)
    ws = Workspace(root / "ws").ensure()
    ws.plan_path.write_text(_with_real_tactics(summary.plan.read_text(encoding="utf-8")), encoding="utf-8")
    summary.ingest_into(ws)  # as the demo and the benchmark import them (LinkedIn, TikTok with their options)
    ws.ingest([shared_data / "twcs" / "sample.csv",
               *sorted((shared_data / "x-analytics" / "rOpenSci").glob("*.csv"))])
    return ws


@pytest.fixture(scope="session")
def uci_ws(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Workspace:
    """The UCI Facebook metrics file: posts dated only to the month, page likes per post."""
    ws = Workspace(tmp_path_factory.mktemp("spark-uci")).ensure()
    ws.ingest([shared_data / "uci-facebook-metrics" / "dataset_Facebook.csv"], account="Cosmetics")
    return ws
