"""What a repayment plan costs the borrower: money plus credit damage, in one number.

A counsellor weighs two things: the money a plan costs (interest, penalty interest, compound
interest, fees) and what it does to the borrower's credit file. Both are put in the plan's
currency so that one plan can be compared with another; the weights are the price, in money,
a counsellor would pay to avoid each kind of damage. They are hyperparameters (set in
`__init__`, read back with `get_params`, as scikit-learn estimators do), and the same
`RecoveryObjective` scores the optimiser's own estimate and every exact simulation.

The terms, per plan:

- `cost`: interest, penalty (compound interest included) and fees the plan's payments meet,
  plus what is owed but unpaid of them at the horizon's end (a plan that leaves arrears is
  charged for them, and one that leaves them unpaid is not cheaper for it). Principal is not
  a cost: every plan repays the same debt.
- `overdue_months`: loan-months whose month-end code is overdue (the profile's `overdue_codes`;
  cn: `1`..`7`, `B`), each at `overdue_month_weight`; those past the profile's `serious_days`
  (cn: more than 90 days, `4`..`7`) or bad debt (`B`) cost `serious_month_weight` more. Default
  300 and 300: a month reported 1-90 days late is worth about a month's penalty on a large
  overdue loan; past 90 days a loan is classed non-performing (不良), which lenders read as a
  default, so the month costs double.
- `crossings`: loans that reach more than 90 days past due within the horizon, at
  `crossing_weight` (default 2000): the day the platform passes the debt to collections or
  court and writes it off is the single worst step.
- `patterns`: loans whose month ends show the profile's overdue pattern (cn: 3 consecutive
  overdue months, or 6 in any 24) in a window ending within the horizon, at `pattern_weight`
  (default 1500): the "连三累六" rule banks use to refuse a mortgage for years.
- `record_months`: per loan, the months from `as_of` until its negative records stop being
  shown (`clean_on`; an overdue not cured by the horizon's end counted as cured then), at
  `record_month_weight` (default 30): a new record is kept five years, so creating one costs
  about 1800, and curing an old one a month sooner saves 30.

`priority` (the client's preference) scales every damage weight: `cost` by 1/4, `credit` by 4.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from creditmend.domain.money import ZERO
from creditmend.domain.recovery.linear import (
    LoanEstimate,
    LoanFigures,
    months_between,
)
from creditmend.domain.recovery.plan_input import Priority
from creditmend.domain.recovery.simulate import LoanOutcome, Outcome
from creditmend.domain.rules.profile import OverduePattern

PRIORITY_SCALE = {
    Priority.BALANCED: Decimal(1),
    Priority.COST: Decimal("0.25"),
    Priority.CREDIT: Decimal(4),
}


@dataclass(frozen=True, slots=True)
class ObjectiveValue:
    """The terms of the objective for one plan and their weighted sum (`total`)."""

    cost: Decimal
    overdue_months: int
    serious_months: int
    crossings: int
    patterns: int
    record_months: Decimal
    damage: Decimal  # the weighted credit terms, in money
    total: Decimal  # cost x cost_weight + damage


def pattern_shown(history: Sequence[bool], months: Sequence[bool], pattern: OverduePattern) -> bool:
    """Whether a window of the pattern's months that ends within `months` shows the pattern;
    `history` is the window - 1 month ends before the first of `months`."""
    flags = list(history) + list(months)
    return any(pattern.shown(flags[: end + 1]) for end in range(len(history), len(flags)))


class RecoveryObjective:
    """The objective a plan is judged by; the optimiser minimises it, the evaluation uses it."""

    def __init__(
        self,
        *,
        cost_weight: Decimal = Decimal(1),
        overdue_month_weight: Decimal = Decimal(300),
        serious_month_weight: Decimal = Decimal(300),
        crossing_weight: Decimal = Decimal(2000),
        pattern_weight: Decimal = Decimal(1500),
        record_month_weight: Decimal = Decimal(30),
        priority: Priority = Priority.BALANCED,
    ) -> None:
        self.cost_weight = cost_weight
        self.overdue_month_weight = overdue_month_weight
        self.serious_month_weight = serious_month_weight
        self.crossing_weight = crossing_weight
        self.pattern_weight = pattern_weight
        self.record_month_weight = record_month_weight
        self.priority = priority

    def get_params(self) -> dict[str, Any]:
        return {
            "cost_weight": self.cost_weight,
            "overdue_month_weight": self.overdue_month_weight,
            "serious_month_weight": self.serious_month_weight,
            "crossing_weight": self.crossing_weight,
            "pattern_weight": self.pattern_weight,
            "record_month_weight": self.record_month_weight,
            "priority": self.priority,
        }

    def set_params(self, **params: Any) -> RecoveryObjective:
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(f"{name}: not a parameter of RecoveryObjective")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"RecoveryObjective({inner})"

    # ---------------------------------------------------------------- weights as used
    @property
    def scale(self) -> Decimal:
        return PRIORITY_SCALE[self.priority]

    def weights(self) -> dict[str, Decimal]:
        """The weights after the priority's scale: what the programme's coefficients are."""
        scale = self.scale
        return {
            "cost": self.cost_weight,
            "overdue_month": self.overdue_month_weight * scale,
            "serious_month": self.serious_month_weight * scale,
            "crossing": self.crossing_weight * scale,
            "pattern": self.pattern_weight * scale,
            "record_month": self.record_month_weight * scale,
        }

    def value(
        self,
        cost: Decimal,
        overdue_months: int,
        serious_months: int,
        crossings: int,
        patterns: int,
        record_months: Decimal,
    ) -> ObjectiveValue:
        w = self.weights()
        damage = (
            w["overdue_month"] * overdue_months
            + w["serious_month"] * serious_months
            + w["crossing"] * crossings
            + w["pattern"] * patterns
            + w["record_month"] * record_months
        )
        total = w["cost"] * cost + damage
        return ObjectiveValue(
            cost, overdue_months, serious_months, crossings, patterns, record_months, damage, total
        )

    # ---------------------------------------------------------------- exact
    def evaluate(self, outcome: Outcome, figures: Sequence[LoanFigures]) -> ObjectiveValue:
        """The objective of an exact simulation. `figures` give each loan's months before the
        horizon (for the pattern) and its retention period."""
        by_id = {f.loan_id: f for f in figures}
        cost = ZERO
        overdue = serious = crossings = patterns = 0
        records = ZERO
        for loan in outcome.loans:
            facts = by_id[loan.loan_id]
            cost += loan_cost(loan)
            flags = [m.overdue for m in loan.months]
            overdue += sum(flags)
            heavy = [m.serious for m in loan.months]
            serious += sum(heavy)
            crossings += any(heavy)
            patterns += pattern_shown(facts.history_overdue, flags, facts.pattern)
            records += _record_months(loan, outcome, facts)
        return self.value(cost, overdue, serious, crossings, patterns, records)

    # ---------------------------------------------------------------- estimated
    def estimated(
        self, estimates: Iterable[LoanEstimate], figures: Sequence[LoanFigures]
    ) -> ObjectiveValue:
        """The objective of the linear model's estimate, term for term as `evaluate`."""
        cost = ZERO
        overdue = serious = crossings = patterns = 0
        records = ZERO
        for estimate, facts in zip(estimates, figures, strict=True):
            if not facts.active:
                records += facts.record_months
                continue
            cost += estimate.cost
            overdue += sum(estimate.overdue)
            serious += sum(estimate.serious)
            crossings += any(estimate.serious)
            patterns += pattern_shown(facts.history_overdue, estimate.overdue, facts.pattern)
            records += record_months_of(facts, estimate.overdue)
        return self.value(cost, overdue, serious, crossings, patterns, records)


def record_months_of(figures: LoanFigures, overdue: Sequence[bool]) -> Decimal:
    """Months until a loan's records stop being shown, by the linear model: the records on
    file, and a record for every month end overdue kept from its cure (the next pay day)."""
    months = figures.record_months
    for k, late in enumerate(overdue):
        if late:
            months = max(months, figures.month_time[k] + figures.retention_months)
    return months


def loan_cost(loan: LoanOutcome) -> Decimal:
    """Interest, penalty and fees paid under the plan plus those owed unpaid at its end."""
    final = loan.final
    unpaid = (
        final.payoff_amount.amount
        + final.credit_balance.amount
        - final.outstanding_principal.amount
    )
    paid = loan.interest_paid.amount + loan.penalty_paid.amount + loan.fees_paid.amount
    return paid + max(unpaid, ZERO)


def _record_months(loan: LoanOutcome, outcome: Outcome, figures: LoanFigures) -> Decimal:
    as_of = outcome.horizon.as_of
    if loan.clean_on is None:  # an overdue not cured by the end: counted as cured then
        return months_between(as_of, outcome.horizon.end) + figures.retention_months
    return months_between(as_of, loan.clean_on)
