"""A person's credit file: the facts as stored, and the part of them that may be shown on a day.

The store hands over plain facts (`CreditFileFacts`); `visible_file` decides, purely, what a
report dated `as_of` shows: retention and dated policies decided for that very day (so a replayed
day shows what the bureau showed then), the months of a hidden overdue episode read as normal
with no overdue amount (the PBOC repair: "status normal, overdue amount 0"), public records and
blacklist entries past their showing dropped, and every furnished month given its grid code.

Record references are the ones a subject uses to object (issue 6): an overdue episode is
`account:FURNISHER:ACCOUNT_ID:YYYY-MM` (the month it began), a court record `public_record:ID`, a
blacklist entry `blacklist:ID`, an inquiry `inquiry:ID`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from creditmend.domain.calendar import add_months
from creditmend.domain.creditfile.grid import MonthCode, MonthFacts, month_code, repayment_grid
from creditmend.domain.creditfile.records import PublicRecordStatus
from creditmend.domain.creditfile.retention import (
    MonthRow,
    NegativeFact,
    RetentionRules,
    apply_retention,
    overdue_episodes,
)
from creditmend.domain.rules.policies import DatedPolicy
from creditmend.domain.rules.profile import JurisdictionProfile

# A court's withdrawn listing is no negative information (retention makes no fact of it either).
REVOKED = str(PublicRecordStatus.REVOKED)

# Section 11 of the report: inquiries of the last 24 months.
INQUIRY_MONTHS = 24


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """One account as stored: its terms and every furnished month up to the as-of date."""

    furnisher: str
    account_id: str
    account_type: str
    currency: str
    opened_on: date
    principal: Decimal | None
    credit_limit: Decimal | None
    months: Mapping[date, MonthFacts]
    balances: Mapping[date, Decimal]
    key: str = ""  # the store's name for the account, prefix of its episodes' keys
    history: tuple[MonthRow, ...] = ()  # the furnished months, for overdue episodes
    term_months: int | None = None  # an instalment loan's term (None: revolving or unknown)


@dataclass(frozen=True, slots=True)
class InquiryFacts:
    on: date
    by: str | None
    purpose: str
    hard: bool
    ref: str = ""  # inquiry:ID
    by_kind: str | None = None  # the asking furnisher's kind: bank | non_bank
    gives_report: bool = True  # False: the subject's own reading for a plan or a what-if
    # The consent logged with it (Art. 18) and the moment of the look: what shows a look made
    # without consent in force (`inquiry.consent_fault`, the plan's objection candidates).
    consent_ref: str | None = None
    consent_signed_on: date | None = None
    consent_expires_on: date | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FurnisherFacts:
    code: str
    name: str
    kind: str  # bank | non_bank


@dataclass(frozen=True, slots=True)
class PublicRecordFacts:
    ref: str  # public_record:ID
    kind: str
    court: str
    case_number: str
    filed_on: date
    amount: Decimal | None
    status: str
    ended_on: date | None


@dataclass(frozen=True, slots=True)
class BlacklistFacts:
    ref: str  # blacklist:ID
    source: str
    category: str
    listed_on: date
    expires_on: date | None
    reason: str


@dataclass(frozen=True, slots=True)
class LookFacts:
    """One logged look at a file: who, when, why, with which consent; and, for a look the
    bureau refused (no consent, someone it does not know), why it was refused."""

    at: datetime
    actor: str
    action: str
    purpose: str | None
    consent_ref: str | None
    refused: str | None = None
    # A look asked through the API: the client, the scope it used and the request's id (the
    # id in the service's log line); None for the command line's.
    client_id: str | None = None
    scope: str | None = None
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class ObjectionFacts:
    """An objection against one record as it stood on the as-of day (see
    `domain/creditfile/objection.py` for its lifecycle)."""

    record: str
    status: str
    filed_on: date
    due_on: date
    reason: str

    @property
    def is_open(self) -> bool:
        return self.status in {"open", "lapsed"}


@dataclass(frozen=True, slots=True)
class StatementFacts:
    """A subject's personal statement shown next to a record."""

    record: str
    text: str
    on: date


@dataclass(frozen=True, slots=True)
class CreditFileFacts:
    """Everything the store holds about one person, up to the as-of day."""

    subject_id: str  # masked
    subject_name: str  # masked; empty while only known from inquiries
    accounts: tuple[AccountFacts, ...]
    inquiries: tuple[InquiryFacts, ...]
    public_records: tuple[PublicRecordFacts, ...]
    blacklist: tuple[BlacklistFacts, ...]
    negative: tuple[NegativeFact, ...]
    furnishers: Mapping[str, FurnisherFacts]
    objections: tuple[ObjectionFacts, ...] = ()
    statements: tuple[StatementFacts, ...] = ()


class MonthLine(NamedTuple):
    """One furnished month as shown: amounts in the account's currency."""

    period: date  # first day of the month
    code: str
    status: str
    days_past_due: int
    scheduled: Decimal
    paid: Decimal
    balance: Decimal
    past_due: Decimal


@dataclass(frozen=True, slots=True)
class AccountView:
    """One account as shown on the as-of day."""

    key: str
    furnisher: str
    furnisher_kind: str
    account_id: str
    account_type: str
    currency: str
    opened_on: date
    principal: Decimal | None
    credit_limit: Decimal | None
    months: tuple[MonthLine, ...]  # furnished months up to the as-of day, oldest first
    grid: tuple[MonthCode, ...]  # the 60 months ending with the as-of month

    @property
    def last(self) -> MonthLine:
        return self.months[-1]


@dataclass(frozen=True, slots=True)
class ExpiryLine:
    """A negative record still shown and the first day it will not be (None: not until cured)."""

    record: str
    kind: str
    expires_on: date | None
    reason: str
    under_objection: bool = False


@dataclass(frozen=True, slots=True)
class VisibleFile:
    as_of: date
    accounts: tuple[AccountView, ...]
    inquiries: tuple[InquiryFacts, ...]  # newest first, every one up to the as-of day
    public_records: tuple[PublicRecordFacts, ...]
    blacklist: tuple[BlacklistFacts, ...]
    expiry: tuple[ExpiryLine, ...]
    hidden: int  # negative records retention or a policy no longer shows

    @property
    def is_empty(self) -> bool:
        """No credit data: inquiries alone are a look at a file, not a file."""
        return not (self.accounts or self.public_records or self.blacklist)


def episode_months(
    rows: Sequence[MonthRow], account_key: str, hidden_keys: frozenset[str]
) -> frozenset[date]:
    """The months covered by the hidden overdue episodes of one account."""
    hidden: set[date] = set()
    for episode in overdue_episodes(rows, account_key):
        if episode.key not in hidden_keys:
            continue
        first = date.fromisoformat(episode.key.rsplit("#", 1)[1] + "-01")
        last = episode.ended_on or rows[-1].period
        hidden.update(row.period for row in rows if first <= row.period <= last)
    return frozenset(hidden)


def hide_months(
    months: Mapping[date, MonthFacts], hidden: frozenset[date]
) -> dict[date, MonthFacts]:
    """Months of a hidden overdue episode read as normal, with no overdue amount."""
    return {
        month: replace(facts, days_past_due=0, past_due_amount=Decimal(0))
        if month in hidden
        else facts
        for month, facts in months.items()
    }


def record_refs(accounts: Iterable[AccountFacts]) -> dict[str, str]:
    """Store account keys to the references subjects use: account:FURNISHER:ACCOUNT_ID."""
    return {a.key: f"account:{a.furnisher}:{a.account_id}" for a in accounts}


def public_ref(fact_key: str, accounts: Mapping[str, str]) -> str:
    """`account:17#2024-03` -> `account:LENDER:A-1:2024-03`; other keys are already public."""
    account_key, _, month = fact_key.partition("#")
    return f"{accounts[account_key]}:{month}" if month and account_key in accounts else fact_key


def _account_view(
    account: AccountFacts,
    hidden_keys: frozenset[str],
    as_of: date,
    profile: JurisdictionProfile,
    furnishers: Mapping[str, FurnisherFacts],
) -> AccountView | None:
    history = tuple(row for row in account.history if row.period <= as_of)
    hidden = episode_months(history, account.key, hidden_keys) if history else frozenset()
    months = {
        month: facts
        for month, facts in hide_months(account.months, hidden).items()
        if month <= as_of
    }
    if not months:
        return None
    lines = tuple(
        MonthLine(
            month,
            month_code(facts, profile),
            str(facts.status),
            facts.days_past_due,
            facts.scheduled_amount,
            facts.paid_amount,
            account.balances[month],
            facts.past_due_amount,
        )
        for month, facts in sorted(months.items())
    )
    furnisher = furnishers.get(account.furnisher)
    return AccountView(
        key=account.key,
        furnisher=account.furnisher,
        furnisher_kind=furnisher.kind if furnisher else "non_bank",
        account_id=account.account_id,
        account_type=account.account_type,
        currency=account.currency,
        opened_on=account.opened_on,
        principal=account.principal,
        credit_limit=account.credit_limit,
        months=lines,
        grid=repayment_grid(months, account.opened_on, as_of, profile),
    )


def visible_file(
    facts: CreditFileFacts,
    as_of: date,
    profile: JurisdictionProfile,
    policies: Sequence[DatedPolicy],
    rules: RetentionRules,
) -> VisibleFile:
    """What a report dated `as_of` may show of `facts`."""
    decisions = apply_retention(facts.negative, as_of, policies, rules)
    hidden_keys = frozenset(d.fact_key for d in decisions if not d.shown)
    refs = record_refs(facts.accounts)
    views = (
        _account_view(a, hidden_keys, as_of, profile, facts.furnishers) for a in facts.accounts
    )
    expiry = sorted(
        (
            ExpiryLine(public_ref(d.fact_key, refs), str(fact.kind), d.visible_until, d.reason)
            for fact, d in zip(facts.negative, decisions, strict=True)
            if d.shown
        ),
        key=lambda line: (line.expires_on or date.max, line.record),
    )
    return VisibleFile(
        as_of=as_of,
        accounts=tuple(view for view in views if view is not None),
        inquiries=tuple(
            sorted(
                (i for i in facts.inquiries if i.on <= as_of),
                key=lambda i: (i.on, i.ref),
                reverse=True,
            )
        ),
        public_records=tuple(
            r
            for r in facts.public_records
            if r.filed_on <= as_of and r.status != REVOKED and r.ref not in hidden_keys
        ),
        blacklist=tuple(
            b for b in facts.blacklist if b.listed_on <= as_of and b.ref not in hidden_keys
        ),
        expiry=tuple(expiry),
        hidden=len(hidden_keys),
    )


def recent_inquiries(view: VisibleFile) -> tuple[InquiryFacts, ...]:
    """Section 11: the inquiries of the last 24 months (the as-of day counts as in)."""
    since = add_months(view.as_of, -INQUIRY_MONTHS) + timedelta(days=1)
    return tuple(i for i in view.inquiries if i.on >= since)
