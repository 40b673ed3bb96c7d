"""Tactic-vs-strategy verdicts on constructed inputs, and the false-alarm rate of noise alone."""

from __future__ import annotations

import json

import numpy as np

from strategyfirst.diagnose import diagnose
from strategyfirst.diagnose.diagnosis import TacticEvidence
from strategyfirst.diagnose.verdicts import judge_objective
from tests.diagnose.conftest import dialogue_inputs


def kinds(inputs) -> dict[str | None, str]:
    return {v.tactic: v.kind for v in diagnose(inputs).verdicts}


def test_most_tactics_missing_is_a_failing_strategy() -> None:
    inputs = dialogue_inputs({"a": (300, 500), "b": (290, 500), "c": (480, 500)})
    verdicts = diagnose(inputs).verdicts
    strategy = [v for v in verdicts if v.kind == "strategy_failing"]
    assert len(strategy) == 1
    assert strategy[0].tactic is None and set(strategy[0].tactics) == {"a", "b"}
    assert strategy[0].probability is not None and strategy[0].probability >= 0.9
    # Issue 13.10/13.8: numbers by unit and probabilities in words, never "P(worse than 0.855)=0.76".
    assert "premise" in strategy[0].evidence and "response rate 60.0%" in strategy[0].evidence
    assert "over 99% likely to stay below 85.5%" in strategy[0].evidence
    assert "P(" not in strategy[0].evidence and "dispersion" not in strategy[0].evidence
    assert {v.tactic: v.kind for v in verdicts if v.tactic} == {"c": "working"}


def test_one_tactic_missing_while_others_work_is_a_failing_tactic() -> None:
    # The objective as a whole answers 0.8 (off track), so the tactic is failing, not dead weight.
    inputs = dialogue_inputs({"a": (300, 500), "b": (480, 500), "c": (470, 500)}, objective=(1200, 1500))
    assert kinds(inputs) == {"a": "tactic_failing", "b": "working", "c": "working"}


def test_missing_while_objective_on_track_and_spending_is_dead_weight() -> None:
    inputs = dialogue_inputs({"a": (300, 500), "b": (4800, 5000), "c": (4700, 5000)},
                             objective=(9500, 10000), spend={"a": 800.0})
    diagnosis = diagnose(inputs)
    assert diagnosis.kpis[0].status == "on_track"
    assert {v.tactic: v.kind for v in diagnosis.verdicts} == {"a": "tactic_dead_weight", "b": "working",
                                                               "c": "working"}
    dead = next(v for v in diagnosis.verdicts if v.kind == "tactic_dead_weight")
    assert "800" in dead.evidence and dead.spend == 800.0


def test_missing_spend_majority_is_a_failing_strategy() -> None:
    # Two of five tactics miss, but they carry 80 % of the spend.
    rates = {"a": (300, 500), "b": (300, 500), "c": (480, 500), "d": (480, 500), "e": (480, 500)}
    inputs = dialogue_inputs(rates, spend={"a": 4000.0, "b": 4000.0, "c": 700.0, "d": 700.0, "e": 600.0})
    strategy = [v for v in diagnose(inputs).verdicts if v.kind == "strategy_failing"]
    assert len(strategy) == 1 and set(strategy[0].tactics) == {"a", "b"}


def test_too_little_data_says_how_much_more() -> None:
    inputs = dialogue_inputs({"a": (9, 12), "b": (10, 12)})
    verdicts = diagnose(inputs).verdicts
    assert {v.kind for v in verdicts} == {"not_enough_data"}
    assert all(v.more_needed is not None and v.more_needed > 0 for v in verdicts)
    assert all("more" in v.evidence for v in verdicts)


def test_no_attributed_data() -> None:
    inputs = dialogue_inputs({"a": (480, 500)})
    inputs.plan.tactics.append(inputs.plan.tactics[0].model_copy(update={"id": "silent"}))
    found = {v.tactic: v for v in diagnose(inputs).verdicts}
    assert found["silent"].kind == "not_enough_data" and "no attributed data" in found["silent"].evidence


def test_json_shape_per_cli_md() -> None:
    data = diagnose(dialogue_inputs({"a": (300, 500), "b": (480, 500)}, spend={"a": 100.0, "b": 100.0}))
    doc = json.loads(json.dumps(data.to_json()))
    assert set(doc) >= {"as_of", "kpis", "verdicts", "budget"}
    assert doc["as_of"] == "2026-06-30"
    assert set(doc["kpis"][0]) >= {"objective", "metric", "actual", "target", "expected_now",
                                   "forecast_at_deadline", "status"}
    assert set(doc["verdicts"][0]) >= {"kind", "objective", "tactic", "evidence", "probability"}
    for move in doc["budget"]:
        assert set(move) >= {"from", "to", "amount", "why"}


def _evidence(tactic: str, p_miss: float, state: str) -> TacticEvidence:
    return TacticEvidence(tactic, "response_rate", 0.9, 0.855, 0.8, 100, 0.7, 0.9, p_miss, state, None,
                          "beta")  # type: ignore[arg-type]


def test_judge_single_tactic_objective() -> None:
    verdicts = judge_objective("o", {"only": [_evidence("only", 0.99, "missing")]}, {}, on_track=False)
    assert [v.kind for v in verdicts] == ["tactic_failing"]
    assert "only tactic" in verdicts[0].evidence


def test_noise_alone_rarely_raises_an_alarm() -> None:
    """200 objectives of three tactics whose true response rate sits exactly on the 0.9 target."""
    rng = np.random.default_rng(2026)
    alarms = 0
    seeds = 200
    for _ in range(seeds):
        rates = {}
        for tactic in ("a", "b", "c"):
            n = int(rng.integers(20, 400))
            rates[tactic] = (int(rng.binomial(n, 0.9)), n)
        from strategyfirst.diagnose.verdicts import verdicts as judge

        found = judge(dialogue_inputs(rates), [])
        if any(v.kind in ("tactic_failing", "strategy_failing", "tactic_dead_weight") for v in found):
            alarms += 1
        assert {v.kind for v in found} <= {"working", "not_enough_data", "tactic_failing", "strategy_failing",
                                           "tactic_dead_weight"}
    assert alarms / seeds <= 0.05


def test_failing_tactics_are_found_over_many_seeds() -> None:
    """The power side of the same check: a tactic at 0.6 (target 0.9) with 100+ messages is caught."""
    rng = np.random.default_rng(7)
    caught = 0
    for _ in range(100):
        n = int(rng.integers(100, 400))
        rates = {"bad": (int(rng.binomial(n, 0.6)), n), "good": (int(rng.binomial(n, 0.95)), n),
                 "fine": (int(rng.binomial(n, 0.95)), n)}
        from strategyfirst.diagnose.verdicts import verdicts as judge

        found = {v.tactic: v.kind for v in judge(dialogue_inputs(rates), [])}
        caught += found.get("bad") == "tactic_failing"
    assert caught >= 98


def test_noise_alone_in_reply_times_rarely_raises_an_alarm() -> None:
    """200 objectives of three desks whose true median reply time sits exactly on the 60-minute target."""
    from strategyfirst.diagnose.evidence import quantile_evidence

    rng = np.random.default_rng(11)
    alarms = 0
    for _ in range(200):
        evidence = {}
        for tactic in ("a", "b", "c"):
            gaps = rng.lognormal(np.log(60.0), 1.0, int(rng.integers(30, 300)))
            evidence[tactic] = [quantile_evidence(tactic, "first_response_minutes_median", gaps, 0.5, 60.0,
                                                  "down")]
        found = judge_objective("dialogue", evidence, {}, on_track=False)
        alarms += any(v.kind in ("tactic_failing", "strategy_failing", "tactic_dead_weight") for v in found)
    assert alarms / 200 <= 0.05


def test_slow_desk_is_found_by_its_reply_times() -> None:
    from strategyfirst.diagnose.evidence import quantile_evidence

    rng = np.random.default_rng(12)
    evidence = {t: [quantile_evidence(t, "first_response_minutes_median", rng.lognormal(np.log(m), 1.0, 300),
                                      0.5, 60.0, "down")] for t, m in (("slow", 240.0), ("quick", 20.0))}
    assert {v.tactic: v.kind for v in judge_objective("dialogue", evidence, {}, on_track=False)} == {
        "slow": "tactic_failing", "quick": "working"}
