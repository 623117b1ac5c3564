"""The optimiser: its programme encodes the linear model exactly, its plan is exact, its
estimate agrees with the exact simulation within the documented tolerance, and an impossible
budget is said plainly with its shortfall and the agreement it would need.

The programme is checked without a solver: the linear model's own run of any plan (its
arrears, months overdue, settlements) is a point of the programme that satisfies every row,
and the objective vector at that point is the objective the model gives the plan. The solver
itself (HiGHS) is exercised by the contract test and the property test.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.money import Money
from creditmend.domain.recovery.best_plan import (
    NODES_FEWEST,
    NODES_MOST,
    NODES_PER_LOAN_MONTH,
    SAFETY_SECONDS,
    Optimiser,
    estimate_outcome,
)
from creditmend.domain.recovery.budget import Budget, Horizon, horizon_for, monthly_budget
from creditmend.domain.recovery.linear import LoanFigures, estimate_loan, plan_figures
from creditmend.domain.recovery.objective import (
    RecoveryObjective,
    pattern_shown,
    record_months_of,
)
from creditmend.domain.recovery.optimise import (
    Formulation,
    MilpProblem,
    MilpSolution,
    SolveLimits,
    SolveStatus,
    StopReason,
    formulate,
    prudent_caps,
)
from creditmend.domain.recovery.plan_input import CashFlow, PlanInput, Priority, read_plan
from creditmend.domain.recovery.simulate import Outcome
from creditmend.domain.recovery.strategies import classic_outcomes
from creditmend.domain.rules.cn import CN
from creditmend.services.advise import AdviseService

CAL = WeekdayCalendar()
EXAMPLE = Path(__file__).parents[2] / "examples" / "plan.yaml"
AS_OF = date(2026, 7, 1)
D = Decimal
SLACK = D("0.001")

# The documented tolerance (docs/advisor.md): the linear estimate of a plan's cost lies within
# 20 % of the exact cost plus 5.00 a loan.
COST_TOLERANCE_SHARE = D("0.20")
COST_TOLERANCE_PER_LOAN = D("5.00")


def _example() -> tuple[PlanInput, Budget]:
    document, lines = read_yaml_with_lines(EXAMPLE)
    plan_input = read_plan(document, CN, lines)
    return plan_input, monthly_budget(plan_input, horizon_for(plan_input, AS_OF))


def point_of(
    formulation: Formulation, figures: Sequence[LoanFigures], payments: Sequence[Sequence[Decimal]]
) -> list[Decimal]:
    """The programme's variables set from the linear model's run of a plan's payments (one
    row of payments per loan): its arrears, months overdue, serious, settled, pattern and
    record months as the model derives them."""
    problem = formulation.problem
    # Variables fixed by their bounds (the constant) take their value.
    values = [
        low if low is not None and low == high else D(0)
        for low, high in zip(problem.lower, problem.upper, strict=True)
    ]
    for facts, variables, paid in zip(figures, formulation.loans, payments, strict=True):
        if variables is None:
            continue
        run = estimate_loan(facts, paid)
        for k in range(facts.count):
            values[variables.x[k]] = paid[k]
            values[variables.n[k]] = run.arrears[k]
            values[variables.a[k]] = max(run.arrears[k], D(0))
            values[variables.o[k]] = D(int(run.overdue[k]))
            values[variables.h[k]] = D(int(run.serious[k]))
            values[variables.u[k]] = D(int(run.settled[k]))
        values[variables.crossing] = D(int(any(run.serious)))
        values[variables.pattern] = D(
            int(pattern_shown(facts.history_overdue, run.overdue, facts.pattern))
        )
        values[variables.records] = record_months_of(facts, run.overdue)
    for k, pays in enumerate(formulation.pays):  # the month pays any debt
        values[pays] = D(int(any(paid[k] > 0 for paid in payments)))
    return values


def paid_of(outcome: Outcome) -> list[list[Decimal]]:
    """What an exactly simulated plan paid, per loan and month."""
    return [[m.paid.amount for m in loan.months] for loan in outcome.loans]


def violations(problem: MilpProblem, values: list[Decimal]) -> list[str]:
    """The bounds and rows of the programme that `values` break (beyond a rounding slack)."""
    found = []
    for index, (low, high) in enumerate(zip(problem.lower, problem.upper, strict=True)):
        if (low is not None and values[index] < low - SLACK) or (
            high is not None and values[index] > high + SLACK
        ):
            found.append(f"bound {index}: {low} <= {values[index]} <= {high}")
    for number, row in enumerate(problem.rows):
        total = sum((c * values[i] for i, c in row.coefficients), D(0))
        if (row.lower is not None and total < row.lower - SLACK) or (
            row.upper is not None and total > row.upper + SLACK
        ):
            found.append(f"row {number}: {row.lower} <= {total} <= {row.upper}")
    return found


@pytest.mark.parametrize("name", ["minimum", "avalanche", "snowball"])
def test_the_programme_encodes_the_linear_model(name: str) -> None:
    plan_input, budget = _example()
    horizon = budget.horizon
    figures = plan_figures(plan_input, horizon, CN, CAL)
    objective = RecoveryObjective()
    formulation = formulate(figures, budget, objective)
    outcome = classic_outcomes(plan_input, budget, CN, CAL)[name]
    problem = formulation.problem
    values = point_of(formulation, figures, paid_of(outcome))
    # Cash rows aside (a classic plan may spend what a later month needs) and good faith's
    # (a classic pays an overdue loan min(arrears, G) or a share of a short month's cash, where
    # the programme asks G of a loan overdue at both month ends), every row holds; so does
    # every bound but the arrears' floor, which is the model's own estimate of the payoff (an
    # exact plan that settles pays the exact payoff, a little more or less).
    cash_rows = len(prudent_caps(budget))
    faith = set(formulation.good_faith_rows)
    floors = {
        index for variables in formulation.loans if variables is not None for index in variables.n
    }
    rows_only = MilpProblem(
        problem.objective,
        problem.lower,
        problem.upper,
        problem.integer,
        tuple(row for i, row in enumerate(problem.rows[:-cash_rows]) if i not in faith),
        problem.offset,
    )
    broken = [
        v
        for v in violations(rows_only, values)
        if int(v.split()[1].rstrip(":")) not in floors or v.startswith("row")
    ]
    assert broken == []
    runs = [
        estimate_loan(f, [m.paid.amount for m in loan.months])
        for f, loan in zip(figures, outcome.loans, strict=True)
    ]
    expected = objective.estimated(runs, figures).total
    got = sum((c * v for c, v in zip(problem.objective, values, strict=True)), D(0))
    assert abs(got - expected) < D("0.01")


def test_prudent_caps_keep_money_a_later_month_needs() -> None:
    _, budget = _example()
    caps = prudent_caps(budget)
    cumulative = [m.cumulative.amount for m in budget.months]
    assert all(cap <= total for cap, total in zip(caps, cumulative, strict=True))
    assert all(a <= b for a, b in itertools.pairwise(caps))
    assert caps[-1] == max(cumulative[-1], D(0))


class _NoPlan:
    """A solver that finds nothing within its limits: the classics must still be there to win."""

    def solve(self, problem: MilpProblem, *, limits: SolveLimits) -> MilpSolution:
        return MilpSolution(SolveStatus.NO_SOLUTION, None, None, None, "node limit")


def _service(solver: object) -> AdviseService:
    return AdviseService(CN, CAL, read_yaml_with_lines, solver)  # type: ignore[arg-type]


def test_without_a_programme_plan_the_best_candidate_is_shown_and_named() -> None:
    advice = _service(_NoPlan()).advise_file(EXAMPLE, AS_OF)
    assert advice.optimised.milp_status is SolveStatus.NO_SOLUTION
    assert advice.winner != "milp"
    classics = [advice.values[n].total for n in ("minimum", "avalanche", "snowball")]
    assert advice.values["optimal"].total <= min(classics)


def test_the_example_with_highs_beats_the_classics_and_its_estimate_holds() -> None:
    from creditmend.adapters.solver_highs import HighsSolver  # noqa: PLC0415

    advice = _service(HighsSolver()).advise_file(EXAMPLE, AS_OF)
    optimal = advice.values["optimal"]
    assert optimal.total < min(advice.values[n].total for n in ("minimum", "avalanche", "snowball"))
    # What the user sees is the exact simulation of the plan shown.
    assert advice.strategies["optimal"].name == "optimal"
    assert advice.feasible
    estimate = advice.optimised.estimate
    bound = COST_TOLERANCE_SHARE * optimal.cost + COST_TOLERANCE_PER_LOAN * 3
    assert abs(estimate.cost - optimal.cost) <= bound
    # The estimate of the plan shown is the linear model run on its payments and months.
    again = estimate_outcome(
        advice.objective, advice.optimised.figures, advice.strategies["optimal"]
    )
    assert again == estimate


def test_priority_scales_the_damage_weights() -> None:
    cost = RecoveryObjective(priority=Priority.COST).weights()
    credit = RecoveryObjective(priority=Priority.CREDIT).weights()
    assert credit["overdue_month"] == 16 * cost["overdue_month"]
    assert cost["cost"] == credit["cost"] == 1
    objective = RecoveryObjective().set_params(pattern_weight=D(10))
    assert objective.get_params()["pattern_weight"] == D(10)
    with pytest.raises(ValueError, match="not a parameter"):
        objective.set_params(nonsense=1)


def test_a_budget_that_cannot_cure_says_so_with_shortfall_and_agreement() -> None:
    plan_input, _ = _example()
    poor = CashFlow(
        Money.of("4600.00", "CNY"), Money.of("4500.00", "CNY"), Money.zero("CNY"), Money.zero("CNY")
    )
    plan_input = PlanInput(plan_input.currency, plan_input.loans, poor)
    advice = _service(_NoPlan()).advise(plan_input, AS_OF, 12)
    shortfall = advice.shortfall
    assert not advice.feasible
    assert shortfall.overdue_at_end  # named loans still overdue
    assert shortfall.months[0].short > 0
    assert all(m.available == D(100) * (i + 1) for i, m in enumerate(shortfall.months))
    agreement = shortfall.agreement
    # 100 a month does not carry 30,000 at these rates within ten years: said as such.
    assert agreement.months is None and agreement.instalment is None
    assert agreement.debt > D(30000)
    assert agreement.monthly_amount == D("100.00")


def test_an_agreement_the_budget_carries() -> None:
    plan_input, _ = _example()
    tight = CashFlow(
        Money.of("6500.00", "CNY"), Money.of("4500.00", "CNY"), Money.zero("CNY"), Money.zero("CNY")
    )
    plan_input = PlanInput(plan_input.currency, plan_input.loans, tight)
    advice = _service(_NoPlan()).advise(plan_input, AS_OF, 6)
    agreement = advice.shortfall.agreement
    assert agreement.months is not None and agreement.instalment is not None
    assert agreement.instalment <= agreement.monthly_amount == D("2000.00")
    assert agreement.months * agreement.instalment >= agreement.debt
    assert agreement.extension_months is not None and agreement.extension_months >= 0


def test_horizon_out_of_range_is_an_input_problem() -> None:
    from creditmend.domain.problems import ProblemsError  # noqa: PLC0415

    with pytest.raises(ProblemsError, match=r"plan\.horizon_months"):
        _service(_NoPlan()).advise_file(EXAMPLE, AS_OF, 0)


def test_horizon_helper_is_unchanged() -> None:
    assert len(Horizon.of(AS_OF, 12).months) == 12


def test_the_programme_asks_good_faith_of_a_month_that_pays() -> None:
    # Issue 15's borrower: Jiebei is overdue on the plan's date. Paying nothing breaks no
    # good-faith row; paying Weilidai alone in December, Jiebei nothing, breaks Jiebei's.
    document, lines = read_yaml_with_lines(EXAMPLE.parent / "five-platforms.yaml")
    plan_input = read_plan(document, CN, lines)
    budget = monthly_budget(plan_input, horizon_for(plan_input, date(2026, 12, 7), 6))
    figures = plan_figures(plan_input, budget.horizon, CN, CAL)
    formulation = formulate(figures, budget, RecoveryObjective())
    assert len(formulation.pays) == 6 and formulation.good_faith_rows
    jiebei = next(f for f in figures if f.loan_id == "jiebei")
    assert jiebei.start_overdue and jiebei.good_faith == D("110.02")
    faith = set(formulation.good_faith_rows)
    only = MilpProblem(
        formulation.problem.objective,
        formulation.problem.lower,
        formulation.problem.upper,
        formulation.problem.integer,
        tuple(row for i, row in enumerate(formulation.problem.rows) if i in faith),
        formulation.problem.offset,
    )
    nothing = [[D(0)] * 6 for _ in figures]
    assert violations(only, point_of(formulation, figures, nothing)) == []
    weilidai_only = [[D(0)] * 6 for _ in figures]
    weilidai_only[[f.loan_id for f in figures].index("weilidai")][0] = D("100.00")
    assert len(violations(only, point_of(formulation, figures, weilidai_only))) >= 1
    # Off: no row asks it.
    off = replace(plan_input, preferences=replace(plan_input.preferences, good_faith=False))
    plain = formulate(plan_figures(off, budget.horizon, CN, CAL), budget, RecoveryObjective())
    assert (plain.pays, plain.good_faith_rows) == ((), ())


def test_the_solver_limits_are_a_node_limit_sized_by_the_problem_and_a_safety_net() -> None:
    optimiser = Optimiser(_NoPlan())
    assert optimiser.get_params()["node_limit"] is None
    assert optimiser.get_params()["time_limit"] == SAFETY_SECONDS
    assert optimiser.limit_for(1, 6).nodes == NODES_FEWEST
    assert optimiser.limit_for(4, 18).nodes == int(72 * NODES_PER_LOAN_MONTH)
    assert optimiser.limit_for(30, 60).nodes == NODES_MOST
    assert optimiser.limit_for(4, 18).seconds == SAFETY_SECONDS
    fixed = Optimiser(_NoPlan()).set_params(node_limit=7, time_limit=D(5))
    assert fixed.limit_for(30, 60) == SolveLimits(7, D(5), D("0.01"))
    # A caller that still passes `time_limit` sets the safety net, not the binding limit.
    assert Optimiser(_NoPlan(), time_limit=D(1)).limit_for(4, 18).nodes == 36
    with pytest.raises(ValueError, match="not a parameter"):
        optimiser.set_params(nonsense=1)


def _burn(seconds: float) -> subprocess.Popen[bytes]:
    """A child process that keeps a core busy for `seconds` (then ends by itself)."""
    code = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"
    return subprocess.Popen([sys.executable, "-c", code])


def test_the_same_plan_twice_under_load_and_whatever_the_safety_net() -> None:
    # The example's programme with a node limit small enough to bind: solved calm with a net of
    # ten minutes, then while another process burns a core with a net of 20 s. The plan, its
    # objective and its gap are the same: the node limit binds, not the machine's load.
    from creditmend.adapters.solver_highs import HighsSolver  # noqa: PLC0415

    plan_input, budget = _example()
    calm = Optimiser(HighsSolver(), node_limit=3, time_limit=D(600), relative_gap=D("0.000001"))
    first = calm.programme(plan_input, budget, CN, CAL)
    burner = _burn(5.0)
    try:
        busy = calm.set_params(time_limit=D(20))
        second = busy.programme(plan_input, budget, CN, CAL)
    finally:
        burner.kill()
        burner.wait()
    assert first.solution.stopped_by is StopReason.WORK
    assert second.solution.stopped_by is StopReason.WORK
    assert second.solution.values == first.solution.values
    assert second.solution.objective == first.solution.objective
    assert second.solution.gap == first.solution.gap
    assert second.decisions == first.decisions
