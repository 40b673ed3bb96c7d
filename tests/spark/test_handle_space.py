"""The handle's normal form on Spark: the same white space trimmed as in Python and on DuckDB (the regex class of
the characters themselves, and `ascii` of a first or last character, mean the same in Java)."""

from __future__ import annotations

from typing import Any

import pytest

from strategyfirst.warehouse.attribution import handle
from strategyfirst.warehouse.spark_engine import spark_backend
from tests.warehouse.test_handle_space import TABLE

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]


def test_spark_trims_the_space_python_trims(spark: Any) -> None:
    rows = [(i, platform, raw) for i, (platform, raw, _) in enumerate(TABLE)]
    spark.createDataFrame(rows, "i long, platform string, account string").createOrReplaceTempView("handles")
    backend = spark_backend(spark)
    t = backend.table("handles")
    got = backend.execute(t.select("i", h=handle(t.account, t.platform)).order_by("i"))["h"].tolist()
    assert got == [normal for _, _, normal in TABLE]
