"""The normal form of an account handle on a platform, which every comparison of accounts uses: in Python
(`plan.normalise_handle`), in Ibis (`warehouse.attribution.handle`) and in SQL (`sources.base.owned_sql` for an
import, `warehouse.ownership` for the plain reads).

Lower case and no leading '@' on every platform. On a fediverse platform (`FEDIVERSE`) also no '@instance': a
fediverse account is `user@instance` (a Mastodon outbox names its author `dealingwith@indieweb.social`, a text
mentions `@dealingwith@indieweb.social`, a plan may write `dealingwith`, `@dealingwith` or
`@dealingwith@indieweb.social`), and all of them are the account `dealingwith`. The instance is cut only where
what follows the '@' is a host name (dot-separated, no spaces): a name such as `Cafe @ Home` keeps its '@'.
Elsewhere an '@host' is part of the account: the lists `news@acme.com` and `news@partner.org` of a newsletter
are two accounts, not one `news`. Standard library only.
"""

from __future__ import annotations

import re

# Platforms of the fediverse (ActivityPub), where an account is `user@instance`: Mastodon and the servers that
# name accounts alike. Platform ids are lower case (sources write them so; a plan's keys are lower-cased).
FEDIVERSE = frozenset({"mastodon", "pixelfed", "peertube", "pleroma", "akkoma", "misskey", "friendica",
                       "gotosocial", "lemmy"})
# The same as an SQL list, for `platform IN ...`.
FEDIVERSE_SQL = "(" + ", ".join(f"'{p}'" for p in sorted(FEDIVERSE)) + ")"

# `user@host.name`: a user, then '@' and a host name. The same patterns serve Python's re, DuckDB's RE2 and Java's
# (Spark): explicit whitespace characters (escaped), since their `\s` differ; no group reference in a
# replacement (Java writes `$1`, the others `\1`): the instance is cut by replacing `INSTANCE_SUFFIX` with ''.
_NOT_PART = r"@\t\n\f\r "
_HOST = rf"[^{_NOT_PART}.]+(?:\.[^{_NOT_PART}.]+)+"
INSTANCE = rf"^[^{_NOT_PART}]+@{_HOST}$"
INSTANCE_SUFFIX = rf"@{_HOST}$"
_INSTANCE = re.compile(INSTANCE)


def is_fediverse(platform: str | None) -> bool:
    """Whether accounts of `platform` are fediverse `user@instance` accounts."""
    return platform is not None and platform.strip().lower() in FEDIVERSE


def cut_instance(handle: str) -> str:
    """`handle` (lower case, no leading '@') without its '@instance', if it has one (a fediverse platform's)."""
    return handle[: handle.index("@")] if "@" in handle and _INSTANCE.fullmatch(handle) else handle


def without_instance(handle: str, platform: str | None) -> str:
    """`handle` (lower case, no leading '@') in its normal form on `platform`: without its '@instance' on the
    fediverse, as it is elsewhere."""
    return cut_instance(handle) if is_fediverse(platform) else handle


def _cut_sql(expr: str) -> str:
    return (f"CASE WHEN contains({expr}, '@') AND regexp_matches({expr}, '{INSTANCE}') "
            f"THEN regexp_replace({expr}, '{INSTANCE_SUFFIX}', '') ELSE {expr} END")


def without_instance_sql(expr: str, platform: str) -> str:
    """SQL (DuckDB) of `without_instance` applied to `expr` on the platform `platform` (a Python string: one
    platform for every row)."""
    return _cut_sql(expr) if is_fediverse(platform) else expr


def without_instance_by_row_sql(expr: str, platform_expr: str) -> str:
    """SQL (DuckDB) of `without_instance` applied to `expr` on each row's platform, `platform_expr` (SQL of a
    lower-case platform id)."""
    return (f"CASE WHEN contains({expr}, '@') AND {platform_expr} IN {FEDIVERSE_SQL} AND "
            f"regexp_matches({expr}, '{INSTANCE}') THEN regexp_replace({expr}, '{INSTANCE_SUFFIX}', '') "
            f"ELSE {expr} END")


def account_is_sql(platform_expr: str, account_expr: str, forms: tuple[str, str]) -> tuple[str, list[str]]:
    """An SQL condition (with its '?' parameters) that a normalised account column (`account_expr`) is a handle
    given without its platform, by its `forms` off the fediverse and on it (`plan.handle_forms`), on the row's
    platform (`platform_expr`, SQL of a lower-case id)."""
    off, on = forms
    if off == on:
        return f"{account_expr} = ?", [off]
    return f"{account_expr} = CASE WHEN {platform_expr} IN {FEDIVERSE_SQL} THEN ? ELSE ? END", [on, off]
