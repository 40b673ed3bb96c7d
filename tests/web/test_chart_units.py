"""QA: a reply-time chart's y axis names its unit (the table beside reads "6.3 h", the axis is drawn in minutes)."""

from __future__ import annotations

import json

from strategyfirst.web import charts


def test_a_minutes_kpi_chart_says_minutes_on_its_axis() -> None:
    kpi = {"objective": "dialogue", "metric": "first_response_minutes_median", "unit": "minutes", "target": 60,
           "series": [{"period": "2026-01-01", "value": 90.0}, {"period": "2026-02-01", "value": 75.0}]}
    spec = json.dumps(charts.kpi_spec(kpi))
    assert '"title": "Median first response (minutes)"' in spec
    ratio = dict(kpi, metric="response_rate", unit="ratio", target=0.9)
    assert "(minutes)" not in json.dumps(charts.kpi_spec(ratio))


def test_the_dialogue_reply_time_chart_says_minutes_on_its_axis() -> None:
    rows = [{"period": "2026-01-01", "metric": "first_response_minutes_median", "value": 90.0},
            {"period": "2026-01-01", "metric": "first_response_minutes_p90", "value": 200.0}]
    spec = charts.response_time_spec(rows)
    assert spec is not None and spec["encoding"]["y"]["title"] == "minutes to first reply"
