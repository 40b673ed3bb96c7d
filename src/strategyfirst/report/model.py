"""What the HTML report shows, as plain data: `ReportData` is gathered from a workspace, then rendered.

Every part is optional. A part that is absent carries a note in `ReportData.missing` saying what to do
("no data yet: ingest …"); the template shows that note instead of the section's content.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# Shown in the footnotes unless `strategyfirst.diagnose` publishes its own `STATUS_RULES`.
DEFAULT_STATUS_RULES: tuple[tuple[str, str], ...] = (
    ("met", "the target is reached: an accumulating count has got there, or the deadline has passed with a "
            "ratio, time or score holding its target."),
    ("on_track", "the actual is at or beyond the expected pace (counts that accumulate pace linearly from "
                 "the baseline at the horizon start to the target at the deadline; ratios, minutes and "
                 "scores must hold the target in every period) and the forecast at the deadline reaches "
                 "the target."),
    ("at_risk", "behind the expected pace, or the central forecast misses the target, while the target still "
                "lies inside the forecast interval."),
    ("off_track", "the whole forecast interval at the deadline misses the target."),
    ("no_data", "no data in the KPI's scope yet: nothing can be said."),
    ("not_judged", "the KPI has no deadline (no `by`, and no horizon whose end it defaults to): it can be "
                   "neither paced nor forecast, so it is not judged until it has one."),
    ("not_enough_data", "a ratio, reply time or score measured on too few observations so far to forecast "
                        "(unless an exact count already puts it clearly on one side of the target); the reason "
                        "says how many more are needed."),
)


@dataclass(frozen=True)
class ObjectiveView:
    id: str
    statement: str
    kpis: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TacticView:
    id: str
    channel: str
    serves: list[str]
    owner: str
    budget: float | None
    experiment: str = ""


@dataclass(frozen=True)
class PlanView:
    """The plan summary shown at the top of the report."""

    organisation: str
    owner: str
    horizon_start: dt.date | None
    horizon_end: dt.date | None
    budget_total: float | None
    currency: str
    cadence: str
    strategy: str
    audiences: list[str]
    objectives: list[ObjectiveView]
    tactics: list[TacticView]


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    path: str
    message: str
    hint: str = ""


@dataclass(frozen=True)
class LintView:
    errors: int
    warnings: int
    findings: list[Finding]


@dataclass(frozen=True)
class SeriesPoint:
    period: dt.date
    value: float | None


@dataclass(frozen=True)
class ForecastPoint:
    period: dt.date
    value: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True)
class KpiView:
    """One KPI's status as diagnose reports it, with its series and forecast band for the chart."""

    objective: str
    metric: str
    unit: str
    status: str
    actual: float | None
    target: float | None
    expected_now: float | None = None
    forecast_at_deadline: float | None = None
    forecast_low: float | None = None
    forecast_high: float | None = None
    baseline: float | None = None
    deadline: dt.date | None = None
    version: int | None = None
    reason: str = ""
    paced: bool = False         # expected_now paces linearly from the baseline to the target
    series: list[SeriesPoint] = field(default_factory=list)
    forecast: list[ForecastPoint] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    kind: str
    objective: str
    tactic: str
    evidence: str
    probability: float | None


@dataclass(frozen=True)
class BudgetMove:
    source: str
    target: str
    amount: float
    why: str
    objective: str = ""


@dataclass(frozen=True)
class DecisionView:
    at: str
    text: str
    objective: str = ""
    tactic: str = ""
    plan_version: str = ""
    author: str = ""


@dataclass(frozen=True)
class Bucket:
    """One bar of the response-time distribution."""

    label: str
    count: int


@dataclass(frozen=True)
class KeyedValue:
    """A metric value for one key (account) and period (bucket start, or None for the whole range)."""

    key: str
    period: dt.date | None
    value: float | None
    n: int = 0


@dataclass(frozen=True)
class AudienceGrowth:
    """One account's `audience_growth` as `measure` computes it, with its first and last snapshot; `gap`
    says when the growth spans a gap between exports ('' when it does not)."""

    key: str
    first_period: dt.date | None
    first: float | None
    last_period: dt.date | None
    last: float | None
    growth: float | None
    gap: str = ""


@dataclass(frozen=True)
class MetricVersion:
    metric: str
    version: int | None
    catalog_version: int | None

    @property
    def mixed(self) -> bool:
        """The data was measured with another definition than the catalog's current one."""
        return None not in (self.version, self.catalog_version) and self.version != self.catalog_version


@dataclass(frozen=True)
class CapacityView:
    """Readiness: people short per hour of the week (7 rows Monday first × 24 hours, in `timezone`)."""

    shortfall: list[list[float]]
    timezone: str = "UTC"
    gaps: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    expected_service_level: float | None = None


@dataclass
class ReportData:
    """Everything the report shows; absent parts are None or empty with a reason in `missing`."""

    workspace: str
    generated_at: dt.datetime
    as_of: dt.date | None = None
    as_of_note: str | None = None  # the as-of day lies outside the plan's horizon (dates.horizon_note)
    plan: PlanView | None = None
    plan_problems: list[str] = field(default_factory=list)
    lint: LintView | None = None
    kpis: list[KpiView] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    budget: list[BudgetMove] = field(default_factory=list)
    response_times: list[Bucket] = field(default_factory=list)
    response_rate: list[KeyedValue] = field(default_factory=list)
    sentiment_lift: list[KeyedValue] = field(default_factory=list)
    audience: list[KeyedValue] = field(default_factory=list)
    audience_growth: list[AudienceGrowth] = field(default_factory=list)
    decisions: list[DecisionView] = field(default_factory=list)
    data_quality: dict[str, Any] = field(default_factory=dict)
    metric_versions: list[MetricVersion] = field(default_factory=list)
    capacity: CapacityView | None = None
    funnel: dict[str, Any] | None = None      # metrics.funnel.FunnelReport.to_dict(): the permission funnel
    status_rules: list[tuple[str, str]] = field(default_factory=lambda: list(DEFAULT_STATUS_RULES))
    footnotes: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)
    scope: str = ""   # "objective dialogue", "tactic care-desk": a report kept to one view (report/scope.py)

    def note(self, section: str) -> str:
        """Why a section has nothing to show ('' when it has)."""
        return self.missing.get(section, "")
