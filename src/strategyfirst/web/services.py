"""The library calls behind the routes, returning the CLI's JSON; results are cached per workspace, plan version
and data version (the snapshot the server reads, see web/served.py) with the request's parameters, so an import
from the server or from the CLI in another process, and a plan edit, start a fresh computation. Concurrent
requests for one missing result wait for the one computation of it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from strategyfirst.dates import end_of
from strategyfirst.errors import PlanError, UsageError
from strategyfirst.handles import account_is_sql
from strategyfirst.plan import handle_forms, normalise_handle
from strategyfirst.web.served import ServedWorkspace
from strategyfirst.workspace import Workspace

T = TypeVar("T")
_lock = threading.Lock()
_cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_pending: dict[tuple[Any, ...], threading.Event] = {}
_CACHE_SIZE = 256


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def stamp(ws: Workspace) -> tuple[Any, ...]:
    """(workspace, data version, plan version): changes whenever the warehouse or the plan file does."""
    if isinstance(ws, ServedWorkspace):
        snapshot = ws.snapshot()
        return (str(ws.root), snapshot.token, ws.plans.version())
    return (str(ws.root), _stamp(ws.warehouse_path), _stamp(ws.plan_path))


def cached(ws: Workspace, key: tuple[Any, ...], compute: Callable[[], T], at: tuple[Any, ...] | None = None) -> T:
    """`compute()`'s value for `key` at the workspace's current data and plan versions (or at the `stamp` given
    as `at`), computed once."""
    full = (at if at is not None else stamp(ws), *key)
    while True:
        with _lock:
            if full in _cache:
                _cache.move_to_end(full)
                return _cache[full]
            running = _pending.get(full)
            if running is None:
                running = _pending[full] = threading.Event()
                break
        running.wait(60)  # another request computes it; an error there lets this one try itself
    try:
        value = compute()
        with _lock:
            _cache[full] = value
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        return value
    finally:
        with _lock:
            _pending.pop(full, None)
        running.set()


@dataclass(frozen=True)
class Encoded:
    """A cached result's JSON bytes and their entity tag (a hash of the bytes, for If-None-Match)."""

    body: bytes
    etag: str
    stamp: tuple[Any, ...] = ()  # the data and plan versions (`stamp`) it was cached under


_MISSING = object()


def peek(ws: Workspace, key: tuple[Any, ...], at: tuple[Any, ...] | None = None) -> Any:
    """The value `cached` holds for `key` at the workspace's current versions (or at the `stamp` given as
    `at`), or None: nothing is computed."""
    full = (at if at is not None else stamp(ws), *key)
    with _lock:
        found = _cache.get(full, _MISSING)
        if found is _MISSING:
            return None
        _cache.move_to_end(full)
        return found


def answer(ws: Workspace, key: tuple[Any, ...], value: Callable[[], Any]) -> Encoded:
    """The JSON bytes of `value()` (a cached result), encoded once per version like the result itself: a large
    result (every metric by account by month) is not walked again on every request, nor hashed."""
    def encode() -> Encoded:
        body = json.dumps(value(), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
        return Encoded(body, '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"', at)
    at = stamp(ws)
    return cached(ws, ("encoded", *key), encode, at)


def encoded(ws: Workspace, key: tuple[Any, ...], value: Callable[[], Any]) -> bytes:
    """The JSON bytes of `answer`."""
    return answer(ws, key, value).body


def plain(value: Any) -> Any:
    """JSON-ready values (dates and timestamps as ISO strings)."""
    return json.loads(json.dumps(value, default=_iso))


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def lint_json(ws: Workspace, as_of: dt.date | None = None) -> dict[str, Any]:
    """`lint --format json` (PlanError when the plan does not parse)."""
    key = ("lint", as_of or dt.date.today())  # without as_of, lint judges deadlines against today
    return cached(ws, key, lambda: plain(ws.lint(as_of=as_of).to_json("strategy.yaml")))


def measure_json(ws: Workspace, by: str = "none", period: str = "all", since: dt.date | None = None,
                 until: dt.date | None = None, metrics: Sequence[str] | None = None, *,
                 platforms: Sequence[str] | None = None, accounts: Sequence[str] | None = None) -> dict[str, Any]:
    """`measure --format json` (optionally only for some platforms and accounts)."""
    key = ("measure", by, period, since, until, tuple(metrics or ()), tuple(platforms or ()), tuple(accounts or ()))
    return cached(ws, key, lambda: plain(ws.measure(by, period, since, until, list(metrics) if metrics
                                                    else None, platforms=platforms, accounts=accounts).to_dict()))


def diagnose_json(ws: Workspace, as_of: dt.date | None = None) -> dict[str, Any]:
    """`diagnose --format json`."""
    return cached(ws, ("diagnose", as_of), lambda: plain(ws.diagnose(as_of).to_json()))


def funnel_json(ws: Workspace, until: dt.date | None = None) -> dict[str, Any]:
    """`measure --funnel --format json`: the permission funnel of the latest month with data (up to the month
    of `until`)."""
    key = ("funnel",) if until is None else ("funnel", until)
    return cached(ws, key, lambda: plain(ws.funnel(until=until).to_dict()))


def has_data(ws: Workspace) -> bool:
    if isinstance(ws, ServedWorkspace):
        return ws.has_data()
    return ws.warehouse_path.is_file()


def _query(ws: Workspace, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """Rows of a small read of the warehouse (the server's snapshot of it; else a connection closed at once,
    since a CLI ingest may want the file)."""
    from strategyfirst.warehouse.engine import open_duckdb

    if isinstance(ws, ServedWorkspace):
        return plain(ws.query(sql, params))
    if not has_data(ws):
        return []
    con = open_duckdb(ws.warehouse_path, read_only=True)
    try:
        cur = con.execute(sql, params)
        names = [d[0] for d in cur.description or []]
        return plain([dict(zip(names, row, strict=True)) for row in cur.fetchall()])
    finally:
        con.close()


def busy_note(ws: Workspace) -> str | None:
    """'an import is running; figures as of 14:05' while another command writes the warehouse (pages show the
    last committed data meanwhile), else None."""
    if not isinstance(ws, ServedWorkspace):
        return None
    writer = ws.writer()
    if writer is None:
        return None
    snapshot = ws.snapshot()
    what = "an import is running" if writer.importing else "the data is being updated"
    if not snapshot.has_data:
        return f"{what}; no figures yet"
    when = snapshot.as_of.astimezone()
    today = dt.datetime.now().astimezone().date()
    return f"{what}; figures as of {when:%H:%M}" if when.date() == today else \
        f"{what}; figures as of {when:%Y-%m-%d %H:%M}"


def import_log(ws: Workspace) -> list[dict[str, Any]]:
    """The `imports` table, newest first."""
    return cached(ws, ("imports",), lambda: _query(ws, "SELECT * FROM imports ORDER BY import_id DESC", []))


def rejects(ws: Workspace, import_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The first rejected rows of one import (line, reason, raw)."""
    return _query(ws, "SELECT line, reason, raw FROM rejects WHERE import_id = ? ORDER BY line LIMIT ?",
                  [import_id, limit])


def plan_state(ws: Workspace) -> tuple[str, Any, list[dict[str, Any]]]:
    """The plan text, its parsed form (None when it does not parse) and its located problems."""
    return cached(ws, ("plan_state",), lambda: _plan_state(ws))


def _plan_state(ws: Workspace) -> tuple[str, Any, list[dict[str, Any]]]:
    if not ws.has_plan():
        return "", None, []
    text = ws.plan_path.read_text(encoding="utf-8")
    try:
        doc = ws.plan_document()
    except PlanError as exc:
        return text, None, problems_json(exc)
    return text, plain(doc.plan.model_dump(mode="json")), []


def problems_json(exc: PlanError) -> list[dict[str, Any]]:
    return [{"file": p.file, "line": p.line, "column": p.column, "message": p.message, "key": p.key}
            for p in exc.problems]


def write_plan(ws: Workspace, text: str) -> None:
    """Write the plan file atomically (the CLI reads it as the source of truth)."""
    ws.root.mkdir(parents=True, exist_ok=True)
    tmp = ws.plan_path.with_name(ws.plan_path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(ws.plan_path)


def save_plan(ws: Workspace, db: Any, slug: str, text: str, author: str, why: str | None,
              bases: list[str] | None) -> Any:
    """Save `text` as the plan's new version (ConflictError, nothing written, when `bases` is stale)."""
    from strategyfirst.appdb.plansave import save_plan as save

    return save(db, slug, ws.plan_path, ws.state_dir / "plan.lock", text, author, why, bases)


def revert_plan(ws: Workspace, db: Any, slug: str, number: int, author: str, why: str | None,
                bases: list[str] | None) -> Any:
    """Save version `number`'s text again as a new version whose why says it reverts to it (UsageError for an
    unknown version or one that is the plan already; refused as any save when lint reports errors in it)."""
    from strategyfirst.appdb.history import text_sha256
    from strategyfirst.lint.saving import check_savable

    old = db.plan_version(slug, number)  # UsageError naming the versions there are
    current = plan_state(ws)[0]
    if current and text_sha256(current) == old.sha256:
        raise UsageError(f"the plan already is the text of version {number}: there is nothing to revert")
    check_savable(old.text)
    said = f"reverts to version {number}" + (f": {why.strip()}" if why and why.strip() else "")
    return save_plan(ws, db, slug, old.text, author, said, bases)


def organisation(ws: Workspace) -> str | None:
    try:
        doc = ws.plan_or_none()
    except PlanError:
        return None
    return doc.plan.organisation if doc is not None else None


def report_html(ws: Workspace, db: Any, slug: str) -> str:
    """The self-contained HTML report (cached until data, plan or decisions change)."""
    from strategyfirst.report import render_report

    return cached(ws, ("report", len(db.decisions(slug))), lambda: render_report(ws))


def readiness_json(ws: Workspace) -> dict[str, Any]:
    """`readiness --format json` (scoring the answers already in the plan; nothing is written)."""
    return cached(ws, ("readiness",), lambda: plain(ws.readiness().to_dict()))


def capacity_json(ws: Workspace, service_level: float = 0.9, target_minutes: float | None = None,
                  ) -> dict[str, Any]:
    """`capacity --format json` (UsageError when the plan declares no handling time or no target)."""
    key = ("capacity", service_level, target_minutes)
    return cached(ws, key, lambda: plain(ws.capacity(service_level, target_minutes).to_dict()))


def _inbound_where(since: dt.date | None, until: dt.date | None, platform: str | None,
                   account: str | None) -> tuple[list[str], list[Any]]:
    """SQL conditions (and their parameters) on `inbound i` for a window, a platform and an account."""
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if since is not None:
        where.append("i.created_at >= ?::TIMESTAMP")
        params.append(since)
    if until is not None:
        where.append("i.created_at < ?::TIMESTAMP + INTERVAL 1 DAY")
        params.append(until)
    if platform:
        where.append("i.platform = ?")
        params.append(platform)
    if account:  # as the inbound pairs hold it (plan.normalise_handle on its platform)
        forms = (normalise_handle(account, platform),) * 2 if platform else handle_forms(account)
        clause, values = account_is_sql("i.platform", "i.account", forms)
        where.append(clause)
        params.extend(values)
    return where, params


def inbound_span(ws: Workspace, platform: str | None = None, account: str | None = None,
                 until: dt.date | None = None) -> tuple[dt.date, dt.date] | None:
    """The first and last day (UTC) of the inbound messages of a platform and account (all of them: None) up to
    `until` (a page's as-of day: a link to days after it would show nothing either)."""
    where, params = _inbound_where(None, until, platform, account)
    rows = _query(ws, f"SELECT min(i.created_at) AS first, max(i.created_at) AS last FROM inbound i "
                      f"WHERE {' AND '.join(where)}", params) if has_data(ws) else []
    if not rows or rows[0]["first"] is None:
        return None
    return dt.date.fromisoformat(str(rows[0]["first"])[:10]), dt.date.fromisoformat(str(rows[0]["last"])[:10])


def waiting_longest(ws: Workspace, since: dt.date | None, until: dt.date | None, platform: str | None = None,
                    account: str | None = None, limit: int = 10, as_of: dt.date | None = None,
                    now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Inbound messages of the window that waited longest for a first reply: unanswered ones first, then the
    slowest answered ones. An unanswered message waits until the as-of moment: the end of the window and of
    the as-of day, but never past the latest data time (no data says what happened after it: the latest
    inbound message, first reply or owned message) nor `now` (UTC; the clock by default), so that a window
    reaching into the future never makes a wait of years."""
    from strategyfirst.report.gather import standing_sql

    where, params = _inbound_where(since, until, platform, account)
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    cuts: list[Any] = [now, *(dt.datetime.combine(d + dt.timedelta(days=1), dt.time()) for d in (until, as_of)
                              if d is not None)]
    latest = ["SELECT max(created_at) AS t FROM inbound", "SELECT max(first_reply_at) FROM inbound"]
    if _query(ws, "SELECT 1 AS found FROM duckdb_tables() WHERE table_name = 'owned_messages' "
                  "AND database_name = current_database()", []):
        latest.append("SELECT max(created_at) FROM owned_messages")
    end = f"least({', '.join('?::TIMESTAMP' for _ in cuts)}, (SELECT max(t) FROM ({' UNION ALL '.join(latest)})))"
    # a message received after that moment (after the as-of day) has not waited yet; a reply after the window
    # and its as-of day was not there yet (metrics.asof): the message was still waiting then
    days = [d for d in (until, as_of) if d is not None]
    replied, cut = ("i.first_reply_at < ?::TIMESTAMP", [end_of(min(days))]) if days else \
        ("i.first_reply_at IS NOT NULL", [])
    if days:  # a message inbound only by a later reply (rule (b)) was not inbound then
        where, params = [*where, standing_sql("?::TIMESTAMP", "i.")], [*params, *cut]
    sql = (f"SELECT i.created_at, i.platform, i.account, {replied} IS NOT TRUE AS unanswered, "
           f"CASE WHEN {replied} THEN i.first_reply_minutes "
           f"ELSE greatest(date_diff('minute', i.created_at, {end}), 0) END AS minutes, "
           f"left(m.text, 140) AS text FROM inbound i LEFT JOIN messages m USING (message_id) "
           f"WHERE {' AND '.join(where)} ORDER BY unanswered DESC, minutes DESC NULLS LAST, i.created_at LIMIT ?")
    return _query(ws, sql, [*cut, *cut, *cuts, *params, limit])  # the SELECT's ? come first, in order


def reply_buckets(ws: Workspace, since: dt.date | None, until: dt.date | None, platform: str | None = None,
                  account: str | None = None) -> list[tuple[str, int]]:
    """Inbound messages of the window by time to first reply (the report's buckets), then unanswered; negative
    gaps (data errors) are left out, as in the report."""
    from strategyfirst.report.gather import RESPONSE_BUCKETS, bucket_case, standing_sql

    where, params = _inbound_where(since, until, platform, account)
    # a reply after the window was not there yet (metrics.asof)
    minutes, cut = ("CASE WHEN i.first_reply_at < ?::TIMESTAMP THEN i.first_reply_minutes END", [end_of(until)]) \
        if until is not None else ("i.first_reply_minutes", [])
    if until is not None:  # a message inbound only by a later reply (rule (b)) was not inbound then
        where, params = [*where, standing_sql("?::TIMESTAMP", "i.")], [*params, *cut]
    sql = (f"SELECT {bucket_case('gap')} AS bucket, count(*) AS n FROM (SELECT {minutes} AS gap FROM inbound i "
           f"WHERE {' AND '.join(where)} AND (i.first_reply_minutes IS NULL OR i.first_reply_minutes >= 0)) "
           f"GROUP BY bucket")
    found = {r["bucket"]: int(r["n"]) for r in _query(ws, sql, [*cut, *params])}
    order = [name for _, name in RESPONSE_BUCKETS] + ["> 3 days", "unanswered"]
    return [(name, found.get(name, 0)) for name in order] if found else []
