"""Benchmark: simulate N messages, then time ingest, `measure --by account --period month` and two baselines.

    .venv/bin/python bench/run.py [--sizes 1000000,10000000] [--out bench/out] [--steps ...]

Each step runs in its own Python process so that its peak memory (ru_maxrss) is its own:
  simulate   strategyfirst.simulate.simulate(out, events=N)
  ingest     simulate.ingest_simulated: Workspace.ingest(<every export file>), the LinkedIn and TikTok files
             with the --account/--year they need (simulate.INGEST_OPTIONS, also in truth.json)
  reimport   `strategyfirst ingest -w ORG twcs.csv` again after `ingest`, as a whole process (interpreter start
             included): the same bytes, so "already imported as #N, nothing changed"
  floor      the least any import of the twcs file can cost: one hand-written DuckDB
             `CREATE TABLE t AS SELECT * FROM read_csv(twcs.csv)` into a new database file (closed, so written)
  measure    Workspace.measure(by="account", period="month") over the whole metric registry, cold: the
             compiled queries (.strategyfirst/cache/measure-*, plan-*) removed first, so Ibis compiles them
  measure3   the same, restricted to the three dialogue metrics the baselines compute (like for like)
  measure-warm, measure3-warm
             the same in a new process whose query is already in the cache (a process run first fills it
             when it is not): what every later measurement of unchanged plan and code costs, after an import
             too (the kept SQL does not depend on the data)
  measure3-edit
             measure3 after an edit of the plan that its SQL does not read (a KPI target, a budget: here a
             comment line appended to strategy.yaml, removed afterwards), the query of the unedited plan in
             the cache: the plan is parsed again, the SQL is reused
  measure-tactic
             Workspace.measure(by="tactic", period="month") over the whole registry, cold (nothing kept)
  diagnose   Workspace.diagnose(): KPI forecasts, verdicts and budget proposals, cold (nothing kept)
  pandas     the dialogue metrics (response rate, median and p90 first-response minutes per account and month)
             the way an analyst would compute them without this product: a straightforward pandas script
             reading the twcs CSV (bench/baselines.py)
  duckdb     the same metrics as one hand-written DuckDB SQL query over the CSV (bench/baselines.py)
The seconds are measured inside each process around the work (imports and interpreter start excluded: the
pandas step imports pandas before its clock starts, and the measure steps import pandas, which they need only to
convert the result for the comparison, before theirs; imports measure itself does, Ibis on a miss, count).
Results print as a table and are saved as JSON in the output folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STEPS = ("simulate", "ingest", "reimport", "floor", "measure", "measure-warm", "measure3", "measure3-warm",
         "measure3-edit", "measure-tactic", "diagnose", "pandas", "duckdb")
DIALOGUE = ("response_rate", "first_response_minutes_median", "first_response_minutes_p90")
TARGETS_10M = {"ingest": 30.0, "reimport": 2.0, "measure": 15.0, "peak_mb": 4096.0}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _org_dir(out: Path, size: int) -> Path:
    return out / f"org-{size}"


def _cpu() -> float:
    """CPU seconds of this process (all threads: DuckDB's too) and its finished children (sentiment workers)
    so far: the figure to compare when other work shares the machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# --- one step, in this process ----------------------------------------------------------------------------
def run_step(step: str, size: int, out: Path) -> dict[str, Any]:
    org = _org_dir(out, size)
    extra: dict[str, Any] = {}
    if step == "simulate":
        from strategyfirst.simulate import simulate

        start, cpu_start = time.perf_counter(), _cpu()
        summary = simulate(org, events=size, seed=7)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
        extra = {"messages": summary.messages, "twcs_bytes": (org / "exports/twcs/twcs.csv").stat().st_size}
    elif step == "ingest":
        import shutil

        from strategyfirst import Workspace
        from strategyfirst.simulate import ingest_simulated, simulated_files

        shutil.rmtree(org / ".strategyfirst", ignore_errors=True)
        files = simulated_files(org)
        ws = Workspace(org)
        start, cpu_start = time.perf_counter(), _cpu()
        result = ingest_simulated(ws, files)  # auto-detected, LinkedIn and TikTok with their --account/--year
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
        not_imported = [f"{f['file']}: {f.get('error')}" for f in result.files if f["status"] != "imported"]
        if not_imported:  # a benchmark of files that did not import measures nothing
            raise SystemExit("ingest: not imported: " + "; ".join(not_imported))
        extra = {"result": _plain(result)}
    elif step == "reimport":
        csv_path = org / "exports/twcs/twcs.csv"
        cmd = [sys.executable, "-m", "strategyfirst", "ingest", "-w", str(org), str(csv_path), "--format", "json"]
        start, cpu_start = time.perf_counter(), _cpu()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
        if proc.returncode != 0:
            raise SystemExit(f"reimport: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
        files = json.loads(proc.stdout)["files"]
        if [f["status"] for f in files] != ["already imported"]:
            raise SystemExit(f"reimport: expected 'already imported', got {files}")
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        extra = {"status": files[0]["status"], "child_peak_mb": round(child.ru_maxrss / 1024.0, 1)}
    elif step == "floor":
        import duckdb

        csv_path = org / "exports/twcs/twcs.csv"
        db = out / f"floor-{size}.duckdb"
        db.unlink(missing_ok=True)
        start, cpu_start = time.perf_counter(), _cpu()
        con = duckdb.connect(str(db))
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(csv_path)])
        rows = con.execute("SELECT count(*) FROM t").fetchone()
        con.close()
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
        db.unlink(missing_ok=True)
        extra = {"rows": rows[0] if rows else 0}
    elif step in ("measure", "measure3", "measure-warm", "measure3-warm", "measure3-edit"):
        import pandas  # noqa: F401 - for to_pandas below, imported before the clock like the pandas step's

        from strategyfirst import Workspace

        ws = Workspace(org)
        metrics = list(DIALOGUE) if step.startswith("measure3") else None
        cache = ws.state_dir / "cache"
        plan_text = ws.plan_path.read_bytes()
        if step.endswith(("-warm", "-edit")):
            # the (unedited plan's) query in the cache: filled in another process when it may not be
            fill = "measure3-warm" if step.endswith("-edit") else step[:-5]
            if step.endswith("-edit") or not any(cache.glob("measure-*.json")):
                subprocess.run([sys.executable, str(Path(__file__).resolve()), "--step", fill, "--size", str(size),
                                "--out", str(out)], check=True, capture_output=True)
            if step.endswith("-edit"):
                ws.plan_path.write_bytes(plan_text + b"\n# an edit the SQL does not read\n")
        else:  # the measure entries only: the folder also keeps diagnoses and report charts
            for entry in [*cache.glob("measure-*.json"), *cache.glob("plan-*.json")]:
                entry.unlink()
        try:
            start, cpu_start = time.perf_counter(), _cpu()
            result = ws.measure(by="account", period="month", metrics=metrics)
            frame = result.to_pandas()
            seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
        finally:
            ws.plan_path.write_bytes(plan_text)
        extra = {"rows": len(frame), "dialogue": _dialogue_rows(frame)}
    elif step in ("measure-tactic", "diagnose"):
        # What a plan's owner runs: every metric by tactic and month, and the diagnosis (KPI forecasts and
        # the tactics' verdicts: measures by objective and tactic, reply gaps), nothing kept from before.
        from strategyfirst import Workspace

        ws = Workspace(org)
        cache = ws.state_dir / "cache"
        for entry in [*cache.glob("measure-*.json"), *cache.glob("plan-*.json"), *cache.glob("diagnosis-*")]:
            entry.unlink()
        start, cpu_start = time.perf_counter(), _cpu()
        if step == "diagnose":
            kpis = len(ws.diagnose().to_json().get("objectives", []))
            extra = {"objectives": kpis}
        else:
            extra = {"rows": len(ws.measure(by="tactic", period="month").rows)}
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
    elif step in ("pandas", "duckdb"):
        sys.path.insert(0, str(HERE))
        import baselines

        csv_path = org / "exports/twcs/twcs.csv"
        start, cpu_start = time.perf_counter(), _cpu()
        frame = baselines.with_pandas(csv_path) if step == "pandas" else baselines.with_duckdb(csv_path)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
        extra = {"rows": len(frame), "dialogue": baselines.as_rows(frame)}
    else:
        raise SystemExit(f"unknown step {step!r}; choose from {', '.join(STEPS)}")
    return {"step": step, "size": size, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
            "peak_mb": round(_peak_mb(), 1),
            "load_average": round(os.getloadavg()[0], 1), **extra}


def _plain(value: Any) -> Any:
    for attr in ("to_json", "to_dict"):
        if hasattr(value, attr):
            got = getattr(value, attr)()
            return json.loads(got) if isinstance(got, str) else got
    return repr(value)


def _dialogue_rows(frame: Any) -> list[dict[str, Any]]:
    """measure's rows for the three dialogue metrics the baselines compute, keyed like theirs."""
    rows = frame[frame["metric"].isin(DIALOGUE)]
    return [{"metric": r.metric, "account": str(r.key), "period": str(r.period), "value": r.value}
            for r in rows.itertuples()]


# --- the driver -------------------------------------------------------------------------------------------
def _child(step: str, size: int, out: Path) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--step", step, "--size", str(size),
           "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"step": step, "size": size, "error": " | ".join(tail)}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _agreement(results: dict[str, dict[str, Any]]) -> str:
    """Largest difference between the approaches' dialogue figures (they must compute the same numbers)."""
    tables = {k: {(r["metric"], r["account"].lstrip("@").lower(), r["period"]): r["value"]
                  for r in v.get("dialogue", []) if r["value"] is not None}
              for k, v in results.items() if "dialogue" in v}
    if "pandas" not in tables:
        return "n/a"
    notes = []
    for other in ("duckdb", "measure", "measure3", "measure-warm", "measure3-warm", "measure3-edit"):
        if other not in tables:
            continue
        common = tables["pandas"].keys() & tables[other].keys()
        if not common:
            notes.append(f"{other}: no common rows")
            continue
        diff = max(abs(float(tables["pandas"][k]) - float(tables[other][k])) for k in common)
        notes.append(f"pandas vs {other}: {len(common)} values, max |diff| {diff:.2e}")
    return "; ".join(notes)


def _fmt(x: float | None, unit: str = "") -> str:
    return "—" if x is None else f"{x:,.1f}{unit}"


def report(all_results: list[dict[str, Any]]) -> str:
    lines = [f"{'size':>11} {'step':<13} {'seconds':>9} {'CPU s':>7} {'peak MB':>9} {'load':>5}  note", "-" * 96]
    by_size: dict[int, dict[str, dict[str, Any]]] = {}
    for r in all_results:
        by_size.setdefault(r["size"], {})[r["step"]] = r
    for size, steps in by_size.items():
        for step in STEPS:
            r = steps.get(step)
            if r is None:
                continue
            note = r.get("error", "")
            if step == "simulate" and "messages" in r:
                note = f"{r['messages']:,} messages, twcs.csv {r['twcs_bytes'] / 1e6:,.0f} MB"
            seconds, peak, load = _fmt(r.get("seconds")), _fmt(r.get("peak_mb")), _fmt(r.get("load_average"))
            cpu = _fmt(r.get("cpu_seconds"))
            lines.append(f"{size:>11,} {step:<13} {seconds:>9} {cpu:>7} {peak:>9} {load:>5}  {note}")
        i, f = (steps.get(k, {}).get("seconds") for k in ("ingest", "floor"))
        if i and f:
            lines.append(f"{'':>11} ingest / floor = {i / f:.1f}x (target <= 2.5x)")
        m, m3, p, d = (steps.get(k, {}).get("seconds") for k in ("measure", "measure3", "pandas", "duckdb"))
        mw, m3w, m3e = (steps.get(k, {}).get("seconds") for k in ("measure-warm", "measure3-warm", "measure3-edit"))
        for name, value in (("measure", m), ("measure3", m3), ("measure-warm", mw), ("measure3-warm", m3w),
                            ("measure3-edit", m3e)):
            if p and value:
                lines.append(f"{'':>11} pandas / {name} = {p / value:.1f}x (target >= 20x, issue 19)")
            if d and value:
                lines.append(f"{'':>11} {name} / duckdb = {value / d:.2f}x (target <= 1.2x at 10M, issue 19)")
        if p and d:
            lines.append(f"{'':>11} pandas / duckdb = {p / d:.1f}x")
        lines.append(f"{'':>11} agreement: {_agreement(steps)}")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"python": platform.python_version(), "platform": platform.platform(),
                            "cpus": os.cpu_count()}
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()[0]
        info["memory"] = meminfo.split(":", 1)[1].strip()
        cpu = [x for x in Path("/proc/cpuinfo").read_text().splitlines() if x.startswith("model name")]
        info["cpu"] = cpu[0].split(":", 1)[1].strip() if cpu else "?"
    except OSError:
        pass
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated message counts")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="work folder (simulated data)")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"subset of {','.join(STEPS)}")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(run_step(args.step, args.size, args.out), default=str))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    steps = [s for s in STEPS if s in args.steps.split(",")]
    results: list[dict[str, Any]] = []
    for size in sizes:
        for step in steps:
            print(f"[{time.strftime('%H:%M:%S')}] {size:,} {step} ...", file=sys.stderr, flush=True)
            r = _child(step, size, args.out)
            results.append(r)
            print(f"    {r.get('seconds', '—')} s, {r.get('peak_mb', '—')} MB {r.get('error', '')}",
                  file=sys.stderr, flush=True)
    table = report(results)
    print(table)
    saved = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
             "command": " ".join([Path(sys.executable).name, *sys.argv]), "results": results, "table": table}
    (args.out / "results.json").write_text(json.dumps(saved, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
