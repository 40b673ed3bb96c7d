"""The report's charts: Altair specs rendered offline to inline SVG by vl-convert (no network, no JavaScript).

Each function takes report model objects and returns an `Svg` string ready to drop into the page; ids inside
each SVG are prefixed so that several charts can share one document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
from collections.abc import Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert as vlc

from strategyfirst import cachefiles
from strategyfirst.formatting import metric_label
from strategyfirst.report.model import Bucket, KeyedValue, KpiView

WIDTH, HEIGHT = 520, 200
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_counter = itertools.count(1)
# Where rendered charts are kept (the workspace's .strategyfirst/cache/, set by `render_report`); None: not kept.
svg_cache: ContextVar[Path | None] = ContextVar("svg_cache", default=None)
SVG_PREFIX = "chart-"
SVG_KEEP = 64
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')
_URL_REF = re.compile(r'url\(#([^)]+)\)')
_HREF_REF = re.compile(r'href="#([^"]+)"')


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to an SVG fragment for inline HTML (namespaces dropped: HTML5 knows <svg>)."""
    svg = _render(chart.to_dict())
    svg = _XMLNS.sub("", svg, count=2)
    prefix = f"c{next(_counter)}-"
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", svg)
    return _HREF_REF.sub(lambda m: f'href="#{prefix}{m.group(1)}"', svg)


def _render(spec: dict[str, Any]) -> str:
    """vl-convert's SVG of a Vega-Lite spec; kept in `svg_cache`'s folder (when set) by the sha256 of the spec
    and vl-convert's version: its first chart costs about a second (it starts its JavaScript engine), and a
    report of unchanged data draws the same charts again."""
    folder = svg_cache.get()
    if folder is None:
        return str(vlc.vegalite_to_svg(spec))
    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(f"{getattr(vlc, '__version__', '')} {text}".encode()).hexdigest()
    path = folder / f"{SVG_PREFIX}{digest}.svg"
    try:
        kept = path.read_text(encoding="utf-8")
        if kept.startswith("<svg") and kept.rstrip().endswith("</svg>"):  # anything else is not trusted
            return kept
    except (OSError, UnicodeDecodeError):
        pass
    svg = str(vlc.vegalite_to_svg(spec))
    try:
        cachefiles.write_atomic(path, svg)
        cachefiles.prune(folder, f"{SVG_PREFIX}*.svg", SVG_KEEP)
    except OSError:
        pass  # a chart not kept costs time only
    return svg


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _time_x(title: str = "") -> alt.X:
    return alt.X("period:T", title=title, scale=alt.Scale(type="utc"), axis=alt.Axis(format="%b %Y"))


# Axis labels by unit, in d3-format: "85%", "5,000", "+0.12" — never "5e+3" nor a bare 0.85.
_AXIS_FORMAT = {"ratio": ".1~%", "count": ",~f", "minutes": ",~f", "currency": ",~f", "score": "+.2f"}


def kpi_chart(kpi: KpiView, as_of: dt.date | None = None, pace_start: dt.date | None = None) -> str | None:
    """Actual series, the target as a dashed rule, and the forecast to the deadline as a band with its line.

    A paced KPI also gets its expected pace: a dotted line from the baseline at `pace_start` (the horizon's
    start) to the target at the deadline.

    None when there is nothing to draw (no data and no target).
    """
    actual: list[dict[str, Any]] = [{"period": _iso(p.period), "value": p.value} for p in kpi.series]
    forecast: list[dict[str, Any]] = [
        {"period": _iso(f.period), "value": f.value, "low": f.low, "high": f.high} for f in kpi.forecast]
    if not forecast and kpi.deadline and kpi.forecast_at_deadline is not None:
        # Only the deadline figure is known: the band runs from the last actual point to the deadline.
        low = kpi.forecast_low if kpi.forecast_low is not None else kpi.forecast_at_deadline
        high = kpi.forecast_high if kpi.forecast_high is not None else kpi.forecast_at_deadline
        forecast.append({"period": _iso(kpi.deadline), "value": kpi.forecast_at_deadline,
                         "low": low, "high": high})
    last = actual[-1] if actual else {"period": None, "value": None}
    if forecast and last["value"] is not None and last["period"] < forecast[0]["period"]:
        # the band fans out from the last measured point, so the forecast reads as its continuation
        value = last["value"]
        forecast.insert(0, {"period": last["period"], "value": value, "low": value, "high": value})
    axis = alt.Axis(format=_AXIS_FORMAT.get(kpi.unit, ",~f"))
    y = alt.Y("value:Q", title=kpi.unit, scale=alt.Scale(zero=False), axis=axis)
    layers: list[Any] = []
    if forecast:
        fc = alt.Chart(alt.Data(values=forecast))
        layers.append(fc.mark_area(opacity=0.25, color="#6c8ebf").encode(
            x=_time_x(), y=alt.Y("low:Q", title=kpi.unit, axis=axis), y2="high:Q"))
        layers.append(fc.mark_line(strokeDash=[4, 3], color="#6c8ebf", point=True).encode(x=_time_x(), y=y))
    if kpi.paced and pace_start and kpi.deadline and kpi.target is not None and pace_start < kpi.deadline:
        pace = [{"period": _iso(pace_start), "value": kpi.baseline or 0.0},
                {"period": _iso(kpi.deadline), "value": kpi.target}]
        layers.append(alt.Chart(alt.Data(values=pace)).mark_line(color="#888888", strokeDash=[1, 3]).encode(
            x=_time_x(), y=y))
    if actual:
        layers.append(alt.Chart(alt.Data(values=actual)).mark_line(point=True, color="#1f4e79").encode(
            x=_time_x(), y=y))
    if kpi.target is not None:
        layers.append(alt.Chart(alt.Data(values=[{"target": kpi.target}])).mark_rule(
            color="#b03030", strokeDash=[6, 4], size=2).encode(y=alt.Y("target:Q", title=kpi.unit, axis=axis)))
    if not kpi.series and kpi.actual is not None and as_of is not None:
        layers.append(alt.Chart(alt.Data(values=[{"period": _iso(as_of), "value": kpi.actual}])).mark_point(
            color="#1f4e79", filled=True, size=60).encode(x=_time_x(), y=y))
    if not layers:
        return None
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT,
                                          title=f"{kpi.objective}: {metric_label(kpi.metric)}")
    return to_svg(chart)


def response_time_chart(buckets: Sequence[Bucket]) -> str:
    """Bars of answered inbound messages by time to first reply (plus unanswered)."""
    values = [{"bucket": b.label, "count": b.count, "order": i} for i, b in enumerate(buckets)]
    chart = alt.Chart(alt.Data(values=values)).mark_bar(color="#1f4e79").encode(
        x=alt.X("bucket:N", sort=[b.label for b in buckets], title="time to first reply",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count:Q", title="inbound messages"),
        tooltip=["bucket:N", "count:Q"],
    ).properties(width=WIDTH, height=HEIGHT, title="Response-time distribution")
    return to_svg(chart)


def by_account_chart(values: Sequence[KeyedValue], *, title: str, y_title: str, percent: bool = False) -> str:
    """One line per account over monthly buckets."""
    rows = [{"period": _iso(v.period), "account": v.key, "value": v.value, "n": v.n} for v in values]
    axis = alt.Axis(format="%") if percent else alt.Axis()
    chart = alt.Chart(alt.Data(values=rows)).mark_line(point=True).encode(
        x=_time_x(),
        y=alt.Y("value:Q", title=y_title, axis=axis),
        color=alt.Color("account:N", title="account"),
        tooltip=["account:N", "period:T", "value:Q", "n:Q"],
    ).properties(width=WIDTH, height=HEIGHT, title=title)
    return to_svg(chart)


def capacity_heatmap(matrix: Sequence[Sequence[float]], timezone: str = "UTC") -> str:
    """Hour-of-week shortfall: rows Monday..Sunday, columns hour 0..23 in `timezone`."""
    rows = [{"day": DAYS[d], "hour": h, "shortfall": float(v)}
            for d, row in enumerate(matrix[:7]) for h, v in enumerate(row[:24])]
    chart = alt.Chart(alt.Data(values=rows)).mark_rect().encode(
        x=alt.X("hour:O", title=f"hour of day ({timezone})", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("day:O", sort=list(DAYS), title=None),
        color=alt.Color("shortfall:Q", title="people short", scale=alt.Scale(scheme="orangered")),
        tooltip=["day:O", "hour:O", "shortfall:Q"],
    ).properties(width=WIDTH, height=7 * 22, title="Staffing shortfall by hour of week")
    return to_svg(chart)
