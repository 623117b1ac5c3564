"""Daily IRR with SciPy's Brent root finder (the domain never hand-rolls one).

SciPy works in floats; the rate it returns is an estimate that the domain quantizes to basis
points, and no money amount is ever computed from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


class BrentRootFinder:
    def daily_irr(self, flows: Sequence[tuple[int, Decimal]]) -> Decimal | None:
        from scipy.optimize import brentq  # noqa: PLC0415 - SciPy takes a second to import

        points = [(day, float(amount)) for day, amount in flows]

        def npv(rate: float) -> float:
            return sum(amount / (1.0 + rate) ** day for day, amount in points)

        try:
            low, high = -0.0099, 0.05  # by the day: about -360 % .. 1800 % a year to start
            while npv(low) * npv(high) > 0:
                if high > 100:  # 10,000 % a day: no meaningful root
                    return None
                high *= 4  # a loan of a day or two with fees costs thousands of % a year
            root = float(brentq(npv, low, high, xtol=1e-14, maxiter=500))
        except (OverflowError, ZeroDivisionError):
            return None
        return Decimal(repr(root))
