"""The simulated exports import with `--source auto`, every row accepted; measure finds the built-in truth."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from strategyfirst import Workspace
from strategyfirst.simulate import SimulationSummary, simulate
from tests.conftest import require

pytestmark = pytest.mark.slow  # sixteen imports, each refreshing the derived tables

EXPECTED_SOURCE = {"twcs": "twcs", "x-analytics": "x-analytics",
                   "facebook-insights-posts": "facebook-insights-posts", "audience-csv": "audience-csv",
                   "spend-csv": "spend-csv", "meta-posts": "meta-posts",
                   "mailchimp-members": "mailchimp-members", "mailchimp-campaigns": "mailchimp-campaigns",
                   "ga4-export": "ga4-export"}
# Sources whose rows are not the file's lines: members are counted per day, GA4 keeps its traffic tables only.
NOT_PER_LINE = ("mailchimp-members", "ga4-export")


def _data_rows(path: Path, group: str) -> int:
    encoding = "utf-8-sig" if group == "facebook-insights-posts" else "utf-8"
    with path.open(encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh))
    return len(rows) - (2 if group == "facebook-insights-posts" else 1)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[SimulationSummary, Workspace, dict[str, Any]]:
    require(importlib.util.find_spec("strategyfirst.warehouse.ingest") is not None,
            "the importers (strategyfirst.warehouse.ingest) are not there yet")
    summary = simulate(tmp_path_factory.mktemp("ingest") / "org", events=4000, seed=3)
    ws = Workspace(summary.out)
    result = ws.ingest(summary.exports, source="auto")
    return summary, ws, json.loads(result.to_json())


def test_every_file_detected_and_every_row_accepted(imported: tuple[SimulationSummary, Workspace,
                                                                     dict[str, Any]]) -> None:
    summary, _, result = imported
    by_file = {Path(f["file"]).name: f for f in result["files"]}
    assert len(by_file) == len(summary.exports)
    for group, paths in summary.files.items():
        for path in paths:
            if path not in summary.exports:
                continue  # the TikTok and LinkedIn files need --year / --account (ingest_into gives them)
            row = by_file[path.name]
            assert row["source"] == EXPECTED_SOURCE[group], path.name
            assert row["rows_rejected"] == 0, (path.name, row)
            if group in NOT_PER_LINE:
                assert row["rows_read"] == row["rows_new"] > 0, path.name
            else:
                assert row["rows_read"] == row["rows_new"] == _data_rows(path, group), path.name


Imported = tuple[SimulationSummary, Workspace, dict[str, Any]]


def test_messages_land_with_owned_flags(imported: Imported) -> None:
    summary, ws, _ = imported
    counts = summary.truth["counts"]
    messages = ws.table("messages")
    rows = messages.group_by("platform").aggregate(n=messages.count()).to_pyarrow().to_pylist()
    by_platform = {r["platform"]: r["n"] for r in rows}
    assert by_platform == {"x": counts["twcs"] + counts["x_analytics"], "facebook": counts["facebook_posts"],
                           "instagram": counts["instagram_posts"],
                           "email": summary.truth["email_campaigns"]["campaigns"]}
    inbound = sum(a["inbound_messages"] for a in summary.truth["accounts"].values())
    not_owned = messages.filter(~messages.owned).count().to_pyarrow().as_py()
    assert not_owned == inbound


def test_measure_finds_the_built_in_response_rates(imported: tuple[SimulationSummary, Workspace,
                                                                    dict[str, Any]]) -> None:
    summary, ws, _ = imported
    require(hasattr(ws, "measure"), "Workspace.measure is not there yet")
    frame = ws.measure(by="account", period="all",
                       metrics=["response_rate", "first_response_minutes_median"]).to_pandas()
    for handle, truth in summary.truth["accounts"].items():
        rows = frame[frame["key"].astype(str).str.lstrip("@").str.lower() == handle.lower()]
        got = {r.metric: r.value for r in rows.itertuples()}
        assert got["response_rate"] == pytest.approx(truth["response_rate"], abs=1e-6), handle
        assert got["first_response_minutes_median"] == pytest.approx(
            truth["first_response_minutes_median"], abs=1e-4), handle


def test_instagram_posts_measure_as_the_truth_says(imported: Imported) -> None:
    summary, ws, _ = imported
    want = summary.truth["platforms"]["instagram"]
    messages = ws.table("messages")
    ig = messages.filter(messages.platform == "instagram")
    got = ig.aggregate(n=ig.count(), imp=ig.impressions.sum(), eng=ig.engagements.sum(),
                       accounts=ig.account.nunique()).to_pyarrow().to_pylist()[0]
    assert (got["n"], got["imp"], got["eng"], got["accounts"]) == (
        want["posts"], want["impressions"], want["engagements"], 1)
    frame = ws.measure(by="tactic", period="all", metrics=["engagement_rate"]).to_pandas()
    rate = frame[frame["key"] == "instagram-reels"]["value"].tolist()
    assert rate == [pytest.approx(want["engagements"] / want["impressions"], abs=1e-9)]
    assert rate[0] < 0.02  # far below the awareness target of 4%, as built
