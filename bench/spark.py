"""Benchmark: the same `measure --by account --period month` on DuckDB and on a local Spark, over N messages.

    .venv/bin/python bench/spark.py [--sizes 1000000] [--out bench/out] [--master local[2]]

Uses the simulated organisation of bench/run.py (`org-N` in --out; simulated and ingested first if absent),
then, each step in its own process (seconds measured inside, around the work):
  export          Workspace.export(org-N/parquet): every table as Parquet, messages by platform and month
  duckdb          Workspace.measure over the DuckDB warehouse (the default engine)
  duckdb-parquet  measure over the Parquet export on an in-memory DuckDB
  spark           measure over the Parquet export on a local Spark: session start, then the first and a
                  second (warm) run of the same measurement
Every step's rows are compared with the warehouse's (floats to 1e-9 relative) and the table says so.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STEPS = ("export", "duckdb", "duckdb-parquet", "spark")


def run_step(step: str, org: Path, master: str) -> dict[str, Any]:
    from strategyfirst import Workspace
    from strategyfirst.scale import measure_parquet

    ws, data = Workspace(org), org / "parquet"
    extra: dict[str, Any] = {}
    start = time.perf_counter()
    if step == "export":
        manifest = ws.export(data)
        extra["messages"] = manifest.tables["messages"]["rows"]
        extra["files"] = sum(len(t["files"]) for t in manifest.tables.values())
        rows = None
    elif step == "duckdb":
        rows = ws.measure(by="account", period="month").rows
    elif step == "duckdb-parquet":
        rows = measure_parquet(data, by="account", period="month").rows
    else:
        from strategyfirst.warehouse.spark_engine import spark_session

        session = spark_session(master=master, conf={"spark.driver.memory": "6g"})
        session.sparkContext.setLogLevel("ERROR")
        extra["session_start"] = round(time.perf_counter() - start, 2)
        t = time.perf_counter()
        measure_parquet(data, engine="spark", session=session, by="account", period="month")
        extra["first_run"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        rows = measure_parquet(data, engine="spark", session=session, by="account", period="month").rows
        extra["warm_run"] = round(time.perf_counter() - t, 2)
    seconds = time.perf_counter() - start
    if rows is not None:
        (org / f"bench-{step}.json").write_text(json.dumps(rows, default=str))
    return {"step": step, "seconds": round(seconds, 2), **extra}


def _agree(org: Path, step: str) -> str:
    base, other = org / "bench-duckdb.json", org / f"bench-{step}.json"
    if step == "duckdb" or not base.is_file() or not other.is_file():
        return ""
    a, b = json.loads(base.read_text()), json.loads(other.read_text())
    if len(a) != len(b):
        return f"{len(a)} vs {len(b)} rows"
    worst = 0.0
    for x, y in zip(a, b, strict=True):
        for k, v in x.items():
            w = y.get(k)
            if isinstance(v, int | float) and isinstance(w, int | float):
                worst = max(worst, abs(v - w) / max(abs(v), abs(w), 1e-300))
            elif v != w:
                return f"differs at {x['metric']} {x['key']} {x['period']} {k}: {v!r} vs {w!r}"
    return f"same {len(a)} rows as duckdb (max rel diff {worst:.1e})" if worst <= 1e-9 else f"max {worst:.1e}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000", help="comma-separated message counts")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--org", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(run_step(args.step, args.org, args.master)))
        return 0
    lines = [f"{'size':>11} {'step':<15} {'seconds':>8}  note", "-" * 90]
    for size in (int(s.replace("_", "")) for s in args.sizes.split(",") if s):
        org = args.out / f"org-{size}"
        if not (org / ".strategyfirst" / "warehouse.duckdb").is_file():
            subprocess.run([sys.executable, str(HERE / "run.py"), "--sizes", str(size), "--out", str(args.out),
                            "--steps", "simulate,ingest"], check=True)
        for step in (s for s in STEPS if s in args.steps.split(",")):
            print(f"[{time.strftime('%H:%M:%S')}] {size:,} {step} ...", file=sys.stderr, flush=True)
            proc = subprocess.run([sys.executable, __file__, "--step", step, "--org", str(org), "--master",
                                   args.master], capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                lines.append(f"{size:>11,} {step:<15} {'—':>8}  {proc.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            note = _agree(org, step)
            if step == "export":
                note = f"{r['messages']:,} messages, {r['files']} files"
            if step == "spark":
                note = (f"session {r['session_start']}s, first run {r['first_run']}s, warm run "
                        f"{r['warm_run']}s; {note}")
            lines.append(f"{size:>11,} {step:<15} {r['seconds']:>8.1f}  {note}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
