"""The loan file: a plain mapping (as YAML or JSON gives it) turned into a contract and events.

Field names are fixed (the advisor's plan files and other tools write them). An unknown key is
an error, at every level, with the nearest known key as a suggestion: a typo in an optional key
(`multipler`) would otherwise be ignored and silently change the result. Every problem is
collected with its field and, when the reader knows it, the file line; nothing is half-read.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from creditmend.domain.calendar import HolidayRule, parse_date
from creditmend.domain.i18n import N_, Said, said_of
from creditmend.domain.loan.contract import (
    Contract,
    Fee,
    FeeTiming,
    LateFee,
    PenaltyBasis,
    PenaltyTerms,
    RepaymentMethod,
    validate_contract,
)
from creditmend.domain.loan.events import (
    EVENT_TYPES,
    ChargeOff,
    DeductionFailed,
    DeductionFailure,
    DeductionSucceeded,
    EarlySettlement,
    FeeCharged,
    InstalmentConversion,
    LoanEvent,
    Payment,
    PaymentSource,
    Purchase,
    Restructure,
    RestructureKind,
    WaivedComponent,
    Waiver,
)
from creditmend.domain.loan.revolving_document import read_revolving
from creditmend.domain.money import ZERO, Money, MoneyError, decimal_of, minor_unit
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.rate import Rate
from creditmend.domain.rules.profile import AllocationRule, JurisdictionProfile
from creditmend.domain.text import NAME_MAX_CHARS, text_problems_in, why_refused

E = TypeVar("E", bound=Enum)


class _Reader:
    """Reads typed fields from nested mappings, recording problems instead of raising."""

    def __init__(self, lines: Mapping[str, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        line = self.lines.get(path)
        if line is None:
            parent = path.rsplit(".", 1)[0] if "." in path else path.split("[", maxsplit=1)[0]
            line = self.lines.get(parent)
        self.problems.append(Problem(path, message, line))

    def only(self, data: Mapping[str, Any], path: str, known: Collection[str]) -> None:
        """A problem for every key of `data` outside `known`, at the key's line, suggesting the
        closest known key (or listing them all when none is close)."""
        for key in data:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), list(known), n=1)
            hint = (
                Said(N_("did you mean %(key)s?"), key=close[0])
                if close
                else Said(N_("expected %(keys)s"), keys=", ".join(sorted(known)))
            )
            unknown = Said(N_("unknown key; %(hint)s"), hint=hint)
            self.problem(f"{path}.{key}" if path else str(key), unknown)

    def get(self, data: Mapping[str, Any], path: str, key: str, *, required: bool) -> Any:
        if key not in data or data[key] is None:
            if required:
                self.problem(f"{path}.{key}", Said(N_("is required")))
            return None
        return data[key]

    def text(
        self,
        data: Mapping[str, Any],
        path: str,
        key: str,
        *,
        required: bool = False,
        default: str = "",
    ) -> str:
        value = self.get(data, path, key, required=required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int):  # `true` is no name
            self.problem(f"{path}.{key}", "must be text")
            return default
        refused = why_refused(str(value), NAME_MAX_CHARS)  # names: a loan's, a platform's, a fee's
        if refused is not None:
            self.problem(f"{path}.{key}", refused)
            return default
        return str(value)

    def decimal(
        self,
        data: Mapping[str, Any],
        path: str,
        key: str,
        *,
        required: bool = False,
        positive: bool = False,
    ) -> Decimal | None:
        value = self.get(data, path, key, required=required)
        if value is None:
            return None
        try:
            number = decimal_of(value if not isinstance(value, int) else str(value), key)
        except MoneyError as error:
            self.problem(f"{path}.{key}", str(error).removeprefix(f"{key}: "))
            return None
        if number < ZERO or (positive and number == ZERO):
            self.problem(
                f"{path}.{key}", f"{value} must be {'positive' if positive else 'zero or more'}"
            )
            return None
        return number

    def money(
        self,
        data: Mapping[str, Any],
        path: str,
        key: str,
        currency: str,
        *,
        required: bool = False,
        positive: bool = False,
    ) -> Money | None:
        number = self.decimal(data, path, key, required=required, positive=positive)
        if number is None:
            return None
        try:
            return Money.of(number, currency, key)
        except MoneyError as error:
            self.problem(f"{path}.{key}", str(error).removeprefix(f"{key}: "))
            return None

    def integer(
        self,
        data: Mapping[str, Any],
        path: str,
        key: str,
        *,
        required: bool = False,
        default: int | None = None,
    ) -> int | None:
        value = self.get(data, path, key, required=required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f"{path}.{key}", f"{value!r} is not a whole number")
            return default
        return value

    def flag(self, data: Mapping[str, Any], path: str, key: str) -> bool:
        value = self.get(data, path, key, required=False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(f"{path}.{key}", f"{value!r} is not true or false")
            return False
        return value

    def day(
        self, data: Mapping[str, Any], path: str, key: str, *, required: bool = False
    ) -> date | None:
        value = self.get(data, path, key, required=required)
        if value is None:
            return None
        try:
            return parse_date(value.isoformat() if type(value) is date else str(value))
        except ValueError as error:
            self.problem(f"{path}.{key}", said_of(error))
            return None

    def choice(
        self,
        data: Mapping[str, Any],
        path: str,
        key: str,
        kind: type[E],
        *,
        required: bool = False,
        default: E | None = None,
    ) -> E | None:
        value = self.get(data, path, key, required=required)
        if value is None:
            return default
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(str(m.value) for m in kind)
            self.problem(f"{path}.{key}", f"unknown value {value!r}; expected one of {known}")
            return None

    def mapping(self, data: Mapping[str, Any], path: str, key: str) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.problem(f"{path}.{key}", "must be a mapping")
            return {}
        return value


def read_loan(
    document: Any, profile: JurisdictionProfile, lines: Mapping[str, int] | None = None
) -> tuple[Contract, tuple[LoanEvent, ...]]:
    """Contract and events from a loan document, or `ProblemsError` naming every bad field."""
    reader = _Reader(lines or {})
    if not isinstance(document, Mapping) or not isinstance(document.get("contract"), Mapping):
        raise ProblemsError((Problem("contract", "the file needs a `contract:` mapping", 1),))
    refused = text_problems_in(document)
    if refused:  # the text door first: nothing below reads a control character or a surrogate
        for problem in refused:
            reader.problem(problem.field, problem.message)
        raise ProblemsError(tuple(reader.problems))
    reader.only(document, "", DOCUMENT_KEYS)
    contract = _contract(reader, document["contract"], profile)
    raw_events = document.get("events") or []
    events: list[LoanEvent] = []
    if not isinstance(raw_events, list):
        reader.problem("events", "must be a list")
    else:
        currency = contract.currency if contract else profile.currency
        for index, raw in enumerate(raw_events):
            event = _event(reader, raw, f"events[{index}]", currency)
            if event is not None:
                events.append(event)
    if contract is not None:
        for problem in validate_contract(contract):
            reader.problem(problem.field, problem.message)
        start = "opened_on" if contract.is_revolving else "disbursed_on"
        for index, event in enumerate(events):
            if event.on < contract.disbursed_on:
                reader.problem(
                    f"events[{index}].on", f"{event.on} is before {start} {contract.disbursed_on}"
                )
            if isinstance(event, Purchase | InstalmentConversion) and not contract.is_revolving:
                reader.problem(f"events[{index}].type", "is only for a `method: revolving` account")
    if reader.problems or contract is None:
        raise ProblemsError(tuple(reader.problems))
    return contract, tuple(events)


DOCUMENT_KEYS = ("contract", "events")
CONTRACT_KEYS = (
    "id",
    "platform",
    "principal",
    "currency",
    "annual_rate",
    "monthly_rate",
    "daily_rate",
    "term_months",
    "method",
    "disbursed_on",
    "first_due_on",
    "due_day",
    "holiday_rule",
    "grace_days",
    "lender_kind",
    "fees",
    "penalty",
    "allocation",
)
PENALTY_KEYS = ("basis", "daily_rate", "multiplier", "compound_interest", "late_fee")
LATE_FEE_KEYS = ("amount", "rate")
FEE_KEYS = ("name", "timing", "amount", "rate")
# Each event type's own keys besides `on` and `type`.
EVENT_KEYS: dict[str, tuple[str, ...]] = {
    "payment": ("amount", "source", "channel"),
    "deduction_succeeded": ("amount",),
    "deduction_failed": ("reason", "bank_balance"),
    "fee_charge": ("amount", "name"),
    "waiver": ("component", "amount"),
    "restructure": ("kind", "months", "waive_interest", "waive_penalty"),
    "early_settlement": ("amount",),
    "charge_off": (),
    "purchase": ("amount",),
    "instalment_conversion": ("months", "fee_rate", "amount"),
    "fee": ("amount", "name"),
}


def _contract(
    reader: _Reader, data: Mapping[str, Any], profile: JurisdictionProfile
) -> Contract | None:
    path = "contract"
    if data.get("method") == RepaymentMethod.REVOLVING.value:
        return read_revolving(reader, data, profile, _penalty)
    reader.only(data, path, CONTRACT_KEYS)
    currency = reader.text(data, path, "currency", default=profile.currency)
    try:
        minor_unit(currency)
    except MoneyError:
        such = profile.currency
        reader.problem(f"{path}.currency", f"{currency!r} is not an ISO 4217 code such as {such}")
        currency = profile.currency
    principal = reader.money(data, path, "principal", currency, required=True, positive=True)
    rate = _rate(reader, data, path)
    term = reader.integer(data, path, "term_months", required=True)
    method = reader.choice(data, path, "method", RepaymentMethod, required=True)
    disbursed_on = reader.day(data, path, "disbursed_on", required=True)
    loan_id = reader.text(data, path, "id", required=True)
    penalty = _penalty(reader, reader.mapping(data, path, "penalty"), currency)
    fees = _fees(reader, data.get("fees") or [], currency)
    allocation = _allocation(reader, data.get("allocation"))
    first_due_on = reader.day(data, path, "first_due_on")
    due_day = reader.integer(data, path, "due_day")
    holiday_rule = reader.choice(
        data, path, "holiday_rule", HolidayRule, default=HolidayRule.UNADJUSTED
    )
    grace = reader.integer(data, path, "grace_days", default=0)
    if None in (principal, rate, term, method, disbursed_on, penalty, holiday_rule, grace):
        return None
    assert principal is not None and rate is not None and term is not None
    assert method is not None and disbursed_on is not None and penalty is not None
    assert holiday_rule is not None and grace is not None
    return Contract(
        id=loan_id,
        platform=reader.text(data, path, "platform"),
        principal=principal,
        rate=rate,
        term_months=term,
        method=method,
        disbursed_on=disbursed_on,
        first_due_on=first_due_on,
        due_day=due_day,
        holiday_rule=holiday_rule,
        grace_days=grace,
        fees=fees,
        penalty=penalty,
        allocation=allocation,
        lender_kind=reader.text(data, path, "lender_kind", default="licensed"),
    )


RATE_KEYS: dict[str, Callable[[Decimal], Rate]] = {
    "annual_rate": Rate.annual,
    "monthly_rate": Rate.monthly,
    "daily_rate": Rate.daily,
}


def _rate(reader: _Reader, data: Mapping[str, Any], path: str) -> Rate | None:
    given = [key for key in RATE_KEYS if data.get(key) is not None]
    if len(given) != 1:
        reader.problem(
            f"{path}.annual_rate", "give exactly one of annual_rate, monthly_rate, daily_rate"
        )
        return None
    value = reader.decimal(data, path, given[0])
    return None if value is None else RATE_KEYS[given[0]](value)


def _penalty(reader: _Reader, data: Mapping[str, Any], currency: str) -> PenaltyTerms | None:
    path = "contract.penalty"
    reader.only(data, path, PENALTY_KEYS)
    basis = reader.choice(data, path, "basis", PenaltyBasis, default=PenaltyBasis.OVERDUE_PRINCIPAL)
    daily = reader.decimal(data, path, "daily_rate")
    multiplier = reader.decimal(data, path, "multiplier")
    late_data = reader.mapping(data, path, "late_fee")
    late = None
    if "late_fee" in data:
        reader.only(late_data, f"{path}.late_fee", LATE_FEE_KEYS)
        late = LateFee(
            reader.money(late_data, f"{path}.late_fee", "amount", currency),
            reader.decimal(late_data, f"{path}.late_fee", "rate"),
        )
    if basis is None:
        return None
    return PenaltyTerms(
        basis, multiplier, daily, reader.flag(data, path, "compound_interest"), late
    )


def _fees(reader: _Reader, raw: Any, currency: str) -> tuple[Fee, ...]:
    if not isinstance(raw, list):
        reader.problem("contract.fees", "must be a list")
        return ()
    fees: list[Fee] = []
    for index, item in enumerate(raw):
        path = f"contract.fees[{index}]"
        if not isinstance(item, Mapping):
            reader.problem(path, "must be a mapping")
            continue
        reader.only(item, path, FEE_KEYS)
        timing = reader.choice(item, path, "timing", FeeTiming, required=True)
        amount = reader.money(item, path, "amount", currency)
        rate = reader.decimal(item, path, "rate")
        if timing is not None:
            fees.append(Fee(reader.text(item, path, "name", default="fee"), timing, amount, rate))
    return tuple(fees)


def _allocation(reader: _Reader, raw: Any) -> tuple[AllocationRule, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        reader.problem("contract.allocation", "must be a list such as [past_due.fee, ...]")
        return None
    rules: list[AllocationRule] = []
    for index, text in enumerate(raw):
        try:
            rules.append(AllocationRule.parse(str(text)))
        except ValueError:
            reader.problem(
                f"contract.allocation[{index}]",
                f"{text!r} is not <past_due|due|in_advance>.<fee|penalty|interest|principal>",
            )
    return tuple(rules)


def _event(reader: _Reader, raw: Any, path: str, currency: str) -> LoanEvent | None:
    if not isinstance(raw, Mapping):
        reader.problem(path, "must be a mapping with `on` and `type`")
        return None
    on = reader.day(raw, path, "on", required=True)
    kind = reader.text(raw, path, "type", required=True)
    if kind in EVENT_KEYS:
        reader.only(raw, path, ("on", "type", *EVENT_KEYS[kind]))
    if on is None or not kind:
        return None

    def amount(required: bool = True) -> Decimal | None:
        value = reader.money(raw, path, "amount", currency, required=required, positive=True)
        return None if value is None else value.amount

    if kind == "payment":
        value = amount()
        source = reader.choice(raw, path, "source", PaymentSource, default=PaymentSource.BORROWER)
        if value is None or source is None:
            return None
        return Payment(on, value, source, reader.text(raw, path, "channel", default="manual"))
    if kind == "deduction_succeeded":
        value = amount()
        return None if value is None else DeductionSucceeded(on, value)
    if kind == "deduction_failed":
        reason = reader.choice(raw, path, "reason", DeductionFailure, required=True)
        balance = reader.money(raw, path, "bank_balance", currency)
        if reason is None:
            return None
        return DeductionFailed(on, reason, None if balance is None else balance.amount)
    if kind == "purchase":
        value = amount()
        return None if value is None else Purchase(on, value)
    if kind == "instalment_conversion":
        months = reader.integer(raw, path, "months", required=True)
        if months is not None and not 1 <= months <= 60:
            reader.problem(f"{path}.months", "must be between 1 and 60")
            return None
        fee_rate = reader.decimal(raw, path, "fee_rate")
        if fee_rate is not None and fee_rate > Decimal("0.1"):
            reader.problem(f"{path}.fee_rate", f"{fee_rate} a period is not a plausible fee rate")
            return None
        value = amount(required=False)
        return None if months is None else InstalmentConversion(on, months, fee_rate, value)
    if kind in ("fee_charge", "fee"):
        value = amount()
        return (
            None
            if value is None
            else FeeCharged(on, value, reader.text(raw, path, "name", default="fee"))
        )
    if kind == "waiver":
        component = reader.choice(
            raw, path, "component", WaivedComponent, default=WaivedComponent.ALL
        )
        value = amount(required=False)
        return None if component is None else Waiver(on, component, value)
    if kind == "restructure":
        restructure = reader.choice(raw, path, "kind", RestructureKind, required=True)
        months = reader.integer(raw, path, "months", required=True)
        if months is not None and not 1 <= months <= 120:
            reader.problem(f"{path}.months", "must be between 1 and 120")
            return None
        if restructure is None or months is None:
            return None
        return Restructure(
            on,
            restructure,
            months,
            reader.flag(raw, path, "waive_interest"),
            reader.flag(raw, path, "waive_penalty"),
        )
    if kind == "early_settlement":
        return EarlySettlement(on, amount(required=False))
    if kind == "charge_off":
        return ChargeOff(on)
    known = ", ".join(EVENT_TYPES)
    reader.problem(f"{path}.type", f"unknown event type {kind!r}; expected one of {known}")
    return None
