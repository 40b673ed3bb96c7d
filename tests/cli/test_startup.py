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


def test_an_identical_reimport_check_loads_neither_ibis_nor_pandas(tmp_path: Path) -> None:
    """What an 'already imported' answer costs: open an existing warehouse, look the file's digest up (DuckDB
    imports pandas to bind Python parameters: these queries use literals)."""
    _loaded_after(f"from strategyfirst.warehouse.engine import open_duckdb\n"  # creates the warehouse
                  f"open_duckdb({str(tmp_path / 'w.duckdb')!r}).close()")
    code = (f"from strategyfirst.warehouse.engine import open_duckdb\n"
            f"from strategyfirst.warehouse import importlog\n"
            f"con = open_duckdb({str(tmp_path / 'w.duckdb')!r})\n"
            f"assert not importlog.maybe_seen(con, 123)\n"
            f"assert importlog.same_file(con, 'ab' * 32, 123, 'auto', {{}}, {{}}) is None")
    loaded = _loaded_after(code)
    assert "pandas" not in loaded and "ibis" not in loaded


def _command(*args: str) -> str:
    """Code running `strategyfirst ARGS` in the probe's process (its output discarded)."""
    return ("import contextlib, io, sys\nfrom strategyfirst.cli import main\n"
            f"sys.argv = ['strategyfirst', *{list(args)!r}]\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n        main()\n    except SystemExit:\n        pass")


# Typer 0.29 converts options through pydantic TypeAdapters; strategyfirst.cli_coerce converts the values it
# can without them (the same values), so a command that needs no pydantic itself does not load it.
DATA_LIBRARIES = HEAVY


def test_the_sources_list_loads_no_data_library() -> None:
    """`sources` lists the declared formats: the modules that read them import DuckDB, numpy, pyarrow, calamine
    and libipld only when a file is read."""
    assert [m for m in _loaded_after(_command("sources")) if m in DATA_LIBRARIES] == []
    assert [m for m in _loaded_after(_command("sources", "--format", "json")) if m in DATA_LIBRARIES] == []


def test_the_metric_catalogue_loads_no_data_library() -> None:
    assert [m for m in _loaded_after(_command("metrics")) if m in DATA_LIBRARIES] == []


def test_listing_the_history_loads_neither_the_plan_parser_nor_the_warehouse(tmp_path: Path) -> None:
    """`history` reads the app database: the first time through SQLAlchemy (which creates and registers it),
    then through sqlite3 (appdb.lite). A new plan text is parsed once, before it is recorded (a text that does
    not load is never a version); listing again with the plan unchanged parses nothing (the plan-seen marker,
    and the ids `decide` keeps by the plan's sha256)."""
    ws = str(tmp_path / "acme")
    _loaded_after(_command("init", ws))
    assert "sqlalchemy" in _loaded_after(_command("history", "-w", ws))  # creates the database, records the plan
    plan = tmp_path / "acme" / "strategy.yaml"
    edited = "# edited\n" + plan.read_text(encoding="utf-8")
    plan.write_text(edited, encoding="utf-8")
    loaded = _loaded_after(_command("history", "-w", ws))  # checks the edited plan, records it as version 2
    assert [m for m in loaded if m in ("duckdb", "ibis", "numpy", "pandas", "pyarrow", "alembic",
                                       "sqlalchemy")] == []
    loaded = _loaded_after(_command("history", "-w", ws))  # the same plan: listed, nothing parsed
    assert [m for m in loaded if m in ("ruamel", "duckdb", "ibis", "numpy", "pandas", "pyarrow", "alembic",
                                       "pydantic", "sqlalchemy")] == []
    import sqlite3

    with sqlite3.connect(tmp_path / "acme" / ".strategyfirst" / "app.sqlite") as con:
        assert con.execute("SELECT number, text FROM plan_versions WHERE number = 2").fetchall() == [(2, edited)]
