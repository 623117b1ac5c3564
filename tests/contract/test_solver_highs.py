"""The HiGHS adapter honours the `MilpSolver` port: exact decimals in and out, binaries as
0/1, the optimum of small programmes known by hand, infeasibility said as such."""

from __future__ import annotations

from decimal import Decimal

from creditmend.adapters.solver_highs import HighsSolver
from creditmend.domain.recovery.optimise import MilpProblem, MilpRow, SolveStatus

D = Decimal
ONE = D(1)
LIMIT = {"time_limit": D(10), "relative_gap": D("0.0001")}


def test_a_knapsack_by_hand() -> None:
    # max 10a + 13b + 7c with 4a + 6b + 3c <= 9, binaries: a + b weighs 10; b + c (20) beats
    # a + c (17).
    problem = MilpProblem(
        objective=(D(-10), D(-13), D(-7)),
        lower=(D(0), D(0), D(0)),
        upper=(ONE, ONE, ONE),
        integer=(True, True, True),
        rows=(MilpRow(((0, D(4)), (1, D(6)), (2, D(3))), None, D(9)),),
        offset=D(0),
    )
    solution = HighsSolver().solve(problem, **LIMIT)
    assert solution.status is SolveStatus.OPTIMAL
    assert solution.values == (D(0), ONE, ONE)
    assert solution.objective == D(-20)


def test_continuous_values_come_back_as_decimals_to_a_millionth() -> None:
    # min x + y with x + 2y >= 1/3 (as 0.333333), y <= 0.1: y = 0.1, x = 0.133333.
    problem = MilpProblem(
        objective=(ONE, ONE),
        lower=(D(0), D(0)),
        upper=(None, D("0.1")),
        integer=(False, False),
        rows=(MilpRow(((0, ONE), (1, D(2))), D("0.333333"), None),),
        offset=D(0),
    )
    solution = HighsSolver().solve(problem, **LIMIT)
    assert solution.status is SolveStatus.OPTIMAL
    assert solution.values is not None
    assert all(isinstance(v, Decimal) for v in solution.values)
    assert solution.values == (D("0.133333"), D("0.100000"))
    assert solution.objective == D("0.233333")


def test_infeasible_is_said() -> None:
    problem = MilpProblem(
        objective=(ONE,),
        lower=(D(0),),
        upper=(ONE,),
        integer=(True,),
        rows=(MilpRow(((0, ONE),), D(2), None),),
        offset=D(0),
    )
    solution = HighsSolver().solve(problem, **LIMIT)
    assert solution.status is SolveStatus.INFEASIBLE
    assert solution.values is None


def test_nothing_to_solve() -> None:
    empty = MilpProblem((), (), (), (), (), D(0))
    assert HighsSolver().solve(empty, **LIMIT).status is SolveStatus.OPTIMAL
