""""needed now" (expected_now) only beside a KPI judged against it, and a KPI without a forecast says why in
`diagnose`'s text as it does in the JSON: a newcomer's table showed a pace for KPIs not judged, and the text
left out the "no data since ..., so no forecast" note of a met KPI.

Expected values are worked out by hand in the comments, not by the code under test.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from rich.console import Console

from strategyfirst.diagnose.diagnosis import Diagnosis
from strategyfirst.diagnose.inputs import Observation
from strategyfirst.diagnose.render import render_text
from strategyfirst.diagnose.status import kpi_status

START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
JUNE_END = dt.date(2026, 6, 30)
MONTHS = [dt.date(2026, m, 1) for m in range(1, 7)]


def rate(k: int, n: int, *, deadline: dt.date | None = END, horizon_start: dt.date | None = START,
         as_of: dt.date = JUNE_END):
    """A response rate of k of n inbound messages, all in June, against a target of 80 %."""
    series = [Observation(k / n, n, k, n, period=dt.date(2026, 6, 1))]
    return kpi_status(objective="dialogue", metric="response_rate", target=0.8, baseline=None,
                      horizon_start=horizon_start, deadline=deadline, as_of=as_of, period="month",
                      actual=Observation(k / n, n, k, n), series=series)


def silent_growth(target: float):
    """Audience growth of 3,000 in January–March 2014, judged as of 28 December 2021 against 2026-12-31."""
    months = [dt.date(2014, m, 1) for m in (1, 2, 3)]
    series = [Observation(1000.0, 1, period=m) for m in months]
    return kpi_status(objective="permission", metric="audience_growth", target=target, baseline=0,
                      horizon_start=dt.date(2014, 1, 1), deadline=END, as_of=dt.date(2021, 12, 28),
                      period="month", actual=Observation(3000.0, 3), series=series)


def test_a_kpi_not_judged_has_nothing_needed_now() -> None:
    # No deadline: not judged. Before, "needed now" showed the target, 80 %.
    k = rate(90, 100, deadline=None, horizon_start=None)
    assert k.status == "not_judged" and k.expected_now is None


def test_a_thin_ratio_has_nothing_needed_now() -> None:
    # 9 of 12 answered: fewer than 20 messages, and 3 unanswered of 12 at a 20 % miss rate is no clear count
    # (P(X ≥ 3) for X ~ Binomial(12, 0.2) is about 0.44, far above 0.1): not enough data. Before: 80 %.
    k = rate(9, 12)
    assert k.status == "not_enough_data" and k.expected_now is None


def test_a_kpi_silent_for_years_has_nothing_needed_now_unless_met() -> None:
    # 3,000 against 20,000, nothing since March 2014: not enough data, no pace shown (before: 20,000 times
    # the share of the horizon gone by).
    short = silent_growth(20_000)
    assert short.status == "not_enough_data" and short.expected_now is None
    # 3,000 against 2,000 is met, a judgement: its pace stays, 2,000 × (days from 2014-01-01 to 2021-12-28,
    # both counted) / (days to 2026-12-31).
    met = silent_growth(2_000)
    assert met.status == "met"
    gone = (dt.date(2021, 12, 28) - dt.date(2014, 1, 1)).days + 1
    span = (END - dt.date(2014, 1, 1)).days + 1
    assert (gone, span) == (2919, 4748)
    assert met.expected_now == pytest.approx(2000 * 2919 / 4748)


def test_nothing_measured_and_before_the_start_have_nothing_needed_now() -> None:
    # Nothing measured as of 30 June: no data (before: 1,000 × 181/365 ≈ 495.9 needed now).
    k = kpi_status(objective="permission", metric="audience_growth", target=1000, baseline=0,
                   horizon_start=START, deadline=END, as_of=JUNE_END, period="month", actual=None, series=[])
    assert k.status == "no_data" and k.expected_now is None
    # As of 15 December 2025, before the horizon starts (before: the baseline, 0, needed now).
    k = kpi_status(objective="permission", metric="audience_growth", target=1000, baseline=0,
                   horizon_start=START, deadline=END, as_of=dt.date(2025, 12, 15), period="month", actual=None,
                   series=[])
    assert k.expected_now is None


def _text(d: Diagnosis, width: int) -> str:
    buf = io.StringIO()
    render_text(d, Console(file=buf, width=width, color_system=None))
    return buf.getvalue()


def test_json_and_text_show_nothing_needed_now_for_unjudged_kpis() -> None:
    d = Diagnosis(as_of=JUNE_END, kpis=[rate(9, 12), rate(90, 100)])
    assert [k["expected_now"] for k in d.to_json()["kpis"]] == [None, 0.8]
    # The table: the thin KPI's row has a dash between its actual (9/12 = 75.0%) and its target.
    rows = [line for line in _text(d, 200).splitlines() if line.split()[:3] == ["dialogue", "Response", "rate"]]
    assert len(rows) == 2
    thin, judged = rows
    assert thin.split()[3:6] == ["75.0%", "—", "80.0%"]
    assert judged.split()[3:6] == ["90.0%", "80.0%", "80.0%"]
    # Too narrow for the table: one block per KPI.
    narrow = _text(d, 70)
    assert "actual 75.0%, needed now —, target 80.0%" in narrow
    assert "actual 90.0%, needed now 80.0%, target 80.0%" in narrow


def test_the_text_says_why_a_met_kpi_has_no_forecast() -> None:
    # The JSON's reason, "3,000 has reached the target 2,000; no data since 2014-03, so no forecast", now in
    # the text too (before: only not-enough-data and not-judged KPIs said why). A KPI with a forecast shows it in
    # the table: its reason is not printed again under it.
    met, judged = silent_growth(2_000), rate(90, 100)
    assert judged.forecast_at_deadline is not None
    d = Diagnosis(as_of=dt.date(2021, 12, 28), kpis=[met, judged])
    assert d.to_json()["kpis"][0]["reason"] == ("3,000 has reached the target 2,000; no data since 2014-03, "
                                                "so no forecast")
    text = " ".join(_text(d, 200).split())
    assert ("Audience growth (permission): 3,000 has reached the target 2,000; no data since 2014-03, so no "
            "forecast") in text
    assert judged.reason not in text
