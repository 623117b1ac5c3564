"""The optimiser's programme solved by HiGHS through `scipy.optimize.milp`.

The only place the advisor meets floats: the domain's exact decimals become float64 here, and
the solver's values come back as decimals rounded to a millionth (`VALUE_PLACES`), finer than
any currency's minor unit, so the domain's own rounding to the fen (down, never above the cash)
is the one that counts. Binaries come back as 0 or 1 exactly.

Deterministic: HiGHS runs on one thread with a fixed random seed, and the binding limit is its
node limit (`SolveLimits.nodes`, scipy's `node_limit`, HiGHS's `mip_max_nodes`), so the same
programme gives the same plan on any machine under any load. The wall-clock limit
(`SolveLimits.seconds`) is only a safety net. scipy's `milp` documents `disp`, `presolve`,
`time_limit`, `node_limit` and `mip_rel_gap` only; it passes any other key to HiGHS verbatim
(with a `RuntimeWarning`, silenced here), which is how `threads` and `random_seed` reach it.
HiGHS's thread pool is one per process and fixed by its first run: when something else in the
process started it with another count, HiGHS refuses `threads: 1` and the solve is made again
without it (HiGHS's branch and bound is deterministic for a given thread count as well). The
node limit's stop is a status scipy does not know (HiGHS 16, "solution limit": scipy's status 4
with the plan in hand); it is read from the message.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from creditmend.domain.recovery.optimise import (
    MilpProblem,
    MilpSolution,
    SolveLimits,
    SolveStatus,
    StopReason,
)

VALUE_PLACES = Decimal("0.000001")
RANDOM_SEED = 0  # HiGHS's own default, pinned

# scipy.optimize.milp's status codes.
_STATUS = {
    0: SolveStatus.OPTIMAL,
    1: SolveStatus.FEASIBLE,  # iteration or time limit; a plan when `x` is given
    2: SolveStatus.INFEASIBLE,
    3: SolveStatus.ERROR,  # unbounded: the formulation never is
    4: SolveStatus.ERROR,
}
# HiGHS's model status, in scipy's message as "(HiGHS Status N: ...)".
_HIGHS_STATUS = re.compile(r"HiGHS Status (\d+)")
_HIGHS_NOT_SET = 0  # the run refused before it began (e.g. the thread pool's size)
_HIGHS_TIME_LIMIT = 13
_HIGHS_SOLUTION_LIMIT = 16  # mip_max_nodes (also mip_max_leaves, mip_max_improving_sols)


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """File descriptor 1 pointed at the null device while HiGHS runs: its C++ core may print
    debugging lines there ("HighsMipSolverData::transformNewIntegerFeasibleSolution ..."),
    past `disp: False`, which would corrupt `plan --format json` on standard output."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(VALUE_PLACES, rounding=ROUND_HALF_EVEN)


def _highs_status(message: str) -> int | None:
    found = _HIGHS_STATUS.search(message)
    return None if found is None else int(found.group(1))


def _options(limits: SolveLimits, *, one_thread: bool) -> Any:
    """scipy's options and HiGHS's own (`threads`, `random_seed`: outside scipy's typed set)."""
    options: dict[str, Any] = {
        "node_limit": limits.nodes,
        "time_limit": float(limits.seconds),
        "mip_rel_gap": float(limits.relative_gap),
        "presolve": True,
        "disp": False,
        "random_seed": RANDOM_SEED,
        # HiGHS's sub-MIP heuristics (RENS, RINS) nest sub-MIPs up to seven deep at the root,
        # which no node limit bounds: seconds on a borrower of 4 loans x 18 months. Off, the
        # root is short and the nodes do the search.
        "mip_heuristic_run_rens": False,
        "mip_heuristic_run_rins": False,
    }
    if one_thread:
        options["threads"] = 1
    return options


class HighsSolver:
    """`MilpSolver` with HiGHS's branch and bound (presolve on, one thread, a fixed seed)."""

    def solve(self, problem: MilpProblem, *, limits: SolveLimits) -> MilpSolution:
        import numpy as np  # noqa: PLC0415 - SciPy and NumPy take a while to import
        from scipy.optimize import Bounds, LinearConstraint, milp  # noqa: PLC0415
        from scipy.sparse import csr_array  # noqa: PLC0415

        count = len(problem.objective)
        if count == 0:
            return MilpSolution(SolveStatus.OPTIMAL, (), Decimal(0), Decimal(0), "nothing to solve")
        cost = np.array([float(c) for c in problem.objective])
        lower = np.array([-np.inf if v is None else float(v) for v in problem.lower])
        upper = np.array([np.inf if v is None else float(v) for v in problem.upper])
        integrality = np.array([1 if flag else 0 for flag in problem.integer])
        constraints = []
        if problem.rows:
            data: list[float] = []
            columns: list[int] = []
            pointers = [0]
            for row in problem.rows:
                for index, value in row.coefficients:
                    columns.append(index)
                    data.append(float(value))
                pointers.append(len(columns))
            matrix = csr_array(
                (np.array(data), np.array(columns, dtype=np.int64), np.array(pointers)),
                shape=(len(problem.rows), count),
            )
            row_lower = np.array(
                [-np.inf if r.lower is None else float(r.lower) for r in problem.rows]
            )
            row_upper = np.array(
                [np.inf if r.upper is None else float(r.upper) for r in problem.rows]
            )
            constraints.append(LinearConstraint(matrix, row_lower, row_upper))

        def run(one_thread: bool) -> Any:
            with _quiet_stdout(), warnings.catch_warnings():
                warnings.filterwarnings(
                    "ignore", message="Unrecognized options detected", category=RuntimeWarning
                )
                return milp(
                    cost,
                    integrality=integrality,
                    bounds=Bounds(lower, upper),
                    constraints=constraints,
                    options=_options(limits, one_thread=one_thread),
                )

        result = run(one_thread=True)
        if result.x is None and _highs_status(str(result.message)) == _HIGHS_NOT_SET:
            result = run(one_thread=False)  # the process's thread pool has another size
        return _solution(result, problem)


def _solution(result: Any, problem: MilpProblem) -> MilpSolution:
    """scipy's result read as the port's solution, the limit that stopped it said."""
    message = str(result.message)
    highs = _highs_status(message)
    status = _STATUS.get(int(result.status), SolveStatus.ERROR)
    stopped_by: StopReason | None = None
    if highs == _HIGHS_SOLUTION_LIMIT:
        status, stopped_by = SolveStatus.FEASIBLE, StopReason.WORK
    elif highs == _HIGHS_TIME_LIMIT:
        stopped_by = StopReason.TIME
    if result.x is None:
        if status is SolveStatus.FEASIBLE:
            status = SolveStatus.NO_SOLUTION
        return MilpSolution(status, None, None, None, message, stopped_by)
    values = tuple(
        Decimal(round(v)) if flag else _decimal(float(v))
        for v, flag in zip(result.x, problem.integer, strict=True)
    )
    gap = getattr(result, "mip_gap", None)
    return MilpSolution(
        status,
        values,
        _decimal(float(result.fun)),
        None if gap is None else _decimal(float(gap)),
        message,
        stopped_by,
    )
