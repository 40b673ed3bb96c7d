"""Independent reference readers for the real export files: the standard library only, never the product.

Each reader turns one export into `Record`s (one per message the spec says the file holds) or `Snapshot`s
(one per audience row), and `expected` works out every metric of metrics.md from them by key and period,
in the shape `measure` reports (value and n, or numerator and denominator for ratios).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIGURES = ("impressions", "reach", "engagements", "likes", "comments", "shares", "saves", "clicks", "follows",
           "video_views", "watch_minutes")


@dataclass
class Record:
    """One owned (or not) message as the spec says the file gives it."""

    message_id: str
    account: str
    created: dt.datetime | None
    owned: bool = True
    is_post: bool = True           # owned messages that are not replies count as posts
    in_reply_to: str | None = None
    text: str | None = None
    figures: dict[str, float | None] = field(default_factory=dict)

    def fig(self, name: str) -> float | None:
        return self.figures.get(name)


@dataclass
class Snapshot:
    """One row of the audience table: a snapshot and/or the day's gains and losses."""

    date: dt.date
    account: str
    value: float | None = None
    gained: float | None = None
    lost: float | None = None


def num(cell: str | None) -> float | None:
    """An English-formatted export number ("1938.0", "0", "-" or empty = not given)."""
    if cell is None:
        return None
    s = cell.strip()
    if s in ("", "-"):
        return None
    return float(s)


def rows(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> list[list[str]]:
    with path.open(newline="", encoding=encoding) as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def dicts(path: Path, encoding: str = "utf-8", delimiter: str = ",", skip: int = 0) -> list[dict[str, str]]:
    table = rows(path, encoding, delimiter)
    header = [h.lstrip("\ufeff") for h in table[0]]
    return [dict(zip(header, r, strict=False)) for r in table[1 + skip:]]


def merge_lifetime(records: Iterable[Record]) -> list[Record]:
    """The same message in two exports: one message; lifetime figures only grow (keep the larger)."""
    out: dict[str, Record] = {}
    for r in records:
        seen = out.get(r.message_id)
        if seen is None:
            out[r.message_id] = r
            continue
        for name, value in r.figures.items():
            old = seen.figures.get(name)
            seen.figures[name] = value if old is None else old if value is None else max(old, value)
    return list(out.values())


# --- sources ------------------------------------------------------------------------------------------------
def twcs(path: Path) -> list[Record]:
    """Kaggle twcs: owned = not inbound; a reply names its parent in in_response_to_tweet_id, or is listed in
    its parent's response_tweet_id."""
    table = dicts(path)
    listed: dict[str, str] = {}
    for r in table:
        for child in r["response_tweet_id"].split(","):
            if child.strip():
                listed.setdefault(child.strip(), r["tweet_id"])
    out = []
    for r in table:
        parent = r["in_response_to_tweet_id"].strip() or listed.get(r["tweet_id"])
        created = dt.datetime.strptime(r["created_at"], "%a %b %d %H:%M:%S %z %Y")
        out.append(Record("x:" + r["tweet_id"], r["author_id"], created.astimezone(dt.UTC).replace(tzinfo=None),
                          owned=r["inbound"] == "False", is_post=parent is None,
                          in_reply_to="x:" + parent if parent else None, text=html.unescape(r["text"])))
    return out


X_FIGURES = {"impressions": "impressions", "engagements": "engagements", "shares": "retweets",
             "comments": "replies", "likes": "likes", "clicks": "url clicks", "follows": "follows"}


def x_analytics(paths: Sequence[Path]) -> list[Record]:
    """analytics.twitter.com tweet exports: account from the permalink, replies by their leading @."""
    out = []
    for path in paths:
        for r in dicts(path):
            handle = re.search(r"twitter\.com/([A-Za-z0-9_]+)/status", r["Tweet permalink"])
            assert handle
            created = dt.datetime.strptime(r["time"], "%Y-%m-%d %H:%M %z").astimezone(dt.UTC)
            text = html.unescape(r["Tweet text"])  # X writes &, <, > as entities; stored as typed
            out.append(Record("x:" + r["Tweet id"], handle.group(1), created.replace(tzinfo=None),
                              is_post=not text.lstrip().startswith("@"), text=text,
                              figures={k: num(r[v]) for k, v in X_FIGURES.items()}))
    return merge_lifetime(out)


FB_FIGURES = {"reach": "Lifetime Post Total Reach", "impressions": "Lifetime Post Total Impressions",
              "engagements": "Lifetime Engaged Users", "clicks": "Lifetime Post Consumptions",
              "likes": "Lifetime Post Stories by action type - like",
              "comments": "Lifetime Post Stories by action type - comment",
              "shares": "Lifetime Post Stories by action type - share"}
# Breakdown columns are sparse: no cell of them reads 0 in the real exports, a blank is none. Totals write 0.
FB_BREAKDOWNS = ("likes", "comments", "shares")
FB_NAME = re.compile(r"Facebook Insights Data Export(?: \([^)]*\))? - (.+) - \d{4}-\d{2}-\d{2} - \d{4}-\d{2}-\d{2}")


def page_name(path: Path) -> str:
    m = FB_NAME.search(path.name)
    assert m
    return m.group(1)


def facebook_posts(paths: Sequence[Path]) -> list[Record]:
    """Page Insights post-level exports (UTF-8 with BOM); the second row describes the metrics. Video views
    (3 seconds or more) are the organic + paid "Video Views" columns whose description says "(Total Count)"
    (each name appears twice: the other counts unique users). A blank cell of a breakdown column the file has is
    0 where the post gives any total (reach, impressions, engaged users, consumptions), else not given; a
    breakdown column the file lacks (the 2014 export has no "- comment") is not given."""
    out = []
    for path in paths:
        table = rows(path, "utf-8-sig")
        header, described = table[0], table[1]
        views = [i for i, (h, d) in enumerate(zip(header, described, strict=True))
                 if h in ("Lifetime Organic Video Views", "Lifetime Paid Video Views") and d.endswith("(Total Count)")]
        for cells in table[2:]:
            r = dict(zip(header, cells, strict=False))  # repeated names: the last wins, none of them read here
            created = dt.datetime.strptime(r["Posted"].strip(), "%m/%d/%Y %I:%M:%S %p")
            figures = {k: num(r.get(v)) for k, v in FB_FIGURES.items()}
            has_totals = any(figures[k] is not None for k in ("reach", "impressions", "engagements", "clicks"))
            for k in FB_BREAKDOWNS:
                if FB_FIGURES[k] in header and figures[k] is None and has_totals:
                    figures[k] = 0.0
            given = [num(cells[i]) for i in views if num(cells[i]) is not None]
            figures["video_views"] = math.fsum(given) if given else None
            out.append(Record("facebook:" + r["Post ID"], page_name(path), created, text=r["Post Message"],
                              figures=figures))
    return merge_lifetime(out)


def facebook_page(path: Path) -> list[Snapshot]:
    """Page Insights page-level daily export (cp1252): page_likes snapshot, new likes, unlikes."""
    out = []
    for r in dicts(path, encoding="cp1252", skip=1):
        day = dt.datetime.strptime(r["Date"], "%m/%d/%Y").date()
        out.append(Snapshot(day, page_name(path), num(r["Lifetime Total Likes"]), num(r["Daily New Likes"]),
                            num(r["Daily Unlikes"])))
    return out


UCI_FIGURES = {"reach": "Lifetime Post Total Reach", "impressions": "Lifetime Post Total Impressions",
               "engagements": "Lifetime Engaged Users", "clicks": "Lifetime Post Consumptions",
               "likes": "like", "comments": "comment", "shares": "share"}


def uci(path: Path, account: str, year: int = 2014) -> tuple[list[Record], list[Snapshot]]:
    """UCI Facebook metrics (';'): one post per line, dated to its month; page likes as the posts saw them:
    the month's lowest (its first post) on the 1st and, where the month has more posts, its highest (its last
    post) on the month's last day."""
    out, likes = [], {}
    for i, r in enumerate(dicts(path, delimiter=";")):
        month = int(r["Post Month"])
        out.append(Record(f"uci:{i}", account, dt.datetime(year, month, 1),
                          figures={k: num(r[v]) for k, v in UCI_FIGURES.items()}))
        page = num(r["Page total likes"])
        if page is not None:
            likes.setdefault(month, []).append(page)
    snaps = []
    for m, values in likes.items():
        snaps.append(Snapshot(dt.date(year, m, 1), account, min(values)))
        if len(values) > 1:
            next_first = dt.date(year + m // 12, m % 12 + 1, 1)
            snaps.append(Snapshot(next_first - dt.timedelta(days=1), account, max(values)))
    return out, snaps


def youtube_table(path: Path, account: str) -> list[Record]:
    """YouTube Studio `Table data.csv`: one video per line after the channel's `Total` line."""
    out = []
    for r in dicts(path):
        if r["Content"].strip().lower() == "total":
            continue
        hours = num(r["Watch time (hours)"])
        out.append(Record("youtube:" + r["Content"].strip(), account,
                          dt.datetime.strptime(r["Video publish time"], "%b %d, %Y"), text=r["Video title"],
                          figures={"video_views": num(r["Views"]), "follows": num(r["Subscribers"]),
                                   "impressions": num(r["Impressions"]),
                                   "watch_minutes": None if hours is None else hours * 60}))
    return out


def youtube_chart(path: Path) -> dict[tuple[str, dt.date], float]:
    """YouTube Studio `Chart data.csv`: views per (video, day)."""
    out = {}
    for r in dicts(path):
        out[("youtube:" + r["Content"].strip(), dt.date.fromisoformat(r["Date"]))] = float(r["Views"])
    return out


def youtube_chart_videos(path: Path, account: str) -> list[Record]:
    """The videos `Chart data.csv` names (title and publish day), without figures."""
    out: dict[str, Record] = {}
    for r in dicts(path):
        out.setdefault("youtube:" + r["Content"].strip(), Record(
            "youtube:" + r["Content"].strip(), account, dt.datetime.strptime(r["Video publish time"], "%b %d, %Y"),
            text=r["Video title"]))
    return list(out.values())


def youtube_totals(path: Path) -> dict[dt.date, float]:
    """YouTube Studio `Totals.csv` (re-saved: DD-MM-YYYY, CRLF): channel views per day."""
    return {dt.datetime.strptime(r["Date"], "%d-%m-%Y").date(): float(r["Views"]) for r in dicts(path)}


def mastodon_outbox(path: Path) -> list[Record]:
    """Mastodon outbox.json: Create = post or reply (inReplyTo), Announce = share; account user@instance."""
    items = json.loads(path.read_text(encoding="utf-8"))["orderedItems"]  # json keeps the last repeated key
    out = []
    for item in items:
        m = re.match(r"^https?://([^/]+)/users/([^/]+)", item["actor"])
        assert m
        account = f"{m.group(2)}@{m.group(1)}"
        published = dt.datetime.fromisoformat(item["published"].replace("Z", "+00:00"))
        created = published.astimezone(dt.UTC).replace(tzinfo=None)
        if item["type"] == "Create":
            obj = item["object"]
            parent = obj.get("inReplyTo")
            out.append(Record("mastodon:" + obj["id"], account, created, is_post=parent is None,
                              in_reply_to="mastodon:" + parent if parent else None))
        else:
            out.append(Record("mastodon:" + re.sub(r"/activity$", "", item["id"]), account, created))
    return out


# --- metrics ------------------------------------------------------------------------------------------------
ALL = "all"
Key = tuple[str, str]  # (key, period label)


def bucket(when: dt.datetime | dt.date | None, period: str) -> str | None:
    if period == "all":
        return "all"
    if when is None:
        return None
    assert period == "month"
    return f"{when.year:04d}-{when.month:02d}"


def groups(items: Iterable[Any], by: str, period: str, when: Callable[[Any], Any],
           account: Callable[[Any], str]) -> dict[Key, list[Any]]:
    out: dict[Key, list[Any]] = {}
    for item in items:
        label = bucket(when(item), period)
        if label is None:
            continue
        key = ALL if by == "none" else account(item)
        out.setdefault((key, label), []).append(item)
    return out


def engagements(r: Record) -> float | None:
    """metrics.md: Σ engagements; where a source gives no total, likes + comments + shares + clicks."""
    if r.fig("engagements") is not None:
        return r.fig("engagements")
    parts = [r.fig(p) for p in ("likes", "comments", "shares", "clicks")]
    given = [p for p in parts if p is not None]
    return sum(given) if given else None


SUMS: dict[str, Callable[[Record], float | None]] = {
    "impressions": lambda r: r.fig("impressions"), "reach": lambda r: r.fig("reach"),
    "engagements": engagements, "likes": lambda r: r.fig("likes"), "comments": lambda r: r.fig("comments"),
    "shares": lambda r: r.fig("shares"), "saves": lambda r: r.fig("saves"),
    "video_views": lambda r: r.fig("video_views"), "watch_minutes": lambda r: r.fig("watch_minutes"),
    "follows_from_posts": lambda r: r.fig("follows"),
}
RATIOS: dict[str, tuple[Callable[[Record], float | None], Callable[[Record], float | None]]] = {
    "engagement_rate": (engagements, lambda r: r.fig("impressions")),
    "engagement_rate_by_reach": (engagements, lambda r: r.fig("reach")),
    "click_through_rate": (lambda r: r.fig("clicks"), lambda r: r.fig("impressions")),
    "amplification_rate": (lambda r: r.fig("shares"), lambda r: r.fig("impressions")),
}


@dataclass(frozen=True)
class Expect:
    """What `measure` must report for one (metric, key, period): value and n, or numerator/denominator."""

    value: float | None
    n: float | None = None
    numerator: float | None = None
    denominator: float | None = None


def owned_metric(records: Sequence[Record], metric: str, by: str, period: str) -> dict[Key, Expect]:
    """posts, the Σ metrics and the ratio metrics over owned messages."""
    owned = [r for r in records if r.owned]
    out: dict[Key, Expect] = {}
    for key, group in groups(owned, by, period, lambda r: r.created, lambda r: r.account).items():
        if metric == "posts":
            out[key] = Expect(float(sum(r.is_post for r in group)), float(len(group)))
        elif metric in SUMS:
            values = [v for v in map(SUMS[metric], group) if v is not None]
            out[key] = Expect(math.fsum(values) if values else None, float(len(values)))
        else:  # metrics.md: Σ / Σ over the "owned messages that carry these fields" (both of them)
            top, bottom = RATIOS[metric]
            both = [(top(r), bottom(r)) for r in group if top(r) is not None and bottom(r) is not None]
            num_ = math.fsum(a for a, _ in both)
            den = math.fsum(b for _, b in both)
            out[key] = Expect(num_ / den if both and den else None, numerator=num_ if both else None,
                              denominator=den if both else None)
    return out


def _delta(s: Snapshot) -> float:
    return (s.gained or 0) - (s.lost or 0)


def _has_delta(s: Snapshot) -> bool:
    return s.gained is not None or s.lost is not None


def _start_by_deltas(history: list[Snapshot], first_day: dt.date) -> float | None:
    """The size at the start of `first_day` from the series' deltas: the last snapshot before that day plus the
    deltas after it and before the day; else the first snapshot on or after the day less the deltas from the
    day to it (not where the deltas before it exceed it: a size below 0 before them)."""
    before = [s for s in history if s.date < first_day and s.value is not None]
    if before:
        prev = before[-1]
        return prev.value + math.fsum(_delta(s) for s in history  # type: ignore[operator]
                                      if prev.date < s.date < first_day)
    after = [s for s in history if s.date >= first_day and s.value is not None]
    if not after:
        return None
    nxt = after[0]
    if nxt.value - math.fsum(_delta(s) for s in history if s.date <= nxt.date) < 0:  # type: ignore[operator]
        return None
    return nxt.value - math.fsum(_delta(s) for s in history  # type: ignore[operator]
                                 if first_day <= s.date <= nxt.date)


def _change(history: list[Snapshot], s: Snapshot) -> float | None:
    """A day's part of audience_growth: its deltas where given; else a snapshot less the size before it (the
    last snapshot before plus the deltas since; after deltas and no snapshot, the size before them is taken
    as 0 or more); none for a first snapshot with nothing before it."""
    if _has_delta(s):
        return _delta(s)
    if s.value is None:
        return None
    before = [h for h in history if h.date < s.date]
    snapshots = [h for h in before if h.value is not None]
    if snapshots:
        prev = snapshots[-1]
        return s.value - (prev.value + math.fsum(_delta(h) for h in before  # type: ignore[operator]
                                                 if h.date > prev.date))
    if any(_has_delta(h) for h in before):
        return min(s.value - math.fsum(_delta(h) for h in before), 0.0)
    return None


def audience_metric(snaps: Sequence[Snapshot], metric: str, by: str, period: str) -> dict[Key, Expect]:
    """audience_size (last snapshot per account, summed), audience_gained/lost (Σ), audience_growth (Σ of the
    days' `_change`: deltas where given, a snapshot of a day without them less the size before it; for
    snapshots only, the last snapshot in the period less the last one before the period, the first in the
    period where none is before; one snapshot alone: none), audience_growth_rate (Σ growth / Σ size at the
    period's start over series with both and a start above 0, `_start_by_deltas`)."""
    whole: dict[str, list[Snapshot]] = {}
    for s in snaps:
        whole.setdefault(s.account, []).append(s)
    for history in whole.values():
        history.sort(key=lambda s: s.date)
    out: dict[Key, Expect] = {}
    for key, group in groups(snaps, by, period, lambda s: s.date, lambda s: s.account).items():
        per_account: dict[str, list[Snapshot]] = {}
        for s in group:
            per_account.setdefault(s.account, []).append(s)
        values: list[float] = []
        rate: list[tuple[float, float]] = []  # audience_growth_rate: (growth, start) of series with both
        for account, series in per_account.items():
            series.sort(key=lambda s: s.date)
            snapshots = [s for s in series if s.value is not None]
            if metric == "audience_size" and snapshots:
                values.append(snapshots[-1].value)  # type: ignore[arg-type]
            elif metric == "audience_gained":
                values += [s.gained for s in series if s.gained is not None]
            elif metric == "audience_lost":
                values += [s.lost for s in series if s.lost is not None]
            elif metric in ("audience_growth", "audience_growth_rate"):
                changes = [c for c in (_change(whole[account], s) for s in series) if c is not None]
                growth = math.fsum(changes) if changes else None
                start = _start_by_deltas(whole[account], series[0].date)
                if growth is not None:
                    values.append(growth)
                    if start is not None and start > 0:
                        rate.append((growth, start))
        if metric == "audience_growth_rate":
            num_, den = math.fsum(g for g, _ in rate), math.fsum(f for _, f in rate)
            out[key] = Expect(num_ / den if den else None, numerator=num_, denominator=den) if rate else Expect(None)
            continue
        out[key] = Expect(math.fsum(values) if values else None)
    return out


MENTION = re.compile(r"(?:^|[^a-z0-9_@.])@([a-z0-9_]+)")


def inbound_pairs(records: Sequence[Record]) -> list[tuple[Record, str, bool]]:
    """metrics.md: (inbound message, owned account it addresses, answered by that account): a non-owned
    message that replies to a message of A, is replied to by A, or mentions @A."""
    by_id = {r.message_id: r for r in records}
    owned = [r for r in records if r.owned]
    handles = {r.account.lower(): r.account for r in owned}
    replied: dict[str, set[str]] = {}
    for r in owned:
        if r.in_reply_to:
            replied.setdefault(r.in_reply_to, set()).add(r.account)
    out = []
    for m in records:
        if m.owned:
            continue
        accounts = set(replied.get(m.message_id, set()))
        parent = by_id.get(m.in_reply_to or "")
        if parent is not None and parent.owned:
            accounts.add(parent.account)
        for token in MENTION.findall((m.text or "").lower()):
            if token in handles:
                accounts.add(handles[token])
        out += [(m, a, a in replied.get(m.message_id, set())) for a in sorted(accounts)]
    return out


def dialogue_metric(records: Sequence[Record], metric: str, by: str, period: str) -> dict[Key, Expect]:
    """inbound_messages, response_rate and dialogue_ratio."""
    out: dict[Key, Expect] = {}
    if metric == "dialogue_ratio":
        ids = {r.message_id: r for r in records}
        owned = [r for r in records if r.owned]
        for key, group in groups(owned, by, period, lambda r: r.created, lambda r: r.account).items():
            to_audience = sum(1 for r in group if not r.is_post and (
                r.in_reply_to not in ids or not ids[r.in_reply_to].owned))
            out[key] = Expect(to_audience / len(group), numerator=float(to_audience), denominator=float(len(group)))
        return out
    pairs = inbound_pairs(records)
    for key, group in groups(pairs, by, period, lambda p: p[0].created, lambda p: p[1]).items():
        if metric == "inbound_messages":
            out[key] = Expect(float(len(group)), float(len(group)))
        else:
            answered = sum(1 for p in group if p[2])
            out[key] = Expect(answered / len(group), numerator=float(answered), denominator=float(len(group)))
    return out
