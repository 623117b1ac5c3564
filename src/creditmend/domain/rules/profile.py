"""The shape of a jurisdiction profile.

Every rule the ledger, the bureau and the advisor apply is read from here, so a second
jurisdiction is a second data module, not a branch in the code. Each value carries its source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum


class DueState(Enum):
    PAST_DUE = "past_due"
    DUE = "due"
    IN_ADVANCE = "in_advance"

    # Members are singletons: identity hashing is exact and, unlike Enum's, runs in C
    # (allocation looks these up for every step of every payment).
    __hash__ = object.__hash__


class Component(Enum):
    FEE = "fee"
    PENALTY = "penalty"
    INTEREST = "interest"
    PRINCIPAL = "principal"

    __hash__ = object.__hash__


@dataclass(frozen=True, slots=True)
class AllocationRule:
    """One step of a payment allocation order, as in Fineract's advanced payment allocation."""

    due: DueState
    component: Component

    @classmethod
    def parse(cls, text: str) -> AllocationRule:
        """`past_due.penalty` -> AllocationRule(PAST_DUE, PENALTY)."""
        due, _, component = text.partition(".")
        return cls(DueState(due), Component(component))

    def __str__(self) -> str:
        return f"{self.due.value}.{self.component.value}"


AllocationOrder = tuple[AllocationRule, ...]


@dataclass(frozen=True, slots=True)
class Sourced:
    """A rule value with where it comes from."""

    value: Decimal | int
    source: str


@dataclass(frozen=True, slots=True)
class SourcedText:
    """A rule value that is a name (a time zone, a calendar), with where it comes from."""

    value: str
    source: str


@dataclass(frozen=True, slots=True)
class DelinquencyBucket:
    """A range of days past due and the monthly status code reported for it."""

    code: str
    min_days: int
    max_days: int | None  # None: open-ended


@dataclass(frozen=True, slots=True)
class LprFixing:
    effective_on: date
    one_year: Decimal
    five_year: Decimal


@dataclass(frozen=True, slots=True)
class LegalCaps:
    private_lending_lpr_multiple: Sourced
    private_lending_before_lpr: Sourced  # contracts signed before the first LPR fixing
    licensed_all_in_annual: Sourced


@dataclass(frozen=True, slots=True, eq=False)
class JurisdictionProfile:
    """A jurisdiction's rules. Compared and hashed by identity: there is one object per
    jurisdiction, and its tables (read-only mappings) are not hashable values."""

    code: str
    name: str
    time_zone: SourcedText  # IANA zone name: the business date is today in this zone
    business_calendar: SourcedText  # holiday calendar's country code (an adapter answers for it)
    currency: str
    days_in_year: Sourced
    status_codes: Mapping[str, str]
    status_source: str
    delinquency_buckets: tuple[DelinquencyBucket, ...]
    default_allocation: AllocationOrder
    allocation_source: str
    penalty_multiplier: Sourced
    lpr_history: tuple[LprFixing, ...]
    lpr_source: str
    caps: LegalCaps
    retention_years: Sourced
    objection_reply_days: Sourced
    period_rule_source: str  # how a period of days is counted (first day, last day on a holiday)
    unverifiable_rule: str  # what happens to a record an objection could not verify in time
    statement_max_chars: Sourced
    complaint_reply_days: Sourced
    free_self_reports_per_year: Sourced
    inquiry_purposes: Mapping[str, bool]  # purpose -> counts as a hard inquiry
    inquiry_purposes_source: str
    conventions: tuple[str, ...]

    def bucket_code(self, days_past_due: int) -> str:
        for bucket in self.delinquency_buckets:
            upper = bucket.max_days
            if bucket.min_days <= days_past_due and (upper is None or days_past_due <= upper):
                return bucket.code
        raise ValueError(f"days_past_due: {days_past_due} is in no bucket")

    def lpr_on(self, day: date) -> LprFixing:
        """The LPR in force on `day` (the latest fixing effective on or before it)."""
        in_force = [f for f in self.lpr_history if f.effective_on <= day]
        if not in_force:
            first = self.lpr_history[0].effective_on
            raise ValueError(f"date: {day} is before the first LPR fixing ({first})")
        return in_force[-1]

    def annual_cap(self, lender_kind: str, signed_on: date) -> tuple[Decimal, str]:
        """The legal ceiling on the all-in annual cost of a loan, with its source."""
        caps = self.caps
        if lender_kind != "private":
            return Decimal(caps.licensed_all_in_annual.value), caps.licensed_all_in_annual.source
        if signed_on < self.lpr_history[0].effective_on:
            before = caps.private_lending_before_lpr
            return Decimal(before.value), before.source
        multiple = caps.private_lending_lpr_multiple
        return self.lpr_on(signed_on).one_year * multiple.value, multiple.source
