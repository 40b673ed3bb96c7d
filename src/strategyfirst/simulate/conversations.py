"""Care-desk conversations on X, drawn with NumPy in chunks of conversations (no loop over messages).

A conversation starts with a customer tweet mentioning a desk, at a time drawn from the hour-of-week inbound
profile. Each customer message is answered with the desk's probability (lower at short-staffed hours) after a
lognormal lag; after a reply the customer may follow up, after silence they may nudge; another customer may
add a "me too"; a desk sometimes answers in two tweets. Messages after the export date are cut off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from strategyfirst.simulate import org
from strategyfirst.simulate.texts import build_catalogue

CATALOGUE, TEMPLATE_INDEX = build_catalogue({d.handle: d.initials for d in org.DESKS})
SEQ_STRIDE = 64        # key = conversation * SEQ_STRIDE + seq; seqs stay below 40
SEQ_ME_TOO = 5         # its replies take seqs 6 and 7


@dataclass
class Chunk:
    """Messages of a block of conversations, sorted by (conversation, seq); ids are not yet assigned."""

    conv: np.ndarray        # int64 conversation number (global)
    seq: np.ndarray         # int64 position code inside the conversation
    t: np.ndarray           # int64 epoch seconds
    brand: np.ndarray       # bool: written by the desk
    desk: np.ndarray        # int64 index into org.DESKS
    author: np.ndarray      # int64 customer id (desk messages: -1)
    mention: np.ndarray     # int64 customer id mentioned first (desk replies, me-toos), else -1
    me_too: np.ndarray      # bool
    tpl: np.ndarray         # int64 index into CATALOGUE
    parent: np.ndarray      # int64 row of the parent in this chunk, -1 for roots

    def __len__(self) -> int:
        return len(self.t)


def _lognormal_seconds(rng: np.random.Generator, median_min: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    lag = np.exp(np.log(median_min * 60.0) + sigma * rng.standard_normal(len(median_min)))
    return np.maximum(lag, 20.0).astype(np.int64)


def _pick(rng: np.random.Generator, desk: np.ndarray, kind: str) -> np.ndarray:
    out = np.empty(len(desk), dtype=np.int64)
    for j, d in enumerate(org.DESKS):
        mask = desk == j
        choices = TEMPLATE_INDEX[d.handle][kind]
        out[mask] = choices[rng.integers(0, len(choices), int(mask.sum()))]
    return out


def start_times(rng: np.random.Generator, n: int) -> np.ndarray:
    """Conversation starts over the data window, following the hour-of-week inbound profile."""
    n_hours = (org.END_S - org.START_S) // 3600
    hour_starts = org.START_S + 3600 * np.arange(n_hours, dtype=np.int64)
    weights = org.INBOUND_PROFILE[org.hour_of_week(hour_starts)]
    hour = rng.choice(n_hours, size=n, p=weights / weights.sum())
    return hour_starts[hour] + rng.integers(0, 3600, n)


_SHORT = np.zeros(168, dtype=bool)
_SHORT[list(org.SHORT_HOURS)] = True


def generate_chunk(rng: np.random.Generator, n_conv: int, conv_base: int, n_customers: int) -> Chunk:
    """`n_conv` conversations numbered from `conv_base`."""
    p_norm = np.array([d.p_answer for d in org.DESKS])
    p_short = np.array([d.p_answer_short for d in org.DESKS])
    med_norm = np.array([d.median_minutes for d in org.DESKS])
    med_short = np.array([d.median_minutes_short for d in org.DESKS])
    sigma = np.array([d.sigma for d in org.DESKS])
    positive = np.array([d.follow_up_positive for d in org.DESKS])

    desk = rng.choice(len(org.DESKS), size=n_conv, p=np.array([d.share for d in org.DESKS]))
    customer = 100_000 + rng.integers(0, n_customers, n_conv)
    parts: list[dict[str, np.ndarray]] = []

    def emit(conv: np.ndarray, seq: int | np.ndarray, t: np.ndarray, brand: bool, author: np.ndarray,
             mention: np.ndarray, tpl: np.ndarray, parent_seq: int | np.ndarray,
             me_too: bool = False) -> None:
        n = len(conv)
        parts.append({"conv": conv, "seq": np.broadcast_to(np.asarray(seq, dtype=np.int64), n),
                      "t": t, "brand": np.full(n, brand), "desk": desk[conv], "author": author,
                      "mention": mention, "me_too": np.full(n, me_too), "tpl": tpl,
                      "parent_seq": np.broadcast_to(np.asarray(parent_seq, dtype=np.int64), n)})

    def answer(conv: np.ndarray, t: np.ndarray, seq: int, to: np.ndarray,
               thanked: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Desk replies to messages (conv, t) at `seq`; returns (answered mask, reply time)."""
        d = desk[conv]
        tpl = _pick(rng, d, "reply")
        if thanked is not None:
            tpl = np.where(thanked, _pick(rng, d, "reply_thanks"), tpl)
        short = _SHORT[org.hour_of_week(t)]
        answered = rng.random(len(conv)) < np.where(short, p_short[d], p_norm[d])
        reply_t = t + _lognormal_seconds(rng, np.where(short, med_short[d], med_norm[d]), sigma[d])
        a = answered
        none = np.full(int(a.sum()), -1, dtype=np.int64)
        emit(conv[a], seq + 1, reply_t[a], True, none, to[a], tpl[a], seq)
        two = a & (rng.random(len(conv)) < org.P_SECOND_PART)
        emit(conv[two], seq + 2, reply_t[two] + rng.integers(20, 180, int(two.sum())), True,
             np.full(int(two.sum()), -1, dtype=np.int64), to[two], tpl[two], seq)
        return answered, reply_t

    conv = np.arange(n_conv, dtype=np.int64)
    t = start_times(rng, n_conv)
    no_mention = np.full(n_conv, -1, dtype=np.int64)
    emit(conv, 0, t, False, customer, no_mention, _pick(rng, desk, "first"), -1)
    answered, reply_t = answer(conv, t, 0, customer)

    # "me too" from another customer, replying to the first message (and mentioning its author and the desk)
    mt = rng.random(n_conv) < org.P_ME_TOO
    c_mt = conv[mt]
    other = 100_000 + rng.integers(0, n_customers, len(c_mt))
    t_mt = t[mt] + _lognormal_seconds(rng, np.full(len(c_mt), org.ME_TOO_LAG_MIN), np.full(len(c_mt), 1.0))
    emit(c_mt, SEQ_ME_TOO, t_mt, False, other, customer[mt], _pick(rng, desk[mt], "me_too"), 0, me_too=True)
    answer(c_mt, t_mt, SEQ_ME_TOO, other)

    for k in range(1, org.MAX_TURNS):
        goes_on = np.where(answered, rng.random(len(conv)) < org.P_FOLLOW_UP,
                           rng.random(len(conv)) < org.P_NUDGE)
        conv, answered, t, reply_t = conv[goes_on], answered[goes_on], t[goes_on], reply_t[goes_on]
        d = desk[conv]
        lag = _lognormal_seconds(rng, np.where(answered, org.CUSTOMER_LAG_MIN, org.NUDGE_LAG_MIN),
                                 np.ones(len(conv)))
        t = np.where(answered, reply_t, t) + lag
        happy = rng.random(len(conv)) < positive[d]
        tpl = np.where(answered, np.where(happy, _pick(rng, d, "follow_pos"), _pick(rng, d, "follow_neg")),
                       _pick(rng, d, "nudge"))
        prev = 10 * (k - 1)
        emit(conv, 10 * k, t, False, customer[conv], np.full(len(conv), -1, dtype=np.int64), tpl,
             np.where(answered, prev + 1, prev))
        answered, reply_t = answer(conv, t, 10 * k, customer[conv], thanked=answered & happy)

    return _assemble(parts, conv_base)


def _assemble(parts: list[dict[str, np.ndarray]], conv_base: int) -> Chunk:
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    keep = cols["t"] < org.END_S
    cols = {k: v[keep] for k, v in cols.items()}
    key = cols["conv"] * SEQ_STRIDE + cols["seq"]
    order = np.argsort(key, kind="stable")
    cols = {k: v[order] for k, v in cols.items()}
    key = key[order]
    has_parent = cols["parent_seq"] >= 0
    parent = np.full(len(key), -1, dtype=np.int64)
    parent[has_parent] = np.searchsorted(key, cols["conv"][has_parent] * SEQ_STRIDE
                                         + cols["parent_seq"][has_parent])
    return Chunk(conv=cols["conv"] + conv_base, seq=cols["seq"], t=cols["t"], brand=cols["brand"],
                 desk=cols["desk"], author=cols["author"], mention=cols["mention"], me_too=cols["me_too"],
                 tpl=cols["tpl"], parent=parent)


def first_conversations(chunk: Chunk, limit: int) -> Chunk:
    """The leading conversations of a chunk holding at most `limit` messages."""
    starts = np.flatnonzero(np.r_[True, chunk.conv[1:] != chunk.conv[:-1]])
    ends = np.r_[starts[1:], len(chunk)]
    n_keep = int(np.searchsorted(ends, limit, side="right"))
    rows = int(ends[n_keep - 1]) if n_keep else 0
    sl = slice(0, rows)
    parent = chunk.parent[sl]
    return Chunk(chunk.conv[sl], chunk.seq[sl], chunk.t[sl], chunk.brand[sl], chunk.desk[sl],
                 chunk.author[sl], chunk.mention[sl], chunk.me_too[sl], chunk.tpl[sl], parent)
