"""Where an import's time goes: wall and CPU seconds per phase of `Workspace.ingest`.

    .venv/bin/python bench/profile_ingest.py ORG_DIR [--workspace DIR]

ORG_DIR is a simulated organisation (`strategyfirst simulate --out ORG_DIR`, or `org-N` of bench/run.py). Its
plan and export files are imported into a fresh workspace (default: a temporary folder) with the phases timed
by wrapping the functions that run them. CPU seconds come from `getrusage` of this process, so DuckDB's threads
count (the sentiment worker processes do not); CPU above wall means the phase used both cores.
"""

from __future__ import annotations

import argparse
import functools
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

Totals = defaultdict[str, list[float]]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _timed(totals: Totals, owner: Any, name: str, label: str,
           key: Callable[[tuple[Any, ...]], str] | None = None) -> None:
    """Replace `owner.name` by a wrapper that adds its wall and CPU seconds to totals[label(:key)]."""
    inner = getattr(owner, name)

    @functools.wraps(inner)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = _cpu(), time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            entry = totals[label + (":" + key(args) if key else "")]
            entry[0] += time.perf_counter() - wall
            entry[1] += _cpu() - cpu
            entry[2] += 1

    setattr(owner, name, wrapper)


def instrument(totals: Totals) -> None:
    from ibis.backends.duckdb import Backend

    from strategyfirst.sources import twcs
    from strategyfirst.warehouse import derive, ingest, merge

    _timed(totals, ingest, "_ingest_one", "file", key=lambda a: a[2].parent.name)
    _timed(totals, ingest, "open_source_file", "read: open and check encoding")
    _timed(totals, twcs, "read_rows", "read: twcs CSV into a temp table")
    _timed(totals, twcs, "stage_split", "stage: twcs rows typed and mapped")
    _timed(totals, ingest, "prepare", "merge: prepare", key=lambda a: a[1].table)
    _timed(totals, merge, "assign_new", "merge: prepare: conversation ids of new replies")
    _timed(totals, ingest, "apply", "merge: apply (writes)", key=lambda a: a[1].spec.table)
    _timed(totals, derive, "refresh", "derive: all")
    _timed(totals, derive, "update_sentiment", "derive: sentiment")
    _timed(totals, Backend, "create_table", "derive: table", key=lambda a: str(a[1]))
    _timed(totals, Backend, "insert", "derive: insert", key=lambda a: str(a[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("org", type=Path)
    parser.add_argument("--workspace", type=Path)
    args = parser.parse_args(argv)
    totals: Totals = defaultdict(lambda: [0.0, 0.0, 0])
    instrument(totals)
    from strategyfirst import Workspace

    folder = args.workspace or Path(tempfile.mkdtemp(prefix="sf-profile-"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(args.org / "strategy.yaml", folder / "strategy.yaml")
    from strategyfirst.simulate import ingest_simulated, simulated_files

    groups = simulated_files(args.org)
    files = [p for paths in groups.values() for p in paths]
    cpu, wall = _cpu(), time.perf_counter()
    ingest_simulated(Workspace(folder), groups)  # LinkedIn and TikTok with the --account/--year they need
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    print(f"{'phase':58} {'wall s':>7} {'CPU s':>7} {'calls':>5}")
    print(f"{'Workspace.ingest, ' + str(len(files)) + ' files':58} {wall:7.1f} {cpu:7.1f} {1:5}")
    for label, (w, c, n) in sorted(totals.items(), key=lambda kv: -kv[1][0]):
        if w >= 0.05:
            print(f"{label:58} {w:7.1f} {c:7.1f} {int(n):5}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB; workspace {folder}")
    if args.workspace is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":  # the sentiment pool spawns processes that import this file
    sys.exit(main())
