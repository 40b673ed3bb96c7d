"""Jinja2 templates (autoescaped: post text with HTML in it is shown, never run) and the render helper."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse, Response

from strategyfirst.formatting import (
    metric_label,
    number,
    status_label,
    step_rate,
    verdict_label,
    verdict_likelihood,
    whole_dates,
)
from strategyfirst.metrics.result import account_table
from strategyfirst.web.posts import shown_time
from strategyfirst.web.view import nav_query

TEMPLATES = Path(__file__).with_name("templates")
templates = Jinja2Templates(directory=str(TEMPLATES))

STATUS_CLASS = {"on_track": "ok", "met": "ok", "working": "ok", "at_risk": "warn", "tactic_dead_weight": "warn",
                "off_track": "bad", "tactic_failing": "bad", "strategy_failing": "bad", "no_data": "none",
                "not_enough_data": "none", "not_judged": "none"}


def _json_script(value: Any) -> Markup:
    """JSON safe inside <script type="application/json"> (no `</script>` can close it early)."""
    text = json.dumps(value, default=str).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _code_spans(text: Any) -> Markup:
    """Markdown's `code` spans in library text (hints, API docs) as <code>, never as literal backticks."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape("" if text is None else text))))


@pass_context
def _number(context: Context, value: Any, unit: str = "", metric: str | None = None) -> str:
    """A figure by its catalogue unit (a mean's by its `metric`), as the CLI and the report show it; money in the
    plan's currency."""
    if value is not None and not isinstance(value, int | float):
        return str(value)
    return number(value, unit or None, currency=context.get("currency"), metric=metric)


def _likelihood(verdict: Any) -> str:
    """A verdict's probability in words (a diagnosis JSON verdict: `kind`, `probability`)."""
    return verdict_likelihood(verdict.get("kind", ""), verdict.get("probability")) or "—"


def _currency(member: Any) -> str | None:
    """The budget currency of the member's workspace plan, or None (no plan, or one that does not parse)."""
    ws = getattr(member, "ws", None)
    try:
        document = ws.plan_or_none() if ws is not None else None
    except Exception:  # an unreadable plan is the plan page's business; numbers just go without currency
        return None
    budget = document.plan.budget if document is not None else None
    return budget.currency if budget is not None else None


def _day_time(at: Any) -> str:
    """An app-database time as `2026-11-29 09:14 UTC` (its rows keep aware UTC datetimes)."""
    import datetime as dt

    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if isinstance(at, dt.datetime) else "—"


currency_of = _currency  # for routes that word verdicts themselves

templates.env.filters["json_script"] = _json_script
templates.env.filters["number"] = _number
templates.env.filters["code_spans"] = _code_spans
templates.env.filters["label"] = metric_label
templates.env.filters["account_table"] = account_table
templates.env.filters["post_time"] = shown_time
templates.env.filters["likelihood"] = _likelihood
templates.env.filters["status_label"] = status_label
templates.env.filters["verdict_label"] = verdict_label
templates.env.filters["step_rate"] = step_rate
templates.env.filters["day_time"] = _day_time
templates.env.filters["whole_dates"] = whole_dates
templates.env.globals["nav_query"] = nav_query
templates.env.globals["status_class"] = lambda s: STATUS_CLASS.get(str(s), "none")


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """Render a page; every page gets the caller's CSRF token (`csrf`) for its forms and HTMX calls."""
    principal = getattr(request.state, "principal", None)
    base = {"csrf": getattr(principal, "csrf", None), "user": getattr(principal, "user", None)}
    if "m" in context and "currency" not in context:
        base["currency"] = _currency(context["m"])
    if "m" in context:
        from strategyfirst.web.services import busy_note

        base["busy"] = busy_note(context["m"].ws)
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


# Placeholders for the caller's own bits in a page rendered once for every caller with the same role
CSRF_MARK = "sfcsrfmark0d4c7e9a2b61f3"
EMAIL_MARK = "sfusermark8b2e5f0c7a39d1"
_URLSAFE = re.compile(r"[A-Za-z0-9_-]+")  # what `secrets.token_urlsafe` makes: the same in HTML and in JSON


@dataclass(frozen=True)
class _MarkedUser:
    is_admin: bool
    email: str = EMAIL_MARK


def render_shared(request: Request, name: str, m: Any, context: Callable[[], dict[str, Any]],
                  status: int = 200) -> Response:
    """A page that is the same for every member with the same role (dashboard, dialogue): rendered once per
    workspace data and plan version, URL, role, import note and day (kept with the cached results,
    `services.cached`), with placeholders for the caller's CSRF token and email put in on each request.
    Everything else on such a page must come from `m`'s workspace, the URL and the role. A page of another
    `status` (a 422 saying what was wrong with its URL) is rendered each time: the fast path serves only 200s."""
    from strategyfirst.web.services import busy_note, cached

    principal = getattr(request.state, "principal", None)
    csrf, user = getattr(principal, "csrf", None), getattr(principal, "user", None)
    if csrf is None or not shareable(csrf, user) or status != 200:
        return render(request, name, context(), status)
    busy = busy_note(m.ws)
    admin = bool(getattr(user, "is_admin", False))  # admins get a "New workspace" link in the navigation

    def page() -> str:
        values = {"csrf": CSRF_MARK, "user": _MarkedUser(admin), "busy": busy, **context()}
        if "currency" not in values:
            values["currency"] = _currency(m)
        return templates.get_template(name).render({"request": request, **values})

    html = cached(m.ws, shared_key(request, name, m.slug, m.role, admin, busy, dt.date.today()), page)
    return shared_response(html, csrf, user)


def shareable(csrf: str | None, user: Any) -> bool:
    """True when a page may be the shared rendering with the caller's bits put in (a session caller)."""
    return csrf is not None and user is not None and _URLSAFE.fullmatch(csrf) is not None


def shared_key(request: Request, name: str, slug: str, role: str, admin: bool, busy: str | None,
               day: dt.date) -> tuple[Any, ...]:
    """The key of a shared rendering (`render_shared`; web/fastpath.py looks it up with the same key)."""
    return ("page", name, slug, request.url.path, request.url.query, role, admin, busy, day)


def shared_response(html: str, csrf: str, user: Any) -> Response:
    """The shared rendering with the caller's CSRF token and email put in (the UTF-8 bytes between the
    placeholders are kept per rendering: a page of ~50 kB is not searched, copied and encoded again)."""
    email = str(escape(user.email)).encode("utf-8")
    token = csrf.encode("utf-8")
    pieces = _pieces(html)
    return HTMLResponse(b"".join(email if piece is None else token if piece is _CSRF else piece
                                 for piece in pieces))


_CSRF = b"csrf"  # the CSRF placeholder in `_pieces` (by identity; the email's is None)


@lru_cache(maxsize=64)
def _pieces(html: str) -> tuple[bytes | None, ...]:
    """`html` as UTF-8 pieces with `_CSRF` where CSRF_MARK was and None where EMAIL_MARK was."""
    out: list[bytes | None] = []
    for i, part in enumerate(html.split(CSRF_MARK)):
        if i:
            out.append(_CSRF)
        for j, bit in enumerate(part.split(EMAIL_MARK)):
            if j:
                out.append(None)
            out.append(bit.encode("utf-8"))
    return tuple(out)
