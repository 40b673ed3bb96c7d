"""A net audience growth and its audience's size tell one story: where the audience's size at the horizon's start
is known, the growth's forecast is the size's forecast at each future period's end less that start size (plus the
KPI's baseline), its interval shifted alike, so a page whose size trends up is not forecast to lose members on a
trend of its monthly gains (the UCI cosmetics page, judged at the end of 2014 against June 2015, read a growth of
44,799, below the 58,071 already gained, beside a size forecast of 176,098, now 167,466). The floor at losing the
whole start audience follows (the size cannot go below 0): forecast, interval and future points stop there and the
reason says so. Where the start size is unknown, the growth's own daily rate is forecast, and a forecast of a net loss
says it is not bounded. So is it where the sizes are not those of the audience the growth counts in every period
(a list whose size is known on its export day only).

Expected values are worked out by hand in the comments (or by a plain-Python least-squares line over the real
file), not by the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
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


def sized(sizes: list[float], first: dt.date) -> list[Observation]:
    """Month-end audience sizes as an audience_size series (each month's last snapshot)."""
    return [Observation(float(v), 1, period=m) for m, v in zip(months(first, len(sizes)), sizes, strict=True)]


# Month ends of January to June 2014 in days since 1 January (the exclusive ends: 1 February is day 31, ...).
ENDS = [31, 59, 90, 120, 151, 181]


def losing(start_size: float | None, baseline: float = 0, sizes: list[float] | None = None):
    """An audience losing 30 members a day from `start_size` on 1 January 2014: month-end sizes start − 30 × t at
    t = 31, 59, 90, 120, 151, 181, net growth −930, −840, −930, −900, −930, −900 (−5,430 = −30 × 181), judged on
    30 June 2014 against 30 June 2015.

    By hand: the sizes lie exactly on the line start − 30 t (a clear trend over 6 months, no noise, so no width
    to its interval); it is followed as far past the last month end (day 181) as the first lies before it (day
    31): to day 331, 28 November, and held there. At the deadline the size is start − 30 × 331 = start − 9,930,
    so the net growth is baseline − 9,930, whatever the start size, unless that is below losing all of it.
    """
    first = dt.date(2014, 1, 1)
    growth = [-930, -840, -930, -900, -930, -900]
    series = [Observation(float(v), 1, period=m) for m, v in zip(months(first, 6), growth, strict=True)]
    if sizes is None and start_size is not None:
        sizes = [start_size - 30 * t for t in ENDS]
    return kpi_status(objective="permission", metric="audience_growth", target=20_000, baseline=baseline,
                      horizon_start=first, deadline=dt.date(2015, 6, 30), as_of=dt.date(2014, 6, 30),
                      period="month", actual=Observation(-5430.0, 6), series=series, audience_start=start_size,
                      size_actual=None if sizes is None else Observation(sizes[-1], 6),
                      size_series=None if sizes is None else sized(sizes, first))


def test_a_size_known_on_the_export_day_only_leaves_the_growth_its_own_rate() -> None:
    # A list gaining exactly 100 a day from 1,000 members on 1 January 2014; its size is known only from the June
    # export (1,000 + 18,100 = 19,100). Held, that one size would forecast no growth at all after June; the
    # growth's own rate, 18,100 in 181 days = 100 a day, carried over the 365 days from 1 July 2014 to 30 June
    # 2015, gives 18,100 + 36,500 = 54,600.
    first = dt.date(2014, 1, 1)
    days = [31, 28, 31, 30, 31, 30]
    series = [Observation(100.0 * d, 1, period=m) for m, d in zip(months(first, 6), days, strict=True)]
    k = kpi_status(objective="permission", metric="audience_growth", target=60_000, baseline=0,
                   horizon_start=first, deadline=dt.date(2015, 6, 30), as_of=dt.date(2014, 6, 30), period="month",
                   actual=Observation(18_100.0, 6), series=series, audience_start=1_000.0,
                   size_actual=Observation(19_100.0, 1), size_series=[Observation(19_100.0, 1,
                                                                                  period=dt.date(2014, 6, 1))])
    assert k.forecast_at_deadline == pytest.approx(54_600)
    assert "audience size's forecast" not in k.reason


def test_the_growth_is_the_sizes_forecast_less_the_start() -> None:
    k = losing(20_000)
    # 20,000 − 9,930 = 10,070 members at the deadline: a net growth of −9,930, far above −20,000 (not bounded).
    assert k.forecast_at_deadline == pytest.approx(-9_930)
    assert k.forecast_low == pytest.approx(-9_930, abs=1e-6) and k.forecast_high == pytest.approx(-9_930, abs=1e-6)
    assert k.forecast_floor is None and "bounded" not in k.reason
    assert "the audience size's forecast 10,070 less the 20,000 at the horizon's start" in k.reason
    # Each future month's end, as the running total is drawn: −30 × day (31 July is day 211, its exclusive end
    # 1 August day 212), held from day 331 on: −6,360, −7,290 (243), −8,190 (273), −9,120 (304), then −9,930.
    assert [p.period for p in k.forecast] == [dt.date(2014, 7, 31), dt.date(2014, 8, 31), dt.date(2014, 9, 30),
                                             dt.date(2014, 10, 31), dt.date(2014, 11, 30), dt.date(2014, 12, 31),
                                             dt.date(2015, 1, 31), dt.date(2015, 2, 28), dt.date(2015, 3, 31),
                                             dt.date(2015, 4, 30), dt.date(2015, 5, 31), dt.date(2015, 6, 30)]
    assert [round(p.value) for p in k.forecast] == [-6_360, -7_290, -8_190, -9_120] + [-9_930] * 8
    # The size's own KPI over the same series tells the same story, point by point (its points are labelled by
    # the month's start): 20,000 − 6,360 = 13,640 in July, ..., 10,070 from November on.
    size = kpi_status(objective="permission", metric="audience_size", target=30_000, baseline=None,
                      horizon_start=dt.date(2014, 1, 1), deadline=dt.date(2015, 6, 30), as_of=dt.date(2014, 6, 30),
                      period="month", actual=Observation(20_000 - 30 * 181, 6),
                      series=sized([20_000 - 30 * t for t in ENDS], dt.date(2014, 1, 1)))
    assert size.forecast_at_deadline == pytest.approx(10_070)
    assert [p.value - 20_000 for p in size.forecast] == pytest.approx([p.value for p in k.forecast])


def test_losing_the_whole_start_audience_is_the_floor() -> None:
    # 6,000 at the start (570 left on 30 June): the line reaches 6,000 − 9,930 = −3,930 members, so the growth
    # stops at −6,000 (and the size at 0); already at the end of July, 6,000 − 30 × 212 = −360 < 0: every future
    # point stands at −6,000.
    k = losing(6_000)
    assert (k.forecast_at_deadline, k.forecast_low, k.forecast_high) == (-6_000, -6_000, -6_000)
    assert k.forecast_floor == -6_000
    assert [p.value for p in k.forecast] == [-6_000] * 12
    assert "bounded below at -6,000: the whole audience of 6,000 at the horizon's start lost" in k.reason
    # Behind now (−5,430 < 20,000 × 181/546 ≈ 6,630) and even the favourable end misses: off track.
    assert k.status == "off_track"


def test_a_baseline_moves_the_floor() -> None:
    # Counted from 2,000 already there at the start (the baseline) with 6,000 members: 2,000 − 9,930 = −7,930
    # is below 2,000 − 6,000 = −4,000, the lowest it can go.
    k = losing(6_000, baseline=2_000)
    assert k.forecast_at_deadline == -4_000 and k.forecast_floor == -4_000
    assert "bounded below at -4,000: the whole audience of 6,000 at the horizon's start lost" in k.reason
    # With 20,000 members it is 2,000 − 9,930 = −7,930, not bounded.
    assert losing(20_000, baseline=2_000).forecast_at_deadline == pytest.approx(-7_930)


def test_sizes_of_another_audience_leave_the_growths_own_rate() -> None:
    # Sizes that do not end at the start plus the growth (20,000 − 5,430 = 14,570; here 30,000 − 5,430) are not
    # the audience the growth is counted on: the growth's own forecast stands, as without any sizes.
    other = losing(20_000, sizes=[30_000 - 30 * t for t in ENDS])
    alone = kpi_status(objective="permission", metric="audience_growth", target=20_000, baseline=0,
                       horizon_start=dt.date(2014, 1, 1), deadline=dt.date(2015, 6, 30), as_of=dt.date(2014, 6, 30),
                       period="month", actual=Observation(-5430.0, 6),
                       series=[Observation(float(v), 1, period=m) for m, v in
                               zip(months(dt.date(2014, 1, 1), 6), [-930, -840, -930, -900, -930, -900],
                                   strict=True)],
                       audience_start=20_000)
    assert other.forecast_at_deadline == alone.forecast_at_deadline
    assert "audience size's forecast" not in other.reason
    # The growth's own rate: −5,430 in 181 days ≈ −30 a day (no clear trend in its monthly rates: they only
    # follow the months' lengths), over the 365 days left: −5,430 − 30 × 365 ≈ −16,380 (−5,430 × 546 / 181).
    assert alone.forecast_at_deadline == pytest.approx(-5_430 * 546 / 181)


def falling(start_size: float | None, baseline: float = 0):
    """Net growth 2500, 1500, 500, -500, -1500, -2500 in January to June 2014 (0 in all; 80.6, 53.6, 16.1, -16.7,
    -48.4 and -83.3 a day, falling by about 1,000 a month), judged on 30 June 2014 against 30 June 2015, with no
    sizes: the growth's own rate is forecast.

    By hand: the line through the daily rates reaches June's -83.3 a day, the lowest month's, about mid-June
    (it falls about 33 a day each month), and is held there: no further than the worst month the data show.
    The 365 days to 30 June 2015 then lose about 365 × 2,500 / 30 ≈ 30,400: a forecast near -30,400, far below
    -15,000.
    """
    growth = [2500, 1500, 500, -500, -1500, -2500]
    series = [Observation(float(v), 1, period=m) for m, v in zip(months(dt.date(2014, 1, 1), 6), growth,
                                                                   strict=True)]
    return kpi_status(objective="permission", metric="audience_growth", target=20_000, baseline=baseline,
                      horizon_start=dt.date(2014, 1, 1), deadline=dt.date(2015, 6, 30),
                      as_of=dt.date(2014, 6, 30), period="month", actual=Observation(0.0, 6), series=series,
                      audience_start=start_size)


def test_an_unknown_start_keeps_the_growths_own_rate_and_is_said_not_invented() -> None:
    k = falling(None)
    assert k.forecast_at_deadline == pytest.approx(-365 * 2_500 / 30)  # held at June's rate from mid-June
    assert "held at its lowest period's -83.3 a day once it gets there" in k.reason
    assert k.forecast_high is not None and k.forecast_high < -10_000
    assert k.forecast_floor is None
    assert "not bounded below: the audience's size at the horizon's start is not in the data" in k.reason


def test_only_the_end_that_crosses_the_floor_moves() -> None:
    # Month-end sizes start + 500, +100, +400, −100, +300, +0 (net growth +500, −400, +300, −500, +400, −300: 0 in
    # 181 days), no clear trend, so the latest size (start + 0) is held: a net growth of 0 at the deadline. Its
    # interval: the per-day moves between snapshots, around no change, −400/28, +300/31, −500/30, +400/31 and
    # −300/30, weighted by their days: s² = (400²/28 + 300²/31 + 500²/30 + 400²/31 + 300²/30) / 5 = (5,714.29 +
    # 2,903.23 + 8,333.33 + 5,161.29 + 3,000) / 5 = 5,022.43 per day; over the 365 days from 1 July 2026 to
    # 30 June 2027 the spread is √(5,022.43 × 365) = 1,353.96, times t(90 %, 5 dof) = 1.4759: ±1,998.3.
    moves = [500, -400, 300, -500, 400, -300]
    series = [Observation(float(v), 1, period=m) for m, v in zip(months(dt.date(2026, 1, 1), 6), moves,
                                                                   strict=True)]

    def judged(start_size: float | None):
        sizes = None if start_size is None else [start_size + x for x in (500, 100, 400, -100, 300, 0)]
        return kpi_status(objective="permission", metric="audience_growth", target=1_000, baseline=0,
                          horizon_start=dt.date(2026, 1, 1), deadline=dt.date(2027, 6, 30),
                          as_of=dt.date(2026, 6, 30), period="month", actual=Observation(0.0, 6), series=series,
                          audience_start=start_size,
                          size_actual=None if sizes is None else Observation(sizes[-1], 6),
                          size_series=None if sizes is None else sized(sizes, dt.date(2026, 1, 1)))

    half = 1.475884 * math.sqrt((400**2 / 28 + 300**2 / 31 + 500**2 / 30 + 400**2 / 31 + 300**2 / 30) / 5 * 365)
    assert half == pytest.approx(1_998.3, abs=0.1)
    roomy = judged(10_000)  # the floor, −10,000, lies far below: nothing bounded
    assert roomy.forecast_at_deadline == pytest.approx(0.0, abs=1e-6)
    assert (roomy.forecast_low, roomy.forecast_high) == pytest.approx((-half, half))
    assert roomy.forecast_floor is None
    # With 1,000 at the start only the low end, −1,998, is raised to −1,000.
    k = judged(1_000)
    assert k.forecast_at_deadline == pytest.approx(0.0, abs=1e-6) and k.forecast_low == -1_000
    assert k.forecast_high == pytest.approx(half) and k.forecast_floor == -1_000
    assert "bounded below at -1,000" in k.reason
    # Without the start: the growth's own rate (0 a day) with the months' spread of ±450, far below −1,000.
    free = judged(None)
    assert free.forecast_low is not None and free.forecast_low < -1_000


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
    # 2,000); month-end sizes 2,300, 2,500, 2,600, 2,600, 2,500, 2,300. Its monthly growth falls by 100 a month
    # (a clear trend that, followed, lost thousands through 2027), but the size rises and falls back: no clear
    # trend, so the latest size, 2,300, is held: a net growth of 2,300 − 2,000 = 300 at the end of 2027. Its
    # interval from the per-day moves between snapshots (200/28, 100/31, 0/30, −100/31, −200/30): s² = (200²/28 +
    # 100²/31 + 0 + 100²/31 + 200²/30) / 5 = 681.41, over the 549 days from 1 July 2026 to 31 December 2027:
    # ±1.4759 × √(681.41 × 549) = ±902.7, far above −2,000: nothing bounded.
    growth = [300, 200, 100, 0, -100, -200]
    sizes = [2300, 2500, 2600, 2600, 2500, 2300]
    measure = FakeMeasure({
        ("objective", "all"): [row("audience_growth", "objective", "permission", "all", 300, 6),
                               row("audience_growth_rate", "objective", "permission", "all", 0.15, 1, 300,
                                   2000),
                               row("audience_size", "objective", "permission", "all", 2300, 6)],
        ("objective", "month"): [row("audience_growth", "objective", "permission", f"2026-{m:02d}", g, 1)
                                 for m, g in zip(range(1, 7), growth, strict=True)]
        + [row("audience_size", "objective", "permission", f"2026-{m:02d}", v, 1)
           for m, v in zip(range(1, 7), sizes, strict=True)],
    })
    monkeypatch.setattr(Workspace, "measure", measure, raising=False)
    ws = Workspace(tmp_path).ensure()
    plan = loads(PLAN.replace("2014-01-01", "2026-01-01").replace("2016-12-31", "2027-12-31")).plan
    inputs = gather(ws, plan, dt.date(2026, 6, 30))
    assert inputs.audience_start == {"permission": 2000}
    assert list(inputs.objective_actual) == [("permission", "audience_growth")]  # neither is a KPI here
    assert list(inputs.objective_series) == [("permission", "audience_growth")]
    assert {"audience_growth_rate", "audience_size"} <= set(measure.calls[0]["metrics"])  # type: ignore[arg-type]
    assert [o.value for o in inputs.audience_size_series["permission"]] == sizes
    k = diagnose(inputs).kpis[0]
    half = 1.475884 * math.sqrt((200**2 / 28 + 100**2 / 31 + 100**2 / 31 + 200**2 / 30) / 5 * 549)
    assert half == pytest.approx(902.7, abs=0.1)
    assert k.forecast_at_deadline == pytest.approx(300)
    assert (k.forecast_low, k.forecast_high) == pytest.approx((300 - half, 300 + half))
    assert k.forecast_floor is None


def uci_line(uci: Path, at: float) -> tuple[float, float, float]:
    """The plain least-squares line through the UCI page's month-end sizes (each month's highest `Page total
    likes`, read with the csv module) at t = days from 1 January 2014 to each month's exclusive end, at `at`,
    moved to go through the last month's size (a level goes on from where it stands, on the line's slope):
    (value, low, high) of its 80 % prediction interval, t(90 %, 10 dof) = 1.372184."""
    top: dict[int, int] = {}
    with uci.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            month = int(r["Post Month"])
            top[month] = max(top.get(month, 0), int(r["Page total likes"]))
    t = [(dt.date(2014 + m // 12, m % 12 + 1, 1) - dt.date(2014, 1, 1)).days for m in sorted(top)]
    y = [top[m] for m in sorted(top)]
    n = len(t)
    t_bar, y_bar = sum(t) / n, sum(y) / n
    sxx = sum((x - t_bar) ** 2 for x in t)
    slope = sum((x - t_bar) * (v - y_bar) for x, v in zip(t, y, strict=True)) / sxx
    icept = y_bar - slope * t_bar
    s2 = sum((v - icept - slope * x) ** 2 for x, v in zip(t, y, strict=True)) / (n - 2)
    half = 1.372184 * math.sqrt(s2 * (1 + 1 / n + (at - t_bar) ** 2 / sxx))
    value = icept + slope * at + (y[-1] - (icept + slope * t[-1]))
    return value, value - half, value + half


def test_the_newcomers_page_grows_as_its_size_does(tmp_path: Path, shared_data: Path) -> None:
    # The UCI cosmetics page's snapshots (page total likes at each post, 2014): growth from the first, 81,370, to
    # the last, 139,441: 58,071. Its monthly growth falls through the year, and a line through that, held from its
    # reach, went to -94,337 by the end of 2016 (bounded at -81,370); its size, though, rises on a clear line
    # (about 155 a day), followed from its last size (139,441 on day 365, where the line stands 8,631 higher) to
    # its reach (day 365 + 334 = 699, 1 December 2015) and held: about 191,157 members, a net growth of about
    # 109,787.
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
    value, low, high = uci_line(uci, 699)
    assert value == pytest.approx(191_157, abs=1)
    assert (k.forecast_at_deadline, k.forecast_low, k.forecast_high) == pytest.approx(
        (value - first, low - first, high - first))
    assert k.forecast_floor is None and "bounded" not in k.reason
    assert "the audience size's forecast 191,157 less the 81,370 at the horizon's start" in k.reason
    assert d.to_json()["kpis"][0]["forecast_floor"] is None
    # The text says where the forecast comes from too.
    buf = io.StringIO()
    render_text(Diagnosis(as_of=d.as_of, kpis=d.kpis), Console(file=buf, width=200, color_system=None))
    assert "109,787" in buf.getvalue()


BOTH = PLAN.replace("2016-12-31", "2015-06-30").replace(
    "      - {metric: audience_growth, target: 80000}",
    "      - {metric: audience_growth, target: 80000, by: 2015-06-30}\n"
    "      - {metric: audience_size, target: 170000, by: 2015-06-30}")


def test_growth_and_size_of_one_page_tell_one_story(tmp_path: Path, shared_data: Path) -> None:
    # Judged on 31 December 2014 against 30 June 2015 (day 546 from 1 January 2014, within the size line's reach
    # of day 699): the size line, followed from the last size, gives about 167,466 (80 %: 154,536 to 180,397), so
    # the net growth is about 167,466 − 81,370 = 86,096 (73,166 to 99,027), above the 58,071 already gained. The
    # growth's own monthly rates, falling through 2014, had read 44,799: a loss beside a size forecast to rise.
    uci = shared_data / "uci-facebook-metrics" / "dataset_Facebook.csv"
    ws = Workspace(tmp_path).ensure()
    ws.plan_path.write_text(BOTH, encoding="utf-8")
    ws.ingest_groups([([uci], {"account": "cosmetics"})])
    d = ws.diagnose(dt.date(2014, 12, 31))
    growth, size = d.kpis
    assert (growth.metric, size.metric) == ("audience_growth", "audience_size")
    value, low, high = uci_line(uci, 546)
    assert value == pytest.approx(167_466, abs=1)
    assert (size.forecast_at_deadline, size.forecast_low, size.forecast_high) == pytest.approx((value, low, high))
    assert (growth.forecast_at_deadline, growth.forecast_low, growth.forecast_high) == pytest.approx(
        (value - 81_370, low - 81_370, high - 81_370))
    assert growth.forecast_at_deadline is not None and growth.forecast_at_deadline > growth.actual
    # The chart points (web and report draw these): each future month, the growth is the size less 81,370; the
    # growth's points stand at the month's end as its running total does, the size's at the month's start.
    assert len(growth.forecast) == len(size.forecast) == 6
    for g, s in zip(growth.forecast, size.forecast, strict=True):
        assert (g.period.year, g.period.month) == (s.period.year, s.period.month)
        assert (g.value, g.low, g.high) == pytest.approx((s.value - 81_370, s.low - 81_370, s.high - 81_370))
    row_of = {k["metric"]: k for k in d.to_json()["kpis"]}
    assert row_of["audience_growth"]["forecast"][-1]["value"] == pytest.approx(value - 81_370)


def test_a_list_that_stopped_growing_is_not_forecast_to_shrink() -> None:
    # A list whose joins fell from 10 a month to none (10, 8, 6, 4, 2, 0 in January to June 2025), no member
    # ever leaving: 30 so far. The falling line through the months' daily rates would carry on below zero
    # (it forecast -11, a list losing 41 members no month ever showed); it is held at June's 0 a day, the
    # lowest month's, which it has reached by July: 30 at the deadline, the interval around it.
    growth = [10, 8, 6, 4, 2, 0]
    series = [Observation(float(v), 1, period=m) for m, v in zip(months(dt.date(2025, 1, 1), 6), growth,
                                                                   strict=True)]
    k = kpi_status(objective="permission", metric="audience_growth", target=100, baseline=0,
                   horizon_start=dt.date(2025, 1, 1), deadline=dt.date(2025, 12, 31), as_of=dt.date(2025, 6, 30),
                   period="month", actual=Observation(30.0, 6), series=series)
    assert k.forecast_at_deadline == pytest.approx(30)
    assert k.forecast_low is not None and k.forecast_high is not None
    assert k.forecast_low < 30 < k.forecast_high
    assert all(p.value == pytest.approx(30) for p in k.forecast)
    assert "a clear trend across 6 months, held at its lowest period's 0 a day once it gets there" in k.reason
    assert k.status == "off_track"  # 30 of the 49.6 needed by 30 June, and 30 at the deadline misses 100
