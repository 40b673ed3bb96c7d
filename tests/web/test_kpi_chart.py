"""The KPI charts' Vega-Lite specs (QA: the permission objective's audience growth chart showed one dot on an
x axis of October to December, no forecast though the text gave one, a caption promising "the forecast with its
80% interval", and the browser warned `Infinite extent for field "low"/"high"`; README promises an expected
pace on KPI charts).

On kpi_chart_env.py's workspace (horizon 2026-01-01 to 2026-06-30): audience growth -1 on 2026-02-20, forecast
without an interval; engagement rate 3.0% in January and 2.0% in February, forecast with its 80% interval.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from strategyfirst.appdb import dispose
from tests.web.drill_env import DrillEnv, build_drill
from tests.web.kpi_chart_env import AUDIENCE, KPI_PLAN


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DrillEnv]:
    root = tmp_path_factory.mktemp("kpi-chart")
    built = build_drill(root, plan=KPI_PLAN)
    (root / "audience.csv").write_text(AUDIENCE, encoding="utf-8")
    built.ws.ingest([root / "audience.csv"])
    yield built
    dispose(f"sqlite:///{root / 'app.sqlite'}")


@pytest.fixture(scope="module")
def viewer(env: DrillEnv) -> TestClient:
    return env.login()


def specs(html: str) -> dict[str, dict[str, Any]]:
    """The page's chart specs by title."""
    found = [json.loads(s) for s in re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>', html,
                                               re.S)]
    return {s["title"]: s for s in found}


def layers(spec: dict[str, Any], mark: str, dash: list[int] | None = None) -> list[dict[str, Any]]:
    return [la for la in spec["layer"] if la["mark"]["type"] == mark
            and (dash is None or la["mark"].get("strokeDash") == dash)]


def values(layer: dict[str, Any]) -> list[tuple[str, float]]:
    return [(v["period"][:10], v["value"]) for v in layer["data"]["values"]]


@pytest.mark.parametrize("path", ["/w/drill/objectives/permission", "/w/drill/dashboard"])
def test_a_forecast_without_interval_draws_its_line_and_no_band(viewer: TestClient, path: str) -> None:
    spec = specs(viewer.get(path).text)["permission: Audience growth"]
    # no band without an interval (its null low/high were the browser's "Infinite extent" warnings)
    assert layers(spec, "area") == []
    # the dashed forecast continues the one measured point, -1 on 2026-02-20, to -7.5 at the deadline
    (forecast,) = layers(spec, "line", [4, 3])
    assert values(forecast)[0] == ("2026-02-20", -1.0) and values(forecast)[-1][0] == "2026-06-30"
    assert all(set(v) == {"period", "value"} for v in forecast["data"]["values"])
    caption = spec["usermeta"]["caption"]
    assert "80% interval" not in caption and "dashed: the forecast (no interval yet" in caption


@pytest.mark.parametrize("path", ["/w/drill/objectives/permission", "/w/drill/dashboard"])
def test_the_x_axis_is_the_horizon_and_a_paced_kpi_shows_its_expected_pace(viewer: TestClient, path: str) -> None:
    spec = specs(viewer.get(path).text)["permission: Audience growth"]
    # an unseen layer holds the horizon's first and last days, so the x axis spans it
    (horizon,) = [la for la in spec["layer"] if la["mark"] == {"type": "point", "opacity": 0}]
    assert horizon["data"]["values"] == [{"period": "2026-01-01"}, {"period": "2026-06-30"}]
    # audience growth paces from its baseline 0 at the horizon's start to its target 100 at the deadline
    (pace,) = layers(spec, "line", [1, 3])
    assert values(pace) == [("2026-01-01", 0.0), ("2026-06-30", 100.0)]
    assert "dotted: the expected pace, 0 at 2026-01-01 to the target at 2026-06-30" in spec["usermeta"]["caption"]


def test_a_forecast_with_its_interval_draws_the_band_from_the_last_point(viewer: TestClient) -> None:
    spec = specs(viewer.get("/w/drill/objectives/engage").text)["engage: Engagement rate"]
    (band,) = layers(spec, "area")
    first = band["data"]["values"][0]
    # the band fans out from February's 2.0% (10 of 500), the last measured month
    assert (first["period"], first["value"], first["low"], first["high"]) == ("2026-02-01", 0.02, 0.02, 0.02)
    assert all(v["low"] is not None and v["high"] is not None for v in band["data"]["values"])
    assert "dashed: the forecast with its 80% interval" in spec["usermeta"]["caption"]
    assert layers(spec, "line", [1, 3]) == []  # a ratio holds its target: no pace


def test_the_downloaded_chart_spans_the_horizon(viewer: TestClient) -> None:
    svg = viewer.get("/w/drill/charts/kpi/permission/audience_growth.svg").text
    labels = re.findall(r"<text[^>]*>([^<]+)</text>", svg)
    # January 1st is labelled with its year; the data start on February 20th
    assert "2026" in labels and "June" in labels
