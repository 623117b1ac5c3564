"""Run the benchmarks, print a table, write benchmarks/results/ledger.json.

Usage (from the repository root): `python -m benchmarks.run` (what `make bench` runs).
A missed goal is reported, not raised: the process exits 0 either way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.ledger_bench import (
    GOAL_LOANS,
    GOAL_SECONDS,
    LedgerBenchmark,
    Measurement,
    run_benchmark,
)

RESULTS = Path(__file__).resolve().parent / "results"


def pin_to_one_core() -> int | None:
    """Keep the process on one CPU so the number means 'one core'; None where unsupported."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _git_revision() -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "src_modified": None}
    return {"commit": head, "src_modified": bool(dirty)}


def machine(pinned_cpu: int | None) -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
        "pinned_to_cpu": pinned_cpu,
    }


def _row(m: Measurement) -> dict[str, Any]:
    return {
        "name": m.name,
        "description": m.description,
        "loans_timed": m.loans,
        "seconds": round(m.seconds, 4),
        "cpu_seconds": round(m.cpu_seconds, 4),
        "loans_per_second": round(m.loans_per_second, 1),
        "us_per_loan": round(m.us_per_loan, 1),
        "extrapolated": m.extrapolated,
        f"seconds_for_{GOAL_LOANS}_loans": round(m.seconds_for(GOAL_LOANS), 3),
        "details": m.details,
    }


PEER_GOAL = 5.0  # creditmend at least this many times faster than the day-by-day peer
FLOOR_GOAL = 2.0  # creditmend within this many times the floor


def goals(result: LedgerBenchmark) -> list[dict[str, Any]]:
    """Issue 19's goals, as ratios of time per loan measured in this run."""
    ours = result.creditmend.us_per_loan
    faster = result.peer.us_per_loan / ours
    of_floor = ours / result.floor.us_per_loan
    projected = result.creditmend.seconds_for(GOAL_LOANS)
    return [
        {
            "goal": f"at least {PEER_GOAL:g}x faster than the day-by-day peer",
            "measured": f"{faster:.2f}x",
            "met": faster >= PEER_GOAL,
        },
        {
            "goal": f"within {FLOOR_GOAL:g}x of the floor",
            "measured": f"{of_floor:.2f}x",
            "met": of_floor <= FLOOR_GOAL,
        },
        {
            "goal": f"{GOAL_LOANS:,} loans in under {GOAL_SECONDS:g} s on one core",
            "measured": f"{projected:.2f} s",
            "met": projected < GOAL_SECONDS,
        },
    ]


def report(
    result: LedgerBenchmark,
    args: argparse.Namespace,
    pinned: int | None,
    load: tuple[float, float, float],
) -> dict[str, Any]:
    ours = result.creditmend
    projected = ours.seconds_for(GOAL_LOANS)
    return {
        "benchmark": "ledger",
        "goal": (
            f"simulating {GOAL_LOANS:,} loans of 3 years of days takes under "
            f"{GOAL_SECONDS:g} s on one core"
        ),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(pinned),
        # Load average before and after the run: the machine is shared, so read the ratios.
        "load_average": {
            "before": [round(x, 2) for x in load],
            "after": [round(x, 2) for x in os.getloadavg()],
        },
        "revision": _git_revision(),
        "parameters": {"loans": args.loans, "seed": args.seed, "peer_sample": args.peer_sample},
        "workload": result.workload,
        "results": [_row(ours), _row(result.peer), _row(result.floor)],
        "verdict": {
            "goal_seconds": GOAL_SECONDS,
            "goal_loans": GOAL_LOANS,
            "creditmend_seconds": round(projected, 3),
            "measured_directly": ours.loans == GOAL_LOANS,
            "met": projected < GOAL_SECONDS,
            "goal_over_measured": round(GOAL_SECONDS / projected, 3),
            "creditmend_over_peer": round(ours.us_per_loan / result.peer.us_per_loan, 3),
            "creditmend_over_floor": round(ours.us_per_loan / result.floor.us_per_loan, 3),
        },
        "peer_agreement": result.peer_agreement,
        "money_made": result.money_made,
        "setup_seconds": round(result.setup_seconds, 3),
        "goals": goals(result),
    }


def print_table(console: Console, result: LedgerBenchmark, data: dict[str, Any]) -> None:
    ours = result.creditmend
    table = Table(title=f"ledger: loans x 3 years of days, one core (goal {GOAL_SECONDS:g} s)")
    table.add_column("measured")
    table.add_column("loans", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("loans/s", justify="right")
    table.add_column("µs/loan", justify="right")
    table.add_column(f"s/{GOAL_LOANS:,}", justify="right")
    table.add_column("of goal", justify="right")

    def add(label: str, loans: int, seconds: float, extrapolated: bool) -> None:
        per_goal = seconds / loans * GOAL_LOANS
        table.add_row(
            label,
            f"{loans:,}",
            f"{seconds:.3f}",
            f"{loans / seconds:,.0f}",
            f"{seconds / loans * 1e6:,.1f}",
            f"{per_goal:.2f}" + ("*" if extrapolated else ""),
            f"{per_goal / GOAL_SECONDS:.0%}",
        )

    add("creditmend", ours.loans, ours.seconds, False)
    add("  run", ours.loans, ours.details["seconds_in_run"], False)
    add("  loan_state", ours.loans, ours.details["seconds_in_loan_state"], False)
    add("peer *", result.peer.loans, result.peer.seconds, True)
    add("floor", result.floor.loans, result.floor.seconds, False)
    console.print(table)
    console.print(
        f"creditmend = {ours.description} (run and loan_state: its two parts); "
        f"peer = {result.peer.description}; floor = {result.floor.description}.\n"
        f"* the peer ran on {result.peer.loans:,} of the loans; its time per loan is "
        f"extrapolated to {GOAL_LOANS:,}."
    )

    verdict = data["verdict"]
    agree = data["peer_agreement"]
    work = data["workload"]
    console.print(
        f"workload: {work['loans']:,} loans, {work['events']:,} events "
        f"({work['events_per_loan']:.1f} a loan), {work['days_simulated']['mean']:.0f} days "
        f"simulated a loan on average; state on as_of: {ours.details['state_on_as_of']}"
    )
    console.print(
        f"peer sanity check: outstanding principal equal to the fen on "
        f"{agree['outstanding_principal_equal']}/{agree['sample']} sample loans"
    )
    console.print(
        f"creditmend is {verdict['creditmend_over_peer']:.2f}x the peer's time per loan and "
        f"{verdict['creditmend_over_floor']:.1f}x the floor's"
    )
    made = data["money_made"]
    console.print(
        f"making only the state's Money ({made['distinct_amounts_per_loan']:.0f} distinct amounts "
        f"a loan, {made['loans']:,} loans): {made['us_per_loan']:.1f} µs/loan"
    )
    for goal in data["goals"]:
        status = "[bold green]MET[/]" if goal["met"] else "[bold red]NOT MET[/]"
        console.print(f"goal {status}: {goal['goal']}: {goal['measured']}")
    console.print(f"load average before, after: {data['load_average']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=GOAL_LOANS, help="loans to simulate")
    parser.add_argument("--seed", type=int, default=20260110, help="seed of the loan generator")
    parser.add_argument(
        "--peer-sample", type=int, default=500, help="loans the slow peer baseline runs on"
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS / "ledger.json", help="where to write the JSON"
    )
    args = parser.parse_args(argv)
    console = Console()
    pinned = pin_to_one_core()
    load = os.getloadavg()
    with console.status("simulating loans..."):
        result = run_benchmark(args.loans, args.seed, args.peer_sample)
    data = report(result, args, pinned, load)
    print_table(console, result, data)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
