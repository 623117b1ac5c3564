"""The PBOC repayment-status grid: one code per month for the last 60 months of an account.

The grid is derived from furnished months only, so it shows what the bureau was told. Codes
(second-generation personal credit report): `/` not yet opened; `#` opened but nothing
furnished; `C` settled or closed; `G` ended other than by settlement (transferred); `B` bad
debt (charged off); `D` repaid by guarantor; `Z` repaid by assets; `1`..`7` overdue by the
profile's buckets; `*` nothing due and nothing owed late; `N` paid as agreed.

`M` ("paid after the due date but within the month") is never produced: CMF v1 reports the
state at period end and carries no per-month due date or payment date within the month, so a
month paid late but cured by month end is indistinguishable from one paid on time and reads `N`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from creditmend.domain.calendar import add_months
from creditmend.domain.creditfile.furnishing import (
    ASSET_REPAID,
    GUARANTOR_PAID,
    AccountStatus,
    FurnishedRecord,
)
from creditmend.domain.money import ZERO
from creditmend.domain.rules.profile import JurisdictionProfile

NOT_OPENED, UNKNOWN, NOTHING_DUE = "/", "#", "*"
GUARANTOR, ASSETS = "D", "Z"
STATUS_CODES: Mapping[AccountStatus, str] = {
    AccountStatus.SETTLED: "C",
    AccountStatus.CLOSED: "C",
    AccountStatus.CHARGED_OFF: "B",
    AccountStatus.TRANSFERRED: "G",
}
# Statuses after which a lender stops furnishing: later months repeat the ending code instead
# of reading "unknown". A charged-off debt is still owed and still furnished, so it is not here.
FINAL = frozenset({AccountStatus.SETTLED, AccountStatus.CLOSED, AccountStatus.TRANSFERRED})
# Codes that count as an overdue month for "连三累六": the buckets and bad debt (a charged-off
# account is past every bucket, and must not look better than one still at `7`).
OVERDUE_CODES = frozenset("1234567B")


@dataclass(frozen=True, slots=True)
class MonthFacts:
    """What the grid needs from one furnished month of one account."""

    status: AccountStatus
    days_past_due: int
    scheduled_amount: Decimal
    paid_amount: Decimal
    past_due_amount: Decimal
    remarks: tuple[str, ...] = ()

    @classmethod
    def of(cls, record: FurnishedRecord) -> MonthFacts:
        return cls(
            record.status,
            record.days_past_due,
            record.scheduled_amount,
            record.paid_amount,
            record.past_due_amount,
            record.remarks,
        )


class MonthCode(NamedTuple):
    month: date  # first day of the month
    code: str


def month_code(facts: MonthFacts, profile: JurisdictionProfile) -> str:
    """The code for one furnished month.

    Precedence: how a debt was repaid (guarantor, assets) says more than that it ended, so `D`
    and `Z` win over `C`; an ended account's code wins over its days past due; then the overdue
    bucket; then "nothing due" versus "paid as agreed".
    """
    if GUARANTOR_PAID in facts.remarks:
        return GUARANTOR
    if ASSET_REPAID in facts.remarks:
        return ASSETS
    ended = STATUS_CODES.get(facts.status)
    if ended is not None:
        return ended
    if facts.days_past_due > 0:
        return profile.bucket_code(facts.days_past_due)
    if facts.scheduled_amount == ZERO and facts.past_due_amount == ZERO:
        return NOTHING_DUE
    return profile.bucket_code(0)


@lru_cache(maxsize=64)
def _window(last: date, length: int) -> tuple[date, ...]:
    """The first days of the `length` months ending with `last`'s: the same for every account
    of a report or of a batch, so made once."""
    first = add_months(last, -(length - 1))
    return tuple(add_months(first, index) for index in range(length))


def repayment_grid(
    months: Mapping[date, MonthFacts],
    opened_on: date,
    as_of: date,
    profile: JurisdictionProfile,
    length: int = 60,
) -> tuple[MonthCode, ...]:
    """The last `length` months ending with as_of's month, oldest first.

    `months` is keyed by any day of the furnished month (normally the first). Months before
    the opening month read `/`; a month after opening with nothing furnished reads `#`, unless
    an earlier furnished month ended the account (settled, closed, transferred): lenders stop
    furnishing then, so the ending code is repeated rather than shown as unknown.
    """
    if length < 1:
        raise ValueError(f"length: {length} must be at least 1")
    by_month: dict[date, MonthFacts] = {}
    for day, facts in months.items():
        month = day.replace(day=1)
        if month in by_month:
            raise ValueError(f"months: two entries for {month:%Y-%m}")
        by_month[month] = facts
    opened_month = opened_on.replace(day=1)
    window = _window(as_of.replace(day=1), length)
    first = window[0]
    carried: str | None = None
    # An account ended before the window starts still ends inside it: find that state first.
    for month in sorted(m for m in by_month if opened_month <= m < first):
        facts = by_month[month]
        carried = month_code(facts, profile) if facts.status in FINAL else None
    grid: list[MonthCode] = []
    for month in window:
        facts_or_none = by_month.get(month)
        if month < opened_month:
            code = NOT_OPENED
        elif facts_or_none is None:
            code = carried or UNKNOWN
        else:
            code = month_code(facts_or_none, profile)
            carried = code if facts_or_none.status in FINAL else None
        grid.append(MonthCode(month, code))
    return tuple(grid)


def flag_3_consecutive_or_6_in_24(grid: Sequence[MonthCode]) -> bool:
    """ "连三累六": 3 consecutive or 6 cumulative overdue months within the last 24 months.

    Lenders use it as a hard decline rule; an overdue month is a bucket code `1`..`7` or `B`.
    """
    recent = [entry.code in OVERDUE_CODES for entry in grid[-24:]]
    run = longest = 0
    for overdue in recent:
        run = run + 1 if overdue else 0
        longest = max(longest, run)
    return longest >= 3 or sum(recent) >= 6
