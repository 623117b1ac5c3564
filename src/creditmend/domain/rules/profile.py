"""The shape of a jurisdiction profile.

Every rule the ledger, the bureau and the advisor apply is read from here, so a second
jurisdiction is a second data module, not a branch in the code. Each value carries its source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from creditmend.domain.rules.policies import DatedPolicy


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
class OverduePattern:
    """Lenders' hard decline rule read off a repayment grid: `consecutive` overdue months in a
    row, or `cumulative` of them, within the last `window` months (cn: 连三累六, 3 / 6 / 24)."""

    consecutive: int
    cumulative: int
    window: int
    source: str

    def shown(self, overdue: Sequence[bool]) -> bool:
        """Whether the last `window` month flags (oldest first) show the pattern."""
        recent = overdue[-self.window :]
        run = longest = 0
        for late in recent:
            run = run + 1 if late else 0
            longest = max(longest, run)
        return longest >= self.consecutive or sum(recent) >= self.cumulative


@dataclass(frozen=True, slots=True)
class GridCodes:
    """The grid's month codes for what is not an overdue bucket; `N` and `1`..`7` are the
    buckets' own codes (`delinquency_buckets`)."""

    not_opened: str
    unknown: str  # opened, nothing furnished for the month
    nothing_due: str
    late_within_month: str  # paid after the due date but within the month
    settled: str
    transferred: str  # ended other than by settlement
    guarantor: str  # repaid by a guarantor
    assets: str  # repaid by assets
    bad_debt: str


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


@dataclass(frozen=True, slots=True)
class RevolvingDefaults:
    """What a revolving account (Huabei, Baitiao, a bank card) follows unless its contract says
    otherwise; the loan reader copies these into the contract's `RevolvingTerms`."""

    daily_rate: Sourced  # revolving interest a day on what is left unpaid
    minimum_rate: Sourced  # minimum payment: this share of the billed principal
    conversion_fee_rate: Sourced  # 账单分期 fee a period, on the converted amount
    late_fee_rate: Sourced  # a reference only: applied when the contract names a late fee
    interest_free_days_max: Sourced
    interest_convention: str  # how revolving interest is counted, with its source
    # The usual 账单分期 terms a plan weighs, in months (the optimiser tries each).
    conversion_months: tuple[int, ...] = (3, 6, 12)
    conversion_months_source: str = ""
    # Days from the statement day to the due day, when only the due day is known (a rebuild).
    statement_to_due_days: Sourced = Sourced(9, "")


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
    grid_codes: GridCodes
    grid_months: Sourced  # the months of repayment history a report shows
    delinquency_buckets: tuple[DelinquencyBucket, ...]
    overdue_codes: frozenset[str]  # month codes that count as an overdue month
    serious_days: Sourced  # past due beyond this many days is serious (non-performing)
    serious_codes: frozenset[str]  # month codes past `serious_days`, and bad debt
    overdue_pattern: OverduePattern
    dormant_months: Sourced  # an open account idle this long makes its platform dormant
    default_allocation: AllocationOrder
    allocation_source: str
    penalty_multiplier: Sourced
    lpr_history: tuple[LprFixing, ...]
    lpr_source: str
    caps: LegalCaps
    retention_years: Sourced
    dated_policies: tuple[DatedPolicy, ...]  # one-off relief and the like, as rule records
    objection_reply_days: Sourced
    period_rule_source: str  # how a period of days is counted (first day, last day on a holiday)
    unverifiable_rule: str  # what happens to a record an objection could not verify in time
    statement_max_chars: Sourced
    complaint_reply_days: Sourced
    free_self_reports_per_year: Sourced
    inquiry_purposes: Mapping[str, bool]  # purpose -> counts as a hard inquiry
    inquiry_purposes_source: str
    conventions: tuple[str, ...]
    revolving: RevolvingDefaults | None = None  # None: revolving accounts are not supported

    def __post_init__(self) -> None:
        """A profile is checked when it is made: codes the rules name must be codes it has."""
        known = set(self.status_codes)
        for name, codes in (("overdue_codes", self.overdue_codes), ("serious", self.serious_codes)):
            if not codes <= known:
                raise ValueError(
                    f"{self.code}: {name} {sorted(codes - known)} are not status codes"
                )
        beyond = {b.code for b in self.delinquency_buckets if b.min_days > self.serious_days.value}
        if beyond | {self.grid_codes.bad_debt} != set(self.serious_codes):
            raise ValueError(f"{self.code}: serious_codes disagree with serious_days")

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
