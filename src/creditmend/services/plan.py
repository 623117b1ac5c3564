"""What a borrower asks the recovery advisor, as one record every face fills the same way.

The command line, the API and the portal each turn their input into a `PlanRequest` and hand it
to `AdviseService.plan`; the checks of its values (ranges, amounts, the signature) are here, once,
and name the request's fields (`plan.horizon_months`, `new_loan.amount`), never a face's
spelling of them. They are checked before any work: a refused request reads no file and leaves
no inquiry in anyone's credit file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from creditmend.domain.loan.contract import LENDER_KINDS
from creditmend.domain.money import Money, MoneyError
from creditmend.domain.problems import Problem
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.forecast import NewLoanOffer
from creditmend.domain.recovery.plan_input import MAX_HORIZON_MONTHS
from creditmend.domain.text import text_problem

BORROWER_MAX = 100  # characters of the signature: a name, not a document
NEW_LOAN_MAX_MONTHS = 360
UNSIGNED = "__________"  # the letters' signature line when no name is given
CASH_FLOW_KEYS = ("monthly_income", "monthly_essential_expenses", "cash_on_hand")


@dataclass(frozen=True, slots=True)
class NewLoanTerms:
    """A loan the borrower is weighing, as given (text, so that a bad amount is a problem)."""

    amount: str
    annual_rate: str
    term_months: int
    lender_kind: str | None = None  # None: the first of LENDER_KINDS (licensed)

    @property
    def lender(self) -> str:
        return LENDER_KINDS[0] if self.lender_kind is None else self.lender_kind


@dataclass(frozen=True, slots=True)
class Person:
    """Whose credit file at the bureau the plan is made from."""

    id_type: str
    id_number: str


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """A plan from a PLAN file, from a person's credit file, or from both (the file then gives
    the cash flow, one-off sources and preferences and adds its own loans)."""

    as_of: date
    plan_file: Path | None = None
    person: Person | None = None
    horizon_months: int | None = None  # None: the file's, else the default
    cash_flow: Mapping[str, str] = field(default_factory=dict)  # CASH_FLOW_KEYS, as given
    new_loan: NewLoanTerms | None = None
    borrower: str = ""  # the name that signs the letters to the platforms
    bridging: bool = True  # look for bridging money (a few exact re-plans; docs/advisor.md)

    @property
    def signature(self) -> str:
        return self.borrower.strip() or UNSIGNED


def plan_problems(request: PlanRequest, currency: str) -> tuple[Problem, ...]:
    """Everything wrong with the request's own values, all at once (`currency`: the profile's,
    whose places an amount may have)."""
    problems: list[Problem] = []
    if request.plan_file is None and request.person is None:
        problems.append(Problem("plan.source", "give a PLAN file, or --person ID_TYPE ID_NUMBER"))
    horizon = horizon_problem(request.horizon_months)
    if horizon is not None:
        problems.append(horizon)
    for key, text in request.cash_flow.items():
        if key not in CASH_FLOW_KEYS:
            problems.append(Problem(f"plan.{key}", f"one of {', '.join(CASH_FLOW_KEYS)}"))
            continue
        _amount(text, f"plan.{key}", currency, problems)
    if request.cash_flow and request.person is None:
        problems.extend(
            Problem(f"plan.{key}", "cash-flow options go with --person")
            for key in request.cash_flow
        )
    if request.new_loan is not None:
        problems.extend(_new_loan_problems(request.new_loan, currency))
    problems.extend(_borrower_problems(request.borrower))
    return tuple(problems)


def horizon_problem(months: int | None) -> Problem | None:
    """The months a plan may cover: None (the file's, or the default) or 1..the maximum."""
    if months is None or 1 <= months <= MAX_HORIZON_MONTHS:
        return None
    return Problem(
        "plan.horizon_months", f"{str(months)!r}: a whole number 1..{MAX_HORIZON_MONTHS}"
    )


def new_loan_offer(terms: NewLoanTerms, currency: str) -> NewLoanOffer:
    """The offer in the plan's currency (its terms checked by `plan_problems`)."""
    return NewLoanOffer(
        Money.of(terms.amount, currency, "new_loan.amount"),
        Rate.annual(Decimal(terms.annual_rate)),
        terms.term_months,
        lender_kind=terms.lender,
    )


def _amount(text: str, name: str, currency: str, problems: list[Problem]) -> Decimal | None:
    try:
        value = Money.of(text, currency, name).amount
    except MoneyError as error:
        problems.append(error.problem())
        return None
    if value < 0:
        problems.append(Problem(name, f"{text} must be zero or more"))
        return None
    return value


def _new_loan_problems(terms: NewLoanTerms, currency: str) -> list[Problem]:
    problems: list[Problem] = []
    amount = _amount(terms.amount, "new_loan.amount", currency, problems)
    try:
        Rate.annual(Decimal(terms.annual_rate))
    except (ArithmeticError, ValueError):
        problems.append(
            Problem("new_loan.annual_rate", f"{terms.annual_rate!r} is not an annual rate")
        )
        return problems
    if not 1 <= terms.term_months <= NEW_LOAN_MAX_MONTHS:
        problems.append(
            Problem("new_loan.term_months", f"{terms.term_months} must be 1..{NEW_LOAN_MAX_MONTHS}")
        )
    if terms.lender not in LENDER_KINDS:
        problems.append(Problem("new_loan.lender_kind", f"one of {', '.join(LENDER_KINDS)}"))
    if amount == 0:
        problems.append(Problem("new_loan.amount", "must be more than 0"))
    return problems


def _borrower_problems(name: str) -> list[Problem]:
    """The signature is one short line: checked before any work, so no name makes it slow."""
    problem = text_problem("plan.borrower", name.strip(), BORROWER_MAX)
    return [] if problem is None else [problem]
