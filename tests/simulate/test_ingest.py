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
from strategyfirst.simulate import SimulationSummary, ingest_simulated, simulate, simulated_files
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
    # as bench/run.py imports them, from the folder alone (truth.json lists the files and the options they need)
    files = simulated_files(summary.out)
    assert files == summary.files
    result = ingest_simulated(ws, files)  # auto-detected; LinkedIn and TikTok with --account/--year
    return summary, ws, json.loads(result.to_json())


def test_every_file_detected_and_every_row_accepted(imported: tuple[SimulationSummary, Workspace,
                                                                     dict[str, Any]]) -> None:
    summary, _, result = imported
    by_file = {Path(f["file"]).name: f for f in result["files"]}
    assert len(by_file) == len(summary.every_file)
    assert {f["status"] for f in result["files"]} == {"imported"}
    assert summary.truth["ingest_options"] == {"linkedin-content": {"account": "Northwind Cycles"},
                                               "tiktok-analytics": {"year": 2026, "account": "northwindcycles"}}
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
                           "instagram": counts["instagram_posts"], "tiktok": counts["tiktok_posts"],
                           "linkedin": counts["linkedin_posts"], "email": summary.truth["email_campaigns"]["campaigns"]}
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
        # the built-in dialogue is on X: the TikTok account of the same name (northwindcycles) is another account
        rows = frame[(frame["key"].astype(str).str.lstrip("@").str.lower() == handle.lower())
                     & (frame["platform"] == "x")]
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


def test_newsletter_campaigns_and_site_match_the_truth(imported: Imported) -> None:
    """The Mailchimp and GA4 files re-read by the importers give back what the simulator built."""
    summary, ws, _ = imported
    truth = summary.truth
    in_horizon = {"since": "2026-01-01", "until": "2026-12-31"}
    result = ws.measure(metrics=["audience_gained", "audience_lost", "audience_growth", "social_sessions",
                                 "social_conversions", "email_sessions", "email_open_rate"], by="tactic",
                        **in_horizon)
    letter = truth["audience"]["email:newsletter"]
    assert result.value("audience_gained", "newsletter") == letter["gained"]
    assert result.value("audience_lost", "newsletter") == letter["lost"]
    assert result.value("audience_growth", "newsletter") == letter["net_change_sum_of_deltas"]
    campaigns = truth["email_campaigns"]
    assert result.value("email_open_rate", "newsletter") == pytest.approx(
        campaigns["unique_opens"] / campaigns["deliveries"])
    overall = ws.measure(metrics=["social_sessions", "social_conversions", "email_sessions"], **in_horizon)
    site = truth["site"]
    assert overall.value("social_sessions") == site["social_sessions"]
    assert overall.value("social_conversions") == site["social_conversions"]
    assert overall.value("email_sessions") == site["email_sessions"]
    # the newsletter tactic (channel email) gets the visits of medium email
    assert result.value("email_sessions", "newsletter") == site["email_sessions"]
    # the list's size on the export day: the subscribed members
    size = ws.measure(metrics=["audience_size"], by="account").value("audience_size", "newsletter")
    assert size == letter["last_value"]


def test_member_addresses_never_reach_the_warehouse(imported: Imported) -> None:
    """Privacy: no simulated address, nor its local part, in any table of the warehouse."""
    from strategyfirst.simulate.permission import address

    _, ws, _ = imported
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        for table in tables:
            text = con.execute(f'SELECT string_agg(CAST(t AS VARCHAR), chr(10)) FROM "{table}" AS t').fetchone()
            blob = (text[0] if text else None) or ""
            assert "riders.northwind.example" not in blob and address(7).split("@")[0] not in blob, table
    finally:
        con.close()


def test_tiktok_and_linkedin_land_as_the_truth_says(imported: Imported) -> None:
    summary, ws, _ = imported
    messages = ws.table("messages")
    for platform, views in (("tiktok", "video_views"), ("linkedin", "impressions")):
        want = summary.truth["platforms"][platform]
        rows = messages.filter(messages.platform == platform)
        got = rows.aggregate(n=rows.count(), views=rows[views].sum(), eng=rows.engagements.sum(),
                             accounts=rows.account.nunique()).to_pyarrow().to_pylist()[0]
        assert (got["n"], got["views"], got["eng"], got["accounts"]) == (
            want["posts"], want["impressions"], want["engagements"], 1), platform
    audience = ws.table("audience")
    for platform in ("tiktok", "linkedin"):
        want = summary.truth["platforms"][platform]
        rows = audience.filter((audience.platform == platform) & (audience.metric == "followers"))
        last = rows.order_by(rows.date.desc()).limit(1).to_pyarrow().to_pylist()[0]
        assert last["value"] == want["followers_last"], platform


def test_ads_manager_export_beside_the_exports_holds_the_boosts_money(imported: Imported, tmp_path: Path) -> None:
    """The Ads Manager export (not imported by the demo: spend.csv holds the same money) imported alone gives
    the ride-stories spend of the truth, its account-total row skipped, and cost per result = spend / results."""
    summary, _, _ = imported
    ads = summary.truth["ads"]
    assert ads["spend"] == pytest.approx(summary.truth["spend"]["ride-stories"], abs=0.005)
    assert not any(p.name == ads["file"] for p in summary.every_file)
    ws = Workspace(tmp_path / "ads")
    result = json.loads(ws.ingest(summary.extra["meta-ads"]).to_json())
    assert [f["source"] for f in result["files"]] == ["meta-ads"]
    measured = ws.measure(metrics=["spend", "cost_per_result"])
    assert measured.value("spend") == pytest.approx(ads["spend"], abs=0.005)
    assert measured.value("cost_per_result") == pytest.approx(ads["spend"] / ads["results"])
