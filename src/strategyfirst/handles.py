"""The normal form of an account handle on a platform, which every comparison of accounts uses: in Python
(`plan.normalise_handle`), in Ibis (`warehouse.attribution.handle`) and in SQL (`sources.base.owned_sql` for an
import, `warehouse.ownership` for the plain reads).

No white space at either end (`SPACE`: what Python's `str.strip()` removes, a tab, a line break, a no-break space
U+00A0 or an ideographic space U+3000 as much as a space), lower case and no leading '@' on every platform. On a
fediverse platform (`FEDIVERSE`) also no '@instance': a fediverse account is `user@instance` (a Mastodon outbox
names its author `dealingwith@indieweb.social`, a text mentions `@dealingwith@indieweb.social`, a plan may write
`dealingwith`, `@dealingwith` or `@dealingwith@indieweb.social`), and all of them are the account `dealingwith`. The
instance is cut only where what follows the '@' is a host name (dot-separated, no spaces): a name such as
`Cafe @ Home` keeps its '@'. Elsewhere an '@host' is part of the account: the lists `news@acme.com` and
`news@partner.org` of a newsletter are two accounts, not one `news`. Standard library only.
"""

from __future__ import annotations

import re

# Above this many owned handles the mentions are found by splitting texts into words (a join with the
# handles, `warehouse.facts.inbound`) rather than by testing each handle in each text.
MENTION_LITERALS = 32
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

# White space around a handle is no part of it (exports carry a no-break space or a tab around names): every
# character Python's `str.strip()` removes (`str.isspace`), and exactly those in SQL and in Ibis, which differ
# from it and from each other by default: DuckDB's `trim(x)` removes the Unicode spaces (U+00A0, U+3000) but no
# tab nor line break; Ibis's `strip()` (`TRIM(x, ' \t\n\r\v\f')`) the ASCII ones but no U+00A0.
SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
         "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# The code points of printable ASCII, none of them white space: a value that begins and ends with one of them
# has nothing to trim, which SQL tests without a regex (`ascii` of its first and last character).
PRINTABLE = (0x21, 0x7E)
# `SPACE` as a regex class that Python's re, RE2 and Java read alike: `\xhh` up to U+00FF, the characters
# themselves above (no escape of them is common to the three). Not the characters themselves below U+0100:
# Ibis writes U+000B and U+000C into Spark SQL as '\v' and '\f', which Spark reads as 'v' and 'f'.
_SPACE_CLASS = "[" + "".join(f"\\x{ord(c):02x}" if ord(c) <= 0xFF else c for c in SPACE) + "]"
# `SPACE` at either end, for a regex replace by ''.
SPACE_ENDS = f"^{_SPACE_CLASS}+|{_SPACE_CLASS}+$"


def trim_space(text: str) -> str:
    """`text` without `SPACE` at either end."""
    return text.strip(SPACE)


def trim_space_sql(expr: str) -> str:
    """SQL (DuckDB) of `trim_space` applied to `expr`. The regex runs only on a value that begins or ends with
    other than printable ASCII (`PRINTABLE`; few): a test of two characters costs less than the regex on every
    row."""
    low, high = PRINTABLE
    return (f"CASE WHEN ascii({expr}) NOT BETWEEN {low} AND {high} OR ascii(right({expr}, 1)) NOT BETWEEN {low} "
            f"AND {high} THEN regexp_replace({expr}, '{SPACE_ENDS}', '', 'g') ELSE {expr} END")


def handle_sql(expr: str) -> str:
    """SQL (DuckDB) of a handle's normal form off the fediverse: no white space at either end, lower case, no
    leading '@' (on a fediverse platform `without_instance_sql` also drops the '@instance')."""
    return f"ltrim(lower({trim_space_sql(expr)}), '@')"


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
