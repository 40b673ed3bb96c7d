"""The base tables the registry aggregates over, each with a `key` (the group of `by`) and a `ts` column.

Each reads the derived facts the warehouse materialised (warehouse/facts.py) and recomputes them with the same
expressions where a backend lacks them. Attribution to tactics (and objectives through the tactics' `serves`)
is a join on `message_id`: a message attributed to two tactics yields one row per tactic, and one row per
objective however many of its tactics serve it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from strategyfirst.handles import FEDIVERSE
from strategyfirst.metrics.audience import MEMBER_SERIES, history
from strategyfirst.metrics.finish import ACCOUNT_SEP
from strategyfirst.metrics.recipe import ALL_KEY
from strategyfirst.metrics.site import site_base
from strategyfirst.metrics.tables import FEDIVERSE_KIND, OTHER_KIND, PlanMaps, Tables
from strategyfirst.plan import Plan
from strategyfirst.warehouse import facts
from strategyfirst.warehouse.attribution import attribution, handle, inbound_attribution, union_all

__all__ = ["ALL_KEY", "BUILDERS", "Context", "account_key"]


def account_key(platform: ir.StringValue, account: ir.StringValue) -> ir.StringValue:
    """The by-account group of a row: its account on its platform (`finish.split_account` reads it back), so
    that one name on two platforms is two accounts. Null where the account is."""
    return platform.fill_null("").concat(ACCOUNT_SEP, account)


@dataclass(frozen=True)
class Context:
    """What the base builders need: the tables, the grouping, the plan and the metrics asked for."""

    tables: Tables
    by: str
    plan: Plan | None
    maps: PlanMaps
    metric_ids: frozenset[str]

    # --- derived facts, read or recomputed -------------------------------------------------------------
    def inbound(self) -> ir.Table | None:
        t = self.tables
        if t.inbound is not None:
            return t.inbound
        return None if t.messages is None else facts.inbound(t.messages, self.plan)

    def owned(self) -> ir.Table | None:
        t = self.tables
        if t.owned_messages is not None:
            return t.owned_messages
        return None if t.messages is None else facts.owned_messages(t.messages)

    def conversation_accounts(self) -> ir.Table | None:
        t, i = self.tables, self.inbound()
        if t.conversation_accounts is not None:
            return t.conversation_accounts
        return None if t.messages is None or i is None else facts.conversation_accounts(t.messages, i)

    def conversations(self) -> ir.Table | None:
        t, ca = self.tables, self.conversation_accounts()
        if t.conversations is not None:
            return t.conversations
        return None if t.messages is None or ca is None else facts.conversations(t.messages, ca)

    def attribution(self) -> ir.Table | None:
        t, i = self.tables, self.inbound()
        if t.attribution is not None:
            return t.attribution
        return None if t.messages is None or i is None else attribution(t.messages, i, self.plan)

    def inbound_attribution(self) -> ir.Table | None:
        t, i = self.tables, self.inbound()
        if t.inbound_attribution is not None:
            return t.inbound_attribution
        return None if t.messages is None or i is None else inbound_attribution(t.messages, i, self.plan)

    def plan_accounts(self) -> ir.Table:
        """(platform, account) the plan lists (`facts.listed_table`), read from the warehouse where derived."""
        t = self.tables.plan_accounts
        return t if t is not None else facts.listed_table(self.plan)

    # --- keys --------------------------------------------------------------------------------------------
    def message_keys(self, *, owned: bool = False, distinct: bool = True) -> ir.Table | None:
        """(message_id, key) for by = tactic | objective, each once; None when there is no attribution.
        `owned`: only the owned messages' keys are read, from `owned_attribution` where the warehouse has it
        (about half the rows of `attribution`, without its inbound pairs' labels). `distinct=False` for a
        caller that makes its own rows distinct. By tactic the labels are the keys, and every table of labels
        already holds each (message, tactic) once (`derive` writes them so; `attribution` recomputes them
        distinct): no DISTINCT of every labelled message; by objective two tactics may serve one objective."""
        a = self.tables.owned_attribution if owned else None
        if a is None:
            a = self.attribution()
        if a is None:
            return None
        if self.by == "tactic":
            return a.select("message_id", key=a.tactic_id)
        to = self.maps.tactic_objective
        keys = a.join(to, "tactic_id").select("message_id", key=to.objective_id)
        return keys.distinct() if distinct else keys

    def pair_keys(self) -> ir.Table | None:
        """(message_id, account, key) of inbound pairs for tactic | objective: the addressed account's, each
        once (by tactic the pairs' labels themselves, which hold each (pair, tactic) once: see message_keys)."""
        a = self.inbound_attribution()
        if a is None:
            return None
        if self.by == "tactic":
            return a.select("message_id", "account", key=a.tactic_id)
        to = self.maps.tactic_objective
        return a.join(to, "tactic_id").select("message_id", "account", key=to.objective_id).distinct()

    def keyed(self, t: ir.Table) -> ir.Table | None:
        """`t` (owned messages' rows with `message_id`, `platform`, normalised `account`) with the `key`
        column of `by`."""
        if self.by == "none":
            return t.mutate(key=ibis.literal(ALL_KEY))
        if self.by == "platform":
            return t.mutate(key=t.platform)
        if self.by == "account":
            return t.mutate(key=account_key(t.platform, t.account))
        keys = self.message_keys(owned=True)
        return None if keys is None else t.join(keys, "message_id")


def inbound_base(ctx: Context) -> ir.Table | None:
    i, m = ctx.inbound(), ctx.tables.messages
    if i is None:
        return None
    t = i.select("message_id", "platform", "account", ts=i.created_at, answered=i.first_reply_id.notnull(),
                 gap=i.first_reply_minutes)
    if "sentiment" in i.columns:  # materialised by the warehouse
        t = i.select("message_id", "platform", "account", "sentiment", ts=i.created_at,
                     answered=i.first_reply_id.notnull(), gap=i.first_reply_minutes)
    elif "sentiment_inbound_mean" in ctx.metric_ids and m is not None:
        s = m.filter(~m.owned & m.sentiment.notnull()).select(sid=m.message_id, sentiment=m.sentiment)
        t = t.left_join(s, t.message_id == s.sid).drop("sid")
    else:
        t = t.mutate(sentiment=ibis.null("float64"))
    if ctx.by in ("tactic", "objective"):
        keys = ctx.pair_keys()
        return None if keys is None else t.join(keys, ["message_id", "account"])
    return ctx.keyed(t)


def owned_base(ctx: Context) -> ir.Table | None:
    o = ctx.owned()
    if o is None:
        return None
    t = o.select("message_id", "platform", "account", "name", "is_post", "reply_to_audience", "impressions",
                 "reach", "eng", "clicks", "shares", "follows", *facts.INTERACTIONS, *facts.EMAIL_FIGURES,
                 ts=o.created_at)
    return ctx.keyed(t)


def conversations_base(ctx: Context) -> ir.Table | None:
    stats, ca = ctx.conversations(), ctx.conversation_accounts()
    if stats is None or ca is None:
        return None
    stats = stats.mutate(ts=stats.created_at)
    if ctx.by == "account":
        t = stats.join(ca, "conv").mutate(key=account_key(stats.platform, ca.account), answered=ca.posted)
    else:
        t = stats.mutate(answered=stats.has_owned)
        if ctx.by == "none":
            t = t.mutate(key=ibis.literal(ALL_KEY))
        elif ctx.by == "platform":
            t = t.mutate(key=t.platform)
        else:
            keys, m = ctx.message_keys(distinct=False), ctx.tables.messages  # (conv, key) made distinct here
            if keys is None or m is None:
                return None
            m = m.mutate(conv=m.conversation_id.fill_null(m.message_id))
            ck = m.select("message_id", "conv").join(keys, "message_id").select("conv", "key").distinct()
            t = t.join(ck, "conv")
    lift_ok = t.audience_started & t.answered & (t.n_aud_s >= 2)
    lift = ibis.ifelse(lift_ok, t.last_s - t.first_s, ibis.null("float64"))
    return t.select("key", "ts", "audience_started", "answered", "n_msgs", lift=lift)


def audience_base(ctx: Context) -> ir.Table | None:
    """The audience rows of owned accounts (the plan's rule), each with what a period opening on it needs of
    the days before (`audience.history`: computed before any window of dates)."""
    a = ctx.tables.audience
    if a is None:
        return None
    a = a.filter(facts.audience_owned(a, ctx.plan_accounts()))
    # A series is one account's metric as `measure` groups accounts (its handle's normal form): rows stored under
    # two spellings of a list (`News`, `news`: imports made before member exports took the stored spelling) are
    # one series, whose last snapshot counts once, not once per spelling.
    account = handle(a.account, a.platform)
    # A member list is one series: its exports of each status (`subscribers`, `subscribers_unsubscribed`, ...,
    # stored apart so that each file replaces only its own days) hold one list's joins and leaves, and its size
    # at a period's start counts the members who have left since, whatever export lists them. Per day, the
    # statuses' rows are one row (the `subscribers` export alone gives the size).
    member = (a.platform == "email") & a.metric.startswith(MEMBER_SERIES)
    metric = ibis.ifelse(member, MEMBER_SERIES, a.metric)
    t = a.select("platform", "value", "gained", "lost", account=account, ts=a.date.cast("timestamp"),
                 series=a.platform.concat("|", account, "|", metric))
    t = t.group_by(["platform", "account", "series", "ts"]).aggregate(
        value=t.value.max(), gained=t.gained.sum(), lost=t.lost.sum())
    t = history(t)
    if ctx.by == "none":
        return t.mutate(key=ibis.literal(ALL_KEY))
    if ctx.by == "platform":
        return t.mutate(key=t.platform)
    if ctx.by == "account":
        return t.mutate(key=account_key(t.platform, t.account))
    at = ctx.maps.account_tactic
    # A tactic naming no platform matches an account by its form on the row's kind of platform (PlanMaps `kind`;
    # null: the same form on both).
    kind = ibis.ifelse(t.platform.lower().isin(sorted(FEDIVERSE)), FEDIVERSE_KIND, OTHER_KIND)
    same_platform = ((at.platform.isnull() & (at.kind.isnull() | (at.kind == kind)))
                     | (at.platform == t.platform.lower()))
    # Matched on the fields an audience row carries, as a message is (metrics.md: a tactic's match rules): its
    # accounts, its platforms (a tactic matching only `platform` gets every owned account's audience there);
    # hashtags, campaign, texts and urls no audience row holds.
    joined = t.join(at, (at.account.isnull() | (t.account == at.account)) & same_platform)
    keyed = _tactic_to_key(ctx, joined.select(*t.columns, tactic_id=at.tactic_id))
    # Two tactics of one objective may match one account: its rows (one a series and day) count once there,
    # as a message two tactics hold counts once.
    return keyed.distinct() if ctx.by == "objective" else keyed


def _tactic_to_key(ctx: Context, t: ir.Table) -> ir.Table:
    """Rows carrying a `tactic_id`: key = the tactic, or its objectives."""
    if ctx.by == "tactic":
        return t.mutate(key=t.tactic_id).drop("tactic_id")
    to = ctx.maps.tactic_objective
    return t.join(to, "tactic_id").mutate(key=to.objective_id).drop("tactic_id", "objective_id")


def spend_base(ctx: Context) -> ir.Table | None:
    """Rows with `amount`, and for Ads Manager rows (`paid`) their `results` and `result_indicator`."""
    s, o = ctx.tables.spend, ctx.owned()
    cols = ("key", "ts", "amount", "paid", "results", "result_indicator")
    unpaid = {"paid": ibis.literal(False), "results": ibis.null("float64"),
              "result_indicator": ibis.null("string")}
    parts: list[ir.Table] = []
    if o is not None:
        paid = o.filter(o.spend.notnull())
        keyed = ctx.keyed(paid.select("message_id", "platform", "account", ts=paid.created_at,
                                      amount=paid.spend))
        if keyed is not None:
            parts.append(keyed.mutate(**unpaid).select(*cols))
    if s is not None:
        # Spend tables written before schema v5 (or exported from one) have no Ads Manager columns.
        ads = {c: s[c] if c in s.columns else ibis.null(t)
               for c, t in (("account", "string"), ("level", "string"), ("results", "float64"),
                            ("result_indicator", "string"))}
        t = s.select("platform", "tactic", ts=s.date.cast("timestamp"), amount=s.amount.cast("float64"),
                     campaign=s.campaign.strip().lower(), account=handle(ads["account"], s.platform),
                     paid=ads["level"].notnull(), results=ads["results"].cast("float64"),
                     result_indicator=ads["result_indicator"])
        figures = ("ts", "amount", "paid", "results", "result_indicator")
        if ctx.by in ("none", "platform", "account"):
            if ctx.by == "account":  # only Ads Manager rows name their account
                t = t.filter(t.account.notnull())
            key = {"none": ibis.literal(ALL_KEY), "platform": t.platform,
                   "account": account_key(t.platform, t.account)}[ctx.by]
            parts.append(t.mutate(key=key).select(*cols))
        else:
            ct = ctx.maps.campaign_tactic
            named = t.filter(t.tactic.notnull()).select(*figures, tactic_id=t.tactic)
            unnamed = t.filter(t.tactic.isnull())
            by_campaign = unnamed.join(ct, unnamed.campaign == ct.campaign).select(
                *[unnamed[c] for c in figures], ct.tactic_id)
            tagged = union_all(named, by_campaign)
            parts.append(_tactic_to_key(ctx, tagged).select(*cols))
    if not parts:
        return None
    return union_all(*parts)


BUILDERS: dict[str, Callable[[Context], ir.Table | None]] = {
    "inbound": inbound_base, "owned": owned_base, "conversations": conversations_base,
    "audience": audience_base, "spend": spend_base, "site": site_base,
}
