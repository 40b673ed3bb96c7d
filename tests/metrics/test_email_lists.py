"""Email lists in the permission asset beside followers: per list and per platform, gains and churn
(unsubscribed + cleaned), from the real anonymised Mailchimp exports; expected counts from the csv module."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from strategyfirst.workspace import Workspace

FIXTURES = "newsletter/tryghost-fixtures"
AUDIENCE = ["audience_size", "audience_growth", "audience_gained", "audience_lost"]


def count(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_lists_and_followers_per_account_and_platform(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / FIXTURES
    subscribed, unsubscribed, cleaned = (count(folder / f"{s}.csv") for s in ("subscribed", "unsubscribed",
                                                                               "cleaned"))
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir(parents=True)
    (ws.root / "strategy.yaml").write_text(
        "version: 1\naccounts: {email: [Members letter], x: [acme]}\n"
        "strategy: {statement: Build a permission asset}\n"
        "objectives: [{id: permission, statement: Grow the list, kpis: [{metric: audience_growth, target: 9}]}]\n"
        "tactics: [{id: newsletter, channel: email, serves: [permission], match: {accounts: [Members letter]}}]\n",
        encoding="utf-8")
    ws.ingest([folder / f"{s}.csv" for s in ("subscribed", "unsubscribed", "cleaned")], account="Members letter")
    followers = tmp_path / "followers.csv"
    followers.write_text("date,platform,account,metric,value,gained,lost\n"
                         "2023-01-01,x,acme,followers,100,,\n2023-04-30,x,acme,followers,130,,\n", encoding="utf-8")
    ws.ingest([followers])
    by_account = ws.measure(by="account", metrics=AUDIENCE)
    # Every member joined once; the unsubscribed and cleaned ones left once; the list is the subscribed export.
    assert by_account.value("audience_gained", "Members letter") == subscribed + unsubscribed + cleaned
    assert by_account.value("audience_lost", "Members letter") == unsubscribed + cleaned
    assert by_account.value("audience_size", "Members letter") == subscribed
    assert by_account.value("audience_growth", "Members letter") == subscribed
    assert by_account.value("audience_growth", "acme") == 30
    by_platform = ws.measure(by="platform", metrics=AUDIENCE)
    assert by_platform.value("audience_lost", "email") == unsubscribed + cleaned
    assert by_platform.value("audience_size", "x") == 130
    overall = ws.measure(metrics=AUDIENCE)
    assert overall.value("audience_size") == pytest.approx(subscribed + 130)  # the asset: list + followers
    assert overall.value("audience_growth") == pytest.approx(subscribed + 30)
    by_tactic = ws.measure(by="tactic", metrics=AUDIENCE)  # the plan's email list is the tactic's account
    assert by_tactic.value("audience_lost", "newsletter") == unsubscribed + cleaned
    assert by_tactic.value("audience_size", "newsletter") == subscribed
    # A member export lists every member: months without a join or a leave are no gap in the data.
    assert overall.data_quality["audience_gaps"] == []
