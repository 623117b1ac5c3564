"""Days past due and the monthly repayment-status code, from the instalments' payment history.

Status is derived after the fold from each instalment's due date and payoff date, so the grid
needs no month-end steps inside the ledger. The buckets come from the profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from creditmend.domain.calendar import month_end
from creditmend.domain.loan.ledger import Due
from creditmend.domain.rules.profile import JurisdictionProfile


def days_past_due(dues: Sequence[Due], on: date) -> int:
    """Days since the oldest instalment that was due before `on` and unpaid at the end of `on`."""
    oldest = None
    for due in dues:
        if not due.posted or due.due_on >= on:
            continue
        if due.paid_off_on is None or due.paid_off_on > on:
            oldest = due.due_on if oldest is None else min(oldest, due.due_on)
    return 0 if oldest is None else (on - oldest).days


def month_code(
    dues: Sequence[Due],
    year: int,
    month: int,
    as_of: date,
    grace_days: int,
    profile: JurisdictionProfile,
    closed: tuple[date, str] | None,
    charged_off_on: date | None,
) -> str:
    first = date(year, month, 1)
    end = min(month_end(first), as_of)
    if closed is not None and first <= closed[0] <= end:
        return closed[1]
    if charged_off_on is not None and charged_off_on <= end:
        return "B"
    dpd = days_past_due(dues, end)
    if dpd > grace_days:
        return profile.bucket_code(dpd)
    due_this_month = [d for d in dues if d.posted and first <= d.due_on <= end]
    if not due_this_month:
        return "*"
    late = timedelta(days=grace_days)
    if any(
        d.paid_off_on is not None and not d.restructured and d.paid_off_on > d.due_on + late
        for d in due_this_month
    ):
        return "M"
    return "N"


def monthly_codes(
    dues: Sequence[Due],
    opened_on: date,
    as_of: date,
    grace_days: int,
    profile: JurisdictionProfile,
    closed: tuple[date, str] | None,
    charged_off_on: date | None,
) -> list[tuple[str, str]]:
    """(YYYY-MM, code) for every month from opening to `as_of` or the month the loan closed."""
    last = min(as_of, closed[0]) if closed else as_of
    codes: list[tuple[str, str]] = []
    index = opened_on.year * 12 + opened_on.month - 1
    while index <= last.year * 12 + last.month - 1:
        year, month0 = divmod(index, 12)
        code = month_code(
            dues, year, month0 + 1, as_of, grace_days, profile, closed, charged_off_on
        )
        codes.append((f"{year:04d}-{month0 + 1:02d}", code))
        index += 1
    return codes
