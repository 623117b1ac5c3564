"""Property tests of the loan ledger over random contracts and random event streams.

Contracts vary method, annual or daily rate, term, first due date or due day, holiday rule,
grace days, penalty (multiplier or daily rate, basis, compound interest, late fee) and fees.
Event streams mix payments of random amounts on random dates with auto-debits, failed debits,
fee charges, waivers, at most one restructure and an early settlement.

Non-payment events must not reach a closed loan (the ledger refuses them), so they are dated
before the loan can possibly close: before the last scheduled due date, and before the first
instalment of a restructured plan falls due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from creditmend.domain.calendar import HolidayRule, WeekdayCalendar, add_months
from creditmend.domain.loan.contract import (
    INSTALMENT_METHODS,
    Contract,
    Fee,
    FeeTiming,
    LateFee,
    PenaltyBasis,
    PenaltyTerms,
    RepaymentMethod,
    validate_contract,
)
from creditmend.domain.loan.events import (
    DeductionFailed,
    DeductionFailure,
    DeductionSucceeded,
    EarlySettlement,
    FeeCharged,
    LoanEvent,
    Payment,
    Restructure,
    RestructureKind,
    WaivedComponent,
    Waiver,
)
from creditmend.domain.loan.fold import advance, fold, open_ledger, run
from creditmend.domain.loan.schedule import build_schedule
from creditmend.domain.loan.state import LoanState
from creditmend.domain.loan.view import loan_state
from creditmend.domain.money import Money
from creditmend.domain.problems import ProblemsError
from creditmend.domain.rate import Rate
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
DAYS_IN_YEAR = 360
ZERO = Decimal(0)
PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-2))


def scaled(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-places))


# ---------------------------------------------------------------- contracts
@st.composite
def penalties(draw: st.DrawFn) -> PenaltyTerms:
    basis = draw(st.sampled_from(PenaltyBasis))
    if draw(st.booleans()):
        multiplier: Decimal | None = draw(st.sampled_from(["1.3", "1.5", "1.0"]).map(Decimal))
        daily_rate = None
    else:
        multiplier = None
        daily_rate = draw(scaled(1, 1000, 6))  # 0.000001 .. 0.001 a day
    compound = basis is PenaltyBasis.OVERDUE_PRINCIPAL and draw(st.booleans())
    late_fee = draw(
        st.one_of(
            st.none(),
            cents(1, 5000).map(lambda a: LateFee(amount=Money(a, "CNY"))),
            scaled(1, 1000, 4).map(lambda r: LateFee(rate=r)),
        )
    )
    return PenaltyTerms(
        basis=basis,
        multiplier=multiplier,
        daily_rate=daily_rate,
        compound_interest=compound,
        late_fee=late_fee,
    )


@st.composite
def contracts(draw: st.DrawFn) -> Contract:
    disbursed_on = draw(st.dates(date(2024, 1, 1), date(2027, 12, 31)))
    rate = draw(
        st.one_of(
            scaled(0, 3600, 4).map(Rate.annual),  # 0 .. 36 % a year
            scaled(1, 1000, 6).map(Rate.daily),  # 0.0001 % .. 0.1 % a day
        )
    )
    first_due_on = None
    due_day = None
    shape = draw(st.sampled_from(["monthly", "first_due_on", "due_day"]))
    if shape == "first_due_on":
        first_due_on = disbursed_on + timedelta(days=draw(st.integers(10, 50)))
    elif shape == "due_day":
        due_day = draw(st.integers(1, 31))
    fees = draw(
        st.lists(
            st.one_of(
                cents(0, 3000).map(
                    lambda a: Fee("service", FeeTiming.EACH_INSTALLMENT, amount=Money(a, "CNY"))
                ),
                scaled(0, 50, 4).map(lambda r: Fee("service", FeeTiming.EACH_INSTALLMENT, rate=r)),
                scaled(0, 300, 4).map(lambda r: Fee("arrangement", FeeTiming.UPFRONT, rate=r)),
            ),
            max_size=2,
        )
    )
    contract = Contract(
        id="prop",
        principal=Money(draw(cents(100_000, 5_000_000)), "CNY"),  # 1000.00 .. 50000.00
        rate=rate,
        term_months=draw(st.integers(1, 24)),
        method=draw(st.sampled_from(INSTALMENT_METHODS)),
        disbursed_on=disbursed_on,
        first_due_on=first_due_on,
        due_day=due_day,
        holiday_rule=draw(st.sampled_from(HolidayRule)),
        grace_days=draw(st.sampled_from([0, 0, 1, 3, 5, 15])),
        fees=tuple(fees),
        penalty=draw(penalties()),
    )
    assert validate_contract(contract) == ()
    return contract


# ---------------------------------------------------------------- event streams
@dataclass(frozen=True)
class Story:
    contract: Contract
    events: tuple[LoanEvent, ...]
    as_of: date

    @property
    def restructured(self) -> bool:
        return any(isinstance(e, Restructure) for e in self.events)


@st.composite
def stories(draw: st.DrawFn, allow_restructure: bool = True) -> Story:
    contract = draw(contracts())
    schedule = build_schedule(contract, CAL, DAYS_IN_YEAR)
    start = contract.disbursed_on
    last_due = schedule.installments[-1].due_on
    typical = max(i.total for i in schedule.installments[:-1] or schedule.installments)
    typical_cents = int(typical * 100)

    def day_in(low: date, high: date) -> date:
        return draw(st.dates(low, max(low, high)))

    events: list[LoanEvent] = []
    # Non-payment events are dated before `horizon`, when the loan cannot yet be closed.
    horizon = last_due - timedelta(days=1)
    if allow_restructure and draw(st.booleans()):
        on = day_in(start, horizon)
        events.append(
            Restructure(
                on,
                draw(st.sampled_from(RestructureKind)),
                draw(st.integers(1, 12)),
                waive_interest=draw(st.booleans()),
                waive_penalty=draw(st.booleans()),
            )
        )
        # The restructured loan's first new instalment falls due a month later (on the contract's
        # due day, which may be sooner than 28 days); nothing can close it before then.
        horizon = min(horizon, add_months(on, 1, contract.due_day) - timedelta(days=1))
    horizon = max(horizon, start)

    late = last_due + timedelta(days=120)
    amounts = st.one_of(
        st.integers(1, 2 * typical_cents + 100).map(lambda n: Decimal(n).scaleb(-2)),
        st.just(typical),
    )
    for _ in range(draw(st.integers(0, 10))):
        events.append(Payment(day_in(start, late), draw(amounts)))
    for _ in range(draw(st.integers(0, 2))):
        events.append(DeductionSucceeded(day_in(start, late), draw(amounts)))
    for _ in range(draw(st.integers(0, 2))):
        component = draw(st.sampled_from(WaivedComponent))
        amount = draw(st.one_of(st.none(), cents(1, 20_000)))
        events.append(Waiver(day_in(start, horizon), component, amount))
    if draw(st.booleans()):
        events.append(FeeCharged(day_in(start, horizon), draw(cents(1, 10_000)), "collection"))
    if draw(st.booleans()):
        balance = draw(st.one_of(st.none(), cents(0, 2 * typical_cents)))
        reason = draw(st.sampled_from(DeductionFailure))
        events.append(DeductionFailed(day_in(start, horizon), reason, balance))

    # The early settlement comes after every non-payment event; payments may still follow it.
    if draw(st.booleans()):
        latest = max((e.on for e in events if not isinstance(e, Payment)), default=start)
        events.append(EarlySettlement(day_in(latest, late)))

    events.sort(key=lambda e: e.on)  # stable: same-day events keep their order
    last_event = events[-1].on if events else start
    as_of = last_event + timedelta(days=draw(st.integers(0, 90)))
    return Story(contract, _without_events_after_closing(contract, events, as_of), as_of)


def _without_events_after_closing(
    contract: Contract, events: list[LoanEvent], as_of: date
) -> tuple[LoanEvent, ...]:
    """A payment that covers the payoff settles the loan at once; the ledger then refuses
    waivers, fees, debits and restructures, so drop those the random stream put after it."""
    kept = list(events)
    while True:
        try:
            run(contract, kept, as_of, CN, CAL)
        except ProblemsError as error:
            field = error.problems[0].field  # events[<index>].on
            del kept[int(field[field.index("[") + 1 : field.index("]")])]
        else:
            return tuple(kept)


def _state(story: Story, as_of: date | None = None) -> LoanState:
    day = story.as_of if as_of is None else as_of
    return loan_state(run(story.contract, story.events, day, CN, CAL), day)


# ---------------------------------------------------------------- (a) allocation to the cent
@PROPERTY_SETTINGS
@given(stories())
def test_every_payment_is_allocated_to_the_cent(story: Story) -> None:
    state = _state(story)
    paying = [e for e in story.events if isinstance(e, Payment | DeductionSucceeded)]
    assert len(state.allocations) >= len(paying)
    for allocation in state.allocations:
        parts = (
            allocation.fees,
            allocation.penalty,
            allocation.interest,
            allocation.principal,
            allocation.unapplied,
        )
        total = sum((p.amount for p in parts), ZERO)
        assert total == allocation.amount.amount, allocation
        for part in parts:
            assert part.amount >= ZERO, allocation
    assert state.total_paid.amount == sum((a.amount.amount for a in state.allocations), ZERO)


# ---------------------------------------------------------------- (b) principal is conserved
@PROPERTY_SETTINGS
@given(stories(), st.data())
def test_principal_is_conserved(story: Story, data: st.DataObject) -> None:
    principal = story.contract.principal.amount
    start = story.contract.disbursed_on
    checkpoints = {story.as_of}
    checkpoints.update(e.on for e in story.events[:3])
    checkpoints.add(data.draw(st.dates(start, max(start, story.as_of)), label="extra checkpoint"))
    for day in sorted(checkpoints):
        state = _state(story, day)
        repaid = sum((a.principal.amount for a in state.allocations), ZERO)
        assert repaid <= principal, (day, repaid)
        assert state.outstanding_principal.amount >= ZERO, day
        assert state.outstanding_principal.amount + repaid == principal, (
            day,
            state.outstanding_principal,
            repaid,
        )
        assert state.overdue_principal.amount <= state.outstanding_principal.amount, day
        if state.closed_on is not None:
            assert state.outstanding_principal.amount == ZERO, day


# ---------------------------------------------------------------- (c) paid exactly per schedule
# A balance x monthly rate of exactly half a fen with a monthly rate that does not terminate:
# 1050.60 x 0.10 / 12 = 8.755 -> 8.76 in the schedule, and the ledger must post the same.
HALF_FEN_INTEREST = Contract(
    id="half-fen",
    principal=Money.of("1050.60", "CNY"),
    rate=Rate.annual("0.10"),
    term_months=2,
    method=RepaymentMethod.INTEREST_FIRST,
    disbursed_on=date(2024, 1, 1),
)
# 750.00 x 0.0028 / 12 = 0.175 -> 0.18 (the second instalment).
HALF_FEN_EQUAL_PRINCIPAL = Contract(
    id="half-fen-ep",
    principal=Money.of("1000.00", "CNY"),
    rate=Rate.annual("0.0028"),
    term_months=4,
    method=RepaymentMethod.EQUAL_PRINCIPAL,
    disbursed_on=date(2024, 1, 1),
)


@PROPERTY_SETTINGS
@given(contracts(), st.integers(0, 60))
@example(HALF_FEN_INTEREST, 0)
@example(HALF_FEN_EQUAL_PRINCIPAL, 0)
def test_loan_paid_exactly_per_schedule_closes_on_the_last_due_date(
    contract: Contract, extra_days: int
) -> None:
    schedule = build_schedule(contract, CAL, DAYS_IN_YEAR)
    events: list[LoanEvent] = [Payment(i.due_on, i.total) for i in schedule.installments]
    last_due = schedule.installments[-1].due_on
    as_of = last_due + timedelta(days=extra_days)
    state = loan_state(run(contract, events, as_of, CN, CAL), as_of)

    assert state.outstanding_principal == Money.zero("CNY")
    assert state.closed_on == last_due
    assert state.status_code == "C"
    assert state.days_past_due == 0
    assert state.penalty_accrued == Money.zero("CNY")
    assert state.fees_due == Money.zero("CNY")
    assert state.payoff_amount == Money.zero("CNY")
    assert state.credit_balance == Money.zero("CNY")
    for allocation, row in zip(state.allocations, schedule.installments, strict=True):
        assert allocation.unapplied == Money.zero("CNY"), allocation
        assert allocation.principal.amount == row.principal, (row.number, allocation)
        assert allocation.interest.amount == row.interest, (row.number, allocation)
        assert allocation.fees.amount == row.fees, (row.number, allocation)
        assert allocation.penalty == Money.zero("CNY"), allocation
    for row, published in zip(schedule.installments, state.installments, strict=True):
        assert published.paid_off_on == row.due_on, published
    codes = [s.code for s in state.monthly_status]
    assert codes[-1] == "C"
    assert state.monthly_status[-1].month == f"{last_due.year:04d}-{last_due.month:02d}"
    assert set(codes[:-1]) <= {"N", "*"}, state.monthly_status


# ---------------------------------------------------------------- (d) fold-split independence
@PROPERTY_SETTINGS
@given(stories(), st.data())
def test_fold_split_at_any_point_gives_the_same_state(story: Story, data: st.DataObject) -> None:
    events = list(story.events)  # already sorted by date (stable)
    contract = story.contract
    expected = _state(story)

    whole = advance(fold(open_ledger(contract, CN, CAL), events), story.as_of)
    assert loan_state(whole.ledger, story.as_of) == expected

    k = data.draw(st.integers(0, len(events)), label="split index")
    low = events[k - 1].on if k > 0 else contract.disbursed_on
    high = events[k].on if k < len(events) else story.as_of
    pause = data.draw(st.dates(low, high), label="pause on")

    first = advance(fold(open_ledger(contract, CN, CAL), events[:k]), pause)
    second = advance(fold(first, events[k:]), story.as_of)
    assert loan_state(second.ledger, story.as_of) == expected

    # The snapshot paused on is untouched by the continuation (immutable snapshots).
    assert first.as_of == pause
    assert loan_state(first.ledger, pause) == loan_state(
        run(contract, events[:k], pause, CN, CAL), pause
    )
