"""What the drill-down pages show: an objective (its KPIs, verdict and tactics ranked), a tactic (its figures on
its attributed data, spend and cost per result, its own verdict) and an account, from the cached diagnosis and
measurements (services.cached) of the served snapshot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from strategyfirst import catalog
from strategyfirst.errors import StrategyFirstError
from strategyfirst.web import services
from strategyfirst.workspace import Workspace

# The figures every tactic and account page shows beside the objective's KPI metrics.
FIGURES = ("posts", "impressions", "reach", "engagements", "engagement_rate", "inbound_messages", "response_rate")
# What a tactic that only answers (replies, no posts of its own: a care desk) shows instead: its post figures
# would all read nothing, and "Posts 0" says nothing about what it does.
DIALOGUE_FIGURES = ("inbound_messages", "response_rate", "conversation_response_rate",
                    "first_response_minutes_median", "first_response_minutes_p90", "dialogue_ratio")
COSTS = ("spend", "cost_per_result", "cost_per_engagement")
# Those of a tactic that only answers: it makes no posts to engage with, and the registry has no cost per answered
# message, so its costs leave out the cost per engagement.
ANSWER_COSTS = tuple(c for c in COSTS if c != "cost_per_engagement")
# An account's audience (followers, an email list's subscribers), as `measure --by account` gives it.
AUDIENCE = ("audience_size", "audience_growth")
ACCOUNT_METRICS = (*FIGURES, *COSTS, *AUDIENCE)
# The figures of each account in the accounts list.
LISTED = ("posts", "impressions", "engagements", "audience_size", "audience_growth")


def measure_rows(ws: Workspace, by: str, metrics: Sequence[str], platform: str | None = None,
                 since: dt.date | None = None, until: dt.date | None = None) -> list[dict[str, Any]]:
    """`measure --by BY --format json` rows over the whole data (or one platform), cached like the others."""
    wanted = tuple(dict.fromkeys(m for m in metrics if catalog.get(m) is not None))
    key = ("drill-measure", by, wanted, platform, since, until)

    def compute() -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {"platforms": [platform]} if platform else {}
        result = ws.measure(by, "all", since, until, list(wanted), **kwargs)
        rows: list[dict[str, Any]] = services.plain(result.to_dict())["rows"]
        return rows

    return services.cached(ws, key, compute) if wanted else []


def account_rows(ws: Workspace, platform: str, since: dt.date | None = None,
                 until: dt.date | None = None) -> list[dict[str, Any]]:
    """`measure --by account` of one platform's accounts (posts, costs and audience) over the whole data, or
    from `since` to `until`: the rows the account pages and the accounts list share."""
    return measure_rows(ws, "account", ACCOUNT_METRICS, platform=platform, since=since, until=until)


def owned_accounts(ws: Workspace, plan: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Every account the plan's rule owns with data (posts or an audience), by platform then name: `platform`,
    `account` (as the measurements key it) and its LISTED figures. The platforms are the plan's and the data's;
    which accounts are owned is measure's rule (metrics.md, "owned accounts")."""
    if not services.has_data(ws):
        return []
    found = services._query(ws, "SELECT DISTINCT lower(platform) AS platform FROM owned_messages "
                                "UNION SELECT DISTINCT lower(platform) FROM audience", [])
    platforms = {str(p).strip().lower() for p in ((plan or {}).get("accounts") or {})}
    platforms |= {str(r["platform"]) for r in found if r.get("platform")}
    out = []
    for platform in sorted(platforms):
        rows = account_rows(ws, platform)
        keys = sorted({str(r["key"]) for r in rows if r.get("key") is not None and r.get("n")}, key=str.lower)
        out += [{"platform": platform, "account": key, "figures": figures(rows, key, LISTED)} for key in keys]
    return out


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def kpi_days(plan: dict[str, Any], diagnosis: dict[str, Any] | None) -> tuple[dt.date | None, dt.date | None]:
    """The days the diagnosis measures KPIs and judges tactics on (diagnose/inputs.py `kpi_window`): from the
    horizon's start to its as-of day, never past the horizon's end (without a diagnosis, the horizon)."""
    horizon = plan.get("horizon") or {}
    start, end = _date(horizon.get("start")), _date(horizon.get("end"))
    ends = [d for d in (_date((diagnosis or {}).get("as_of")), end) if d is not None]
    return start, min(ends) if ends else None


def figures(rows: list[dict[str, Any]], key: str, metrics: Sequence[str]) -> list[dict[str, Any]]:
    """One key's rows in the order of `metrics` (a metric without a row shows as no data)."""
    found = {r["metric"]: r for r in rows if str(r.get("key")) == key}
    out = []
    for metric in dict.fromkeys(metrics):
        spec = catalog.get(metric)
        if spec is None:
            continue
        row = found.get(metric, {})
        out.append({"metric": metric, "unit": spec.unit, "value": row.get("value"), "n": row.get("n") or 0,
                    "numerator": row.get("numerator"), "denominator": row.get("denominator")})
    return out


def answers_only(rows: list[dict[str, Any]], key: str) -> bool:
    """Whether `key`'s owned messages in `rows` are all replies: its `posts` row counts none of its owned
    messages as a post (the row's n is the owned messages it is counted over)."""
    row = next((r for r in rows if r.get("metric") == "posts" and str(r.get("key")) == key), None)
    return row is not None and not row.get("value") and bool(row.get("n"))


def answers_only_all(rows: list[dict[str, Any]], keys: Sequence[str]) -> bool:
    """Whether the tactics `keys` only answer: one at least does (`answers_only`), and none has a post."""
    posting = any(r.get("value") for r in rows if r.get("metric") == "posts" and str(r.get("key")) in keys)
    return not posting and any(answers_only(rows, k) for k in keys)


def objective_metrics(objective: dict[str, Any]) -> list[str]:
    return [k["metric"] for k in objective.get("kpis") or []]


def tactic_verdict(diagnosis: dict[str, Any] | None, tactic: str, currency: str | None = None,
                   objective: str | None = None) -> dict[str, Any] | None:
    """The tactic's own verdict under `objective` (a tactic serving two objectives has one verdict for each;
    without `objective`, the first found); under a `strategy_failing` objective (which gives its missing tactics
    no verdict of their own) what the tactic's own figures show, from the evidence that verdict cites."""
    verdicts = [v for v in (diagnosis or {}).get("verdicts", []) if objective is None
                or v.get("objective") == objective]
    own = next((v for v in verdicts if v.get("tactic") == tactic), None)
    if own is not None:
        return {**own, "own_figures": None}
    failing = next((v for v in verdicts if v.get("kind") == "strategy_failing" and tactic in (v.get("tactics") or [])),
                   None)
    if failing is None:
        return None
    mine = [e for e in failing.get("details") or [] if e.get("tactic") == tactic]
    return {**failing, "tactic": tactic, "own_figures": "; ".join(describe(e, currency) for e in mine) + "."
            if mine else "misses the objective's KPIs."}


def tactic_verdicts(diagnosis: dict[str, Any] | None, tactic: dict[str, Any], currency: str | None = None
                    ) -> list[dict[str, Any]]:
    """The tactic's verdict under each objective it serves, in the plan's order: `{"objective", "verdict"}`
    (verdict None where that objective has none for it yet)."""
    return [{"objective": o, "verdict": tactic_verdict(diagnosis, tactic["id"], currency, o)}
            for o in dict.fromkeys(tactic.get("serves") or [])]


def describe(evidence: dict[str, Any], currency: str | None = None) -> str:
    """One evidence of diagnose's JSON in the words the verdicts use."""
    from strategyfirst.diagnose.diagnosis import TacticEvidence
    from strategyfirst.diagnose.verdicts import describe as words

    return words(TacticEvidence(**evidence), currency)


def ranked_tactics(plan: dict[str, Any], objective: dict[str, Any], diagnosis: dict[str, Any] | None,
                   rows: list[dict[str, Any]], currency: str | None = None,
                   days: tuple[dt.date | None, dt.date | None] = (None, None)) -> tuple[list[dict[str, Any]], str]:
    """The objective's tactics, best first on its first KPI (by the metric's direction; no data last), each
    with its value of every KPI metric, spend and verdict; and the ranking rule in words. `rows` are measured
    over `days` (kpi_days: the KPIs' own), which the rule names."""
    metrics = objective_metrics(objective)
    tactics = [t for t in plan.get("tactics") or [] if objective["id"] in (t.get("serves") or [])]
    out = []
    for t in tactics:
        shown = figures(rows, t["id"], [*metrics, "spend"])
        out.append({"id": t["id"], "channel": t.get("channel"), "owner": t.get("owner"), "budget": t.get("budget"),
                    "figures": shown, "verdict": tactic_verdict(diagnosis, t["id"], currency, objective["id"])})
    if not metrics:
        return out, "in the plan's order (the objective states no KPI)"
    first = metrics[0]
    spec = catalog.get(first)
    down = spec is not None and spec.direction == "down"

    def key(t: dict[str, Any]) -> tuple[int, float]:
        value = next((f["value"] for f in t["figures"] if f["metric"] == first), None)
        if value is None:
            return (1, 0.0)
        return (0, value if down else -value)

    out.sort(key=key)  # stable: ties keep the plan's order
    label = spec.label if spec is not None else first
    rule = f"by {label}, {'lowest' if down else 'highest'} first (tactics without data last)"
    since, until = days
    if since or until:
        rule += f", over {since or 'the start'} to {until or 'the latest data'}, the days its KPIs are measured on"
    return out, rule


def diagnosis_or_none(ws: Workspace, as_of: dt.date | None = None) -> tuple[dict[str, Any] | None, str | None]:
    try:
        return services.diagnose_json(ws, as_of), None
    except StrategyFirstError as exc:
        return None, str(exc)


# KPI statuses from worst to best: an objective takes the colour of its worst KPI (strategy map, objective page).
_WORST = ["off_track", "at_risk", "not_enough_data", "not_judged", "no_data", "on_track", "met"]


def worst(statuses: list[str]) -> str:
    """The objective's colour: its worst KPI status ("no_data" without any; an unknown one ranks as
    not_enough_data)."""
    return min(statuses or ["no_data"], key=lambda s: _WORST.index(s) if s in _WORST else 2)
