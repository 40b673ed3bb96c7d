"""Attribution of messages to tactics from the plan's `match` rules, as one Ibis expression.

Fields of a `match` AND together, list items OR; a tactic's `period` bounds it; handles match
case-insensitively with `@` optional. Owned messages are matched with their author as the account; inbound
messages with the owned account they address (data.md: "inbound messages count under the tactics of the
owned account they address").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import ibis
import ibis.expr.types as ir

from strategyfirst.handles import FEDIVERSE, INSTANCE, INSTANCE_SUFFIX, PRINTABLE, SPACE_ENDS, is_fediverse
from strategyfirst.plan import Match, Plan, Tactic
from strategyfirst.warehouse.planhash import plan_hash as plan_hash  # its callers' name; defined without Ibis


def handle(column: ir.StringValue, platform: ir.StringValue | str) -> ir.StringValue:
    """The normalised form of a handle column on its platform (strategyfirst.handles): no white space at either
    end, lower case, no leading '@', and on a fediverse platform no '@instance'. `platform`: the rows' platform
    column, or one platform for all. No regex where the account holds no '@' and begins and ends in printable
    ASCII (nearly all of them): it is hot."""
    lowered = trim_space(column).lower()
    bare = lowered.re_replace("^@+", "")
    if isinstance(platform, str):
        if not is_fediverse(platform):
            return ibis.ifelse(lowered.contains("@"), bare, lowered)
        fediverse: ir.BooleanValue = ibis.literal(True)
    else:
        fediverse = platform.lower().isin(sorted(FEDIVERSE))
    cut = ibis.ifelse(fediverse & bare.re_search(INSTANCE), bare.re_replace(INSTANCE_SUFFIX, ""), bare)
    return ibis.ifelse(lowered.contains("@"), cut, lowered)


def trim_space(column: ir.StringValue) -> ir.StringValue:
    """`column` without white space at either end (`handles.trim_space`, `handles.trim_space_sql`): the regex
    only where the first or last character is other than printable ASCII."""
    low, high = PRINTABLE
    at_ends = ~column.ascii_str().between(low, high) | ~column.right(1).ascii_str().between(low, high)
    return ibis.ifelse(at_ends, column.re_replace(SPACE_ENDS, ""), column)


def account_in(platform: ir.StringValue, account: ir.StringValue,
               forms: tuple[Iterable[str], Iterable[str]]) -> ir.BooleanValue:
    """Whether a normalised `account` (`handle`) is one of handles given without their platform, by their
    `forms` (off the fediverse, on it: `Match.account_forms`, `plan.handle_forms`) on the row's `platform`."""
    off, on = sorted(set(forms[0])), sorted(set(forms[1]))
    if off == on or not on:
        return account.isin(off)
    if not off:
        return account.isin(on)
    return ibis.ifelse(platform.lower().isin(sorted(FEDIVERSE)), account.isin(on), account.isin(off))


def union_all(*tables: ir.Table) -> ir.Table:
    """UNION ALL of tables with the same columns, in the first one's types made nullable."""
    def nullable(t: ir.Table) -> ir.Table:
        return t.cast({name: dtype.copy(nullable=True) for name, dtype in t.schema().items()})

    out = nullable(tables[0])
    for t in tables[1:]:
        out = out.union(t.select(*out.columns).cast(out.schema()), distinct=False)
    return out


def _any(conds: list[ir.BooleanValue]) -> ir.BooleanValue:
    out = conds[0]
    for c in conds[1:]:
        out = out | c
    return out


def match_condition(c: ir.Table, match: Match) -> ir.BooleanValue | None:
    """The condition of one `match` over candidate rows (account, platform, text, ...); None if empty."""
    conds: list[ir.BooleanValue] = []
    if match.accounts:
        conds.append(account_in(c.platform, c.account, match.account_forms()))
    if match.hashtags:
        tags = "|".join(re.escape(h.strip().lstrip("#").lower()) for h in match.hashtags)
        conds.append(c.text.lower().re_search(f"#({tags})([^a-z0-9_]|$)"))
    if match.campaign:
        conds.append(c.campaign.strip().lower().isin(sorted({x.strip().lower() for x in match.campaign})))
    if match.text_contains:
        conds.append(_any([c.text.lower().contains(s.lower()) for s in match.text_contains]))
    if match.url_contains:
        conds.append(_any([c.url.lower().contains(s.lower()) for s in match.url_contains]))
    if match.platform:
        conds.append(c.platform.lower().isin(sorted({p.strip().lower() for p in match.platform})))
    if not conds:
        return None
    out = conds[0]
    for cond in conds[1:]:
        out = out & cond
    return out


def tactic_condition(c: ir.Table, tactic: Tactic) -> ir.BooleanValue | None:
    """A tactic's match rules bounded by its period, or None when it has no usable match."""
    cond = match_condition(c, tactic.match) if tactic.match is not None else None
    if cond is None:
        return None
    if tactic.period is not None and tactic.period.start is not None:
        cond = cond & (c.created_at >= ibis.timestamp(dt.datetime.combine(tactic.period.start, dt.time())))
    if tactic.period is not None and tactic.period.end is not None:
        end = dt.datetime.combine(tactic.period.end + dt.timedelta(days=1), dt.time())
        cond = cond & (c.created_at < ibis.timestamp(end))
    return cond.fill_null(False)


CONTENT_FIELDS = ("hashtags", "campaign", "text_contains", "url_contains")


def _owned_candidates(messages: ir.Table, plan: Plan | None = None, *, content: bool = True) -> ir.Table:
    cols = ("message_id", "platform", "created_at", "text", "url", "campaign")
    owned = messages.filter(messages.owned).select(*cols, account=handle(messages.account, messages.platform),
                                                   addressed=ibis.literal(False))
    gate = content_gate(owned, plan) if content and plan is not None else None
    if gate is None:
        return owned
    # As for the inbound pairs: text, url and campaign are read only where a content-reading tactic could
    # match (`content_gate`); elsewhere they are null, and every such tactic is false there whatever they hold.
    blank = {c: ibis.null("string") for c in ("text", "url", "campaign")}
    return union_all(owned.filter(gate), owned.filter(~gate).mutate(**blank))


def _addressed_candidates(messages: ir.Table, inbound: ir.Table, plan: Plan | None, *,
                          content: bool) -> ir.Table:
    cols = ("message_id", "platform", "created_at", "text", "url", "campaign")
    pairs = inbound.select("message_id", "platform", "created_at", "account")
    blank = {c: ibis.null("string") for c in ("text", "url", "campaign")}
    gate = content_gate(pairs, plan) if content and plan is not None else None
    if not content or gate is None:
        if content:  # some tactic reads content on every pair: every pair gets its message's text
            m = messages.select(*cols)
            return inbound.select("message_id", "account").join(m, "message_id").select(
                *cols, "account", addressed=ibis.literal(True))
        return pairs.select(*cols[:3], **blank, account=pairs.account, addressed=ibis.literal(True))
    # Only the pairs some content-reading tactic could still match (its other fields and its period hold)
    # are joined with `messages` for their text, url and campaign; on the others every such tactic's
    # condition is false whatever the text, and no other tactic reads it.
    m = messages.select("message_id", "text", "url", "campaign")
    need = pairs.filter(gate)
    read = need.join(m, "message_id").select(*cols, "account", addressed=ibis.literal(True))
    rest = pairs.filter(~gate).select(*cols[:3], **blank, account=pairs.account, addressed=ibis.literal(True))
    return union_all(read, rest)


def content_gate(c: ir.Table, plan: Plan) -> ir.BooleanValue | None:
    """True on the candidate rows (account, platform, created_at) where some tactic whose match reads text,
    url or campaign could match: its other fields and its period hold there. None when one such tactic has
    no other field (it may match any row)."""
    conds = []
    for tactic in plan.tactics:
        if tactic.match is None or not any(getattr(tactic.match, f) for f in CONTENT_FIELDS):
            continue
        rest = tactic.match.model_copy(update={f: [] for f in CONTENT_FIELDS})
        cond = tactic_condition(c, tactic.model_copy(update={"match": rest}))
        if cond is None:
            return None
        conds.append(cond)
    return _any(conds) if conds else None


def candidates(messages: ir.Table, inbound: ir.Table, *, content: bool = True,
               plan: Plan | None = None) -> ir.Table:
    """Owned messages under their author, and inbound messages under each owned account they address.
    Without `content` (no tactic matches text, hashtags, urls or campaigns) the inbound candidates come from the
    pairs alone (they carry the message's platform and time), not joined with `messages` for columns no rule
    reads; text, url and campaign are then null. With `plan`, only the pairs a content-reading tactic could
    match are joined (`content_gate`); the others have null text, url and campaign."""
    return union_all(_owned_candidates(messages, plan, content=content),
                     _addressed_candidates(messages, inbound, plan, content=content))


def reads_content(plan: Plan) -> bool:
    """Whether any tactic's match reads a message's text, url or campaign (not only account, platform, time)."""
    return any(t.match is not None and any(getattr(t.match, f) for f in CONTENT_FIELDS) for t in plan.tactics)


def _labels(c: ir.Table, plan: Plan) -> ir.Table | None:
    labels = []
    for tactic in plan.tactics:
        cond = tactic_condition(c, tactic)
        if cond is not None:
            labels.append(ibis.ifelse(cond, ibis.literal(tactic.id), ibis.null("string")))
    if not labels:
        return None
    tactics = ibis.array(labels).filter(lambda x: x.notnull())
    return c.select("message_id", "account", "addressed", tactic_id=tactics).unnest("tactic_id")


def labelled(messages: ir.Table, inbound: ir.Table, plan: Plan | None) -> ir.Table | None:
    """(message_id, account, addressed, tactic_id) for every candidate a tactic matches, in one pass."""
    if plan is None:
        return None
    return _labels(candidates(messages, inbound, content=reads_content(plan), plan=plan), plan)


def labelled_parts(messages: ir.Table, inbound: ir.Table,
                   plan: Plan | None) -> tuple[ir.Table, ir.Table] | None:
    """`labelled` in its two halves, (owned, addressed): the rows of owned messages under their author, and
    those of the inbound pairs under the account they address; None when no tactic can match anything."""
    if plan is None:
        return None
    content = reads_content(plan)
    owned = _labels(_owned_candidates(messages, plan, content=content), plan)
    addressed = _labels(_addressed_candidates(messages, inbound, plan, content=content), plan)
    return None if owned is None or addressed is None else (owned, addressed)


def attribution(messages: ir.Table, inbound: ir.Table, plan: Plan | None) -> ir.Table | None:
    """(message_id, tactic_id) rows, distinct; None when no tactic can match anything."""
    rows = labelled(messages, inbound, plan)
    return None if rows is None else rows.select("message_id", "tactic_id").distinct()


def inbound_attribution(messages: ir.Table, inbound: ir.Table, plan: Plan | None) -> ir.Table | None:
    """(message_id, account, tactic_id) of inbound pairs: the tactics of the account each pair addresses."""
    rows = labelled(messages, inbound, plan)
    if rows is None:
        return None
    return rows.filter(rows.addressed).select("message_id", "account", "tactic_id").distinct()


def exclusive(a: Tactic, b: Tactic) -> bool:
    """True when no candidate can match both tactics: their matches name disjoint accounts, or disjoint
    platforms (each field of a match must hold)."""
    if a.match is None or b.match is None:
        return True
    if a.match.accounts and b.match.accounts:  # disjoint on every platform: off the fediverse and on it
        (a_off, a_on), (b_off, b_on) = a.match.account_forms(), b.match.account_forms()
        if not a_off & b_off and not a_on & b_on:
            return True
    platforms = ({p.strip().lower() for p in a.match.platform}, {p.strip().lower() for p in b.match.platform})
    return bool(platforms[0] and platforms[1] and not platforms[0] & platforms[1])


def pair_labels(inbound: ir.Table, tactics: list[Tactic]) -> ir.Table | None:
    """(message_id, account, tactic_id) of the inbound pairs `tactics` label, from the pairs alone (the tactics
    read no text, url nor campaign). Each group of tactics no pair can match two of (`exclusive`) is one CASE:
    cheap enough for a view read by every measurement by tactic, unlike an array of every tactic's label per
    pair, unnested (`labelled`). None when no tactic has a usable match."""
    c = inbound.select("message_id", "platform", "created_at", "account")
    groups: list[list[tuple[ir.BooleanValue, str]]] = []
    members: list[list[Tactic]] = []
    for tactic in tactics:
        cond = tactic_condition(c, tactic)
        if cond is None:
            continue
        for i, tactics_of in enumerate(members):
            if all(exclusive(tactic, other) for other in tactics_of):
                tactics_of.append(tactic)
                groups[i].append((cond, tactic.id))
                break
        else:
            members.append([tactic])
            groups.append([(cond, tactic.id)])
    parts = []
    for group in groups:
        labelled_rows = c.select("message_id", "account", tactic_id=ibis.cases(*group, else_=ibis.null("string")))
        parts.append(labelled_rows.filter(labelled_rows.tactic_id.notnull()))
    return union_all(*parts) if parts else None


def pairs_labelled(messages: ir.Table, inbound: ir.Table, plan: Plan) -> ir.IntegerScalar | None:
    """The number of inbound pairs some tactic of `plan` labels, without building the labels (a condition
    per pair, no array); None when a tactic reading content could match any pair (`content_gate`): every
    pair would then be joined with its message's text only to count."""
    content = reads_content(plan)
    if content and content_gate(inbound, plan) is None:
        return None
    c = _addressed_candidates(messages, inbound, plan, content=content)
    conds = [cond for t in plan.tactics if (cond := tactic_condition(c, t)) is not None]
    return c.count(where=_any(conds)) if conds else ibis.literal(0)


def pairs_matchable(inbound: ir.Table, plan: Plan) -> ir.IntegerScalar | None:
    """The number of inbound pairs where some tactic of `plan` could match, its text, url and campaign rules
    left out: an upper bound of `pairs_labelled` from the pairs alone, no message's text read. None when a
    tactic has only such rules (it may match any pair)."""
    c = inbound.select("account", "platform", "created_at")
    conds = []
    for tactic in plan.tactics:
        if tactic.match is None or not any(getattr(tactic.match, f) for f in (*CONTENT_FIELDS, "accounts",
                                                                             "platform")):
            continue  # no usable match: it labels nothing
        rest = tactic.match.model_copy(update={f: [] for f in CONTENT_FIELDS})
        cond = tactic_condition(c, tactic.model_copy(update={"match": rest}))
        if cond is None:
            return None
        conds.append(cond)
    return c.count(where=_any(conds)) if conds else ibis.literal(0)
