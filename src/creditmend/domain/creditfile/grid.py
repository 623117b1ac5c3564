"""The repayment-status grid: one code per month for the last months of an account.

The grid is derived from furnished months only, so it shows what the bureau was told. The
profile supplies its length and codes (`GridCodes`, `delinquency_buckets`); under `cn`, the
PBOC second-generation personal credit report's 60 months: `/` not yet opened; `#` opened but
nothing furnished; `C` settled or closed; `G` ended other than by settlement (transferred); `B` bad
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
from creditmend.domain.rules.profile import GridCodes, JurisdictionProfile

# Statuses after which a lender stops furnishing: later months repeat the ending code instead
# of reading "unknown". A charged-off debt is still owed and still furnished, so it is not here.
FINAL = frozenset({AccountStatus.SETTLED, AccountStatus.CLOSED, AccountStatus.TRANSFERRED})


def _ending_code(status: AccountStatus, codes: GridCodes) -> str | None:
    """The code of a month whose status ends the account (or makes it a bad debt)."""
    if status in (AccountStatus.SETTLED, AccountStatus.CLOSED):
        return codes.settled
    if status is AccountStatus.CHARGED_OFF:
        return codes.bad_debt
    if status is AccountStatus.TRANSFERRED:
        return codes.transferred
    return None


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
    codes = profile.grid_codes
    if GUARANTOR_PAID in facts.remarks:
        return codes.guarantor
    if ASSET_REPAID in facts.remarks:
        return codes.assets
    ended = _ending_code(facts.status, codes)
    if ended is not None:
        return ended
    if facts.days_past_due > 0:
        return profile.bucket_code(facts.days_past_due)
    if facts.scheduled_amount == ZERO and facts.past_due_amount == ZERO:
        return codes.nothing_due
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
    length: int | None = None,
) -> tuple[MonthCode, ...]:
    """The last `length` months (the profile's `grid_months` unless given) ending with as_of's
    month, oldest first.

    `months` is keyed by any day of the furnished month (normally the first). Months before
    the opening month read `/`; a month after opening with nothing furnished reads `#`, unless
    an earlier furnished month ended the account (settled, closed, transferred): lenders stop
    furnishing then, so the ending code is repeated rather than shown as unknown.
    """
    if length is None:
        length = int(profile.grid_months.value)
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
            code = profile.grid_codes.not_opened
        elif facts_or_none is None:
            code = carried or profile.grid_codes.unknown
        else:
            code = month_code(facts_or_none, profile)
            carried = code if facts_or_none.status in FINAL else None
        grid.append(MonthCode(month, code))
    return tuple(grid)


def overdue_pattern_shown(grid: Sequence[MonthCode], profile: JurisdictionProfile) -> bool:
    """The profile's overdue pattern (cn: "连三累六", 3 consecutive or 6 cumulative overdue months
    within the last 24) on a grid: lenders use it as a hard decline rule."""
    overdue = profile.overdue_codes
    return profile.overdue_pattern.shown([entry.code in overdue for entry in grid])
