"""Tactic rules: each tactic serves an objective (or is a bounded experiment) and can be found in the data."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from strategyfirst.handles import trim_space
from strategyfirst.lint.registry import Hit, LintContext, Rule, register
from strategyfirst.plan.model import normalise_handle

if TYPE_CHECKING:
    from strategyfirst.plan.document import PathPart


def _orphan_tactic(ctx: LintContext) -> Iterator[Hit]:
    for i, t in enumerate(ctx.plan.tactics):
        if not t.serves and t.experiment is None:
            yield Hit(("tactics", i), f"tactic {t.id!r} serves no objective and is not an experiment")


def _experiment_overdue(ctx: LintContext) -> Iterator[Hit]:
    for i, t in enumerate(ctx.plan.tactics):
        exp = t.experiment
        if exp is not None and exp.until is not None and exp.until < ctx.as_of and not t.serves:
            yield Hit(("tactics", i, "experiment", "until"),
                      f"experiment {t.id!r} was due to be decided by {exp.until} (as of {ctx.as_of}) "
                      "and still serves no objective")


def _experiment_without_question(ctx: LintContext) -> Iterator[Hit]:
    for i, t in enumerate(ctx.plan.tactics):
        exp = t.experiment
        if exp is not None and (exp.question is None or not exp.question.strip()):
            yield Hit(("tactics", i, "experiment"), f"experiment {t.id!r} states no question to answer")


def _unknown_objective(ctx: LintContext) -> Iterator[Hit]:
    ids = [o.id for o in ctx.plan.objectives]
    for i, t in enumerate(ctx.plan.tactics):
        for j, served in enumerate(t.serves):
            if served in ids:
                continue
            close = difflib.get_close_matches(served, ids, n=1, cutoff=0.6)
            message = f"tactic {t.id!r} serves {served!r}, which is not an objective id"
            if close:
                message += f"; did you mean {close[0]!r}?"
            known = ", ".join(ids) if ids else "none yet"
            yield Hit(("tactics", i, "serves", j), message,
                      hint=f"Use one of the objective ids ({known}), or add the objective.")


def _unmeasurable_tactic(ctx: LintContext) -> Iterator[Hit]:
    for i, t in enumerate(ctx.plan.tactics):
        if t.match is None or t.match.is_empty():
            yield Hit(("tactics", i, "match"),
                      f"tactic {t.id!r} has no `match`: no data will ever be attributed to it")


def _unknown_account(ctx: LintContext) -> Iterator[Hit]:
    owned = ctx.plan.owned_handles()
    for i, t in enumerate(ctx.plan.tactics):
        for j, account in enumerate(t.match.accounts if t.match else []):
            if not any(normalise_handle(account, p) in handles for p, handles in owned.items()):
                yield Hit(("tactics", i, "match", "accounts", j),
                          f"tactic {t.id!r} matches account {account!r}, not listed under `accounts`",
                          hint=f"List {account!r} under `accounts:` for its platform, or fix the spelling.")


def _spaced_handles(ctx: LintContext) -> Iterator[Hit]:
    """Handles written with white space after their '@' ('@ acme'): no account is named so (the '@' is dropped,
    the space kept), so nothing of it would ever be owned or matched."""
    written: list[tuple[tuple[PathPart, ...], str]] = [
        (("accounts", p, j), h) for p, handles in ctx.plan.accounts.items() for j, h in enumerate(handles)]
    written += [(("tactics", i, "match", "accounts", j), h) for i, t in enumerate(ctx.plan.tactics)
                for j, h in enumerate(t.match.accounts if t.match else [])]
    for path, h in written:
        bare = trim_space(h).lstrip("@")
        if bare != trim_space(bare):
            meant = "@" + trim_space(bare)
            yield Hit(path, f"account {h!r} has white space after its '@': no account is named so",
                      hint=f"Write it {meant!r}.")


for _rule in (
    Rule("spaced-handle", "warning", "an account is written with white space after its '@' ('@ acme')",
         "Write the handle right after the '@' ('@acme').", _spaced_handles),
    Rule("orphan-tactic", "error", "a tactic serves no objective and is not an experiment",
         "Add `serves: [OBJECTIVE_ID]`, or make it an experiment with "
         "`experiment: {question: ..., until: DATE}`, or stop the tactic.", _orphan_tactic),
    Rule("experiment-overdue", "error", "an experiment's `until` has passed and it still serves no objective",
         "Decide: attach the experiment to an objective (`serves:`) or stop it and remove the tactic.",
         _experiment_overdue),
    Rule("experiment-without-question", "warning", "an experiment states no question to answer",
         "Add `question:` to the experiment: what must it find out before `until`?",
         _experiment_without_question),
    Rule("unknown-objective", "error", "a tactic serves an objective id that does not exist",
         "Use an objective id defined under `objectives`.", _unknown_objective),
    Rule("unmeasurable-tactic", "warning", "a tactic has no `match`: no data will ever be attributed to it",
         "Add `match:` (accounts, hashtags, campaign, text_contains, url_contains or platform) so posts are "
         "recognised as this tactic's.", _unmeasurable_tactic),
    Rule("unknown-account", "warning", "a tactic matches an account not listed under `accounts`",
         "List the account under `accounts:` for its platform, or fix the spelling.", _unknown_account),
):
    register(_rule)
