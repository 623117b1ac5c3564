"""When no plan cures the overdue within the horizon: by how much the budget falls short, and
what an extension or instalment agreement would have to be for the budget to carry the debt.

A plan is *feasible* when, at the horizon's last month end, no loan is reported overdue under
the plan shown (the optimiser's, which prefers curing: every month left overdue costs it). When
it is not, a counsellor says so plainly and shows:

- the shortfall per month: what keeping every loan on its schedule asks by each month (the
  arrears of `as_of` and every instalment falling due since, without any penalty: the least any
  plan must pay to be current) against the money the budget holds by then (the prudent
  cumulative budget of the optimiser); `short` is what is missing by that month;
- the agreement the budget carries: everything owed on `as_of` (the payoff of every open loan)
  re-instalmented at the loans' own average monthly rate (weighted by what each owes), the
  penalty waived; the monthly amount is what the budget frees in a typical month (the median
  month of the horizon), and the months are the fewest at which an equal instalment fits it.
  The extension is the same agreement counted as months beyond the longest remaining term.
  When the typical month does not even cover the interest, no term works, and that is said.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from statistics import median

from creditmend.domain.money import ONE, ZERO
from creditmend.domain.recovery.budget import Budget
from creditmend.domain.recovery.linear import LoanFigures
from creditmend.domain.recovery.optimise import prudent_caps
from creditmend.domain.recovery.simulate import Outcome

MAX_AGREEMENT_MONTHS = 120
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class ShortMonth:
    month: str  # YYYY-MM
    needed: Decimal  # cumulative: arrears of as_of and instalments due by this month
    available: Decimal  # cumulative: the money the budget holds by then
    short: Decimal  # needed - available when positive, else 0


@dataclass(frozen=True, slots=True)
class Agreement:
    """An instalment agreement for everything owed, sized to what the budget carries."""

    debt: Decimal  # everything owed on as_of
    monthly_rate: Decimal  # weighted by what each loan owes
    monthly_amount: Decimal  # what a typical month frees for debts
    months: int | None  # None: no term up to MAX_AGREEMENT_MONTHS fits the monthly amount
    instalment: Decimal | None  # the equal instalment at that term
    extension_months: int | None  # the same, beyond the longest remaining term


@dataclass(frozen=True, slots=True)
class Shortfall:
    feasible: bool
    overdue_at_end: tuple[str, ...]  # loans still overdue at the horizon's last month end
    months: tuple[ShortMonth, ...]
    agreement: Agreement

    @property
    def largest(self) -> Decimal:
        return max((m.short for m in self.months), default=ZERO)

    @property
    def first_short(self) -> str | None:
        return next((m.month for m in self.months if m.short > ZERO), None)


def _instalment(debt: Decimal, rate: Decimal, months: int) -> Decimal:
    if rate == ZERO:
        return debt / months
    growth = (ONE + rate) ** months
    return debt * rate * growth / (growth - ONE)


def agreement_for(figures: Sequence[LoanFigures], budget: Budget) -> Agreement:
    active = [f for f in figures if f.active]
    debt = sum((f.start_payoff for f in active), ZERO)
    rate = sum((f.start_payoff * f.monthly_rate for f in active), ZERO) / debt if debt else ZERO
    monthly = max(Decimal(median(m.available.amount for m in budget.months)), ZERO)
    months: int | None = None
    instalment: Decimal | None = None
    if debt > ZERO and monthly > ZERO and monthly > debt * rate:
        # Fewest months at which the equal instalment fits: start from the zero-rate bound.
        start = int((debt / monthly).to_integral_value(rounding=ROUND_CEILING))
        for term in range(max(start, 1), MAX_AGREEMENT_MONTHS + 1):
            payment = _instalment(debt, rate, term)
            if payment <= monthly:
                months = term
                instalment = payment.quantize(CENT, rounding=ROUND_CEILING)
                break
    elif debt == ZERO:
        months, instalment = 0, ZERO
    longest = max((f.remaining_dues for f in active), default=0)
    extension = None if months is None else max(months - longest, 0)
    return Agreement(
        debt.quantize(CENT, rounding=ROUND_HALF_UP),
        rate,
        monthly.quantize(CENT, rounding=ROUND_HALF_UP),
        months,
        instalment,
        extension,
    )


def shortfall(figures: Sequence[LoanFigures], budget: Budget, outcome: Outcome) -> Shortfall:
    """Whether the plan cures every overdue by the horizon's end, and the figures if not."""
    late = tuple(loan.loan_id for loan in outcome.loans if loan.months[-1].overdue)
    caps = prudent_caps(budget)
    needed = sum((f.start_arrears for f in figures if f.active), ZERO)
    rows: list[ShortMonth] = []
    for k, month in enumerate(budget.months):
        needed += sum((f.fixed_due[k] + f.saved_due[k] for f in figures if f.active), ZERO)
        have = caps[k]
        rows.append(ShortMonth(month.month, needed, have, max(needed - have, ZERO)))
    return Shortfall(not late, late, tuple(rows), agreement_for(figures, budget))
