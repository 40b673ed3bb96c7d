"""A percent axis never repeats a tick label: the KPI chart of a ratio, as the dashboard's SVG download draws it,
labels 0.5% steps with one decimal (a fixed ".0%" once read "0%, 1%, 1%, 2%, 2%, 3%" under a 1.5% target)."""

from __future__ import annotations

import datetime as dt
import re

from strategyfirst.web import charts
from strategyfirst.web.downloads import chart_response


def percent_ticks(svg: str) -> list[str]:
    """The labels of a chart's percent axis, top to bottom as drawn (the date axis has no '%')."""
    return re.findall(r"<text[^>]*>([^<]*%)</text>", svg)


def test_engagement_rate_ticks_are_distinct() -> None:
    # monthly engagement rates of 1.4% to 2.8% (as in the tester's 2017 workspace) against a 1.5% target: a
    # zero-based axis up to 2.8% ticks every 0.5%
    rates = [0.014, 0.025, 0.018, 0.027, 0.014, 0.020, 0.021, 0.027, 0.018, 0.020, 0.021, 0.028]
    series = [{"period": dt.date(2017, month, 1).isoformat(), "value": v, "n": 1000}
              for month, v in enumerate(rates, 1)]
    spec = charts.kpi_spec({"objective": "awareness", "metric": "engagement_rate", "unit": "ratio",
                            "series": series, "target": 0.015})
    svg = chart_response(spec, "svg", "ticks").body.decode("utf-8")
    ticks = percent_ticks(svg)
    assert len(ticks) >= 6 and len(set(ticks)) == len(ticks), ticks
    # 0.0%, 0.5%, 1.0%, ...: the target's 1.5% is a tick of its own
    assert sorted(ticks, key=lambda t: float(t[:-1])) == [f"{i * 0.5:.1f}%" for i in range(len(ticks))]
    assert "1.5%" in ticks
