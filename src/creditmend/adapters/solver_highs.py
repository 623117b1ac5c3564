"""The optimiser's programme solved by HiGHS through `scipy.optimize.milp`.

The only place the advisor meets floats: the domain's exact decimals become float64 here, and
the solver's values come back as decimals rounded to a millionth (`VALUE_PLACES`), finer than
any currency's minor unit, so the domain's own rounding to the fen (down, never above the cash)
is the one that counts. Binaries come back as 0 or 1 exactly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_EVEN, Decimal

from creditmend.domain.recovery.optimise import MilpProblem, MilpSolution, SolveStatus

VALUE_PLACES = Decimal("0.000001")

# scipy.optimize.milp's status codes.
_STATUS = {
    0: SolveStatus.OPTIMAL,
    1: SolveStatus.FEASIBLE,  # iteration or time limit; a plan when `x` is given
    2: SolveStatus.INFEASIBLE,
    3: SolveStatus.ERROR,  # unbounded: the formulation never is
    4: SolveStatus.ERROR,
}


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


class HighsSolver:
    """`MilpSolver` with HiGHS's branch and bound (presolve on, one thread)."""

    def solve(
        self, problem: MilpProblem, *, time_limit: Decimal, relative_gap: Decimal
    ) -> MilpSolution:
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
        with _quiet_stdout():
            result = milp(
                cost,
                integrality=integrality,
                bounds=Bounds(lower, upper),
                constraints=constraints,
                options={
                    "time_limit": float(time_limit),
                    "mip_rel_gap": float(relative_gap),
                    "presolve": True,
                    "disp": False,
                },
            )
        status = _STATUS.get(int(result.status), SolveStatus.ERROR)
        if result.x is None:
            if status is SolveStatus.FEASIBLE:
                status = SolveStatus.NO_SOLUTION
            return MilpSolution(status, None, None, None, str(result.message))
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
            str(result.message),
        )
