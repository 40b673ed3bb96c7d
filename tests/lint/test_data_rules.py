"""spend-without-tactic: lint on a workspace with data names spend on campaigns no tactic matches."""

from __future__ import annotations

from pathlib import Path

from strategyfirst.lint import lint_document
from strategyfirst.workspace import Workspace
from tests.lint.plans import AS_OF, doc, example
from tests.sources.test_meta_ads import CAMPAIGNS


def test_fires_per_unmatched_campaign_with_the_amount_and_not_without_data() -> None:
    data = example()
    data["tactics"][2]["match"] = {"campaign": ["summit contest"]}  # case-blind, like the metrics
    spend = [("Summit contest", 1500.0, "EUR"), ("Old promo", 200.0, "EUR"), ("Old promo", 100.5, "EUR")]
    hits = [f for f in lint_document(doc(data), as_of=AS_OF, spend=spend).findings
            if f.rule == "spend-without-tactic"]
    assert [(f.path, f.severity) for f in hits] == [("tactics", "warning")]
    assert hits[0].message.startswith("300.50 EUR was spent on campaign 'Old promo', which no tactic matches")
    assert 'campaign: ["Old promo"]' in hits[0].hint
    assert not [f for f in lint_document(doc(data), as_of=AS_OF).findings if f.rule == "spend-without-tactic"]


def test_workspace_lint_reads_the_warehouse(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    ws.root.mkdir()
    (ws.root / "strategy.yaml").write_text(
        "version: 1\norganisation: Acme\nowner: Jo\nbudget: {total: 9000, currency: UAH}\n"
        "strategy: {statement: Build a permission asset}\n"
        "objectives: [{id: permission, statement: Grow the list, kpis: [{metric: audience_growth, target: 9}]}]\n"
        "tactics: [{id: summit, serves: [permission], owner: Jo, budget: 100, "
        "match: {campaign: [Summit contest]}}]\n", encoding="utf-8")
    assert not [f for f in ws.lint().findings if f.rule == "spend-without-tactic"]
    path = tmp_path / "campaigns.csv"
    path.write_text(CAMPAIGNS, encoding="utf-8")
    ws.ingest([path])
    hits = [f for f in ws.lint().findings if f.rule == "spend-without-tactic"]
    assert [f.message.split(",")[0] for f in hits] == ["850.75 UAH was spent on campaign 'Members drive'"]
