"""The fingerprint of what attribution depends on in a plan, without importing Ibis (the compiled-query cache
of `measure` checks the derived tables' freshness with it before deciding whether Ibis is needed)."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from strategyfirst.plan import Plan


# The version of the rules the derived tables follow besides the plan (how handles are normalised, what a
# mention is): a warehouse derived under other rules is rebuilt at its next use. 2: a fediverse
# `user@instance` is `user`; an '@' inside a link is no mention. 3: only on a fediverse platform (elsewhere
# `news@acme.com` stays `news@acme.com`, and a mention `@news@acme.com` names it whole). 4: white space at
# either end of an account is every character `str.strip()` removes (a tab, a no-break space), in Ibis too.
RULES = 4
# The fingerprint without a plan: the rules matter there too (owned handles from the data, mentions).
NO_PLAN = f"no-plan:{RULES}"


def plan_hash(plan: Plan | None) -> str:
    """A fingerprint of what attribution depends on (owned accounts and tactics' match/period/serves)."""
    if plan is None:
        return NO_PLAN
    payload = {"rules": RULES, "accounts": plan.accounts,
               "tactics": [t.model_dump(include={"id", "match", "period", "serves"}, mode="json")
                           for t in plan.tactics]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
