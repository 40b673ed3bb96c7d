"""`measure --platform/--account`: narrow the messages, audience and spend every metric reads.

The filter is applied to the tables the base builders read (metrics/bases.py), once, before any grouping:
inbound messages by the account they address, owned messages by their author, conversations by the owned
accounts taking part, audience series by their account, spend by its platform. Of the spend table only Ads
Manager rows name their (ad) account, so under `--account` the spend counted is theirs and that carried by the
account's own posts (as with `--by account`). `in_scope` limits the stored messages alike for the check of
`--period` against their time precision. Data quality stays workspace-wide.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

import ibis
import ibis.expr.types as ir

from strategyfirst.metrics.bases import Context
from strategyfirst.plan import normalise_handle
from strategyfirst.warehouse.attribution import handle


def _platforms(values: Iterable[str] | None) -> list[str]:
    return sorted({v.strip().lower() for v in values or () if v.strip()})


def _accounts(values: Iterable[str] | None) -> list[str]:
    return sorted({normalise_handle(v) for v in values or () if normalise_handle(v)})


def _spend(spend: ir.Table | None, accs: list[str],
           keep: Callable[[ir.Table | None, ir.Column | None], ir.Table | None]) -> ir.Table | None:
    """The spend rows kept: by platform; under `--account` only rows naming one of the accounts."""
    if spend is None or not accs:
        return keep(spend, None)
    if "account" not in spend.columns:  # a spend table written before schema v5 names no account
        return None
    return keep(spend, handle(spend.account))


def narrow(ctx: Context, platforms: Iterable[str] | None, accounts: Iterable[str] | None) -> Context:
    """`ctx` with every table it reads limited to `platforms` and `accounts` (either may be empty: no limit)."""
    plats, accs = _platforms(platforms), _accounts(accounts)
    if not plats and not accs:
        return ctx

    def keep(t: ir.Table | None, account: ir.Column | None = None) -> ir.Table | None:
        if t is None:
            return None
        if plats:
            t = t.filter(t.platform.lower().isin(plats))
        if accs:
            t = t.filter((t.account if account is None else account).isin(accs))
        return t

    tables = ctx.tables
    conversations, involved = ctx.conversations(), ctx.conversation_accounts()
    if conversations is not None and involved is not None:
        if plats:
            conversations = conversations.filter(conversations.platform.lower().isin(plats))
        if accs:
            # answered means answered by one of these accounts, as under --by account
            involved = involved.filter(involved.account.isin(accs))
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
        audience=None if audience is None else keep(audience, handle(audience.account)),
        spend=_spend(spend, accs, keep),
        site_traffic=None,  # the site names no platform or account (metrics/site.py)
    )
    return dataclasses.replace(ctx, tables=narrowed)


def in_scope(messages: ir.Table, narrowed: Context, platforms: Iterable[str] | None,
             accounts: Iterable[str] | None) -> ir.Table:
    """`messages` (the stored table) limited as `narrow` limits what `narrowed` reads: to the platforms and,
    under --account, to the accounts' owned messages and the messages inbound to them."""
    plats, accs = _platforms(platforms), _accounts(accounts)
    if plats:
        messages = messages.filter(messages.platform.lower().isin(plats))
    if accs:
        kept = [t.select("message_id") for t in (narrowed.tables.owned_messages, narrowed.tables.inbound)
                if t is not None]
        if not kept:
            return messages.filter(ibis.literal(False))
        ids = kept[0] if len(kept) == 1 else kept[0].union(kept[1])
        messages = messages.semi_join(ids, "message_id")
    return messages
