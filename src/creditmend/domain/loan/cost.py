"""The all-in cost of a loan against the law's cap.

The annualised cost is the IRR of the borrower's cash flows (proceeds in, every payment out, and
today's payoff as the last flow of a loan still open), by the day and annualised x 365 as the
nominal APR that Chinese rules compare with 24 % and 4 x LPR. Finding the root is an engine's job
(a port); this module builds the flows and prices the excess over the cap, which a borrower
negotiating needs as an amount, not a percentage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from typing import Protocol

from creditmend.domain.loan.state import CashFlow
from creditmend.domain.money import ACCRUAL_CONTEXT, HALF_UP, ONE, ZERO, Money

DAYS_PER_YEAR_FOR_APR = 365


class RootFinder(Protocol):
    def daily_irr(self, flows: Sequence[tuple[int, Decimal]]) -> Decimal | None:
        """The daily rate r with sum(amount / (1 + r) ** day) == 0, or None without a root."""


@dataclass(frozen=True, slots=True)
class CostCheck:
    annualised_cost: Decimal | None  # None when the flows have no rate (nothing paid yet)
    cap: Decimal
    cap_source: str
    above_cap: bool
    amount_above_cap: Money


def dated_flows(flows: Sequence[CashFlow]) -> list[tuple[int, Decimal]]:
    start = flows[0].on
    return [((f.on - start).days, f.amount.amount) for f in flows]


def amount_above_cap(flows: Sequence[CashFlow], cap: Decimal, as_of: date) -> Money:
    """What the borrower paid beyond a loan at exactly the cap: the flows carried to `as_of`
    at the cap's daily rate; positive means paid above the cap."""
    currency = flows[0].amount.currency
    with localcontext(ACCRUAL_CONTEXT):
        daily = ONE + cap / DAYS_PER_YEAR_FOR_APR
        value = ZERO
        for flow in flows:
            value += flow.amount.amount * daily ** (as_of - flow.on).days
    return HALF_UP.money(max(-value, ZERO), currency)


def check_cost(
    flows: Sequence[CashFlow], cap: Decimal, cap_source: str, as_of: date, solver: RootFinder
) -> CostCheck:
    has_outflow = any(f.amount.amount < ZERO for f in flows)
    rate = solver.daily_irr(dated_flows(flows)) if has_outflow else None
    annual = None if rate is None else (rate * DAYS_PER_YEAR_FOR_APR).quantize(Decimal("0.0001"))
    excess = amount_above_cap(flows, cap, as_of)
    above = excess.amount > ZERO or (annual is not None and annual > cap)
    return CostCheck(annual, cap, cap_source, above, excess)
