"""Each rule fires on a minimal broken plan, at the right place, and the example plan of plan.md is clean."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.lint import Finding, all_rules, lint_document, lint_text
from strategyfirst.plan import loads
from tests.conftest import require
from tests.lint.plans import AS_OF, EXAMPLE_TEXT, example, lint

Mutate = Callable[[dict[str, Any]], None]

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "plan.md"


def _set(path: str, value: Any) -> Mutate:
    def mutate(d: dict[str, Any]) -> None:
        parts = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = d
        for p in parts[:-1]:
            node = node[p]
        node[parts[-1]] = value
    return mutate


def _del(path: str) -> Mutate:
    def mutate(d: dict[str, Any]) -> None:
        parts = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = d
        for p in parts[:-1]:
            node = node[p]
        del node[parts[-1]]
    return mutate


def _all(*mutations: Mutate) -> Mutate:
    def mutate(d: dict[str, Any]) -> None:
        for m in mutations:
            m(d)
    return mutate


# (rule, mutation of the example plan, expected path, expected severity)
CASES: list[tuple[str, Mutate, str, str]] = [
    ("permission-without-list-kpi", _set("objectives.0.kpis", [{"metric": "engagement_rate", "target": 0.05}]),
     "objectives[0].kpis", "warning"),
    ("missing-strategy", _set("strategy.statement", "  "), "strategy.statement", "error"),
    ("missing-strategy", _del("strategy"), "strategy.statement", "error"),
    ("tool-first-strategy", _set("strategy.statement", "Be loved on X/Twitter"), "strategy.statement",
     "warning"),
    ("tool-first-strategy", _set("objectives.1.statement", "Launch an app for trail clubs"),
     "objectives[1].statement", "warning"),
    ("orphan-tactic", _set("tactics.2.serves", []), "tactics[2]", "error"),
    ("experiment-overdue", _all(_set("tactics.2.serves", []),
                                _set("tactics.2.experiment", {"question": "Do contests bring members?",
                                                              "until": "2026-04-30"})),
     "tactics[2].experiment.until", "error"),
    ("experiment-without-question", _set("tactics.2.experiment", {"until": "2026-09-30"}),
     "tactics[2].experiment", "warning"),
    ("unknown-objective", _set("tactics.1.serves", ["dialogue", "dialog"]), "tactics[1].serves[1]", "error"),
    ("objective-without-tactic", _set("tactics.1.serves", ["permission"]), "objectives[1]", "warning"),
    ("objective-without-kpi", _set("objectives.0.kpis", []), "objectives[0].kpis", "error"),
    ("kpi-without-target", _del("objectives.1.kpis.0.target"), "objectives[1].kpis[0]", "error"),
    ("unknown-metric", _set("objectives.1.kpis.0.metric", "respons_rate"), "objectives[1].kpis[0].metric",
     "error"),
    ("target-not-beyond-baseline", _set("objectives.0.kpis.0.target", 1000), "objectives[0].kpis[0].target",
     "warning"),
    ("target-not-beyond-baseline", _set("objectives.1.kpis.1", {"metric": "first_response_minutes_median",
                                                                 "baseline": 30, "target": 45}),
     "objectives[1].kpis[1].target", "warning"),
    ("kpi-after-horizon", _set("objectives.0.kpis.0.by", "2027-03-31"), "objectives[0].kpis[0].by",
     "error"),
    ("kpi-after-horizon", _set("objectives.0.kpis.0.by", "2025-12-31"), "objectives[0].kpis[0].by",
     "error"),
    ("kpi-without-deadline", _all(_del("horizon"), _set("objectives.1.kpis.1.by", "2026-12-31")),
     "objectives[1].kpis[0]", "error"),
    ("impossible-target", _set("objectives.1.kpis.0.target", 90), "objectives[1].kpis[0].target", "error"),
    ("impossible-target", _set("objectives.1.kpis.1.target", -5), "objectives[1].kpis[1].target", "error"),
    ("horizon-end-before-start", _set("horizon", {"start": "2026-12-31", "end": "2026-01-01"}), "horizon.end",
     "error"),
    ("no-owner", _del("owner"), "owner", "error"),
    ("no-owner", _del("tactics.0.owner"), "tactics[0].owner", "warning"),
    ("no-budget", _del("budget"), "budget.total", "warning"),
    ("no-budget", _del("tactics.1.budget"), "tactics[1].budget", "warning"),
    ("over-budget", _set("budget.total", 25999), "budget.total", "error"),
    ("broadcast-only", _set("objectives.1.kpis", [{"metric": "impressions", "target": 100000}]),
     "tactics[1].channel", "warning"),
    ("short-horizon", _set("horizon", {"start": "2026-01-01", "end": "2026-03-30"}), "horizon", "warning"),
    ("no-review-cadence", _del("review"), "review.cadence", "warning"),
    ("unmeasurable-tactic", _del("tactics.0.match"), "tactics[0].match", "warning"),
    ("unknown-account", _set("tactics.1.match", {"accounts": ["@AcmeHelpDesk"]}),
     "tactics[1].match.accounts[0]", "warning"),
    ("spaced-handle", _set("accounts.x", ["@AcmeHelp", "@ AcmeOutdoor"]), "accounts.x[1]", "warning"),
]


def test_example_plan_is_clean() -> None:
    report = lint_text(EXAMPLE_TEXT, as_of=AS_OF)
    assert report.findings == ()
    assert report.ok


# The rule table of plan.md (../shared/spec/plan.md), severities included.
SPEC_TABLE = {
    "missing-strategy": "error", "tool-first-strategy": "warning", "orphan-tactic": "error",
    "experiment-overdue": "error", "experiment-without-question": "warning", "unknown-objective": "error",
    "objective-without-tactic": "warning", "objective-without-kpi": "error", "kpi-without-target": "error",
    "unknown-metric": "error", "target-not-beyond-baseline": "warning", "kpi-after-horizon": "warning",
    "no-owner": "error", "no-budget": "warning", "over-budget": "error", "broadcast-only": "warning",
    "short-horizon": "warning", "no-review-cadence": "warning", "unmeasurable-tactic": "warning",
    "unknown-account": "warning",
}


# Issue 13 (item 9) made a KPI due outside the horizon an error and added two error rules to the table.
ISSUE_13 = {"kpi-after-horizon": "error", "impossible-target": "error", "horizon-end-before-start": "error"}
# Issue 15: an objective about the permission asset needs an email or follower KPI.
ISSUE_15 = {"permission-without-list-kpi": "warning"}
# QA (diagnose): a KPI with neither `by` nor a horizon to default to has no deadline: it cannot be judged in time.
NO_DEADLINE = {"kpi-without-deadline": "error"}
# QA (real use): '@ acme' names no account (the '@' is dropped, the space kept): the plan would own nothing.
SPACED = {"spaced-handle": "warning"}
RULE_TABLE = {**SPEC_TABLE, **ISSUE_13, **ISSUE_15, **NO_DEADLINE, **SPACED}


def test_spec_table_matches_plan_md() -> None:
    require(SPEC.is_file(), f"the spec's plan.md not found at {SPEC}")  # it sits beside the repository
    text = SPEC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z-]+)` \| (error|warning) \|", text, re.MULTILINE)
    assert dict(rows) == SPEC_TABLE


def test_every_rule_of_the_spec_table_is_registered_documented_and_tested() -> None:
    rules = all_rules()
    slugs = [r.slug for r in rules]
    assert len(slugs) == len(set(slugs))
    table_modules = {f"strategyfirst.lint.rules_{m}" for m in ("strategy", "objectives", "tactics")}
    builtin = {r.slug: r.severity for r in rules if r.check.__module__ in table_modules}
    assert builtin == RULE_TABLE
    assert {c[0] for c in CASES} == set(RULE_TABLE)
    readme = Path(__file__).resolve().parents[2] / "README.md"
    for rule in rules:
        assert rule.summary and rule.hint and rule.severity in ("error", "warning")
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.slug)
    assert "strategyfirst lint" in readme.read_text(encoding="utf-8")


@pytest.mark.parametrize(("rule", "mutate", "path", "severity"), CASES,
                         ids=[f"{c[0]}@{c[2]}" for c in CASES])
def test_rule_fires(rule: str, mutate: Mutate, path: str, severity: str) -> None:
    data = example()
    mutate(data)
    report = lint(data)
    hits = [f for f in report.findings if f.rule == rule]
    assert [(f.path, f.severity) for f in hits] == [(path, severity)], report.findings
    assert hits[0].hint and hits[0].message
    assert all(isinstance(f, Finding) and f.line >= 1 and f.column >= 1 for f in report.findings)


def test_unknown_metric_suggests_close_ids() -> None:
    data = example()
    data["objectives"][1]["kpis"][0]["metric"] = "respons_rate"
    (finding,) = [f for f in lint(data).findings if f.rule == "unknown-metric"]
    assert "'response_rate'" in finding.message
    assert "metric: response_rate" in finding.hint


def test_unknown_objective_suggests_close_id() -> None:
    data = example()
    data["tactics"][1]["serves"] = ["dialog"]
    (finding,) = [f for f in lint(data).findings if f.rule == "unknown-objective"]
    assert "did you mean 'dialogue'" in finding.message


def test_over_budget_message_has_the_sums() -> None:
    data = example()
    data["budget"]["total"] = 20000  # tactic budgets 6000 + 12000 + 8000 = 26000
    (finding,) = [f for f in lint(data).findings if f.rule == "over-budget"]
    assert "26,000 EUR" in finding.message and "20,000 EUR" in finding.message  # money reads as money
    assert "over by 6,000 EUR" in finding.message


def test_budgets_that_fit_exactly_are_fine() -> None:
    data = example()
    data["budget"]["total"] = 26000
    assert "over-budget" not in lint(data).rules()


def test_experiment_is_not_orphan_and_not_overdue_before_until() -> None:
    data = example()
    data["tactics"][2]["serves"] = []
    data["tactics"][2]["experiment"] = {"question": "Do contests bring members?", "until": "2026-06-30"}
    assert lint(data, as_of=dt.date(2026, 6, 30)).rules() == set()  # permission is still served by newsletter
    # the day after `until` it is overdue
    assert "experiment-overdue" in lint(data, as_of=dt.date(2026, 7, 1)).rules()


def test_experiment_serving_an_objective_is_never_overdue() -> None:
    data = example()
    data["tactics"][2]["experiment"] = {"question": "Do contests bring members?", "until": "2026-01-31"}
    assert "experiment-overdue" not in lint(data).rules()


def test_horizon_of_exactly_ninety_days_is_not_short() -> None:
    data = example()
    data["horizon"] = {"start": "2026-01-01", "end": "2026-03-31"}  # Jan 31 + Feb 28 + Mar 31 = 90 days
    data["objectives"][0]["kpis"][0]["by"] = "2026-03-31"
    assert "short-horizon" not in lint(data).rules()
    data["horizon"]["end"] = "2026-03-30"  # 89 days
    assert "short-horizon" in lint(data).rules()


def test_no_owner_is_an_error_for_the_plan_and_a_warning_for_a_tactic() -> None:
    data = example()
    data["owner"] = ""
    data["tactics"][0]["owner"] = None
    report = lint(data)
    assert [(f.path, f.severity) for f in report.findings if f.rule == "no-owner"] == \
        [("owner", "error"), ("tactics[0].owner", "warning")]


def test_unknown_account_is_case_and_at_insensitive() -> None:
    data = example()
    data["tactics"][1]["match"] = {"accounts": ["acmehelp", "@ACMEOUTDOOR"]}
    assert "unknown-account" not in lint(data).rules()


def test_a_spaced_handle_is_named_where_written_with_its_fix() -> None:
    data = example()
    data["tactics"][1]["match"] = {"accounts": ["@\u00a0AcmeHelp"]}  # a no-break space, as pasted from a page
    data["accounts"]["facebook"] = ["Acme Outdoor"]  # white space inside a page's name is no mistake
    hits = [f for f in lint(data).findings if f.rule == "spaced-handle"]
    assert [(f.path, f.hint) for f in hits] == [("tactics[1].match.accounts[0]", "Write it '@AcmeHelp'.")]


def test_broadcast_only_quiet_without_conversational_platforms() -> None:
    data = example()
    data["accounts"] = {"email": ["newsletter"]}
    data["tactics"] = [data["tactics"][0]]
    data["tactics"][0]["serves"] = ["permission", "dialogue"]
    data["objectives"][1]["kpis"] = [{"metric": "audience_gained", "target": 100}]
    assert "broadcast-only" not in lint(data).rules()


def test_findings_are_located_in_the_file() -> None:
    text = EXAMPLE_TEXT.replace("    serves: [dialogue]\n", "    serves: [dialogue, nowhere]\n")
    report = lint_document(loads(text), as_of=AS_OF)
    (finding,) = report.errors
    assert finding.rule == "unknown-objective" and finding.path == "tactics[1].serves[1]"
    lines = text.splitlines()
    assert lines[finding.line - 1][finding.column - 1:].startswith("nowhere")


def test_errors_sort_before_warnings() -> None:
    data = example()
    del data["review"]            # warning near the top
    data["tactics"][2]["serves"] = []  # error near the bottom
    severities = [f.severity for f in lint(data).findings]
    assert severities == sorted(severities, key=["error", "warning"].index)


def test_permission_without_list_kpi_reads_the_objective_words() -> None:
    data = example()
    data["objectives"][1]["statement"] = "Grow our newsletter subscribers among trail clubs"
    hits = [f for f in lint(data).findings if f.rule == "permission-without-list-kpi"]
    assert [f.path for f in hits] == ["objectives[1].kpis"]  # dialogue KPIs only
    data["objectives"][1]["kpis"].append({"metric": "email_open_rate", "target": 0.4})
    assert not [f for f in lint(data).findings if f.rule == "permission-without-list-kpi"]
    data = example()  # "Answer our customers" names no permission asset: no finding with dialogue KPIs
    data["objectives"][0]["kpis"] = [{"metric": "follows_from_posts", "target": 100}]
    assert not [f for f in lint(data).findings if f.rule == "permission-without-list-kpi"]
