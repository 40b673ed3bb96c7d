"""Vega-Lite specs for the pages (drawn in the browser by vega-embed): KPI series with target and forecast,
the dialogue's inbound vs answered and response times.

Every spec carries its text alternative in Vega-Lite's `usermeta` (ignored by the renderer): `caption` (what
the chart shows, with its latest figures) and `table` (`columns`, `rows` of formatted strings), which
templates/_chart.html shows as the figure's caption and a data table behind a toggle (issue 18.8)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from strategyfirst.formatting import PERCENT_TICKS, count, metric_label, minutes, number

WIDTH, HEIGHT = "container", 180
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier only; nothing is fetched


def _base(title: str) -> dict[str, Any]:
    return {"$schema": SCHEMA, "title": title, "width": WIDTH, "height": HEIGHT,
            "config": {"view": {"stroke": None}}}


def _alt(caption: str, columns: list[str], rows: list[list[str]]) -> dict[str, Any]:
    return {"caption": caption, "table": {"columns": columns, "rows": rows}}


def _day(period: Any) -> str:
    return str(period)[:10]


def _as_day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def kpi_spec(kpi: dict[str, Any], periods: Sequence[tuple[str, Any, Any]] = (),
             horizon: tuple[Any, Any] | None = None) -> dict[str, Any] | None:
    """Actual series (line), the target (dashed rule), the forecast to the deadline (dashed line continuing
    the series, with its 80% interval as a band where the forecast has one) and, for a paced KPI, the
    expected pace (dotted: from the baseline at the horizon's start to the target at the deadline); the x axis
    spans the plan's `horizon` (start, end). `periods` (name, first day, last day), e.g. the view's dates and
    the period before, are shaded."""
    series = [p for p in kpi.get("series") or [] if p.get("value") is not None]
    forecast = [p for p in kpi.get("forecast") or [] if p.get("value") is not None]
    if not series and not forecast:
        return None
    banded = bool(forecast) and all(p.get("low") is not None and p.get("high") is not None for p in forecast)
    drawn = list(forecast)
    if forecast and series and _day(series[-1]["period"]) < _day(forecast[0]["period"]):
        # the forecast continues the last measured point (a forecast of one day alone draws no line nor band)
        last = series[-1]
        drawn.insert(0, {"period": last["period"], "value": last["value"],
                         **({"low": last["value"], "high": last["value"]} if banded else {})})
    start, end = (_as_day(horizon[0]), _as_day(horizon[1])) if horizon else (None, None)
    # minutes are drawn as minutes (the table beside reads "6.3 h"): the axis says so
    in_minutes = " (minutes)" if kpi.get("unit") == "minutes" else ""
    y = {"field": "value", "type": "quantitative", "title": metric_label(str(kpi.get("metric"))) + in_minutes,
         "axis": {"format": PERCENT_TICKS} if kpi.get("unit") == "ratio" else {}}
    # on a narrow chart, labels that would touch are left out (the first, the horizon's start, stays)
    x = {"field": "period", "type": "temporal", "title": None,
         "axis": {"tickCount": 6, "grid": False, "labelOverlap": "greedy", "labelSeparation": 6}}
    tips = [{"field": "period", "type": "temporal"}, {"field": "value", "type": "quantitative", "title": y["title"]}]
    layers: list[dict[str, Any]] = []
    if periods:
        spans = [{"period": name, "start": str(a), "end": str(b)} for name, a, b in periods]
        layers.append({"data": {"values": spans}, "mark": {"type": "rect", "opacity": 0.12, "clip": True},
                       "encoding": {"x": {"field": "start", "type": "temporal"}, "x2": {"field": "end"},
                                    "color": {"field": "period", "type": "nominal", "title": None,
                                              "scale": {"domain": [p[0] for p in periods],
                                                        "range": ["#1f5fa8", "#8a8f98"]}},
                                    "tooltip": [{"field": "period"}, {"field": "start"}, {"field": "end"}]}})
    pace = _pace(kpi, start)
    if pace:
        layers.append({"data": {"values": pace}, "mark": {"type": "line", "strokeDash": [1, 3], "color": "#666"},
                       "encoding": {"x": x, "y": y, "tooltip": tips}})
    if banded:
        layers.append({"data": {"values": drawn}, "mark": {"type": "area", "opacity": 0.2, "color": "#888"},
                       "encoding": {"x": x, "y": {**y, "field": "low"}, "y2": {"field": "high"}}})
    if forecast:
        line = [{"period": p["period"], "value": p["value"]} for p in drawn]
        layers.append({"data": {"values": line}, "mark": {"type": "line", "strokeDash": [4, 3],
                                                           "color": "#888"},
                       "encoding": {"x": x, "y": y, "tooltip": tips}})
    if series:
        layers.append({"data": {"values": series}, "mark": {"type": "line", "point": True, "color": "#1f5fa8"},
                       "encoding": {"x": x, "y": y, "tooltip": [*tips, {"field": "n", "type": "quantitative"}]}})
    if kpi.get("target") is not None:
        layers.append({"data": {"values": [{"target": kpi["target"]}]},
                       "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#c0392b"},
                       "encoding": {"y": {"field": "target", "type": "quantitative"},
                                    "tooltip": [{"field": "target", "type": "quantitative"}]}})
    if start and end and start < end:
        # the horizon's first and last days, unseen, widen the x axis to the horizon: an explicit scale domain
        # of dates is evaluated as an expression (refused by the pages' CSP-safe interpreter) and warned about
        layers.insert(0, {"data": {"values": [{"period": start.isoformat()}, {"period": end.isoformat()}]},
                          "mark": {"type": "point", "opacity": 0}, "encoding": {"x": x}})
    label, unit = metric_label(str(kpi.get("metric"))), kpi.get("unit")
    rows = [[_day(p["period"]), number(p["value"], unit), "", ""] for p in series]
    rows += [[_day(p["period"]), "", number(p["value"], unit),
              f"{number(p.get('low'), unit)} to {number(p.get('high'), unit)}" if banded else "—"]
             for p in forecast]
    latest = f"; latest {number(series[-1]['value'], unit)} ({_day(series[-1]['period'])})" if series else ""
    target = f"; target {number(kpi['target'], unit)}" if kpi.get("target") is not None else ""
    shaded = "; shaded: " + ", ".join(f"{name} {a} to {b}" for name, a, b in periods) if periods else ""
    if banded:
        dashed = "; dashed: the forecast with its 80% interval"
    elif forecast:
        dashed = "; dashed: the forecast (no interval yet: too few periods to tell how much it varies)"
    else:
        dashed = "; no forecast yet"
    dotted = (f"; dotted: the expected pace, {number(pace[0]['value'], unit)} at {pace[0]['period']} to the "
              f"target at {pace[1]['period']}") if pace else ""
    alt = _alt(f"{label} ({kpi.get('objective')}) by period{latest}{target}{dashed}{dotted}{shaded}",
               ["period", "actual", "forecast", "80% interval"], rows)
    return {**_base(f"{kpi.get('objective')}: {label}"), "layer": layers, "usermeta": alt}


def _pace(kpi: dict[str, Any], start: dt.date | None) -> list[dict[str, Any]]:
    """The expected pace of a paced KPI (counts, audience size): its baseline at the horizon's start to its
    target at its deadline, as diagnose's `expected_now` moves; [] for any other."""
    deadline = _as_day(kpi.get("deadline"))
    if not kpi.get("paced") or start is None or deadline is None or deadline <= start \
            or kpi.get("target") is None or kpi.get("baseline") is None:
        return []
    return [{"period": start.isoformat(), "value": kpi["baseline"]},
            {"period": deadline.isoformat(), "value": kpi["target"]}]


def dialogue_spec(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Inbound messages and answered ones per month (from response_rate's numerator and denominator)."""
    values = []
    for r in rows:
        if r.get("metric") == "response_rate" and r.get("denominator"):
            values.append({"period": r["period"], "what": "inbound", "messages": r["denominator"]})
            values.append({"period": r["period"], "what": "answered", "messages": r.get("numerator") or 0})
    if not values:
        return None
    months = [r for r in rows if r.get("metric") == "response_rate" and r.get("denominator")]
    alt = _alt("Inbound messages and those answered, per month", ["month", "inbound", "answered"],
               [[_day(r["period"]), count(r["denominator"]), count(r.get("numerator") or 0)] for r in months])
    return {**_base("Inbound vs answered, per month"), "usermeta": alt, "data": {"values": values}, "mark": "bar",
            "encoding": {"x": {"field": "period", "type": "ordinal", "title": None},
                         "xOffset": {"field": "what"},
                         "y": {"field": "messages", "type": "quantitative"},
                         "color": {"field": "what", "type": "nominal", "title": None},
                         "tooltip": [{"field": "period"}, {"field": "what"}, {"field": "messages"}]}}


def response_time_spec(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Median and p90 minutes to the first reply, per month."""
    wanted = {"first_response_minutes_median": "median", "first_response_minutes_p90": "p90"}
    values = [{"period": r["period"], "stat": wanted[r["metric"]], "minutes": r["value"]}
              for r in rows if r.get("metric") in wanted and r.get("value") is not None]
    if not values:
        return None
    by_period: dict[str, dict[str, Any]] = {}
    for v in values:
        by_period.setdefault(v["period"], {})[v["stat"]] = v["minutes"]
    alt = _alt("Median and 90th percentile time to the first reply, per month", ["month", "median", "p90"],
               [[_day(p), minutes(s.get("median")), minutes(s.get("p90"))] for p, s in by_period.items()])
    return {**_base("Minutes to first reply, per month"), "usermeta": alt, "data": {"values": values},
            "mark": {"type": "line", "point": True},
            "encoding": {"x": {"field": "period", "type": "ordinal", "title": None},
                         "y": {"field": "minutes", "type": "quantitative", "title": "minutes to first reply"},
                         "color": {"field": "stat", "type": "nominal", "title": None},
                         "tooltip": [{"field": "period"}, {"field": "stat"}, {"field": "minutes"}]}}


def buckets_spec(buckets: list[tuple[str, int]]) -> dict[str, Any] | None:
    """Inbound messages by time to first reply, then unanswered."""
    if not buckets:
        return None
    values = [{"bucket": name, "order": i, "messages": n} for i, (name, n) in enumerate(buckets)]
    alt = _alt("Inbound messages by time to first reply, then unanswered", ["time to first reply", "messages"],
               [[name, count(n)] for name, n in buckets])
    return {**_base("Inbound messages by time to first reply"), "usermeta": alt, "data": {"values": values},
            "mark": "bar",
            "encoding": {"x": {"field": "bucket", "type": "ordinal", "sort": {"field": "order"}, "title": None},
                         "y": {"field": "messages", "type": "quantitative"},
                         "tooltip": [{"field": "bucket"}, {"field": "messages"}]}}


# Every hour labelled where 24 labels fit, every 3rd or 6th hour on a narrow chart (`width`: the plot's, in px).
HOUR_LABELS = "datum.value % (width < 240 ? 6 : width < 480 ? 3 : 1) == 0 ? datum.label : ''"


def shortfall_heatmap_spec(heatmap: list[dict[str, Any]], timezone: str | None = None) -> dict[str, Any] | None:
    """People short in every hour of the week (7 × 24 cells, Monday on top; covered hours grey), from
    `CapacityPlan.heatmap()`."""
    values = [{"day": row["name"], "order": d, "hour": h, "short": row["shortfall"][h],
               "needed": row["needed"][h], "declared": row["declared"][h],
               "messages_per_hour": round(row["arrivals_per_hour"][h], 2)}
              for d, row in enumerate(heatmap) for h in range(len(row["shortfall"]))]
    if not values:
        return None
    zone = timezone or "the team's local time"
    hours = len(heatmap[0]["shortfall"])
    alt = _alt(f"People short in each hour of the week (hours in {zone}); 0 where the declared team covers "
               "the hour", ["day", *(f"{h:02d}" for h in range(hours))],
               [[row["name"], *(count(max(x, 0)) for x in row["shortfall"])] for row in heatmap])
    return {**_base("People short, by hour of the week"), "usermeta": alt, "height": 7 * 24,
            "data": {"values": values},
            "mark": {"type": "rect", "stroke": "#fff", "strokeWidth": 1},
            "encoding": {"x": {"field": "hour", "type": "ordinal", "title": f"hour ({zone})",
                               "axis": {"labelAngle": 0, "labelExpr": HOUR_LABELS}},
                         "y": {"field": "day", "type": "ordinal", "title": None,
                               "sort": {"field": "order"}},
                         "color": {"condition": {"test": "datum.short <= 0", "value": "#eef1f4"},
                                   "field": "short", "type": "quantitative", "title": "people short",
                                   "legend": {"format": "d", "tickMinStep": 1},
                                   "scale": {"scheme": "reds", "domainMin": 0}},
                         "tooltip": [{"field": "day"}, {"field": "hour"},
                                     {"field": "messages_per_hour", "title": "messages per hour"},
                                     {"field": "needed"}, {"field": "declared"},
                                     {"field": "short", "title": "people short"}]}}
