"""Days past due and the monthly repayment-status code, from the instalments' payment history.

Status is derived after the fold from each instalment's due date and payoff date, so the grid
needs no month-end steps inside the ledger. The buckets come from the profile.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from creditmend.domain.loan.records import Due
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
) -> list[tuple[str, str]]:
    """(YYYY-MM, code) for every month from opening to `as_of` or the month the loan closed.

    Per month, at its end (or `as_of`), in the profile's codes (cn's named here): the closing
    code in the month the loan closed; `B` after a charge-off; `1`..`7` when past grace; `M`
    when an instalment due that month was paid late within it (by the month's end: a payment
    made after it does not rewrite the month as its end saw it); `N` when all were paid on time;
    `*` when nothing was due.
    """
    posted = [d for d in dues if d.posted]
    # Only instalments that were ever unpaid after their due date can make a month delinquent;
    # in due-date order, so the oldest one still unpaid at a month's end is the first found.
    ever_late = sorted(
        (d for d in posted if d.paid_off_on is None or d.paid_off_on > d.due_on),
        key=lambda d: d.due_on,
    )
    grace = timedelta(days=grace_days)
    one_day = timedelta(days=1)
    by_month: dict[int, list[Due]] = defaultdict(list)
    for due in posted:
        by_month[due.due_on.year * 12 + due.due_on.month - 1].append(due)
    last = min(as_of, closed[0]) if closed else as_of
    as_of_index = as_of.year * 12 + as_of.month - 1
    grid = profile.grid_codes
    current = profile.bucket_code(0)
    codes: list[tuple[str, str]] = []
    index = opened_on.year * 12 + opened_on.month - 1
    first = date(opened_on.year, opened_on.month, 1)
    while index < last.year * 12 + last.month:
        year, month0 = divmod(index, 12)
        following = date(year + 1, 1, 1) if month0 == 11 else date(year, month0 + 2, 1)
        end = as_of if index == as_of_index else following - one_day
        dpd = 0
        for due in ever_late:
            if due.due_on >= end:
                break
            if due.paid_off_on is None or due.paid_off_on > end:
                dpd = (end - due.due_on).days
                break
        if closed is not None and first <= closed[0] <= end:
            code = closed[1]
        elif charged_off_on is not None and charged_off_on <= end:
            code = grid.bad_debt
        elif dpd > grace_days:
            code = profile.bucket_code(dpd)
        else:
            due_now = [d for d in by_month.get(index, ()) if d.due_on <= end]
            if not due_now:
                code = grid.nothing_due
            elif any(
                d.paid_off_on is not None
                and not d.restructured
                and d.due_on + grace < d.paid_off_on <= end
                for d in due_now
            ):
                code = grid.late_within_month
            else:
                code = current
        codes.append((f"{year:04d}-{month0 + 1:02d}", code))
        index += 1
        first = following
    return codes
