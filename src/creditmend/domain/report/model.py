"""The report model: the 11 sections of DESIGN.md as frozen records.

Every renderer (JSON, terminal, HTML, PDF) reads this and only this, so the four agree. Money
is `Money`; counts per window are mappings keyed `d7`..`d365` (days) or `m6`..`m60` (months),
the keys the JSON publishes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from creditmend.domain.money import Money
from creditmend.domain.report.file import ExpiryLine
from creditmend.domain.report.indicators import Value


@dataclass(frozen=True, slots=True)
class Header:
    report_id: str
    as_of: date
    subject_id: str  # masked
    subject_name: str  # masked
    purpose: str
    inquirer: str | None  # furnisher code; None for a self-inquiry
    currency: str
    has_file: bool
    notices: tuple[str, ...]  # records under objection, statements
    missing: tuple[str, ...]  # what a thin file lacks, in words


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    text: str
    text_zh: str = ""  # the same in Chinese; empty when the model has no Chinese words for it


@dataclass(frozen=True, slots=True)
class Summary:
    score: int | None
    band: str
    reasons: tuple[Reason, ...]
    flags: tuple[str, ...]  # risk flag codes, most serious first


@dataclass(frozen=True, slots=True)
class TypeLine:
    account_type: str
    accounts: int
    accounts_open: int
    amount_borrowed: Money
    credit_limit: Money


@dataclass(frozen=True, slots=True)
class LoanHistory:
    platforms_ever: int
    platforms_open: int
    platforms_settled: int
    accounts_ever: int
    accounts_open: int
    accounts_settled: int
    first_loan_on: date | None
    amount_borrowed: Money
    credit_limit: Money
    by_type: tuple[TypeLine, ...]


@dataclass(frozen=True, slots=True)
class AccountLine:
    furnisher_id: str
    furnisher_name: str
    account_id: str
    account_type: str
    currency: str
    opened_on: date
    last_reported: date  # first day of the last furnished month
    status: str
    balance: Money  # in the account's currency
    days_past_due: int
    past_due_amount: Money
    grid: tuple[str, ...]  # 60 codes, oldest first, ending with the as-of month
    grid_starts: date  # the month of grid[0]
    three_or_six_in_24: bool
    under_objection: bool
    statement: str | None


@dataclass(frozen=True, slots=True)
class Overdue:
    current_overdue_accounts: int
    current_overdue_amount: Money
    max_days_past_due: int
    months_at_status: Mapping[str, Mapping[str, int]]  # m6.. -> code -> account-months
    months_overdue: Mapping[str, int]  # m6.. -> account-months at 1..7 or B
    three_or_six_in_24: bool
    accounts: tuple[AccountLine, ...]


@dataclass(frozen=True, slots=True)
class PlatformLine:
    furnisher_id: str
    name: str
    kind: str
    accounts: int
    accounts_open: int
    outstanding_balance: Money
    monthly_obligations: Money
    months_since_activity: int
    dormant: bool


@dataclass(frozen=True, slots=True)
class Liabilities:
    outstanding_balance: Money
    monthly_obligations: Money
    monthly_income: Money | None
    debt_to_income: Decimal | None
    revolving_balance: Money
    revolving_limit: Money
    revolving_utilisation: Decimal | None
    platforms: tuple[PlatformLine, ...]


@dataclass(frozen=True, slots=True)
class MultiHead:
    hard_inquiries: Mapping[str, int]  # d7.. -> count
    institutions: Mapping[str, int]
    by_kind: Mapping[str, Mapping[str, Mapping[str, int]]]  # bank|non_bank -> the two above


@dataclass(frozen=True, slots=True)
class PublicRecordLine:
    record: str
    kind: str
    court: str
    case_number: str
    filed_on: date
    amount: Money | None
    status: str
    ended_on: date | None
    under_objection: bool
    statement: str | None = None  # the subject's, after a confirmed objection


@dataclass(frozen=True, slots=True)
class Untrustworthy:
    counts: Mapping[str, int]  # kind -> records shown
    records: tuple[PublicRecordLine, ...]


@dataclass(frozen=True, slots=True)
class BlacklistLine:
    record: str
    source: str
    category: str
    listed_on: date
    expires_on: date | None
    reason: str
    under_objection: bool
    statement: str | None = None  # the subject's, after a confirmed objection


@dataclass(frozen=True, slots=True)
class BlacklistHits:
    hits: int
    by_source: Mapping[str, Mapping[str, int]]  # source -> category -> entries
    entries: tuple[BlacklistLine, ...]


@dataclass(frozen=True, slots=True)
class ObjectionLine:
    record: str
    status: str
    reason: str
    filed_on: date
    due_on: date


@dataclass(frozen=True, slots=True)
class StatementLine:
    record: str
    text: str
    on: date


@dataclass(frozen=True, slots=True)
class Objections:
    objections: tuple[ObjectionLine, ...]
    statements: tuple[StatementLine, ...]


@dataclass(frozen=True, slots=True)
class InquiryLine:
    on: date
    furnisher_id: str | None
    furnisher_name: str | None
    purpose: str
    hard: bool
    record: str = ""  # inquiry:ID, what a subject names to object to it
    under_objection: bool = False
    statement: str | None = None  # the subject's, after a confirmed objection


@dataclass(frozen=True, slots=True)
class Report:
    header: Header
    summary: Summary
    loan_history: LoanHistory
    overdue: Overdue
    liabilities: Liabilities
    multi_head: MultiHead
    untrustworthy: Untrustworthy
    blacklist: BlacklistHits
    objections: Objections
    expiry_timeline: tuple[ExpiryLine, ...]
    inquiries: tuple[InquiryLine, ...]
    indicators: Mapping[str, Value]  # the flat row the batch writes too
