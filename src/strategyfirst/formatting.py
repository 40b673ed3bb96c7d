"""Numbers as people read them: one formatter for the CLI, the report and the web.

Every figure is formatted by its catalogue unit (`ratio`, `count`, `minutes`, `currency`, `score`), so that a
response rate reads "84.8%" everywhere, a median first response "9.6 min", a count "2,975,343" and money
"1,250 EUR". Probabilities are said in words ("76% likely to stay below target"). JSON keeps raw numbers; this
module is only for text meant for people. It imports only the catalogue, so every layer may use it.
"""

from __future__ import annotations

import math
import re
from typing import Any

from markupsafe import Markup, escape

from strategyfirst import catalog

DASH = "—"
# A chart's percent axis, in d3-format: no precision, so the tick step sets the decimals and no two ticks read
# alike ("0.0%, 0.5%, 1.0%" for 0.5% steps, "0%, 20%, 40%" for 20%); a fixed ".0%" read "1%, 1%, 2%, 2%".
PERCENT_TICKS = "%"


def _finite(value: object) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


def _clean(text: str) -> str:
    """No negative zero ("-0", "-0.0%")."""
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def count(value: float | None) -> str:
    """A count as a whole number with thousands separators; a small fractional count (a mean) keeps one
    decimal ("3.2"), a large one is rounded ("2,975,343")."""
    x = _finite(value)
    if x is None:
        return DASH
    if x.is_integer() or abs(x) >= 100:
        return _clean(f"{round(x):,}")
    return _clean(f"{x:,.1f}")


def ratio(value: float | None, *, signed: bool = False) -> str:
    """A ratio as a percentage with one decimal ("84.8%"); ratios under 1% keep two significant digits ("0.71%")."""
    x = _finite(value)
    if x is None:
        return DASH
    sign = "+" if signed and x > 0 else ""
    pct = x * 100
    if pct != 0 and abs(pct) < 1:
        return sign + _clean(f"{pct:.2g}%")
    return sign + _clean(f"{pct:,.1f}%")


def step_rate(value: float | None) -> str:
    """A funnel step over the one before: a percentage below 1 ("6.0%"), a multiple from 1 on ("4.0×": site
    visits can outnumber the new followers before them)."""
    x = _finite(value)
    if x is None or x < 1:
        return ratio(x)
    return f"{x:.1f}×" if x < 1000 else f"{x:,.0f}×"


def minutes(value: float | None) -> str:
    """A duration in minutes: "9.6 min" under 10, "45 min" under two hours, then hours, then days."""
    x = _finite(value)
    if x is None:
        return DASH
    if abs(x) < 10:
        return _clean(f"{x:.1f} min")
    if abs(x) < 120:
        return _clean(f"{x:.0f} min")
    if abs(x) < 48 * 60:
        return _clean(f"{x / 60:,.1f} h")
    return _clean(f"{x / 1440:,.1f} days")


def money(value: float | None, currency: str | None = None) -> str:
    """An amount with its currency code: "1,250 EUR"; amounts under 100 keep cents ("12.50 EUR")."""
    x = _finite(value)
    if x is None:
        return DASH
    text = _clean(f"{x:,.2f}" if abs(x) < 100 and not x.is_integer() else f"{round(x):,}")
    return f"{text} {currency}" if currency else text


def score(value: float | None) -> str:
    """A sentiment score (−1..1) with its sign and two decimals: "+0.12"."""
    x = _finite(value)
    if x is None:
        return DASH
    return _clean(f"{x:+.2f}") if round(x, 2) != 0 else "0.00"


def number(value: float | None, unit: str | None = None, *, currency: str | None = None,
           metric: str | None = None) -> str:
    """Any figure by its catalogue unit; an unknown unit reads as a plain number. A mean (`metric` in
    catalog.MEANS) keeps one decimal, whole or not."""
    if metric in catalog.MEANS and (x := _finite(value)) is not None and abs(x) < 100:
        return _clean(f"{x:,.1f}")
    if unit == "ratio":
        return ratio(value)
    if unit == "minutes":
        return minutes(value)
    if unit == "currency":
        return money(value, currency)
    if unit == "score":
        return score(value)
    if unit == "count":
        return count(value)
    if isinstance(value, str):
        return value
    x = _finite(value)
    if x is None:
        return DASH
    if x.is_integer() or abs(x) >= 100:
        return _clean(f"{round(x):,}")
    return _clean(f"{x:,.3g}")


def chance(p: float | None) -> str:
    """A probability as a percentage people read: "76%", "under 1%", "over 99%"."""
    x = _finite(p)
    if x is None:
        return DASH
    if x < 0.01:
        return "under 1%" if x > 0 else "0%"
    if x > 0.99:
        return "over 99%" if x < 1 else "100%"
    return f"{x * 100:.0f}%"


def likelihood(p: float | None, outcome: str) -> str:
    """A probability and what it is the probability of, in words: "76% likely to stay below target"."""
    x = _finite(p)
    if x is None:
        return f"unknown how likely it is {outcome}"
    return f"{chance(x)} likely {outcome}"


# What a verdict's `probability` is the probability of (diagnose/verdicts.py): P(miss) for the failing kinds
# and for an undecided tactic, P(not materially missing) for a working one.
_VERDICT_OUTCOME = {"working": "to hold its target"}


def verdict_likelihood(kind: str, p: float | None) -> str:
    """A verdict's probability in words: "over 99% likely to miss its target"; "" when there is none."""
    x = _finite(p)
    if x is None:
        return ""
    x = min(max(x, 1e-6), 1 - 1e-6)  # a model's 0 or 1 is never certainty: "over 99%", as the evidence says
    return likelihood(x, _VERDICT_OUTCOME.get(kind, "to miss its target"))


def metric_label(metric_id: str) -> str:
    """The catalogue's plain label of a metric, without its unit hint (the value carries the unit): "Median
    first response"; an id the catalogue does not know is shown as it is."""
    spec = catalog.get(metric_id)
    if spec is None:
        return metric_id
    label = spec.label
    return label[: label.rindex(" (")] if label.endswith(")") and " (" in label else label


# KPI statuses and verdict kinds as people read them; JSON keeps the ids (diagnose/diagnosis.py).
STATUS_LABELS = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track",
                 "not_enough_data": "not enough data", "not_judged": "not judged", "met": "met",
                 "no_data": "no data"}
VERDICT_LABELS = {"working": "working", "tactic_failing": "tactic failing", "tactic_dead_weight": "dead weight",
                  "strategy_failing": "strategy failing", "not_enough_data": "not enough data",
                  "not_judged": "not judged"}


def status_label(status: str | None) -> str:
    """A KPI status in words: "on_track" -> "on track"; an unknown id reads with spaces for underscores."""
    if status is None:
        return DASH
    return STATUS_LABELS.get(status, status.replace("_", " "))


def verdict_label(kind: str | None) -> str:
    """A verdict kind in words: "tactic_dead_weight" -> "dead weight"; an unknown id reads with spaces."""
    if kind is None:
        return DASH
    return VERDICT_LABELS.get(kind, kind.replace("_", " "))


# A day or a month (2017-12-01, 2017-12): one word to the line breaker, which would otherwise split it after its
# hyphen in a narrow column or line ("2017-" / "12")
_DAY_OR_MONTH = re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b")


def whole_dates(text: Any) -> Markup:
    """`text` escaped for HTML, each ISO day or month in it kept on one line (a span of class `nowrap`)."""
    escaped = str(escape("" if text is None else text))
    return Markup(_DAY_OR_MONTH.sub(lambda m: f'<span class="nowrap">{m[0]}</span>', escaped))
