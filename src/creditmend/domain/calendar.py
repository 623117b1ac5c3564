"""Business days and due-date adjustment.

The calendar itself is a port: the domain only asks "is this a working day?". China moves
working days onto weekends around holidays (调休), so "weekday" is not enough; the adapter over the
`holidays` package answers for real.
"""

from __future__ import annotations

import calendar as _stdcal
import re
from datetime import date, timedelta
from enum import Enum
from typing import Protocol

from creditmend.domain.i18n import N_, Said


class BusinessCalendar(Protocol):
    def is_business_day(self, day: date) -> bool: ...


class WeekdayCalendar:
    """Monday to Friday; for tests and profiles without a holiday source."""

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5


class HolidayRule(Enum):
    """What a contract says about a due date that falls on a non-working day."""

    UNADJUSTED = "unadjusted"
    FOLLOWING = "following"


def adjust(day: date, rule: HolidayRule, calendar: BusinessCalendar) -> date:
    if rule is HolidayRule.UNADJUSTED:
        return day
    while not calendar.is_business_day(day):
        day += timedelta(days=1)
    return day


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


def parse_date(text: str) -> date:
    """A date written YYYY-MM-DD (only that form) between 1900 and 2199; ValueError otherwise."""
    not_a_date = Said(N_("%(text)s is not a date (YYYY-MM-DD)"), text=repr(text))
    if not ISO_DATE.fullmatch(text):
        raise ValueError(not_a_date)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(not_a_date) from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(
            Said(
                N_("%(text)s is outside %(first)s..%(last)s"),
                text=text,
                first=EARLIEST.year,
                last=LATEST.year,
            )
        )
    return day


MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_month(text: str) -> date:
    """A month written YYYY-MM (only that form, ASCII digits) between 1900 and 2199, as its
    first day; ValueError otherwise (0000-00, 2025-13 and 0001-01 alike)."""
    match = MONTH.fullmatch(text)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"{text!r} is not a month (YYYY-MM)")
    day = date(int(match[1]), int(match[2]), 1)
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{text} is outside {EARLIEST.year}..{LATEST.year}")
    return day


def add_months(day: date, months: int, day_of_month: int | None = None) -> date:
    """The same day-of-month `months` later, clamped to the month's last day (Jan 31 -> Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    wanted = day_of_month if day_of_month is not None else day.day
    if wanted <= 28:  # every month has the day: no need to ask how long it is (a hot path)
        return date(year, month + 1, wanted)
    return date(year, month + 1, min(wanted, _stdcal.monthrange(year, month + 1)[1]))


def month_end(day: date) -> date:
    return date(day.year, day.month, _stdcal.monthrange(day.year, day.month)[1])
