"""The posts table: owned posts of a scope (all, an objective's tactics, a tactic, an account), sorted and
paginated in SQL over the warehouse snapshot (ORDER BY/LIMIT/OFFSET: a page never reads every post into Python),
with the "unusually well outside any tactic" rule.

A post is an owned message that is not a reply (metrics.md `posts`, the derived `owned_messages.is_post`);
engagement rate is its engagements / impressions (null without both); replies received are the messages
of accounts the plan does not own that reply to it, or the platform's own count of them (`comments`, e.g. X
analytics' "replies") where that is larger: an export of figures holds no reply messages, and its posts all
read 0 replies without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from strategyfirst.handles import account_is_sql
from strategyfirst.plan import handle_forms, normalise_handle

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# The column a `sort` name orders by (each a column of the page's inner query).
SORTS = {"date": "created_at", "platform": "platform", "account": "account", "impressions": "impressions",
         "reach": "reach", "engagements": "engagements", "engagement_rate": "engagement_rate",
         "replies": "replies"}
COLUMNS = ("date", "platform", "account", "text", "impressions", "reach", "engagements", "engagement_rate",
           "replies", "permalink")
UNUSUAL_QUANTILE = 0.9
UNUSUAL_RULE = ("posts attributed to no tactic whose engagement rate (engagements / impressions) is above the "
                "90th percentile of the engagement rates of the posts attributed to a tactic on the same "
                "platform")

Query = Callable[[str, list[Any]], list[dict[str, Any]]]


@dataclass(frozen=True)
class Scope:
    """Which posts: all, those attributed to any of `tactics`, one account, one platform, posted between `since`
    and `until`; `outside` keeps the posts no tactic claims, `unusual` those of them that did unusually well
    (UNUSUAL_RULE, its percentile over every attributed post, whatever the dates)."""

    tactics: tuple[str, ...] | None = None
    platform: str | None = None
    account: str | None = None
    outside: bool = False
    unusual: bool = False
    since: dt.date | None = None  # posted on or after this day (UTC)
    until: dt.date | None = None  # posted on or before this day (UTC)
    replies: bool = False  # the scope's replies (owned messages that answer another) instead of its posts

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = ["NOT o.is_post" if self.replies else "o.is_post"]
        params: list[Any] = []
        if self.tactics is not None:
            marks = ", ".join("?" for _ in self.tactics) or "NULL"
            clauses.append(f"o.message_id IN (SELECT message_id FROM attribution WHERE tactic_id IN ({marks}))")
            params.extend(self.tactics)
        if self.platform:
            clauses.append("o.platform = ?")
            params.append(self.platform.strip().lower())
        if self.account:
            forms = ((normalise_handle(self.account, self.platform),) * 2 if self.platform
                     else handle_forms(self.account))
            clause, values = account_is_sql("o.platform", "o.account", forms)
            clauses.append(clause)
            params.extend(values)
        if self.since is not None:
            clauses.append("o.created_at >= ?")
            params.append(dt.datetime.combine(self.since, dt.time()))
        if self.until is not None:
            clauses.append("o.created_at < ?")
            params.append(dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time()))
        if self.outside or self.unusual:
            clauses.append("o.message_id NOT IN (SELECT message_id FROM attribution)")
        return " AND ".join(clauses), params


@dataclass
class PostsPage:
    rows: list[dict[str, Any]]
    total: int
    sort: str
    descending: bool
    page: int
    size: int
    thresholds: dict[str, float] = field(default_factory=dict)  # the unusual rule's p90 per platform

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


_RATE = "CASE WHEN o.impressions > 0 AND o.eng IS NOT NULL THEN o.eng / o.impressions END"
# The p90 of attributed posts' engagement rates per platform (UNUSUAL_RULE).
_P90 = (f"SELECT o.platform, quantile_cont({_RATE}, {UNUSUAL_QUANTILE}) AS p90 FROM owned_messages o "
        "WHERE o.is_post AND o.message_id IN (SELECT message_id FROM attribution) GROUP BY o.platform")


def _base(scope: Scope) -> tuple[str, list[Any]]:
    """The scope's posts with their figures (no text yet): the query a page sorts and cuts."""
    where, params = scope.where()
    unusual = f" JOIN ({_P90}) q ON q.platform = o.platform WHERE {_RATE} > q.p90 AND " if scope.unusual \
        else " WHERE "
    sql = (f"SELECT o.message_id, o.created_at, o.platform, o.name AS account, o.impressions, o.reach, "
           f"o.eng AS engagements, {_RATE} AS engagement_rate, "
           f"greatest(coalesce(r.replies, 0), coalesce(o.comments, 0)) AS replies "
           f"FROM owned_messages o LEFT JOIN (SELECT in_reply_to, count(*) AS replies FROM messages "
           f"WHERE in_reply_to IS NOT NULL AND message_id NOT IN (SELECT message_id FROM owned_messages) "
           f"GROUP BY in_reply_to) r ON r.in_reply_to = o.message_id{unusual}{where}")
    return sql, params


def posts_page(query: Query, scope: Scope, sort: str = "date", descending: bool = True, page: int = 1,
               size: int = PAGE_SIZE) -> PostsPage:
    """One page of the scope's posts, sorted by `sort` (a SORTS name) in SQL; the text and permalink are read
    for the page's rows only."""
    sort = sort if sort in SORTS else "date"
    size = min(max(1, size), MAX_PAGE_SIZE)
    base, params = _base(scope)
    total_rows = query(f"SELECT count(*) AS n FROM ({base})", params)
    total = int(total_rows[0]["n"]) if total_rows else 0
    page = min(max(1, page), max(1, -(-total // size)))
    way = "DESC" if descending else "ASC"
    order = f"{SORTS[sort]} {way} NULLS LAST, message_id"
    outer = f"p.{SORTS[sort]} {way} NULLS LAST, p.message_id"
    rows = query(f"SELECT p.*, m.text, m.url AS permalink, m.time_precision FROM (SELECT * FROM ({base}) "
                 f"ORDER BY {order} LIMIT ? OFFSET ?) p JOIN messages m ON m.message_id = p.message_id "
                 f"ORDER BY {outer}",
                 [*params, size, (page - 1) * size])
    thresholds = ({r["platform"]: float(r["p90"]) for r in query(_P90, []) if r["p90"] is not None}
                  if scope.unusual else {})
    return PostsPage([_shown(r) for r in rows], total, sort, descending, page, size, thresholds)


# The reply time shown only where both times are given to the minute or second: a day-dated message has no
# minutes to count.
_TIMED = "('minute', 'second')"


def latest_replies(query: Query, scope: Scope, size: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """The scope's latest replies (`replies=True` is implied): each with the first line of the message it
    answers and the minutes it took, where that message is in the data and both are timed to the minute (a
    negative gap, a data error, shows none: metrics.md excludes those from the response times too)."""
    where, params = replace(scope, replies=True).where()
    rows = query("SELECT o.message_id, o.created_at, o.platform, o.name AS account, m.text, m.url AS permalink, "
                 "m.time_precision, p.text AS parent_text, CASE WHEN m.time_precision IN " + _TIMED +
                 " AND p.time_precision IN " + _TIMED + " AND o.created_at >= p.created_at "
                 "THEN date_diff('second', p.created_at, o.created_at) / 60.0 END AS minutes "
                 "FROM owned_messages o JOIN messages m ON m.message_id = o.message_id "
                 f"LEFT JOIN messages p ON p.message_id = m.in_reply_to WHERE {where} "
                 "ORDER BY o.created_at DESC NULLS LAST, o.message_id LIMIT ?", [*params, max(1, size)])
    return [{"message_id": r["message_id"], "date": r["created_at"], "platform": r["platform"],
             "time_precision": r.get("time_precision"), "account": r["account"], "text": first_line(r.get("text")),
             "parent": first_line(r.get("parent_text")) or None, "minutes": r["minutes"],
             "permalink": r.get("permalink")} for r in rows]


def all_posts(query: Query, scope: Scope, sort: str = "date", descending: bool = True,
              batch: int = MAX_PAGE_SIZE) -> Iterator[dict[str, Any]]:
    """Every post of the scope (for a CSV download), read a page at a time as the download goes."""
    page = 1
    while True:
        found = posts_page(query, scope, sort, descending, page, batch)
        yield from found.rows
        if page >= found.pages:
            return
        page += 1


def first_line(text: Any) -> str:
    """A post's first non-empty line (the table shows that much; the permalink has the rest)."""
    for line in str(text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def count(value: Any) -> Any:
    """A count as a whole number: the warehouse keeps figures as doubles (22987.0), a CSV and JSON say 22987."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# How much of a post's time its export gives: the page shows that much (the UCI file dates its posts by month).
SHOWN_TIME = {"month": 7, "day": 10}


def shown_time(created_at: Any, precision: str | None) -> str:
    """A post's time as the page shows it (UTC): '2017-10-11 06:55', or '2014-03' for a month-dated post."""
    return str(created_at or "").replace("T", " ")[:SHOWN_TIME.get(precision or "", 16)]


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {"message_id": row["message_id"], "date": row["created_at"], "platform": row["platform"],
            "time_precision": row.get("time_precision"),
            "account": row["account"], "text": first_line(row.get("text")), "impressions": count(row["impressions"]),
            "reach": count(row["reach"]), "engagements": count(row["engagements"]),
            "engagement_rate": row["engagement_rate"],
            "replies": int(row["replies"] or 0), "permalink": row.get("permalink")}
