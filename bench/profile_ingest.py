"""Where an import's time goes: wall and CPU seconds of every DuckDB call of `Workspace.ingest`, by the line of
strategyfirst that made it.

    .venv/bin/python bench/profile_ingest.py ORG_DIR [--workspace DIR] [--files]

ORG_DIR is a simulated organisation (`strategyfirst simulate --out ORG_DIR`, or `org-N` of bench/run.py). Its
plan and export files are imported into a fresh workspace (default: a temporary folder). Each call of a DuckDB
connection's method (execute, sql, fetchall ...) is timed by a profile hook and added to the first frame of
strategyfirst's own code on the stack (`file:line:function`; a derived table's `materialise` also names the
table), so the report follows the code as it is, with no list of functions to keep up to date. CPU seconds
are the process's (`time.process_time`: DuckDB's threads count, the sentiment worker processes do not); CPU
above wall means the statement used both cores.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import FrameType
from typing import Any

# The DuckDB connection methods that run or fetch a query.
CALLS = frozenset({"execute", "executemany", "sql", "query", "fetchall", "fetchone", "fetchnumpy", "arrow",
                   "fetch_arrow_table", "df", "register"})
Totals = defaultdict[str, list[float]]


def _where(frame: FrameType | None) -> str:
    """`file:line:function` of the innermost strategyfirst frame (not this bench's)."""
    while frame is not None:
        code = frame.f_code
        if "strategyfirst" in code.co_filename and "/bench/" not in code.co_filename:
            table = frame.f_locals.get("name") if code.co_name == "materialise" else None
            return f"{Path(code.co_filename).name}:{frame.f_lineno}:{code.co_name}" + (f":{table}" if table else "")
        frame = frame.f_back
    return "(elsewhere)"


class Profiler:
    """A `sys.setprofile` hook timing the C calls named in CALLS (only the thread that installs it)."""

    def __init__(self) -> None:
        self.totals: Totals = defaultdict(lambda: [0.0, 0.0, 0])
        self.by_file: Totals = defaultdict(lambda: [0.0, 0.0, 0])  # the DuckDB calls of each file (`current`)
        self.current = "(before the first file)"
        self._open: list[tuple[Any, float, float, str]] = []

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call" and getattr(arg, "__name__", "") in CALLS:
            self._open.append((arg, time.perf_counter(), time.process_time(), _where(frame)))
        elif event in ("c_return", "c_exception") and self._open and self._open[-1][0] is arg:
            _, wall, cpu, where = self._open.pop()
            spent = (time.perf_counter() - wall, time.process_time() - cpu)
            for entry in (self.totals[where], self.by_file[self.current]):
                entry[0] += spent[0]
                entry[1] += spent[1]
                entry[2] += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("org", type=Path)
    parser.add_argument("--workspace", type=Path)
    parser.add_argument("--min", type=float, default=0.05, help="leave out lines under this many CPU s")
    parser.add_argument("--files", action="store_true", help="also each file's DuckDB calls and whole import")
    args = parser.parse_args(argv)
    from strategyfirst import Workspace
    from strategyfirst.simulate import ingest_simulated, simulated_files
    from strategyfirst.warehouse import derive, ingest

    folder = args.workspace or Path(tempfile.mkdtemp(prefix="sf-profile-"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy(args.org / "strategy.yaml", folder / "strategy.yaml")
    groups = simulated_files(args.org)
    files = sum(len(paths) for paths in groups.values())
    profiler = Profiler()
    whole: Totals = defaultdict(lambda: [0.0, 0.0, 0])  # each file's import, and the rebuild, as a whole

    def timed(label: Any, function: Any) -> Any:
        def run(*a: Any, **kw: Any) -> Any:
            profiler.current = label(*a)
            start = time.perf_counter(), time.process_time()
            try:
                return function(*a, **kw)
            finally:
                entry = whole[profiler.current]
                entry[0] += time.perf_counter() - start[0]
                entry[1] += time.process_time() - start[1]
                entry[2] += 1
                profiler.current = "(after)"
        return run

    if args.files:  # (ingest calls both by their module's name)
        ingest._ingest_one = timed(lambda *a: Path(a[3]).name, ingest._ingest_one)
        derive.refresh = timed(lambda *a: "(derived tables: derive.refresh)", derive.refresh)
    cpu, wall = time.process_time(), time.perf_counter()
    sys.setprofile(profiler)
    try:
        ingest_simulated(Workspace(folder), groups)  # LinkedIn and TikTok with the --account/--year they need
    finally:
        sys.setprofile(None)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{'DuckDB calls by calling line':70} {'wall s':>7} {'CPU s':>7} {'calls':>5}")
    print(f"{'Workspace.ingest, ' + str(files) + ' files (all of it)':70} {wall:7.2f} {cpu:7.2f} {1:5}")
    for where, (w, c, n) in sorted(profiler.totals.items(), key=lambda kv: -kv[1][1]):
        if c >= args.min or w >= args.min:
            print(f"{where:70} {w:7.2f} {c:7.2f} {int(n):5}")
    if args.files:
        print(f"\n{'each file (DuckDB calls; whole import)':70} {'wall s':>7} {'CPU s':>7} {'calls':>5} "
              f"{'whole wall':>10} {'whole CPU':>9}")
        for name, (w, c, n) in profiler.by_file.items():
            ww, wc, _ = whole.get(name, (0.0, 0.0, 0))
            print(f"{name[:70]:70} {w:7.3f} {c:7.3f} {int(n):5} {ww:10.3f} {wc:9.3f}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB; workspace {folder}")
    if args.workspace is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":  # the sentiment pool spawns processes that import this file
    sys.exit(main())
