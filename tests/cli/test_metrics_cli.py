"""`strategyfirst metrics` and docs/metrics.md: both the one catalogue, every metric with a plain label."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from strategyfirst import catalog
from strategyfirst.cli_metrics import catalogue_markdown
from strategyfirst.metrics import REGISTRY
from tests.cli.support import run

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "metrics.md"
REGENERATE = "regenerate it: python -m strategyfirst.cli_metrics > docs/metrics.md"


def test_docs_metrics_md_is_what_the_registry_renders() -> None:
    assert DOC.read_text(encoding="utf-8") == catalogue_markdown(), REGENERATE


def test_every_registry_metric_is_one_documented_row_with_its_label() -> None:
    rows = re.findall(r"^\| `([a-z_0-9]+)` \| ([^|]+) \| (\w+) \|", DOC.read_text(encoding="utf-8"), flags=re.M)
    assert sorted(r[0] for r in rows) == sorted(REGISTRY)  # each once, no stale row
    for metric_id, label, unit in rows:
        assert label.strip() == catalog.LABELS[metric_id]
        assert unit == REGISTRY[metric_id].spec.unit


@pytest.mark.parametrize("metric_id", sorted(REGISTRY))
def test_every_metric_has_a_plain_label(metric_id: str) -> None:
    label = catalog.LABELS.get(metric_id)
    assert label, f"add a label for {metric_id!r} to strategyfirst.catalog.LABELS"
    assert "_" not in label and label[0].isupper() and len(label) <= 40
    if REGISTRY[metric_id].spec.unit == "minutes":
        assert label.endswith("(min)")


def test_labels_are_distinct() -> None:
    labels = [catalog.LABELS[m] for m in REGISTRY]
    assert len(labels) == len(set(labels))


def test_metrics_json_lists_the_catalogue(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["metrics", "--format", "json"], monkeypatch, capsys)
    assert code == 0 and err == ""
    rows = json.loads(out)["metrics"]
    assert [r["id"] for r in rows] == list(catalog.METRIC_IDS)
    median = next(r for r in rows if r["id"] == "first_response_minutes_median")
    assert median["label"] == "Median first response (min)"
    assert (median["unit"], median["direction"], median["version"]) == ("minutes", "down", 1)
    assert "earliest reply" in median["formula"]
    assert {"id", "label", "unit", "direction", "formula", "version"} <= set(rows[0])


def test_metrics_text_shows_label_unit_direction_and_formula(monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["metrics"], monkeypatch, capsys)
    assert code == 0
    lines = out.splitlines()
    i = next(i for i, line in enumerate(lines) if line.strip().startswith("response_rate "))
    assert "Response rate" in lines[i] and "ratio" in lines[i] and "higher is better" in lines[i]
    assert "inbound messages" in lines[i + 1]
    for metric_id in catalog.METRIC_IDS:
        assert any(line.strip().startswith(metric_id + " ") for line in lines), metric_id


def test_readme_links_only_to_files_in_the_repository() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in text
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if not re.match(r"[a-z]+://", target):
            assert (ROOT / target).exists(), target
    assert "(docs/metrics.md)" in text
