"""The report's charts: Altair specs rendered offline to inline SVG by vl-convert (no network, no JavaScript).

Each function takes report model objects and returns an `Svg` string ready to drop into the page; ids inside
each SVG are prefixed so that several charts can share one document.

Where a folder is set (`svg_cache`), each SVG is kept by the sha256 of its Vega-Lite spec, and the spec's hash
by the chart's inputs (`chart-in-<hash of the function, its arguments, this package's code and the Altair and
vl-convert releases>.json`): a chart drawn before from the same inputs is read back without importing Altair
or vl-convert (about a second of a report's start-up).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strategyfirst import cachefiles
from strategyfirst.formatting import PERCENT_TICKS, metric_label
from strategyfirst.report.model import Bucket, KeyedValue, KpiView

if TYPE_CHECKING:
    import altair as alt

WIDTH, HEIGHT = 520, 200
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_counter = itertools.count(1)
# Where rendered charts are kept (the workspace's .strategyfirst/cache/, set by `render_report`); None: not kept.
svg_cache: ContextVar[Path | None] = ContextVar("svg_cache", default=None)
SVG_PREFIX = "chart-"
SVG_KEEP = 64
INPUTS_PREFIX = "chart-in-"
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')
_URL_REF = re.compile(r'url\(#([^)]+)\)')
_HREF_REF = re.compile(r'href="#([^"]+)"')


def _inline(svg: str) -> str:
    """vl-convert's SVG made fit for one HTML page among others: namespaces dropped, ids prefixed."""
    svg = _XMLNS.sub("", svg, count=2)
    prefix = f"c{next(_counter)}-"
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", svg)
    return _HREF_REF.sub(lambda m: f'href="#{prefix}{m.group(1)}"', svg)


def _spec_digest(spec: dict[str, Any]) -> str:
    import vl_convert as vlc

    text = json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{getattr(vlc, '__version__', '')} {text}".encode()).hexdigest()


def _kept_svg(folder: Path, digest: str) -> str | None:
    try:
        kept = (folder / f"{SVG_PREFIX}{digest}.svg").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return kept if kept.startswith("<svg") and kept.rstrip().endswith("</svg>") else None  # else not trusted


def _render(spec: dict[str, Any]) -> tuple[str, str | None]:
    """vl-convert's SVG of a Vega-Lite spec and the spec's digest; kept in `svg_cache`'s folder (when set)
    by the sha256 of the spec and vl-convert's version: its first chart costs about a second (it starts its
    JavaScript engine), and a report of unchanged data draws the same charts again."""
    import vl_convert as vlc

    folder = svg_cache.get()
    if folder is None:
        return str(vlc.vegalite_to_svg(spec)), None
    digest = _spec_digest(spec)
    kept = _kept_svg(folder, digest)
    if kept is not None:
        return kept, digest
    svg = str(vlc.vegalite_to_svg(spec))
    try:
        cachefiles.write_atomic(folder / f"{SVG_PREFIX}{digest}.svg", svg)
        cachefiles.prune(folder, f"{SVG_PREFIX}*.svg", SVG_KEEP)
    except OSError:
        pass  # a chart not kept costs time only
    return svg, digest


def _plain(value: Any) -> Any:
    """`json.dumps`'s fallback for a chart's inputs: records as their fields, dates as ISO text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"_": type(value).__name__, **{f.name: getattr(value, f.name) for f in dataclasses.fields(value)}}
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "tolist"):  # a numpy array or scalar
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not a chart input")


@functools.cache
def _releases() -> str:
    """This package's code (every module: the specs use the labels and formats of others) and the releases of
    Altair and vl-convert, which make the spec and the drawing."""
    from importlib import metadata

    from strategyfirst.diagnosis_cache import code_version

    versions = []
    for dist in ("altair", "vl-convert-python"):
        try:
            versions.append(metadata.version(dist))
        except metadata.PackageNotFoundError:
            versions.append("")
    return " ".join([code_version(), *versions])


def _drawn(build: Callable[..., alt.TopLevelMixin | None], *args: Any, **kwargs: Any) -> str | None:
    """The SVG of the chart `build(*args, **kwargs)` makes (None: nothing to draw): read back through
    `chart-in-*.json` when these inputs were drawn before (no Altair, no vl-convert), else built, drawn and
    kept."""
    folder = svg_cache.get()
    entry: Path | None = None
    if folder is not None:
        try:
            text = json.dumps([build.__name__, args, kwargs, _releases()], sort_keys=True, default=_plain)
        except (TypeError, ValueError):  # an input with no JSON form: drawn, not kept by its inputs
            text = None
        if text is not None:
            key = hashlib.sha256(text.encode()).hexdigest()
            entry = folder / f"{INPUTS_PREFIX}{key}.json"
            try:
                found = json.loads(entry.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                found = None
            if isinstance(found, dict) and found.get("key") == key and "spec" in found:
                if found["spec"] is None:
                    return None
                kept = _kept_svg(folder, str(found["spec"]))
                if kept is not None:
                    return _inline(kept)
    made = build(*args, **kwargs)
    svg = digest = None
    if made is not None:
        raw, digest = _render(made.to_dict())
        svg = _inline(raw)
    if entry is not None and folder is not None and (made is None or digest is not None):
        try:
            cachefiles.write_atomic(entry, json.dumps({"key": entry.stem[len(INPUTS_PREFIX):], "spec": digest}))
            cachefiles.prune(folder, f"{INPUTS_PREFIX}*.json", SVG_KEEP)
        except OSError:
            pass  # a chart not kept costs time only
    return svg


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


# Months between two labelled ticks, the fewest giving at most MAX_TICKS ticks over a chart's days.
TICK_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)
MAX_TICKS = 8


def _time_x(days: Sequence[str | None], title: str = "") -> alt.X:
    """A time axis over the ISO `days` a chart draws, ticked on the first of a month (every `step` months) so
    that no two labels read alike: Vega's own ticks fall on days and weeks inside a month, each labelled
    with its month."""
    import altair as alt

    shown = sorted(d for d in days if d)
    months = 0
    if shown:
        first, last = dt.date.fromisoformat(shown[0][:10]), dt.date.fromisoformat(shown[-1][:10])
        months = (last.year - first.year) * 12 + last.month - first.month
    step = next((s for s in TICK_STEPS if months / s < MAX_TICKS), TICK_STEPS[-1])
    ticks = {"interval": "month", "step": step} if step < 12 else {"interval": "year", "step": step // 12}
    axis = alt.Axis(format="%b %Y" if step < 12 else "%Y", tickCount=ticks, labelOverlap=True)
    return alt.X("period:T", title=title, scale=alt.Scale(type="utc"), axis=axis)


# Axis labels by unit, in d3-format: "85%", "5,000", "+0.12" — never "5e+3" nor a bare 0.85.
_AXIS_FORMAT = {"ratio": PERCENT_TICKS, "count": ",~f", "minutes": ",~f", "currency": ",~f", "score": "+.2f"}


def kpi_chart(kpi: KpiView, as_of: dt.date | None = None, pace_start: dt.date | None = None) -> str | None:
    """Actual series, the target as a dashed rule, and the forecast to the deadline as a band with its line.

    A paced KPI also gets its expected pace: a dotted line from the baseline at `pace_start` (the horizon's
    start) to the target at the deadline.

    None when there is nothing to draw (no data and no target).
    """
    return _drawn(_kpi_spec, kpi, as_of, pace_start)


def _kpi_spec(kpi: KpiView, as_of: dt.date | None, pace_start: dt.date | None) -> alt.TopLevelMixin | None:
    import altair as alt

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
    paced = bool(kpi.paced and pace_start and kpi.deadline and kpi.target is not None and pace_start < kpi.deadline)
    days = [r["period"] for r in (*actual, *forecast)]
    days += [_iso(pace_start), _iso(kpi.deadline)] if paced else []
    days += [_iso(as_of)] if not kpi.series and kpi.actual is not None else []
    x = _time_x(days)  # one axis for every layer
    layers: list[Any] = []
    if forecast:
        fc = alt.Chart(alt.Data(values=forecast))
        layers.append(fc.mark_area(opacity=0.25, color="#6c8ebf").encode(
            x=x, y=alt.Y("low:Q", title=kpi.unit, axis=axis), y2="high:Q"))
        layers.append(fc.mark_line(strokeDash=[4, 3], color="#6c8ebf", point=True).encode(x=x, y=y))
    if paced:
        pace = [{"period": _iso(pace_start), "value": kpi.baseline or 0.0},
                {"period": _iso(kpi.deadline), "value": kpi.target}]
        layers.append(alt.Chart(alt.Data(values=pace)).mark_line(color="#888888", strokeDash=[1, 3]).encode(
            x=x, y=y))
    if actual:
        layers.append(alt.Chart(alt.Data(values=actual)).mark_line(point=True, color="#1f4e79").encode(
            x=x, y=y))
    if kpi.target is not None:
        layers.append(alt.Chart(alt.Data(values=[{"target": kpi.target}])).mark_rule(
            color="#b03030", strokeDash=[6, 4], size=2).encode(y=alt.Y("target:Q", title=kpi.unit, axis=axis)))
    if not kpi.series and kpi.actual is not None and as_of is not None:
        layers.append(alt.Chart(alt.Data(values=[{"period": _iso(as_of), "value": kpi.actual}])).mark_point(
            color="#1f4e79", filled=True, size=60).encode(x=x, y=y))
    if not layers:
        return None
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT,
                                         title=f"{kpi.objective}: {metric_label(kpi.metric)}")


def response_time_chart(buckets: Sequence[Bucket]) -> str:
    """Bars of answered inbound messages by time to first reply (plus unanswered)."""
    return str(_drawn(_response_time_spec, list(buckets)))


def _response_time_spec(buckets: list[Bucket]) -> alt.Chart:
    import altair as alt

    values = [{"bucket": b.label, "count": b.count, "order": i} for i, b in enumerate(buckets)]
    return alt.Chart(alt.Data(values=values)).mark_bar(color="#1f4e79").encode(
        x=alt.X("bucket:N", sort=[b.label for b in buckets], title="time to first reply",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("count:Q", title="inbound messages"),
        tooltip=["bucket:N", "count:Q"],
    ).properties(width=WIDTH, height=HEIGHT, title="Response-time distribution")


def by_account_chart(values: Sequence[KeyedValue], *, title: str, y_title: str, percent: bool = False) -> str:
    """One line per account over monthly buckets."""
    return str(_drawn(_by_account_spec, list(values), title, y_title, percent))


def _by_account_spec(values: list[KeyedValue], title: str, y_title: str, percent: bool) -> alt.Chart:
    import altair as alt

    rows = [{"period": _iso(v.period), "account": v.key, "value": v.value, "n": v.n} for v in values]
    axis = alt.Axis(format=PERCENT_TICKS) if percent else alt.Axis()
    return alt.Chart(alt.Data(values=rows)).mark_line(point=True).encode(
        x=_time_x([_iso(v.period) for v in values]),
        y=alt.Y("value:Q", title=y_title, axis=axis),
        color=alt.Color("account:N", title="account"),
        tooltip=["account:N", "period:T", "value:Q", "n:Q"],
    ).properties(width=WIDTH, height=HEIGHT, title=title)


def capacity_heatmap(matrix: Sequence[Sequence[float]], timezone: str = "UTC") -> str:
    """Hour-of-week shortfall: rows Monday..Sunday, columns hour 0..23 in `timezone`."""
    return str(_drawn(_capacity_spec, [[float(v) for v in row[:24]] for row in matrix[:7]], timezone))


def _capacity_spec(matrix: list[list[float]], timezone: str) -> alt.Chart:
    import altair as alt

    rows = [{"day": DAYS[d], "hour": h, "shortfall": float(v)}
            for d, row in enumerate(matrix[:7]) for h, v in enumerate(row[:24])]
    return alt.Chart(alt.Data(values=rows)).mark_rect().encode(
        x=alt.X("hour:O", title=f"hour of day ({timezone})", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("day:O", sort=list(DAYS), title=None),
        color=alt.Color("shortfall:Q", title="people short", scale=alt.Scale(scheme="orangered")),
        tooltip=["day:O", "hour:O", "shortfall:Q"],
    ).properties(width=WIDTH, height=7 * 22, title="Staffing shortfall by hour of week")
