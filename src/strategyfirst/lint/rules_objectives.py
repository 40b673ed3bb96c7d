"""Objective and KPI rules: every objective executed and measurable, every target real and in time."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from strategyfirst import catalog
from strategyfirst.lint.registry import Hit, LintContext, Rule, register


def _objective_without_tactic(ctx: LintContext) -> Iterator[Hit]:
    served = {s for t in ctx.plan.tactics for s in t.serves}
    for i, o in enumerate(ctx.plan.objectives):
        if o.id not in served:
            yield Hit(("objectives", i), f"no tactic serves objective {o.id!r}: a strategy nobody executes",
                      hint=f"Add `{o.id}` to the `serves` of a tactic, or add a tactic for it.")


def _objective_without_kpi(ctx: LintContext) -> Iterator[Hit]:
    for i, o in enumerate(ctx.plan.objectives):
        if not o.kpis:
            yield Hit(("objectives", i, "kpis"), f"objective {o.id!r} has no KPI: it cannot be measured")


def _kpi_without_target(ctx: LintContext) -> Iterator[Hit]:
    for i, o in enumerate(ctx.plan.objectives):
        for j, k in enumerate(o.kpis):
            if k.target is None:
                yield Hit(("objectives", i, "kpis", j),
                          f"KPI {k.metric!r} of objective {o.id!r} has no target")


def close_metrics(metric: str, n: int = 3) -> list[str]:
    """Known metric ids close to a misspelt one (difflib)."""
    return difflib.get_close_matches(metric.strip().lower(), catalog.METRIC_IDS, n=n, cutoff=0.6)


def _unknown_metric(ctx: LintContext) -> Iterator[Hit]:
    for i, o in enumerate(ctx.plan.objectives):
        for j, k in enumerate(o.kpis):
            if catalog.get(k.metric) is not None:
                continue
            close = close_metrics(k.metric)
            message = f"KPI of objective {o.id!r} names an unknown metric {k.metric!r}"
            if close:
                message += "; did you mean " + " or ".join(repr(c) for c in close) + "?"
                hint = f"Use a metric id from the registry, e.g. `metric: {close[0]}`."
            else:
                hint = ("Use a metric id from the registry (`strategyfirst measure --help` lists them), e.g. "
                        "response_rate, audience_growth, engagement_rate.")
            yield Hit(("objectives", i, "kpis", j, "metric"), message, hint=hint)


def _target_not_beyond_baseline(ctx: LintContext) -> Iterator[Hit]:
    for i, o in enumerate(ctx.plan.objectives):
        for j, k in enumerate(o.kpis):
            spec = catalog.get(k.metric)
            if spec is None or k.baseline is None or k.target is None or spec.direction == "none":
                continue
            better = k.target > k.baseline if spec.direction == "up" else k.target < k.baseline
            if not better:
                way = "higher" if spec.direction == "up" else "lower"
                yield Hit(("objectives", i, "kpis", j, "target"),
                          f"the target {k.target:g} of {k.metric!r} is not better than its baseline "
                          f"{k.baseline:g} ({way} is better for this metric)")


def _kpi_after_horizon(ctx: LintContext) -> Iterator[Hit]:
    horizon = ctx.plan.horizon
    if horizon is None:
        return
    for i, o in enumerate(ctx.plan.objectives):
        for j, k in enumerate(o.kpis):
            if k.by is not None and not (horizon.start <= k.by <= horizon.end):
                yield Hit(("objectives", i, "kpis", j, "by"),
                          f"KPI {k.metric!r} of objective {o.id!r} is due {k.by}, outside the horizon "
                          f"{horizon.start} – {horizon.end}")


for _rule in (
    Rule("objective-without-tactic", "warning", "no tactic serves an objective (a strategy nobody executes)",
         "List the objective's id in the `serves` of a tactic, or drop the objective.",
         _objective_without_tactic),
    Rule("objective-without-kpi", "error", "an objective has no KPI: it cannot be measured",
         "Add `kpis: [{metric: ..., target: ...}]` to the objective.", _objective_without_kpi),
    Rule("kpi-without-target", "error", "a KPI has no target",
         "Add `target:` to the KPI: the value that means the objective is met (and `by:` if not the "
         "horizon's end).",
         _kpi_without_target),
    Rule("unknown-metric", "error", "a KPI names a metric the registry does not know",
         "Use a metric id from the registry.", _unknown_metric),
    Rule("target-not-beyond-baseline", "warning",
         "the target is not better than the baseline in the metric's direction",
         "Set a target that improves on the baseline (check the metric's direction), or fix the baseline.",
         _target_not_beyond_baseline),
    Rule("kpi-after-horizon", "warning", "a KPI's `by` lies outside the horizon",
         "Move the KPI's `by` inside `horizon`, or extend the horizon.", _kpi_after_horizon),
):
    register(_rule)
