"""The registry covers the catalogue, and every metric of metrics.md is documented there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from strategyfirst.catalog import METRIC_IDS
from strategyfirst.metrics import ORDER, REGISTRY
from tests.conftest import SHARED_DATA, require

SPEC = SHARED_DATA.parent / "spec" / "metrics.md"


def test_registry_has_every_catalogue_metric() -> None:
    assert set(REGISTRY) == set(METRIC_IDS)
    assert ORDER == METRIC_IDS


# Metrics the spec lists for sources not written yet (issue 15: email campaigns, GA4 site traffic, Ads Manager
# results). Implementing one means removing it here: the test then requires it in the registry.
PLANNED: set[str] = set()


def test_every_spec_metric_is_in_the_registry_and_back() -> None:
    require(SPEC.is_file(), f"spec not found at {SPEC}")
    # A row's first cell names one id or several (`likes`, `comments`, `shares`, `saves` share a formula).
    cells = re.findall(r"^\| (`[a-z_0-9]+`(?:, `[a-z_0-9]+`)*) \|", SPEC.read_text(encoding="utf-8"), flags=re.M)
    ids = {i for cell in cells for i in re.findall(r"`([a-z_0-9]+)`", cell)}
    assert ids >= PLANNED and PLANNED.isdisjoint(REGISTRY)
    assert ids - PLANNED == set(REGISTRY)


@pytest.mark.parametrize("metric_id", METRIC_IDS)
def test_each_entry_reads_only_known_bases(metric_id: str) -> None:
    from strategyfirst.metrics.types import BASES

    assert set(REGISTRY[metric_id].parts) <= set(BASES)
    assert REGISTRY[metric_id].quotient == (REGISTRY[metric_id].spec.unit == "ratio"
                                             or metric_id.startswith("cost_per_"))


def test_no_backend_imports_under_metrics() -> None:
    folder = Path(__file__).resolve().parents[2] / "src" / "strategyfirst" / "metrics"
    for path in folder.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+(duckdb|pyspark)\b", text, flags=re.M), path.name
