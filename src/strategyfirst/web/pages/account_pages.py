"""The accounts list: every account the plan's rule owns with data, each linking to its page (pages/drill_pages.py),
with its posts and audience; as CSV too."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from strategyfirst.web import drill, services
from strategyfirst.web.deps import DatesChecked, PageViewer
from strategyfirst.web.downloads import csv_response, file_name
from strategyfirst.web.templating import render

router = APIRouter()


@router.get("/w/{slug}/accounts")
def read_accounts(request: Request, m: PageViewer) -> Response:
    """The owned accounts with data (posts, followers, email lists), each linked to its page."""
    accounts = drill.owned_accounts(m.ws, services.plan_state(m.ws)[1])
    return render(request, "accounts.html", {"m": m, "tab": "posts", "accounts": accounts, "metrics": drill.LISTED})


@router.get("/w/{slug}/accounts.csv")
def read_accounts_csv(m: PageViewer, _dates: DatesChecked) -> Response:
    """The accounts list as CSV: platform, account and its figures (raw values)."""
    accounts = drill.owned_accounts(m.ws, services.plan_state(m.ws)[1])
    return csv_response(file_name(m.slug, "accounts"), ("platform", "account", *drill.LISTED),
                        ([a["platform"], a["account"], *[f["value"] for f in a["figures"]]] for a in accounts))
