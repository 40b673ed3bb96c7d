"""Jinja2 templates (autoescaped: post text with HTML in it is shown, never run) and the render helper."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import Response

TEMPLATES = Path(__file__).with_name("templates")
templates = Jinja2Templates(directory=str(TEMPLATES))

STATUS_CLASS = {"on_track": "ok", "met": "ok", "working": "ok", "at_risk": "warn", "tactic_dead_weight": "warn",
                "off_track": "bad", "tactic_failing": "bad", "strategy_failing": "bad", "no_data": "none",
                "not_enough_data": "none"}


def _json_script(value: Any) -> Markup:
    """JSON safe inside <script type="application/json"> (no `</script>` can close it early)."""
    text = json.dumps(value, default=str).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _number(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value:.1%}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)


templates.env.filters["json_script"] = _json_script
templates.env.filters["number"] = _number
templates.env.globals["status_class"] = lambda s: STATUS_CLASS.get(str(s), "none")


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """Render a page; every page gets the caller's CSRF token (`csrf`) for its forms and HTMX calls."""
    principal = getattr(request.state, "principal", None)
    base = {"csrf": getattr(principal, "csrf", None), "user": getattr(principal, "user", None)}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)
