"""A person's credit file as of a date: accounts with their repayment grids, and inquiries.

This is what an inquiry shows until the full online-loan report exists (the report issue): the
store hands over plain facts, this module derives the grid and the flags, purely.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from creditmend.domain.creditfile.grid import (
    MonthCode,
    MonthFacts,
    flag_3_consecutive_or_6_in_24,
    repayment_grid,
)
from creditmend.domain.creditfile.retention import (
    Decision,
    MonthRow,
    NegativeFact,
    overdue_episodes,
)
from creditmend.domain.money import Money
from creditmend.domain.rules.profile import JurisdictionProfile


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """One account as stored: its terms and every furnished month up to the as-of date."""

    furnisher: str
    account_id: str
    account_type: str
    currency: str
    opened_on: date
    principal: Money | None
    credit_limit: Money | None
    months: Mapping[date, MonthFacts]
    balances: Mapping[date, Money]
    key: str = ""  # the store's name for the account, prefix of its episodes' keys
    history: tuple[MonthRow, ...] = ()  # the furnished months, for overdue episodes


@dataclass(frozen=True, slots=True)
class ExpiryFacts:
    """One negative record and the day it stops being shown (None: not until cured)."""

    key: str
    kind: str
    shown: bool
    visible_until: date | None
    reason: str


@dataclass(frozen=True, slots=True)
class LookFacts:
    """One logged look at a file: who, when, why, with which consent."""

    at: datetime
    actor: str
    action: str
    purpose: str | None
    consent_ref: str | None


@dataclass(frozen=True, slots=True)
class InquiryFacts:
    on: date
    by: str | None
    purpose: str
    hard: bool


@dataclass(frozen=True, slots=True)
class AccountSummary:
    furnisher: str
    account_id: str
    account_type: str
    opened_on: date
    principal: Money | None
    credit_limit: Money | None
    last_period: date | None
    status: str | None
    balance: Money | None
    days_past_due: int
    grid: tuple[MonthCode, ...]
    three_or_six_in_24: bool


@dataclass(frozen=True, slots=True)
class CreditFileSummary:
    subject: str  # masked id
    as_of: date
    accounts: tuple[AccountSummary, ...]
    inquiries: tuple[InquiryFacts, ...]
    expiry: tuple[ExpiryFacts, ...] = ()

    @property
    def hard_inquiries(self) -> int:
        return sum(1 for inquiry in self.inquiries if inquiry.hard)


def hide_months(
    months: Mapping[date, MonthFacts], hidden: frozenset[date]
) -> dict[date, MonthFacts]:
    """Months of an overdue episode that retention or a policy hid read as normal, with no
    overdue amount (the PBOC repair: "status normal, overdue amount 0")."""
    return {
        month: replace(facts, days_past_due=0, past_due_amount=Decimal(0))
        if month in hidden
        else facts
        for month, facts in months.items()
    }


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


def summarize(
    subject: str,
    accounts: Sequence[AccountFacts],
    inquiries: Sequence[InquiryFacts],
    as_of: date,
    profile: JurisdictionProfile,
    decisions: Sequence[tuple[NegativeFact, Decision]] = (),
) -> CreditFileSummary:
    """The file as it is shown on `as_of`: retention and dated policies decided for that very
    day, so a replayed day shows what the bureau showed then."""
    hidden_keys = frozenset(d.fact_key for _, d in decisions if not d.shown)
    expiry = [
        ExpiryFacts(d.fact_key, str(fact.kind), d.shown, d.visible_until, d.reason)
        for fact, d in decisions
    ]
    summaries = []
    for account in accounts:
        hidden = episode_months(account.history, account.key, hidden_keys)
        months = {
            month: facts
            for month, facts in hide_months(account.months, hidden).items()
            if month <= as_of
        }
        grid = repayment_grid(months, account.opened_on, as_of, profile)
        last = max(months, default=None)
        facts = months[last] if last is not None else None
        summaries.append(
            AccountSummary(
                furnisher=account.furnisher,
                account_id=account.account_id,
                account_type=account.account_type,
                opened_on=account.opened_on,
                principal=account.principal,
                credit_limit=account.credit_limit,
                last_period=last,
                status=None if facts is None else str(facts.status),
                balance=None if last is None else account.balances[last],
                days_past_due=0 if facts is None else facts.days_past_due,
                grid=grid,
                three_or_six_in_24=flag_3_consecutive_or_6_in_24(grid),
            )
        )
    shown = tuple(i for i in sorted(inquiries, key=lambda i: i.on, reverse=True) if i.on <= as_of)
    timeline = tuple(sorted(expiry, key=lambda e: (e.visible_until or date.max, e.key)))
    return CreditFileSummary(subject, as_of, tuple(summaries), shown, timeline)
