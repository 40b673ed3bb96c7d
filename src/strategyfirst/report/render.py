"""Render `ReportData` to one self-contained HTML page: inline CSS, inline SVG charts, no external reference.

Jinja2 autoescaping is on for every template, so text from posts and plans (account names, statements,
lint messages, decisions) can never inject markup; only the SVG produced by vl-convert is marked safe.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from strategyfirst.formatting import (
    metric_label,
    number,
    status_label,
    step_rate,
    verdict_label,
    verdict_likelihood,
    whole_dates,
)
from strategyfirst.report import charts
from strategyfirst.report.model import KeyedValue, ReportData


def fmt(value: Any, unit: str = "", currency: str | None = None, metric: str | None = None) -> str:
    """A figure by its catalogue unit (a mean's by its `metric`), as the CLI and the web show it
    (strategyfirst.formatting)."""
    if value is not None and not isinstance(value, int | float):
        return str(value)
    return number(value, unit or None, currency=currency, metric=metric)


def _environment(currency: str | None = None) -> Environment:
    env = Environment(
        loader=PackageLoader("strategyfirst.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = lambda value, unit="", metric=None: fmt(value, unit, currency, metric)
    env.filters["label"] = metric_label
    env.filters["likelihood"] = lambda v: verdict_likelihood(v.kind, v.probability) or "—"
    env.filters["status_label"] = status_label
    env.filters["verdict_label"] = verdict_label
    env.filters["step_rate"] = step_rate
    env.filters["whole_dates"] = whole_dates
    return env


def _stylesheet() -> Markup:
    css = resources.files("strategyfirst.report").joinpath("templates/report.css").read_text(encoding="utf-8")
    return Markup(css.replace("</", "<\\/"))


def _latest_by_key(values: list[KeyedValue]) -> list[KeyedValue]:
    """The last non-null value per key, for the tables next to the line charts."""
    latest: dict[str, KeyedValue] = {}
    for v in sorted(values, key=lambda v: (v.period or dt.date.min)):
        if v.value is not None:
            latest[v.key] = v
    return [latest[k] for k in sorted(latest)]


def _charts(data: ReportData) -> dict[str, Any]:
    """Every chart of the report as safe inline SVG, keyed by the place it goes."""
    start = data.plan.horizon_start if data.plan else None
    kpi_svgs = [charts.kpi_chart(k, data.as_of, start) for k in data.kpis]
    out: dict[str, Any] = {"kpis": [Markup(s) if s else None for s in kpi_svgs]}
    if data.response_times:
        out["response_times"] = Markup(charts.response_time_chart(data.response_times))
    if data.response_rate:
        out["response_rate"] = Markup(charts.by_account_chart(
            data.response_rate, title="Response rate by account and month", y_title="response rate",
            percent=True))
    if data.sentiment_lift:
        out["sentiment_lift"] = Markup(charts.by_account_chart(
            data.sentiment_lift, title="Sentiment lift by account and month",
            y_title="compound score change"))
    if data.audience:
        out["audience"] = Markup(charts.by_account_chart(
            data.audience, title="Permission asset: audience size by account", y_title="audience size"))
    if data.capacity:
        out["capacity"] = Markup(charts.capacity_heatmap(data.capacity.shortfall, data.capacity.timezone))
    return out


def render_html(data: ReportData) -> str:
    """The whole report as one HTML string."""
    template = _environment(data.plan.currency or None if data.plan else None).get_template("report.html.j2")
    return template.render(
        data=data,
        charts=_charts(data),
        css=_stylesheet(),
        response_rate_latest=_latest_by_key(data.response_rate),
        sentiment_latest=_latest_by_key(data.sentiment_lift),
        audience_growth=data.audience_growth,
    )
