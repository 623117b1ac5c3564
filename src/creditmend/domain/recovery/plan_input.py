"""A PLAN file: the borrower's loans, cash flow, one-off sources of cash and preferences.

The shape follows a debt counsellor's first interview: what is owed (each loan exactly as a loan
file, read by the ledger's own reader so the two formats can never drift apart), what comes in
and must go out each month, what can be raised once (an asset sold, a loan from relatives that
must itself be repaid), and what the client insists on (a cash buffer kept aside).

Every problem in the file is collected with its field path and line before anything is refused,
so a file with four mistakes gets four one-line errors in one run. A loan's own problems carry
the loan's place in the file (`loans[2].contract.method`). An unknown key is an error at every
level, as in loan files, with the closest known key as a suggestion: a misspelt optional key
(`keep_bufer`) must not silently change the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from creditmend.domain.calendar import add_months, parse_month
from creditmend.domain.i18n import N_, Said
from creditmend.domain.loan.contract import Contract
from creditmend.domain.loan.document import _Reader as FieldReader
from creditmend.domain.loan.document import read_loan
from creditmend.domain.loan.events import LoanEvent
from creditmend.domain.money import ZERO, Money, MoneyError, minor_unit
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.text import text_problems_in

MAX_HORIZON_MONTHS = 120
PLAN_KEYS = ("currency", "loans", "cash_flow", "one_off", "preferences")
CASH_FLOW_KEYS = (
    "monthly_income",
    "monthly_essential_expenses",
    "cash_on_hand",
    "buffer",
    "months",
    "pay_day",
)
MONTH_KEYS = ("month", "income", "expenses")
PREFERENCE_KEYS = (
    "keep_buffer",
    "horizon_months",
    "priority",
    "target_band",
    "above_cap",
    "family_loan_repay_monthly",
    "good_faith",
    "good_faith_minimum",
)
GOOD_FAITH_KEYS = ("rate", "floor")
DEFAULT_GOOD_FAITH_RATE = Decimal("0.10")
DEFAULT_GOOD_FAITH_FLOOR = Decimal("50.00")
# A loan from relatives the advisor suggests is repaid at this share of it a month (bridging).
FAMILY_LOAN_REPAY_MONTHLY = Decimal("0.10")


class OneOffKind(Enum):
    ASSET_SALE = "asset_sale"
    FAMILY_LOAN = "family_loan"


ONE_OFF_KEYS = {
    OneOffKind.ASSET_SALE: ("on", "type", "amount"),
    OneOffKind.FAMILY_LOAN: ("on", "type", "amount", "repay_monthly", "repay_from"),
}


class Priority(Enum):
    """What the client cares about most when cost and credit damage pull apart."""

    BALANCED = "balanced"
    COST = "cost"  # least money paid
    CREDIT = "credit"  # clean credit soonest


class AboveCapChoice(Enum):
    """What the plan pays on a loan whose all-in cost is above the legal cap (`above_cap.py`)."""

    DISPUTE = "dispute"  # plan it at the cap; the letter disputes the excess
    PAY = "pay"  # plan the contract as written


@dataclass(frozen=True, slots=True)
class PlanLoan:
    """One loan of the plan: the contract and the events so far, and where it sits in the file
    (later errors about the loan, such as an event after the plan's date, name it)."""

    contract: Contract
    events: tuple[LoanEvent, ...]
    field: str  # "loans[2]"
    line: int | None = None

    @property
    def id(self) -> str:
        return self.contract.id


@dataclass(frozen=True, slots=True)
class MonthCash:
    """One month whose income or expenses differ from the usual (a bonus, a school fee)."""

    month: str  # YYYY-MM
    income: Money | None  # None: the usual monthly income
    expenses: Money | None


@dataclass(frozen=True, slots=True)
class CashFlow:
    monthly_income: Money | None  # None only when every month is given in `months`
    monthly_essential_expenses: Money | None
    cash_on_hand: Money
    buffer: Money  # kept aside throughout when preferences.keep_buffer
    months: tuple[MonthCash, ...] = ()
    pay_day: int = 1  # the day of month income arrives (clamped to the month's length)

    def month(self, label: str) -> MonthCash | None:
        return next((m for m in self.months if m.month == label), None)


@dataclass(frozen=True, slots=True)
class AssetSale:
    on: date
    amount: Money


@dataclass(frozen=True, slots=True)
class FamilyLoan:
    """Money from relatives: cash in on `on`, then `repay_monthly` a month from `repay_from`
    until it is repaid (the last repayment is the remainder). Interest-free, as such loans
    usually are; the repayments compete with the platforms for the same budget."""

    on: date
    amount: Money
    repay_monthly: Money
    repay_from: date

    def repayments(self) -> tuple[tuple[date, Decimal], ...]:
        """Each repayment's day (the day of month of `repay_from`, clamped) and amount."""
        left = self.amount.amount
        step = self.repay_monthly.amount
        rows: list[tuple[date, Decimal]] = []
        while left > ZERO:
            part = min(step, left)
            rows.append((add_months(self.repay_from, len(rows)), part))
            left -= part
        return tuple(rows)


OneOff = AssetSale | FamilyLoan


@dataclass(frozen=True, slots=True)
class GoodFaithMinimum:
    """`preferences.good_faith_minimum`: a good-faith payment is min(arrears, max(rate x the
    loan's regular instalment, floor)) (docs/advisor.md "Good faith")."""

    rate: Decimal = DEFAULT_GOOD_FAITH_RATE  # of the loan's regular instalment
    floor: Decimal = DEFAULT_GOOD_FAITH_FLOOR  # at least this, in the plan's currency


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the client asks for; small on purpose, the optimiser reads it."""

    keep_buffer: bool = True
    horizon_months: int | None = None  # None: the caller's default
    priority: Priority = Priority.BALANCED
    target_band: str | None = None  # the score band the client wants back (score forecast)
    above_cap: AboveCapChoice = AboveCapChoice.DISPUTE
    # The share of a suggested family loan repaid a month (bridging money): 0 < share <= 1.
    family_loan_repay_monthly: Decimal = FAMILY_LOAN_REPAY_MONTHLY
    good_faith: bool = True  # every loan overdue gets something in every month that pays
    good_faith_minimum: GoodFaithMinimum = GoodFaithMinimum()


@dataclass(frozen=True, slots=True)
class PlannedConversion:
    """An instalment conversion (账单分期) the plan makes: the revolving account's open
    statement converted on `on` into `months` instalments (fee: the contract's rate a period).
    It is an `instalment_conversion` event of the loan as well (`recovery/conversion.py`), so
    every simulation of the plan folds it like one the borrower wrote."""

    loan_id: str
    on: date
    months: int


@dataclass(frozen=True, slots=True)
class PlanInput:
    currency: str
    loans: tuple[PlanLoan, ...]
    cash_flow: CashFlow
    one_off: tuple[OneOff, ...] = ()
    preferences: Preferences = Preferences()
    conversions: tuple[PlannedConversion, ...] = ()  # made by the plan, not by the borrower

    def loan(self, loan_id: str) -> PlanLoan:
        for loan in self.loans:
            if loan.id == loan_id:
                return loan
        raise KeyError(loan_id)


def read_plan(
    document: Any, profile: JurisdictionProfile, lines: Mapping[str, int] | None = None
) -> PlanInput:
    """The plan in a document (as YAML or JSON gives it), or `ProblemsError` naming every bad
    field with its line. `lines` maps field paths to lines (`adapters.loanfile_yaml`)."""
    lines = lines or {}
    reader = FieldReader(lines)
    if not isinstance(document, Mapping):
        message = "a plan file is a mapping with loans, cash_flow, one_off and preferences"
        raise ProblemsError((Problem("file", message, 1),))
    refused = text_problems_in(document)
    if refused:  # the text door first: nothing below reads a control character or a surrogate
        raise ProblemsError(tuple(replace(p, line=_line_of(p.field, lines)) for p in refused))
    reader.only(document, "", PLAN_KEYS)
    currency = _currency(reader, document, profile)
    loans = _loans(reader, document.get("loans"), profile, lines, currency)
    cash_flow = _cash_flow(reader, document.get("cash_flow"), currency)
    one_off = _one_offs(reader, document.get("one_off"), currency)
    preferences = _preferences(reader, document.get("preferences"), currency)
    if reader.problems or cash_flow is None:
        raise ProblemsError(tuple(reader.problems))
    return PlanInput(currency, loans, cash_flow, one_off, preferences)


def _currency(
    reader: FieldReader, document: Mapping[str, Any], profile: JurisdictionProfile
) -> str:
    currency = document.get("currency")
    if currency is None:
        return profile.currency
    try:
        minor_unit(str(currency))
    except MoneyError:
        reader.problem("currency", f"{currency!r} is not an ISO 4217 code such as CNY")
        return profile.currency
    return str(currency)


def _line_of(field: str, lines: Mapping[str, int]) -> int | None:
    """The line of a field or of the nearest enclosing one (`loans[1].contract.rate` ->
    `loans[1].contract`); a validation names fields the file need not spell out."""
    while field:
        if field in lines:
            return lines[field]
        cut = max(field.rfind("."), field.rfind("["))
        field = field[:cut] if cut > 0 else ""
    return None


def _loans(
    reader: FieldReader,
    raw: Any,
    profile: JurisdictionProfile,
    lines: Mapping[str, int],
    currency: str,
) -> tuple[PlanLoan, ...]:
    if not isinstance(raw, list) or not raw:
        reader.problem(
            "loans", "list at least one loan, each with a loan file's contract and events"
        )
        return ()
    loans: list[PlanLoan] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(raw):
        path = f"loans[{index}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("contract"), Mapping):
            reader.problem(f"{path}.contract", "each loan needs a loan file's `contract:` mapping")
            continue
        prefix = f"{path}."
        own = {key[len(prefix) :]: line for key, line in lines.items() if key.startswith(prefix)}
        try:
            contract, events = read_loan(item, profile, own)
        except ProblemsError as error:
            for problem in error.problems:
                field = f"{path}.{problem.field}"
                line = problem.line if problem.line is not None else _line_of(field, lines)
                reader.problems.append(Problem(field, problem.message, line))
            continue
        if contract.currency != currency:
            reader.problem(
                f"{path}.contract.currency",
                f"{contract.currency} differs from the plan's currency {currency}; "
                "one budget pays every loan",
            )
        if contract.id in seen:
            reader.problem(
                f"{path}.contract.id", f"{contract.id!r} is also {seen[contract.id]}'s id"
            )
        seen.setdefault(contract.id, path)
        loans.append(PlanLoan(contract, events, path, lines.get(path)))
    return tuple(loans)


def _cash_flow(reader: FieldReader, data: Any, currency: str) -> CashFlow | None:
    path = "cash_flow"
    if not isinstance(data, Mapping):
        reader.problem(
            path,
            Said(
                N_(
                    "is required: a mapping with monthly_income, monthly_essential_expenses, "
                    "cash_on_hand and buffer"
                )
            ),
        )
        return None
    reader.only(data, path, CASH_FLOW_KEYS)
    income = reader.money(data, path, "monthly_income", currency)
    expenses = reader.money(data, path, "monthly_essential_expenses", currency)
    cash = reader.money(data, path, "cash_on_hand", currency)
    buffer = reader.money(data, path, "buffer", currency)
    months = _months(reader, data.get("months"), currency)
    pay_day = reader.integer(data, path, "pay_day", default=1)
    if pay_day is None or not 1 <= pay_day <= 31:
        if pay_day is not None:
            reader.problem(f"{path}.pay_day", f"{pay_day} is not a day of month (1..31)")
        pay_day = 1
    for key in ("monthly_income", "monthly_essential_expenses"):
        if data.get(key) is None and not months:
            required = Said(N_("is required (or give every month in cash_flow.months)"))
            reader.problem(f"{path}.{key}", required)
    zero = Money.zero(currency)
    return CashFlow(income, expenses, cash or zero, buffer or zero, months, pay_day)


def _months(reader: FieldReader, raw: Any, currency: str) -> tuple[MonthCash, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        reader.problem("cash_flow.months", "must be a list of {month: YYYY-MM, income, expenses}")
        return ()
    months: list[MonthCash] = []
    for index, item in enumerate(raw):
        path = f"cash_flow.months[{index}]"
        if not isinstance(item, Mapping):
            reader.problem(path, "must be a mapping {month: YYYY-MM, income, expenses}")
            continue
        reader.only(item, path, MONTH_KEYS)
        label = reader.text(item, path, "month", required=True)
        if label:
            try:
                parse_month(label)
            except ValueError as error:
                reader.problem(f"{path}.month", str(error))
                continue
        if any(m.month == label for m in months):
            reader.problem(f"{path}.month", f"{label} is given twice")
            continue
        income = reader.money(item, path, "income", currency)
        expenses = reader.money(item, path, "expenses", currency)
        if label:
            months.append(MonthCash(label, income, expenses))
    return tuple(months)


_TERMS = "a family loan needs its repayment terms (repay_monthly, repay_from)"


def _one_offs(reader: FieldReader, raw: Any, currency: str) -> tuple[OneOff, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        reader.problem("one_off", "must be a list of {on, type, amount, ...}")
        return ()
    found: list[OneOff] = []
    for index, item in enumerate(raw):
        path = f"one_off[{index}]"
        if not isinstance(item, Mapping):
            reader.problem(path, "must be a mapping with on, type and amount")
            continue
        kind = reader.choice(item, path, "type", OneOffKind, required=True)
        if kind is not None:
            reader.only(item, path, ONE_OFF_KEYS[kind])
        on = reader.day(item, path, "on", required=True)
        amount = reader.money(item, path, "amount", currency, required=True, positive=True)
        if kind is OneOffKind.FAMILY_LOAN:
            monthly = reader.money(item, path, "repay_monthly", currency, positive=True)
            repay_from = reader.day(item, path, "repay_from")
            missing = [key for key in ("repay_monthly", "repay_from") if item.get(key) is None]
            if missing:
                where = f"{path}.{missing[0]}" if len(missing) == 1 else path
                reader.problem(where, f"{_TERMS}: {' and '.join(missing)} missing")
            if on is not None and repay_from is not None and repay_from < on:
                reader.problem(f"{path}.repay_from", f"{repay_from} is before the loan's day {on}")
                continue
            if on is not None and amount is not None and monthly is not None and repay_from:
                found.append(FamilyLoan(on, amount, monthly, repay_from))
        elif kind is OneOffKind.ASSET_SALE and on is not None and amount is not None:
            found.append(AssetSale(on, amount))
    return tuple(found)


def _preferences(reader: FieldReader, data: Any, currency: str) -> Preferences:
    path = "preferences"
    if data is None:
        return Preferences()
    if not isinstance(data, Mapping):
        reader.problem(path, "must be a mapping")
        return Preferences()
    reader.only(data, path, PREFERENCE_KEYS)
    keep_buffer = reader.flag(data, path, "keep_buffer") if "keep_buffer" in data else True
    horizon = reader.integer(data, path, "horizon_months")
    if horizon is not None and not 1 <= horizon <= MAX_HORIZON_MONTHS:
        reader.problem(f"{path}.horizon_months", f"must be between 1 and {MAX_HORIZON_MONTHS}")
        horizon = None
    priority = reader.choice(data, path, "priority", Priority, default=Priority.BALANCED)
    band = reader.text(data, path, "target_band") or None
    above_cap = reader.choice(
        data, path, "above_cap", AboveCapChoice, default=AboveCapChoice.DISPUTE
    )
    share = reader.decimal(data, path, "family_loan_repay_monthly", positive=True)
    if share is not None and share > 1:
        reader.problem(
            f"{path}.family_loan_repay_monthly", f"{share} is a share of the loan: 0 < share <= 1"
        )
        share = None
    good_faith = reader.flag(data, path, "good_faith") if "good_faith" in data else True
    rate, floor = _good_faith_minimum(reader, data.get("good_faith_minimum"), currency)
    return Preferences(
        keep_buffer,
        horizon,
        priority or Priority.BALANCED,
        band,
        above_cap=above_cap or AboveCapChoice.DISPUTE,
        family_loan_repay_monthly=FAMILY_LOAN_REPAY_MONTHLY if share is None else share,
        good_faith=good_faith,
        good_faith_minimum=GoodFaithMinimum(rate, floor),
    )


def _good_faith_minimum(reader: FieldReader, data: Any, currency: str) -> tuple[Decimal, Decimal]:
    """`preferences.good_faith_minimum: {rate, floor}`: the share of a loan's regular instalment
    and the least amount (in the plan's currency) a good-faith payment is."""
    path = "preferences.good_faith_minimum"
    rate, floor = DEFAULT_GOOD_FAITH_RATE, DEFAULT_GOOD_FAITH_FLOOR
    if data is None:
        return rate, floor
    if not isinstance(data, Mapping):
        reader.problem(path, "must be a mapping {rate, floor}")
        return rate, floor
    reader.only(data, path, GOOD_FAITH_KEYS)
    given = reader.decimal(data, path, "rate")
    if given is not None and given > Decimal(1):
        reader.problem(f"{path}.rate", f"{given} must be at most 1 (a share of the instalment)")
    elif given is not None:
        rate = given
    money = reader.money(data, path, "floor", currency)
    if money is not None:
        floor = money.amount
    return rate, floor
