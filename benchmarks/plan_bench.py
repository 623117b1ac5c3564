"""Benchmark: the recovery optimiser (`creditmend plan`).

Goals (issue 7): 10 loans x 36 months solve and simulate in under 2 s on one core; 30 loans x
60 months in under 30 s; over a suite of at least 200 generated borrowers, the optimiser's
saving over the best classic strategy (median and distribution) and its credit-damage reduction.

Issue 15: the suite is split into borrowers whose cash covers every minimum (the `minimum`
strategy pays every loan all it asks in every month) and those whose cash does not; for each
group the optimal plan's cost, overdue loan-months and months beyond 90 days against avalanche
and against the best classic (median and 90th percentile). Goal when cash does not cover the
minimums: a median at least 20 % fewer overdue loan-months than avalanche at no more cost (the
group's median cost not above avalanche's; the median of the per-borrower cost difference is
reported next to it). Good faith is on (the default).

Measured in one process pinned to one CPU, after a warm-up (SciPy's import is not counted):

- `optimiser`: `Optimiser.optimise` (the figures, the programme, HiGHS, the realised plan, the
  candidates and the local improvement, every one simulated exactly): what `creditmend plan`
  adds to reading the file. The goals are about this row.
- peer: the classic strategies (minimum, avalanche, snowball), each stepped on the ledgers and
  simulated: the best of them is the plan the optimiser must beat, measured in the same run.
- floor: one exact simulation of the optimal plan (`simulate`): no plan can be shown faster.

Generated borrowers (`scenario`): LOANS loans on as many platforms, taken 2 to 20 months before
the plan's date (2026-07-01): principal 2,000..50,000 CNY, 3..36 monthly instalments, the four
repayment methods, annual rates 6..36 % or daily rates 0.02..0.1 %, penalty 1.3 or 1.5 x the
rate (a fifth with compound interest), a late fee on a quarter, grace 0..3 days on a third;
about half the loans stopped paying 1 to 6 months before the plan's date (a few with a small
payment since). The monthly budget covers 50..130 % of what the loans ask next, with cash on
hand of 0..2 months of it, and now and then an asset sale or a family loan.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.run import RESULTS, _git_revision, machine, pin_to_one_core
from creditmend.adapters.solver_highs import HighsSolver
from creditmend.domain.calendar import WeekdayCalendar, add_months
from creditmend.domain.loan.contract import Contract, LateFee, PenaltyTerms, RepaymentMethod
from creditmend.domain.loan.events import LoanEvent, Payment
from creditmend.domain.loan.schedule import build_schedule
from creditmend.domain.money import Money
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.best_plan import Optimiser
from creditmend.domain.recovery.budget import Horizon, monthly_budget
from creditmend.domain.recovery.objective import ObjectiveValue
from creditmend.domain.recovery.plan_input import (
    AssetSale,
    CashFlow,
    FamilyLoan,
    OneOff,
    PlanInput,
    PlanLoan,
    Preferences,
)
from creditmend.domain.recovery.simulate import simulate
from creditmend.domain.recovery.strategies import classic_outcomes
from creditmend.domain.rules.cn import CN

AS_OF = date(2026, 7, 1)
FEN = Decimal("0.01")
CALENDAR = WeekdayCalendar()


def _money(value: float) -> Money:
    return Money(Decimal(repr(value)).quantize(FEN, rounding=ROUND_HALF_UP), "CNY")


def _loan(rng: random.Random, index: int) -> tuple[PlanLoan, Decimal]:
    """A loan and what its next instalment asks (for sizing the budget)."""
    disbursed = AS_OF - timedelta(days=rng.randint(60, 600))
    if rng.random() < 0.7:
        rate = Rate.annual(Decimal(rng.randint(600, 3600)).scaleb(-4))
    else:
        rate = Rate.daily(Decimal(rng.randint(20, 100)).scaleb(-5))
    late_fee = LateFee(_money(rng.choice([20.0, 30.0, 50.0]))) if rng.random() < 0.25 else None
    contract = Contract(
        id=f"loan-{index:02d}",
        platform=f"Platform {index:02d}",
        principal=_money(rng.randint(20, 500) * 100.0),
        rate=rate,
        term_months=rng.randint(3, 36),
        method=rng.choice(tuple(RepaymentMethod)),
        disbursed_on=disbursed,
        grace_days=rng.choice([0, 0, 3]),
        penalty=PenaltyTerms(
            multiplier=Decimal(rng.choice(["1.3", "1.5"])),
            compound_interest=rng.random() < 0.2,
            late_fee=late_fee,
        ),
    )
    schedule = build_schedule(contract, CALENDAR, 360)
    stops = None if rng.random() < 0.5 else add_months(AS_OF, -rng.randint(1, 6))
    events: list[LoanEvent] = []
    for row in schedule.installments:
        if row.due_on > AS_OF:
            break
        if stops is not None and row.due_on >= stops:
            late = row.due_on + timedelta(days=5)
            if rng.random() < 0.15 and late <= AS_OF:
                events.append(Payment(late, _money(50.0).amount))
            continue
        events.append(Payment(row.due_on, row.total))
    upcoming = next((r.total for r in schedule.installments if r.due_on > AS_OF), Decimal(0))
    return PlanLoan(contract, tuple(events), f"loans[{index}]"), upcoming


def scenario(seed: int, loans: int, months: int) -> tuple[PlanInput, Horizon]:
    rng = random.Random(seed)
    made = [_loan(rng, index) for index in range(loans)]
    asks = sum((upcoming for _, upcoming in made), Decimal(0))
    base = max(asks, Decimal(500))
    free = (base * Decimal(rng.randint(50, 130)) / 100).quantize(FEN)
    expenses = Decimal(rng.randint(30, 60) * 100)
    one_off: list[OneOff] = []
    if rng.random() < 0.3:
        on = AS_OF + timedelta(days=rng.randint(30, 30 * months))
        one_off.append(AssetSale(on, Money(Decimal(rng.randint(10, 200) * 100), "CNY")))
    if rng.random() < 0.2:
        on = AS_OF + timedelta(days=rng.randint(0, 120))
        amount = Decimal(rng.randint(20, 200) * 100)
        one_off.append(
            FamilyLoan(
                on,
                Money(amount, "CNY"),
                Money(amount / 10, "CNY"),
                add_months(on, rng.randint(6, 18)),
            )
        )
    cash = CashFlow(
        Money(free + expenses, "CNY"),
        Money(expenses, "CNY"),
        Money((free * Decimal(rng.randint(0, 200)) / 100).quantize(FEN), "CNY"),
        Money(Decimal(rng.choice([0, 0, 300, 500])), "CNY"),
    )
    plan = PlanInput(
        "CNY",
        tuple(loan for loan, _ in made),
        cash,
        tuple(one_off),
        Preferences(horizon_months=months),
    )
    return plan, Horizon.of(AS_OF, months)


# ---------------------------------------------------------------- measuring
@dataclass(frozen=True, slots=True)
class Run:
    """One borrower: seconds of each row and what the optimiser found."""

    seconds: float
    peer_seconds: float
    floor_seconds: float
    winner: str
    status: str
    optimal: ObjectiveValue
    best_classic: ObjectiveValue
    best_classic_name: str
    estimate_cost: Decimal
    avalanche: ObjectiveValue | None = None
    covered: bool = True  # the cash covers every minimum in every month


def measure(seed: int, loans: int, months: int) -> Run:
    plan_input, horizon = scenario(seed, loans, months)
    budget = monthly_budget(plan_input, horizon)
    started = time.perf_counter()
    classics = classic_outcomes(plan_input, budget, CN, CALENDAR)
    peer = time.perf_counter() - started
    started = time.perf_counter()
    result = Optimiser(HighsSolver()).optimise(plan_input, budget, CN, CALENDAR)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    simulate(plan_input, result.outcome.plan, horizon, CN, CALENDAR)
    floor = time.perf_counter() - started
    name = min(classics, key=lambda n: result.values[n].total)
    covered = all(m.paid == m.due for loan in classics["minimum"].loans for m in loan.months)
    return Run(
        seconds,
        peer,
        floor,
        result.winner,
        result.milp_status.value,
        result.value,
        result.values[name],
        name,
        result.estimate.cost,
        result.values["avalanche"],
        covered,
    )


def _quantiles(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(int(share * len(ordered)), len(ordered) - 1)]

    return {
        "min": round(ordered[0], 2),
        "p10": round(at(0.10), 2),
        "p25": round(at(0.25), 2),
        "median": round(statistics.median(ordered), 2),
        "p75": round(at(0.75), 2),
        "p90": round(at(0.90), 2),
        "max": round(ordered[-1], 2),
        "mean": round(statistics.fmean(ordered), 2),
    }


def _size_row(
    label: str, loans: int, months: int, seeds: Sequence[int], goal: float
) -> dict[str, Any]:
    runs = [measure(seed, loans, months) for seed in seeds]
    worst = max(r.seconds for r in runs)
    return {
        "label": label,
        "loans": loans,
        "months": months,
        "scenarios": len(runs),
        "goal_seconds": goal,
        "optimiser_seconds_median": round(statistics.median(r.seconds for r in runs), 3),
        "optimiser_seconds_max": round(worst, 3),
        "peer_seconds_median": round(statistics.median(r.peer_seconds for r in runs), 3),
        "floor_seconds_median": round(statistics.median(r.floor_seconds for r in runs), 3),
        "met": worst < goal,
        "winners": dict(Counter(r.winner for r in runs)),
        "solver_status": dict(Counter(r.status for r in runs)),
    }


def _suite(count: int, loans: int, months: int, first_seed: int) -> dict[str, Any]:
    runs = [measure(first_seed + k, loans, months) for k in range(count)]
    saving = [float(r.best_classic.total - r.optimal.total) for r in runs]
    saving_share = [
        100 * float((r.best_classic.total - r.optimal.total) / r.best_classic.total)
        for r in runs
        if r.best_classic.total > 0
    ]
    cost_saving = [float(r.best_classic.cost - r.optimal.cost) for r in runs]
    damage_cut = [float(r.best_classic.damage - r.optimal.damage) for r in runs]
    overdue_cut = [r.best_classic.overdue_months - r.optimal.overdue_months for r in runs]
    errors = [
        100 * abs(float(r.estimate_cost - r.optimal.cost)) / max(float(r.optimal.cost), 1.0)
        for r in runs
    ]
    return {
        "scenarios": count,
        "loans": loans,
        "months": months,
        "first_seed": first_seed,
        "objective_saving": _quantiles(saving),
        "objective_saving_percent": _quantiles(saving_share),
        "cost_saving": _quantiles(cost_saving),
        "damage_reduction": _quantiles(damage_cut),
        "overdue_months_fewer": _quantiles([float(v) for v in overdue_cut]),
        "never_worse": all(v >= -1e-9 for v in saving),
        "strictly_better": sum(1 for v in saving if v > 0.005),
        "estimate_error_percent_of_cost": _quantiles(errors),
        "winners": dict(Counter(r.winner for r in runs)),
        "best_classic": dict(Counter(r.best_classic_name for r in runs)),
        "optimiser_seconds": _quantiles([r.seconds for r in runs]),
        "by_cash": _groups(runs),
    }


def _against(runs: Sequence[Run], rival: str) -> dict[str, Any]:
    """The optimal plan against a rival (`avalanche` or the best classic), per borrower: the
    optimal figure and the rival's, median and 90th percentile of each and of the difference
    (optimal less rival: below zero is better)."""

    def other(run: Run) -> ObjectiveValue:
        if rival == "avalanche":
            assert run.avalanche is not None
            return run.avalanche
        return run.best_classic

    rows: dict[str, Any] = {}
    for label, read in (
        ("cost", lambda v: float(v.cost)),
        ("overdue_loan_months", lambda v: float(v.overdue_months)),
        ("months_beyond_90_days", lambda v: float(v.serious_months)),
    ):
        mine = [read(r.optimal) for r in runs]
        theirs = [read(other(r)) for r in runs]
        diff = [a - b for a, b in zip(mine, theirs, strict=True)]
        rows[label] = {
            "optimal": _median_p90(mine),
            rival: _median_p90(theirs),
            "difference": _median_p90(diff),
        }
    return rows


def _median_p90(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p90": None}
    q = _quantiles(values)
    return {"median": q["median"], "p90": q["p90"]}


def _groups(runs: Sequence[Run]) -> dict[str, Any]:
    """The suite split by whether the cash covers every minimum; the goal on the second."""
    groups: dict[str, Any] = {}
    for label, covered in (("cash_covers_minimums", True), ("cash_short_of_minimums", False)):
        part = [r for r in runs if r.covered is covered]
        groups[label] = {
            "borrowers": len(part),
            "against_avalanche": _against(part, "avalanche"),
            "against_best_classic": _against(part, "best_classic"),
        }
    short = [r for r in runs if not r.covered]
    fewer = [
        1 - r.optimal.overdue_months / r.avalanche.overdue_months
        for r in short
        if r.avalanche is not None and r.avalanche.overdue_months > 0
    ]
    extra_cost = [
        float(r.optimal.cost - r.avalanche.cost) for r in short if r.avalanche is not None
    ]
    median_optimal = statistics.median([r.optimal.overdue_months for r in short] or [0])
    median_avalanche = statistics.median(
        [r.avalanche.overdue_months for r in short if r.avalanche is not None] or [0]
    )
    cost_optimal = statistics.median([float(r.optimal.cost) for r in short] or [0.0])
    cost_avalanche = statistics.median(
        [float(r.avalanche.cost) for r in short if r.avalanche is not None] or [0.0]
    )
    groups["goal"] = {
        "text": "cash short of the minimums: median overdue loan-months at least 20 % fewer "
        "than avalanche's, median cost not above avalanche's",
        "median_overdue_optimal": median_optimal,
        "median_overdue_avalanche": median_avalanche,
        "median_cost_optimal": round(cost_optimal, 2),
        "median_cost_avalanche": round(cost_avalanche, 2),
        "median_fewer_share_per_borrower": None
        if not fewer
        else round(statistics.median(fewer), 3),
        "median_cost_difference": None
        if not extra_cost
        else round(statistics.median(extra_cost), 2),
        "met": bool(short)
        and median_optimal <= 0.8 * median_avalanche
        and cost_optimal <= cost_avalanche,
    }
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", type=int, default=200, help="generated borrowers")
    parser.add_argument("--suite-loans", type=int, default=4)
    parser.add_argument("--suite-months", type=int, default=18)
    parser.add_argument("--repeat", type=int, default=5, help="borrowers of each goal size")
    parser.add_argument("--output", type=Path, default=RESULTS / "plan.json")
    args = parser.parse_args()
    cpu = pin_to_one_core()
    measure(1, 2, 6)  # warm-up: SciPy's import and the first solve
    sizes = [
        _size_row("10 loans x 36 months", 10, 36, range(100, 100 + args.repeat), 2.0),
        _size_row("30 loans x 60 months", 30, 60, range(200, 200 + max(args.repeat // 2, 1)), 30.0),
    ]
    suite = _suite(args.suite, args.suite_loans, args.suite_months, 1000)
    table = Table(title="Recovery optimiser (one core)")
    for column in ("size", "borrowers", "optimiser median / max s", "peer s", "floor s", "goal"):
        table.add_column(column)
    for row in sizes:
        table.add_row(
            row["label"],
            str(row["scenarios"]),
            f"{row['optimiser_seconds_median']} / {row['optimiser_seconds_max']}",
            str(row["peer_seconds_median"]),
            str(row["floor_seconds_median"]),
            f"< {row['goal_seconds']} s: {'met' if row['met'] else 'NOT met'}",
        )
    console = Console()
    console.print(table)
    saving = Table(
        title=f"Suite: {args.suite} borrowers, "
        f"{args.suite_loans} loans x {args.suite_months} months"
    )
    for column in (
        "over the best classic",
        "min",
        "p10",
        "p25",
        "median",
        "p75",
        "p90",
        "max",
        "mean",
    ):
        saving.add_column(column)
    for label, key in (
        ("objective saving", "objective_saving"),
        ("objective saving %", "objective_saving_percent"),
        ("cost saving (CNY)", "cost_saving"),
        ("damage reduction", "damage_reduction"),
        ("overdue months fewer", "overdue_months_fewer"),
        ("estimate error % of cost", "estimate_error_percent_of_cost"),
        ("optimiser seconds", "optimiser_seconds"),
    ):
        q = suite[key]
        saving.add_row(
            label,
            *(str(q[k]) for k in ("min", "p10", "p25", "median", "p75", "p90", "max", "mean")),
        )
    console.print(saving)
    console.print(
        f"never worse than the best classic: {suite['never_worse']}; strictly better on "
        f"{suite['strictly_better']} of {args.suite}; winners {suite['winners']}"
    )
    console.print(_groups_table(suite["by_cash"]))
    goal = suite["by_cash"]["goal"]
    console.print(
        f"goal ({goal['text']}): {'met' if goal['met'] else 'NOT met'}; median overdue "
        f"loan-months {goal['median_overdue_optimal']} vs {goal['median_overdue_avalanche']}, "
        f"median cost {goal['median_cost_optimal']} vs {goal['median_cost_avalanche']} "
        f"(per borrower, median difference {goal['median_cost_difference']})"
    )
    report = {
        "benchmark": "plan",
        "goal": "10 loans x 36 months < 2 s; 30 x 60 < 30 s (solve and simulate, one core)",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(cpu),
        "revision": _git_revision(),
        "parameters": vars(args) | {"output": str(args.output)},
        "sizes": sizes,
        "suite": suite,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    console.print(f"written {args.output}")


def _groups_table(groups: dict[str, Any]) -> Table:
    table = Table(title="Optimal against avalanche and the best classic, by cash (median / p90)")
    for column in ("borrowers", "figure", "optimal", "avalanche", "best classic"):
        table.add_column(column)
    for label in ("cash_covers_minimums", "cash_short_of_minimums"):
        group = groups[label]
        for figure in ("cost", "overdue_loan_months", "months_beyond_90_days"):
            aval = group["against_avalanche"][figure]
            best = group["against_best_classic"][figure]

            def cell(q: dict[str, Any]) -> str:
                return f"{q['median']} / {q['p90']}"

            table.add_row(
                f"{label} ({group['borrowers']})",
                figure,
                cell(aval["optimal"]),
                cell(aval["avalanche"]),
                cell(best["best_classic"]),
            )
    return table


if __name__ == "__main__":
    main()
