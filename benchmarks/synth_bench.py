"""Benchmark: the synthetic population, N persons x 36 months, and its projection to 100,000.

Goal (from the issue): 100,000 persons x 36 months generate "in minutes, not hours" on 2 cores.

Two measurements on the same parameters, in the same run:
- `generate`: the domain generator alone (`creditmend.domain.synth.generate`), one process: every
  loan simulated by the ledger engine and every CMF record built;
- `write`: the whole service (`write_population`) with 1 and with 2 worker processes, writing all
  files into a temporary directory.
Each is projected linearly to 100,000 persons (the work per person does not grow with N).

Run: `.venv/bin/python -m benchmarks.synth_bench [--persons N] [--months M] [--seed S]`.
Writes `benchmarks/results/synth.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.rules import CN
from creditmend.domain.synth import generate
from creditmend.services.synth import SynthParams, write_population

TARGET_PERSONS = 100_000
GOAL_SECONDS = 15 * 60  # "minutes, not hours": we hold ourselves to a quarter of an hour
RESULTS = Path(__file__).resolve().parent / "results"
START = date(2023, 1, 1)


def _commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def _row(name: str, persons: int, seconds: float, **details: Any) -> dict[str, Any]:
    rate = persons / seconds
    return {
        "name": name,
        "persons": persons,
        "seconds": round(seconds, 3),
        "persons_per_second": round(rate, 1),
        "projected_seconds_100k": round(TARGET_PERSONS / rate, 1),
        **details,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=2_000)
    parser.add_argument("--platforms", type=int, default=30)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--seed", type=int, default=20260110)
    parser.add_argument("--output", type=Path, default=RESULTS / "synth.json")
    args = parser.parse_args(argv)

    rows = []
    began, cpu = time.perf_counter(), time.process_time()
    records = loans = 0
    for facts in generate(
        args.persons, args.platforms, args.months, args.seed, START, CN, WeekdayCalendar()
    ):
        records += len(facts.cmf)
        loans += len(facts.loans)
    seconds = time.perf_counter() - began
    rows.append(
        _row(
            "generate (1 process)",
            args.persons,
            seconds,
            cpu_seconds=round(time.process_time() - cpu, 3),
            cmf_records=records,
            loans=loans,
            us_per_record=round(seconds / records * 1e6, 1),
        )
    )
    params = SynthParams(args.persons, args.platforms, args.months, args.seed, START, "cn")
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as folder:
            began = time.perf_counter()
            summary = write_population(params, Path(folder), workers)
            seconds = time.perf_counter() - began
            size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
        name = f"write ({workers} process{'es' if workers > 1 else ''})"
        counts = summary.manifest["counts"]
        rows.append(_row(name, args.persons, seconds, bytes_written=size, counts=counts))
    best = min(row["projected_seconds_100k"] for row in rows if row["name"].startswith("write"))
    result = {
        "benchmark": "synth",
        "goal": f"{TARGET_PERSONS:,} persons x 36 months in minutes on 2 cores",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
        },
        "revision": {"commit": _commit()},
        "parameters": vars(args) | {"output": str(args.output), "start": START.isoformat()},
        "results": rows,
        "verdict": {
            "projected_seconds_100k_best": best,
            "goal_seconds": GOAL_SECONDS,
            "met": best <= GOAL_SECONDS,
        },
    }
    print(f"{'row':<22}{'persons':>9}{'seconds':>10}{'persons/s':>11}{'100k proj.':>12}")
    for row in rows:
        print(
            f"{row['name']:<22}{row['persons']:>9,}{row['seconds']:>10.2f}"
            f"{row['persons_per_second']:>11,.0f}{row['projected_seconds_100k'] / 60:>10.1f} m"
        )
    verdict = "met" if best <= GOAL_SECONDS else "NOT met"
    print(
        f"best projection for {TARGET_PERSONS:,} persons: {best / 60:.1f} min "
        f"(goal {GOAL_SECONDS / 60:.0f} min): {verdict}"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
