"""`not-ready-<dimension>` warnings: the readiness dimensions that score below half (docs/readiness.md).

They fire only once the plan has a `readiness` section (answered with `strategyfirst readiness`), so a plan
that has not taken the questionnaire yet is not buried in warnings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from strategyfirst.lint.registry import Hit, LintContext, Rule, register
from strategyfirst.readiness.questions import DIMENSIONS, Dimension
from strategyfirst.readiness.score import PARTIAL, score_readiness


def _check_for(dim: Dimension) -> Callable[[LintContext], Iterator[Hit]]:
    def check(ctx: LintContext) -> Iterator[Hit]:
        if ctx.plan.readiness is None:
            return
        result = next(d for d in score_readiness(ctx.plan).dimensions if d.dimension == dim.id)
        if result.score < PARTIAL:
            yield Hit(("readiness", dim.id),
                      f"not ready: {dim.title.lower()} scores {result.score:.0%} — {dim.why}",
                      hint=" ".join(result.gaps) or None)
    return check


READINESS_RULES: tuple[Rule, ...] = tuple(
    register(Rule(f"not-ready-{d.id}", "warning",
                  f"readiness: {d.title.lower()} scores below {PARTIAL:.0%} ({d.why})",
                  "Run `strategyfirst readiness` and act on the gaps it lists for this dimension.",
                  _check_for(d)))
    for d in DIMENSIONS
)
