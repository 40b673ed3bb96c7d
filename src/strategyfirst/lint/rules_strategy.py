"""Plan-wide rules: the strategy itself, who owns it, what it costs, how long it runs, whether it listens."""

from __future__ import annotations

from collections.abc import Iterator

from strategyfirst import catalog
from strategyfirst.formatting import money
from strategyfirst.lint.registry import Hit, LintContext, Rule, register
from strategyfirst.lint.tool_words import find_tool_words, tool_words

# Platforms where an audience talks back; using one without a dialogue KPI is broadcasting.
CONVERSATIONAL_PLATFORMS: frozenset[str] = frozenset(
    {"x", "twitter", "facebook", "instagram", "linkedin", "youtube", "tiktok", "mastodon", "bluesky", "threads"})
MIN_HORIZON_DAYS = 90


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _missing_strategy(ctx: LintContext) -> Iterator[Hit]:
    strategy = ctx.plan.strategy
    if strategy is None or _blank(strategy.statement):
        yield Hit(("strategy", "statement"),
                  "the plan states no strategy (`strategy.statement` is missing or empty)")


def _tool_first(ctx: LintContext) -> Iterator[Hit]:
    words = tool_words(ctx.plan.lint)
    texts: list[tuple[tuple[str | int, ...], str | None]] = []
    if ctx.plan.strategy is not None:
        texts.append((("strategy", "statement"), ctx.plan.strategy.statement))
    texts += [(("objectives", i, "statement"), o.statement) for i, o in enumerate(ctx.plan.objectives)]
    for path, text in texts:
        found = find_tool_words(text, words)
        if found:
            what = ("the strategy" if path[0] == "strategy"
                    else f"objective {ctx.plan.objectives[int(path[1])].id!r}")
            named = ", ".join(repr(w) for w in found)
            yield Hit(path, f"{what} names a tool, platform or format ({named}): "
                            "a tactic wearing a strategy's clothes")


def _no_owner(ctx: LintContext) -> Iterator[Hit]:
    if _blank(ctx.plan.owner):
        yield Hit(("owner",), "the plan has no owner: nobody is in charge of the whole plan")
    for i, t in enumerate(ctx.plan.tactics):
        if _blank(t.owner):
            yield Hit(("tactics", i, "owner"), f"tactic {t.id!r} has no owner", severity="warning",
                      hint=f"Add `owner:` to tactic {t.id!r}: the person who runs it day to day.")


def _no_budget(ctx: LintContext) -> Iterator[Hit]:
    if ctx.plan.budget is None or ctx.plan.budget.total is None:
        yield Hit(("budget", "total"), "the plan has no total budget")
    for i, t in enumerate(ctx.plan.tactics):
        if t.budget is None:
            yield Hit(("tactics", i, "budget"), f"tactic {t.id!r} has no budget",
                      hint=f"Add `budget:` to tactic {t.id!r} (0 if it truly costs nothing but time).")


def _over_budget(ctx: LintContext) -> Iterator[Hit]:
    budget = ctx.plan.budget
    if budget is None or budget.total is None:
        return
    spent = sum(t.budget or 0.0 for t in ctx.plan.tactics)
    if spent > budget.total:
        yield Hit(("budget", "total"),
                  f"tactic budgets add up to {money(spent, budget.currency)}, more than the total of "
                  f"{money(budget.total, budget.currency)} (over by {money(spent - budget.total, budget.currency)})")


def _plan_platforms(ctx: LintContext) -> list[tuple[tuple[str | int, ...], str]]:
    """(path, platform) per conversational platform used: tactic channels, match platforms, accounts."""
    used: list[tuple[tuple[str | int, ...], str]] = []
    for i, t in enumerate(ctx.plan.tactics):
        if t.channel and t.channel.strip().lower() in CONVERSATIONAL_PLATFORMS:
            used.append((("tactics", i, "channel"), t.channel.strip().lower()))
        for j, p in enumerate(t.match.platform if t.match else []):
            if p.strip().lower() in CONVERSATIONAL_PLATFORMS:
                used.append((("tactics", i, "match", "platform", j), p.strip().lower()))
    used += [(("accounts", p), p) for p, handles in ctx.plan.accounts.items()
             if p in CONVERSATIONAL_PLATFORMS and handles]
    return used


def _broadcast_only(ctx: LintContext) -> Iterator[Hit]:
    used = _plan_platforms(ctx)
    if not used:
        return
    if any(k.metric in catalog.DIALOGUE_KPI_METRICS for o in ctx.plan.objectives for k in o.kpis):
        return
    names = ", ".join(sorted({p for _, p in used}))
    yield Hit(used[0][0],
              f"the plan uses conversational platforms ({names}) but no KPI measures the dialogue")


def _short_horizon(ctx: LintContext) -> Iterator[Hit]:
    horizon = ctx.plan.horizon
    if horizon is None:
        return
    days = (horizon.end - horizon.start).days + 1
    if horizon.end > horizon.start and days < MIN_HORIZON_DAYS:
        yield Hit(("horizon",), f"the horizon is {days} days long, shorter than {MIN_HORIZON_DAYS} days")


def _horizon_end_before_start(ctx: LintContext) -> Iterator[Hit]:
    horizon = ctx.plan.horizon
    if horizon is not None and horizon.end <= horizon.start:
        when = "on the day it starts" if horizon.end == horizon.start else f"before it starts ({horizon.start})"
        yield Hit(("horizon", "end"), f"the horizon ends ({horizon.end}) {when}: no KPI can be judged in it")


def _no_review_cadence(ctx: LintContext) -> Iterator[Hit]:
    if ctx.plan.review is None or ctx.plan.review.cadence is None:
        yield Hit(("review", "cadence"),
                  "the plan sets no review cadence: nobody looks at the results on a schedule")


for _rule in (
    Rule("missing-strategy", "error", "no `strategy.statement`, or it is empty",
         "Write `strategy.statement`: the asset or outcome you build and for whom, e.g. \"Build a permission "
         "asset so we can grow our influence with our best customers over time.\" Leave tools out of it.",
         _missing_strategy),
    Rule("tool-first-strategy", "warning", "the strategy or an objective names a tool, platform or format",
         "Say what the organisation builds or changes, not where it posts; move the tool to a tactic that "
         "serves the objective. (Word list: `lint.tool_words`, `lint.tool_words_mode: replace`.)",
         _tool_first),
    Rule("no-owner", "error", "the plan has no owner (a warning for a tactic without one)",
         "Add `owner:` at the top of the plan: the one person in charge of the whole plan.", _no_owner),
    Rule("no-budget", "warning", "no total budget, or a tactic without a budget",
         "Add `budget: {total: AMOUNT, currency: EUR}`: a strategy with no money or time set aside is a "
         "wish.",
         _no_budget),
    Rule("over-budget", "error", "tactic budgets add up to more than the total",
         "Cut or drop tactics until their budgets fit `budget.total`, or raise the total if it was agreed.",
         _over_budget),
    Rule("broadcast-only", "warning",
         "conversational platforms are used but no KPI measures dialogue",
         "Add a dialogue KPI to an objective, e.g. `{metric: response_rate, target: 0.9}` or "
         "`{metric: first_response_minutes_median, target: 60}`: social media is a conversation you keep up.",
         _broadcast_only),
    Rule("short-horizon", "warning", "the horizon is shorter than 90 days",
         "Plan for at least a quarter (`horizon: {start: ..., end: ...}`): you cannot start a "
         "conversation and leave the room a month later.", _short_horizon),
    Rule("horizon-end-before-start", "error", "the horizon's end is not after its start",
         "Fix the dates so that `horizon.end` comes after `horizon.start` (start and end swapped?).",
         _horizon_end_before_start),
    Rule("no-review-cadence", "warning", "no `review.cadence`",
         "Add `review: {cadence: monthly}` (weekly, monthly or quarterly) so results feed back into the "
         "plan.",
         _no_review_cadence),
):
    register(_rule)
