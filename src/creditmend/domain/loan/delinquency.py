"""Days past due and the monthly repayment-status code, from the instalments' payment history.

Status is derived after the fold from each instalment's due date and payoff date, so the grid
needs no month-end steps inside the ledger. The buckets come from the profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache

from creditmend.domain.loan.records import Due
from creditmend.domain.loan.state import MonthStatus
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


def monthly_codes(
    dues: Sequence[Due],
    opened_on: date,
    as_of: date,
    grace_days: int,
    profile: JurisdictionProfile,
    closed: tuple[date, str] | None,
    charged_off_on: date | None,
) -> list[MonthStatus]:
    """(YYYY-MM, code) for every month from opening to `as_of` or the month the loan closed.

    Per month, at its end (or `as_of`), in the profile's codes (cn's named here): the closing
    code in the month the loan closed; `B` after a charge-off; `1`..`7` when past grace; `M`
    when an instalment due that month was paid late within it (by the month's end: a payment
    made after it does not rewrite the month as its end saw it); `N` when all were paid on time;
    `*` when nothing was due.
    """
    grid = profile.grid_codes
    current = profile.bucket_code(0)
    # Per month, the earliest posted due date in it: a month with none by its end had nothing due.
    first_due: dict[int, date] = {}
    # Only instalments that were ever unpaid after their due date can make a month delinquent
    # (or late within it); in due-date order, so the oldest unpaid at a month's end comes first.
    ever_late: list[Due] = []
    for due in dues:
        if not due.posted:
            continue
        index = due.due_on.year * 12 + due.due_on.month - 1
        if index not in first_due or due.due_on < first_due[index]:
            first_due[index] = due.due_on
        if due.paid_off_on is None or due.paid_off_on > due.due_on:
            ever_late.append(due)
    ever_late.sort(key=lambda d: d.due_on)
    # By month of due date, the late instalments paid off since (those that can make it `M`).
    paid_late: dict[int, list[tuple[date, date]]] = {}
    for due in ever_late:
        if due.paid_off_on is not None and not due.restructured:
            month = due.due_on.year * 12 + due.due_on.month - 1
            paid_late.setdefault(month, []).append((due.due_on, due.paid_off_on))
    grace = timedelta(days=grace_days)
    one_day = timedelta(days=1)
    last = min(as_of, closed[0]) if closed else as_of
    as_of_index = as_of.year * 12 + as_of.month - 1
    closed_index = -1
    if closed is not None and closed[0] <= as_of:
        closed_index = closed[0].year * 12 + closed[0].month - 1
    codes: list[MonthStatus] = []
    first_index = opened_on.year * 12 + opened_on.month - 1
    for index in range(first_index, last.year * 12 + last.month):
        if index == as_of_index:
            end = as_of
        else:
            year, month0 = divmod(index + 1, 12)
            end = date(year, month0 + 1, 1) - one_day
        dpd = 0
        for due in ever_late:
            if due.due_on >= end:
                break
            if due.paid_off_on is None or due.paid_off_on > end:
                dpd = (end - due.due_on).days
                break
        if index == closed_index and closed is not None:
            code = closed[1]
        elif charged_off_on is not None and charged_off_on <= end:
            code = grid.bad_debt
        elif dpd > grace_days:
            code = profile.bucket_code(dpd)
        elif index not in first_due or first_due[index] > end:
            code = grid.nothing_due
        elif index in paid_late and any(
            due_on <= end and due_on + grace < paid_off_on <= end
            for due_on, paid_off_on in paid_late[index]
        ):
            code = grid.late_within_month
        else:
            code = current
        codes.append(_month_status(index, code))
    return codes


@cache
def _month_status(index: int, code: str) -> MonthStatus:
    """A month's status, the month counted from year 0: shared, as a few hundred months and a
    dozen codes make every status ever published."""
    year, month0 = divmod(index, 12)
    return MonthStatus(f"{year:04d}-{month0 + 1:02d}", code)
