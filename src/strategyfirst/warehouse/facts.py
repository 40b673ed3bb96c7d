"""Derived facts as Ibis expressions over `messages`: materialised by `derive.refresh` on DuckDB, recomputed
from the canonical tables by any other backend (Spark reading Parquet) that lacks them.

Ownership is the plan's (metrics.md, Vocabulary): `owned_by_plan` recomputes the `owned` column from the plan's
`accounts` at read time, and every fact below is built from messages passed through it. The stored `owned` is
what the source (and the plan of the day of the import) said; a plan change rebuilds the facts (the plan hash
covers `accounts`) and never needs a re-import.

- `inbound`: one row per (inbound message, owned account it addresses) with that account's earliest reply
  and the message's sentiment.
- `owned_messages`: owned messages with the normalised account, `is_post`, `reply_to_audience` and figures.
- `conversations`: one row per conversation involving an owned account; `conversation_accounts` the owned
  accounts each involves (`posted` when the account wrote in it, else only addressed).
- `plan_accounts`: the plan's accounts per platform it lists accounts for (`listed_table`), which the
  audience's ownership (`audience_owned`) reads, so that no measurement's SQL names the plan's accounts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from strategyfirst.handles import FEDIVERSE, MENTION_LITERALS, is_fediverse
from strategyfirst.plan import Plan
from strategyfirst.warehouse.attribution import handle, union_all
from strategyfirst.warehouse.ownership import declared_handles
from strategyfirst.warehouse.ownership import listed_accounts as listed_accounts  # its callers' name

DERIVED_FACTS = ("owned_messages", "conversations", "conversation_accounts")
# Figures of owned messages summed as they are (metrics likes, comments, saves, video_views, watch_minutes).
INTERACTIONS = ("likes", "comments", "saves", "video_views", "watch_minutes")
# Figures of email campaigns (metrics email_open_rate, email_click_rate, email_unsubscribe_rate).
EMAIL_FIGURES = ("deliveries", "opens", "unsubscribes")


def plan_owned(messages: ir.Table, plan: Plan | None) -> ir.BooleanValue:
    """Whether each message is owned by the plan's rule: on a platform the plan lists accounts for, exactly
    those accounts; elsewhere the source's flag (the stored `owned`)."""
    m = messages
    listed = listed_accounts(plan)
    if not listed:
        return m.owned
    pairs = sorted(f"{p}:{h}" for p, hs in listed.items() for h in hs)
    platform = m.platform.lower()
    is_listed = platform.concat(":", handle(m.account, m.platform)).isin(pairs).fill_null(False)
    return ibis.ifelse(platform.isin(sorted(listed)), is_listed, m.owned)


def listed_table(plan: Plan | None) -> ir.Table:
    """(platform, account) of `listed_accounts`, as the derived table `plan_accounts` holds them (the audience's
    ownership reads the rule from there: the SQL of a standard measurement names no account of the plan)."""
    listed = listed_accounts(plan)
    pairs = [(p, h) for p, hs in listed.items() for h in hs]
    return ibis.memtable(pa.table({"platform": pa.array([p for p, _ in pairs], pa.string()),
                                   "account": pa.array([h for _, h in pairs], pa.string())}))


def audience_owned(audience: ir.Table, listed: ir.Table) -> ir.BooleanValue:
    """Whether each `audience` row is of an account owned by the plan's rule (`plan_owned`; `listed`: the rows
    of `listed_table`): on a platform the plan lists accounts for, exactly those; elsewhere every row (an
    audience export is of one's own account)."""
    platform = audience.platform.lower()
    keys = listed.select(key=listed.platform.concat(":", listed.account))
    account = handle(audience.account, audience.platform)
    return ~platform.isin(listed.platform) | platform.concat(":", account).isin(keys.key)


def owned_by_plan(messages: ir.Table, plan: Plan | None) -> ir.Table:
    """`messages` with `owned` by the plan's rule (`plan_owned`): the one place the rule is applied."""
    if not listed_accounts(plan):
        return messages
    return messages.mutate(owned=plan_owned(messages, plan))


def owned_handles(messages: ir.Table, plan: Plan | None) -> ir.Table:
    """(platform, account) of every owned account: authors of owned messages plus the plan's `accounts`
    (`messages` already passed through `owned_by_plan`)."""
    found = messages.filter(messages.owned & messages.account.notnull()).select(
        "platform", account=handle(messages.account, messages.platform))
    declared = declared_handles(plan)
    if declared:
        listed = ibis.memtable(pa.table({"platform": pa.array([p for p, _ in declared], pa.string()),
                                         "account": pa.array([a for _, a in declared], pa.string())}))
        found = union_all(found, listed)
    return found.distinct()


MENTION_SEP = "[^a-z0-9_@.]+"  # a mention is a run of other characters that starts with '@'
# An '@' inside a link is no mention: a `scheme://...` word (up to the next space), and '@' after a '/' (a
# profile or status link written without its scheme, `indieweb.social/@dealingwith/1107...`).
LINKED = r"[a-z][a-z0-9+.-]*://[^ \t\n\r\f]*|/@+"


@ibis.udf.scalar.builtin(name="regexp_extract_all")
def _regexp_extract_all(s: str, pattern: str, group: int) -> list[str]:  # type: ignore[empty-body]
    """DuckDB's regexp_extract_all (one regex pass; no list of every word to filter)."""


def unlinked(text: ir.StringValue) -> ir.StringValue:
    """A text in lower case with its links blanked out (`LINKED`), which is what mentions are read from; a
    text without a '/' holds no link and is only lower-cased."""
    lowered = text.lower()
    return ibis.ifelse(lowered.contains("/"), lowered.re_replace(LINKED, " "), lowered)


def mention_tokens(text: ir.StringValue, *, duckdb: bool = False) -> ir.ArrayValue:
    """The '@' words of a text outside its links, lower case. On DuckDB one `regexp_extract_all` finds the
    same words (those after the start or a separator) as splitting on separators and keeping '@' words
    (portable)."""
    lowered = unlinked(text)
    if duckdb:
        return _regexp_extract_all(lowered, "(?:^|[^a-z0-9_@.])(@[a-z0-9_@.]*)", 1)
    return lowered.re_split(MENTION_SEP).filter(lambda x: x.startswith("@"))


def inbound(messages: ir.Table, plan: Plan | None, *, duckdb: bool = False,
            handles: Sequence[tuple[str, str]] | None = None) -> ir.Table:
    """One row per (inbound message, owned account it addresses) with that account's earliest reply;
    `addressed` when the message replies to or mentions the account ((a) or (c) of metrics.md), false when only
    the account's reply makes it inbound ((b): before that reply it was no inbound message, metrics.asof).
    `duckdb=True` uses DuckDB-only functions where they are faster (same rows); with `handles`, the rows of
    `owned_handles` (derive fetches them), few enough to test each in the text (`MENTION_LITERALS`), one pass
    over the audience's messages builds the pairs (`_inbound_by_message`)."""
    if duckdb and handles is not None and len(handles) <= MENTION_LITERALS:
        return _inbound_by_message(messages, handles)
    m = messages
    own = _own(m)
    aud = m.filter(~m.owned).select("message_id", "platform", "created_at", "in_reply_to", "text",
                                    "sentiment", conv=m.conversation_id.fill_null(m.message_id))
    keep = ("message_id", "platform", "created_at", "sentiment", "conv")
    no_reply = {"first_reply_at": ibis.null("timestamp"), "first_reply_id": ibis.null("string"),
                "addressed": ibis.literal(True)}
    replies = _first_replies(own)
    b = aud.join(replies, aud.message_id == replies.rparent).select(
        *keep, account=replies.racc, first_reply_at=replies.first_reply_at,
        first_reply_id=replies.first_reply_id, addressed=ibis.literal(False))
    # (a) replies to a message of A.
    a = aud.join(own, aud.in_reply_to == own.rid).select(*keep, account=own.racc, **no_reply)
    # (c) mentions @A in its text (not in a link); on the fediverse '@user@instance' mentions the local part,
    # the normal form of an account there (strategyfirst.handles), elsewhere the word names the account, '@' and
    # all; a trailing '.' ends a sentence, not a handle.
    tokens = mention_tokens(aud.text, duckdb=duckdb)
    mentions = aud.filter(aud.text.contains("@")).select(*keep, token=tokens).unnest("token")
    word = mentions.token.substr(1)
    named = ibis.ifelse(mentions.platform.lower().isin(sorted(FEDIVERSE)), word.split("@")[0], word)
    mentions = mentions.mutate(account=named.re_replace(r"\.+$", ""))
    h = owned_handles(m, plan)
    c = mentions.join(h, ["platform", "account"]).select(*keep, "account", **no_reply)
    # One grouping makes the pairs distinct and keeps the reply that only the (b) rows carry. Every row of a
    # pair carries the same message columns and at most one (b) row the reply: any non-null value is the
    # value (`arbitrary` skips nulls; cheaper than min/max on ten million strings). A pair is `addressed` when
    # an (a) or (c) row makes it one.
    u = union_all(b, a, c)
    p = u.group_by(["message_id", "account"]).aggregate(
        platform=u.platform.arbitrary(), created_at=u.created_at.arbitrary(), sentiment=u.sentiment.arbitrary(),
        conv=u.conv.arbitrary(), first_reply_at=u.first_reply_at.arbitrary(),
        first_reply_id=u.first_reply_id.arbitrary(), addressed=u.addressed.any())
    return _pairs(p)


# A handle a mention can name: the characters of a word, not ending in '.' (mention_tokens drops those); on the
# fediverse the word's local part (before its '@instance'), off it the whole word.
_MENTIONABLE = re.compile(r"[a-z0-9_.]*(?<!\.)")
_MENTIONABLE_OFF = re.compile(r"[a-z0-9_.@]*(?<!\.)")


def _own(m: ir.Table) -> ir.Table:
    """(rid, racc, rparent, rat) of the owned messages."""
    return m.filter(m.owned).select(rid=m.message_id, racc=handle(m.account, m.platform), rparent=m.in_reply_to,
                                    rat=m.created_at)


def _first_replies(own: ir.Table) -> ir.Table:
    """(b) is replied to by A: the earliest reply of each account to each message, with its time; of replies
    at the same instant the least id, so that a rebuild gives the same rows (arg_min alone takes any of them)."""
    r = own.filter(own.rparent.notnull())
    return r.group_by(["rparent", "racc"]).aggregate(
        first_reply_at=r.rat.min(), first_reply_id=r.rid.argmin(ibis.struct({"at": r.rat, "id": r.rid})))


def _pairs(p: ir.Table) -> ir.Table:
    """The table's columns from (message_id, account, message columns, first reply)."""
    gap = (p.first_reply_at.epoch_seconds() - p.created_at.epoch_seconds()) / 60.0
    # `sentiment` and `conv` go beyond the schema's DDL: they save `measure` and `conversations` a join.
    return p.select("message_id", "platform", "account", "created_at", "first_reply_id", "first_reply_at",
                    first_reply_minutes=gap.cast("float64"), addressed=p.addressed, sentiment=p.sentiment,
                    conv=p.conv)


@ibis.udf.scalar.builtin(name="list_concat")
def _list_concat(a: list[str], b: list[str]) -> list[str]:  # type: ignore[empty-body]
    """DuckDB's list_concat, without the null checks Ibis wraps its array `+` in (no list here is null)."""


def _mentioned(lowered: ir.StringValue, platform: ir.StringValue,
               handles: Sequence[tuple[str, str]]) -> ir.ArrayValue:
    """The handles of `handles` (platform, handle) a message mentions, each once: the same as its
    `mention_tokens` joined with them. A word naming handle h is '@' after the start or a separator, h,
    any dots, then the end of the word, or on the fediverse an '@' (its instance): one regex per handle of the
    message's platform, tested only where the text (`lowered`: its `unlinked` form) holds '@h' (a cheap
    substring search) and does not start with '@h ' (a word naming h: found without the regex)."""
    none = ibis.literal([], type="array<string>")
    by_platform: dict[str, list[str]] = {}
    for p, h in sorted(set(handles)):
        if (_MENTIONABLE if is_fediverse(p) else _MENTIONABLE_OFF).fullmatch(h):  # else no word names it
            by_platform.setdefault(p, []).append(h)
    cases = []
    for p, hs in by_platform.items():
        found: ir.ArrayValue = none
        end = r"(?:$|[^a-z0-9_.])" if is_fediverse(p) else r"(?:$|[^a-z0-9_.@])"
        for h in hs:
            pattern = "(?:^|[^a-z0-9_@.])@" + h.replace(".", r"\.") + r"\.*" + end
            # The usual reply starts with its mention: no regex there (10M messages ~0.5 CPU s less).
            hit = lowered.contains("@" + h) & (lowered.startswith(f"@{h} ") | lowered.re_search(pattern))
            one = ibis.ifelse(hit, ibis.literal([h], type="array<string>"), none)
            found = one if found is none else _list_concat(found, one)
        cases.append((platform == p, found))
    return ibis.cases(*cases, else_=none) if cases else none


def _inbound_by_message(m: ir.Table, handles: Sequence[tuple[str, str]]) -> ir.Table:
    """`inbound` on DuckDB without its grouping of every (message, account) row: each audience message lists
    its parent's account (a) and its mentions (c), each once, and one full join on (message, account) with
    the first replies (b) gives each pair its reply; a (b) pair that is neither (a) nor (c) takes its message
    columns from a join with the audience's messages."""
    own = _own(m)
    replies = _first_replies(own)
    keep = ("message_id", "platform", "created_at", "sentiment", "conv")
    aud = m.filter(~m.owned).select(*keep[:-1], "in_reply_to", lowered=unlinked(m.text),
                                    conv=m.conversation_id.fill_null(m.message_id))
    ments = _mentioned(aud.lowered, aud.platform, handles)
    j = aud.left_join(own, aud.in_reply_to == own.rid).select(
        *keep, has_parent=own.rid.notnull(), pacc=own.racc, ments=ments)
    # The parent's account unless also mentioned: a null account (an owned message without one) is a pair too.
    parent = ibis.ifelse(j.has_parent & (j.pacc.isnull() | ~j.ments.contains(j.pacc)),
                         ibis.array([j.pacc]), ibis.literal([], type="array<string>"))
    ac = j.select(*keep, account=_list_concat(parent, j.ments)).unnest("account")
    f = ac.outer_join(replies, [ac.message_id == replies.rparent, ac.account.identical_to(replies.racc)])
    f = f.select(*keep, "account", rparent=replies.rparent, racc=replies.racc,
                 first_reply_at=replies.first_reply_at, first_reply_id=replies.first_reply_id)
    addressed = f.filter(f.message_id.notnull()).drop("rparent", "racc").mutate(addressed=ibis.literal(True))
    only_b = f.filter(f.message_id.isnull())
    # Its own narrow read of the audience: one shared with the texts would be materialised, texts and all.
    a2 = m.filter(~m.owned).select(*keep[:-1], conv=m.conversation_id.fill_null(m.message_id))
    b = only_b.join(a2, only_b.rparent == a2.message_id).select(
        message_id=a2.message_id, platform=a2.platform, created_at=a2.created_at, sentiment=a2.sentiment,
        conv=a2.conv, account=only_b.racc, first_reply_at=only_b.first_reply_at,
        first_reply_id=only_b.first_reply_id, addressed=ibis.literal(False))
    return _pairs(union_all(addressed, b))


def _engagements(m: ir.Table) -> ir.FloatingValue:
    """The total where given, else likes + comments + shares + clicks where any of them is given."""
    parts = [m.likes, m.comments, m.shares, m.clicks]
    any_part = parts[0].notnull() | parts[1].notnull() | parts[2].notnull() | parts[3].notnull()
    summed = parts[0].fill_null(0) + parts[1].fill_null(0) + parts[2].fill_null(0) + parts[3].fill_null(0)
    return m.engagements.fill_null(ibis.ifelse(any_part, summed, ibis.null("float64")))


def owned_messages(messages: ir.Table) -> ir.Table:
    """Owned messages ready to aggregate: normalised account, post/reply flags, effective engagements
    (`messages` passed through `owned_by_plan`)."""
    m = messages
    o = m.filter(m.owned)
    parents = o.select(pid=o.message_id, powned=ibis.literal(True))  # only owned parents matter
    o = o.left_join(parents, o.in_reply_to == parents.pid)
    # A reply whose parent is missing counts as a reply to the audience (metrics.md), and so does a reply the
    # source marks only by its kind (X analytics: a leading '@handle', no parent id).
    unnamed_parent = o.in_reply_to.isnull() & (o.kind.fill_null("post") == "reply")
    to_audience = (o.in_reply_to.notnull() & o.powned.isnull()) | unnamed_parent
    is_post = o.in_reply_to.isnull() & (o.kind.fill_null("post") != "reply")
    return o.select("message_id", "platform", account=handle(o.account, o.platform), name=o.account,
                    created_at=o.created_at, is_post=is_post, reply_to_audience=to_audience,
                    impressions=o.impressions, reach=o.reach, eng=_engagements(o), clicks=o.clicks,
                    shares=o.shares, follows=o.follows, spend=o.spend, campaign=o.campaign,
                    **{f: o[f] for f in (*INTERACTIONS, *EMAIL_FIGURES)})


def conversation_accounts(messages: ir.Table, inbound_pairs: ir.Table) -> ir.Table:
    """(conv, account, posted): owned accounts that wrote in a conversation or that one of it addresses."""
    m = messages.mutate(conv=messages.conversation_id.fill_null(messages.message_id))
    wrote = m.filter(m.owned).select("conv", account=handle(m.account, m.platform), posted=ibis.literal(True))
    if "conv" in inbound_pairs.columns:  # materialised with the pairs
        addressed = inbound_pairs.select("conv", "account", posted=ibis.literal(False))
    else:
        addressed = inbound_pairs.join(m.select("message_id", "conv"), "message_id").select(
            "conv", "account", posted=ibis.literal(False))
    both = union_all(wrote, addressed)
    return both.group_by(["conv", "account"]).aggregate(posted=both.posted.any())


@ibis.udf.agg.builtin(name="arg_min")
def _arg_min(arg: float, val: datetime) -> float:  # type: ignore[empty-body]
    """DuckDB's arg_min over a timestamp (skips rows whose `val` is null)."""


@ibis.udf.agg.builtin(name="arg_max")
def _arg_max(arg: float, val: datetime) -> float:  # type: ignore[empty-body]
    """DuckDB's arg_max over a timestamp (skips rows whose `val` is null)."""


def _timestamp(value: str) -> ir.TimestampValue:
    """A timestamp literal DuckDB reads from text ('infinity', '-infinity': after, before every date)."""
    return ibis.literal(value).cast("timestamp")


def conversations(messages: ir.Table, accounts: ir.Table, *, duckdb: bool = False) -> ir.Table:
    """One row per conversation involving an owned account, with what the dialogue metrics need.
    `duckdb=True` uses DuckDB-only functions where they are faster (same rows)."""
    m = messages.mutate(conv=messages.conversation_id.fill_null(messages.message_id))
    scored = ~m.owned & m.sentiment.notnull()
    if duckdb:
        # Ibis's argmin is DuckDB's first(x ORDER BY t), run as arg_min over a sort key built for every
        # message; arg_min over the timestamp itself skips that. The audience's score (null elsewhere, and
        # DuckDB's arg_min/arg_max and count skip null values) stands for the filter `scored`: one CASE
        # instead of a filter per aggregate. An undated message sorts after (first) or before (last) every
        # dated one, as in the sort key: it gives the score only where no scored message has a date.
        score = ibis.ifelse(~m.owned, m.sentiment, ibis.null("float64"))
        first_s = _arg_min(score, m.created_at.fill_null(_timestamp("infinity")))
        last_s = _arg_max(score, m.created_at.fill_null(_timestamp("-infinity")))
        n_aud_s = score.count()
    else:
        first_s = m.sentiment.argmin(m.created_at, where=scored)
        last_s = m.sentiment.argmax(m.created_at, where=scored)
        n_aud_s = m.count(where=scored)
    stats = m.group_by("conv").aggregate(
        platform=m.platform.min(), created_at=m.created_at.min(), n_msgs=m.count(), has_owned=m.owned.any(),
        audience_started=(~m.owned & (m.message_id == m.conv)).any(), first_s=first_s, last_s=last_s,
        n_aud_s=n_aud_s)
    # The conversations `accounts` names: every one with an owned message (its author is there, `posted`),
    # and of the others those an inbound pair addresses (there only as not `posted`). Looked up among the
    # latter alone, a far smaller table to hash than all of `accounts`.
    addressed = accounts.filter(~accounts.posted)
    return stats.filter(stats.has_owned | stats.conv.isin(addressed.conv))


# How many of the accounts behind `source_owned_not_in_plan` data quality names (the largest; "and N more").
SOURCE_OWNED_NAMED = 3


def source_owned_accounts(messages: ir.Table, plan: Plan | None) -> ir.Table:
    """(platform, account, messages, accounts): the accounts behind `source_owned_not_in_plan` (their source
    flagged their messages as owned, the plan's rule does not own them), the `SOURCE_OWNED_NAMED` with the
    most messages; `accounts` is how many there are in all."""
    g = _source_owned(messages, plan)
    g = g.mutate(accounts=g.messages.count().over(ibis.window()))
    return g.order_by([ibis.desc("messages"), "platform", "account"]).limit(SOURCE_OWNED_NAMED)


def _source_owned(messages: ir.Table, plan: Plan | None) -> ir.Table:
    """(platform, account, messages) of the messages their source flagged as owned that the plan's rule does not
    own. The rule reads platform, account and the flag alone: it is applied to each (platform, account) once,
    after grouping, not to every message."""
    m = messages.filter(messages.owned)
    g = m.group_by(["platform", "account"]).aggregate(messages=m.count()).mutate(owned=ibis.literal(True))
    return g.filter(~plan_owned(g, plan)).drop("owned")


def quality_counts(messages: ir.Table, inbound_pairs: ir.Table | None,
                   attribution: ir.Table | None, plan: Plan | None = None, *,
                   flagged: bool = False, owned: ir.Table | None = None) -> dict[str, ir.Scalar]:
    """Data-quality counts that depend on data (and plan) only: computed once with the derived tables.
    `messages` is the stored table (its `owned` the source's flag); the owned counts follow the plan.
    `flagged`: the warehouse's `parent_missing` flags stand for the replies whose parent is not in the data.
    `owned`: the messages the plan owns, one row each (`owned_messages`), where a derived table holds them."""
    m = messages
    by_plan = plan_owned(m, plan)
    if flagged:
        # The import keeps the flag exactly so (conversation.py: set as a reply is stored, cleared when its
        # parent arrives, recomputed for all after an undo or a re-parenting): a count of it is the anti join
        # below without joining every reply with every id.
        missing = m.count(where=m.parent_missing)
    else:
        replies = m.filter(m.in_reply_to.notnull())
        ids = m.select(pid=m.message_id)
        missing = replies.anti_join(ids, replies.in_reply_to == ids.pid).count()
    out: dict[str, ir.Scalar] = {
        "messages_without_timestamp": m.count(where=m.created_at.isnull()),
        # A parent id not in the data, or a reply whose source names no parent (kind `reply`, no id).
        "replies_with_missing_parent": missing,
        "replies_without_parent_id": m.count(where=m.in_reply_to.isnull() & (m.kind == "reply")),
        # Messages their source flagged as owned whose account the plan does not own: left out of "owned".
        "source_owned_not_in_plan": _source_owned(m, plan).messages.sum().fill_null(0),
    }
    if inbound_pairs is not None:
        out["negative_reply_gaps"] = inbound_pairs.count(where=inbound_pairs.first_reply_minutes < 0)
    if attribution is not None:
        a = attribution.select(aid=attribution.message_id)
        mine = m.filter(by_plan).select("message_id") if owned is None else owned.select("message_id")
        out["owned_unattributed"] = mine.anti_join(a, mine.message_id == a.aid).count()
    return out
