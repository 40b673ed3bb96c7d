"""Commands start at once: importing the CLI (what every command and `--help` pays) loads no heavy library;
each command imports what it uses when it runs (issue 19). Behaviour, not timing: checks `sys.modules`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
HEAVY = ("ibis", "pandas", "numpy", "scipy", "pyarrow", "duckdb", "altair", "vl_convert", "fastapi", "starlette",
         "sqlalchemy", "alembic", "argon2", "vaderSentiment", "jinja2", "pyspark", "polars", "python_calamine",
         "libipld", "xlsxwriter", "ruamel", "pydantic")


def _loaded_after(code: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    probe = f"{code}\nimport sys\nprint('LOADED:', *(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    return done.stdout.rsplit("LOADED:", 1)[1].split()


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _loaded_after("import strategyfirst.cli") == []


def test_the_library_entry_point_is_light_too() -> None:
    assert _loaded_after("from strategyfirst import Workspace") == []


def test_the_help_loads_no_heavy_library() -> None:
    code = ("import sys\nfrom strategyfirst.cli import main\nsys.argv = ['strategyfirst', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass")
    assert _loaded_after(code) == []
