"""Benchmark: 10,000 loans, each simulated over three years of days.

Goal (from the issue): a loan simulated for 3 years of days must stay fast; simulating 10,000 such
loans takes under 10 seconds on one core.

Three measurements on the same deterministic loans, in the same process and run:

- creditmend: `ledger.run(...)` + `view.loan_state(...)` for every loan (what `loan simulate` does);
- peer: a straightforward day-by-day Decimal ledger written below (loop over every day, accrue
  interest and penalty per day, apply the day's payments). It is slow, so it runs on a sample and
  its per-loan time is extrapolated to all loans;
- floor: the least work any implementation must do per loan: build the repayment schedule and read
  every event once.

Beside them, `money_made`: the cost of only making the `Money` objects of each loan's `LoanState`
(every distinct amount it publishes, made once), which any implementation that publishes that
state pays on top of the floor. It says how much of the gap to the floor is the output itself.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from creditmend.domain.calendar import (
    BusinessCalendar,
    HolidayRule,
    WeekdayCalendar,
    add_months,
)
from creditmend.domain.loan.contract import INSTALMENT_METHODS, Contract, PenaltyTerms
from creditmend.domain.loan.events import (
    DeductionFailed,
    DeductionFailure,
    DeductionSucceeded,
    LoanEvent,
    Payment,
    event_type_name,
)
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.schedule import Installment, build_schedule
from creditmend.domain.loan.state import LoanState
from creditmend.domain.loan.view import loan_state
from creditmend.domain.money import ACCRUAL_CONTEXT, ZERO, Money
from creditmend.domain.rate import Rate
from creditmend.domain.rules.cn import CN
from creditmend.domain.rules.profile import JurisdictionProfile

GOAL_LOANS = 10_000
GOAL_SECONDS = 10.0
TERM_MONTHS = 36
FEN = Decimal("0.01")
# The instalment methods only: a revolving line has no term to simulate (and no schedule).
METHODS = INSTALMENT_METHODS
FAILURES = tuple(DeductionFailure)


@dataclass(frozen=True, slots=True)
class LoanCase:
    """One benchmark loan: the contract, what happened, and the date it is simulated to."""

    contract: Contract
    events: tuple[LoanEvent, ...]
    as_of: date
    behaviour: str


@dataclass(frozen=True, slots=True)
class Measurement:
    """Wall time of one implementation over `loans` loans, measured with time.perf_counter."""

    name: str
    description: str
    loans: int  # loans actually timed
    seconds: float
    cpu_seconds: float  # time.process_time over the same span
    extrapolated: bool  # True when the per-loan time of a sample stands for all loans
    details: dict[str, Any]

    @property
    def us_per_loan(self) -> float:
        return self.seconds / self.loans * 1e6

    @property
    def loans_per_second(self) -> float:
        return self.loans / self.seconds

    def seconds_for(self, loans: int) -> float:
        return self.seconds / self.loans * loans


# ------------------------------------------------------------------------------ the workload
def _fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _contract(rng: random.Random, index: int) -> Contract:
    method = METHODS[index % len(METHODS)]
    principal = Decimal(rng.randrange(1_000, 200_001)) + Decimal(rng.randrange(100)) / 100
    if rng.random() < 0.7:
        rate = Rate.annual(Decimal(rng.randrange(400, 2400)) / 10_000)  # 4 % .. 24 % a year
    else:
        rate = Rate.daily(Decimal(rng.randrange(15, 66)) / 100_000)  # 0.015 % .. 0.065 % a day
    disbursed = date(2022, 1, 1) + timedelta(days=rng.randrange(730))
    return Contract(
        id=f"bench-{index:05d}",
        principal=Money(principal, "CNY"),
        rate=rate,
        term_months=TERM_MONTHS,
        method=method,
        disbursed_on=disbursed,
        platform="bench",
        holiday_rule=HolidayRule.FOLLOWING if rng.random() < 0.3 else HolidayRule.UNADJUSTED,
        grace_days=rng.choice((0, 0, 0, 0, 3, 5)),
        penalty=PenaltyTerms(multiplier=Decimal("1.5"), compound_interest=rng.random() < 0.4),
    )


def _late_amount(total: Decimal, days: int) -> Decimal:
    """What a late borrower sends: the instalment and a rough allowance for penalty."""
    return _fen(total * (1 + Decimal("0.001") * days))


def _events(
    rng: random.Random, rows: Sequence[Installment], behaviour: str
) -> tuple[list[LoanEvent], date | None]:
    """Events for one loan; returns them in date order and the day the borrower stopped paying."""
    events: list[LoanEvent] = []
    autopay = rng.random() < 0.5
    stop_at = rng.randrange(6, 30) if behaviour == "defaulting" else len(rows)
    skip_until = -1
    missed: list[Decimal] = []
    for k, row in enumerate(rows):
        if k >= stop_at:
            # Stopped paying; now and then a small payment towards the arrears.
            if rng.random() < 0.15:
                events.append(
                    Payment(
                        row.due_on + timedelta(days=rng.randrange(1, 20)),
                        _fen(row.total * Decimal(rng.randrange(10, 60)) / 100),
                    )
                )
            continue
        total = row.total
        if k < skip_until:
            missed.append(total)
            continue
        if k == skip_until:
            # Catching up after months of arrears: everything missed, the current one, penalty.
            owed = sum(missed, ZERO) + total
            events.append(Payment(row.due_on, _fen(owed * Decimal("1.05"))))
            missed = []
            continue
        draw = rng.random()
        on_time = 0.97 if behaviour == "prompt" else 0.55
        if draw < on_time:
            kind = DeductionSucceeded if autopay else Payment
            events.append(kind(row.due_on, total))
        elif behaviour == "prompt" or draw < 0.70:
            days = rng.randrange(1, 8 if behaviour == "prompt" else 26)
            events.append(Payment(row.due_on + timedelta(days=days), _late_amount(total, days)))
        elif draw < 0.82:
            first = _fen(total * Decimal(rng.randrange(40, 71)) / 100)
            days = rng.randrange(5, 21)
            events.append(Payment(row.due_on, first))
            events.append(
                Payment(row.due_on + timedelta(days=days), _late_amount(total - first, days))
            )
        elif draw < 0.94:
            balance = None if rng.random() < 0.5 else _fen(total * Decimal(rng.random() * 2))
            events.append(DeductionFailed(row.due_on, rng.choice(FAILURES), balance))
            days = rng.randrange(1, 11)
            events.append(Payment(row.due_on + timedelta(days=days), _late_amount(total, days)))
        else:
            # Missed for months: this one and the next one to four, caught up afterwards.
            skip_until = k + rng.randrange(2, 6)
            missed.append(total)
    events.sort(key=lambda e: e.on)
    return events, rows[stop_at].due_on if stop_at < len(rows) else None


def make_loans(count: int, seed: int, calendar: BusinessCalendar) -> list[LoanCase]:
    """`count` deterministic loans: 36 months, every method, annual and daily rates, penalty
    multiplier 1.5 (compound interest on some), grace days on some, realistic event streams."""
    rng = random.Random(seed)
    days_in_year = int(CN.days_in_year.value)
    loans: list[LoanCase] = []
    for index in range(count):
        contract = _contract(rng, index)
        draw = rng.random()
        behaviour = "prompt" if draw < 0.65 else "irregular" if draw < 0.92 else "defaulting"
        rows = build_schedule(contract, calendar, days_in_year).installments
        events, _ = _events(rng, rows, behaviour)
        # Three years of days: to the last due date of the 36-month term and a little beyond.
        as_of = add_months(contract.disbursed_on, TERM_MONTHS) + timedelta(
            days=rng.randrange(5, 46)
        )
        loans.append(LoanCase(contract, tuple(events), as_of, behaviour))
    return loans


def describe(loans: Sequence[LoanCase]) -> dict[str, Any]:
    kinds: Counter[str] = Counter()
    for loan in loans:
        kinds.update(event_type_name(e) for e in loan.events)
    days = [(loan.as_of - loan.contract.disbursed_on).days for loan in loans]
    return {
        "loans": len(loans),
        "term_months": TERM_MONTHS,
        "days_simulated": {"min": min(days), "mean": sum(days) / len(days), "max": max(days)},
        "events": sum(kinds.values()),
        "events_per_loan": sum(kinds.values()) / len(loans),
        "events_by_type": dict(sorted(kinds.items())),
        "methods": dict(Counter(loan.contract.method.value for loan in loans)),
        "rate_periods": dict(Counter(loan.contract.rate.period.value for loan in loans)),
        "compound_interest": sum(loan.contract.penalty.compound_interest for loan in loans),
        "grace_days": sum(loan.contract.grace_days > 0 for loan in loans),
        "holiday_following": sum(
            loan.contract.holiday_rule is HolidayRule.FOLLOWING for loan in loans
        ),
        "behaviour": dict(Counter(loan.behaviour for loan in loans)),
    }


# ------------------------------------------------------------------------------ the peer
@dataclass(slots=True)
class _Open:
    """A billed instalment with something still unpaid."""

    due_on: date
    principal: Decimal
    interest: Decimal


@dataclass(frozen=True, slots=True)
class PeerResult:
    outstanding_principal: Decimal
    overdue_principal: Decimal
    penalty: Decimal
    paid: Decimal
    closed: bool
    days_walked: int  # the walk stops on the day the loan is repaid


def peer_simulate(
    contract: Contract,
    events: Sequence[LoanEvent],
    as_of: date,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> PeerResult:
    """What a typical ledger does: walk every day, accrue interest and penalty for that day in
    Decimal, bill instalments on their due dates, allocate the day's payments (penalty, then
    interest, then principal, oldest first; the rest is held as credit for the next bill)."""
    days_in_year = int(profile.days_in_year.value)
    rows = build_schedule(contract, calendar, days_in_year).installments
    bills: dict[date, list[Installment]] = {}
    for row in rows:
        bills.setdefault(row.due_on, []).append(row)
    todo: dict[date, list[LoanEvent]] = {}
    for event in events:
        todo.setdefault(event.on, []).append(event)
    daily_rate = contract.rate.per_day(days_in_year)
    penalty_rate = contract.penalty.per_day(
        contract.rate, days_in_year, Decimal(CN.penalty_multiplier.value)
    )
    compound = contract.penalty.compound_interest
    grace = contract.grace_days
    performing = contract.principal.amount
    accrued_interest = ZERO  # unrounded, current period; billed from the schedule
    penalty = ZERO  # unrounded penalty and compound interest
    open_items: list[_Open] = []
    credit = ZERO
    paid = ZERO
    closed = False
    one_day = timedelta(days=1)
    day = contract.disbursed_on
    with localcontext(ACCRUAL_CONTEXT):
        while day < as_of and not closed:
            day += one_day
            # Accrue for the day that just ended.
            accrued_interest += performing * daily_rate
            for item in open_items:
                if (day - item.due_on).days > grace:
                    penalty += item.principal * penalty_rate
                    if compound:
                        penalty += item.interest * penalty_rate
            # Bill what falls due today.
            for row in bills.get(day, ()):
                open_items.append(_Open(day, row.principal, row.interest + row.fees))
                performing -= row.principal
                accrued_interest = ZERO
            # Apply the day's payments; credit held from earlier pays the new bill.
            cash = credit
            for event in todo.get(day, ()):
                if isinstance(event, Payment | DeductionSucceeded):
                    cash += event.amount
                    paid += event.amount
            if cash > ZERO:
                penalty = _fen(penalty)
                take = min(penalty, cash)
                penalty -= take
                cash -= take
                for item in open_items:
                    take = min(item.interest, cash)
                    item.interest -= take
                    cash -= take
                    take = min(item.principal, cash)
                    item.principal -= take
                    cash -= take
                    if cash <= ZERO:
                        break
                open_items = [i for i in open_items if i.principal or i.interest]
                credit = cash
                closed = not open_items and performing <= ZERO and penalty <= ZERO
    overdue = sum((i.principal for i in open_items if i.due_on < as_of), ZERO)
    return PeerResult(
        outstanding_principal=performing + sum((i.principal for i in open_items), ZERO),
        overdue_principal=overdue,
        penalty=_fen(penalty),
        paid=paid,
        closed=closed,
        days_walked=(day - contract.disbursed_on).days,
    )


# ------------------------------------------------------------------------------ the floor
def floor_pass(
    contract: Contract,
    events: Sequence[LoanEvent],
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> Decimal:
    """The least any implementation does: build the schedule and read every event once."""
    rows = build_schedule(contract, calendar, int(profile.days_in_year.value)).installments
    billed = sum((row.total for row in rows), ZERO)
    paid = ZERO
    for event in events:
        if isinstance(event, Payment | DeductionSucceeded):
            paid += event.amount
    return billed - paid


# ------------------------------------------------------------------------------ measuring
def _timed(work: Callable[[], None]) -> tuple[float, float]:
    cpu = time.process_time()
    start = time.perf_counter()
    work()
    return time.perf_counter() - start, time.process_time() - cpu


def measure_creditmend(
    loans: Sequence[LoanCase], profile: JurisdictionProfile, calendar: BusinessCalendar
) -> Measurement:
    split = {"run": 0.0, "loan_state": 0.0}
    outcome: Counter[str] = Counter()
    clock = time.perf_counter

    def work() -> None:
        in_run = in_view = 0.0
        for loan in loans:
            t0 = clock()
            ledger = run(loan.contract, loan.events, loan.as_of, profile, calendar)
            t1 = clock()
            state = loan_state(ledger, loan.as_of)
            in_view += clock() - t1
            in_run += t1 - t0
            if state.closed_on is not None:
                outcome["closed"] += 1
            elif state.days_past_due > 0:
                outcome["overdue"] += 1
            else:
                outcome["current"] += 1
        split["run"], split["loan_state"] = in_run, in_view

    seconds, cpu = _timed(work)
    return Measurement(
        name="creditmend",
        description="ledger.run + view.loan_state",
        loans=len(loans),
        seconds=seconds,
        cpu_seconds=cpu,
        extrapolated=False,
        details={
            "seconds_in_run": split["run"],
            "seconds_in_loan_state": split["loan_state"],
            "state_on_as_of": dict(sorted(outcome.items())),
        },
    )


def measure_peer(
    loans: Sequence[LoanCase], profile: JurisdictionProfile, calendar: BusinessCalendar
) -> tuple[Measurement, list[PeerResult]]:
    results: list[PeerResult] = []

    def work() -> None:
        for loan in loans:
            results.append(peer_simulate(loan.contract, loan.events, loan.as_of, profile, calendar))

    seconds, cpu = _timed(work)
    days = sum(result.days_walked for result in results)
    return (
        Measurement(
            name="peer",
            description="day-by-day Decimal ledger (sample, extrapolated)",
            loans=len(loans),
            seconds=seconds,
            cpu_seconds=cpu,
            extrapolated=True,
            details={"days_walked": days, "ns_per_day": seconds / days * 1e9},
        ),
        results,
    )


def measure_floor(
    loans: Sequence[LoanCase], profile: JurisdictionProfile, calendar: BusinessCalendar
) -> Measurement:
    def work() -> None:
        for loan in loans:
            floor_pass(loan.contract, loan.events, profile, calendar)

    seconds, cpu = _timed(work)
    return Measurement(
        name="floor",
        description="build_schedule + one pass over the events",
        loans=len(loans),
        seconds=seconds,
        cpu_seconds=cpu,
        extrapolated=False,
        details={},
    )


def agreement(
    loans: Sequence[LoanCase],
    peer: Sequence[PeerResult],
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> dict[str, Any]:
    """A sanity check that the peer does comparable work: on the sample, how often the peer's
    outstanding principal matches creditmend's to the fen, and to within one yuan."""
    exact = near = 0
    for loan, result in zip(loans, peer, strict=True):
        ledger = run(loan.contract, loan.events, loan.as_of, profile, calendar)
        ours = loan_state(ledger, loan.as_of).outstanding_principal.amount
        gap = abs(ours - result.outstanding_principal)
        exact += gap == ZERO
        near += gap <= 1
    return {
        "sample": len(loans),
        "outstanding_principal_equal": exact,
        "outstanding_principal_within_1": near,
    }


def _amounts(value: object) -> Iterator[Decimal]:
    """Every Money amount inside a LoanState (fields, records, tuples of records)."""
    if isinstance(value, Money):
        yield value.amount
    elif isinstance(value, tuple):
        for item in value:
            yield from _amounts(item)


def measure_money(
    loans: Sequence[LoanCase], profile: JurisdictionProfile, calendar: BusinessCalendar
) -> dict[str, Any]:
    """Time making only the Money objects of each loan's state: its distinct amounts, once each
    (the least output work a ledger that publishes a LoanState adds to the floor)."""
    per_loan: list[tuple[str, list[Decimal]]] = []
    for loan in loans:
        state: LoanState = loan_state(
            run(loan.contract, loan.events, loan.as_of, profile, calendar), loan.as_of
        )
        fields = (getattr(state, name) for name in state.__dataclass_fields__)
        per_loan.append((state.currency, list(set(_amounts(tuple(fields))))))

    def work() -> None:
        for currency, amounts in per_loan:
            for amount in amounts:
                Money(amount, currency)

    seconds, _ = _timed(work)
    distinct = sum(len(amounts) for _, amounts in per_loan)
    return {
        "loans": len(loans),
        "distinct_amounts_per_loan": round(distinct / len(loans), 1),
        "us_per_loan": round(seconds / len(loans) * 1e6, 1),
    }


@dataclass(frozen=True, slots=True)
class LedgerBenchmark:
    workload: dict[str, Any]
    creditmend: Measurement
    peer: Measurement
    floor: Measurement
    peer_agreement: dict[str, Any]
    setup_seconds: float
    money_made: dict[str, Any]


ROUNDS = 10  # interleaved rounds of the three measurements


def _merged(parts: Sequence[Measurement]) -> Measurement:
    """One measurement from its rounds: loans and times add up, and so do numeric details
    (and counts in dict details)."""
    details: dict[str, Any] = {}
    for part in parts:
        for key, value in part.details.items():
            if isinstance(value, dict):
                counts = details.setdefault(key, Counter())
                counts.update(value)
            elif isinstance(value, int | float):
                details[key] = details.get(key, 0) + value
    for key, value in details.items():
        if isinstance(value, Counter):
            details[key] = dict(sorted(value.items()))
    first = parts[0]
    return Measurement(
        name=first.name,
        description=first.description,
        loans=sum(part.loans for part in parts),
        seconds=sum(part.seconds for part in parts),
        cpu_seconds=sum(part.cpu_seconds for part in parts),
        extrapolated=first.extrapolated,
        details=details,
    )


def run_benchmark(loans_count: int, seed: int, peer_sample: int) -> LedgerBenchmark:
    calendar: BusinessCalendar = WeekdayCalendar()
    profile = CN
    start = time.perf_counter()
    loans = make_loans(loans_count, seed, calendar)
    setup = time.perf_counter() - start
    sample = loans[: min(peer_sample, len(loans))]
    warm = loans[:50]
    # Warm up every path once (first calls pay for lazy imports and caches).
    measure_floor(warm, profile, calendar)
    measure_creditmend(warm, profile, calendar)
    measure_peer(warm[:10], profile, calendar)

    # In interleaved rounds (floor, creditmend, peer on a slice of the loans each): on a shared
    # machine the load changes within a minute, and three back-to-back runs would each meet a
    # different load; interleaved, the three see the same conditions and their ratios hold.
    floors: list[Measurement] = []
    ours_parts: list[Measurement] = []
    peers: list[Measurement] = []
    peer_results: list[PeerResult] = []
    for k in range(ROUNDS):
        chunk = loans[k * len(loans) // ROUNDS : (k + 1) * len(loans) // ROUNDS]
        peer_chunk = sample[k * len(sample) // ROUNDS : (k + 1) * len(sample) // ROUNDS]
        floors.append(measure_floor(chunk, profile, calendar))
        ours_parts.append(measure_creditmend(chunk, profile, calendar))
        if peer_chunk:
            measured, results = measure_peer(peer_chunk, profile, calendar)
            peers.append(measured)
            peer_results += results
    floor, ours, peer = _merged(floors), _merged(ours_parts), _merged(peers)
    days = peer.details["days_walked"]
    peer.details["ns_per_day"] = peer.seconds / days * 1e9
    return LedgerBenchmark(
        workload=describe(loans),
        creditmend=ours,
        peer=peer,
        floor=floor,
        peer_agreement=agreement(sample, peer_results, profile, calendar),
        setup_seconds=setup,
        money_made=measure_money(sample, profile, calendar),
    )
