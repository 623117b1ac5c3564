"""The optimal plan is never worse than the best classic strategy, on its own objective,
evaluated on the exact simulations: over random borrowers (one to three loans of any method,
rate and history, random income, buffer, asset sale and family loan; horizons of 3 to 9
months), solved by HiGHS with a short time limit, so whatever the programme finds in time.
Its plan also stays within the budget and never pays a loan more than it owes.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_recovery_properties import borrowers

from creditmend.adapters.solver_highs import HighsSolver
from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.recovery.best_plan import Optimiser
from creditmend.domain.recovery.budget import Horizon, monthly_budget
from creditmend.domain.recovery.optimise import prudent_caps
from creditmend.domain.recovery.plan_input import PlanInput
from creditmend.domain.recovery.strategies import classic_outcomes
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
ZERO = Decimal(0)
OPTIMISER = Optimiser(HighsSolver(), time_limit=Decimal("0.2"), local_moves=4)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(borrowers(), st.integers(1, 3))
def test_the_optimal_plan_is_never_worse_than_the_best_classic(
    borrower: tuple[PlanInput, Horizon], loans: int
) -> None:
    plan_input, horizon = borrower
    plan_input = PlanInput(
        plan_input.currency,
        plan_input.loans[:loans],
        plan_input.cash_flow,
        plan_input.one_off,
        plan_input.preferences,
    )
    horizon = Horizon.of(horizon.as_of, min(len(horizon.months), 9))
    budget = monthly_budget(plan_input, horizon)
    classics = classic_outcomes(plan_input, budget, CN, CAL, policies=CN.dated_policies)
    result = OPTIMISER.optimise(
        plan_input, budget, CN, CAL, policies=CN.dated_policies, classics=classics
    )
    best = min(result.values[name].total for name in classics)
    assert result.value.total <= best
    assert result.value == result.values[result.winner]
    # The plan shown is an exact simulation within the money the borrower has.
    outcome = result.outcome
    if result.winner.startswith("milp") or result.winner.endswith("improved"):
        spent = ZERO
        for cap, total in zip(prudent_caps(budget), outcome.plan.totals(), strict=True):
            spent += total
            assert spent <= cap
    for loan in outcome.loans:
        for month in loan.months:
            assert month.paid.amount <= max(month.owed.amount, ZERO)
