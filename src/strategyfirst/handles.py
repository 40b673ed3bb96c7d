"""The normal form of an account handle, which every comparison of accounts uses: in Python
(`plan.normalise_handle`), in Ibis (`warehouse.attribution.handle`) and in an import's SQL (`sources.base.owned_sql`).

Lower case, no leading '@', and no '@instance': a fediverse account is `user@instance` (a Mastodon outbox names
its author `dealingwith@indieweb.social`, a text mentions `@dealingwith@indieweb.social`, a plan may write
`dealingwith`, `@dealingwith` or `@dealingwith@indieweb.social`), and all of them are the account `dealingwith`.
The instance is cut only where what follows the '@' is a host name (dot-separated, no spaces): a page name such
as `Cafe @ Home` keeps its '@'. Standard library only.
"""

from __future__ import annotations

import re

# `user@host.name`: a user, then '@' and a host name. The same patterns serve Python's re, DuckDB's RE2 and Java's
# (Spark): explicit whitespace characters (escaped), since their `\s` differ; no group reference in a
# replacement (Java writes `$1`, the others `\1`): the instance is cut by replacing `INSTANCE_SUFFIX` with ''.
_NOT_PART = r"@\t\n\f\r "
_HOST = rf"[^{_NOT_PART}.]+(?:\.[^{_NOT_PART}.]+)+"
INSTANCE = rf"^[^{_NOT_PART}]+@{_HOST}$"
INSTANCE_SUFFIX = rf"@{_HOST}$"
_INSTANCE = re.compile(INSTANCE)


def without_instance(handle: str) -> str:
    """`handle` (lower case, no leading '@') without its '@instance', if it has one."""
    return handle[: handle.index("@")] if "@" in handle and _INSTANCE.fullmatch(handle) else handle


def without_instance_sql(expr: str) -> str:
    """SQL (DuckDB) of `without_instance` applied to `expr`."""
    return (f"CASE WHEN contains({expr}, '@') AND regexp_matches({expr}, '{INSTANCE}') "
            f"THEN regexp_replace({expr}, '{INSTANCE_SUFFIX}', '') ELSE {expr} END")
