"""Typed shapes of the API's JSON bodies, for the OpenAPI schema (issue 17.13), and the errors every route
documents.

The bodies are the CLI's `--format json` (a script moves between the two without translation), so each model
names the keys a client can rely on and allows more (`extra="allow"`: a new key is not a breaking change).
They document the responses rather than re-validate them on every request: the JSON is built and cached by
the library, and tests/web/test_openapi.py checks real bodies against these models.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Number = int | float
BEARER_HELP = "An API token from `strategyfirst tokens create` (scoped to a workspace or all, read or write)."


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- errors ---------------------------------------------------------------------------------------------------
class ProblemItem(Open):
    loc: list[str | int] = Field(description="Where: ['body', 'text'], ['query', 'as_of'], ['header', 'If-Match']…")
    msg: str = Field(description="What is wrong and what to do about it.")
    file: str | None = Field(None, description="The file the problem is in (an uploaded file's own name).")
    line: int | None = None
    column: int | None = None


class Problem(BaseModel):
    detail: str | list[ProblemItem] = Field(description="One message, or located problems.")


class PlanConflictItem(ProblemItem):
    current: dict[str, Any] = Field(description="The current version: version, sha256, author, created_at, why.")
    base: int | None = Field(description="The version the refused save was based on (null if unknown).")
    diff: str | None = Field(description="Unified diff from the base to the current version.")


class PlanConflict(BaseModel):
    detail: list[PlanConflictItem]


Responses = dict[int | str, dict[str, Any]]


def _error(description: str, model: type[BaseModel] = Problem) -> dict[str, Any]:
    return {"model": model, "description": description}


UNAUTHENTICATED: Responses = {401: _error("No valid credentials: send `Authorization: Bearer <token>`.")}
SCOPED: Responses = {
    403: _error("A role too low for this, a read-only token that tries to write, or a missing CSRF token."),
    404: _error("No such workspace, or not one the caller (or the token's scope) may see: the same answer, so "
                "existence does not leak. Also an unknown decision number."),
    422: _error("Invalid input, with a located message per problem (a plan's file, line and column)."),
}
BAD_FILTER: Responses = {
    422: _error("Invalid input, with a located message per problem: a bad date or metric, a `platform` neither "
                "known nor in the plan's `accounts`, an `account` the plan's `accounts` do not list (each one "
                "line naming those there are), rather than a filter silently ignored or matching nothing.")}
BODY_TOO_LARGE: Responses = {400: _error("The body is not what its Content-Type says (JSON that does not parse)."),
                             413: _error("The request body is over the configured limit.")}
BUSY: Responses = {409: _error("Another import holds the workspace; try again when it is done.")}
STALE_PLAN: Responses = {409: _error("The plan changed since the version in `If-Match`; nothing was written.",
                                     PlanConflict)}


# --- bodies ---------------------------------------------------------------------------------------------------
class WorkspaceItem(Open):
    slug: str
    organisation: str | None
    role: str = Field(description="The user's role in it: owner, editor or viewer (a token acts with it).")
    scope: str = Field("write", description="What the caller may do with that role: read (a read-only token, which "
                       "only reads whatever the role) or write.")


class PlanOut(Open):
    workspace: str
    text: str = Field(description="strategy.yaml as it is now.")
    version: int | None = Field(description="The plan version number (also the `ETag` header).")
    sha256: str | None
    plan: dict[str, Any] | None = Field(description="The parsed plan; null with `problems` if it does not parse.")
    problems: list[dict[str, Any]]


class LintFinding(Open):
    rule: str
    severity: str
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None


class LintOut(Open):
    plan: str
    as_of: str | None = None
    errors: int
    warnings: int
    findings: list[LintFinding]


class PlanSaved(Open):
    workspace: str
    version: int
    sha256: str = Field(description="Also the new `ETag`.")
    lint: LintOut


class PlanAdded(PlanSaved):
    what: str = Field(description="What was added, in words (also the version's `why` unless one was given).")
    path: str = Field(description="Where in the plan: objectives[2], objectives[0].kpis[3], tactics[4].")
    line: int = Field(description="The line of strategy.yaml the new item starts at.")


class MeasureRow(Open):
    metric: str
    by: str
    key: str | None
    period: str | None
    value: Number | None
    unit: str | None = None
    n: Number | None = None
    numerator: Number | None = None
    denominator: Number | None = None
    version: int | None = None
    platform: str | None = Field(None, description="By account, the account's platform (one name on two "
                                 "platforms is two accounts); null by any other grouping.")


class MeasureOut(Open):
    rows: list[MeasureRow]
    data_quality: dict[str, Any]


class Kpi(Open):
    objective: str
    metric: str
    status: str = Field(description="met, on_track, at_risk, off_track, not_enough_data, not_judged (no "
                                    "deadline) or no_data.")
    target: Number | None = None
    actual: Number | None = None
    series: list[dict[str, Any]] = []


class Verdict(Open):
    kind: str
    objective: str | None
    tactic: str | None = None
    evidence: str | None = None
    probability: Number | None = None


class FunnelOut(Open):
    period: str | None = Field(description="The month shown (YYYY-MM); null before any funnel data.")
    previous: str | None = Field(description="The month it is compared with.")
    funnels: list[dict[str, Any]] = Field(description="Overall, then each tactic: steps, churn, breaks_at.")
    asset: list[dict[str, Any]] = Field(description="Per platform and account or list: gained, lost, net.")


class DiagnoseOut(Open):
    as_of: str
    kpis: list[Kpi]
    verdicts: list[Verdict]
    budget: list[dict[str, Any]]
    footnotes: list[Any]
    note: str | None = Field(None, description="One line when as_of lies outside the plan's horizon (before its "
                             "start: nothing is measured yet; after its end: the KPIs are measured up to it), "
                             "else null.")


class ImportRow(Open):
    import_id: int
    file: str | None = Field(description="The imported file's name (never a server path).")
    source: str
    account: str | None = Field(None, description="The account it was imported with (the `account` field, "
                                "`--account`); null where the file named its own.")
    started_at: str
    rows_read: int
    rows_new: int
    rows_updated: int
    rows_duplicate: int
    rows_rejected: int
    undone_at: str | None = None


class ImportLog(Open):
    workspace: str
    total: int = Field(description="Imports in the log (every page).")
    limit: int | None = Field(description="The `limit` asked for (null: every import from `offset` on).")
    offset: int = Field(description="Imports skipped, newest first.")
    imports: list[ImportRow] = Field(description="Newest first: `offset` + 1 to `offset` + `limit`.")


class Post(Open):
    message_id: str
    date: str | None = Field(description="When it was published (UTC, ISO 8601).")
    platform: str
    account: str | None
    text: str = Field(description="The first line of its text.")
    impressions: Number | None
    reach: Number | None
    engagements: Number | None
    engagement_rate: Number | None = Field(description="Engagements / impressions (null without both).")
    replies: int = Field(description=(
        "Replies received: the messages of accounts the plan does not own that reply to it, or the platform's "
        "count of its replies (comments) where that is larger."))
    permalink: str | None


class PostsOut(Open):
    workspace: str
    total: int = Field(description="Posts in the scope (every page).")
    page: int
    pages: int
    size: int
    sort: str
    descending: bool
    posts: list[Post]


class FileOutcome(Open):
    file: str = Field(description="The file as uploaded (a zip member as `archive.zip!inner/name`).")
    source: str | None
    status: str = Field(description="imported, already imported, rolled back, skipped or failed.")
    rows_read: int
    rows_new: int
    rows_updated: int
    rows_duplicate: int
    rows_rejected: int
    error: str | None = None


class IngestOut(Open):
    files: list[FileOutcome]


class DecisionChange(Open):
    action: str = Field(description="edit or withdraw.")
    author: str | None
    at: str
    why: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class DecisionOut(Open):
    kind: str = "decision"
    number: int
    text: str
    objective: str | None
    tactic: str | None
    plan_version: int | None
    evidence: dict[str, Any] | None
    author: str | None
    created_at: str
    withdrawn_at: str | None = None
    changes: list[DecisionChange] = []


class DecisionList(Open):
    workspace: str
    decisions: list[DecisionOut]


class HistoryOut(Open):
    """Plan versions and decisions in time order; with `from` and `to` the diff of two versions instead."""

    workspace: str
    entries: list[dict[str, Any]] | None = Field(None, description="Versions (kind 'version') and decisions.")
    diff: str | None = Field(None, description="With from/to: the unified diff of the two versions.")
    changes: dict[str, Any] | None = Field(None, description="With from/to: objectives, tactics, KPIs changed.")


class ReadinessOut(Open):
    answered: bool
    overall: Number | None
    dimensions: list[dict[str, Any]]


class CapacityOut(Open):
    service_level: Number
    target_minutes: Number | None
    handling_minutes: Number | None
    messages: int
    gaps: list[dict[str, Any]]
    hours: list[dict[str, Any]]
    assumptions: list[Any]
    notes: list[Any]


def documented(model: Any, *errors: Responses, status: int = 200,
               description: str = "") -> dict[str, Any]:
    """Route keyword arguments documenting the `model` (a pydantic model or a list of one) of a success and
    the `errors` it may answer."""
    responses: Responses = {}
    if model is not None:
        responses[status] = {"model": model, "description": description or "Success."}
    for extra in errors:
        responses.update(extra)
    return {"response_model": None, "responses": responses}
