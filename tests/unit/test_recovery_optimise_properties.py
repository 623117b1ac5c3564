"""The programme's own plan against the classic strategies, where the theory says it must win.

What the theory guarantees, and where: the mixed-integer programme (`optimise.formulate`)
minimises the *linear model's* objective (`linear.estimate_loan` judged by
`RecoveryObjective.estimated`) over every plan that keeps within the prudent cash caps and never
pays a loan more than the model says it owes. Solved to optimality within a relative gap g, its
plan's objective is at most any such plan's objective plus g of its own. It guarantees nothing
on the exact simulation (the model approximates the ledgers), and nothing against a classic plan
that spends money a later month needs: those are the cases `best_plan` covers by comparing
candidates, which cannot fail by construction and is therefore not what is tested here.

So, over random borrowers (one to three loans of any method, rate and history, random income,
buffer, asset sale and family loan; horizons of 3 to 9 months), solved by HiGHS to optimality:
the programme's own plan (`Optimiser.programme`, before any candidate is compared with it), on
the linear objective, is no worse than paying nothing, nor than each classic strategy whose
payments are a point of the programme (the linear model's run of them breaks no row or bound),
up to the solver's gap and the rounding of its payments down to the fen. The plan the optimiser
shows stays within the budget and never pays a loan more than it owes.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from test_recovery_optimise import paid_of, point_of, violations
from test_recovery_properties import borrowers

from creditmend.adapters.solver_highs import HighsSolver
from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.recovery.best_plan import Optimiser
from creditmend.domain.recovery.budget import Horizon, monthly_budget
from creditmend.domain.recovery.optimise import SolveStatus, prudent_caps
from creditmend.domain.recovery.plan_input import PlanInput
from creditmend.domain.recovery.strategies import classic_outcomes
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
ZERO = Decimal(0)
# A gap small enough to mean "optimal", a node limit that small programmes never reach.
OPTIMISER = Optimiser(
    HighsSolver(), node_limit=100_000, relative_gap=Decimal("0.0001"), local_moves=4
)
# The programme's payments are rounded down to the fen: each month's arrears may stand up to a
# fen higher per month before, each bearing at most a month's penalty, far below a fen a month.
ROUNDING_PER_LOAN_MONTH = Decimal("0.01")


def _smaller(borrower: tuple[PlanInput, Horizon], loans: int) -> tuple[PlanInput, Horizon]:
    plan_input, horizon = borrower
    plan_input = PlanInput(
        plan_input.currency,
        plan_input.loans[:loans],
        plan_input.cash_flow,
        plan_input.one_off,
        plan_input.preferences,
    )
    return plan_input, Horizon.of(horizon.as_of, min(len(horizon.months), 9), horizon.pay_day)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(borrowers(), st.integers(1, 3))
def test_the_programme_beats_every_classic_it_could_have_chosen_on_its_objective(
    borrower: tuple[PlanInput, Horizon], loans: int
) -> None:
    plan_input, horizon = _smaller(borrower, loans)
    budget = monthly_budget(plan_input, horizon)
    programme = OPTIMISER.programme(plan_input, budget, CN, CAL)
    assume(programme.solution.status is SolveStatus.OPTIMAL)
    assert programme.estimate is not None
    formulation, figures = programme.formulation, programme.figures
    problem = formulation.problem
    own = programme.estimate.total
    gap = programme.solution.gap or ZERO
    slack = gap * abs(own) + ROUNDING_PER_LOAN_MONTH * len(figures) * len(horizon.months)
    months = len(horizon.months)
    rivals = {"nothing": [[ZERO] * months for _ in figures]}
    classics = classic_outcomes(plan_input, budget, CN, CAL)
    rivals |= {name: paid_of(outcome) for name, outcome in classics.items()}
    compared = []
    for name, payments in rivals.items():
        point = point_of(formulation, figures, payments)
        if violations(problem, point):
            continue  # a plan the programme may not choose: the theory says nothing
        value = sum((c * v for c, v in zip(problem.objective, point, strict=True)), ZERO)
        assert own <= value + slack, (name, own, value)
        compared.append(name)
    assert "nothing" in compared  # paying nothing is always a plan the programme may choose
    event("classic strategies the programme could have chosen", len(compared) - 1)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(borrowers(), st.integers(1, 3))
def test_the_plan_shown_keeps_within_the_budget_and_what_is_owed(
    borrower: tuple[PlanInput, Horizon], loans: int
) -> None:
    plan_input, horizon = _smaller(borrower, loans)
    budget = monthly_budget(plan_input, horizon)
    result = OPTIMISER.optimise(plan_input, budget, CN, CAL)
    outcome = result.outcome
    if result.winner.startswith("milp") or result.winner.endswith("improved"):
        spent = ZERO
        for cap, total in zip(prudent_caps(budget), outcome.plan.totals(), strict=True):
            spent += total
            assert spent <= cap
    for loan in outcome.loans:
        for month in loan.months:
            assert month.paid.amount <= max(month.owed.amount, ZERO)
