"""The plan's ownership rule (metrics.md, "owned message": where the plan lists accounts for a platform,
exactly those are owned there; elsewhere the source's flag) without Ibis: the listed accounts, and the rule as
DuckDB SQL for the plain reads that import no Ibis (`derive` writing `plan_accounts`, diagnose's default as-of
day). `facts.plan_owned` and `facts.audience_owned` are the same rule as Ibis expressions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strategyfirst.handles import handle_sql, without_instance_by_row_sql
from strategyfirst.sqltext import string_list

if TYPE_CHECKING:
    from strategyfirst.plan import Plan


def listed_accounts(plan: Plan | None) -> dict[str, list[str]]:
    """The plan's owned accounts per platform (normalised), only for platforms it lists accounts for."""
    owned = plan.owned_handles() if plan is not None else {}
    return {p.strip().lower(): sorted(hs) for p, hs in owned.items() if hs}


def declared_handles(plan: Plan | None) -> list[tuple[str, str]]:
    """(platform, handle) of each account the plan's `accounts` lists, normalised (`normalise_handle`): the
    half of the owned handles the plan gives (`facts.owned_handles`; `derive` reads them without Ibis)."""
    from strategyfirst.plan import normalise_handle

    return [(p, normalise_handle(h, p)) for p, hs in (plan.accounts if plan else {}).items() for h in hs]


def _keyed(listed: dict[str, list[str]], platform: str, account: str) -> tuple[str, str]:
    """(platform IN the listed platforms, platform:account IN the listed pairs) in SQL, the account normalised
    on its platform as `attribution.handle` does (strategyfirst.handles: no white space at either end, lower
    case, no leading '@', and on a fediverse platform no '@instance')."""
    platforms = string_list(sorted(listed))
    pairs = string_list(f"{p}:{h}" for p, hs in sorted(listed.items()) for h in hs)
    name = without_instance_by_row_sql(handle_sql(account), f"lower({platform})")
    return f"lower({platform}) IN ({platforms})", f"(lower({platform}) || ':' || {name}) IN ({pairs})"


def owned_sql(listed: dict[str, list[str]], platform: str = "platform", account: str = "account",
              owned: str = "owned") -> str:
    """Whether a message is owned by the rule (`facts.plan_owned`), as an SQL condition on its columns."""
    if not listed:
        return owned
    is_platform, is_listed = _keyed(listed, platform, account)
    return f"CASE WHEN {is_platform} THEN coalesce({is_listed}, false) ELSE {owned} END"


def audience_owned_sql(listed: dict[str, list[str]], platform: str = "platform", account: str = "account") -> str:
    """Whether an audience row is of an owned account (`facts.audience_owned`: on a platform the plan lists
    accounts for, exactly those; elsewhere every row), as an SQL condition on its columns."""
    if not listed:
        return "true"
    is_platform, is_listed = _keyed(listed, platform, account)
    return f"(NOT {is_platform} OR coalesce({is_listed}, false))"
