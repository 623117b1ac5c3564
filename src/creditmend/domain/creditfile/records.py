"""Public records (untrustworthy information) and blacklist entries, read and checked.

Both come to the bureau from outside the lending relationship, as CSV or JSON Lines with the
field names of `PUBLIC_RECORD_FIELDS` and `BLACKLIST_FIELDS` (one definition, from which an
adapter builds its schema and readers):

- Public records are court information (征信业管理条例 Art. 44: "court judgments/enforcement" is
  negative information): 失信被执行人 dishonest judgment debtor, 被执行人 enforced debtor, and
  限制高消费 consumption restriction. The 失信 list is published by the Supreme People's Court
  (最高人民法院关于公布失信被执行人名单信息的若干规定, 法释〔2017〕7号); a record ends when the
  debtor performs or the listing is revoked, and from that day the 5-year retention of Art. 16
  runs (see `retention`).
- Blacklist entries are a market bureau's or a consortium's special lists (fraud, severe
  overdue, lost contact; Bairong's `SpecialList_c` is the de-facto public shape). They carry
  their own expiry; without one the profile's default applies.

As in `furnishing`, reading never raises: a bad value is a `Problem` naming the field and line,
and every problem of a record is reported at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, TypeVar

from creditmend.domain.creditfile.furnishing import IdType, as_choice, as_day, as_text
from creditmend.domain.money import ZERO, decimal_of, minor_unit
from creditmend.domain.problems import Problem

E = TypeVar("E", bound=Enum)
T = TypeVar("T")


class PublicRecordKind(StrEnum):
    DISHONEST_JUDGMENT_DEBTOR = "dishonest_judgment_debtor"  # 失信被执行人
    ENFORCED_DEBTOR = "enforced_debtor"  # 被执行人
    CONSUMPTION_RESTRICTION = "consumption_restriction"  # 限制高消费


class PublicRecordStatus(StrEnum):
    ACTIVE = "active"
    PERFORMED = "performed"  # the debtor performed the judgment: the bad behaviour ended
    REVOKED = "revoked"  # the court withdrew the listing (error, settlement, bankruptcy...)


class BlacklistCategory(StrEnum):
    FRAUD = "fraud"
    SEVERE_OVERDUE = "severe_overdue"
    LOST_CONTACT = "lost_contact"
    IDENTITY_THEFT = "identity_theft"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of an import format: enough for an adapter to build a JSON Schema or a CSV
    header. `type` is `string`, `date` (YYYY-MM-DD) or `decimal` (a decimal string)."""

    name: str
    type: str
    required: bool
    enum: tuple[str, ...] = ()
    description: str = ""


def _values(kind: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in kind)


_ID_FIELDS = (
    FieldSpec("id_type", "string", True, _values(IdType)),
    FieldSpec("id_number", "string", True, description="checksum-validated for cn_ric"),
    FieldSpec("name", "string", True),
)
PUBLIC_RECORD_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("kind", "string", True, _values(PublicRecordKind)),
    *_ID_FIELDS,
    FieldSpec("court", "string", True, description="the court that filed or enforces the case"),
    FieldSpec("case_number", "string", True, description="e.g. (2023)京0105执1234号"),
    FieldSpec("filed_on", "date", True, description="the day the case was filed (立案)"),
    FieldSpec("published_on", "date", False, description="the day the listing was published"),
    FieldSpec("amount", "decimal", False, description="CNY owed under the judgment"),
    FieldSpec("status", "string", True, _values(PublicRecordStatus)),
    FieldSpec("ended_on", "date", False, description="required unless status is active"),
    FieldSpec("source", "string", True, description="where the record came from"),
)
INQUIRY_FIELDS: tuple[FieldSpec, ...] = (
    *_ID_FIELDS,
    FieldSpec("furnisher_id", "string", False, description="who asked; empty for self-inquiry"),
    FieldSpec("inquired_on", "date", True, description="the day of the inquiry"),
    FieldSpec("purpose", "string", True, description="one of the profile's inquiry purposes"),
    FieldSpec("hard", "boolean", False, description="ignored: the profile decides by purpose"),
    FieldSpec("consent_ref", "string", False, description="required unless self_inquiry"),
)
BLACKLIST_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("source", "string", True, description="the list's owner"),
    FieldSpec("category", "string", True, _values(BlacklistCategory)),
    *_ID_FIELDS,
    FieldSpec("listed_on", "date", True),
    FieldSpec("expires_on", "date", False, description="empty: the profile's default applies"),
    FieldSpec("reason", "string", True),
)


def json_schema(fields: Iterable[FieldSpec], title: str) -> dict[str, object]:
    """A JSON Schema (draft 2020-12) for one record of the format; nulls stand for empty."""
    formats: dict[str, dict[str, object]] = {
        # Bounded, as the store's columns are: 128 characters, 15 integer digits. Digits are
        # ASCII (a schema's `\d` also takes "２" and "٢"), and an amount has at most the fen's
        # 2 places, as in CMF v1: "5.000" is refused, not read as 5.00.
        "string": {"type": "string", "minLength": 1, "maxLength": 128},
        "date": {"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        "decimal": {"type": "string", "pattern": r"^-?[0-9]{1,15}(\.[0-9]{1,2})?$"},
        "boolean": {"type": ["boolean", "string"]},
    }
    properties: dict[str, object] = {}
    required: list[str] = []
    for spec in fields:
        shape: dict[str, object] = dict(formats[spec.type])
        if spec.enum:
            shape["enum"] = list(spec.enum)
        if spec.description:
            shape["description"] = spec.description
        if spec.required:
            required.append(spec.name)
        else:
            shape = {"anyOf": [shape, {"type": "null"}]}
        properties[spec.name] = shape
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def normalise_row(row: Mapping[str, str | None]) -> dict[str, object]:
    """The JSON form of one CSV row: cells stripped, an empty cell is null; never raises."""
    return {key: (raw or "").strip() or None for key, raw in row.items()}


@dataclass(frozen=True, slots=True)
class PublicRecord:
    """One court record about a person; the id number and name stay out of `repr`."""

    kind: PublicRecordKind
    id_type: IdType
    id_number: str = field(repr=False)
    name: str = field(repr=False)
    court: str
    case_number: str
    filed_on: date
    published_on: date | None
    amount: Decimal | None
    status: PublicRecordStatus
    ended_on: date | None
    source: str
    line: int


@dataclass(frozen=True, slots=True)
class BlacklistEntry:
    """One hit on a special list; the id number and name stay out of `repr`."""

    source: str
    category: BlacklistCategory
    id_type: IdType
    id_number: str = field(repr=False)
    name: str = field(repr=False)
    listed_on: date
    expires_on: date | None
    reason: str
    line: int


def _amount_in(currency: str) -> Callable[[Any], Decimal]:
    """A reader of an amount in `currency` (the profile's: court records carry none)."""
    unit = minor_unit(currency)

    def amount(value: Any) -> Decimal:
        if not isinstance(value, str):
            raise ValueError(f'{value!r} must be a decimal string such as "12.34"')
        number = decimal_of(value)
        if number != number.quantize(unit):
            raise ValueError(f"{value} has more places than {currency} allows")
        return number

    return amount


class _Reader:
    """Reads one record's fields, collecting every problem with the record's line."""

    def __init__(self, data: Mapping[str, Any], line: int, fields: tuple[FieldSpec, ...]) -> None:
        self.data = data
        self.line = line
        self.problems = [
            Problem(str(name), "is not a field of this format", line)
            for name in sorted(set(data) - {spec.name for spec in fields}, key=str)
        ]

    def read(self, name: str, convert: Callable[[Any], T], required: bool = True) -> T | None:
        value = self.data.get(name)
        if value is None:
            if required:
                self.problems.append(Problem(name, "is required", self.line))
            return None
        try:
            return convert(value)
        except ValueError as error:  # MoneyError is a ValueError
            self.problems.append(Problem(name, str(error).removeprefix("amount: "), self.line))
            return None


def read_public_record(
    data: Mapping[str, Any], line: int, *, currency: str
) -> tuple[PublicRecord | None, tuple[Problem, ...]]:
    """The typed public record (amounts in `currency`), or None and every problem found;
    never raises."""
    reader = _Reader(data, line, PUBLIC_RECORD_FIELDS)
    read = reader.read
    values: dict[str, Any] = {
        "kind": read("kind", as_choice(PublicRecordKind)),
        "id_type": read("id_type", as_choice(IdType)),
        "id_number": read("id_number", as_text),
        "name": read("name", as_text),
        "court": read("court", as_text),
        "case_number": read("case_number", as_text),
        "filed_on": read("filed_on", as_day),
        "published_on": read("published_on", as_day, required=False),
        "amount": read("amount", _amount_in(currency), required=False),
        "status": read("status", as_choice(PublicRecordStatus)),
        "ended_on": read("ended_on", as_day, required=False),
        "source": read("source", as_text),
    }
    if reader.problems:
        return None, tuple(reader.problems)
    return PublicRecord(**values, line=line), ()


@dataclass(frozen=True, slots=True)
class InquiryRecord:
    """A past inquiry from another system's log (or a synthetic population)."""

    id_type: IdType
    id_number: str = field(repr=False)
    name: str = field(repr=False)
    furnisher_id: str | None
    inquired_on: date
    purpose: str
    consent_ref: str | None
    line: int
    hard: bool = False  # set from the profile by purpose, never taken from the file


def read_inquiry(
    data: Mapping[str, Any], line: int
) -> tuple[InquiryRecord | None, tuple[Problem, ...]]:
    """The typed inquiry, or None and every problem found; never raises."""
    reader = _Reader(data, line, INQUIRY_FIELDS)
    read = reader.read
    values: dict[str, Any] = {
        "id_type": read("id_type", as_choice(IdType)),
        "id_number": read("id_number", as_text),
        "name": read("name", as_text),
        "furnisher_id": read("furnisher_id", as_text, required=False),
        "inquired_on": read("inquired_on", as_day),
        "purpose": read("purpose", as_text),
        "consent_ref": read("consent_ref", as_text, required=False),
    }
    if reader.problems:
        return None, tuple(reader.problems)
    return InquiryRecord(**values, line=line), ()


def read_blacklist_entry(
    data: Mapping[str, Any], line: int
) -> tuple[BlacklistEntry | None, tuple[Problem, ...]]:
    """The typed blacklist entry, or None and every problem found; never raises."""
    reader = _Reader(data, line, BLACKLIST_FIELDS)
    read = reader.read
    values: dict[str, Any] = {
        "source": read("source", as_text),
        "category": read("category", as_choice(BlacklistCategory)),
        "id_type": read("id_type", as_choice(IdType)),
        "id_number": read("id_number", as_text),
        "name": read("name", as_text),
        "listed_on": read("listed_on", as_day),
        "expires_on": read("expires_on", as_day, required=False),
        "reason": read("reason", as_text),
    }
    if reader.problems:
        return None, tuple(reader.problems)
    return BlacklistEntry(**values, line=line), ()


@dataclass(frozen=True, slots=True)
class RecordContext:
    """What the rules need beyond the record; `id_is_valid(id_type, id_number)` is the adapter
    over python-stdnum, passed in so that the domain stays stdlib-only (as in `furnishing`)."""

    as_of: date
    id_is_valid: Callable[[str, str], bool]


PublicRecordRule = Callable[[PublicRecord, RecordContext], Iterable[Problem]]
BlacklistRule = Callable[[BlacklistEntry, RecordContext], Iterable[Problem]]


def _id_valid(record: PublicRecord | BlacklistEntry, context: RecordContext) -> Iterable[Problem]:
    """A wrong id number lists the wrong person; the message never repeats the number."""
    if not context.id_is_valid(record.id_type.value, record.id_number):
        yield Problem("id_number", f"is not a valid {record.id_type} number", record.line)


def public_id_valid(record: PublicRecord, context: RecordContext) -> Iterable[Problem]:
    """Court lists name people by resident id; a bad checksum would file it on someone else."""
    return _id_valid(record, context)


def public_dates_past(record: PublicRecord, context: RecordContext) -> Iterable[Problem]:
    """A case cannot be filed, published or ended after the day the bureau is told about it."""
    for name in ("filed_on", "published_on", "ended_on"):
        day = getattr(record, name)
        if day is not None and day > context.as_of:
            yield Problem(name, f"{day} is after the as-of date {context.as_of}", record.line)


def public_dates_ordered(record: PublicRecord, context: RecordContext) -> Iterable[Problem]:
    """A listing is published and ended only once the case exists. Ending on the filing day is
    allowed (a debtor may perform at once); before it is a typo that would start the Art. 16
    retention clock too early."""
    for name in ("published_on", "ended_on"):
        day = getattr(record, name)
        if day is not None and day < record.filed_on:
            message = f"{day} is before filed_on {record.filed_on}"
            yield Problem(name, message, record.line)


def public_status_ended(record: PublicRecord, context: RecordContext) -> Iterable[Problem]:
    """Art. 16's 5 years run from the day the bad behaviour ends, so a performed or revoked
    record must say when; an active record has not ended and must not carry an end date."""
    if record.status is PublicRecordStatus.ACTIVE and record.ended_on is not None:
        yield Problem("ended_on", "must be empty when status is active", record.line)
    if record.status is not PublicRecordStatus.ACTIVE and record.ended_on is None:
        yield Problem("ended_on", f"is required when status is {record.status}", record.line)


def public_amount_not_negative(record: PublicRecord, context: RecordContext) -> Iterable[Problem]:
    """The amount is what the judgment orders paid; a negative one is not a debt."""
    if record.amount is not None and record.amount < ZERO:
        yield Problem("amount", f"{record.amount} must be zero or more", record.line)


def blacklist_id_valid(entry: BlacklistEntry, context: RecordContext) -> Iterable[Problem]:
    """A list hit on a wrong id would refuse credit to a stranger."""
    return _id_valid(entry, context)


def blacklist_listed_past(entry: BlacklistEntry, context: RecordContext) -> Iterable[Problem]:
    """A person cannot be listed after the day the bureau receives the list."""
    if entry.listed_on > context.as_of:
        message = f"{entry.listed_on} is after the as-of date {context.as_of}"
        yield Problem("listed_on", message, entry.line)


def blacklist_expires_after(entry: BlacklistEntry, context: RecordContext) -> Iterable[Problem]:
    """An entry that expires on or before its listing day was never in force (a swapped pair of
    dates, most likely); an expiry already past is fine: retention hides it."""
    if entry.expires_on is not None and entry.expires_on <= entry.listed_on:
        message = f"{entry.expires_on} is not after listed_on {entry.listed_on}"
        yield Problem("expires_on", message, entry.line)


PUBLIC_RECORD_RULES: tuple[PublicRecordRule, ...] = (
    public_id_valid,
    public_dates_past,
    public_dates_ordered,
    public_status_ended,
    public_amount_not_negative,
)
BLACKLIST_RULES: tuple[BlacklistRule, ...] = (
    blacklist_id_valid,
    blacklist_listed_past,
    blacklist_expires_after,
)


def check_public_record(
    record: PublicRecord,
    context: RecordContext,
    rules: Iterable[PublicRecordRule] = PUBLIC_RECORD_RULES,
) -> tuple[Problem, ...]:
    """Every problem every rule finds with one public record (empty when consistent)."""
    return tuple(problem for rule in rules for problem in rule(record, context))


def check_blacklist_entry(
    entry: BlacklistEntry,
    context: RecordContext,
    rules: Iterable[BlacklistRule] = BLACKLIST_RULES,
) -> tuple[Problem, ...]:
    """Every problem every rule finds with one blacklist entry (empty when consistent)."""
    return tuple(problem for rule in rules for problem in rule(entry, context))
