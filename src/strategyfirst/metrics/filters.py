"""`measure --platform/--account`: narrow the messages, audience and spend every metric reads.

The filter is applied to the tables the base builders read (metrics/bases.py), once, before any grouping:
inbound messages by the account they address, owned messages by their author, conversations by the owned
accounts taking part, audience series by their account, spend by its platform. Of the spend table only Ads
Manager rows name their (ad) account, so under `--account` the spend counted is theirs and that carried by the
account's own posts (as with `--by account`). `in_scope` limits the stored messages alike for the check of
`--period` against their time precision (always: to those the measurement reads). Data quality stays
workspace-wide.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

import ibis
import ibis.expr.types as ir

from strategyfirst.metrics.bases import Context
from strategyfirst.metrics.tables import Tables
from strategyfirst.plan import handle_forms
from strategyfirst.warehouse import facts
from strategyfirst.warehouse.attribution import account_in, handle, union_all


def _platforms(values: Iterable[str] | None) -> list[str]:
    return sorted({v.strip().lower() for v in values or () if v.strip()})


Forms = tuple[list[str], list[str]]


def _accounts(values: Iterable[str] | None) -> Forms:
    """The normal forms of `--account` values, which name no platform: off the fediverse and on it
    (`plan.handle_forms`); both empty without any."""
    forms = [f for f in (handle_forms(v) for v in values or ()) if f[0]]
    return sorted({off for off, _ in forms}), sorted({on for _, on in forms})


def _spend(spend: ir.Table | None, accs: Forms,
           keep: Callable[[ir.Table | None, ir.Column | None], ir.Table | None]) -> ir.Table | None:
    """The spend rows kept: by platform; under `--account` only rows naming one of the accounts."""
    if spend is None or not accs[0]:
        return keep(spend, None)
    if "account" not in spend.columns:  # a spend table written before schema v5 names no account
        return None
    return keep(spend, handle(spend.account, spend.platform))


def narrow(ctx: Context, platforms: Iterable[str] | None, accounts: Iterable[str] | None) -> Context:
    """`ctx` with every table it reads limited to `platforms` and `accounts` (either may be empty: no limit)."""
    plats, accs = _platforms(platforms), _accounts(accounts)
    if not plats and not accs[0]:
        return ctx

    def keep(t: ir.Table | None, account: ir.Column | None = None) -> ir.Table | None:
        if t is None:
            return None
        if plats:
            t = t.filter(t.platform.lower().isin(plats))
        if accs[0]:
            t = t.filter(account_in(t.platform, t.account if account is None else account, accs))
        return t

    tables = ctx.tables
    conversations, involved = ctx.conversations(), ctx.conversation_accounts()
    if conversations is not None and involved is not None:
        if plats:
            conversations = conversations.filter(conversations.platform.lower().isin(plats))
        if accs[0]:
            # answered means answered by one of these accounts, as under --by account
            if accs[0] == accs[1]:
                involved = involved.filter(involved.account.isin(accs[0]))
            else:  # an account's form depends on its platform: the conversation's
                on = conversations.select("conv", conv_platform=conversations.platform)
                j = involved.join(on, "conv")
                involved = j.filter(account_in(j.conv_platform, j.account, accs)).select(*involved.columns)
            posted = involved.group_by("conv").aggregate(by_them=involved.posted.any())
            conversations = conversations.join(posted, "conv")
            conversations = conversations.mutate(has_owned=conversations.by_them).drop("by_them")
        conversations = conversations.semi_join(involved.select("conv").distinct(), "conv")
        involved = involved.semi_join(conversations.select("conv"), "conv")
    audience = tables.audience
    spend = tables.spend
    narrowed = dataclasses.replace(
        tables,
        # owned and inbound rows carry the normalised account (warehouse/facts.py); the raw tables do not
        messages=tables.messages if tables.messages is None or not plats
        else tables.messages.filter(tables.messages.platform.lower().isin(plats)),
        inbound=keep(ctx.inbound()),
        owned_messages=keep(ctx.owned()),
        conversations=conversations,
        conversation_accounts=involved,
        attribution=ctx.attribution(),
        inbound_attribution=ctx.inbound_attribution(),
        audience=None if audience is None else keep(audience, handle(audience.account, audience.platform)),
        spend=_spend(spend, accs, keep),
        site_traffic=None,  # the site names no platform or account (metrics/site.py)
    )
    return dataclasses.replace(ctx, tables=narrowed)


def in_scope(messages: ir.Table, narrowed: Context) -> ir.Table:
    """`messages` (the stored table) limited to those `narrowed` reads: owned by the plan's rule or inbound to
    an owned account, of the platforms and accounts `narrow` kept; for the check of `--period` against their
    time precision (posts of an account the plan does not own, which no metric reads, never refuse a period)."""
    kept = [t.select("message_id") for t in (narrowed.owned(), narrowed.inbound()) if t is not None]
    if not kept:
        return messages.filter(ibis.literal(False))
    # UNION ALL in nullable types: the two tables' id columns may differ in nullability (a snapshot's do)
    return messages.semi_join(union_all(*kept), "message_id")


def not_owned(stored: Tables, whole: Context, accounts: Iterable[str] | None) -> ir.Table | None:
    """(platform, account, name, listed) of each `--account` the data names (an author, an audience series) on
    a platform where the plan's rule does not own it, with each account the plan lists there (`listed`; null
    where it lists none): nothing of it is measured, and `measure` says why. None without `--account`."""
    accs = _accounts(accounts)
    if not accs[0]:
        return None
    named: list[ir.Table] = []
    owned: list[ir.Table] = []
    m, a, o = stored.messages, stored.audience, whole.owned()
    if m is not None:
        named.append(m.filter(account_in(m.platform, handle(m.account, m.platform), accs)).select(
            platform=m.platform.lower(), account=handle(m.account, m.platform), name=m.account))
    if a is not None:
        mine = a.filter(account_in(a.platform, handle(a.account, a.platform), accs))
        named.append(mine.select(platform=mine.platform.lower(), account=handle(mine.account, mine.platform),
                                 name=mine.account))
        kept = mine.filter(facts.audience_owned(mine, whole.plan_accounts()))
        owned.append(kept.select(platform=kept.platform.lower(), account=handle(kept.account, kept.platform)))
    if o is not None:
        owned.append(o.filter(account_in(o.platform, o.account, accs)).select(platform=o.platform.lower(),
                                                                              account=o.account))
    if not named:
        return None
    found = union_all(*named)
    if owned:
        found = found.anti_join(union_all(*owned), ["platform", "account"])
    found = found.group_by(["platform", "account"]).aggregate(name=found.name.min())
    listed = whole.plan_accounts()
    return found.left_join(listed, found.platform == listed.platform).select(
        found.platform, found.account, found.name, listed=listed.account).order_by(["account", "platform", "listed"])
