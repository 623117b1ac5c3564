"""The HiGHS adapter honours the `MilpSolver` port: exact decimals in and out, binaries as
0/1, the optimum of small programmes known by hand, infeasibility said as such, and the node
limit binding (the same plan under load) with the wall-clock safety net said when reached."""

from __future__ import annotations

import random
import subprocess
import sys
from decimal import Decimal

from creditmend.adapters.solver_highs import HighsSolver
from creditmend.domain.recovery.optimise import (
    MilpProblem,
    MilpRow,
    SolveLimits,
    SolveStatus,
    StopReason,
)

D = Decimal
ONE = D(1)
LIMIT = {"limits": SolveLimits(nodes=10_000, seconds=D(10), relative_gap=D("0.0001"))}


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


def _knapsack() -> MilpProblem:
    """A knapsack of 80 binaries in 5 dimensions (weights drawn with a fixed seed): quick at
    the root, many nodes to prove, so a small node limit stops the search."""
    rng = random.Random(15)
    values = tuple(D(-rng.randint(10, 100)) for _ in range(80))
    rows = []
    for _ in range(5):
        weights = [rng.randint(5, 95) for _ in range(80)]
        terms = tuple((i, D(w)) for i, w in enumerate(weights))
        rows.append(MilpRow(terms, None, D(sum(weights) // 3)))
    return MilpProblem(values, (D(0),) * 80, (ONE,) * 80, (True,) * 80, tuple(rows), D(0))


def _burn(seconds: float) -> subprocess.Popen[bytes]:
    """A child process that keeps a core busy for `seconds` (then ends by itself)."""
    code = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"
    return subprocess.Popen([sys.executable, "-c", code])


def test_the_node_limit_binds_and_the_same_programme_gives_the_same_plan_under_load() -> None:
    # Stopped by its node limit, HiGHS (one thread, a fixed seed) gives the same plan whether the
    # machine is idle or busy and whatever the wall-clock safety net is (5 s or 10 minutes):
    # the node limit binds, not the clock.
    problem = _knapsack()
    gap = D("0.000001")
    calm = HighsSolver().solve(problem, limits=SolveLimits(10, D(600), gap))
    burner = _burn(4.0)
    try:
        busy = HighsSolver().solve(problem, limits=SolveLimits(10, D(5), gap))
    finally:
        burner.kill()
        burner.wait()
    assert calm.status is SolveStatus.FEASIBLE and calm.stopped_by is StopReason.WORK
    assert calm.values is not None and calm.gap is not None and calm.gap > gap
    assert (busy.status, busy.stopped_by, busy.values, busy.objective, busy.gap) == (
        calm.status,
        calm.stopped_by,
        calm.values,
        calm.objective,
        calm.gap,
    )


def test_the_safety_net_when_reached_is_said() -> None:
    # A net too short for the work (a millisecond) stops the search on the clock: the solution
    # says so, since only then may the plan differ from run to run.
    solution = HighsSolver().solve(
        _knapsack(), limits=SolveLimits(100_000, D("0.001"), D("0.000001"))
    )
    assert solution.stopped_by is StopReason.TIME
    assert solution.status in {SolveStatus.FEASIBLE, SolveStatus.NO_SOLUTION}


def test_a_larger_node_limit_searches_further() -> None:
    problem = _knapsack()
    gap = D("0.000001")
    short = HighsSolver().solve(problem, limits=SolveLimits(2, D(600), gap))
    longer = HighsSolver().solve(problem, limits=SolveLimits(2_000, D(600), gap))
    assert short.objective is not None and longer.objective is not None
    assert longer.objective <= short.objective
    assert short.gap is not None and longer.gap is not None and longer.gap < short.gap


def test_a_thread_pool_already_started_with_another_size_does_not_stop_the_solve() -> None:
    # HiGHS's thread pool is one per process, sized by its first run: after a run on two
    # threads it refuses `threads: 1`, and the adapter solves again without it. In a child
    # process, so that this test's pool stays as it was.
    code = """
import numpy as np, warnings
from decimal import Decimal as D
from scipy.optimize import milp
from creditmend.adapters.solver_highs import HighsSolver
from creditmend.domain.recovery.optimise import MilpProblem, MilpRow, SolveLimits
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    milp(np.array([1.0]), integrality=np.array([1]), bounds=(0, 1), options={"threads": 2})
problem = MilpProblem(
    (D(-10), D(-13), D(-7)), (D(0),) * 3, (D(1),) * 3, (True,) * 3,
    (MilpRow(((0, D(4)), (1, D(6)), (2, D(3))), None, D(9)),), D(0),
)
solution = HighsSolver().solve(problem, limits=SolveLimits(100, D(10), D("0.0001")))
print(solution.status.value, solution.objective)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["optimal", "-20.000000"]
