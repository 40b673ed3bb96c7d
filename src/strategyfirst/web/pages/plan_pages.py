"""The plan editor: the YAML with line numbers and lint findings at their lines, checked as you type or on
demand, saving makes a version; forms add an objective, a KPI or a tactic to the saved plan (or the draft)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from strategyfirst import catalog
from strategyfirst.appdb.history import text_sha256
from strategyfirst.errors import AdditionError, ConflictError, LintRefusedError, PlanError, UsageError
from strategyfirst.lint import lint_text
from strategyfirst.lint.addition import MAX_CHARS, Checked, add_kpi, add_objective, add_tactic
from strategyfirst.lint.saving import check_savable
from strategyfirst.plan import loads
from strategyfirst.web import services
from strategyfirst.web.deps import Member, PageEditor, PageViewer
from strategyfirst.web.templating import render

router = APIRouter()
MAX_PLAN = 1 << 20
MAX_WHY = 2000
# A why, or a field of an add form, that the handler (or the addition, MAX_CHARS) checks itself, so a too long one
# comes back in the editor next to its field (the body limit bounds it).
Typed = Annotated[str, Form(max_length=10 * MAX_WHY)]
Draft = Annotated[str, Form(max_length=MAX_PLAN)]
Base = Annotated[str, Form(max_length=64)]
FAMILIES = {"dialogue": "Dialogue", "reach": "Reach and engagement", "audience": "Audience and email",
            "site": "Site traffic", "cost": "Cost"}
PLATFORMS = ("x", "facebook", "instagram", "linkedin", "youtube", "tiktok", "mastodon", "bluesky", "email",
             "rss", "blog", "print", "events", "press")


def from_form(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; the file keeps the plan's own LF."""
    return text.replace("\r\n", "\n")


def lint_view(text: str) -> dict[str, Any]:
    """Lint findings of the text, or its located parse problems."""
    text = from_form(text)
    try:
        return {"report": lint_text(text).to_json("strategy.yaml"), "problems": []}
    except PlanError as exc:
        return {"report": None, "problems": services.problems_json(exc)}


def unit_words(spec: catalog.MetricSpec, currency: str) -> str:
    """How a target of the metric is written, and which way is better, for the metric picker."""
    unit = {"ratio": "a share: 0.9 or 90%", "count": "a number", "minutes": "minutes", "currency": currency,
            "score": "a score from -1 to 1"}[spec.unit]
    if spec.id == "sentiment_lift":
        unit = "a score change from -2 to 2"
    better = {"up": "; higher is better", "down": "; lower is better", "none": ""}[spec.direction]
    return unit + better


def metric_choices(currency: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The catalogue's metrics by family, each as (id, "Label — unit; direction")."""
    return [(title, [(spec.id, f"{spec.label} — {unit_words(spec, currency)}")
                     for spec in catalog.METRICS if spec.family == family])
            for family, title in FAMILIES.items()]


def editor_page(m: Member, text: str, **extra: Any) -> dict[str, Any]:
    """What plan.html shows: the text, its lint, and what the add forms offer (objectives, metrics, accounts)."""
    plan = None
    with suppress(PlanError):  # a draft that does not parse: its problems are in the lint view
        plan = loads(text).plan if text else None
    currency = plan.budget.currency if plan and plan.budget else "EUR"
    page: dict[str, Any] = {
        "m": m, "tab": "plan", "text": text, "lint": lint_view(text) if text else None,
        "objectives": [(o.id, o.statement or "") for o in plan.objectives] if plan else [],
        "accounts": sorted({h for hs in plan.accounts.values() for h in hs}) if plan else [],
        "metrics": metric_choices(currency), "platforms": PLATFORMS, "currency": currency,
        "values": {}, "errors": {}, "open": "", "max_chars": MAX_CHARS}
    page.update(extra)
    return page


@router.get("/w/{slug}/plan")
def read_plan_editor(request: Request, m: PageViewer,
                     saved: Annotated[int | None, Query(ge=1, le=1_000_000_000)] = None,
                     line: Annotated[int | None, Query(ge=1, le=1_000_000)] = None) -> Response:
    """The editor with the current plan text and its lint findings (after an addition: where it was written)."""
    text, _plan, _problems = services.plan_state(m.ws)
    why = None
    if saved is not None and line is not None:
        try:
            why = m.state.db.plan_version(m.slug, saved).why
        except UsageError:
            saved = line = None
    return render(request, "plan.html", editor_page(m, text, saved=saved, line=line, saved_why=why,
                                                    base=text_sha256(text) if text else ""))


@router.post("/w/{slug}/plan/lint")
def lint_plan_draft(request: Request, m: PageViewer, text: Draft = "", base: Base = "") -> Response:
    """Check the draft in the editor without saving: the findings (an HTMX fragment), or the whole editor
    with them when the browser runs no script."""
    if request.headers.get("HX-Request"):
        return render(request, "_lint_findings.html", {"lint": lint_view(text)})
    return render(request, "plan.html", editor_page(m, from_form(text), base=base, checked=True))


@router.post("/w/{slug}/plan")
def update_plan_page(request: Request, m: PageEditor, text: Draft = "", why: Typed = "", base: Base = "",
                     merged: Base = "") -> Response:
    """Save the text as a new plan version and write strategy.yaml; 422 with the problems (a plan that does
    not parse or that lint reports errors in, each error one line; a too long why) and everything typed kept;
    409 keeping the text in the editor, with who saved what meanwhile, when the plan moved on since the editor
    was opened (`base`), again on every save until the editor is reloaded or the conflict's own button
    (`merged`: the version it showed) saves over it."""
    text = from_form(text)
    why_error = (f"At most {MAX_WHY:,} characters (this has {len(why):,}): shorten it; nothing was saved."
                 if len(why) > MAX_WHY else None)
    problems: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    try:
        check_savable(text)
    except LintRefusedError as exc:
        refused = services.problems_json(exc)  # each lint error, one line at the top (and beside the editor)
    except PlanError as exc:
        problems = services.problems_json(exc)  # the editor page lists them all; the first is said at the top
    if problems or refused or why_error:
        said: dict[str, Any] = {"not_parsed": problems[0], "more_problems": len(problems) - 1} if problems else {}
        if refused:
            said["lint_refused"] = refused
        if not text:
            said["lint"] = lint_view(text)  # editor_page lints a text only: say it is empty
        return render(request, "plan.html", editor_page(m, text, why=why, base=base, why_error=why_error, **said),
                      status=422)
    return _save(request, m, text, why, merged or base, lambda: editor_page(m, text, why=why, base=base), None,
                 editor=True)


def _save(request: Request, m: Member, text: str, why: str, base: str, page: Callable[[], dict[str, Any]],
          line: int | None, editor: bool = False) -> Response:
    """Save through the versioned path: a redirect to the editor, or the page with the 409's details (from the
    editor's own Save, with the button that saves its text over the newer version)."""
    try:
        version = services.save_plan(m.ws, m.state.db, m.slug, text, m.email, why or None,
                                     [base] if base else None)
    except ConflictError as exc:
        # the form keeps the version it was opened on, so a second Save is refused as the first was: only the
        # conflict's own button (the version it showed) or a reload saves over the other editor's version
        current = exc.details["current"]
        return render(request, "plan.html", {**page(), "conflict": exc.details, "conflict_message": exc.message,
                                             "merged": current["sha256"] if editor and isinstance(current, dict)
                                             else ""},
                      status=409)
    where = f"&line={line}" if line else ""
    return RedirectResponse(f"/w/{m.slug}/plan?saved={version.number}{where}", status_code=303)


@router.post("/w/{slug}/plan/revert")
def revert_plan(request: Request, m: PageEditor, version: Annotated[int, Form(ge=1, le=1_000_000_000)],
                why: Typed = "", base: Base = "") -> Response:
    """Make an earlier version the plan again, as a new version saying it reverts to it; back to the history
    with it at the top (a 409 page when the plan moved on since the history was opened, a 422 page saying
    each lint error when that version would not be saved today)."""
    if len(why) > MAX_WHY:
        raise UsageError(f"why: at most {MAX_WHY:,} characters (this has {len(why):,}); nothing was saved")
    saved = services.revert_plan(m.ws, m.state.db, m.slug, version, m.email, why or None,
                                 [base] if base else None)
    return RedirectResponse(f"/w/{m.slug}/history?a={version}&b={saved.number}", status_code=303)


def _add(request: Request, m: Member, kind: str, values: dict[str, Any], draft: str, base: str,
         add: Any) -> Response:
    """Add an item to the draft the editor sent (else to the saved plan) and save it as a new version; 422
    with each problem next to its field, nothing saved, when lint would refuse it."""
    text = from_form(draft) if draft.strip() else services.plan_state(m.ws)[0]

    def page() -> dict[str, Any]:
        return editor_page(m, text, base=base, values={kind: values}, open=kind)

    try:
        checked: Checked = add(text)
    except AdditionError as exc:
        errors: dict[str, list[str]] = {}
        for p in exc.problems:
            errors.setdefault(p.key, []).append(p.message)
        return render(request, "plan.html", {**page(), "errors": {kind: errors}}, status=422)
    return _save(request, m, checked.text, f"added {checked.what}", base, page, checked.line)


@router.post("/w/{slug}/plan/objectives")
def create_objective(request: Request, m: PageEditor, id: Typed = "", statement: Typed = "", text: Draft = "",
                     base: Base = "") -> Response:
    """Add an objective to the plan."""
    return _add(request, m, "objective", {"id": id, "statement": statement}, text, base,
                lambda plan: add_objective(plan, id=id, statement=statement))


@router.post("/w/{slug}/plan/kpis")
def create_kpi(request: Request, m: PageEditor, objective: Typed = "", metric: Typed = "", target: Typed = "",
               baseline: Typed = "", by: Typed = "", text: Draft = "", base: Base = "") -> Response:
    """Add a KPI to an objective of the plan."""
    values = {"objective": objective, "metric": metric, "target": target, "baseline": baseline, "by": by}
    return _add(request, m, "kpi", values, text, base,
                lambda plan: add_kpi(plan, objective=objective, metric=metric, target=target, baseline=baseline,
                                     by=by))


@router.post("/w/{slug}/plan/tactics")
def create_tactic(request: Request, m: PageEditor, id: Typed = "", channel: Typed = "",
                  serves: Annotated[list[str] | None, Form(max_length=100)] = None, owner: Typed = "",
                  budget: Typed = "", start: Typed = "", end: Typed = "", accounts: Typed = "", hashtags: Typed = "",
                  campaign: Typed = "", question: Typed = "", until: Typed = "", text: Draft = "",
                  base: Base = "") -> Response:
    """Add a tactic to the plan."""
    values = {"id": id, "channel": channel, "owner": owner, "budget": budget, "start": start, "end": end,
              "accounts": accounts, "hashtags": hashtags, "campaign": campaign, "question": question,
              "until": until}
    chosen = [s[:200] for s in (serves or [])]
    return _add(request, m, "tactic", {**values, "serves": chosen}, text, base,
                lambda plan: add_tactic(plan, id=id, serves=chosen, channel=channel, owner=owner, budget=budget,
                                        start=start, end=end, accounts=accounts, hashtags=hashtags,
                                        campaign=campaign, question=question, until=until))
