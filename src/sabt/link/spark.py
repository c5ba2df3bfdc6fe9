"""Spark sessions for linkage, built at the edge and handed to the engine.

`session` builds one from a master URL (``local[2]``, ``spark://host:7077``, ``yarn``,
``k8s://…``) and a properties file in ``spark-defaults.conf`` form (``key value`` or
``key=value`` a line, ``#`` comments): memory (``spark.driver.memory``,
``spark.executor.memory``), partitions, and ``spark.sabt.stagingDir``, a directory every
executor can read (shared filesystem, HDFS, S3) where the records are written as Parquet for
Spark to read; on a local master a temporary directory stands in for it. The engine
(`sabt.link.engine`) takes the session; nothing in it builds one.

A master that cannot be reached is refused before any work starts, in one line: the standalone
master (``spark://``) and Spark Connect (``sc://``) by a TCP connection to their port, others
by Spark's own start-up error.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
import uuid
import weakref
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from sabt.errors import SabtError

#: what sabt sets unless the properties file says otherwise: small shuffles suit the
#: linkage's many small training queries; the UI is not needed.
DEFAULTS: dict[str, str] = {
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "2g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
STAGING = "spark.sabt.stagingDir"
#: how splink cuts the lineage of its intermediate tables: ``parquet`` (the default: written
#: to the checkpoint directory and read back, so each query plan starts from files),
#: ``checkpoint`` (Spark's checkpoint, the same directory), or ``persist`` (cached in memory,
#: then disk: the plans keep their whole lineage, and connected components' iterations build
#: plans that grow until the driver runs out of heap)
BREAK_LINEAGE = "spark.sabt.breakLineageMethod"
_CONNECT_TIMEOUT = 5.0


def read_conf(path: Path) -> dict[str, str]:
    """Spark properties from a ``spark-defaults.conf``-style file (one line's error names it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SabtError(f"{path}: cannot read the Spark properties ({exc.strerror})") from exc
    conf: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=") if "=" in line.split()[0] else (
            line.partition(" ")[0], " ", line.partition(" ")[2])
        key, value = key.strip(), value.strip()
        if not sep or not key.startswith("spark.") or not value:
            raise SabtError(f"{path}: line {number}: expected 'spark.<name> <value>', "
                            f"got {line[:60]!r}")
        conf[key] = value
    return conf


def check_reachable(master: str) -> None:
    """Refuse, in one line, a standalone or Spark Connect master nothing answers at."""
    parts = urlsplit(master)
    if parts.scheme not in ("spark", "sc"):
        return
    default_port = 7077 if parts.scheme == "spark" else 15002
    for hostport in parts.netloc.split(","):   # a standalone master may list standbys
        host, _, port = hostport.partition(":")
        try:
            with socket.create_connection((host, int(port or default_port)),
                                          timeout=_CONNECT_TIMEOUT):
                return
        except (OSError, ValueError):
            continue
    raise SabtError(f"Spark master {master} cannot be reached (no answer within "
                    f"{_CONNECT_TIMEOUT:g} s); nothing was linked and the previous run stands")


def session(master: str | None = None, conf: dict[str, str] | None = None) -> Any:
    """A SparkSession for linkage on `master` (default ``local[2]``) with `conf` over
    `DEFAULTS`, splink's similarity functions registered, and a checkpoint directory. On a
    local master the executors' Python workers run this interpreter unless
    ``spark.pyspark.python`` or ``PYSPARK_PYTHON`` names another.

    ``spark.jars`` gets splink's jar of string similarity functions and sabt's Jaro-Winkler
    (`sabt.link.spark_similarity`) added; with Spark Connect the server must have both already
    (see docs/scale.md).
    """
    conf = {**DEFAULTS, **(conf or {})}
    master = master or conf.pop("spark.master", "local[2]")
    # the Python the executors' workers run (clustering): PySpark reads it from the
    # environment when the session starts; on a local master, this interpreter
    if "spark.pyspark.python" in conf:
        os.environ["PYSPARK_PYTHON"] = conf["spark.pyspark.python"]
    elif master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    check_reachable(master)
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise SabtError("the spark backend needs pyspark: pip install 'sabt[spark]'") from exc
    active = SparkSession.getActiveSession()
    if active is not None and not master.startswith("sc://") and active.conf.get(
            "spark.master", None) != master:   # getOrCreate would hand back that one
        raise SabtError(f"a Spark session on {active.conf.get('spark.master', '?')} is already "
                        f"running in this process; stop it before starting one on {master}")
    if master.startswith("sc://"):
        builder = SparkSession.builder.remote(master)
    else:
        from sabt.link.spark_similarity import similarity_jar

        jars = ",".join(j for j in (conf.get("spark.jars"), similarity_jar_location(),
                                    str(similarity_jar())) if j)
        builder = SparkSession.builder.master(master).config("spark.jars", jars)
    for key, value in conf.items():
        if key != "spark.jars":
            builder = builder.config(key, value)
    try:
        spark = builder.appName("sabt-link").getOrCreate()
    except Exception as exc:   # Spark's start-up errors are Java traces: keep one line
        raise SabtError(f"Spark master {master} could not start a session: {first_line(exc)}; "
                        "nothing was linked and the previous run stands") from exc
    if not master.startswith("sc://"):
        spark.sparkContext.setLogLevel("ERROR")
        if spark.sparkContext.getCheckpointDir() is None:
            checkpoints = conf.get("spark.checkpoint.dir")
            if checkpoints is None:   # a temporary one goes with the session
                checkpoints = tempfile.mkdtemp(prefix="sabt-spark-")
                weakref.finalize(spark, shutil.rmtree, checkpoints, ignore_errors=True)
            spark.sparkContext.setCheckpointDir(checkpoints)
    return spark


def staging_dir(spark: Any) -> tuple[str | None, bool]:
    """Where the engine writes Parquet for Spark to read, and whether it is a temporary
    directory the caller removes: ``spark.sabt.stagingDir``, or on a local master (the
    executors share the driver's disk) a new temporary directory; None means the records go
    over Arrow from the driver."""
    configured = spark.conf.get(STAGING, None)
    if configured:
        return str(configured), False
    if str(spark.conf.get("spark.master", "")).startswith("local"):
        return tempfile.mkdtemp(prefix="sabt-staging-"), True
    return None, False


def first_line(exc: BaseException) -> str:
    """The telling line of a Spark error (a Java trace's exception line, else its first)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    telling = [line for line in lines if "Exception:" in line or "Error:" in line]
    return (telling or lines or [type(exc).__name__])[0][:200]


def failures() -> tuple[type[BaseException], ...]:
    """The exceptions a failing Spark cluster raises (lost executors, a master gone, a job
    aborted), as opposed to errors in sabt's own code."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    from sabt.link.splink_adapter import SplinkException  # splink wraps the SQL's errors

    return (Py4JError, PySparkException, SplinkException, ConnectionError)


def check_memory(spark: Any, table_bytes: int, staging: str | None) -> None:
    """Refuse before starting when the records cannot fit the driver's JVM: without a staging
    directory they are sent to Spark through it (over Arrow), which needs about three times
    their Arrow size (the batches, their Java copy and the DataFrame built from them)."""
    if staging is not None:
        return
    setting = str(spark.conf.get("spark.driver.memory", "1g"))
    need = 3 * table_bytes
    if need > memory_bytes(setting):
        raise SabtError(
            f"the records ({table_bytes / 2**20:,.0f} MB as Arrow) need about "
            f"{need / 2**20:,.0f} MB of driver memory to reach Spark, more than "
            f"spark.driver.memory={setting}: set {STAGING} to storage the executors share, "
            "or raise spark.driver.memory (--spark-conf)")


def memory_bytes(size: str) -> int:
    """A JVM memory setting (``512m``, ``2g``, ``1024k``, bytes) in bytes."""
    units = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
    text = size.strip().lower().removesuffix("b")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def to_spark(spark: Any, table: Any, staging: str | None) -> Any:
    """An Arrow table as a Spark DataFrame: written as Parquet under `staging` for the
    executors to read (no copy through the driver's JVM), else sent over Arrow."""
    if staging is None:
        return spark.createDataFrame(table)
    import pyarrow.parquet as pq

    path = f"{staging.rstrip('/')}/records-{uuid.uuid4().hex[:12]}.parquet"
    if "://" in path and not path.startswith("file://"):
        import pyarrow.fs as pafs

        fs, inner = pafs.FileSystem.from_uri(path)
        pq.write_table(table, inner, filesystem=fs, row_group_size=100_000)
    else:
        local = path.removeprefix("file://")
        Path(local).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, local, row_group_size=100_000)
    return spark.read.parquet(path)


def local_scratch(staging: str | None, prefix: str) -> str | None:
    """A new path under `staging` for Parquet the driver reads or removes itself: only where
    the staging directory is on the driver's own filesystem (a path or ``file://``), else
    None."""
    if staging is None or ("://" in staging and not staging.startswith("file://")):
        return None
    return f"{staging.removeprefix('file://').rstrip('/')}/{prefix}-{uuid.uuid4().hex[:12]}"


def stream_columns(frame: Any, columns: dict[str, str], staging: str | None,
                   ) -> dict[str, np.ndarray]:
    """The `columns` (name → numpy dtype) of a Spark DataFrame on the driver as numpy arrays,
    read a batch at a time so the driver never holds more than the arrays and one batch:
    through Parquet under a local `staging` directory, else partition by partition
    (``toLocalIterator``)."""
    frame = frame.select(*columns)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in columns}
    if (path := local_scratch(staging, "pairs")) is not None:
        import pyarrow.dataset as ds

        frame.write.parquet(path)
        try:
            for batch in ds.dataset(path, format="parquet").to_batches(batch_size=1_000_000):
                for name, dtype in columns.items():
                    parts[name].append(batch.column(name).to_numpy(zero_copy_only=False)
                                       .astype(dtype))
        finally:
            shutil.rmtree(path, ignore_errors=True)
    else:
        rows: list[Any] = []
        for row in frame.toLocalIterator(prefetchPartitions=True):
            rows.append(tuple(row))
            if len(rows) == 500_000:
                _flush(rows, columns, parts)
        _flush(rows, columns, parts)
    return {name: (np.concatenate(chunks) if chunks else np.zeros(0, dtype))
            for (name, dtype), chunks in zip(columns.items(), parts.values(), strict=True)}


def _flush(rows: list[Any], columns: dict[str, str], parts: dict[str, list[np.ndarray]]) -> None:
    if rows:
        block = np.array(rows, dtype=np.float64).T
        for i, (name, dtype) in enumerate(columns.items()):
            parts[name].append(block[i].astype(dtype))
        rows.clear()
