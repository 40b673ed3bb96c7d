"""The one module that opens Spark sessions, as `warehouse/engine.py` is the one that opens DuckDB.

A session is local (`local[*]` by default, or `--spark-master URL` for a standalone/YARN/Kubernetes
cluster) or a Spark Connect client (`--spark-remote sc://HOST:PORT`). Every session runs in UTC, so that
period buckets agree with DuckDB's. PySpark is imported lazily: the rest of the product never needs it.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ibis

from strategyfirst.errors import UsageError

DEFAULT_MASTER = "local[*]"
# Small local sessions: no web UI, UTC, few shuffle partitions (the default 200 is for clusters).
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
}


def _pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError:
        raise UsageError("--engine spark needs PySpark: pip install 'strategyfirst[spark]' "
                         "(pyspark>=3.5,<4.1)") from None
    return pyspark.sql


def spark_session(*, remote: str | None = None, master: str | None = None,
                  conf: Mapping[str, str] | None = None, app_name: str = "strategyfirst") -> Any:
    """A SparkSession: Spark Connect at `remote`, else a classic session on `master` (default local[*])."""
    if remote and master:
        raise UsageError("give either --spark-remote (Spark Connect) or --spark-master, not both")
    sql = _pyspark()
    builder = sql.SparkSession.builder.appName(app_name)
    settings = dict(LOCAL_CONF)
    settings.update(conf or {})
    if remote:
        if not remote.startswith("sc://"):
            raise UsageError(f"--spark-remote {remote!r}: a Spark Connect URL looks like sc://HOST:15002")
        builder = builder.remote(remote)
        settings = {"spark.sql.session.timeZone": "UTC", **(conf or {})}  # the server owns the rest
    else:
        if shutil.which("java") is None and not _java_home():
            raise UsageError("--engine spark needs Java 17 or later (e.g. apt-get install openjdk-17-jre-"
                             "headless, or set JAVA_HOME); or use --spark-remote to reach a Spark Connect "
                             "server")
        builder = builder.master(master or DEFAULT_MASTER)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j/gRPC errors: say where we tried to connect, not a JVM trace
        where = remote or master or DEFAULT_MASTER
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"could not start a Spark session on {where}: {first}") from None
    session.conf.set("spark.sql.session.timeZone", "UTC")
    if not remote:  # stderr carries messages, not Spark's per-stage warnings
        session.sparkContext.setLogLevel("ERROR")
    return session


def _java_home() -> bool:
    import os

    home = os.environ.get("JAVA_HOME")
    return home is not None and (Path(home) / "bin" / "java").exists()


def spark_backend(session: Any) -> Any:
    """The Ibis PySpark backend over a session (the metric expressions compile to Spark SQL through it)."""
    return ibis.pyspark.connect(session)


def read_parquet(backend: Any, session: Any, name: str, path: Path, *, drop: tuple[str, ...] = (),
                 cache: bool = False) -> Any:
    """Register the Parquet file or folder at `path` as temporary view `name`; return it as an Ibis table.

    Folders are read recursively without partition discovery: the export writes partition columns inside
    the files, so values and types come from the files, never from folder names.
    """
    frame = session.read.option("recursiveFileLookup", "true").parquet(str(path))
    keep = [c for c in frame.columns if c not in drop]
    frame = frame.select(*keep)
    if cache:  # worth it only when many queries follow (parity checks, notebooks)
        frame = frame.cache()
    frame.createOrReplaceTempView(name)
    return backend.table(name)
