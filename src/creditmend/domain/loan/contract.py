"""A loan contract: the terms the ledger folds events against.

The contract is a frozen record. `validate_contract` returns problems as values, so a loan file
with three mistakes reports three lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from creditmend.domain.calendar import EARLIEST, HolidayRule
from creditmend.domain.money import ZERO, Money
from creditmend.domain.problems import Problem
from creditmend.domain.rate import Rate, RatePeriod
from creditmend.domain.rules.profile import AllocationOrder, DueState


class RepaymentMethod(Enum):
    EQUAL_INSTALLMENT = "equal_installment"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_FIRST = "interest_first"  # 先息后本
    BULLET = "bullet"  # 一次性还本付息
    REVOLVING = "revolving"  # 循环额度: Huabei, Baitiao, credit cards (domain/loan/revolving.py)


# The methods with a schedule of instalments (every method but `revolving`).
INSTALMENT_METHODS = tuple(m for m in RepaymentMethod if m is not RepaymentMethod.REVOLVING)


class PenaltyBasis(Enum):
    OVERDUE_PRINCIPAL = "overdue_principal"
    OVERDUE_INSTALLMENT = "overdue_installment"


class FeeTiming(Enum):
    UPFRONT = "upfront"  # deducted from the proceeds at disbursement
    EACH_INSTALLMENT = "each_installment"  # due with every instalment


@dataclass(frozen=True, slots=True)
class Fee:
    """A contractual fee: a fixed amount, or a fraction of the principal."""

    name: str
    timing: FeeTiming
    amount: Money | None = None
    rate: Decimal | None = None

    def value(self, principal: Money) -> Decimal:
        if self.amount is not None:
            return self.amount.amount
        assert self.rate is not None
        return principal.amount * self.rate


@dataclass(frozen=True, slots=True)
class LateFee:
    """Charged once per instalment on its first day past grace: flat, or a share of the overdue."""

    amount: Money | None = None
    rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PenaltyTerms:
    """Penalty interest: a multiplier of the contract rate or an explicit daily rate; with
    neither, the profile's usual multiplier applies."""

    basis: PenaltyBasis = PenaltyBasis.OVERDUE_PRINCIPAL
    multiplier: Decimal | None = None
    daily_rate: Decimal | None = None
    compound_interest: bool = False
    late_fee: LateFee | None = None

    def per_day(
        self, contract_rate: Rate, days_in_year: int, default_multiplier: Decimal
    ) -> Decimal:
        if self.daily_rate is not None:
            return self.daily_rate
        multiplier = default_multiplier if self.multiplier is None else self.multiplier
        return contract_rate.per_day(days_in_year) * multiplier


@dataclass(frozen=True, slots=True)
class RevolvingTerms:
    """The terms only a revolving account has (the credit limit is the contract's `principal`,
    the revolving daily rate its `rate`, the due day its `due_day`).

    Every value is explicit here: the loan reader fills what the file leaves out from the
    profile's `RevolvingDefaults`, so the ledger never consults defaults.
    """

    statement_day: int  # 账单日: day of month the statement is cut (clamped to the month's end)
    minimum_rate: Decimal  # minimum payment = this share of the billed principal + all else billed
    conversion_fee_rate: Decimal  # 账单分期 fee per period, on the converted amount
    interest_from_posting: bool = True  # unpaid statement: interest from each purchase's date


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    principal: Money
    rate: Rate
    term_months: int
    method: RepaymentMethod
    disbursed_on: date
    platform: str = ""
    first_due_on: date | None = None
    due_day: int | None = None
    holiday_rule: HolidayRule = HolidayRule.UNADJUSTED
    grace_days: int = 0
    fees: tuple[Fee, ...] = ()
    penalty: PenaltyTerms = PenaltyTerms()
    allocation: AllocationOrder | None = None  # None: the profile's default order
    lender_kind: str = "licensed"  # licensed | private: selects the legal cap
    revolving: RevolvingTerms | None = None  # set exactly when method is REVOLVING

    @property
    def is_revolving(self) -> bool:
        return self.method is RepaymentMethod.REVOLVING

    @property
    def currency(self) -> str:
        return self.principal.currency

    @property
    def quotes_daily_rate(self) -> bool:
        return self.rate.period is RatePeriod.DAILY


LENDER_KINDS = ("licensed", "private")


def validate_contract(contract: Contract) -> tuple[Problem, ...]:
    """Every problem with the terms, as values."""
    problems: list[Problem] = []
    if contract.principal.amount <= ZERO:
        problems.append(Problem("contract.principal", "must be positive"))
    if not 1 <= contract.term_months <= 600:
        problems.append(Problem("contract.term_months", "must be between 1 and 600"))
    # Plausible: at most 1,000 % a year, whatever period the rate is quoted for (0.5 a day is
    # 18,250 % a year; a daily or monthly quote is compared at its yearly size).
    per_year = {RatePeriod.ANNUAL: 1, RatePeriod.MONTHLY: 12, RatePeriod.DAILY: 365}
    if contract.rate.value * per_year[contract.rate.period] > Decimal(10):
        problems.append(Problem("contract.rate", f"{contract.rate} is not a plausible rate"))
    if not 0 <= contract.grace_days <= 365:
        problems.append(Problem("contract.grace_days", "must be between 0 and 365"))
    for name, day in (
        ("disbursed_on", contract.disbursed_on),
        ("first_due_on", contract.first_due_on),
    ):
        if day is not None and not EARLIEST <= day <= date(2099, 12, 31):
            problems.append(Problem(f"contract.{name}", f"{day} is outside 1900..2099"))
    if (
        contract.principal.amount > ZERO
        and sum(
            (
                fee.value(contract.principal)
                for fee in contract.fees
                if fee.timing is FeeTiming.UPFRONT and (fee.amount is None) != (fee.rate is None)
            ),
            ZERO,
        )
        >= contract.principal.amount
    ):
        problems.append(Problem("contract.fees", "upfront fees take the whole principal"))
    if contract.due_day is not None and not 1 <= contract.due_day <= 31:
        problems.append(Problem("contract.due_day", "must be a day of the month, 1..31"))
    if contract.first_due_on is not None and contract.first_due_on <= contract.disbursed_on:
        problems.append(Problem("contract.first_due_on", "must be after disbursed_on"))
    if contract.lender_kind not in LENDER_KINDS:
        problems.append(
            Problem("contract.lender_kind", f"must be one of {', '.join(LENDER_KINDS)}")
        )
    problems.extend(_penalty_problems(contract.penalty))
    if contract.is_revolving:
        problems.extend(_revolving_problems(contract))
    for index, fee in enumerate(contract.fees):
        if (fee.amount is None) == (fee.rate is None):
            problems.append(Problem(f"contract.fees[{index}]", "give exactly one of amount, rate"))
        elif (fee.amount is not None and fee.amount.amount < ZERO) or (
            fee.rate is not None and fee.rate < ZERO
        ):
            problems.append(Problem(f"contract.fees[{index}]", "must not be negative"))
    if contract.allocation is not None:
        problems.extend(_allocation_problems(contract.allocation))
    return tuple(problems)


def _revolving_problems(contract: Contract) -> list[Problem]:
    terms = contract.revolving
    if terms is None:
        return [Problem("contract.method", "a revolving contract needs its revolving terms")]
    problems: list[Problem] = []
    if not 1 <= terms.statement_day <= 31:
        problems.append(Problem("contract.statement_day", "must be a day of the month, 1..31"))
    if contract.due_day is None:
        problems.append(Problem("contract.due_day", "is required"))
    elif contract.due_day == terms.statement_day:
        problems.append(Problem("contract.due_day", "must differ from statement_day"))
    if not ZERO < terms.minimum_rate <= 1:
        problems.append(Problem("contract.minimum_rate", "must be above 0 and at most 1"))
    if not ZERO <= terms.conversion_fee_rate <= Decimal("0.1"):
        problems.append(
            Problem("contract.conversion_fee_rate", "must be between 0 and 0.1 a period")
        )
    return problems


def _penalty_problems(penalty: PenaltyTerms) -> list[Problem]:
    problems: list[Problem] = []
    if penalty.multiplier is not None and penalty.daily_rate is not None:
        problems.append(Problem("contract.penalty", "give one of multiplier, daily_rate"))
    for name, value in (("multiplier", penalty.multiplier), ("daily_rate", penalty.daily_rate)):
        if value is not None and value < ZERO:
            problems.append(Problem(f"contract.penalty.{name}", "must not be negative"))
    if penalty.compound_interest and penalty.basis is PenaltyBasis.OVERDUE_INSTALLMENT:
        problems.append(
            Problem(
                "contract.penalty.compound_interest",
                "cannot be combined with basis overdue_installment "
                "(the overdue interest already bears penalty)",
            )
        )
    late = penalty.late_fee
    if late is not None and (late.amount is None) == (late.rate is None):
        problems.append(Problem("contract.penalty.late_fee", "give exactly one of amount, rate"))
    return problems


def _allocation_problems(order: AllocationOrder) -> list[Problem]:
    problems: list[Problem] = []
    if len(set(order)) != len(order):
        problems.append(Problem("contract.allocation", "lists a step twice"))
    settled = {(rule.due, rule.component) for rule in order}
    for due in (DueState.PAST_DUE, DueState.DUE):
        missing = [
            c
            for c in ("fee", "penalty", "interest", "principal")
            if not any(d is due and k.value == c for d, k in settled)
        ]
        if missing:
            problems.append(
                Problem("contract.allocation", f"{due.value} lacks {', '.join(missing)}")
            )
    return problems
