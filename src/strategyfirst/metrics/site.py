"""Visits and conversions on the organisation's own site (the `site_traffic` table, GA4 exports).

Which rows count (metrics.md "Outcomes on the organisation's own site"):
- Overall, a row is **social** when its channel group is `Organic Social` or `Paid Social`, and **email** when it
  is `Email`. A (property, date range) exported only by `Session source / medium` counts those rows instead,
  social when the source names a social platform (or the medium is `social`), email when the medium is `email`;
  where both tables of one range are in the warehouse only the channel groups count (never both).
- Per tactic, a row is the tactic's when its campaign (`Session campaign`, also as the first of two dimensions)
  equals one of the tactic's `match.campaign` (case-insensitive); a tactic without campaign rows in a range takes
  the `Session source / medium` rows whose source names one of its `match.platform` (else its `channel`;
  email: medium `email`).
  All the tactic's rows count as its site sessions; the email ones are its email sessions, the others social.
- Periods: a row covering a date range counts whole in the period holding its **end date** (`date_to`): GA4
  gives no finer split, and nothing is prorated. Daily tables (a `Date` column) give one row per day.
- A row whose range holds rows of shorter ranges (a monthly download beside a daily one of the same property and
  dimension) is left out: the finer rows count, never both.
- The site names no platform or account: `--by platform|account` (and `--platform/--account`) give no rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strategyfirst.catalog import BY_ID
from strategyfirst.metrics.types import Measured, Metric, Scope, num, ratio, total

if TYPE_CHECKING:
    from collections.abc import Mapping

    import ibis.expr.types as ir

    from strategyfirst.metrics.bases import Context
    from strategyfirst.plan import Plan

CHANNEL = "session default channel group"
SOURCE_MEDIUM = "session source / medium"
CAMPAIGN = "session campaign"
SOCIAL_CHANNELS = ("organic social", "paid social")
# platform -> what its visits' `source` holds (GA4 writes the referrer or the utm_source)
PLATFORM_SOURCES: dict[str, str] = {
    "facebook": r"facebook|\bfb\b|fb\.com|fb\.me", "instagram": r"instagram|\big\b",
    "x": r"twitter|\bt\.co\b|\bx\.com\b|^x$", "linkedin": r"linkedin|lnkd\.in", "youtube": r"youtube|youtu\.be",
    "tiktok": r"tiktok", "mastodon": r"mastodon", "bluesky": r"bsky|bluesky", "threads": r"threads",
    "pinterest": r"pinterest", "reddit": r"reddit",
}
SOCIAL_SOURCE = "|".join(f"(?:{p})" for p in PLATFORM_SOURCES.values())


def finest(s: ir.Table) -> ir.Table:
    """The rows not covered by finer ones: a month's row is left out where rows of a shorter range inside it
    exist for the same property and dimension (a daily download beside the monthly one), so that no visit
    counts twice."""
    inner = s.select(p=s.property, d=s.dimension, f=s.date_from, e=s.date_to).distinct()
    covered = s.semi_join(inner, (s.property == inner.p) & (s.dimension == inner.d) & (inner.f >= s.date_from)
                          & (inner.e <= s.date_to) & ((inner.f != s.date_from) | (inner.e != s.date_to)))
    return s.anti_join(covered.select("property", "dimension", "date_from", "date_to").distinct(),
                       ["property", "dimension", "date_from", "date_to"])


def _parts(t: ir.Table) -> ir.Table:
    """`t` with lower-case `source`, `medium` (of a source / medium value) and `campaign` (of a campaign value)."""
    import ibis

    low = t.value.lower()
    first = low.split(" + ")[0]
    sm_text = ibis.ifelse(t.dimension == SOURCE_MEDIUM, low,
                          ibis.ifelse(t.dimension.startswith(CAMPAIGN + " + " + SOURCE_MEDIUM),
                                      low.split(" + ")[1], ibis.null("string")))
    return t.mutate(source=sm_text.split(" / ")[0].strip(), medium=sm_text.split(" / ")[1].strip(),
                    campaign=ibis.ifelse((t.dimension == CAMPAIGN) | t.dimension.startswith(CAMPAIGN + " + "),
                                         first.strip(), ibis.null("string")))


def overall(s: ir.Table) -> ir.Table:
    """The rows that count overall, with `social` and `email` flags (see the module docstring)."""
    from strategyfirst.warehouse.attribution import union_all

    t = _parts(finest(s))
    channels = t.filter(t.dimension == CHANNEL)
    ranges = channels.select("property", "date_from", "date_to").distinct()
    by_source = t.filter(t.dimension == SOURCE_MEDIUM).anti_join(ranges, ["property", "date_from", "date_to"])
    value = channels.value.lower().strip()
    a = channels.mutate(social=value.isin(SOCIAL_CHANNELS), email=value == "email")
    b = by_source.mutate(social=by_source.source.re_search(SOCIAL_SOURCE) | (by_source.medium == "social"),
                         email=by_source.medium == "email")
    cols = ["date_to", "sessions", "conversions", "social", "email"]
    return union_all(a.select(*cols), b.select(*cols))


def by_tactic(s: ir.Table, campaign_tactic: ir.Table, platform_tactic: ir.Table) -> ir.Table:
    """(tactic_id, date_to, sessions, conversions, social, email): each tactic's rows by its match rules."""
    import ibis

    from strategyfirst.warehouse.attribution import union_all

    t = _parts(finest(s))
    ct = campaign_tactic
    by_campaign = t.join(ct, t.campaign == ct.campaign).select(
        "property", "date_from", "date_to", "sessions", "conversions", "medium", ct.tactic_id,
        tactic_email=ibis.literal(False))
    pt = platform_tactic
    src = t.filter(t.dimension == SOURCE_MEDIUM)
    pattern = pt.platform.cases(*PLATFORM_SOURCES.items(), else_=pt.platform)
    is_email = pt.platform == "email"
    matched = ibis.ifelse(is_email, src.medium == "email", src.source.re_search(pattern))
    by_source = src.join(pt, matched).select(
        "property", "date_from", "date_to", "sessions", "conversions", "medium", pt.tactic_id,
        tactic_email=is_email)
    have = by_campaign.select("tactic_id", "property", "date_from", "date_to").distinct()
    by_source = by_source.anti_join(have, ["tactic_id", "property", "date_from", "date_to"])
    rows = union_all(by_campaign, by_source)
    email = rows.tactic_email | (rows.medium.fill_null("") == "email")
    return rows.select("tactic_id", "date_to", "sessions", "conversions", social=~email, email=email)


def platform_tactics(plan: Plan | None) -> ir.Table:
    """(platform, tactic_id): the platforms of each tactic's `match.platform`, else its `channel`."""
    from strategyfirst.metrics.tables import memtable

    rows: dict[str, list[Any]] = {"platform": [], "tactic_id": []}
    for tactic in plan.tactics if plan else []:
        given = tactic.match.platform if tactic.match is not None else []
        for platform in dict.fromkeys(p.strip().lower() for p in (given or [tactic.channel or ""]) if p.strip()):
            rows["platform"].append(platform)
            rows["tactic_id"].append(tactic.id)
    return memtable(rows)


def site_base(ctx: Context) -> ir.Table | None:
    """The site rows keyed by `ctx.by`, with `ts` (the end of the row's range), sessions, conversions and flags."""
    import ibis

    s = ctx.tables.site_traffic
    if s is None or ctx.by in ("platform", "account"):
        return None
    if ctx.by == "none":
        t = overall(s).mutate(key=ibis.literal("all"))
    else:
        from strategyfirst.metrics.bases import _tactic_to_key

        t = _tactic_to_key(ctx, by_tactic(s, ctx.maps.campaign_tactic, platform_tactics(ctx.plan)))
    return t.select("key", "sessions", "conversions", "social", "email", ts=t.date_to.cast("timestamp"))


def _social(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"soc_sessions": t.sessions.sum(where=t.social), "soc_sessions_n": t.sessions.count(where=t.social),
            "soc_conv": t.conversions.sum(where=t.social), "soc_conv_n": t.conversions.count(where=t.social)}


def _email(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"em_sessions": t.sessions.sum(where=t.email), "em_sessions_n": t.sessions.count(where=t.email)}


def _spend(t: ir.Table) -> dict[str, ir.Scalar]:
    return {"spend_sum": t.amount.sum(), "spend_n": t.amount.count()}


def _per_conversion(row: Mapping[str, Any], scope: Scope) -> Measured:
    """Spend / social conversions; null without spend or without conversions."""
    conv = row.get("soc_conv") if num(row, "soc_conv_n") > 0 else None
    spent = row.get("spend_sum") if num(row, "spend_n") > 0 else None
    if conv is None or spent is None or float(conv) <= 0:
        return Measured(None, 0.0, None if spent is None else float(spent), None if conv is None else float(conv))
    return Measured(float(spent) / float(conv), float(conv), float(spent), float(conv))


SITE: tuple[Metric, ...] = (
    Metric(BY_ID["social_sessions"], {"site": _social}, total("soc_sessions", "soc_sessions_n")),
    Metric(BY_ID["social_conversions"], {"site": _social}, total("soc_conv", "soc_conv_n")),
    Metric(BY_ID["social_conversion_rate"], {"site": _social}, ratio("soc_conv", "soc_sessions"), quotient=True),
    Metric(BY_ID["email_sessions"], {"site": _email}, total("em_sessions", "em_sessions_n")),
)
COST_SITE: tuple[Metric, ...] = (
    Metric(BY_ID["cost_per_social_conversion"], {"spend": _spend, "site": _social}, _per_conversion,
           quotient=True),
)
