"""VADER compound scores of message texts: each distinct text scored once, in parallel for large batches.

The parallel workers are `python -m strategyfirst.warehouse.sentiment` processes fed JSON on stdin, not a
multiprocessing pool: spawn re-imports the caller's main script in every worker, so a user's script that
calls `Workspace.ingest` at top level (no `if __name__ == "__main__":` guard) would run again in each worker
and break the pool. A worker that fails leaves its share to be scored here, serially: same scores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# Below this many texts the start-up of worker processes costs more than it saves.
PARALLEL_THRESHOLD = 20_000

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


def score(texts: Sequence[str], *, workers: int | None = None, apart: bool = False) -> list[float]:
    """Compound scores in the order of `texts`; spreads large batches over worker processes, one per core.
    `apart`: in worker processes whatever their number (one below PARALLEL_THRESHOLD), so that the calling
    thread only waits on their pipes and leaves this process's GIL to its other threads."""
    workers = workers or os.cpu_count() or 1
    if not texts or not sys.executable:
        return _score_chunk(texts)
    if len(texts) < PARALLEL_THRESHOLD or workers <= 1:
        if not apart:
            return _score_chunk(texts)
        workers = 1
    size = -(-len(texts) // workers)
    shares = [list(texts[i:i + size]) for i in range(0, len(texts), size)]
    # Threads only wait on the workers' pipes (a pipe left unread would stall its worker).
    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        parts = list(pool.map(_score_in_worker, shares))
    return [s for part in parts for s in part]


def _score_in_worker(texts: list[str]) -> list[float]:
    try:
        done = subprocess.run([sys.executable, "-m", __name__], input=json.dumps(texts).encode("utf-8"),
                              capture_output=True, check=True)
        scores = json.loads(done.stdout)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return _score_chunk(texts)
    if not isinstance(scores, list) or len(scores) != len(texts):
        return _score_chunk(texts)
    return [float(s) for s in scores]


def _die_with_parent(interval: float = 0.5) -> None:
    """Exit as soon as the process that started this worker is gone (killed: nobody would read the scores)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _worker() -> None:
    """Read a JSON list of texts on stdin, write the JSON list of their scores on stdout."""
    _die_with_parent()
    texts = json.loads(sys.stdin.buffer.read())
    sys.stdout.write(json.dumps(_score_chunk(texts)))


if __name__ == "__main__":
    _worker()
