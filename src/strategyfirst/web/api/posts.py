"""GET /api/v1/workspaces/{slug}/posts: the posts table of the web app as JSON (sorted and paginated in the
warehouse; the same scopes and views as the Posts page)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

from strategyfirst.web import services
from strategyfirst.web.deps import ApiViewer
from strategyfirst.web.limits import Day, range_problems
from strategyfirst.web.posts import MAX_PAGE_SIZE, PAGE_SIZE, Scope, posts_page
from strategyfirst.web.schemas import BAD_FILTER, SCOPED, PostsOut, documented
from strategyfirst.web.view import filter_problems

router = APIRouter(prefix="/api/v1/workspaces/{slug}", tags=["posts"])

Sort = Literal["date", "platform", "account", "impressions", "reach", "engagements", "engagement_rate", "replies"]
Which = Literal["all", "outside", "unusual"]
Text = Annotated[str | None, Query(max_length=200)]


@router.get("/posts", **documented(PostsOut, SCOPED, BAD_FILTER))
def list_posts(m: ApiViewer, objective: Text = None, tactic: Text = None, platform: Text = None,
               account: Text = None, view: Which = "all", since: Day | None = None, until: Day | None = None,
               sort: Sort = "date", descending: bool = True, page: Annotated[int, Query(ge=1, le=10**7)] = 1,
               size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE) -> dict[str, Any]:
    """One page of the owned posts (all, or an objective's tactics', a tactic's, an account's, a platform's,
    posted between since and until); view `outside`: attributed to no tactic, `unusual`: of those, the ones
    whose engagement rate is above the 90th percentile of attributed posts on the same platform."""
    from strategyfirst.web.pages.drill_pages import scope_of

    accounts = (services.plan_state(m.ws)[1] or {}).get("accounts") or {}
    unknown = [("platform", msg) for msg in filter_problems(platform, None, accounts)] + \
        [("account", msg) for msg in filter_problems(None, account, accounts)]
    problems = [{"type": "value_error", "loc": ["query", key], "msg": msg} for key, msg in unknown] + \
        range_problems(since, until)
    if problems:  # located as FastAPI locates a bad value, in one line each
        raise HTTPException(422, problems)
    scope: Scope = scope_of(m, objective or "", tactic or "", platform or "", account or "", view)[0]
    scope = Scope(scope.tactics, scope.platform, scope.account, scope.outside, scope.unusual, since, until)
    found = posts_page(lambda sql, params: services._query(m.ws, sql, params), scope, sort, descending, page,
                       size) if services.has_data(m.ws) else None
    return services.plain({
        "workspace": m.slug, "total": found.total if found else 0, "page": found.page if found else 1,
        "pages": found.pages if found else 1, "size": size, "sort": sort, "descending": descending,
        "posts": found.rows if found else []})
