"""Money invariants of plans and strategies over random borrowers.

A borrower has one to four loans of any method and rate, disbursed up to 18 months before the
plan's date, with random payments and failed debits so far; random income, expenses, cash,
buffer, an asset sale and a family loan. For any plan every fen paid is accounted for and the
stepped simulation equals one fold of the same events; the classic strategies never spend money
the borrower does not have, never pay a loan more than it owes, and carry cash over only when
there is nothing left for it to pay.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditmend.domain.calendar import WeekdayCalendar, add_months
from creditmend.domain.loan.contract import (
    INSTALMENT_METHODS,
    Contract,
    LateFee,
    PenaltyTerms,
)
from creditmend.domain.loan.events import (
    DeductionFailed,
    DeductionFailure,
    LoanEvent,
    Payment,
)
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.view import loan_state
from creditmend.domain.money import Money
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.budget import Horizon, cash_left, monthly_budget
from creditmend.domain.recovery.json_form import outcome_json
from creditmend.domain.recovery.plan_input import (
    AssetSale,
    CashFlow,
    FamilyLoan,
    GoodFaithMinimum,
    OneOff,
    PlanInput,
    PlanLoan,
    Preferences,
)
from creditmend.domain.recovery.simulate import Outcome, PaymentPlan, simulate
from creditmend.domain.recovery.strategies import STRATEGIES, classic_outcomes
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
ZERO = Decimal(0)
AS_OF = date(2026, 7, 15)
SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def loans(draw: st.DrawFn, index: int) -> PlanLoan:
    disbursed_on = AS_OF - timedelta(days=draw(st.integers(0, 540)))
    rate = draw(
        st.one_of(
            st.integers(0, 3600).map(lambda n: Rate.annual(Decimal(n).scaleb(-4))),
            st.integers(1, 1000).map(lambda n: Rate.daily(Decimal(n).scaleb(-6))),
        )
    )
    late_fee = draw(st.one_of(st.none(), cents(1, 5000).map(lambda a: LateFee(Money(a, "CNY")))))
    contract = Contract(
        id=f"loan-{index}",
        platform=f"platform-{index}",
        principal=Money(draw(cents(50_000, 3_000_000)), "CNY"),
        rate=rate,
        term_months=draw(st.integers(1, 24)),
        method=draw(st.sampled_from(INSTALMENT_METHODS)),
        disbursed_on=disbursed_on,
        grace_days=draw(st.integers(0, 3)),
        penalty=PenaltyTerms(
            multiplier=draw(st.sampled_from([None, Decimal("1.3"), Decimal("1.5")])),
            compound_interest=draw(st.booleans()),
            late_fee=late_fee,
        ),
    )
    days = (AS_OF - disbursed_on).days
    events: list[LoanEvent] = []
    for offset, amount, failed in draw(
        st.lists(st.tuples(st.integers(0, days), cents(1, 300_000), st.booleans()), max_size=5)
    ):
        on = disbursed_on + timedelta(days=offset)
        if failed:
            events.append(DeductionFailed(on, DeductionFailure.INSUFFICIENT_FUNDS, amount))
        else:
            events.append(Payment(on, amount))
    return PlanLoan(contract, tuple(events), f"loans[{index}]")


@st.composite
def borrowers(draw: st.DrawFn) -> tuple[PlanInput, Horizon]:
    count = draw(st.integers(1, 4))
    pay_day = draw(st.sampled_from([1, 1, 10, 15, 25, 31]))
    horizon = Horizon.of(AS_OF, draw(st.integers(3, 15)), pay_day)
    one_off: list[OneOff] = []
    if draw(st.booleans()):
        on = AS_OF + timedelta(days=draw(st.integers(0, 400)))
        one_off.append(AssetSale(on, Money(draw(cents(100, 2_000_000)), "CNY")))
    if draw(st.booleans()):
        on = AS_OF + timedelta(days=draw(st.integers(-60, 300)))
        repay_from = add_months(on, draw(st.integers(0, 6)))
        amount, monthly = draw(cents(100, 2_000_000)), draw(cents(100, 500_000))
        one_off.append(FamilyLoan(on, Money(amount, "CNY"), Money(monthly, "CNY"), repay_from))
    cash_flow = CashFlow(
        Money(draw(cents(0, 2_000_000)), "CNY"),
        Money(draw(cents(0, 1_500_000)), "CNY"),
        Money(draw(cents(0, 2_000_000)), "CNY"),
        Money(draw(cents(0, 200_000)), "CNY"),
        pay_day=pay_day,
    )
    preferences = Preferences(
        keep_buffer=draw(st.booleans()),
        good_faith=draw(st.sampled_from([True, True, False])),
        good_faith_minimum=GoodFaithMinimum(
            draw(st.sampled_from([Decimal("0.10"), Decimal("0.25")])),
            draw(st.sampled_from([Decimal("50.00"), Decimal("0.01")])),
        ),
    )
    plan_input = PlanInput(
        "CNY",
        tuple(draw(loans(index)) for index in range(count)),
        cash_flow,
        tuple(one_off),
        preferences,
    )
    return plan_input, horizon


def _check_accounts(outcome: Outcome) -> None:
    """Every fen the plan paid is interest, penalty, fees, principal or held/refundable."""
    for part in (*outcome.loans, outcome):
        parts = (
            part.interest_paid,
            part.penalty_paid,
            part.fees_paid,
            part.principal_paid,
            part.unapplied,
        )
        for money in (part.total_paid, *parts):
            assert isinstance(money, Money)
            assert isinstance(money.amount, Decimal)
            assert money.amount >= ZERO
        assert part.total_paid.amount == sum((m.amount for m in parts), ZERO)
    assert outcome.total_paid.amount == sum(outcome.plan.totals(), ZERO)
    for loan in outcome.loans:
        for month in loan.months:
            for money in (month.due, month.owed, month.paid, month.balance, month.payoff):
                assert isinstance(money.amount, Decimal)
    form = outcome_json(outcome)
    for key in ("total_paid", "interest_paid", "penalty_paid", "fees_paid"):
        assert Decimal(form[key]) == getattr(outcome, key).amount


@SETTINGS
@given(borrowers(), st.data())
def test_any_plan_accounts_for_every_fen_and_equals_one_fold(
    borrower: tuple[PlanInput, Horizon], data: st.DataObject
) -> None:
    plan_input, horizon = borrower
    ids = [loan.id for loan in plan_input.loans]
    table = [
        [data.draw(st.one_of(st.just(ZERO), cents(1, 400_000))) for _ in ids]
        for _ in horizon.months
    ]
    plan = PaymentPlan.of(horizon.labels, ids, table, "CNY")
    outcome = simulate(plan_input, plan, horizon, CN, CAL)
    _check_accounts(outcome)
    # Stepping month by month gives the ledger one fold of the same events gives.
    for loan, result in zip(plan_input.loans, outcome.loans, strict=True):
        planned = [Payment(on, amount.amount) for on, amount in result.payments]
        events = [*loan.events, *planned]
        ledger = run(loan.contract, events, horizon.end, CN, CAL)
        assert loan_state(ledger, horizon.end) == result.final
        # A month's end reads what the ledger says on that day (as `loan simulate` would).
        middle = len(horizon.months) // 2
        end = add_months(horizon.months[middle], 1) - timedelta(days=1)
        state = loan_state(run(loan.contract, events, end, CN, CAL), end)
        month = result.months[middle]
        assert (month.payoff, month.days_past_due) == (state.payoff_amount, state.days_past_due)
        assert month.status == state.status_code or state.closed_on is not None


@SETTINGS
@given(borrowers())
def test_strategies_stay_within_the_budget_and_the_debt(
    borrower: tuple[PlanInput, Horizon],
) -> None:
    plan_input, horizon = borrower
    budget = monthly_budget(plan_input, horizon)
    outcomes = classic_outcomes(plan_input, budget, CN, CAL)
    for name, outcome in outcomes.items():
        _check_accounts(outcome)
        totals = outcome.plan.totals()
        left = cash_left(budget, totals)
        for month, (paid, cash) in enumerate(zip(totals, left, strict=True)):
            # Money is only paid out of what the months so far made available.
            assert paid == ZERO or cash >= ZERO, (name, month)
            rows = [loan.months[month] for loan in outcome.loans]
            for row in rows:
                assert ZERO <= row.paid.amount <= row.owed.amount, (name, row)
                if name == "minimum":
                    assert row.paid.amount <= row.due.amount, (name, row)
            # Cash is carried over only when there was nothing more to pay with it.
            if cash > ZERO:
                if name == "minimum":
                    assert all(row.paid == row.due for row in rows), (name, month)
                else:
                    assert all(row.paid == row.owed for row in rows), (name, month)
        for loan in outcome.loans:
            assert loan.refund_due == Money.zero("CNY")
        assert STRATEGIES[name](plan_input, budget, CN, CAL) == outcome.plan
