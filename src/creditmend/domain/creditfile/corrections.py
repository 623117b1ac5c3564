"""A furnisher's corrected values for a disputed record, checked like any furnished data.

A corrected month is the stored month with some fields replaced; it must then pass the same
furnishing rules a monthly file passes (past-due agrees with days past due, dates in the
account's life...), so an objection cannot put into the file what ingestion would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from creditmend.domain.calendar import parse_date
from creditmend.domain.creditfile.evidence import plain_amount
from creditmend.domain.creditfile.furnishing import (
    RULES,
    AccountStatus,
    FurnishedRecord,
    FurnishingContext,
    as_choice,
    check_record,
    furnisher_known,
    id_number_valid,
)
from creditmend.domain.creditfile.objection import Event, Objection, RecordKind, RecordRef
from creditmend.domain.creditfile.records import (
    BLACKLIST_RULES,
    PUBLIC_RECORD_RULES,
    BlacklistEntry,
    PublicRecord,
    PublicRecordStatus,
    RecordContext,
    blacklist_id_valid,
    check_blacklist_entry,
    check_public_record,
    public_id_valid,
)
from creditmend.domain.problems import Problem

MONTH_AMOUNTS = ("scheduled_amount", "paid_amount", "balance", "past_due_amount")
MONTH_DATES = ("closed_on", "last_payment_on", "first_delinquency_on")
MONTH_FIELDS = (*MONTH_AMOUNTS, "days_past_due", "status", *MONTH_DATES)
# The identity and the furnisher were checked when the month was first furnished.
MONTH_RULES = tuple(rule for rule in RULES if rule not in (furnisher_known, id_number_valid))


@dataclass(frozen=True, slots=True)
class Corrections:
    """New values: per month for an account, or for the record itself."""

    months: Mapping[date, Mapping[str, Any]] = field(default_factory=dict)
    record: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        if self.months:
            return {"months": {f"{p:%Y-%m}": _plain(v) for p, v in sorted(self.months.items())}}
        return _plain(self.record)


@dataclass(frozen=True, slots=True)
class Closing:
    """Everything closing an objection writes, in one transaction: the outcome, its events, and
    the changes to the file (corrected months, a record's corrected fields)."""

    objection: Objection
    events: tuple[Event, ...]
    months: Mapping[date, FurnishedRecord] = field(default_factory=dict)
    record_values: Mapping[str, Any] = field(default_factory=dict)
    corrections: Corrections | None = None
    audit: Mapping[str, Any] = field(default_factory=dict)


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON form of corrected values: enums by value, dates ISO, amounts as strings."""
    plain: dict[str, Any] = {}
    for key, value in sorted(values.items()):
        if isinstance(value, AccountStatus | PublicRecordStatus):
            plain[key] = value.value
        elif isinstance(value, date):
            plain[key] = value.isoformat()
        elif isinstance(value, Decimal):
            plain[key] = str(value)
        else:
            plain[key] = value
    return plain


MAX_DAYS_PAST_DUE = 36500  # CMF v1's bound


def _days(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS_PAST_DUE:
        raise ValueError(f"must be a whole number of days, 0..{MAX_DAYS_PAST_DUE}")
    return value


def _day_or_none(value: Any) -> date | None:
    return None if value is None else parse_date(str(value))


_MONTH_READERS: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(MONTH_AMOUNTS, plain_amount),
    "days_past_due": _days,
    "status": as_choice(AccountStatus),
    **dict.fromkeys(MONTH_DATES, _day_or_none),
}
_RECORD_READERS: dict[RecordKind, dict[str, Callable[[Any], Any]]] = {
    RecordKind.PUBLIC_RECORD: {
        "status": as_choice(PublicRecordStatus),
        "ended_on": _day_or_none,
        "amount": lambda v: None if v is None else plain_amount(v),
    },
    RecordKind.BLACKLIST: {"expires_on": _day_or_none},
}


def _read(
    data: Any, readers: Mapping[str, Callable[[Any], Any]], path: str, problems: list[Problem]
) -> dict[str, Any]:
    if not isinstance(data, Mapping) or not data:
        problems.append(Problem(path, f"must be an object with some of {', '.join(readers)}"))
        return {}
    values = {}
    for key, raw in data.items():
        reader = readers.get(key)
        if reader is None:
            problems.append(
                Problem(f"{path}.{key}", f"cannot be corrected here ({', '.join(readers)})")
            )
            continue
        try:
            values[key] = reader(raw)
        except ValueError as error:
            problems.append(Problem(f"{path}.{key}", str(error)))
    return values


def parse_corrections(record: RecordRef, data: Any) -> tuple[Corrections, tuple[Problem, ...]]:
    """One month's fields for `account:F:ID:YYYY-MM`; `{"months": {"YYYY-MM": {...}}}` for
    a whole account; the record's own fields for a public record or blacklist entry."""
    problems: list[Problem] = []
    path = "corrections"
    if record.kind is RecordKind.ACCOUNT_MONTH and record.period is not None:
        values = _read(data, _MONTH_READERS, path, problems)
        return Corrections(months={record.period: values}), tuple(problems)
    if record.kind is RecordKind.ACCOUNT:
        months_raw = data.get("months") if isinstance(data, Mapping) else None
        if not isinstance(months_raw, Mapping) or not months_raw:
            return Corrections(), (
                Problem(f"{path}.months", "must map YYYY-MM to corrected fields"),
            )
        months: dict[date, dict[str, Any]] = {}
        for period_text, fields in months_raw.items():
            try:
                period = parse_date(f"{period_text}-01")
            except ValueError:
                problems.append(Problem(f"{path}.months.{period_text}", "is not a month (YYYY-MM)"))
                continue
            months[period] = _read(fields, _MONTH_READERS, f"{path}.months.{period_text}", problems)
        return Corrections(months=months), tuple(problems)
    readers = _RECORD_READERS.get(record.kind)
    if readers is None:
        return Corrections(), (Problem(path, f"a {record.kind.value} has no values to correct"),)
    return Corrections(record=_read(data, readers, path, problems)), tuple(problems)


def corrected_month(
    stored: FurnishedRecord, values: Mapping[str, Any], as_of: date
) -> tuple[FurnishedRecord, tuple[Problem, ...]]:
    """The stored month with `values` replaced, and what the furnishing rules say about it."""
    month = replace(stored, **values)
    context = FurnishingContext(as_of, frozenset(), lambda _t, _n: True)
    problems = check_record(month, context, MONTH_RULES)
    where = f"corrections[{stored.period:%Y-%m}]"
    return month, tuple(Problem(f"{where}.{p.field}", p.message) for p in problems)


def corrected_record(
    stored: PublicRecord | BlacklistEntry, values: Mapping[str, Any], as_of: date
) -> tuple[PublicRecord | BlacklistEntry, tuple[Problem, ...]]:
    """A public record or blacklist entry with `values` replaced, checked by the rules its
    import applies (a performed case needs its end date; an expiry follows the listing)."""
    context = RecordContext(as_of, lambda _t, _n: True)
    if isinstance(stored, PublicRecord):
        record: PublicRecord | BlacklistEntry = replace(stored, **values)
        assert isinstance(record, PublicRecord)
        rules = tuple(r for r in PUBLIC_RECORD_RULES if r is not public_id_valid)
        problems = check_public_record(record, context, rules)
    else:
        record = replace(stored, **values)
        assert isinstance(record, BlacklistEntry)
        problems = check_blacklist_entry(
            record, context, tuple(r for r in BLACKLIST_RULES if r is not blacklist_id_valid)
        )
    return record, tuple(Problem(f"corrections.{p.field}", p.message) for p in problems)
