"""truth.json holds in the written files: every figure recomputed here from the CSVs with plain Python."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from strategyfirst.capacity.erlang import required_servers
from strategyfirst.plan import loads
from strategyfirst.simulate import SimulationSummary, simulate

DESKS = ("NorthwindHelp", "NorthwindRepairs", "NorthwindCycles")


def _p90(values: list[float]) -> float:
    """90th percentile with linear interpolation (metrics.md), by hand."""
    s = sorted(values)
    pos = 0.9 * (len(s) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _when(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")


def dialogue_from_csv(path: Path) -> dict[str, dict[str, Any]]:
    """Per desk: inbound messages (customer tweets mentioning it), answered ones, first-reply gaps."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_id = {r["tweet_id"]: r for r in rows}
    first_reply: dict[str, dt.datetime] = {}
    for r in rows:
        parent = by_id.get(r["in_response_to_tweet_id"])
        if r["inbound"] == "False" and parent is not None and parent["inbound"] == "True":
            t = _when(r["created_at"])
            key = parent["tweet_id"]
            if key not in first_reply or t < first_reply[key]:
                first_reply[key] = t
    out: dict[str, dict[str, Any]] = {}
    for desk in DESKS:
        inbound = [r for r in rows if r["inbound"] == "True" and f"@{desk}" in r["text"]]
        gaps = [(first_reply[r["tweet_id"]] - _when(r["created_at"])).total_seconds() / 60
                for r in inbound if r["tweet_id"] in first_reply]
        out[desk] = {"inbound": len(inbound), "answered": len(gaps), "gaps": gaps, "rows": inbound}
    return out


@pytest.fixture(scope="module")
def truth(sim: SimulationSummary) -> dict[str, Any]:
    return json.loads(sim.truth_path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def dialogue(sim: SimulationSummary) -> dict[str, dict[str, Any]]:
    return dialogue_from_csv(sim.files["twcs"][0])


def test_truth_dialogue_figures_match_the_csv(truth: dict[str, Any], dialogue: dict[str, Any]) -> None:
    for desk in DESKS:
        want, got = dialogue[desk], truth["accounts"][desk]
        assert got["inbound_messages"] == want["inbound"]
        assert got["answered"] == want["answered"]
        assert got["response_rate"] == pytest.approx(want["answered"] / want["inbound"], abs=1e-6)
        median = statistics.median(want["gaps"])
        assert got["first_response_minutes_median"] == pytest.approx(median, abs=1e-5)
        assert got["first_response_minutes_p90"] == pytest.approx(_p90(want["gaps"]), abs=1e-5)


def test_truth_by_month_matches_the_csv(truth: dict[str, Any], dialogue: dict[str, Any]) -> None:
    desk = "NorthwindHelp"
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in dialogue[desk]["rows"]:
        key = _when(r["created_at"]).strftime("%Y-%m")
        months[key][0] += 1
    for key, row in truth["accounts"][desk]["by_month"].items():
        assert row["inbound_messages"] == months[key][0]
    assert set(truth["accounts"][desk]["by_month"]) == set(months)


def test_built_in_desks_work_and_fail_as_stated(truth: dict[str, Any], dialogue: dict[str, Any]) -> None:
    help_rate = dialogue["NorthwindHelp"]["answered"] / dialogue["NorthwindHelp"]["inbound"]
    repairs_rate = dialogue["NorthwindRepairs"]["answered"] / dialogue["NorthwindRepairs"]["inbound"]
    assert 0.88 <= help_rate <= 0.96          # "answers about 92%"
    assert 10 <= statistics.median(dialogue["NorthwindHelp"]["gaps"]) <= 40      # "about 25 minutes"
    assert 0.32 <= repairs_rate <= 0.48        # "answers about 40%"
    assert statistics.median(dialogue["NorthwindRepairs"]["gaps"]) >= 240         # "about 7 hours"
    assert truth["tactics"]["care-desk"]["works"] and not truth["tactics"]["repairs-desk"]["works"]
    assert truth["objectives"]["awareness"]["expected_verdict"] == "strategy_failing"
    assert truth["strategy_failing_objective"] == "awareness"
    assert truth["objectives"]["awareness"]["working_tactics"] == []


def test_posts_spend_and_audience_match_the_files(sim: SimulationSummary, truth: dict[str, Any]) -> None:
    totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for path in sim.files["x-analytics"]:
        with path.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                handle = r["Tweet permalink"].split("/")[3]
                totals[handle][0] += float(r["impressions"])
                totals[handle][1] += float(r["engagements"])
                totals[handle][2] += int(r["follows"])
    for handle, (imp, eng, follows) in totals.items():
        figures = truth["posts"][handle]
        assert (figures["impressions"], figures["engagements"], figures["follows"]) == (imp, eng, follows)
        assert figures["engagement_rate"] == pytest.approx(eng / imp, abs=1e-6)
    contest = totals["NorthwindSummit"]
    assert contest[1] / contest[0] < 0.002 and contest[2] == 0     # no engagement, no followers
    assert totals["NorthwindCycles"][1] / totals["NorthwindCycles"][0] < 0.02   # far below the 4% target

    spent: dict[str, float] = defaultdict(float)
    with sim.files["spend-csv"][0].open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            spent[r["tactic"]] += float(r["amount"])
    assert spent.keys() == truth["spend"].keys()
    for tactic, amount in spent.items():
        assert truth["spend"][tactic] == pytest.approx(amount, abs=0.005)
        assert amount <= truth["tactics"][tactic]["budget"]

    series: dict[str, list[dict[str, str]]] = defaultdict(list)
    with sim.files["audience-csv"][0].open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            series[f"{r['platform']}:{r['account']}"].append(r)
    for key, rows in series.items():
        want = truth["audience"][key]
        assert sum(int(r["gained"]) - int(r["lost"]) for r in rows) == want["net_change_sum_of_deltas"]
        assert int(rows[-1]["value"]) - int(rows[0]["value"]) == want["net_change_last_minus_first"]
        for prev, cur in itertools.pairwise(rows):
            assert int(cur["value"]) == int(prev["value"]) + int(cur["gained"]) - int(cur["lost"])
    assert truth["audience"]["x:NorthwindSummit"]["net_change_sum_of_deltas"] <= 0


def test_plan_is_valid_and_names_the_truths_tactics(sim: SimulationSummary, truth: dict[str, Any]) -> None:
    plan = loads(sim.plan.read_text(encoding="utf-8"), file=str(sim.plan)).plan
    assert {t.id for t in plan.tactics} == set(truth["tactics"])
    assert {o.id for o in plan.objectives} == set(truth["objectives"])
    from strategyfirst.catalog import METRIC_IDS

    assert all(k.metric in METRIC_IDS for o in plan.objectives for k in o.kpis)


def test_short_staffed_hours_hold_in_the_data(sim: SimulationSummary, truth: dict[str, Any],
                                              dialogue: dict[str, Any]) -> None:
    """From the CSV: arrivals per hour of week; Erlang C (the capacity module's) vs the plan's staffing."""
    counts = [0] * 168
    for desk in DESKS:
        for r in dialogue[desk]["rows"]:
            t = _when(r["created_at"])
            counts[t.weekday() * 24 + t.hour] += 1
    occurrences = [0] * 168
    day = dt.datetime(2026, 1, 1)
    while day < dt.datetime(2026, 10, 1):
        occurrences[day.weekday() * 24 + day.hour] += 1
        day += dt.timedelta(hours=1)
    plan = loads(sim.plan.read_text(encoding="utf-8")).plan
    assert plan.readiness is not None and plan.readiness.response is not None
    declared = plan.readiness.response.declared()
    cap = truth["capacity"]
    short = set()
    for h in range(168):
        lam = counts[h] / occurrences[h]
        need = required_servers(lam, cap["handling_minutes"], cap["target_minutes"], cap["service_level"])
        assert cap["needed"][h] == need
        if declared[h // 24][h % 24] < need:
            short.add((h // 24, h % 24))
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    designed = {(days.index(x["weekday"]), x["hour"])
                for x in cap["designed_short_hours"]}
    assert short == designed == {(0, 9), (0, 10), (0, 11), (4, 16), (4, 17)}


def test_short_hours_hold_at_a_larger_size(tmp_path: Path) -> None:
    truth = simulate(tmp_path / "big", events=60_000, seed=2).truth
    got = {(x["weekday"], x["hour"]) for x in truth["capacity"]["short_hours"]}
    assert got == {("mon", 9), ("mon", 10), ("mon", 11), ("fri", 16), ("fri", 17)}
    assert all(x["declared"] < x["needed"] for x in truth["capacity"]["short_hours"])
