"""Dialogue metrics on the hand-made organisation: Ibis result == plain-Python reference == hand values."""

from __future__ import annotations

import pytest

from strategyfirst.metrics import measure
from tests.metrics import reference
from tests.metrics.conftest import Org

DIALOGUE = ["inbound_messages", "response_rate", "first_response_minutes_median",
            "first_response_minutes_p90", "sentiment_inbound_mean"]


def test_dialogue_by_account_matches_reference_and_hand_values(org: Org) -> None:
    result = measure(org.backend, org.plan, by="account", metric_ids=DIALOGUE)
    ref = reference.dialogue_by_account(org.msgs, org.plan.accounts)
    # By hand: AcmeHelp has 1 (answered after 30 min), 4 and 5 (unanswered); Acme has 5 (20 min), 7, 11 (its
    # reply is 60 min *before* it: a negative gap, excluded) and 14 (no timestamp).
    assert ref["acmehelp"]["inbound_messages"] == 3 and ref["acme"]["inbound_messages"] == 4
    assert ref["acmehelp"]["first_response_minutes_median"] == 30 and ref["acme"]["gap_n"] == 1
    for account, shown in (("acmehelp", "AcmeHelp"), ("acme", "Acme")):
        for metric in DIALOGUE:
            assert result.value(metric, shown) == pytest.approx(ref[account][metric]), (account, metric)
    assert result.row("response_rate", "Acme") == {
        "metric": "response_rate", "by": "account", "key": "Acme", "period": "all", "value": 0.5, "n": 4,
        "unit": "ratio", "version": 1, "numerator": 2, "denominator": 4, "platform": "x"}
    assert result.row("first_response_minutes_median", "Acme")["n"] == 1  # type: ignore[index]


def test_dialogue_overall_counts_each_addressed_account(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=DIALOGUE)
    # 7 (message, account) pairs, 3 answered; gaps 30 and 20 minutes.
    assert result.value("inbound_messages") == 7
    assert result.value("response_rate") == pytest.approx(3 / 7)
    assert result.value("first_response_minutes_median") == pytest.approx(25.0)
    assert result.value("first_response_minutes_p90") == pytest.approx(20 + 0.9 * 10)


def test_conversation_metrics_match_reference(org: Org) -> None:
    ids = ["conversation_response_rate", "conversation_depth_mean", "sentiment_lift"]
    result = measure(org.backend, org.plan, metric_ids=ids)
    ref = reference.conversation_metrics(org.msgs)
    # By hand: 8 conversations involve an owned account (15 messages); 4 are audience-started, 2 answered.
    assert ref["conversation_depth_mean"] == pytest.approx(15 / 8)
    assert ref["conversation_response_rate"] == 0.5
    by_id = {m["message_id"]: m for m in org.msgs}
    assert ref["sentiment_lift"] == pytest.approx(by_id["x:4"]["sentiment"] - by_id["x:1"]["sentiment"])
    for metric, expected in ref.items():
        assert result.value(metric) == pytest.approx(expected), metric
    assert result.row("sentiment_lift")["n"] == 1  # type: ignore[index]


def test_dialogue_ratio_counts_missing_parents_as_audience(org: Org) -> None:
    result = measure(org.backend, org.plan, metric_ids=["dialogue_ratio"])
    # Owned: 2, 3, 6, 12 reply to customers, 13 to a missing parent, 16 to an owned post; 9 owned in all.
    assert reference.reach_metrics(org.msgs)["dialogue_ratio"] == pytest.approx(5 / 9)
    assert result.row("dialogue_ratio") == {
        "metric": "dialogue_ratio", "by": "none", "key": "all", "period": "all",
        "value": pytest.approx(5 / 9), "n": 9, "unit": "ratio", "version": 1, "numerator": 5,
        "denominator": 9, "platform": None}


def test_data_quality_counts(org: Org) -> None:
    quality = measure(org.backend, org.plan, metric_ids=["posts"]).data_quality
    assert quality["negative_reply_gaps"] == 1  # message 12 answers 11 an hour before it was written
    assert quality["messages_without_timestamp"] == 1  # message 14
    assert quality["replies_with_missing_parent"] == 1  # message 13
    assert quality["owned_unattributed"] == 0
    assert quality["rows_rejected"] == 0


def test_by_account_by_month_drops_undated_messages(org: Org) -> None:
    result = measure(org.backend, org.plan, by="account", period="month", metric_ids=["inbound_messages"])
    got = {(r["key"], r["period"]): r["value"] for r in result.rows if r["value"] is not None}
    # January: AcmeHelp 1, 4, 5; Acme 5, 7. May: Acme 11. Message 14 has no date.
    assert got == {("AcmeHelp", "2026-01"): 3, ("Acme", "2026-01"): 2, ("Acme", "2026-05"): 1}
