"""`not-ready-<dimension>` warnings: one, for the weakest readiness dimension scoring below half, naming the
others below half in its message (docs/readiness.md). One warning a practitioner acts on first, not eight of
equal weight: the readiness command and the web page list every gap.

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
        weak = score_readiness(ctx.plan).weakest()  # below half, weakest first (ties in questionnaire order)
        if not weak or weak[0].dimension != dim.id:
            return
        result, others = weak[0], weak[1:]
        also = ("; also below 50%: " + ", ".join(f"{d.title.lower()} ({d.score:.0%})" for d in others)
                if others else "")
        more = " Then run `strategyfirst readiness` for the gaps of the others." if others else ""
        yield Hit(("readiness", dim.id),
                  f"not ready: {dim.title.lower()} scores {result.score:.0%}, the weakest — {dim.why}{also}",
                  hint=(" ".join(result.gaps) + more).strip() or None)
    return check


READINESS_RULES: tuple[Rule, ...] = tuple(
    register(Rule(f"not-ready-{d.id}", "warning",
                  f"readiness: {d.title.lower()} is the weakest dimension and scores below {PARTIAL:.0%} ({d.why}); "
                  "the others below it are named in the message",
                  "Run `strategyfirst readiness` and act on the gaps it lists for this dimension.",
                  _check_for(d)))
    for d in DIMENSIONS
)
