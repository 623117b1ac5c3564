"""Benchmark: the HTTP API under a bounded load, on SQLite and PostgreSQL, against its floors.

Goals (issue 17, point 8), on this 2-core machine:
- `POST /v1/inquiries` on a store of 100,000 persons: p50 at most 50 ms and p99 at most 300 ms
  at 200 requests per second or more, with no error;
- `POST /v1/furnishings` of a 100,000-record CMF file (upload, then the job polled until
  done) within 1.5x the time of `creditmend ingest` of the same file on the same store state.

For each database: a copy of the cached store (benchmarks/api_store.py: synth and the CLI's
import steps, made once per settings and code), the bench's lender and API client registered
with the CLI, `creditmend ingest` of the file timed on a second copy, the floor (the same
inquiries through the service layer in this process, no HTTP), then `creditmend serve
--workers N` on 127.0.0.1 driven by an asyncio httpx client (benchmarks/api_load.py: open-loop
at a fixed rate, a fixed number of requests, a concurrency cap and a time cap), then the
upload. The server is stopped at the end of each database's run, even on error.

Run: `.venv/bin/python -m benchmarks.api_bench [--persons N] [--requests N] [--rate R]
[--furnish-records N] [--no-postgres]` (default: 100,000 persons, 6,600 requests at 220 per
second, 100,000 records). Writes `benchmarks/results/api.json`; exits 0 whether or not a goal
is met.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.api_load import (
    business_today,
    cli_ingest,
    drive_inquiries,
    furnishing_file,
    inquiry_bodies,
    inquiry_floor,
    register_lender,
    served,
    settle,
    upload,
)
from benchmarks.api_store import (
    DATABASES,
    CachedStore,
    StoreSettings,
    any_copy,
    cached_store,
    postgres_problem,
    store_copy,
)

RESULTS = Path(__file__).resolve().parent / "results"
GOAL_P50_MS = 50.0
GOAL_P99_MS = 300.0
GOAL_RPS = 200.0
GOAL_FURNISH_OVER_CLI = 1.5
# Two worker processes for two cores: the services are synchronous Python (one core each under
# the GIL; SQLite and PostgreSQL do their part in the same processes' threads or in the
# server), and the load client and PostgreSQL need the machine too, so more would only queue.
DEFAULT_WORKERS = 2


def _commit() -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src", "benchmarks"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "modified": None}
    return {"commit": head, "modified": bool(dirty)}


def run_database(
    store: CachedStore, database: str, args: argparse.Namespace, folder: Path, file: Path
) -> dict[str, Any]:
    """Everything measured on one database; the server it starts is stopped when it ends."""
    env = store.env()
    persons = store.persons()
    today = business_today()
    result: dict[str, Any] = {"database": database, "load_average_at_start": os.getloadavg()[0]}
    with store_copy(store, database, folder) as url:
        lender = register_lender(url, env)
        with any_copy(url, folder) as cli_url:  # the same state, for the CLI's run
            result["furnishing_cli"] = cli_ingest(cli_url, env, file)
        floor_bodies = inquiry_bodies(persons, args.floor_calls, args.seed + 1, today)
        result["floor"] = inquiry_floor(url, env, lender, floor_bodies)
        log = folder / f"serve-{database}.log"
        with served(url, env, args.workers, log) as server:
            token = server.token(lender)
            warm = inquiry_bodies(persons, args.warm_up, args.seed + 2, today)
            drive_inquiries(server.base_url, token, warm, 50.0, args.concurrency, 30.0)
            bodies = inquiry_bodies(persons, args.requests, args.seed, today)
            load = drive_inquiries(
                server.base_url, token, bodies, args.rate, args.concurrency, args.time_cap
            )
            result["inquiries"] = load.as_dict()
            result["inquiries"]["settle_seconds"] = round(settle(log), 1)
            result["furnishing_api"] = upload(server, server.token(lender), file, args.furnish_cap)
        result["server_log_errors"] = _log_errors(log)
    return result


def _log_errors(log: Path) -> list[str]:
    """The server log's lines that tell of a failure (the first five): a traceback as the
    exception it ended with, and any line of a 500 or an ERROR."""
    lines = log.read_text("utf-8", "replace").splitlines()
    bad, in_traceback = [], False
    for line in lines:
        if line.startswith("Traceback"):
            in_traceback = True
        elif in_traceback and line and not line[0].isspace():
            bad.append(f"traceback: {line}")
            in_traceback = False
        elif " 500 " in line or "ERROR" in line:
            bad.append(line)
    return bad[:5]


def goals(runs: list[dict[str, Any]], records: int) -> list[dict[str, Any]]:
    made = []
    for run in runs:
        name = run["database"]
        load = run.get("inquiries")
        if load is not None:
            met = (
                load["p50_ms"] <= GOAL_P50_MS
                and load["p99_ms"] <= GOAL_P99_MS
                and load["requests_per_second"] >= GOAL_RPS
                and load["errors"] == 0
                and load["ok"] > 0
            )
            made.append(
                {
                    "goal": f"{name}: inquiries p50 <= {GOAL_P50_MS:g} ms and p99 <= "
                    f"{GOAL_P99_MS:g} ms at >= {GOAL_RPS:g} requests/s, no error",
                    "measured": f"p50 {load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms, "
                    f"{load['requests_per_second']:.1f} requests/s, {load['errors']} errors "
                    f"of {load['requests']}",
                    "met": met,
                }
            )
        api, cli = run.get("furnishing_api", {}), run.get("furnishing_cli", {})
        if "seconds" in api and "seconds" in cli:
            ratio = api["seconds"] / cli["seconds"]
            net = cli["seconds"] - cli.get("start_seconds", 0.0)
            done = api.get("status") == "done" and api.get("rejected") == 0
            made.append(
                {
                    "goal": f"{name}: an API furnishing of {records:,} records within "
                    f"{GOAL_FURNISH_OVER_CLI:g}x `creditmend ingest` of the same file",
                    "measured": f"API {api['seconds']:.1f} s (job {api.get('status')}), "
                    f"CLI {cli['seconds']:.1f} s: {ratio:.2f}x (CLI less its "
                    f"{cli.get('start_seconds', 0.0):.1f} s start: {api['seconds'] / net:.2f}x)",
                    "met": done and ratio <= GOAL_FURNISH_OVER_CLI,
                }
            )
    return made


def print_table(console: Console, data: dict[str, Any]) -> None:
    params = data["parameters"]
    table = Table(
        title=f"API: {data['store']['persons_with_file']:,} persons with a file "
        f"({params['persons']:,} synthesised), {params['workers']} workers, "
        f"{params['rate']:g} requests/s asked"
    )
    for name in ("database", "measured", "count", "per second", "p50 ms", "p95 ms", "p99 ms",
                 "errors", "seconds"):  # fmt: skip
        table.add_column(name, justify="left" if name in ("database", "measured") else "right")
    for run in data["results"]:
        db = run["database"]
        load, floor = run.get("inquiries", {}), run.get("floor", {})
        if load:
            table.add_row(db, "inquiries over HTTP", f"{load['ok']:,}",
                          f"{load['requests_per_second']:,.1f}", f"{load['p50_ms']:.1f}",
                          f"{load['p95_ms']:.1f}", f"{load['p99_ms']:.1f}",
                          str(load["errors"]), f"{load['seconds']:.1f}")  # fmt: skip
        if floor:
            table.add_row(db, "floor: the service in process", f"{floor['calls']:,}",
                          f"{floor['calls_per_second']:,.1f}", f"{floor['p50_ms']:.1f}",
                          f"{floor['p95_ms']:.1f}", f"{floor['p99_ms']:.1f}", "",
                          f"{floor['seconds']:.1f}")  # fmt: skip
        for label, key in (("furnishing over HTTP", "furnishing_api"),
                           ("creditmend ingest (CLI)", "furnishing_cli")):  # fmt: skip
            part = run.get(key, {})
            if "seconds" in part:
                records = params["furnish_records"]
                table.add_row(db, label, f"{records:,}", f"{records / part['seconds']:,.0f}",
                              "", "", "", "" if part.get("status") == "done" else part["status"],
                              f"{part['seconds']:.1f}")  # fmt: skip
            elif part:
                table.add_row(db, label, "", "", "", "", "", str(part.get("status")), "")
    console.print(table)
    for run in data["results"]:
        if run.get("error"):
            console.print(f"[bold red]{run['database']}: {run['error']}[/]")
        if run.get("inquiries", {}).get("first_error"):
            console.print(f"{run['database']}: first error: {run['inquiries']['first_error']}")
    for goal in data["goals"]:
        status = "[bold green]MET[/]" if goal["met"] else "[bold red]NOT MET[/]"
        console.print(f"{status} {goal['goal']}: {goal['measured']}")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000, help="persons synthesised")
    parser.add_argument("--requests", type=int, default=6_600, help="inquiries sent (timed)")
    parser.add_argument("--rate", type=float, default=220.0, help="inquiries asked per second")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight, at most")
    parser.add_argument("--time-cap", type=float, default=60.0, help="seconds of load, at most")
    parser.add_argument("--warm-up", type=int, default=200, help="inquiries before the timing")
    parser.add_argument("--floor-calls", type=int, default=300, help="in-process inquiries")
    parser.add_argument("--furnish-records", type=int, default=100_000)
    parser.add_argument("--furnish-cap", type=float, default=600.0, help="seconds, at most")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--seed", type=int, default=17, help="seed of the persons drawn")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS / "api.json")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    began = time.perf_counter()
    settings = StoreSettings(persons=args.persons)
    problem = None if args.no_postgres else postgres_problem()
    with console.status(f"the store of {args.persons:,} persons (cached after its first run)..."):
        store = cached_store(settings, postgresql=not args.no_postgres and problem is None)
    store_seconds = time.perf_counter() - began
    databases = [db for db in DATABASES if db == "sqlite" or store.postgresql_url is not None]
    runs = []
    with tempfile.TemporaryDirectory(prefix="creditmend-api-bench-") as name:
        folder = Path(name)
        file = folder / "furnishing.jsonl"
        records = furnishing_file(store.population, args.furnish_records, file)
        for database in databases:
            with console.status(f"{database}: floor, CLI ingest, then the served API..."):
                try:
                    runs.append(run_database(store, database, args, folder, file))
                except Exception as error:
                    runs.append({"database": database, "error": f"{type(error).__name__}: {error}"})
    return {
        "benchmark": "api",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
        },
        "revision": _commit(),
        "parameters": {
            "persons": args.persons,
            "requests": args.requests,
            "rate": args.rate,
            "concurrency": args.concurrency,
            "time_cap_seconds": args.time_cap,
            "warm_up": args.warm_up,
            "floor_calls": args.floor_calls,
            "furnish_records": records,
            "workers": args.workers,
            "seed": args.seed,
            "store": asdict(settings),
            "postgresql": problem or ("skipped" if args.no_postgres else "used"),
        },
        "store": {
            "persons_with_file": len(store.persons()),
            "postgresql_database": (store.postgresql_url or "/").rsplit("/", 1)[1] or None,
            "cached": store.cached,
            "build_seconds": {k: round(v, 1) for k, v in store.seconds.items()},
            "ready_seconds_this_run": round(store_seconds, 1),
        },
        "results": runs,
        "goals": goals(runs, records),
        "seconds": round(time.perf_counter() - began, 1),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    console = Console()
    data = run(args, console)
    print_table(console, data)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    console.print(f"wrote {args.output} ({data['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
