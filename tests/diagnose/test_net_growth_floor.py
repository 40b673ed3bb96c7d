"""A net audience growth is never forecast below losing the whole audience it is counted from: the newcomer's
UCI cosmetics page (81,370 likes in January 2014, 139,441 by December) read a growth forecast of -94,337 by
2016, its interval reaching -189,207. Forecast, interval and future points are bounded below at the baseline
less the audience's size at the horizon's start, the reason says so, and where that size is unknown a forecast
of a net loss says it is not bounded.

Expected values are worked out by hand in the comments, not by the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from rich.console import Console

from strategyfirst import Workspace
from strategyfirst.diagnose.diagnosis import Diagnosis
from strategyfirst.diagnose.engine import diagnose
from strategyfirst.diagnose.inputs import Observation, audience_start, gather
from strategyfirst.diagnose.render import render_text
from strategyfirst.diagnose.status import kpi_status
from strategyfirst.plan import loads
from tests.diagnose.conftest import FakeMeasure, row


def months(first: dt.date, count: int) -> list[dt.date]:
    return [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
            for i in range(count)]


def falling(start_size: float | None, baseline: float = 0):
    """Net growth 3100, 2500, 1900, 1300, 700, 100 in January to June 2014 (9,600; 100, 89, 61, 43, 23 and 3 a
    day, falling by about 19 a day each month), judged on 30 June 2014 against 30 June 2015.

    By hand, without a floor: the daily rates fall from 100 (mid-January, day 15.5) to 3.3 (mid-June, day 166),
    about 0.64 a day each day; the line is carried to its reach, as far past mid-June as mid-January is before
    it (day 316.5, mid-November), about 3.3 - 0.64 × 150.5 ≈ -93 a day, and held there. July to November lose
    about 16·31 + 36·31 + 55·30 + 75·31 + 93·30 ≈ 8,400 and December to June 212 × 93 ≈ 19,800: 9,600 - 28,200
    ≈ -18,600, far below -10,000.
    """
    growth = [3100, 2500, 1900, 1300, 700, 100]
    series = [Observation(float(v), 1, period=m) for m, v in zip(months(dt.date(2014, 1, 1), 6), growth,
                                                                   strict=True)]
    return kpi_status(objective="permission", metric="audience_growth", target=20_000, baseline=baseline,
                      horizon_start=dt.date(2014, 1, 1), deadline=dt.date(2015, 6, 30),
                      as_of=dt.date(2014, 6, 30), period="month", actual=Observation(9600.0, 6), series=series,
                      audience_start=start_size)


def test_a_falling_growth_is_bounded_at_the_whole_audience_lost() -> None:
    unbounded = falling(None)
    assert unbounded.forecast_at_deadline is not None and unbounded.forecast_at_deadline < -15_000
    assert unbounded.forecast_high is not None and unbounded.forecast_high < -10_000
    # 10,000 at the start: at most -10,000 net, the forecast and its whole interval there (each above it before).
    k = falling(10_000)
    assert (k.forecast_at_deadline, k.forecast_low, k.forecast_high) == (-10_000, -10_000, -10_000)
    assert k.forecast_floor == -10_000
    assert all(p.value >= -10_000 and p.low is not None and p.low >= -10_000 for p in k.forecast)
    assert k.forecast[-1].value == -10_000
    assert "bounded below at -10,000: the whole audience of 10,000 at the horizon's start lost" in k.reason
    # With 30,000 at the start the floor, -30,000, lies below the whole forecast: nothing is bounded.
    far = falling(30_000)
    assert far.forecast_at_deadline == unbounded.forecast_at_deadline and far.forecast_floor is None
    assert "bounded" not in far.reason
    # Ahead now (9,600 ≥ 20,000 × 181/546 ≈ 6,630: 181 of the 546 days gone) but the forecast misses: at risk.
    assert k.status == "at_risk"


def test_a_baseline_moves_the_floor() -> None:
    # Counted from 2,000 already there at the start (the baseline) with 10,000 members: -8,000 at the lowest.
    k = falling(10_000, baseline=2_000)
    assert k.forecast_at_deadline == -8_000 and k.forecast_floor == -8_000
    assert "bounded below at -8,000: the whole audience of 10,000 at the horizon's start lost" in k.reason


def test_an_unknown_start_is_said_not_invented() -> None:
    k = falling(None)
    assert k.forecast_floor is None
    assert "not bounded below: the audience's size at the horizon's start is not in the data" in k.reason


def test_only_the_end_that_crosses_the_floor_moves() -> None:
    # +500, -400, +300, -500, +400, -300: 0 net in 181 days, no clear trend, so the rate so far (0 a day) is
    # carried: the forecast is 0 + 0 = 0, while a year of months that swing by ±450 spreads the interval far
    # below -1,000. With 1,000 at the start, only the low end is raised to -1,000.
    growth = [500, -400, 300, -500, 400, -300]
    series = [Observation(float(v), 1, period=m) for m, v in zip(months(dt.date(2026, 1, 1), 6), growth,
                                                                   strict=True)]

    def judged(start_size: float | None):
        return kpi_status(objective="permission", metric="audience_growth", target=1_000, baseline=0,
                          horizon_start=dt.date(2026, 1, 1), deadline=dt.date(2027, 6, 30),
                          as_of=dt.date(2026, 6, 30), period="month", actual=Observation(0.0, 6), series=series,
                          audience_start=start_size)

    free, k = judged(None), judged(1_000)
    assert free.forecast_low is not None and free.forecast_low < -1_000
    assert k.forecast_at_deadline == pytest.approx(0.0, abs=1e-6) and k.forecast_low == -1_000
    assert k.forecast_high == free.forecast_high and k.forecast_floor == -1_000
    assert "bounded below at -1,000" in k.reason


def test_audience_start_is_the_growth_rates_denominator_where_it_covers_all_the_growth() -> None:
    growth = Observation(58_071.0, 12)
    # The rate's numerator is the same growth: the size it divides by is the start.
    assert audience_start(growth, Observation(0.7137, 1, 58_071.0, 81_370.0)) == 81_370
    # Part of the growth (21 of deltas without any snapshot) is of a series whose start is unknown.
    assert audience_start(Observation(58_092.0, 13), Observation(0.7137, 1, 58_071.0, 81_370.0)) is None
    assert audience_start(growth, None) is None
    assert audience_start(growth, Observation(None, 0)) is None


PLAN = """version: 1
organisation: Newcomer
owner: Eng <eng@example.org>
horizon: {start: 2014-01-01, end: 2016-12-31}
budget: {total: 1000, currency: EUR}
review: {cadence: monthly}
accounts:
  facebook: ["cosmetics"]
strategy:
  statement: Build a permission asset so we can grow our influence over time.
  audiences: [customers]
objectives:
  - id: permission
    statement: Grow the audience
    kpis:
      - {metric: audience_growth, target: 80000}
tactics:
  - id: page
    channel: facebook
    serves: [permission]
    owner: Eng
    budget: 500
    match: {accounts: ["cosmetics"]}
"""


def test_gather_reads_the_start_from_the_growth_rate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Growth 300 + 200 + 100 + 0 - 100 - 200 = 300 in January–June 2026 from 2,000 members (the rate: 300 /
    # 2,000); the monthly growth falls by 100 a month, a clear trend held from its reach in December 2026 at
    # about -15 a day through 2027: thousands below losing all 2,000.
    growth = [300, 200, 100, 0, -100, -200]
    measure = FakeMeasure({
        ("objective", "all"): [row("audience_growth", "objective", "permission", "all", 300, 6),
                               row("audience_growth_rate", "objective", "permission", "all", 0.15, 1, 300,
                                   2000)],
        ("objective", "month"): [row("audience_growth", "objective", "permission", f"2026-{m:02d}", g, 1)
                                 for m, g in zip(range(1, 7), growth, strict=True)],
    })
    monkeypatch.setattr(Workspace, "measure", measure, raising=False)
    ws = Workspace(tmp_path).ensure()
    plan = loads(PLAN.replace("2014-01-01", "2026-01-01").replace("2016-12-31", "2027-12-31")).plan
    inputs = gather(ws, plan, dt.date(2026, 6, 30))
    assert inputs.audience_start == {"permission": 2000}
    assert list(inputs.objective_actual) == [("permission", "audience_growth")]  # the rate is not a KPI here
    assert "audience_growth_rate" in measure.calls[0]["metrics"]  # type: ignore[operator]
    k = diagnose(inputs).kpis[0]
    assert k.forecast_floor == -2000 and k.forecast_at_deadline == -2000


def test_the_newcomers_page_is_bounded_at_its_january_audience(tmp_path: Path, shared_data: Path) -> None:
    # The UCI cosmetics page's snapshots (page total likes at each post, 2014): growth from the first, 81,370, to
    # the last, 139,441: 58,071. Its monthly growth falls through the year, and the line through it, held from
    # its reach, went to -94,337 by the end of 2016 (interval to -189,207): far below losing all 81,370.
    uci = shared_data / "uci-facebook-metrics" / "dataset_Facebook.csv"
    with uci.open(newline="", encoding="utf-8") as fh:
        total_likes = [int(r["Page total likes"]) for r in csv.DictReader(fh, delimiter=";")]
    first, last = min(total_likes), max(total_likes)
    assert (first, last - first) == (81_370, 58_071)
    ws = Workspace(tmp_path).ensure()
    ws.plan_path.write_text(PLAN, encoding="utf-8")
    ws.ingest_groups([([uci], {"account": "cosmetics"})])
    d = ws.diagnose()
    k = d.kpis[0]
    assert d.as_of.year == 2014 and k.actual == 58_071
    assert (k.forecast_at_deadline, k.forecast_low, k.forecast_floor) == (-first, -first, -first)
    assert k.forecast_high is not None and k.forecast_high >= -first
    assert "bounded below at -81,370: the whole audience of 81,370 at the horizon's start lost" in k.reason
    assert d.to_json()["kpis"][0]["forecast_floor"] == -81_370
    # The text says it under the table too (the JSON and the web show the reason).
    buf = io.StringIO()
    render_text(Diagnosis(as_of=d.as_of, kpis=d.kpis), Console(file=buf, width=200, color_system=None))
    assert "bounded below at -81,370: the whole audience of 81,370 at the horizon's start lost" in " ".join(
        buf.getvalue().split())
