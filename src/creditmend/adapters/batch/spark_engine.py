"""The indicator batch on Apache Spark: the same SQL files as DuckDB, run by Spark SQL.

`pyspark` is an optional dependency (`pip install 'creditmend[spark]'`), imported only when a
session starts. Local mode (`local[2]`, the default) needs nothing but a Java 17+ runtime;
`master` may name a cluster (`spark://host:7077`, `yarn`, ...), whose workers must then see
`inputs` and `out` at the same paths (a shared file system). On a standalone master
(`spark://`), the session's start returns once the master has registered the application; a
master no address of which takes a connection fails at once, before the JVM starts (Spark's own
retries would take about a minute and a half), and before any input is read.
`benchmarks/spark_cluster.py` runs the batch on a two-worker cluster on 127.0.0.1 and checks it
writes DuckDB's outputs.

Spark is made quiet and quick to start for a batch run from the command line: no web UI, no
console progress bar, JVM logging at ERROR only (`spark-log4j2.properties`), a few shuffle
partitions (adaptive execution coalesces them further). Each output is written as one Parquet
file, `out/<name>.parquet`, the same layout DuckDB writes, and with the same schema: the
columns are given the output's exact types, every one nullable, as DuckDB writes them.
"""

from __future__ import annotations

import importlib.util
import shutil
import socket
import tempfile
import warnings
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from creditmend.adapters.batch import jobs
from creditmend.adapters.batch.parquet import check_inputs_present, check_output, table_path
from creditmend.domain.report.batch_rows import TABLES
from creditmend.domain.rules.profile import JurisdictionProfile

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

MISSING = (
    "the Spark engine needs pyspark, which is not installed: pip install 'creditmend[spark]' "
    "(and a Java 17 or later runtime)"
)


class SparkMissingError(RuntimeError):
    """pyspark is not installed."""


def check_installed() -> None:
    """Raise `SparkMissingError` unless pyspark can be imported (without importing it)."""
    try:
        found = importlib.util.find_spec("pyspark") is not None
    except (ImportError, ValueError):  # a module set to None, or without a spec
        found = False
    if not found:
        raise SparkMissingError(MISSING)


# Java options for a JVM that lives a minute (the tests'): the JIT's first tier only and one GC
# thread. C2's compiler threads and the parallel collector cost more CPU than so short a run
# gains from them (a Spark test took half the time on a 2-core machine); a batch or a benchmark
# keeps the JVM's defaults.
QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


class MasterUnreachableError(RuntimeError):
    """No standalone master answers at any address of a `spark://` URL."""


def check_master_reachable(master: str, timeout: float = 5.0) -> None:
    """Raise `MasterUnreachableError` when a `spark://host:port[,host:port]` master has no
    address that takes a TCP connection within `timeout` seconds. Spark itself retries a master
    that does not answer for about a minute and a half before it fails; a typo in the URL or a
    master not started is told at once instead. Other masters (`local[...]`, `yarn`, ...) are
    left to Spark."""
    if not master.startswith("spark://"):
        return
    reasons = []
    for address in master.removeprefix("spark://").split(","):
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise MasterUnreachableError(f"{address!r} is not host:port")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
                return
        except OSError as error:
            reasons.append(f"{address}: {error.strerror or error}")
    raise MasterUnreachableError("no master answers (" + "; ".join(reasons) + ")")


def _log_config() -> str:
    path = resources.files(__package__).joinpath("spark-log4j2.properties")
    return f"file:{path}"


class SparkEngine:
    """Runs the batch's SQL on Spark.

    `master`: the Spark master URL; `driver_memory`: the driver JVM's heap (in local mode it
    does all the work); `shuffle_partitions`: partitions after a shuffle; `config`: any other
    Spark settings; `driver_java_options`: added to the driver JVM's own (the tests make a
    short-lived JVM cheaper with them). The session starts at the first run and is kept until
    `stop()` (or the end of a `with` block). Without pyspark the constructor raises
    `SparkMissingError`, before any work is done.
    """

    name = "spark"

    def __init__(
        self,
        master: str = "local[2]",
        driver_memory: str = "2g",
        shuffle_partitions: int = 4,
        config: dict[str, str] | None = None,
        driver_java_options: str = "",
    ) -> None:
        if shuffle_partitions < 1:
            raise ValueError(f"shuffle_partitions: {shuffle_partitions} must be at least 1")
        check_installed()
        self.master = master
        self.driver_memory = driver_memory
        self.shuffle_partitions = shuffle_partitions
        self.config = dict(config or {})
        self.driver_java_options = driver_java_options
        self._session: SparkSession | None = None

    def settings(self) -> dict[str, str]:
        """Every setting the session starts with."""
        return {
            "spark.master": self.master,
            "spark.app.name": "creditmend-batch",
            "spark.driver.memory": self.driver_memory,
            "spark.driver.extraJavaOptions": " ".join(
                (f"-Dlog4j2.configurationFile={_log_config()}", self.driver_java_options)
            ).strip(),
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.shuffle.partitions": str(self.shuffle_partitions),
            "spark.sql.adaptive.enabled": "true",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.ansi.enabled": "true",
            "spark.sql.parquet.compression.codec": "snappy",
            "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
            **self.config,
        }

    def session(self) -> SparkSession:
        """The engine's Spark session, started on first use."""
        if self._session is None:
            with warnings.catch_warnings():
                # pyspark warns on import that it does not yet fully support pandas 3; the
                # batch uses no pandas API of pyspark.
                warnings.filterwarnings("ignore", category=FutureWarning, module="pyspark")
                try:
                    from pyspark.sql import SparkSession  # noqa: PLC0415 - optional dependency
                except ImportError as error:
                    raise SparkMissingError(MISSING) from error
                check_master_reachable(self.master)
                builder: Any = SparkSession.builder
                for key, value in self.settings().items():
                    builder = builder.config(key, value)
                session: SparkSession = builder.getOrCreate()
            session.sparkContext.setLogLevel("ERROR")
            self._session = session
        return self._session

    def stop(self) -> None:
        if self._session is not None:
            self._session.stop()
            self._session = None

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def check(self, as_of: date, profile: JurisdictionProfile) -> None:
        jobs.parameters(as_of, profile)  # the profile's literals are checked as they are made

    def run(
        self, inputs: Path, as_of: date, profile: JurisdictionProfile, out: Path
    ) -> dict[str, int]:
        """`DuckDBEngine.run` on Spark SQL: the same files in, the same outputs."""
        values = jobs.parameters(as_of, profile)
        check_inputs_present(inputs)
        spark = self.session()
        out.mkdir(parents=True, exist_ok=True)
        kept: list[DataFrame] = []
        views: list[str] = []
        written: dict[str, int] = {}
        try:
            for table in TABLES:
                path = str(table_path(inputs, table).resolve())
                spark.read.parquet(path).createOrReplaceTempView(table)
                views.append(table)
            check = spark.sql(jobs.render(jobs.CHECK_SQL, values)).collect()[0]
            jobs.check_inputs(tuple(check), as_of)
            for step in jobs.STEPS:
                frame = spark.sql(jobs.step_sql(step, values))
                if step.output:
                    written[step.name] = self._write(frame, step, out)
                    continue
                if step.keep:
                    frame = frame.cache()
                    kept.append(frame)
                frame.createOrReplaceTempView(step.name)
                views.append(step.name)
        finally:
            for frame in kept:
                frame.unpersist()
            for view in views:
                spark.catalog.dropTempView(view)
        return written

    @staticmethod
    def _write(frame: DataFrame, step: jobs.Step, out: Path) -> int:
        from pyspark.sql import types  # noqa: PLC0415 - an optional dependency

        expected = jobs.OUTPUTS[step.name]
        if tuple(frame.columns) != tuple(name for name, _, _ in expected):
            raise RuntimeError(f"{step.name}.sql: columns {frame.columns} are not {expected}")
        spark_types = {
            "BIGINT": types.LongType(),
            "BOOLEAN": types.BooleanType(),
            "DATE": types.DateType(),
            "VARCHAR": types.StringType(),
        }
        schema = types.StructType(
            [
                types.StructField(name, spark_types[kind], nullable=nullable)
                for name, kind, nullable in expected
            ]
        )
        for field, wanted in zip(frame.schema.fields, schema.fields, strict=True):
            if field.dataType != wanted.dataType:
                raise RuntimeError(
                    f"{step.name}.sql: {field.name} is {field.dataType}, not {wanted.dataType}"
                )
        result = frame.to(schema).orderBy(*step.order_by).coalesce(1)
        target = out / f"{step.name}.parquet"
        with tempfile.TemporaryDirectory(prefix=f".{step.name}-", dir=out) as folder:
            result.write.mode("overwrite").parquet(str(Path(folder) / "part"))
            (part,) = (Path(folder) / "part").glob("part-*.parquet")
            if target.is_dir():
                shutil.rmtree(target)
            part.replace(target)
        return check_output(target, step.name)
