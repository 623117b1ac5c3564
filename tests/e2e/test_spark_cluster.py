"""`creditmend batch --engine spark --spark-master spark://...` on a real standalone cluster.

A master and two workers (1 core, 1 GiB each) are started on 127.0.0.1 from the installed
pyspark (`benchmarks/spark_cluster.py`, the benchmark's own cluster), a small synthetic bureau
is batched through them by the installed command, and every output must equal the DuckDB
batch's of the same store: the same schema, the same rows in the same order. The master must
also have run the batch as an application with the workers' cores, so a batch that quietly ran
in local mode fails. Skipped only where Java is missing outside CI (`CI` unset); in CI a missing
Java fails the test.

Its cost is Spark's fixed cost, not the data's: three JVMs starting (about 30 s), the driver's
JVM and the application's registration, then Spark planning and compiling the batch's queries
(the same as in `local[2]`) and two executors starting. Every JVM runs with `QUICK_JVM` (the
JIT's first tier, one GC thread): 52 s instead of 103 s on this 2-core machine at a load
average of 5 to 7; a hung cluster fails the test after 15 minutes (`TIMEOUT`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)

from creditmend.adapters.batch.spark_engine import QUICK_JVM
from creditmend.adapters.vault import new_key
from creditmend.bootstrap import build_bureau
from creditmend.services.synth import SynthParams, write_population

sys.path.insert(0, str(Path(__file__).parents[2]))  # the repository, for `benchmarks`
from benchmarks.spark_cluster import java_missing, spark_cluster

pytestmark = [
    pytest.mark.slow,  # three JVMs and a Spark application: minutes
    pytest.mark.skipif(
        java_missing() and not os.environ.get("CI"),
        reason="Spark needs Java 17 or later: none found (JAVA_HOME, PATH); CI runs this test",
    ),
]

AT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
AS_OF = date(2025, 2, 28)
OUTPUTS = ("indicators", "platforms", "scores")
TIMEOUT = 900  # seconds: a bound, not a goal


def _store(folder: Path, env: dict[str, str]) -> None:
    """A small synthetic population (40 persons, 6 lenders, 14 months), furnished and imported."""
    write_population(SynthParams(40, 6, 14, 11, date(2024, 1, 1), "cn"), folder)
    bureau = build_bureau(env["CREDITMEND_DB"], create=True)
    bureau.furnish.import_furnishers(folder / "furnishers.jsonl", AT)
    for path in sorted((folder / "cmf").glob("*/*.jsonl"), key=lambda p: (p.stem, str(p))):
        assert bureau.furnish.ingest(path, "jsonl", AS_OF, AT).rejected == 0
    for kind in ("public_records", "blacklist", "inquiries"):
        imported = bureau.records.import_file(kind, folder / f"{kind}.jsonl", "jsonl", AS_OF, AT)
        assert imported.rejected == 0


def test_the_batch_on_a_standalone_cluster_equals_duckdb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        **os.environ,
        "CREDITMEND_DB": f"sqlite:///{tmp_path / 'bureau.db'}",
        "CREDITMEND_KEY": new_key(),
    }
    monkeypatch.setenv("CREDITMEND_KEY", env["CREDITMEND_KEY"])
    _store(tmp_path / "population", env)
    day = AS_OF.isoformat()
    duckdb = cli("batch", "--as-of", day, "--out", str(tmp_path / "duckdb"), "--json", env=env)
    assert duckdb.returncode == 0, duckdb.stderr
    folder = tmp_path / "cluster"
    with spark_cluster(2, 1, "1g", folder, java_options=QUICK_JVM) as cluster:
        command = [sys.executable, "-m", "creditmend", "batch", "--as-of", day, "--json"]
        command += ["--engine", "spark", "--spark-master", cluster.master_url]
        spark = subprocess.run(
            [*command, "--out", str(tmp_path / "spark")],
            env={**env, **cluster.env()},  # SPARK_LOCAL_IP=127.0.0.1, the JVMs' options, ...
            capture_output=True,
            text=True,
            check=False,
            timeout=TIMEOUT,
        )
        assert spark.returncode == 0, spark.stderr
        state = cluster.state()
    apps = [*state.get("activeapps", []), *state.get("completedapps", [])]
    assert [(app["name"], app["cores"]) for app in apps] == [("creditmend-batch", 2)]
    ours, theirs = json.loads(duckdb.stdout), json.loads(spark.stdout)
    assert (theirs["engine"], ours["engine"]) == ("spark", "duckdb")
    assert theirs["outputs"] == ours["outputs"]
    assert theirs["outputs"]["indicators"] == 40
    for name in OUTPUTS:
        a = pq.read_table(tmp_path / "duckdb" / f"{name}.parquet")
        b = pq.read_table(tmp_path / "spark" / f"{name}.parquet")
        assert b.schema.remove_metadata() == a.schema.remove_metadata(), name
        assert b.replace_schema_metadata().equals(a.replace_schema_metadata()), name
