"""Objective and KPI rules: every objective executed and measurable, every target real and in time."""

from __future__ import annotations

import difflib
import re
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
                hint = ("Use a metric id from the registry (`strategyfirst metrics` lists them), e.g. "
                        "response_rate, audience_growth, engagement_rate.")
            yield Hit(("objectives", i, "kpis", j, "metric"), message, hint=hint)


def _raw(ctx: LintContext, i: int, j: int, key: str) -> object:
    """The KPI value as written in the file (to tell `"90%"` from 0.9)."""
    try:
        return ctx.doc.tree["objectives"][i]["kpis"][j][key]
    except (KeyError, IndexError, TypeError):
        return None


def _fmt(value: float) -> str:
    return f"{value:g}"


_UNIT_WORDS = {"count": "a count", "minutes": "a time in minutes", "currency": "an amount of money",
               "ratio": "a ratio", "score": "a score"}


def _impossible(spec: catalog.MetricSpec, value: float, written: object) -> tuple[str, str] | None:
    """(why, hint) when `value` can never be a value of `spec`, else None."""
    is_percent = isinstance(written, str) and written.strip().endswith("%")
    if is_percent and spec.unit != "ratio":
        return (f"is written as a percentage ({written}) but {spec.id!r} is {_UNIT_WORDS[spec.unit]}",
                f"Write {spec.id!r} values as plain numbers in {spec.unit}.")
    low, high = spec.bounds
    if spec.unit == "ratio" and high is not None and value > high:
        suggestion = value / 100 if value <= 100 else 0.9
        return (f"is above {_fmt(high)} but {spec.id!r} is a ratio between 0 and 1: it can never be met",
                f"Write ratios as fractions: {'' if value <= 100 else 'e.g. '}`{_fmt(suggestion)}` for "
                f"{_fmt(suggestion * 100)}% "
                f"(or as a percentage, `\"{_fmt(suggestion * 100)}%\"`).")
    if low is not None and value < low:
        if spec.unit in ("count", "minutes", "currency"):
            return (f"is negative but {spec.id!r} is {_UNIT_WORDS[spec.unit]}, never below {_fmt(low)}",
                    f"Use a value of 0 or more for {spec.id!r} (its direction already says which way is "
                    "better).")
        return (f"is below {_fmt(low)}, the lowest value {spec.id!r} can take",
                f"Use a value between {_fmt(low)} and {_fmt(high) if high is not None else 'any'} "
                f"for {spec.id!r}.")
    if high is not None and value > high:
        return (f"is above {_fmt(high)}, the highest value {spec.id!r} can take",
                f"Use a value between {_fmt(low) if low is not None else 'any'} and {_fmt(high)} "
                f"for {spec.id!r}.")
    return None


def _impossible_target(ctx: LintContext) -> Iterator[Hit]:
    for i, o in enumerate(ctx.plan.objectives):
        for j, k in enumerate(o.kpis):
            spec = catalog.get(k.metric)
            if spec is None:
                continue
            for key, value in (("target", k.target), ("baseline", k.baseline)):
                if value is None:
                    continue
                found = _impossible(spec, value, _raw(ctx, i, j, key))
                if found is not None:
                    why, hint = found
                    yield Hit(("objectives", i, "kpis", j, key),
                              f"the {key} {_fmt(value)} of KPI {k.metric!r} (objective {o.id!r}) {why}",
                              hint=hint)


def _target_not_beyond_baseline(ctx: LintContext) -> Iterator[Hit]:
    for i, o in enumerate(ctx.plan.objectives):
        for j, k in enumerate(o.kpis):
            spec = catalog.get(k.metric)
            if spec is None or k.baseline is None or k.target is None or spec.direction == "none":
                continue
            better = k.target > k.baseline if spec.direction == "up" else k.target < k.baseline
            if not better:
                way = "higher" if spec.direction == "up" else "lower"
                state = ("equals its baseline: there is nothing to improve" if k.target == k.baseline
                         else f"is already beaten by its baseline {_fmt(k.baseline)}: the KPI is met before "
                              "any work")
                yield Hit(("objectives", i, "kpis", j, "target"),
                          f"the target {_fmt(k.target)} of {k.metric!r} {state} ({way} is better for this "
                          "metric)")


def _kpi_after_horizon(ctx: LintContext) -> Iterator[Hit]:
    horizon = ctx.plan.horizon
    if horizon is None or horizon.end <= horizon.start:
        return  # the horizon itself is wrong (`horizon-end-before-start`)
    for i, o in enumerate(ctx.plan.objectives):
        for j, k in enumerate(o.kpis):
            if k.by is not None and not (horizon.start <= k.by <= horizon.end):
                when = "before the horizon starts" if k.by < horizon.start else "after the horizon ends"
                yield Hit(("objectives", i, "kpis", j, "by"),
                          f"KPI {k.metric!r} of objective {o.id!r} is due {k.by}, {when} "
                          f"({horizon.start} – {horizon.end}): it is never judged")


# An objective is about the permission asset when its id or statement says so (issue 15).
PERMISSION_WORDS = re.compile(r"\b(permission|opt(?:ed)?[- ]?in|subscri\w*|newsletter|mailing list|e-?mail list|"
                              r"sign[- ]?ups?|followers?)\b", re.IGNORECASE)


def _permission_without_list_kpi(ctx: LintContext) -> Iterator[Hit]:
    """An objective about the permission asset measured by no list or follower KPI (family `audience`)."""
    for i, o in enumerate(ctx.plan.objectives):
        if not o.kpis or not PERMISSION_WORDS.search(f"{o.id} {o.statement or ''}"):
            continue  # an objective without KPIs is `objective-without-kpi`'s
        families = {spec.family for k in o.kpis if (spec := catalog.get(k.metric)) is not None}
        if "audience" not in families:
            yield Hit(("objectives", i, "kpis"),
                      f"objective {o.id!r} is about the permission asset but no KPI measures the list or the "
                      "followers: it can be met while the asset does not grow")


for _rule in (
    Rule("permission-without-list-kpi", "warning",
         "an objective about the permission asset (permission, opt-in, subscribers, newsletter, followers) has no "
         "email or follower KPI",
         "Add a KPI on the list or the followers, e.g. `{metric: audience_growth, target: ...}`, "
         "`audience_size`, `audience_lost` or `email_open_rate`.",
         _permission_without_list_kpi),
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
    Rule("impossible-target", "error",
         "a KPI's target or baseline is a value its metric can never take: a ratio outside [0, 1] (90 for "
         "90%), a negative count, time or amount, a score outside [-1, 1], a percentage for a non-ratio",
         "Write ratios as fractions (`target: 0.9`) or as a percentage (`target: \"90%\"`); counts, minutes "
         "and money are 0 or more.",
         _impossible_target),
    Rule("target-not-beyond-baseline", "warning",
         "the target is not better than the baseline in the metric's direction (the baseline is already "
         "past it)",
         "Set a target that improves on the baseline (check the metric's direction), or fix the baseline.",
         _target_not_beyond_baseline),
    Rule("kpi-after-horizon", "error", "a KPI's `by` lies outside the horizon (before its start or after its "
         "end): it is never judged",
         "Move the KPI's `by` inside `horizon`, or extend the horizon.", _kpi_after_horizon),
):
    register(_rule)


def _kpi_without_deadline(ctx: LintContext) -> Iterator[Hit]:
    """A KPI with no `by` in a plan with no horizon: `by` defaults to the horizon's end (plan.md), so it has none."""
    if ctx.plan.horizon is not None:
        return
    for i, o in enumerate(ctx.plan.objectives):
        for j, k in enumerate(o.kpis):
            if k.by is None:
                yield Hit(("objectives", i, "kpis", j),
                          f"KPI {k.metric!r} of objective {o.id!r} has no deadline: no `by`, and the plan has no "
                          "horizon whose end it would default to, so it can never be judged on time")


register(Rule("kpi-without-deadline", "error",
              "a KPI has no `by` and the plan has no horizon to default it to: with no deadline it cannot be "
              "measured in time (diagnose can neither pace nor forecast it)",
              "Add `by:` to the KPI, or a `horizon: {start: ..., end: ...}` to the plan (a KPI's `by` defaults "
              "to the horizon's end).",
              _kpi_without_deadline))
