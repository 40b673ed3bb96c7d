"""All 60 rOpenSci analytics.twitter.com exports: every figure per account and per month against `measure`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from strategyfirst.warehouse.ingest import IngestResult
from strategyfirst.workspace import Workspace
from tests.cli.support import run
from tests.truth import reference as ref
from tests.truth.support import BYS, check, mismatches, params

METRICS = ["posts", "impressions", "engagements", "likes", "comments", "shares", "follows_from_posts",
           "engagement_rate", "click_through_rate", "amplification_rate"]


def files(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "x-analytics/rOpenSci").glob("*.csv"))


@pytest.fixture(scope="module")
def records(shared_data: Path) -> list[ref.Record]:
    return ref.x_analytics(files(shared_data))


@pytest.fixture(scope="module")
def imported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, IngestResult]:
    ws = Workspace(tmp_path_factory.mktemp("x-analytics"))
    return ws, ws.ingest(files(shared_data))


@pytest.fixture(scope="module")
def ws(imported: tuple[Workspace, IngestResult]) -> Workspace:
    return imported[0]


def test_every_line_is_a_tweet_and_none_is_rejected(shared_data: Path, imported: tuple[Workspace, IngestResult],
                                                   records: list[ref.Record]) -> None:
    result = imported[1]
    per_file = [len(ref.rows(p)) - 1 for p in files(shared_data)]  # csv records less the header
    assert [f["rows_read"] for f in result.files] == per_file
    assert sum(f["rows_rejected"] for f in result.files) == 0
    # a tweet in two monthly exports is one message
    assert sum(f["rows_new"] for f in result.files) == len(records) == 1668  # PROVENANCE.md: 1,668 tweets


@pytest.mark.parametrize("metric", params(METRICS))
def test_metric_matches_the_files(metric: str, ws: Workspace, records: list[ref.Record]) -> None:
    check(metric, {bp: ref.owned_metric(records, metric, *bp) for bp in BYS}, ws)


def test_reach_is_not_given(ws: Workspace, records: list[ref.Record]) -> None:
    """The tweet export has no reach column: null with n = 0, never 0."""
    check("reach", {bp: ref.owned_metric(records, "reach", *bp) for bp in BYS}, ws, given=False)


def test_the_cli_reports_the_same_figures(ws: Workspace, records: list[ref.Record], monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`strategyfirst measure --format json`, as a shell runs it, gives the files' figures too."""
    code, out, err = run(["measure", "--by", "account", "--period", "month", "--format", "json",
                          "--metric", "posts", "--metric", "impressions", "--metric", "engagements",
                          "-w", str(ws.root)], monkeypatch, capsys)
    assert code == 0, err
    got = {(r["metric"], str(r["key"]), r["period"]): r for r in json.loads(out)["rows"]}
    problems = [p for m in ("posts", "impressions", "engagements")
                for p in mismatches(m, ref.owned_metric(records, m, "account", "month"), got)]
    assert not problems, "\n".join(problems[:20])
