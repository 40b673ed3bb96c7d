"""The hand-made organisation in a real DuckDB warehouse, derived tables refreshed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from strategyfirst.plan import Plan, loads
from strategyfirst.warehouse import derive
from strategyfirst.warehouse.engine import ibis_backend
from tests.metrics import dataset
from tests.metrics.helpers import warehouse


@dataclass
class Org:
    con: duckdb.DuckDBPyConnection
    msgs: list[dict[str, Any]]  # with VADER scores of non-owned texts, for the references
    plan: Plan

    @property
    def backend(self) -> Any:
        return ibis_backend(self.con)


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    tmp_path: Path = tmp_path_factory.mktemp("org")
    msgs = dataset.messages()
    con = warehouse(tmp_path, msgs, audience=dataset.audience(), spend=dataset.spend())
    plan = loads(dataset.PLAN_YAML, "strategy.yaml").plan
    derive.refresh(con, plan)
    vader = SentimentIntensityAnalyzer()
    for m in msgs:
        scored = not m["owned"] and m["text"]
        m["sentiment"] = vader.polarity_scores(m["text"])["compound"] if scored else None
    yield Org(con, msgs, plan)
    con.close()
