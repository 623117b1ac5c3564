"""Spark on a real (small) cluster: a standalone master and two workers on 127.0.0.1.

Until issue 19 the batch had only run on Spark in `local[2]`, where the driver does all the
work in one JVM. Here the same batch runs on a Spark standalone cluster started from the
installed pyspark's own jars (`pyspark/bin/spark-class`): one master and two workers (1 core
and 2 GiB each by default), each a JVM of its own, the work done by executors the workers
launch, the driver only planning. Everything binds to 127.0.0.1 (`SPARK_LOCAL_IP`), every port
is a free one chosen at start (so two runs on one machine never clash), and the cluster's work
folders and logs live in a temporary folder. `spark_cluster()` is the reusable part: the test
(`tests/e2e/test_spark_cluster.py`) starts the same cluster.

The benchmark (`main`) generates a population (`benchmarks/batch_data.py`, cached), runs the
batch on DuckDB (the reference), on the cluster and on `local[2]` (the peer, in the same run),
checks that both Spark outputs equal DuckDB's (the same rows in the same order and the same
schema) and writes `benchmarks/results/spark_cluster.json`. Each engine runs in this process,
one after the other; the session's start is timed apart from the batch.

Run: `.venv/bin/python -m benchmarks.spark_cluster [--persons N] [--workers N]`.
Exits 1 if an output differs from DuckDB's (the check is the point), else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
DATA = ROOT / ".data"
AS_OF = date(2026, 6, 30)
HOST = "127.0.0.1"
MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"


class ClusterError(RuntimeError):
    """The cluster did not start (the message ends with the tail of the failing JVM's log)."""


def java_missing() -> bool:
    """No Java runtime to start Spark with (neither JAVA_HOME nor `java` on the PATH)."""
    return not (os.environ.get("JAVA_HOME") or shutil.which("java"))


def spark_home() -> Path:
    """The installed pyspark's folder: it carries Spark's jars and `bin/spark-class`."""
    import pyspark  # noqa: PLC0415 - optional; only a cluster needs it

    return Path(pyspark.__file__).resolve().parent


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def cluster_env(folder: Path, java_options: str = "") -> dict[str, str]:
    """The environment of the cluster's JVMs and of a driver talking to them: bound to
    127.0.0.1, Spark's files in `folder`, no configuration from elsewhere on the machine.
    `java_options` (e.g. `QUICK_JVM`) go to every JVM: the master's and workers' (through
    SPARK_DAEMON_JAVA_OPTS), the driver's (SPARK_SUBMIT_OPTS) and the executors' (the
    folder's spark-defaults.conf, read by the driver)."""
    conf = folder / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    if java_options:
        defaults = f"spark.executor.extraJavaOptions {java_options}\n"
        (conf / "spark-defaults.conf").write_text(defaults, "utf-8")
    env = {
        **os.environ,
        "SPARK_HOME": str(spark_home()),
        "SPARK_LOCAL_IP": HOST,
        "SPARK_LOCAL_HOSTNAME": HOST,
        "SPARK_CONF_DIR": str(conf),
        "SPARK_LOG_DIR": str(folder / "logs"),
        "SPARK_PID_DIR": str(folder),
        "SPARK_WORKER_DIR": str(folder / "work"),
        "SPARK_LOCAL_DIRS": str(folder / "local"),
    }
    if java_options:
        env["SPARK_DAEMON_JAVA_OPTS"] = java_options
        env["SPARK_SUBMIT_OPTS"] = java_options
    env.pop("SPARK_MASTER_HOST", None)
    env.pop("SPARK_MASTER_PORT", None)
    return env


@dataclass
class SparkCluster:
    """A running standalone cluster: its master's URL, its web UI, its folder (logs, work)."""

    master_url: str
    webui_url: str
    folder: Path
    workers: int
    cores: int
    memory: str
    java_options: str = ""
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list, repr=False)

    def env(self) -> dict[str, str]:
        """The environment of a driver talking to this cluster."""
        return cluster_env(self.folder, self.java_options)

    def state(self) -> dict[str, Any]:
        """The master's own account of the cluster (its `/json` page)."""
        with urllib.request.urlopen(f"{self.webui_url}/json", timeout=5) as reply:
            state: dict[str, Any] = json.load(reply)
        return state

    def alive_workers(self) -> int:
        return sum(1 for w in self.state().get("workers", []) if w.get("state") == "ALIVE")

    def driver_config(self, executor_memory: str | None = None) -> dict[str, str]:
        """Settings a driver on this machine needs for this cluster: it listens on 127.0.0.1,
        and each worker runs one executor with all of the worker's cores and memory."""
        return {
            "spark.driver.host": HOST,
            "spark.driver.bindAddress": HOST,
            "spark.executor.cores": str(self.cores),
            "spark.executor.memory": executor_memory or self.memory,
            "spark.cores.max": str(self.cores * self.workers),
        }


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text("utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _start(
    name: str, args: list[str], env: dict[str, str], folder: Path
) -> subprocess.Popen[bytes]:
    """One of the cluster's JVMs, in a process group of its own (the executors a worker
    launches join its group, so that stopping the group stops them too)."""
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(Path(env["SPARK_HOME"]) / "bin" / "spark-class"), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def _stop(processes: list[subprocess.Popen[bytes]], grace: float = 15.0) -> None:
    """Each process group asked to stop (SIGTERM), then killed if still there after `grace`."""
    for process in processes:
        if process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for process in processes:  # the groups too: an executor may outlive its worker
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def spark_cluster(
    workers: int = 2,
    cores: int = 1,
    memory: str = "2g",
    folder: Path | None = None,
    timeout: float = 120.0,
    java_options: str = "",
) -> Iterator[SparkCluster]:
    """A standalone master and `workers` workers on 127.0.0.1, yielded once every worker is
    registered with the master (read from its `/json` page), stopped on leaving the block
    whatever happened. `folder` keeps the logs and work folders (a temporary one, removed
    afterwards, by default). Raises `ClusterError` (with the failing JVM's log) if the cluster
    is not up within `timeout` seconds. `java_options`: see `cluster_env`."""
    with ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="spark-")))
        folder.mkdir(parents=True, exist_ok=True)
        env = cluster_env(folder, java_options)
        port, webui = free_port(), free_port()
        cluster = SparkCluster(
            master_url=f"spark://{HOST}:{port}",
            webui_url=f"http://{HOST}:{webui}",
            folder=folder,
            workers=workers,
            cores=cores,
            memory=memory,
            java_options=java_options,
        )
        stack.callback(_stop, cluster.processes)  # registered before anything starts
        master_args = ["--host", HOST, "--port", str(port), "--webui-port", str(webui)]
        cluster.processes.append(_start("master", [MASTER, *master_args], env, folder))
        for n in range(1, workers + 1):
            work = folder / "work" / f"worker-{n}"
            work.mkdir(parents=True, exist_ok=True)
            worker_args = [
                *(WORKER, cluster.master_url, "--host", HOST),
                *("--port", str(free_port()), "--webui-port", str(free_port())),
                *("--cores", str(cores), "--memory", memory, "--work-dir", str(work)),
            ]
            cluster.processes.append(_start(f"worker-{n}", worker_args, env, folder))
        _wait_until_up(cluster, timeout)
        yield cluster


def _wait_until_up(cluster: SparkCluster, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    names = ["master", *(f"worker-{n}" for n in range(1, cluster.workers + 1))]
    alive = 0
    while time.monotonic() < deadline:
        for name, process in zip(names, cluster.processes, strict=True):
            if process.poll() is not None:
                log = cluster.folder / f"{name}.log"
                raise ClusterError(
                    f"the Spark {name} exited ({process.returncode}); its log ends:\n{_tail(log)}"
                )
        try:
            alive = cluster.alive_workers()
        except (urllib.error.URLError, OSError, ValueError):
            alive = 0  # the master's web UI is not up yet
        if alive >= cluster.workers:
            return
        time.sleep(0.5)
    raise ClusterError(
        f"{alive} of {cluster.workers} Spark workers registered with {cluster.master_url} "
        f"within {timeout:.0f} s; the master's log ends:\n{_tail(cluster.folder / 'master.log')}"
    )


# ------------------------------------------------------------------------------- the benchmark


def _tree_rss(roots: list[int]) -> int:
    """Resident bytes of some processes and all their descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, stack = 0, list(roots)
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            continue
    return total


def worker(name: str, inputs: Path, out: Path, master: str | None, args: Any) -> dict[str, Any]:
    """One engine's run, in this (fresh) process: seconds, and for Spark its session's start."""
    from creditmend.domain.rules.cn import CN  # noqa: PLC0415

    began = time.perf_counter()
    if name == "duckdb":
        from creditmend.adapters.batch.duckdb_engine import DuckDBEngine  # noqa: PLC0415

        rows = DuckDBEngine().run(inputs, AS_OF, CN, out)
        return {"seconds": time.perf_counter() - began, "rows": rows}
    from creditmend.adapters.batch.spark_engine import SparkEngine  # noqa: PLC0415

    config = {"spark.driver.host": HOST, "spark.driver.bindAddress": HOST}
    if master and master.startswith("spark://"):
        config |= {
            "spark.executor.cores": str(args.cores),
            "spark.executor.memory": args.executor_memory,
            "spark.cores.max": str(args.cores * args.workers),
        }
        memory = "1g"  # the driver only plans and collects a few rows
    else:
        master, memory = f"local[{args.cores * args.workers}]", args.local_memory
    engine = SparkEngine(
        master, driver_memory=memory, shuffle_partitions=args.partitions, config=config
    )
    with engine:
        engine.session()
        session = time.perf_counter() - began
        began = time.perf_counter()
        rows = engine.run(inputs, AS_OF, CN, out)
        seconds = time.perf_counter() - began
    return {"seconds": seconds, "session_seconds": session, "rows": rows}


def measure(
    name: str, inputs: Path, out: Path, args: Any, cluster: SparkCluster | None = None
) -> dict[str, Any]:
    """Run one engine in a fresh process (a fresh JVM for Spark: its driver's memory is fixed
    when the JVM starts); the peak resident memory of that process, its children and, on the
    cluster, the cluster's JVMs (the executors are the workers' children)."""
    env = cluster_env(out.parent / "spark-files") if cluster is None else cluster.env()
    command = [sys.executable, "-m", "benchmarks.spark_cluster", "--worker", name]
    command += ["--inputs", str(inputs), "--out", str(out), *args.passed]
    if cluster is not None:
        command += ["--master", cluster.master_url]
    # Files, not pipes: a pipe nobody reads while the memory is sampled could fill up.
    said, answer = out.parent / f"{out.name}.stderr", out.parent / f"{out.name}.stdout"
    with said.open("wb") as stderr, answer.open("wb") as stdout:
        process = subprocess.Popen(command, cwd=ROOT.parent, env=env, stdout=stdout, stderr=stderr)
        roots = [process.pid, *(p.pid for p in cluster.processes)] if cluster else [process.pid]
        peak, load = 0, os.getloadavg()
        try:
            while process.poll() is None:
                peak = max(peak, _tree_rss(roots))
                time.sleep(0.1)
        finally:  # interrupted: the driver goes with us
            if process.poll() is None:
                process.kill()
                process.wait()
    if process.returncode != 0:
        raise RuntimeError(f"{name} failed; its stderr ends:\n{_tail(said, 40)}")
    result: dict[str, Any] = json.loads(answer.read_text("utf-8").strip().splitlines()[-1])
    return {**result, "peak_rss_bytes": peak, "load_before": load, "load_after": os.getloadavg()}


def same_outputs(ours: Path, theirs: Path) -> dict[str, bool]:
    """Whether each output of `theirs` equals `ours`: the same schema, the same rows in the
    same order (Arrow's `Table.equals`)."""
    import pyarrow.parquet as pq  # noqa: PLC0415

    from creditmend.adapters.batch import jobs  # noqa: PLC0415

    equal = {}
    for name in jobs.OUTPUTS:
        a, b = pq.read_table(ours / f"{name}.parquet"), pq.read_table(theirs / f"{name}.parquet")
        same_schema = a.schema.remove_metadata() == b.schema.remove_metadata()
        equal[name] = same_schema and a.replace_schema_metadata().equals(
            b.replace_schema_metadata()
        )
    return equal


def _print(data: dict[str, Any]) -> None:
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    console = Console(width=None if sys.stdout.isatty() else 110)
    work, cluster = data["workload"], data["cluster"]
    table = Table(
        title=(
            f"indicator batch on a Spark cluster: {work['persons']:,} persons, "
            f"{work['account_months']:,} account-months; {cluster['workers']} workers x "
            f"{cluster['cores']} core, {cluster['worker_memory']} on 127.0.0.1"
        )
    )
    for column in ("engine", "session s", "batch s", "x duckdb", "= duckdb", "peak memory", "load"):
        table.add_column(column, justify="left" if column == "engine" else "right")
    duckdb = data["results"][0]["seconds"]
    for row in data["results"]:
        equal = row.get("equal_to_duckdb")
        table.add_row(
            row["name"],
            f"{row['session_seconds']:.1f}" if "session_seconds" in row else "-",
            f"{row['seconds']:.2f}",
            f"{row['seconds'] / duckdb:.1f}x",
            "-" if equal is None else ("yes" if all(equal.values()) else f"NO {equal}"),
            f"{row['peak_rss_bytes'] / 2**30:.2f} GiB",
            f"{row['load_before'][0]:.1f}",
        )
    console.print(table)
    console.print(
        f"cluster up (master and every worker registered) in {cluster['start_seconds']:.1f} s"
    )
    console.print(f"cluster / local: {data['ratios']['cluster_over_local']:.2f}x")
    for goal in data["goals"]:
        status = "[bold green]MET[/]" if goal["met"] else "[bold red]NOT MET[/]"
        console.print(f"{goal['goal']}: {goal['measured']} {status}")


def main(argv: list[str] | None = None) -> int:
    from benchmarks.batch_bench import _commit  # noqa: PLC0415
    from benchmarks.batch_data import cached, manifest  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260110)
    parser.add_argument("--workers", type=int, default=2, help="workers of the cluster")
    parser.add_argument("--cores", type=int, default=1, help="cores of each worker")
    parser.add_argument("--worker-memory", default="2g", help="memory of each worker")
    parser.add_argument(
        "--executor-memory", default=None, help="each executor's heap (default: the worker's)"
    )
    parser.add_argument(
        "--local-memory", default="4g", help="the driver's heap in local mode (the peer)"
    )
    parser.add_argument("--partitions", type=int, default=8, help="shuffle partitions")
    parser.add_argument("--output", type=Path, default=RESULTS / "spark_cluster.json")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--inputs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--master", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.executor_memory = args.executor_memory or args.worker_memory
    if args.worker:
        print(json.dumps(worker(args.worker, args.inputs, args.out, args.master, args)))
        return 0
    if min(args.persons, args.workers, args.cores, args.partitions) < 1:
        parser.error("--persons, --workers, --cores and --partitions must be at least 1")
    if java_missing():
        parser.error("Spark needs Java 17 or later: none found (JAVA_HOME, PATH)")
    # SIGTERM (`timeout`, `kill`) unwinds like Ctrl-C, so the cluster's JVMs, in sessions of
    # their own, are stopped by `spark_cluster` rather than left running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.passed = [
        *("--workers", str(args.workers), "--cores", str(args.cores)),
        *("--executor-memory", args.executor_memory, "--local-memory", args.local_memory),
        *("--partitions", str(args.partitions)),
    ]
    began = time.perf_counter()
    inputs = cached(DATA, args.persons, args.seed, AS_OF)
    print(f"data: {inputs} ({time.perf_counter() - began:.1f} s)", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="spark-cluster-bench-") as tmp:
        folder = Path(tmp)
        reference = folder / "duckdb"
        results.append({"name": "duckdb", **measure("duckdb", inputs, reference, args)})
        print(f"duckdb: {results[-1]['seconds']:.2f} s", flush=True)
        began = time.perf_counter()
        with spark_cluster(
            args.workers, args.cores, args.worker_memory, folder=folder / "cluster"
        ) as cluster:
            start = time.perf_counter() - began
            print(f"cluster up at {cluster.master_url} in {start:.1f} s", flush=True)
            out = folder / "spark-cluster"
            row = measure("spark", inputs, out, args, cluster)
            apps = cluster.state().get("completedapps", [])
        results.append(
            {
                "name": f"spark cluster ({args.workers} x {args.cores} core)",
                **row,
                "equal_to_duckdb": same_outputs(reference, out),
                "application": apps[-1] if apps else None,
            }
        )
        print(f"spark cluster: {row['seconds']:.2f} s", flush=True)
        out = folder / "spark-local"
        row = measure("spark", inputs, out, args)
        local = f"local[{args.cores * args.workers}]"
        results.append(
            {"name": f"spark {local}", **row, "equal_to_duckdb": same_outputs(reference, out)}
        )
        print(f"spark {local}: {row['seconds']:.2f} s", flush=True)
    on_cluster, on_local = results[1], results[2]
    equal = all(on_cluster["equal_to_duckdb"].values())
    data = {
        "benchmark": "spark_cluster",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
        },
        "revision": _commit(),
        "parameters": {
            "persons": args.persons,
            "seed": args.seed,
            "as_of": AS_OF.isoformat(),
            "shuffle_partitions": args.partitions,
            "executor_memory": args.executor_memory,
            "local_driver_memory": args.local_memory,
        },
        "workload": {"persons": args.persons, **manifest(inputs)},
        "cluster": {
            "workers": args.workers,
            "cores": args.cores,
            "worker_memory": args.worker_memory,
            "start_seconds": round(start, 3),
        },
        "results": results,
        "ratios": {
            "cluster_over_local": round(on_cluster["seconds"] / on_local["seconds"], 3),
            "cluster_over_duckdb": round(on_cluster["seconds"] / results[0]["seconds"], 3),
        },
        "goals": [
            {
                "goal": "Spark on a standalone cluster writes DuckDB's outputs",
                "measured": ", ".join(
                    f"{k} {'equal' if v else 'DIFFERENT'}"
                    for k, v in on_cluster["equal_to_duckdb"].items()
                ),
                "met": equal,
            }
        ],
    }
    _print(data)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
