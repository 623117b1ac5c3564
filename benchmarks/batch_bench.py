"""Benchmark: the indicator batch over 1,000,000 persons and about 30,000,000 account-months.

Goals: at least 10x faster than a straightforward pandas implementation of the same indicators
(the peer, issue 4), and within 2x of the output-shaped floor (issue 19); the issue-4 goal,
within 3x of the 12-column floor, is kept as a second reference. Peak memory is reported too.

The population is generated straight into the batch's input layout (`benchmarks/batch_data.py`,
seeded) and cached under `benchmarks/.data/`. Every measurement runs in a fresh process of its
own (`--worker`), so that its wall time, CPU time and peak memory are its own: the resident
memory of the process and all its children (Spark's JVM) is sampled every 50 ms, and the worker
reports its own `ru_maxrss`. The load average is recorded before and after each. Timed rows:

- `duckdb`: `DuckDBEngine().run(...)`, the whole batch (every indicator, both outputs).
- `spark`: `SparkEngine("local[2]").run(...)`, the same SQL; the session's start is timed apart.
- `pandas *`: `benchmarks/batch_pandas.py` on the first `--pandas-persons` persons, its time
  extrapolated linearly to all persons (marked `*`); its rows are checked against DuckDB's.
- `floor (output-shaped)`: the output's share of the batch's work. DuckDB, configured as the
  batch's engine, reads every input table once (`accounts` grouped by person and platform into
  a temporary table, which is written as `platforms.parquet` and grouped again by person), groups
  each by person, and writes `indicators.parquet` and `platforms.parquet` with the batch's
  declared schemas and row counts through the batch's own writer. Each column is filled from one
  aggregate of the input table its work reads in the batch (`batch_floor._SOURCES`), of its unit
  (`_AGGREGATES`: counts, sums of money, months, days, dates, flags), chosen so that the floor's
  files are about as hard to encode as the batch's: the run prints both sizes. Unsorted: the
  batch sorts its outputs, the floor does not.
- `floor (12 columns)`: issue 4's floor, unchanged: DuckDB reading every input table once, one
  GROUP BY person each with a few SUMs, joined to the persons and written as Parquet with
  DuckDB's `COPY`. `floor (account-months)` is the narrowest form: one GROUP BY person over
  account_months alone.

The floors and DuckDB run `--repeat` rounds (default 3) one after the other; each of their rows
is the median round, and the ratio of DuckDB to each floor is also given round by round. Spark
and pandas run once.

Run: `.venv/bin/python -m benchmarks.batch_bench [--persons N] [--seed S] [--engines LIST]`.
Writes `benchmarks/results/batch.json`. Exits 0 whether or not the goals are met.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks import batch_floor
from benchmarks.batch_data import cached, manifest
from benchmarks.batch_floor import AS_OF
from creditmend.domain.rules.cn import CN

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
DATA = ROOT / ".data"
CURRENCY = CN.currency
ENGINES = ("floor", "duckdb", "spark", "pandas")
GOAL_OVER_PEER = 10.0  # at least 10x faster than pandas
GOAL_OVER_FLOOR = 3.0  # within 3x of the 12-column floor (issue 4)
GOAL_OVER_OUTPUT_FLOOR = 2.0  # within 2x of the output-shaped floor (issue 19)
OUTPUT_FLOOR = "floor (output-shaped)"
NAMES = {
    "floor_output": OUTPUT_FLOOR,
    "floor": "floor (12 columns)",
    "floor_narrow": "floor (account-months)",
}


# ------------------------------------------------------------------------------- the workers


def worker(name: str, inputs: Path, out: Path, spark_memory: str) -> dict[str, Any]:
    """One measurement, in this process: what it took, as JSON for the parent."""
    began = time.perf_counter()
    details: dict[str, Any] = {}
    if name in ("floor", "floor_narrow"):
        rows = batch_floor.floor(inputs, out, narrow=name == "floor_narrow")
    elif name == "floor_output":
        rows = batch_floor.output_floor(inputs, out)
    elif name == "duckdb":
        from creditmend.adapters.batch.duckdb_engine import DuckDBEngine  # noqa: PLC0415

        engine = DuckDBEngine()
        rows = engine.run(inputs, AS_OF, CN, out)["indicators"]
        details["steps_seconds"] = {step: round(t, 3) for step, t in engine.timings.items()}
    elif name == "spark":
        from creditmend.adapters.batch.spark_engine import SparkEngine  # noqa: PLC0415

        engine = SparkEngine("local[2]", driver_memory=spark_memory, shuffle_partitions=8)
        engine.session()
        details["session_seconds"] = round(time.perf_counter() - began, 3)
        began = time.perf_counter()
        rows = engine.run(inputs, AS_OF, CN, out)["indicators"]
        seconds = time.perf_counter() - began
        engine.stop()
        return {"seconds": seconds, "rows": rows, **details}
    elif name == "pandas":
        from benchmarks.batch_pandas import run  # noqa: PLC0415

        rows = run(inputs, AS_OF, CURRENCY, out)
    else:
        raise SystemExit(f"unknown worker {name}")
    seconds = time.perf_counter() - began
    details["output_bytes"] = {path.name: path.stat().st_size for path in out.glob("*.parquet")}
    # the kernel's high-water mark of this process's resident memory (KiB on Linux), and the
    # CPU time of all its threads: on a shared machine, less at the mercy of the load than wall
    usage = resource.getrusage(resource.RUSAGE_SELF)
    details["maxrss_bytes"] = usage.ru_maxrss * 1024
    details["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 3)
    return {"seconds": seconds, "rows": rows, **details}


# ------------------------------------------------------------------------------- the parent


def _tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            continue
    return total


def measure(name: str, inputs: Path, spark_memory: str) -> dict[str, Any]:
    """Run one worker in a fresh process, sampling its memory; its result with the peak."""
    with tempfile.TemporaryDirectory(prefix=f"batch-{name}-") as out:
        command = [
            sys.executable,
            "-m",
            "benchmarks.batch_bench",
            "--worker",
            name,
            "--inputs",
            str(inputs),
            "--out",
            out,
            "--spark-memory",
            spark_memory,
        ]
        load_before = os.getloadavg()
        process = subprocess.Popen(
            command, cwd=ROOT.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(process.pid))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout, stderr = process.communicate()
        done.set()
        sampler.join()
        if process.returncode != 0:
            raise RuntimeError(f"{name} failed:\n{stderr[-4000:]}")
        result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
        result["load_average"] = [round(v, 2) for v in (*load_before, *os.getloadavg())]
        if name == "pandas":
            result["agreement"] = _agreement(inputs, Path(out))
        result["peak_rss_bytes"] = peak
        return result


def _agreement(inputs: Path, pandas_out: Path) -> dict[str, int]:
    """On how many of the sample's persons pandas gives DuckDB's row, every column equal."""
    import pyarrow.parquet as pq  # noqa: PLC0415

    from creditmend.adapters.batch.duckdb_engine import DuckDBEngine  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as folder:
        DuckDBEngine().run(inputs, AS_OF, CN, Path(folder))
        ours = pq.read_table(Path(folder) / "indicators.parquet").to_pylist()
    peer = pq.read_table(pandas_out / "indicators.parquet").to_pylist()
    by_person = {row["person"]: row for row in peer}

    def same(a: dict[str, Any], b: dict[str, Any] | None) -> bool:
        if b is None:
            return False
        return all(a[k] == b[k] or (a[k] is None and b[k] != b[k]) for k in a)  # NaN is None

    equal = sum(same(row, by_person.get(row["person"])) for row in ours)
    return {"persons": len(ours), "equal": equal}


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median seconds (the lower middle one of an even number), with the most
    memory any run took."""
    ordered = sorted(runs, key=lambda run: float(run["seconds"]))
    middle = dict(ordered[(len(ordered) - 1) // 2])
    middle["peak_rss_bytes"] = max(int(run["peak_rss_bytes"]) for run in runs)
    return middle


def _round_ratios(samples: dict[str, list[dict[str, Any]]]) -> dict[str, list[float]]:
    """DuckDB over each floor, round by round (the two ran a minute apart at most)."""
    ours = samples.get("duckdb", [])
    return {
        floor: [
            round(float(a["seconds"]) / float(b["seconds"]), 2)
            for a, b in zip(ours, samples[floor], strict=True)
        ]
        for floor in ("floor_output", "floor", "floor_narrow")
        if floor in samples and ours
    }


def _commit() -> dict[str, Any]:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=ROOT.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "src_modified": None}
    return {"commit": head, "src_modified": bool(dirty)}


def _print(console: Console, data: dict[str, Any]) -> None:
    floor = data.get("output_floor_seconds") or data["floor_seconds"]
    table = Table(
        title=(
            f"indicator batch: {data['workload']['persons']:,} persons, "
            f"{data['workload']['account_months']:,} account-months, 2 cores"
        )
    )
    table.add_column("measured")
    columns = ("persons", "seconds", "persons/s", "x floor", "peer / this", "peak memory", "load")
    for column in columns:
        table.add_column(column, justify="right")
    peer = data.get("peer_seconds")
    for row in data["results"]:
        seconds = row["seconds_all_persons"]
        mark = "*" if row["extrapolated"] else ""
        table.add_row(
            row["name"] + (" *" if row["extrapolated"] else ""),
            f"{row['persons']:,}",
            f"{seconds:,.2f}{mark}",
            f"{data['workload']['persons'] / seconds:,.0f}",
            f"{seconds / floor:.1f}x" if floor else "-",
            f"{peer / seconds:.1f}x" if peer else "-",
            f"{row['peak_rss_bytes'] / 2**30:.2f} GiB",
            " / ".join(f"{v:.1f}" for v in row.get("load_average", [])[:1]),
        )
    console.print(table)
    notes = [
        "x floor: over the output-shaped floor; load: the 1-minute load average as the run began"
    ]
    for row in data["results"]:
        if row["name"] == "spark" and "session_seconds" in row:
            start = row["session_seconds"]
            notes.append(f"spark: the session's start ({start:.1f} s) is not included")
        if row["name"] == "pandas" and "agreement" in row:
            agree = row["agreement"]
            notes.append(
                f"pandas ran on the first {row['persons']:,} persons and is extrapolated (*); "
                f"its rows equal DuckDB's for {agree['equal']:,} of {agree['persons']:,}"
            )
    for row in data["results"]:
        if "output_bytes" in row and row["name"] in (OUTPUT_FLOOR, "duckdb"):
            sizes = ", ".join(f"{k} {v / 2**20:.1f} MiB" for k, v in row["output_bytes"].items())
            notes.append(f"{row['name']} wrote {sizes}")
        if "steps_seconds" in row:
            steps = ", ".join(f"{k} {v:.1f} s" for k, v in row["steps_seconds"].items())
            notes.append(
                f"{row['name']} by step (views are computed in the step using them): {steps}"
            )
    for note in notes:
        console.print(note)
    cpu = {row["name"]: row.get("rounds_cpu_seconds") for row in data["results"]}
    if cpu.get("duckdb") and cpu.get(OUTPUT_FLOOR):
        listed = ", ".join(
            f"{a / b:.2f}x" for a, b in zip(cpu["duckdb"], cpu[OUTPUT_FLOOR], strict=True)
        )
        console.print(f"duckdb / {OUTPUT_FLOOR} in CPU seconds, round by round: {listed}")
    for floor, ratios in data.get("round_ratios", {}).items():
        listed = ", ".join(f"{ratio:.1f}x" for ratio in ratios)
        console.print(f"duckdb / {NAMES[floor]}, round by round: {listed}")
    for goal in data["goals"]:
        status = "[bold green]MET[/]" if goal["met"] else "[bold red]NOT MET[/]"
        console.print(f"{goal['goal']}: {goal['measured']} {status}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260110)
    parser.add_argument("--engines", default=",".join(ENGINES), help="of " + ",".join(ENGINES))
    parser.add_argument("--pandas-persons", type=int, default=50_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of the floors and DuckDB (median kept)"
    )
    parser.add_argument("--spark-memory", default="8g", help="Spark's driver memory")
    parser.add_argument("--output", type=Path, default=RESULTS / "batch.json")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--inputs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.inputs, args.out, args.spark_memory)))
        return 0
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"--engines: unknown {sorted(unknown)}; choose from {ENGINES}")
    console = Console(width=None if sys.stdout.isatty() else 110)
    began = time.perf_counter()
    with console.status("generating the population (cached after the first run)..."):
        inputs = cached(DATA, args.persons, args.seed, AS_OF)
        sample_size = min(args.pandas_persons, args.persons)
        sample = cached(DATA, args.persons, args.seed, AS_OF, limit=sample_size)
    workload = manifest(inputs)
    console.print(f"data: {inputs} ({time.perf_counter() - began:.1f} s)")
    # The floors and DuckDB run in rounds (floor, narrow floor, DuckDB, again), and each row is
    # the median of its rounds: on a shared machine the load changes from minute to minute, and
    # a ratio of two runs minutes apart says more about the load than about the batch.
    if args.repeat < 1:
        parser.error(f"--repeat: {args.repeat} must be at least 1")
    repeated = [name for name in ("floor", "duckdb") if name in engines]
    if "floor" in engines:
        repeated[1:1] = ["floor_output", "floor_narrow"]
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in repeated}
    for round_ in range(args.repeat):
        for name in repeated:
            with console.status(f"running {name} (round {round_ + 1} of {args.repeat})..."):
                samples[name].append(measure(name, inputs, args.spark_memory))
            console.print(f"{name} round {round_ + 1}: {samples[name][-1]['seconds']:.2f} s")
    measured_by_name = {name: _median_run(runs) for name, runs in samples.items()}
    results = []
    for name in [*repeated, *(n for n in ("spark", "pandas") if n in engines)]:
        if name in measured_by_name:
            measured = measured_by_name[name]
        else:
            with console.status(f"running {name}..."):
                on_sample = name == "pandas" and sample_size < args.persons
                measured = measure(name, sample if on_sample else inputs, args.spark_memory)
        persons = sample_size if name == "pandas" else args.persons
        scale = args.persons / persons
        row = {
            "name": NAMES.get(name, name),
            "persons": persons,
            "seconds": round(measured["seconds"], 3),
            "seconds_all_persons": round(measured["seconds"] * scale, 3),
            "extrapolated": scale != 1,
            "peak_rss_bytes": measured["peak_rss_bytes"],
            **{k: v for k, v in measured.items() if k not in ("seconds", "peak_rss_bytes")},
        }
        if name in samples:
            row["rounds_seconds"] = [round(run["seconds"], 3) for run in samples[name]]
            row["rounds_cpu_seconds"] = [run["cpu_seconds"] for run in samples[name]]
            row["rounds_load_average"] = [run["load_average"][0] for run in samples[name]]
        results.append(row)
        console.print(f"{row['name']}: {row['seconds']:.2f} s")
    rounds = _round_ratios(samples)
    seconds = {row["name"]: row["seconds_all_persons"] for row in results}
    floor, ours, peer = (
        seconds.get("floor (12 columns)"),
        seconds.get("duckdb"),
        seconds.get("pandas"),
    )
    output_floor = seconds.get(OUTPUT_FLOOR)
    goals = []
    if ours and peer:
        goals.append(
            {
                "goal": f"DuckDB at least {GOAL_OVER_PEER:g}x faster than pandas",
                "measured": f"{peer / ours:.1f}x",
                "met": peer / ours >= GOAL_OVER_PEER,
            }
        )
    if ours and output_floor:
        goals.append(
            {
                "goal": f"DuckDB within {GOAL_OVER_OUTPUT_FLOOR:g}x of the output-shaped floor",
                "measured": f"{ours / output_floor:.2f}x",
                "met": ours / output_floor <= GOAL_OVER_OUTPUT_FLOOR,
            }
        )
    if ours and floor:
        goals.append(
            {
                "goal": f"DuckDB within {GOAL_OVER_FLOOR:g}x of the floor (12 columns)",
                "measured": f"{ours / floor:.1f}x",
                "met": ours / floor <= GOAL_OVER_FLOOR,
            }
        )
    data = {
        "benchmark": "batch",
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
            "engines": engines,
            "pandas_persons": sample_size,
            "repeat": args.repeat,
            "spark_memory": args.spark_memory,
        },
        "workload": workload,
        "round_ratios": rounds,
        "output_floor_seconds": output_floor,
        "floor_seconds": floor,
        "peer_seconds": peer,
        "results": results,
        "goals": goals,
    }
    _print(console, data)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
