"""Payment days and good faith over random borrowers, for every strategy.

Dates (docs/advisor.md "Payment days"): a month's money is there on its money day (`as_of` for
the first month, `cash_flow.pay_day` after); no payment of a month is made before it or after
the month; a loan with arrears gets them paid on the money day (the first payment of the month,
the arrears or the whole amount), which stops their penalty; a current loan paid its instalment
pays it no later than its due day, and is not overdue at the month's end for it.

Good faith (docs/advisor.md "Good faith"): in a month that pays any debt, every loan overdue at
the start of the month (on `as_of` for the first month, else at its previous month end) gets at
least min(arrears on the money day, max(rate x regular instalment, floor)), or, when the month's
cash cannot pay all of them, the cash is shared: no loan gets more than its good-faith minimum
and no other loan anything. Checked on the classics, the counsellor's orders, and the plan shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_recovery_optimise_properties import OPTIMISER, _smaller
from test_recovery_properties import SETTINGS, borrowers

from creditmend.domain.calendar import WeekdayCalendar, month_end
from creditmend.domain.recovery.best_plan import COUNSELLOR_ORDERS
from creditmend.domain.recovery.budget import Horizon, monthly_budget
from creditmend.domain.recovery.plan_input import PlanInput
from creditmend.domain.recovery.simulate import Outcome, open_tracks, simulate
from creditmend.domain.recovery.strategies import build_plan, classic_outcomes
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
ZERO = Decimal(0)


def _strategies(plan_input: PlanInput, horizon: Horizon) -> dict[str, Outcome]:
    budget = monthly_budget(plan_input, horizon)
    outcomes = dict(classic_outcomes(plan_input, budget, CN, CAL))
    for name, order in COUNSELLOR_ORDERS.items():
        plan = build_plan(plan_input, budget, CN, CAL, order, extra=True)
        outcomes[name] = simulate(plan_input, plan, horizon, CN, CAL, name=name)
    return outcomes


def check_dates(outcome: Outcome) -> None:
    horizon = outcome.horizon
    for loan in outcome.loans:
        for k, month in enumerate(loan.months):
            start, end = horizon.money_day(k), month_end(horizon.months[k])
            assert month.money_day == start
            paid = [(on, amount.amount) for on, amount in loan.payments if start <= on <= end]
            # Every payment lies in its month, never before the money is there.
            assert sum((a for _, a in paid), ZERO) == month.paid.amount, (loan.loan_id, k)
            assert len(paid) <= 2
            if not paid:
                continue
            first_on, first = paid[0]
            if month.arrears.amount > ZERO:
                # Arrears are paid the day the money is there, the whole of them when it goes.
                assert first_on == start, (loan.loan_id, k, paid)
                if len(paid) == 2:  # then the rest on the due day
                    assert first == month.arrears.amount
            if month.paid.amount >= month.due.amount and month.due.amount > ZERO:
                # Paid what keeps it current: not later than the due day, not overdue for it.
                assert all(on <= month.pay_day for on, _ in paid), (loan.loan_id, k, paid)
                assert not month.overdue or month.days_past_due == 0, (loan.loan_id, k)


def check_good_faith(outcome: Outcome, plan_input: PlanInput) -> None:
    enabled = plan_input.preferences.good_faith
    floor = plan_input.preferences.good_faith_minimum.floor
    tracks = open_tracks(plan_input, outcome.horizon, CN, CAL)
    for k in range(len(outcome.horizon.months)):
        rows = [loan.months[k] for loan in outcome.loans]
        if not enabled:
            assert all(row.good_faith.amount == ZERO for row in rows)
            continue
        for index, (loan, row) in enumerate(zip(outcome.loans, rows, strict=True)):
            overdue_at_start = (
                loan.months[k - 1].overdue if k else tracks[index].overdue_at_start(0)
            )
            wanted = row.good_faith.amount
            if overdue_at_start:
                # At least the floor (or all the arrears), never more than the arrears.
                assert min(row.arrears.amount, floor) <= wanted <= row.arrears.amount
            else:
                assert wanted == ZERO, (loan.loan_id, k)
        if sum((row.paid.amount for row in rows), ZERO) == ZERO:
            continue  # a month that pays nothing asks nothing
        short = [row for row in rows if row.paid.amount < row.good_faith.amount]
        if short:  # the month's cash shared among the good-faith minimums, nothing else
            assert all(row.paid.amount <= row.good_faith.amount for row in rows), k
            assert all(row.paid.amount == ZERO for row in rows if row.good_faith.amount == 0)


def _check_all(outcomes: Iterable[Outcome], plan_input: PlanInput) -> None:
    for outcome in outcomes:
        check_dates(outcome)
        check_good_faith(outcome, plan_input)


@SETTINGS
@given(borrowers())
def test_every_strategy_pays_on_the_money_day_and_keeps_good_faith(
    borrower: tuple[PlanInput, Horizon],
) -> None:
    plan_input, horizon = borrower
    _check_all(_strategies(plan_input, horizon).values(), plan_input)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(borrowers(), st.integers(1, 3))
def test_the_plan_shown_pays_on_the_money_day_and_keeps_good_faith(
    borrower: tuple[PlanInput, Horizon], loans: int
) -> None:
    plan_input, horizon = _smaller(borrower, loans)
    budget = monthly_budget(plan_input, horizon)
    result = OPTIMISER.optimise(plan_input, budget, CN, CAL)
    _check_all([result.outcome], plan_input)
