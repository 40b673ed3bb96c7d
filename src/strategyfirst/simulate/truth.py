"""truth.json: what the simulator built in, and the figures it realised, for checking diagnosis against.

Design fields say what was intended (which tactic is built to work or fail and why); `realised` fields are
computed from the data as written, with the formulas of metrics.md. Schema (version 1)::

    schema, generator {seed, events}, organisation
    window {start, end, as_of, horizon_end, timezone}           # data covers start..end, UTC
    counts {twcs, x_analytics, facebook_posts, instagram_posts, tiktok_posts, linkedin_posts, messages}
    files {<source name>: [paths relative to the output folder]}
    plan {file, total_budget}
    strategy_failing_objective                                  # the objective whose every tactic fails
    objectives {<id>: {expected_verdict, expected_status, working_tactics, failing_tactics, undecided_tactics,
                       why,
                       kpis [{metric, target, ...}], realised {...}}}
    tactics {<id>: {objective, works, expected_verdict, why, budget, spend, account?, design?, realised}}
    accounts {<handle>: {inbound_messages, answered, response_rate, first_response_minutes_median,
                         first_response_minutes_p90, conversations, conversation_response_rate,
                         conversation_depth_mean, sentiment_lift, sentiment_lift_conversations,
                         by_month {YYYY-MM: {inbound_messages, answered, response_rate, median, p90}}}}
    posts {<account>: {posts, impressions, engagements, engagement_rate, follows? | reach, tagged {...}}}
    platforms {<platform>: {platform, tactic, posts, impressions, engagements, engagement_rate, <parts>,
                            followers_before, followers_gained, followers_last}}
    audience {<platform>:<account>: {metric, value_before, first_value, last_value, gained, lost,
                                     net_change_sum_of_deltas, net_change_last_minus_first}}
    spend {<tactic>: total}
    capacity {model, handling_minutes, target_minutes, service_level, timezone, volume, designed_short_hours,
              short_hours_text, short_hours [{weekday, hour, arrivals_per_hour, needed, declared}],
              staffing_in_plan, arrivals_per_hour [168], needed [168], declared [168]}   # Monday 00h first
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from strategyfirst.simulate import org
from strategyfirst.simulate.plan import KPIS, SOCIAL_BUDGETS, TACTIC_BUDGETS, TOTAL_BUDGET
from strategyfirst.simulate.platforms import PlatformPosts, figures
from strategyfirst.simulate.posts import Posts
from strategyfirst.simulate.staffing import DAY_KEYS
from strategyfirst.simulate.tally import DialogueTally

SCHEMA_VERSION = 1

WHY = {
    "care-desk": "answers about 92% of customer messages, median first reply about 25 minutes "
                 "(slower only at the short-staffed hours)",
    "repairs-desk": "answers about 40% of customer messages, median first reply about 7 hours: "
                    "the workshop answers slowly and often not at all",
    "newsletter": "about 18 net new subscribers a day: ahead of the pace to the permission target",
    "summit-contest": "spends about 7,600 EUR in May-June on a dedicated account whose posts get almost no "
                      "engagement (about 0.04% of impressions) and no followers",
    "commute-tips": "engagement rate about 0.6% of impressions against a 4% target",
    "ride-stories": "engagement rate about 0.9% of impressions against a 4% target",
    "instagram-reels": "engagement rate about 1.3% of views against a 4% target",
    "tiktok-clips": "engagements are about 1.6% of video views, but TikTok Studio gives video views, not "
                    "impressions: the engagement rate the awareness KPI asks for cannot be measured for it",
    "linkedin-updates": "engagement rate about 1.1% of impressions against a 4% target",
}
VERDICTS = {"care-desk": "working", "repairs-desk": "tactic_failing", "newsletter": "working",
            "summit-contest": "tactic_dead_weight", "commute-tips": "strategy_failing",
            "ride-stories": "strategy_failing", "instagram-reels": "strategy_failing",
            "tiktok-clips": "not_enough_data", "linkedin-updates": "strategy_failing"}
OBJECTIVES: dict[str, dict[str, Any]] = {
    "dialogue": {"expected_verdict": "tactic_failing", "expected_status": "off_track",
                 "working_tactics": ["care-desk"], "failing_tactics": ["repairs-desk"],
                 "why": "one desk works and one fails: a failing tactic, not a failing strategy"},
    "permission": {"expected_verdict": "tactic_dead_weight", "expected_status": "on_track",
                   "working_tactics": ["newsletter"], "failing_tactics": ["summit-contest"],
                   "why": "on track thanks to the newsletter; the contest spends without adding anyone"},
    "awareness": {"expected_verdict": "strategy_failing", "expected_status": "off_track",
                  "working_tactics": [], "failing_tactics": ["commute-tips", "ride-stories"],
                  "why": "every tactic misses the engagement target by far: the premise of the objective, "
                         "not one tactic, needs review"},
}


def _r(x: float) -> float:
    return round(float(x), 6)


def _post_figures(posts: Posts) -> dict[str, Any]:
    imp, eng = int(posts.impressions.sum()), int(posts.engagements.sum())
    out: dict[str, Any] = {"posts": len(posts), "impressions": imp, "engagements": eng,
           "engagement_rate": _r(eng / imp) if imp else None}
    if "follows" in posts.parts:
        out["follows"] = int(posts.parts["follows"].sum())
    if "reach" in posts.parts:
        reach = int(posts.parts["reach"].sum())
        out.update(reach=reach, engagement_rate_by_reach=_r(eng / reach) if reach else None,
                   untagged_posts=int((~posts.tagged).sum()))
        tagged = posts.tagged
        t_imp, t_eng = int(posts.impressions[tagged].sum()), int(posts.engagements[tagged].sum())
        out["tagged"] = {"posts": int(tagged.sum()), "impressions": t_imp, "engagements": t_eng,
                         "engagement_rate": _r(t_eng / t_imp) if t_imp else None}
    return out


def _capacity(per_hour: np.ndarray, needed: np.ndarray, declared: np.ndarray) -> dict[str, Any]:
    short = [{"weekday": DAY_KEYS[h // 24], "hour": h % 24, "arrivals_per_hour": _r(per_hour[h]),
              "needed": int(needed[h]), "declared": int(declared[h])}
             for h in range(168) if declared[h] < needed[h]]
    return {
        "model": "Erlang C (M/M/c), no abandonment, no shrinkage, each hour of week in steady state",
        "handling_minutes": org.HANDLING_MINUTES, "target_minutes": org.TARGET_MINUTES,
        "service_level": org.SERVICE_LEVEL, "timezone": "UTC",
        "volume": "inbound (customer) messages per hour of week / occurrences of that hour in the window",
        "designed_short_hours": [{"weekday": DAY_KEYS[h // 24], "hour": h % 24}
                                 for h in sorted(org.SHORT_HOURS)],
        "short_hours_text": org.SHORT_TEXT,
        "short_hours": short,
        "staffing_in_plan": "readiness.response.staffing",
        "arrivals_per_hour": [_r(x) for x in per_hour], "needed": [int(x) for x in needed],
        "declared": [int(x) for x in declared],
    }


def build_truth(*, seed: int, events: int, tally: DialogueTally, scores: dict[int, np.ndarray],
                x_posts: list[tuple[Posts, np.ndarray]], fb: Posts, audience: dict[str, dict[str, Any]],
                spend: dict[str, float], per_hour: np.ndarray, needed: np.ndarray, declared: np.ndarray,
                files: dict[str, list[str]], counts: dict[str, int], social: list[PlatformPosts] | None = None
                ) -> dict[str, Any]:
    social = social or []
    accounts = tally.summary(scores)
    posts = {p.design.account: _post_figures(p) for p, _ in x_posts}
    posts[org.FB_PAGE] = _post_figures(fb)
    desk_of = {d.tactic: (j, d) for j, d in enumerate(org.DESKS)}

    platforms = {p.spec.platform: figures(p) for p in social}
    in_plan = {str(p.spec.design.tactic): platforms[p.spec.platform] for p in social}
    measured = {str(p.spec.design.tactic): platforms[p.spec.platform] for p in social if p.spec.impressions_stored}
    objectives_design = {k: {**v, "failing_tactics": list(v["failing_tactics"]), "undecided_tactics": []}
                         for k, v in OBJECTIVES.items()}
    objectives_design["awareness"]["failing_tactics"] += list(measured)
    objectives_design["awareness"]["undecided_tactics"] += [t for t in in_plan if t not in measured]
    budgets = {**TACTIC_BUDGETS, **{t: SOCIAL_BUDGETS[t] for t in in_plan}}
    tactics: dict[str, Any] = {}
    for tactic, budget in budgets.items():
        objective = next(o for o, v in objectives_design.items()
                         if tactic in v["working_tactics"] + v["failing_tactics"] + v["undecided_tactics"])
        row: dict[str, Any] = {"objective": objective, "works": VERDICTS[tactic] == "working",
                               "expected_verdict": VERDICTS[tactic], "why": WHY[tactic], "budget": budget,
                               "spend": spend.get(tactic, 0.0)}
        if tactic in desk_of:
            d = desk_of[tactic][1]
            row["account"] = d.handle
            row["design"] = {"p_answer": d.p_answer, "p_answer_short_hours": d.p_answer_short,
                             "median_minutes": d.median_minutes,
                             "median_minutes_short_hours": d.median_minutes_short,
                             "lognormal_sigma": d.sigma, "share_of_conversations": d.share}
            row["realised"] = {k: v for k, v in accounts[d.handle].items() if k != "by_month"}
        tactics[tactic] = row
    tactics["newsletter"]["realised"] = audience[f"email:{org.NEWSLETTER}"]
    tactics["summit-contest"]["realised"] = {**posts[org.CONTEST], "audience": audience[f"x:{org.CONTEST}"]}
    tactics["commute-tips"]["realised"] = {**posts[org.BRAND], "dialogue": accounts[org.BRAND]}
    tactics["ride-stories"]["realised"] = posts[org.FB_PAGE]["tagged"]
    for tactic, realised in in_plan.items():
        tactics[tactic]["realised"] = realised

    aware_imp = posts[org.BRAND]["impressions"] + posts[org.FB_PAGE]["tagged"]["impressions"] + sum(
        r["impressions"] for r in measured.values())
    aware_eng = posts[org.BRAND]["engagements"] + posts[org.FB_PAGE]["tagged"]["engagements"] + sum(
        r["engagements"] for r in measured.values())
    growth = (audience[f"email:{org.NEWSLETTER}"]["net_change_sum_of_deltas"]
              + audience[f"x:{org.CONTEST}"]["net_change_sum_of_deltas"])
    span = (org.HORIZON_END - org.START).days
    objectives: dict[str, dict[str, Any]] = {k: {**v, "kpis": [dict(x) for x in KPIS[k]]}
                                             for k, v in objectives_design.items()}
    objectives["dialogue"]["realised"] = tally.pooled([desk_of["care-desk"][0],
                                                       desk_of["repairs-desk"][0]])
    objectives["permission"]["realised"] = {
        "audience_growth": growth,
        "expected_now": _r(5000 * (org.AS_OF - org.START).days / span)}
    objectives["awareness"]["realised"] = {
        "impressions": aware_imp, "engagements": aware_eng,
        "engagement_rate": _r(aware_eng / aware_imp) if aware_imp else None}

    return {
        "schema": SCHEMA_VERSION,
        "generator": {"seed": seed, "events": events},
        "organisation": org.ORGANISATION,
        "window": {"start": org.START.isoformat(), "end": (org.END - dt.timedelta(days=1)).isoformat(),
                   "as_of": org.AS_OF.isoformat(), "horizon_end": org.HORIZON_END.isoformat(),
                   "timezone": "UTC"},
        "counts": {**counts, "messages": sum(counts.values())},
        "files": files,
        "plan": {"file": "strategy.yaml", "total_budget": TOTAL_BUDGET},
        "strategy_failing_objective": "awareness",
        "objectives": objectives,
        "tactics": tactics,
        "accounts": accounts,
        "posts": posts,
        "platforms": platforms,
        "audience": audience,
        "spend": spend,
        "capacity": _capacity(per_hour, needed, declared),
    }
