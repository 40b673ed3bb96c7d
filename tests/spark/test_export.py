"""`strategyfirst export --format parquet`: files, partitions, manifest and checks, against the raw twcs sample
read with the csv module and the Parquet read back with pyarrow (not with the product's reader). No Spark here.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import pyarrow.dataset as pads
import pytest
from typer.testing import CliRunner

from strategyfirst import Workspace
from strategyfirst.cli import app
from strategyfirst.errors import WorkspaceError
from strategyfirst.warehouse.export import verify
from tests.spark.conftest import REAL_PLAN


@pytest.fixture(scope="module")
def twcs_rows(shared_data: Path) -> list[dict[str, str]]:
    with (shared_data / "twcs" / "sample.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[Workspace, Path]:
    ws = Workspace(tmp_path_factory.mktemp("twcs-ws")).ensure()
    ws.plan_path.write_text(REAL_PLAN, encoding="utf-8")
    ws.ingest([shared_data / "twcs" / "sample.csv"])
    out = tmp_path_factory.mktemp("twcs-export") / "parquet"
    ws.export(out)
    return ws, out


def _month(created_at: str) -> str:
    return dt.datetime.strptime(created_at, "%a %b %d %H:%M:%S %z %Y").astimezone(dt.UTC).strftime("%Y-%m")


def test_messages_partitioned_by_platform_and_month(exported: tuple[Workspace, Path],
                                                    twcs_rows: list[dict[str, str]]) -> None:
    _, out = exported
    folders = {p.parent.relative_to(out / "messages").as_posix() for p in (out / "messages").rglob("*.parquet")}
    assert folders == {f"platform=x/month={_month(r['created_at'])}" for r in twcs_rows}
    table = pads.dataset(out / "messages", format="parquet").to_table()
    assert table.num_rows == len(twcs_rows) == 93
    assert set(table.column("message_id").to_pylist()) == {f"x:{r['tweet_id']}" for r in twcs_rows}
    owned = {f"x:{r['tweet_id']}" for r in twcs_rows if r["inbound"] == "False"}
    assert {m for m, o in zip(table.column("message_id").to_pylist(), table.column("owned").to_pylist(),
                              strict=True) if o} == owned


def test_manifest_counts_hashes_versions_and_plan(exported: tuple[Workspace, Path],
                                                  twcs_rows: list[dict[str, str]]) -> None:
    ws, out = exported
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "strategyfirst-parquet"
    assert manifest["schema_version"] >= 2
    assert manifest["metrics"]["response_rate"] == 1 and "first_response_minutes_p90" in manifest["metrics"]
    assert manifest["tables"]["messages"]["rows"] == len(twcs_rows)
    assert manifest["tables"]["messages"]["partition_by"] == ["platform", "month"]
    assert {"inbound", "attribution", "audience", "spend", "imports"} <= set(manifest["tables"])
    for entry in manifest["tables"].values():
        for rel, digest in entry["files"].items():
            assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == digest
    assert (out / "strategy.yaml").read_bytes() == ws.plan_path.read_bytes()
    assert manifest["plan"]["sha256"] == hashlib.sha256(ws.plan_path.read_bytes()).hexdigest()
    assert verify(out) == []


def test_verify_names_changed_and_missing_files(exported: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = exported
    out = tmp_path / "copy"
    ws.export(out)
    with (out / "spend.parquet").open("ab") as f:
        f.write(b"x")
    (out / "audience.parquet").unlink()
    problems = verify(out)
    assert "spend.parquet: changed since export (sha256 differs)" in problems
    assert "audience.parquet: missing (table audience)" in problems


def test_export_replaces_an_export_but_not_other_folders(exported: tuple[Workspace, Path],
                                                         tmp_path: Path) -> None:
    ws, _ = exported
    target = tmp_path / "again"
    ws.export(target)
    first = (target / "manifest.json").read_text(encoding="utf-8")
    ws.export(target)  # replaces the earlier export whole
    assert json.loads((target / "manifest.json").read_text())["tables"] == json.loads(first)["tables"]
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(WorkspaceError, match="not an earlier strategyfirst export"):
        ws.export(other)
    assert [p.name for p in other.iterdir()] == ["keep.txt"]


def test_cli_export_then_measure_data_on_duckdb_gives_the_warehouse_json(
        exported: tuple[Workspace, Path], tmp_path: Path) -> None:
    ws, _ = exported
    runner = CliRunner()
    done = runner.invoke(app, ["export", "--format", "parquet", "--out", str(tmp_path / "p"), "-w", str(ws.root)])
    assert done.exit_code == 0, done.output
    assert "messages\t93\t" in done.stdout
    args = ["measure", "--by", "account", "--period", "week", "--format", "json"]
    direct = runner.invoke(app, [*args, "-w", str(ws.root)])
    via = runner.invoke(app, [*args, "--engine", "duckdb", "--data", str(tmp_path / "p")])
    assert direct.exit_code == via.exit_code == 0
    assert json.loads(via.stdout) == json.loads(direct.stdout)


@pytest.mark.parametrize(("args", "message"), [
    (["--engine", "spark"], "give --data DIR"),
    (["--data", "{missing}"], "no such folder"),
    (["--data", "{ws}"], "no manifest.json here"),
    (["--engine", "duckdb", "--data", "{export}", "--spark-master", "local[1]"], "go with --engine spark"),
    (["--engine", "spark", "--data", "{export}", "--spark-remote", "localhost:15002"], "sc://HOST:15002"),
    (["--engine", "spark", "--data", "{export}", "--spark-remote", "sc://h:1", "--spark-master", "local"],
     "not both"),
])
def test_bad_engine_options_exit_2_with_a_reason(exported: tuple[Workspace, Path], tmp_path: Path,
                                                 args: list[str], message: str) -> None:
    import subprocess
    import sys

    ws, out = exported
    filled = [a.format(missing=tmp_path / "nope", ws=ws.root, export=out) for a in args]
    done = subprocess.run([sys.executable, "-m", "strategyfirst", "measure", *filled], capture_output=True,
                          text=True, cwd=tmp_path, check=False)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_measure_cache_rows_of_meta_are_not_exported(exported: tuple[Workspace, Path]) -> None:
    """The plan facts an import records for `measure` (keyed by the code version) are the product's cache, not
    the data: the warehouse holds them, the export (meta.parquet, the manifest) does not."""
    from strategyfirst.metrics.cached import FACTS_KEY
    from strategyfirst.warehouse.engine import open_duckdb

    ws, out = exported
    con = open_duckdb(ws.warehouse_path, read_only=True)
    try:
        stored = {k for (k,) in con.execute("SELECT key FROM meta").fetchall()}
    finally:
        con.close()
    assert FACTS_KEY in stored
    exported_keys = set(pads.dataset(out / "meta.parquet", format="parquet").to_table().column("key").to_pylist())
    assert exported_keys == stored - {FACTS_KEY}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert FACTS_KEY not in json.dumps(manifest)


def test_an_export_whose_derived_tables_follow_older_rules_is_measured_from_its_messages(
        exported: tuple[Workspace, Path], tmp_path: Path) -> None:
    """An export made by a version with other derived-table rules (its manifest's plan hash is not this
    version's) is measured from its canonical tables: its derived tables are not read. Shown by emptying its
    `inbound` and `owned_messages`: the figures are still the warehouse's."""
    import shutil

    import pyarrow.parquet as pq

    from strategyfirst.warehouse.dataset import Dataset, derived_current, open_tables

    ws, out = exported
    old = tmp_path / "old-export"
    shutil.copytree(out, old)
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    assert derived_current(Dataset.open(old))
    manifest["derived"]["attribution_plan_hash"] = "an-older-version:2"
    (old / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for name in ("inbound", "owned_messages"):
        path = old / manifest["tables"][name]["path"]
        files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
        for f in files:
            table = pq.read_table(f)
            pq.write_table(table.slice(0, 0), f)
    dataset = Dataset.open(old)
    assert not derived_current(dataset)
    assert not {"inbound", "owned_messages", "conversations", "attribution"} & set(open_tables(dataset))
    runner = CliRunner()
    args = ["measure", "--by", "account", "--period", "week", "--format", "json"]
    direct = runner.invoke(app, [*args, "-w", str(ws.root)])
    via = runner.invoke(app, [*args, "--engine", "duckdb", "--data", str(old)])
    assert direct.exit_code == via.exit_code == 0, via.output
    got, want = json.loads(via.stdout)["rows"], json.loads(direct.stdout)["rows"]
    # the same rows; a mean summed in another order may differ in its last bit
    assert [{**r, "value": None} for r in got] == [{**r, "value": None} for r in want]
    assert [r["value"] for r in got] == pytest.approx([r["value"] for r in want], rel=1e-12)
    assert any(r["metric"] == "response_rate" and r["value"] for r in json.loads(via.stdout)["rows"])
