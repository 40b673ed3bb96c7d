"""Audience growth has one definition and one code path (issue 13.4): `measure`, the KPI and the report's
permission-asset table agree, and a growth that spans a gap between exports says so. On the real VIC
Facebook page-level export, cut into two exports with a gap; expected values from the csv module."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from strategyfirst import Workspace
from strategyfirst.report.gather import gather_report_data

PAGE = "Facebook Insights Data Export - Visualization Studio VIC - 2014-01-01 - 2014-02-27.csv"
PLAN = """version: 1
horizon: {start: 2014-01-01, end: 2014-12-31}
accounts: {facebook: ["Visualization Studio VIC"]}
objectives:
  - id: permission
    kpis: [{metric: audience_growth, target: 500}]
tactics:
  - {id: page, serves: [permission], match: {accounts: ["Visualization Studio VIC"], platform: [facebook]}}
"""
FIRST_PART_END, SECOND_PART_START = dt.date(2014, 1, 15), dt.date(2014, 2, 10)


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%m/%d/%Y").date()


def _split(page: Path, out: Path) -> tuple[list[Path], list[dict[str, str]]]:
    """Two exports of the same page (days up to Jan 15, days from Feb 10): the real lines, byte for byte."""
    lines = page.read_bytes().split(b"\r\n")
    head, body = lines[:2], [x for x in lines[2:] if x]
    first = [x for x in body if _day(x.decode("cp1252").split(",")[0]) <= FIRST_PART_END]
    second = [x for x in body if _day(x.decode("cp1252").split(",")[0]) >= SECOND_PART_START]
    files = []
    for name, part in (("2014-01-01 - 2014-01-15", first), ("2014-02-10 - 2014-02-27", second)):
        path = out / f"Facebook Insights Data Export - Visualization Studio VIC - {name}.csv"
        path.write_bytes(b"\r\n".join([*head, *part]) + b"\r\n")
        files.append(path)
    rows = list(csv.DictReader(io.StringIO(page.read_bytes().decode("cp1252"), newline="")))[1:]
    kept = [r for r in rows if _day(r["Date"]) <= FIRST_PART_END or _day(r["Date"]) >= SECOND_PART_START]
    return files, kept


@pytest.fixture(scope="module")
def vic(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, list[dict[str, str]]]:
    root = tmp_path_factory.mktemp("vic")
    files, kept = _split(shared_data / "facebook-insights" / "VIC" / PAGE, root)
    ws = Workspace(root / "ws")
    ws.ensure()
    ws.plan_path.write_text(PLAN, encoding="utf-8")
    ws.ingest(files)
    return ws, kept


def test_one_growth_in_measure_kpi_and_report(vic: tuple[Workspace, list[dict[str, str]]]) -> None:
    ws, kept = vic
    # The source gives daily deltas: growth is their sum over the days in the data (metrics.md).
    growth = sum(float(r["Daily New Likes"] or 0) - float(r["Daily Unlikes"] or 0) for r in kept)
    last = float(kept[-1]["Lifetime Total Likes"])
    assert growth > 0
    measured = ws.measure(metrics=["audience_growth", "audience_size"])
    assert measured.value("audience_growth") == growth
    assert measured.value("audience_size") == last
    diagnosis = ws.diagnose()
    assert diagnosis.kpis[0].actual == growth
    data = gather_report_data(ws)
    assert [(g.key, g.growth, g.last, g.first_period, g.last_period) for g in data.audience_growth] == [
        ("Visualization Studio VIC", growth, last, dt.date(2014, 1, 1), dt.date(2014, 2, 27))]


def test_a_growth_across_the_gap_says_so(vic: tuple[Workspace, list[dict[str, str]]]) -> None:
    ws, _ = vic
    gaps = ws.measure(metrics=["audience_growth"]).data_quality["audience_gaps"]
    assert gaps == [{"platform": "facebook", "account": "Visualization Studio VIC", "metric": "page_likes",
                     "last_before": "2014-01-15", "first_after": "2014-02-10", "days": 26,
                     "growth_misses_the_gap": True}]
    (row,) = gather_report_data(ws).audience_growth
    assert "nothing between 2014-01-15 and 2014-02-10 (26 days)" in row.gap
    # Within one export there is no gap to report.
    january = gather_report_data(ws, as_of=FIRST_PART_END).audience_growth
    assert [g.gap for g in january] == [""]
