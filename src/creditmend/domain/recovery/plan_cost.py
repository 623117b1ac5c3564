"""What a plan costs and when it ends, in the figures a client compares; and the port that
re-makes a plan when the loans change.

`PlanCost` sums a plan's loans as `simulate.outcome_of` sums them; `LoanCost` is one loan's
share. The score forecast's "what a new loan would do" and the bridging options compare plans
in these figures; `Replan` is how a domain module asks the service's planner for a new plan
without importing the optimiser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.money import ZERO, Money
from creditmend.domain.recovery.best_plan import Intents
from creditmend.domain.recovery.budget import Budget
from creditmend.domain.recovery.json_form import iso
from creditmend.domain.recovery.plan_input import PlanInput
from creditmend.domain.recovery.simulate import LoanOutcome, Outcome, PaymentPlan
from creditmend.domain.rules.profile import JurisdictionProfile


class Replan(Protocol):
    """Re-makes a plan for changed loans (an accepted proposal, a new loan). `seeds` are
    intents the planner must also weigh, by name (a plan it might not find by itself)."""

    def __call__(
        self,
        plan_input: PlanInput,
        budget: Budget,
        profile: JurisdictionProfile,
        calendar: BusinessCalendar,
        *,
        seeds: Mapping[str, Intents] | None = None,
    ) -> PaymentPlan: ...


@dataclass(frozen=True, slots=True)
class PlanCost:
    """What a plan costs and when it ends, in the figures a client compares."""

    total_paid: Money
    charges: Money  # interest + penalty (compound interest included) + fees
    debt_left: Money  # what would still settle every loan at the horizon's end
    overdue_account_months: int
    debt_free_on: date | None
    clean_on: date | None

    def to_json(self) -> dict[str, Any]:
        return {
            "total_paid": str(self.total_paid.amount),
            "charges": str(self.charges.amount),
            "debt_left": str(self.debt_left.amount),
            "overdue_account_months": self.overdue_account_months,
            "debt_free_on": iso(self.debt_free_on),
            "clean_on": iso(self.clean_on),
        }


def plan_cost(outcome: Outcome) -> PlanCost:
    return loans_cost(outcome.loans, outcome.currency)


def loans_cost(loans: Sequence[LoanOutcome], currency: str) -> PlanCost:
    """A plan's cost from its loans' outcomes, summed as `simulate.outcome_of` sums them."""

    def total(pick: Callable[[LoanOutcome], Money]) -> Money:
        return Money(sum((pick(loan).amount for loan in loans), ZERO), currency)

    closed = [loan.closed_on for loan in loans]
    cleans = [loan.clean_on for loan in loans]
    return PlanCost(
        total(lambda loan: loan.total_paid),
        total(lambda loan: loan.interest_paid + loan.penalty_paid + loan.fees_paid),
        total(lambda loan: loan.final.payoff_amount),
        sum(loan.overdue_months for loan in loans),
        None if None in closed else max(day for day in closed if day is not None),
        None if None in cleans else max(day for day in cleans if day is not None),
    )


@dataclass(frozen=True, slots=True)
class LoanCost:
    total_paid: Money
    charges: Money
    payoff_left: Money
    overdue_months: int
    closed_on: date | None
    clean_on: date | None

    @classmethod
    def of(cls, loan: LoanOutcome) -> LoanCost:
        return cls(
            loan.total_paid,
            loan.interest_paid + loan.penalty_paid + loan.fees_paid,
            loan.final.payoff_amount,
            loan.overdue_months,
            loan.closed_on,
            loan.clean_on,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "total_paid": str(self.total_paid.amount),
            "charges": str(self.charges.amount),
            "payoff_left": str(self.payoff_left.amount),
            "overdue_months": self.overdue_months,
            "closed_on": iso(self.closed_on),
            "clean_on": iso(self.clean_on),
        }
