"""The result of diagnose: KPI statuses, verdicts, budget proposals, and its JSON shape (cli.md).

JSON field names are a contract (`diagnose --format json`): add fields, never rename.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

Status = Literal["on_track", "at_risk", "off_track", "no_data", "not_enough_data", "not_judged", "met"]
VerdictKind = Literal["tactic_failing", "strategy_failing", "tactic_dead_weight", "working",
                      "not_enough_data", "not_judged"]
TacticState = Literal["missing", "working", "undecided", "no_data"]


@dataclass(frozen=True)
class SeriesPoint:
    """A measured period: `period` is the bucket start (accumulating metrics: its last day, cumulative)."""

    period: dt.date
    value: float | None
    n: int = 0


@dataclass(frozen=True)
class ForecastPoint:
    period: dt.date
    value: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class KpiStatus:
    """One KPI of the plan as of a date."""

    objective: str
    metric: str
    unit: str
    direction: str
    paced: bool
    target: float | None
    baseline: float | None
    deadline: dt.date | None
    actual: float | None
    n: int
    expected_now: float | None
    forecast_at_deadline: float | None
    forecast_low: float | None
    forecast_high: float | None
    status: Status
    reason: str
    version: int | None = None
    series: tuple[SeriesPoint, ...] = ()
    forecast: tuple[ForecastPoint, ...] = ()
    # Where the forecast or its interval was raised to a floor (a net audience growth: the whole audience lost).
    forecast_floor: float | None = None


@dataclass(frozen=True)
class TacticEvidence:
    """One tactic's value on one KPI of an objective, with its uncertainty and P(materially misses target)."""

    tactic: str
    metric: str
    target: float
    threshold: float
    value: float | None
    n: int
    low: float | None
    high: float | None
    p_miss: float | None
    state: TacticState
    more_needed: int | None
    method: str
    note: str = ""
    # The volume the tactic shows (observations a week, over its window so far) and the weeks left to its
    # deadline: whether `more_needed` can ever arrive in time.
    per_week: float | None = None
    weeks_left: float | None = None
    # Why a decisive-looking p_miss left the state undecided (too few observations, the exact count unclear).
    caveat: str = ""


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
    objective: str
    tactic: str | None
    evidence: str
    probability: float | None
    tactics: tuple[str, ...] = ()
    spend: float | None = None
    more_needed: int | None = None
    details: tuple[TacticEvidence, ...] = ()
    # For not_enough_data: can the observations still needed arrive before the deadline at the volume the data
    # show (None: unknown, or nothing is needed)?
    decidable: bool | None = None


@dataclass(frozen=True)
class BudgetMove:
    objective: str
    source: str
    target: str
    amount: float
    why: str
    p_better: float
    unspent_source: float


@dataclass
class Diagnosis:
    """What `strategyfirst diagnose` reports; `to_json()` gives the cli.md shape."""

    as_of: dt.date
    kpis: list[KpiStatus] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    budget: list[BudgetMove] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    # One line when the as-of day lies outside the plan's horizon (dates.horizon_note), else None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "kpis": [_kpi_json(k) for k in self.kpis],
            "verdicts": [_verdict_json(v) for v in self.verdicts],
            "budget": [_move_json(m) for m in self.budget],
            "footnotes": list(self.footnotes),
            "note": self.note,
        }

    def to_kept(self) -> dict[str, Any]:
        """Every field as JSON-ready data, unrounded (json writes each float so it reads back equal), for the
        on-disk cache: `from_kept` gives an equal Diagnosis, so `diagnose`'s text is the same from a kept one.
        """
        kept: dict[str, Any] = _plain(self)
        return kept

    @classmethod
    def from_kept(cls, data: dict[str, Any]) -> Diagnosis:
        """The Diagnosis `to_kept` wrote; ValueError for anything else."""
        try:
            return cls(as_of=dt.date.fromisoformat(data["as_of"]),
                       kpis=[_restore(KpiStatus, k) for k in data["kpis"]],
                       verdicts=[_restore(Verdict, v) for v in data["verdicts"]],
                       budget=[_restore(BudgetMove, m) for m in data["budget"]],
                       footnotes=[str(f) for f in data["footnotes"]],
                       note=None if data.get("note") is None else str(data["note"]))
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a kept diagnosis: {exc!r}") from None


# The fields `to_kept` writes as ISO dates, and the tuples of records, by record type.
_DATES = {"KpiStatus": ("deadline",), "SeriesPoint": ("period",), "ForecastPoint": ("period",)}
_NESTED: dict[str, dict[str, type]] = {
    "KpiStatus": {"series": SeriesPoint, "forecast": ForecastPoint}, "Verdict": {"details": TacticEvidence}}
R = TypeVar("R")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, bool | int | float | str):  # a numpy scalar
        return value.item()
    return value


def _restore(cls: type[R], data: dict[str, Any]) -> R:
    name = cls.__name__
    values = dict(data)
    for key in _DATES.get(name, ()):
        values[key] = None if values[key] is None else dt.date.fromisoformat(values[key])
    for key, inner in _NESTED.get(name, {}).items():
        values[key] = tuple(_restore(inner, v) for v in values[key])
    if name == "Verdict":
        values["tactics"] = tuple(values["tactics"])
    return cls(**values)


def _num(value: float | None, digits: int = 6) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _kpi_json(k: KpiStatus) -> dict[str, Any]:
    return {
        "objective": k.objective, "metric": k.metric, "actual": _num(k.actual), "target": _num(k.target),
        "expected_now": _num(k.expected_now), "forecast_at_deadline": _num(k.forecast_at_deadline),
        "status": k.status,
        "forecast_low": _num(k.forecast_low), "forecast_high": _num(k.forecast_high),
        "baseline": _num(k.baseline), "deadline": _date(k.deadline), "unit": k.unit, "direction": k.direction,
        "paced": k.paced, "n": k.n, "reason": k.reason, "version": k.version,
        "series": [{"period": p.period.isoformat(), "value": _num(p.value), "n": p.n} for p in k.series],
        "forecast": [{"period": p.period.isoformat(), "value": _num(p.value), "low": _num(p.low),
                      "high": _num(p.high)} for p in k.forecast],
        "forecast_floor": _num(k.forecast_floor),
    }


def _evidence_json(e: TacticEvidence) -> dict[str, Any]:
    return {
        "tactic": e.tactic, "metric": e.metric, "target": _num(e.target), "threshold": _num(e.threshold),
        "value": _num(e.value), "n": e.n, "low": _num(e.low), "high": _num(e.high),
        "p_miss": _num(e.p_miss, 4),
        "state": e.state, "more_needed": e.more_needed, "method": e.method, "note": e.note,
        "per_week": _num(e.per_week, 2), "weeks_left": _num(e.weeks_left, 2), "caveat": e.caveat,
    }


def _verdict_json(v: Verdict) -> dict[str, Any]:
    return {
        "kind": v.kind, "objective": v.objective, "tactic": v.tactic, "evidence": v.evidence,
        "probability": _num(v.probability, 4),
        "tactics": list(v.tactics), "spend": _num(v.spend, 2), "more_needed": v.more_needed,
        "decidable": v.decidable,
        "details": [_evidence_json(e) for e in v.details],
    }


def _move_json(m: BudgetMove) -> dict[str, Any]:
    return {
        "from": m.source, "to": m.target, "amount": _num(m.amount, 2), "why": m.why,
        "objective": m.objective, "p_better": _num(m.p_better, 4), "unspent_from": _num(m.unspent_source, 2),
    }
