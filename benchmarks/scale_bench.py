"""Benchmark: how the cost grows with the population (issue 19, item 4).

The indicator batch over 10,000 to 10,000,000 persons (about 31 account-months a person, so
about 300 million at the top), generated as `batch_data.py` generates the batch benchmark's
population (same generator and seed, cached under `benchmarks/.data/`), on DuckDB and on Spark;
and the ingestion of furnishing files of 100,000 to 10,000,000 records into PostgreSQL (the
ingest benchmark's file, `ingest_bench.make_file`, through `creditmend ingest`'s service).

For each size: wall seconds, rows per second, peak resident memory (the process and its
children, Spark's JVM included), and disk (the inputs' Parquet; the PostgreSQL database after
the ingestion). Each measurement runs in a fresh process (`batch_bench.measure`,
`ingest_bench`'s spawned worker). The fit: seconds = a + b x rows by least squares over the
sizes, and the exponent k of seconds ~ rows^k between each size and the next (1 is linear; below
1 a fixed cost is being spread, above 1 the work grows faster than the data).

Writes `benchmarks/results/scale.json` and `benchmarks/results/scale.png` (Altair, rendered by
vl-convert). Run: `.venv/bin/python -m benchmarks.scale_bench [--sizes 10000,...]
[--ingest-sizes 100000,...] [--engines duckdb,spark] [--spark-max N]`. Spark runs up to
`--spark-max` persons (default all sizes): its local[2] run at 10,000,000 takes the better part
of an hour on 2 cores.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import altair as alt
from sqlalchemy import create_engine, text

from benchmarks.batch_bench import AS_OF, DATA, RESULTS, _commit, measure
from benchmarks.batch_data import cached, manifest
from benchmarks.ingest_bench import _drop, _in_fresh_process, _pg_database, make_file

SEED = 20260110  # the batch benchmark's
SIZES = (10_000, 100_000, 1_000_000, 10_000_000)
INGEST_SIZES = (100_000, 1_000_000, 10_000_000)
ENGINES = ("duckdb", "spark")


def _disk(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def batch_row(engine: str, persons: int, spark_memory: str) -> dict[str, Any]:
    """One engine on one population: seconds, rows per second, peak memory, input disk."""
    inputs = cached(DATA, persons, SEED, AS_OF)
    rows = manifest(inputs)
    load = os.getloadavg()[0]
    measured = measure(engine, inputs, spark_memory)
    input_rows = sum(rows.values())
    return {
        "kind": "batch",
        "engine": engine,
        "persons": persons,
        "account_months": rows.get("account_months", 0),
        "input_rows": input_rows,
        "seconds": round(measured["seconds"], 3),
        "rows_per_second": round(input_rows / measured["seconds"]),
        "peak_rss_bytes": measured["peak_rss_bytes"],
        "input_bytes": _disk(inputs),
        "load_average_at_start": round(load, 2),
    }


def ingest_row(records: int) -> dict[str, Any]:
    """`records` CMF records into a fresh PostgreSQL database: seconds, records per second,
    peak memory, and the database's size after."""
    with tempfile.TemporaryDirectory(prefix="scale-ingest-") as name:
        path = Path(name) / "cmf.jsonl"
        make_file(path, records)
        url = _pg_database()
        load = os.getloadavg()[0]
        try:
            measured = _in_fresh_process(url, path)
            engine = create_engine(url)
            with engine.connect() as conn:
                size = int(
                    conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
                )
            engine.dispose()
        finally:
            _drop(url)
        file_bytes = path.stat().st_size
    return {
        "kind": "ingest",
        "engine": "postgresql",
        "records": records,
        "seconds": round(measured["seconds"], 3),
        "rows_per_second": round(records / measured["seconds"]),
        "peak_rss_bytes": int(
            (measured["peak_rss_mb_main"] + measured["peak_rss_mb_worker"]) * 1024 * 1024
        ),
        "cpu_seconds": round(measured["cpu_seconds_main"] + measured["cpu_seconds_workers"], 2),
        "file_bytes": file_bytes,
        "database_bytes": size,
        "load_average_at_start": round(load, 2),
    }


def fit(points: list[tuple[int, float]]) -> dict[str, Any]:
    """Least squares seconds = a + b x rows, and the local exponent between neighbours."""
    points = sorted(points)
    if len(points) < 2:
        return {}
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / var if var else 0.0
    intercept = mean_y - slope * mean_x
    exponents = [
        round(math.log(y2 / y1) / math.log(x2 / x1), 3)
        for (x1, y1), (x2, y2) in itertools.pairwise(points)
        if x1 > 0 and y1 > 0 and x2 > x1
    ]
    return {
        "seconds_fixed": round(intercept, 3),
        "microseconds_per_row": round(slope * 1e6, 4),
        "local_exponents": exponents,
    }


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Seconds against rows, log-log, one line per engine (batch) and the ingestion."""
    data = [
        {
            "what": f"{row['kind']}: {row['engine']}",
            "rows": row["input_rows"] if row["kind"] == "batch" else row["records"],
            "seconds": row["seconds"],
        }
        for row in rows
        if "seconds" in row
    ]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_line(point=True)
        .encode(
            x=alt.X("rows:Q", scale=alt.Scale(type="log"), title="input rows (log)"),
            y=alt.Y("seconds:Q", scale=alt.Scale(type="log"), title="seconds (log)"),
            color=alt.Color("what:N", title=None),
        )
        .properties(width=520, height=320, title="creditmend: cost against size (2 cores)")
    )
    chart.save(str(path), format="png", scale_factor=1.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="persons, batch")
    parser.add_argument(
        "--ingest-sizes", default=",".join(map(str, INGEST_SIZES)), help="records, ingestion"
    )
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--spark-max", type=int, default=max(SIZES), help="largest Spark size")
    parser.add_argument("--spark-memory", default="8g")
    parser.add_argument("--output", type=Path, default=RESULTS / "scale.json")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    ingest_sizes = [int(s) for s in args.ingest_sizes.split(",") if s]
    engines = [e for e in args.engines.split(",") if e]
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    began = time.perf_counter()
    for persons in sizes:
        for engine in engines:
            if engine == "spark" and persons > args.spark_max:
                skipped.append(
                    f"spark at {persons:,} persons: above --spark-max {args.spark_max:,}"
                )
                continue
            row = batch_row(engine, persons, args.spark_memory)
            rows.append(row)
            mb, disk = row["peak_rss_bytes"] / 2**20, row["input_bytes"] / 2**20
            print(f"batch {engine:<7} {persons:>11,} persons {row['seconds']:>9.2f} s "
                  f"{row['rows_per_second']:>12,} rows/s {mb:>7.0f} MB "
                  f"disk {disk:>8.0f} MB  load {row['load_average_at_start']}",
                  flush=True)  # fmt: skip
    for records in ingest_sizes:
        row = ingest_row(records)
        rows.append(row)
        print(f"ingest pg {records:>11,} records {row['seconds']:>9.2f} s "
              f"{row['rows_per_second']:>12,} rec/s {row['peak_rss_bytes'] / 2**20:>7.0f} MB "
              f"db {row['database_bytes'] / 2**20:>8.0f} MB  load {row['load_average_at_start']}",
              flush=True)  # fmt: skip
    fits = {}
    for engine in engines:
        points = [(r["input_rows"], r["seconds"]) for r in rows if r.get("engine") == engine]
        fits[f"batch: {engine}"] = fit(points)
    ingest_points = [(r["records"], r["seconds"]) for r in rows if r["kind"] == "ingest"]
    fits["ingest: postgresql"] = fit(ingest_points)
    data = {
        "benchmark": "scale",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "disk_free_bytes": shutil.disk_usage(DATA.parent).free,
        },
        "revision": _commit(),
        "parameters": {
            "sizes": sizes,
            "ingest_sizes": ingest_sizes,
            "engines": engines,
            "seed": SEED,
            "as_of": AS_OF.isoformat(),
        },
        "rows": rows,
        "fits": fits,
        "skipped": skipped,
        "seconds_total": round(time.perf_counter() - began, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    args.output.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    if rows:
        plot(rows, args.output.with_suffix(".png"))
    for name, found in fits.items():
        print(f"fit {name}: {found}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
