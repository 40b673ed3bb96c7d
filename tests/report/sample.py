"""A hand-made `ReportData` with every section filled, and hostile text in every text field."""

from __future__ import annotations

import datetime as dt

from strategyfirst.report.model import (
    Bucket,
    BudgetMove,
    CapacityView,
    DecisionView,
    Finding,
    ForecastPoint,
    KeyedValue,
    KpiView,
    LintView,
    MetricVersion,
    ObjectiveView,
    PlanView,
    ReportData,
    SeriesPoint,
    TacticView,
    Verdict,
)

EVIL = '<script>alert("x")</script>'
MONTHS = [dt.date(2026, m, 1) for m in range(1, 7)]
SHORTFALL = [[float((d * 24 + h) % 5) for h in range(24)] for d in range(7)]


def full_report_data() -> ReportData:
    """Every section present; each free-text field carries a <script> tag that must come out escaped."""
    plan = PlanView(
        organisation=f"Acme {EVIL}", owner="Jane Doe <jane@acme.example>",
        horizon_start=dt.date(2026, 1, 1), horizon_end=dt.date(2026, 12, 31), budget_total=50000,
        currency="EUR", cadence="monthly", strategy=f"Build a permission asset {EVIL}",
        audiences=["repeat customers", "trail clubs"],
        objectives=[ObjectiveView("permission", "Grow the opted-in audience", ["audience_growth → 5000"]),
                    ObjectiveView("dialogue", f"Answer customers {EVIL}", ["response_rate → 0.9"])],
        tactics=[TacticView("newsletter", "email", ["permission"], "Sam", 6000),
                 TacticView("care-desk", "x", ["dialogue"], "Jane", 12000),
                 TacticView("weekly-qa", "x", [], "Lee", None, experiment="Does a Q&A bring members?")],
    )
    lint = LintView(errors=1, warnings=1, findings=[
        Finding("orphan-tactic", "error", "tactics[2]", f"tactic serves nothing {EVIL}", "attach it"),
        Finding("short-horizon", "warning", "horizon", "horizon is 60 days", "plan for 90 days or more"),
    ])
    kpis = [
        KpiView("permission", "audience_growth", "count", "at_risk", actual=2100, target=5000, baseline=1200,
                expected_now=3000, forecast_at_deadline=4300, forecast_low=3600, forecast_high=5100,
                deadline=dt.date(2026, 12, 31), version=1, paced=True,
                series=[SeriesPoint(m, 1200 + 150 * i) for i, m in enumerate(MONTHS)],
                forecast=[ForecastPoint(dt.date(2026, 6, 1), 1950, 1950, 1950),
                          ForecastPoint(dt.date(2026, 12, 31), 4300, 3600, 5100)]),
        KpiView("dialogue", "response_rate", "ratio", "off_track", actual=0.71, target=0.9, expected_now=0.9,
                forecast_at_deadline=0.74, forecast_low=0.70, forecast_high=0.78,
                deadline=dt.date(2026, 12, 31),
                series=[SeriesPoint(m, 0.7 + 0.005 * i) for i, m in enumerate(MONTHS)]),
        KpiView("dialogue", "first_response_minutes_median", "minutes", "no_data", actual=None, target=60),
    ]
    accounts = ["acmehelp", f"acme{EVIL}"]
    return ReportData(
        workspace="acme", generated_at=dt.datetime(2026, 7, 1, 9, 0), as_of=dt.date(2026, 6, 30),
        plan=plan, lint=lint, kpis=kpis,
        verdicts=[Verdict("tactic_failing", "permission", "summit-contest", f"3 of 400 {EVIL}", 0.93),
                  Verdict("working", "dialogue", "care-desk", "rate 0.91 on 1200 inbound", 0.97)],
        budget=[BudgetMove("summit-contest", "newsletter", 2000, f"cheaper per subscriber {EVIL}")],
        response_times=[Bucket("< 15 min", 40), Bucket("15–60 min", 25), Bucket("1–4 h", 12),
                        Bucket("> 1 day", 3), Bucket("unanswered", 20)],
        response_rate=[KeyedValue(a, m, 0.6 + 0.05 * i, 100) for a in accounts for i, m in enumerate(MONTHS)],
        sentiment_lift=[KeyedValue(a, m, 0.1 - 0.02 * i, 30) for a in accounts for i, m in enumerate(MONTHS)],
        audience=[KeyedValue(a, m, 1000 + 100 * i, 1) for a in accounts for i, m in enumerate(MONTHS)],
        decisions=[DecisionView("2026-06-15 10:00", f"Stop the contest {EVIL}", "permission",
                                "summit-contest", "3f2a9c1", "jane")],
        data_quality={"rows_rejected": 2, "negative_reply_gaps": 1, "replies_with_missing_parent": 7,
                      "owned_unattributed": None,
                      "rejected_by_import": [{"import_id": 1, "file": f"x{EVIL}.csv", "rows_rejected": 2}]},
        footnotes=["Forecasts: a weighted linear trend."],
        metric_versions=[MetricVersion("response_rate", 1, 1), MetricVersion("audience_growth", 1, 2)],
        capacity=CapacityView(SHORTFALL, "Europe/Paris", gaps=[f"Mondays 09–12: 2 people short {EVIL}"],
                              assumptions=["Poisson arrivals"], expected_service_level=0.82),
    )


def empty_report_data() -> ReportData:
    """A workspace with nothing at all: every section says what to do instead."""
    data = ReportData(workspace="empty", generated_at=dt.datetime(2026, 7, 1, 9, 0))
    for section in ("plan", "lint", "kpis", "response_times", "response_rate", "sentiment_lift", "audience",
                    "verdicts", "budget", "decisions", "data_quality", "metric_versions", "capacity"):
        data.missing[section] = f"no data yet: {section}"
    return data
