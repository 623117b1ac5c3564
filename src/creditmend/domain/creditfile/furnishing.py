"""CMF v1 furnishing records: one account of one person for one month, read and checked.

The format itself is defined once, by `creditmend/schemas/cmf_v1.schema.json`; an adapter
validates each raw record against it before `read_record` turns it into a typed
`FurnishedRecord`. This module stays stdlib-only, so it re-checks only what it needs to build
the record safely (it never raises for bad values) and then applies the consistency rules the
schema cannot express (dates against each other, amounts against status, the law's notice rule).

CSV files carry the same field names as the JSON form, but every cell is text. Before schema
validation `normalise_csv_row` turns a row into the JSON form:
- surrounding whitespace is stripped from every cell;
- an empty cell becomes null (`None`), so a missing date or amount reads like JSON `null`;
  an empty `currency` cell is left out so that the schema default (CNY) applies;
- `term_months` and `days_past_due` become `int` when the cell is a whole number of at most
  20 digits; any other text (a number of thousands of digits too) is kept as text so that the
  schema reports it, naming the field, with the value the lender sent;
- `remarks` is split on `;` or `|` into a list of codes (an empty cell is the empty list);
- decimal amounts stay strings, exactly as written, so no value passes through a float.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum
from functools import lru_cache
from operator import call
from typing import Any, TypeVar

from creditmend.domain.calendar import month_end, parse_date, parse_month
from creditmend.domain.money import ZERO, MoneyError, decimal_of, minor_unit
from creditmend.domain.problems import Problem
from creditmend.domain.text import NAME_MAX_CHARS, why_refused

E = TypeVar("E", bound=Enum)
T = TypeVar("T")


class IdType(StrEnum):
    CN_RIC = "cn_ric"
    PASSPORT = "passport"
    US_SSN = "us_ssn"


class AccountType(StrEnum):
    ONLINE_CONSUMER_LOAN = "online_consumer_loan"
    MICROLOAN = "microloan"
    CONSUMER_FINANCE = "consumer_finance"
    CREDIT_CARD = "credit_card"
    MORTGAGE = "mortgage"
    AUTO_LOAN = "auto_loan"
    OTHER = "other"


class AccountStatus(StrEnum):
    OPEN = "open"
    SETTLED = "settled"
    CHARGED_OFF = "charged_off"
    TRANSFERRED = "transferred"
    CLOSED = "closed"
    RESTRUCTURED = "restructured"


# Statuses that end the account: it has an end date and, paid or not, leaves the furnisher.
ENDED = frozenset({AccountStatus.SETTLED, AccountStatus.CLOSED, AccountStatus.CHARGED_OFF,
                   AccountStatus.TRANSFERRED})  # fmt: skip
PAID_OFF = frozenset({AccountStatus.SETTLED, AccountStatus.CLOSED})

GUARANTOR_PAID = "guarantor_paid"
ASSET_REPAID = "asset_repaid"

AMOUNT_FIELDS = ("scheduled_amount", "paid_amount", "balance", "past_due_amount")
DATE_FIELDS = ("closed_on", "last_payment_on", "first_delinquency_on", "negative_notice_on")
# Every CMF v1 field, in the order of DESIGN.md's table (the schema is the definition; a test
# keeps the two equal).
FIELDS = (
    "furnisher_id", "account_id", "period", "id_type", "id_number", "name", "account_type",
    "currency", "opened_on", "principal", "credit_limit", "term_months", *AMOUNT_FIELDS,
    "days_past_due", "status", *DATE_FIELDS, "remarks",
)  # fmt: skip

_INTEGER_FIELDS = frozenset({"term_months", "days_past_due"})
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_REMARK_SEPARATOR = re.compile(r"[;|]")


def normalise_csv_row(row: Mapping[str, str | None]) -> dict[str, object]:
    """The JSON form of one CSV row (rules in the module docstring); never raises."""
    record: dict[str, object] = {}
    for key, raw in row.items():
        text = (raw or "").strip()
        if key == "remarks":
            record[key] = [code.strip() for code in _REMARK_SEPARATOR.split(text) if code.strip()]
        elif key == "currency" and not text:
            continue
        elif not text:
            record[key] = None
        elif key in _INTEGER_FIELDS and len(text) <= 20 and _WHOLE_NUMBER.fullmatch(text):
            record[key] = int(text)
        else:
            record[key] = text
    return record


@dataclass(frozen=True, slots=True)
class FurnishedRecord:
    """One furnished month of one account, typed; `line` is where it stands in the file.

    Identity number and name are left out of `repr` so that a logged record never shows them.
    """

    furnisher_id: str
    account_id: str
    period: date  # first day of the month reported
    id_type: IdType
    id_number: str = field(repr=False)
    name: str = field(repr=False)
    account_type: AccountType
    currency: str
    opened_on: date
    principal: Decimal | None
    credit_limit: Decimal | None
    term_months: int | None
    scheduled_amount: Decimal
    paid_amount: Decimal
    balance: Decimal
    past_due_amount: Decimal
    days_past_due: int
    status: AccountStatus
    closed_on: date | None
    last_payment_on: date | None
    first_delinquency_on: date | None
    negative_notice_on: date | None
    remarks: tuple[str, ...]
    line: int

    @property
    def key(self) -> tuple[str, str, date]:
        """What makes a re-submission idempotent: a later record with this key corrects it."""
        return (self.furnisher_id, self.account_id, self.period)

    @property
    def period_end(self) -> date:
        """The day the amounts and days past due are reported at."""
        end = _MONTH_ENDS.get(self.period)
        if end is None:
            end = _MONTH_ENDS[self.period] = month_end(self.period)
        return end


_MONTH_ENDS: dict[date, date] = {}  # one entry per month met: a few hundred in practice


def as_text(value: Any) -> str:
    """A name or a reference from outside: one line of plain text (`domain/text.py`)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be non-empty text")
    refused = why_refused(value, NAME_MAX_CHARS)
    if refused is not None:
        raise ValueError(refused)
    return value


@lru_cache(maxsize=32)
def as_choice(kind: type[E]) -> Callable[[Any], E]:
    def convert(value: Any) -> E:
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(str(member.value) for member in kind)
            raise ValueError(f"unknown value {value!r}; expected one of {known}") from None

    return convert


def as_day(value: Any) -> date:
    return parse_date(value if isinstance(value, str) else repr(value))


@lru_cache(maxsize=16)
def _amount(currency: str) -> Callable[[Any], Decimal]:
    def convert(value: Any) -> Decimal:
        if not isinstance(value, str):
            raise ValueError(f'{value!r} must be a decimal string such as "12.34"')
        number = decimal_of(value)
        if number != number.quantize(minor_unit(currency)):
            raise ValueError(f"{value} has more places than {currency} allows")
        return number

    return convert


@lru_cache(maxsize=4)
def _integer(minimum: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"{value!r} must be a whole number, at least {minimum}")
        return value

    return convert


def _period(value: Any) -> date:
    """The month reported, 1900..2199 as every date of the file: a period of year 1 would put
    the record before its own opening day (and name opened_on, not the period)."""
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a month (YYYY-MM)")
    return parse_month(value)


def _remarks(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(code, str) for code in value):
        raise ValueError("must be a list of codes")
    return tuple(value)


class _Reader:
    """Reads one record's fields, collecting every problem with the record's line."""

    def __init__(self, data: Mapping[str, Any], line: int) -> None:
        self.data = data
        self.line = line
        self.problems: list[Problem] = []

    def problem(self, name: str, message: str) -> None:
        self.problems.append(Problem(name, message, self.line))

    def read(self, name: str, convert: Callable[[Any], T], required: bool = True) -> T | None:
        """The converted value, or None (a problem when required or when it does not convert)."""
        value = self.data.get(name)
        if value is None:
            if required:
                self.problem(name, "is required")
            return None
        try:
            return convert(value)
        except ValueError as error:  # MoneyError is a ValueError
            self.problem(name, str(error).removeprefix("amount: "))
            return None


Field = tuple[str, Callable[[Any], Any], bool]  # name, converter, required


@lru_cache(maxsize=16)
def _fields_for(currency: str) -> tuple[tuple[Field, ...], tuple[Field, ...]]:
    """How every field but `currency` is read, in `FurnishedRecord` order: the fields before
    `currency` and those after it. The one definition both reading paths use."""
    amount = _amount(currency)
    return (
        (
            ("furnisher_id", as_text, True),
            ("account_id", as_text, True),
            ("period", _period, True),
            ("id_type", as_choice(IdType), True),
            ("id_number", as_text, True),
            ("name", as_text, True),
            ("account_type", as_choice(AccountType), True),
        ),
        (
            ("opened_on", as_day, True),
            ("principal", amount, False),
            ("credit_limit", amount, False),
            ("term_months", _integer(1), False),
            *((name, amount, True) for name in AMOUNT_FIELDS),
            ("days_past_due", _integer(0), True),
            ("status", as_choice(AccountStatus), True),
            *((name, as_day, False) for name in DATE_FIELDS),
            ("remarks", _remarks, False),
        ),
    )


def _or_none(convert: Callable[[Any], T]) -> Callable[[Any], T | None]:
    return lambda value: None if value is None else convert(value)


def _or_empty(convert: Callable[[Any], tuple[str, ...]]) -> Callable[[Any], tuple[str, ...]]:
    return lambda value: () if value is None else convert(value)


# Converters whose results are worth remembering by value (a file repeats its months, dates,
# codes and many amounts), with how many values each keeps.
_REMEMBERED = {"period": 1024, "opened_on": 4096, **dict.fromkeys(DATE_FIELDS, 4096)}


@lru_cache(maxsize=16)
def _clean_fields_for(
    currency: str,
) -> tuple[tuple[str, ...], tuple[Callable[[Any], Any], ...]]:
    """`_fields_for(currency)` as the names and the converters for a record without problems:
    an optional field's converter passes None through, a required one raises ValueError for
    None like for any bad value; converters remember their results by value (a list, which
    they cannot remember, raises TypeError). Remembering by value alone is safe: a converter
    succeeds only for text or a whole number, which `lru_cache` keys by themselves, while any
    other value (True, 1.0) is keyed apart and fails every time. ValueError for a currency
    `read_record` refuses."""
    minor_unit(currency)
    amount = _amount(currency)
    choices = {as_choice(kind) for kind in (IdType, AccountType, AccountStatus)}
    fields: list[tuple[str, Callable[[Any], Any]]] = []
    before, after = _fields_for(currency)
    for name, convert, required in (*before, *after):
        if name == "remarks":
            fields.append((name, _or_empty(convert)))
            continue
        read = convert if required else _or_none(convert)
        size = _REMEMBERED.get(name) or (64 if convert in choices else 0)
        if convert is amount:
            size = 1 << 16
        elif convert is not as_text and not size:
            size = 256  # the whole numbers
        fields.append((name, lru_cache(maxsize=size)(read) if size else read))
    return tuple(name for name, _ in fields), tuple(convert for _, convert in fields)


_FIELD_SET = frozenset(FIELDS)


def _read_clean(
    data: Mapping[str, Any], line: int, default_currency: str
) -> FurnishedRecord | None:
    """The record when reading it finds no problem at all, else None (nothing is reported:
    `read_record` then reads it again, field by field, to name every problem)."""
    if not data.keys() <= _FIELD_SET:
        return None
    get = data.get
    if (get("principal") is None) == (get("credit_limit") is None):
        return None
    currency = get("currency") or default_currency
    try:
        names, converters = _clean_fields_for(currency)
        values = list(map(call, converters, map(get, names)))
    except (ValueError, TypeError):  # MoneyError is a ValueError
        return None
    values.insert(7, currency)
    values.append(line)
    return FurnishedRecord(*values)


def read_record(
    data: Mapping[str, Any], line: int, *, default_currency: str
) -> tuple[FurnishedRecord | None, tuple[Problem, ...]]:
    """The typed record from a schema-valid mapping, or None and every problem found.

    The schema has normally refused bad shapes already; this still checks each value it
    converts, so that a record is never half-read and a bad value is a problem, not a crash.
    A record with no problem is read in one pass with the same converters (remembering their
    results by value); any other is read field by field to report every problem.
    """
    record = _read_clean(data, line, default_currency)
    if record is not None:
        return record, ()
    return _read_by_field(data, line, default_currency)


def _read_by_field(
    data: Mapping[str, Any], line: int, default_currency: str
) -> tuple[FurnishedRecord | None, tuple[Problem, ...]]:
    """`read_record` field by field, naming every problem (the definition `_read_clean`
    must agree with)."""
    reader = _Reader(data, line)
    for name in sorted(set(data) - _FIELD_SET, key=str):
        reader.problem(str(name), "is not a CMF v1 field")
    currency = data.get("currency") or default_currency
    try:
        minor_unit(currency if isinstance(currency, str) else "")
    except MoneyError:
        reader.problem(
            "currency", f"{currency!r} is not an ISO 4217 code such as {default_currency}"
        )
        currency = default_currency
    if (data.get("principal") is None) == (data.get("credit_limit") is None):
        reader.problem("principal", "give exactly one of principal and credit_limit")
    before, after = _fields_for(currency)
    values: dict[str, Any] = {
        **{name: reader.read(name, convert, required) for name, convert, required in before},
        "currency": currency,
        **{name: reader.read(name, convert, required) for name, convert, required in after},
    }
    values["remarks"] = values["remarks"] or ()
    if reader.problems:
        return None, tuple(reader.problems)
    return FurnishedRecord(**values, line=line), ()


@dataclass(frozen=True, slots=True)
class FurnishingContext:
    """What the rules need beyond the record; functions come in so the domain stays stdlib-only.

    `id_is_valid(id_type, id_number)` is the identity-number check (the `cn_ric` checksum, an
    adapter over python-stdnum); `known_furnishers` are the registered lender codes. `sender` is
    the furnisher the file comes from when the bureau knows it (an API client's lender): then
    every record must be that furnisher's.
    """

    as_of: date
    known_furnishers: frozenset[str]
    id_is_valid: Callable[[str, str], bool]
    sender: str | None = None
    as_of_month: date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "as_of_month", self.as_of.replace(day=1))


# A rule returns its problems as a tuple (empty when it finds none): a call that returns a
# constant costs far less than a generator, and rules run on every record of every file.
Rule = Callable[[FurnishedRecord, FurnishingContext], Iterable[Problem]]
NONE: tuple[Problem, ...] = ()


def _problem(record: FurnishedRecord, name: str, message: str) -> Problem:
    return Problem(name, message, record.line)


def period_in_past(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """A month cannot be reported before it has begun; a later period is a typo or a wrong clock."""
    if record.period > context.as_of_month:
        return (_problem(record, "period", f"{record.period:%Y-%m} is after the as-of month"),)
    return NONE


def opened_in_time(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """An account has no month to report before it exists."""
    if record.opened_on > record.period_end:
        return (_problem(record, "opened_on", f"{record.opened_on} is after the period's end"),)
    return NONE


def amounts_not_negative(
    record: FurnishedRecord, context: FurnishingContext
) -> tuple[Problem, ...]:
    """Amounts are sizes of money owed or paid; a refund or credit balance is not CMF v1 data.

    The principal must be positive: a loan of nothing is not an account. A credit line may be
    0 (a card whose line was frozen still reports).
    """
    problems = [
        _problem(record, name, f"{getattr(record, name)} must be zero or more")
        for name in AMOUNT_FIELDS
        if getattr(record, name) < ZERO
    ]
    if record.principal is not None and record.principal <= ZERO:
        problems.append(_problem(record, "principal", f"{record.principal} must be positive"))
    if record.credit_limit is not None and record.credit_limit < ZERO:
        message = f"{record.credit_limit} must be zero or more"
        problems.append(_problem(record, "credit_limit", message))
    return tuple(problems)


def past_due_in_balance(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """CMF v1's balance is everything owed (penalty included), so the past-due part fits in it."""
    if record.past_due_amount > record.balance:
        message = f"{record.past_due_amount} is more than the balance {record.balance}"
        return (_problem(record, "past_due_amount", message),)
    return NONE


def paid_off_clear(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """Settled or closed means nothing is owed; a balance left would vanish from the report."""
    if record.status not in PAID_OFF:
        return NONE
    why = f"must be 0 when status is {record.status}"
    problems = []
    if record.balance != ZERO:
        problems.append(_problem(record, "balance", why))
    if record.days_past_due != 0:
        problems.append(_problem(record, "days_past_due", why))
    return tuple(problems)


def past_due_agrees(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """Days past due and the past-due amount describe one fact and agree, whatever the status.

    Days without an amount would report an overdue that nobody can cure; an amount without days
    would hide an overdue from the grid (its code comes from the days).
    """
    days = record.days_past_due
    if days > 0 and record.past_due_amount <= ZERO:
        message = f"must be positive when days_past_due is {days}"
        return (_problem(record, "past_due_amount", message),)
    if days == 0 and record.past_due_amount != ZERO:
        return (_problem(record, "past_due_amount", "must be 0 when days_past_due is 0"),)
    return NONE


def closed_on_status(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """An account that ended (settled, closed, transferred) says when it ended; a live one has no
    end date. Retention (Art. 16) counts from the day the bad behaviour ends, so the date matters;
    it lies between opening and the period's end. A charged-off account may give the charge-off
    date but need not: its debt is still owed, so its bad behaviour has not ended.
    """
    closed_on, status = record.closed_on, record.status
    if closed_on is None and status not in ENDED:
        return NONE
    problems = []
    if status in ENDED and status is not AccountStatus.CHARGED_OFF and closed_on is None:
        problems.append(_problem(record, "closed_on", f"is required when status is {status}"))
    if status not in ENDED and closed_on is not None:
        problems.append(_problem(record, "closed_on", f"must be empty when status is {status}"))
    if closed_on is not None and closed_on < record.opened_on:
        problems.append(_problem(record, "closed_on", f"{closed_on} is before opened_on"))
    if closed_on is not None and closed_on > record.period_end:
        problems.append(_problem(record, "closed_on", f"{closed_on} is after the period's end"))
    return tuple(problems)


def dates_in_life(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """Payments and delinquencies happen while the account exists and by the period's end."""
    problems = []
    for name in ("last_payment_on", "first_delinquency_on"):
        day = getattr(record, name)
        if day is None:
            continue
        if day < record.opened_on:
            problems.append(_problem(record, name, f"{day} is before opened_on {record.opened_on}"))
        if day > record.period_end:
            problems.append(_problem(record, name, f"{day} is after the period's end"))
    return tuple(problems)


def _negative(record: FurnishedRecord) -> bool:
    """Negative information: an overdue at period end, or a charged-off (bad) debt."""
    return record.days_past_due > 0 or record.status is AccountStatus.CHARGED_OFF


def delinquency_dated(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """Negative information names the day the delinquency began: the `us` profile's retention
    runs from it (FCRA), and the advisor's expiry timeline needs it.
    """
    if _negative(record) and record.first_delinquency_on is None:
        return (_problem(record, "first_delinquency_on", "is required for negative information"),)
    return NONE


def notice_given(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """征信业管理条例 Art. 15: the borrower is told before negative information is reported.

    The notice must be dated no later than the end of the period that first carries the
    negative information (the record is furnished after that day).
    """
    if not _negative(record):
        return NONE
    notice = record.negative_notice_on
    if notice is None:
        return (_problem(record, "negative_notice_on", "is required for negative information"),)
    if notice > record.period_end:
        message = f"{notice} is after the period's end"
        return (_problem(record, "negative_notice_on", message),)
    return NONE


def revolving_no_term(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """A credit line has no instalment count, and a card is a credit line, not a fixed loan."""
    problems = []
    if record.credit_limit is not None and record.term_months is not None:
        problems.append(_problem(record, "term_months", "must be empty for a revolving account"))
    if record.account_type is AccountType.CREDIT_CARD and record.credit_limit is None:
        problems.append(_problem(record, "credit_limit", "is required for a credit card"))
    return tuple(problems)


def id_number_valid(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """A wrong identity number files the data on someone else's record, or on nobody's.

    The message never repeats the number: problems are logged and shown to operators.
    """
    if not context.id_is_valid(record.id_type.value, record.id_number):
        return (_problem(record, "id_number", f"is not a valid {record.id_type} number"),)
    return NONE


def furnisher_known(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """Only registered lenders may furnish; an unknown code is a typo or an unauthorised source."""
    if record.furnisher_id not in context.known_furnishers:
        message = f"{record.furnisher_id!r} is not registered"
        return (_problem(record, "furnisher_id", message),)
    return NONE


def furnisher_is_sender(record: FurnishedRecord, context: FurnishingContext) -> tuple[Problem, ...]:
    """A lender furnishes its own accounts only: a file sent by a known lender (an API client)
    carrying another registered lender's record is an impersonation or a mix-up, never data."""
    furnisher = record.furnisher_id
    if (
        context.sender is not None
        and furnisher != context.sender
        and furnisher in context.known_furnishers  # an unknown code is `furnisher_known`'s
    ):
        message = f"{furnisher!r} is another furnisher; this sender furnishes {context.sender!r}"
        return (_problem(record, "furnisher_id", message),)
    return NONE


# The registry: every rule check_record runs, in the order problems are reported.
RULES: tuple[Rule, ...] = (
    furnisher_known,
    furnisher_is_sender,
    id_number_valid,
    period_in_past,
    opened_in_time,
    amounts_not_negative,
    past_due_in_balance,
    paid_off_clear,
    past_due_agrees,
    closed_on_status,
    dates_in_life,
    delinquency_dated,
    notice_given,
    revolving_no_term,
)


def check_record(
    record: FurnishedRecord, context: FurnishingContext, rules: Iterable[Rule] = RULES
) -> tuple[Problem, ...]:
    """Every problem every rule finds with one record (empty when the record is consistent)."""
    problems: tuple[Problem, ...] = NONE
    for rule in rules:
        found = rule(record, context)
        if found:
            problems += tuple(found)
    return problems
