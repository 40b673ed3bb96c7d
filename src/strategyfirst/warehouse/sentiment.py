"""VADER compound scores of message texts: each distinct text scored once, in parallel for large batches."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

# Below this many texts the start-up of worker processes costs more than it saves.
PARALLEL_THRESHOLD = 20_000
CHUNK = 5_000

_ANALYZER: Any = None


def _analyzer() -> Any:
    global _ANALYZER
    if _ANALYZER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _ANALYZER = SentimentIntensityAnalyzer()
    return _ANALYZER


def _score_chunk(texts: Sequence[str]) -> list[float]:
    analyzer = _analyzer()
    return [float(analyzer.polarity_scores(t)["compound"]) for t in texts]


def score(texts: Sequence[str], *, workers: int | None = None) -> list[float]:
    """Compound scores in the order of `texts`; uses a process pool across cores for large batches."""
    if len(texts) < PARALLEL_THRESHOLD:
        return _score_chunk(texts)
    workers = workers or os.cpu_count() or 1
    if workers <= 1:
        return _score_chunk(texts)
    chunks = [texts[i:i + CHUNK] for i in range(0, len(texts), CHUNK)]
    # spawn, not fork: the parent holds DuckDB threads and locks that must not be copied into children.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        out: list[float] = []
        for part in pool.map(_score_chunk, chunks):
            out.extend(part)
    return out
