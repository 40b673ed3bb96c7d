"""The web app: FastAPI + Jinja2 pages with HTMX and vega-embed, and the JSON API under /api/v1.

`create_app(Settings(workspaces=[...], db_url=...))` builds it; `strategyfirst serve` runs it with uvicorn.
"""

from strategyfirst.web.app import create_app
from strategyfirst.web.settings import Settings

__all__ = ["Settings", "create_app"]
