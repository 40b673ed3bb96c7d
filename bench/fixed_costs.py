"""Benchmark: the fixed cost of each command, as a user feels it (wall time of the whole process).

    .venv/bin/python bench/fixed_costs.py [--out bench/out/fixed] [--runs 5] [--commands lint,measure]

Builds the demo workspace once (`strategyfirst demo`, 40,000 simulated messages, ingested), then runs each
command below as its own `python -m strategyfirst ...` subprocess `--runs` times and keeps the fastest run
(the minimum is the figure least disturbed by other work on the machine). Prints a table with the target of
issue 19, the fastest run's CPU seconds (user + system: what the command costs, whatever the load) and the
1-minute load average sampled around each command's runs.

What is kept on disk by content counts: `diagnose`, `decide` and `report` reuse the diagnosis kept in
.strategyfirst/cache/ while data, plan and code are unchanged (and `report` its charts and compiled queries), so
their fastest run is a warm one (the first run, or one after an import, diagnoses); `diagnose-cold` removes the
kept diagnoses before each run (what the first `diagnose` after an import costs; the compiled measurements stay,
as they do after an import). A before/after comparison gives each side its own --out (see build_workspace).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name, arguments after `strategyfirst` ({ws} is the demo workspace, {tmp} a scratch folder), target seconds
COMMANDS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("--help", ("--help",), 0.4),
    ("lint", ("lint", "-w", "{ws}"), 0.4),
    ("history", ("history", "-w", "{ws}"), 0.6),
    ("decide", ("decide", "-w", "{ws}", "Keep the contest for one more month", "--tactic",
                "summit-contest"), 0.6),
    ("sources", ("sources",), 0.6),
    ("metrics", ("metrics",), 0.6),
    ("measure", ("measure", "-w", "{ws}"), 0.5),
    # the same with the compiled queries (.strategyfirst/cache/measure-*, plan-*) removed before each run
    ("measure-cold", ("measure", "-w", "{ws}"), 0.5),
    ("diagnose", ("diagnose", "-w", "{ws}"), 1.0),
    # the same with the kept diagnoses (.strategyfirst/cache/diagnosis-*) removed before each run
    ("diagnose-cold", ("diagnose", "-w", "{ws}"), 1.0),
    ("report", ("report", "-w", "{ws}", "-o", "{tmp}/report.html"), 3.0),
)


SRC = HERE.parent / "src"


def _env(src: Path = SRC) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its bytecode compiled: so do we
    env["PYTHONPATH"] = str(src) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def build_workspace(out: Path, src: Path = SRC) -> Path:
    """The demo workspace in `out`, built by the code timed (an older checkout cannot open an app database
    migrated by newer code: give a before/after comparison one --out each)."""
    ws = out / "demo"
    if (ws / ".strategyfirst" / "warehouse.duckdb").exists():
        return ws
    shutil.rmtree(ws, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "strategyfirst", "demo", str(ws)], env=_env(src), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return ws


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(args: list[str], runs: int, src: Path = SRC,
                 clear: Path | None = None) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each run of `strategyfirst ARGS` in a new process (`clear`: a
    folder whose entries of that command are removed before each run)."""
    seconds: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        if clear is not None:  # the command's own entries only: the folder keeps the others' too
            kept = ("diagnosis-*.json",) if args[0] == "diagnose" else ("measure-*.json", "plan-*.json")
            for entry in [e for pattern in kept for e in clear.glob(pattern)]:
                entry.unlink()
        cpu_before, start = _children_cpu(), time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "strategyfirst", *args], env=_env(src), check=False,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seconds.append(time.perf_counter() - start)
        cpu.append(_children_cpu() - cpu_before)
        if proc.returncode not in (0, 1):  # lint exits 1 when the plan has errors: a result, not a failure
            raise SystemExit(f"`strategyfirst {' '.join(args)}` failed ({proc.returncode}): "
                             f"{proc.stderr.decode()[-500:]}")
    return seconds, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "fixed", help="work folder")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--commands", default="", help="comma-separated subset of the command names")
    parser.add_argument("--src", type=Path, default=SRC, help="the package sources to time (e.g. another "
                        "checkout's src/, for a before/after comparison)")
    args = parser.parse_args(argv)
    ws = build_workspace(args.out.resolve(), args.src.resolve())
    tmp = args.out.resolve() / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    wanted = {c for c in args.commands.split(",") if c}
    rows = []
    print(f"{'command':<10} {'min s':>7} {'median s':>9} {'min CPU s':>10} {'target s':>9} {'load':>5}  met")
    for name, template, target in COMMANDS:
        if wanted and name not in wanted:
            continue
        cmd = [a.format(ws=ws, tmp=tmp) for a in template]
        load_before = os.getloadavg()[0]
        clear = ws / ".strategyfirst" / "cache" if name.endswith("-cold") else None
        seconds, cpu = time_command(cmd, args.runs, args.src.resolve(), clear)
        load = (load_before + os.getloadavg()[0]) / 2
        best, median = min(seconds), sorted(seconds)[len(seconds) // 2]
        rows.append({"command": name, "min": round(best, 3), "median": round(median, 3),
                     "min_cpu": round(min(cpu), 3), "target": target, "load_average": round(load, 1),
                     "runs": [round(s, 3) for s in seconds]})
        print(f"{name:<10} {best:>7.2f} {median:>9.2f} {min(cpu):>10.2f} {target:>9.1f} {load:>5.1f}  "
              f"{'yes' if best <= target else 'NO'}", flush=True)
    saved = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "workspace": str(ws), "results": rows}
    (args.out / "fixed_costs.json").write_text(json.dumps(saved, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
