"""Vega-Lite specs for the pages (drawn in the browser by vega-embed): KPI series with target and forecast,
the dialogue's inbound vs answered and response times."""

from __future__ import annotations

from typing import Any

from strategyfirst.formatting import metric_label

WIDTH, HEIGHT = "container", 180
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier only; nothing is fetched


def _base(title: str) -> dict[str, Any]:
    return {"$schema": SCHEMA, "title": title, "width": WIDTH, "height": HEIGHT,
            "config": {"view": {"stroke": None}}}


def kpi_spec(kpi: dict[str, Any]) -> dict[str, Any] | None:
    """Actual series (line), the target (dashed rule) and the forecast to the deadline (band + dashed line)."""
    series = [p for p in kpi.get("series") or [] if p.get("value") is not None]
    forecast = [p for p in kpi.get("forecast") or [] if p.get("value") is not None]
    if not series and not forecast:
        return None
    y = {"field": "value", "type": "quantitative", "title": metric_label(str(kpi.get("metric"))),
         "axis": {"format": ".0%"} if kpi.get("unit") == "ratio" else {}}
    x = {"field": "period", "type": "temporal", "title": None, "axis": {"tickCount": 6, "grid": False}}
    layers: list[dict[str, Any]] = []
    if forecast:
        layers.append({"data": {"values": forecast}, "mark": {"type": "area", "opacity": 0.2, "color": "#888"},
                       "encoding": {"x": x, "y": {**y, "field": "low"}, "y2": {"field": "high"}}})
        layers.append({"data": {"values": forecast}, "mark": {"type": "line", "strokeDash": [4, 3],
                                                              "color": "#888"},
                       "encoding": {"x": x, "y": y, "tooltip": [x, y]}})
    if series:
        layers.append({"data": {"values": series}, "mark": {"type": "line", "point": True, "color": "#1f5fa8"},
                       "encoding": {"x": x, "y": y, "tooltip": [x, y, {"field": "n", "type": "quantitative"}]}})
    if kpi.get("target") is not None:
        layers.append({"data": {"values": [{"target": kpi["target"]}]},
                       "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#c0392b"},
                       "encoding": {"y": {"field": "target", "type": "quantitative"},
                                    "tooltip": [{"field": "target", "type": "quantitative"}]}})
    return {**_base(f"{kpi.get('objective')}: {kpi.get('metric')}"), "layer": layers}


def dialogue_spec(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Inbound messages and answered ones per month (from response_rate's numerator and denominator)."""
    values = []
    for r in rows:
        if r.get("metric") == "response_rate" and r.get("denominator"):
            values.append({"period": r["period"], "what": "inbound", "messages": r["denominator"]})
            values.append({"period": r["period"], "what": "answered", "messages": r.get("numerator") or 0})
    if not values:
        return None
    return {**_base("Inbound vs answered, per month"), "data": {"values": values}, "mark": "bar",
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
    return {**_base("Minutes to first reply, per month"), "data": {"values": values},
            "mark": {"type": "line", "point": True},
            "encoding": {"x": {"field": "period", "type": "ordinal", "title": None},
                         "y": {"field": "minutes", "type": "quantitative"},
                         "color": {"field": "stat", "type": "nominal", "title": None},
                         "tooltip": [{"field": "period"}, {"field": "stat"}, {"field": "minutes"}]}}


def buckets_spec(buckets: list[tuple[str, int]]) -> dict[str, Any] | None:
    """Inbound messages by time to first reply, then unanswered."""
    if not buckets:
        return None
    values = [{"bucket": name, "order": i, "messages": n} for i, (name, n) in enumerate(buckets)]
    return {**_base("Inbound messages by time to first reply"), "data": {"values": values}, "mark": "bar",
            "encoding": {"x": {"field": "bucket", "type": "ordinal", "sort": {"field": "order"}, "title": None},
                         "y": {"field": "messages", "type": "quantitative"},
                         "tooltip": [{"field": "bucket"}, {"field": "messages"}]}}


def shortfall_heatmap_spec(heatmap: list[dict[str, Any]]) -> dict[str, Any] | None:
    """People short in every hour of the week (7 × 24 cells, Monday on top; covered hours grey), from
    `CapacityPlan.heatmap()`."""
    values = [{"day": row["name"], "order": d, "hour": h, "short": row["shortfall"][h],
               "needed": row["needed"][h], "declared": row["declared"][h],
               "messages_per_hour": round(row["arrivals_per_hour"][h], 2)}
              for d, row in enumerate(heatmap) for h in range(len(row["shortfall"]))]
    if not values:
        return None
    return {**_base("People short, by hour of the week"), "height": 7 * 24, "data": {"values": values},
            "mark": {"type": "rect", "stroke": "#fff", "strokeWidth": 1},
            "encoding": {"x": {"field": "hour", "type": "ordinal", "title": "hour (team's local time)",
                               "axis": {"labelAngle": 0}},
                         "y": {"field": "day", "type": "ordinal", "title": None,
                               "sort": {"field": "order"}},
                         "color": {"condition": {"test": "datum.short <= 0", "value": "#eef1f4"},
                                   "field": "short", "type": "quantitative", "title": "people short",
                                   "scale": {"scheme": "reds", "domainMin": 0}},
                         "tooltip": [{"field": "day"}, {"field": "hour"},
                                     {"field": "messages_per_hour", "title": "messages per hour"},
                                     {"field": "needed"}, {"field": "declared"},
                                     {"field": "short", "title": "people short"}]}}
