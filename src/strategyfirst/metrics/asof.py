"""The dialogue facts as they stood at a moment: what `measure --until D` (and so a KPI as of D) reads.

The derived tables hold every reply and every message whenever it came. Measured up to the end of day D, an
inbound message first answered after D was not answered yet; a conversation whose only owned message came
after D was not answered either, and its later messages were not written. So, with `end` the first moment
after D: a first reply at or after `end` is no reply (no time to first reply either), and each conversation
that has a message at or after `end` is recomputed from its messages before it (`facts.conversations`), the
others are read as stored. Data up to D gives the same numbers whatever came later (tests/metrics/
test_as_of_replies.py). An undated message is kept (nothing says it came later), as the stored facts do.

A message inbound to A only because A replies to it (rule (b) of metrics.md; the pair is not `addressed`) was
no inbound message of A before that reply: as of D, with the reply after D, the pair is left out (not counted
as an unanswered inbound message, nor as a conversation A was addressed in).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import ibis
import ibis.expr.types as ir

from strategyfirst.dates import end_of
from strategyfirst.metrics.bases import Context
from strategyfirst.warehouse import facts
from strategyfirst.warehouse.attribution import union_all


def before(ctx: Context, until: dt.date, stored: ir.Table | None = None) -> Context:
    """`ctx` reading its messages, inbound pairs and conversations as they stood at the end of `until`.
    `stored`: the messages as stored, before `ctx`'s own (`owned` by the plan's rule, `facts.owned_by_plan`): the
    conversations with a later message are looked up there and the rule applied only to their messages (on ten
    million messages the rule costs more than the lookup; with nothing later, nothing is recomputed)."""
    end = ibis.timestamp(end_of(until))
    t, i = ctx.tables, ctx.inbound()
    m, conversations, involved = t.messages, ctx.conversations(), ctx.conversation_accounts()
    if i is not None:
        i = standing(i, end)
        later = i.first_reply_at >= end  # null (no reply) is not later: CASE takes its ELSE
        i = i.mutate(first_reply_id=ibis.ifelse(later, ibis.null("string"), i.first_reply_id),
                     first_reply_at=ibis.ifelse(later, ibis.null("timestamp"), i.first_reply_at),
                     first_reply_minutes=ibis.ifelse(later, ibis.null("float64"), i.first_reply_minutes))
    if m is not None:
        if i is not None and conversations is not None and involved is not None:
            raw = m if stored is None else stored
            late = _late(raw, end)
            part = _until(raw, end).semi_join(late, raw.conversation_id.fill_null(raw.message_id) == late.conv)
            part = part if stored is None else facts.owned_by_plan(part, ctx.plan)
            conversations, involved = _conversations_before(part, late, i, conversations, involved, end)
        m = _until(m, end)
    tables = dataclasses.replace(t, messages=m, inbound=i, conversations=conversations,
                                 conversation_accounts=involved)
    return dataclasses.replace(ctx, tables=tables)


def standing(inbound: ir.Table, end: ir.TimestampValue) -> ir.Table:
    """The inbound pairs that were pairs before `end`: those whose message addressed the account, and those
    inbound only by the account's reply (rule (b)) where that reply came before `end`. A warehouse derived
    before pairs said so (no `addressed` column) keeps every pair."""
    if "addressed" not in inbound.columns:
        return inbound
    return inbound.filter(inbound.addressed.fill_null(True) | (inbound.first_reply_at < end))


def _until(m: ir.Table, end: ir.TimestampValue) -> ir.Table:
    """The messages dated before `end`, and the undated ones."""
    return m.filter(m.created_at.isnull() | (m.created_at < end))


def _late(m: ir.Table, end: ir.TimestampValue) -> ir.Table:
    """(conv) of each conversation with a message from `end` on."""
    return m.filter(m.created_at >= end).select(conv=m.conversation_id.fill_null(m.message_id)).distinct()


def _conversations_before(part: ir.Table, late: ir.Table, inbound: ir.Table, conversations: ir.Table,
                          involved: ir.Table, end: ir.TimestampValue) -> tuple[ir.Table, ir.Table]:
    """(conversations, conversation_accounts) at `end`: the `late` ones recomputed from `part` (their messages
    before `end`, owned by the plan's rule; none left: the conversation had not started), the others as
    stored."""
    pairs = _until(inbound, end)
    if "conv" not in pairs.columns:
        pairs = pairs.join(part.select("message_id", conv=part.conversation_id.fill_null(part.message_id)),
                           "message_id")
    pairs = pairs.semi_join(late, "conv")
    involved_late = facts.conversation_accounts(part, pairs)
    conversations_late = facts.conversations(part, involved_late)
    return (union_all(conversations.anti_join(late, "conv"), conversations_late.select(*conversations.columns)),
            union_all(involved.anti_join(late, "conv"), involved_late.select(*involved.columns)))
