"""A small export imported into a large workspace: the wall time of each `strategyfirst ingest` process.

    .venv/bin/python bench/small_import.py ORG_DIR FILE [FILE ...] [--copy DIR]

ORG_DIR is a workspace already ingested (`org-N` of bench/run.py after its ingest step). It is copied to
`--copy` (default: a temporary folder; the original is left as it is), the first FILE is imported once to
warm up (a warehouse built by an older version records nothing of what its derived tables hold, so its first
import rebuilds them), then every FILE after it is imported in its own process, timed from start to exit.
Run with the code under test first on PYTHONPATH (`PYTHONPATH=src`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("org", type=Path)
    parser.add_argument("files", type=Path, nargs="+")
    parser.add_argument("--copy", type=Path)
    args = parser.parse_args(argv)
    copy = args.copy or Path(tempfile.mkdtemp(prefix="sf-small-")) / "ws"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(args.org, copy)
    command = [sys.executable, "-m", "strategyfirst", "ingest", "-w", str(copy)]
    env = dict(os.environ)
    try:
        for i, path in enumerate(args.files):
            start = time.perf_counter()
            done = subprocess.run([*command, str(path)], env=env, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - start
            line = (done.stdout or done.stderr).strip().splitlines()[-1:] or ["(no output)"]
            print(f"{'warm-up' if i == 0 else 'import':8} {wall:6.2f} s  load {os.getloadavg()[0]:4.1f}  {line[0]}")
    finally:
        if args.copy is None:
            shutil.rmtree(copy.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
