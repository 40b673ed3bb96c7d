"""Localised analytics.twitter.com exports (Portuguese, Spanish, French, German headers and number styles,
written from the English rOpenSci files at test time): every sum must equal the English file's."""

from __future__ import annotations

from pathlib import Path

import pytest

from strategyfirst.errors import StrategyFirstError
from strategyfirst.workspace import Workspace
from tests.truth import reference as ref
from tests.truth.localise import localise
from tests.truth.support import check

# Two months per language, none adjacent to another language's (a tweet can sit in two monthly exports).
MONTHS = {"pt": (0, 2), "es": (10, 12), "fr": (20, 22), "de": (30, 32)}
METRICS = ["posts", "impressions", "engagements", "follows_from_posts", "click_through_rate", "amplification_rate",
           "likes", "comments", "shares"]
BYS = (("account", "month"), ("none", "month"))


def english(shared_data: Path, lang: str) -> list[Path]:
    files = sorted((shared_data / "x-analytics/rOpenSci").glob("*_en.csv"))
    return [files[i] for i in MONTHS[lang]]


@pytest.fixture(scope="module")
def ws(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    folder = tmp_path_factory.mktemp("x-localised")
    ws = Workspace(folder / "ws")
    for lang in MONTHS:
        copies = [localise(p, lang, folder) for p in english(shared_data, lang)]
        try:
            ws.ingest(copies)
        except StrategyFirstError as exc:  # a refused language shows as that language's failures
            print(f"{lang}: {exc}")
    return ws


def cases() -> list[object]:
    out = []
    for lang in MONTHS:
        for metric in METRICS:
            out.append(pytest.param(lang, metric, id=f"{lang}-{metric}"))
    return out


@pytest.mark.parametrize(("lang", "metric"), cases())
def test_sums_equal_the_english_files(lang: str, metric: str, shared_data: Path, ws: Workspace) -> None:
    records = ref.x_analytics(english(shared_data, lang))
    check(metric, {bp: ref.owned_metric(records, metric, *bp) for bp in BYS}, ws, only_expected=True)
