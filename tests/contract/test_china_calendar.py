"""The holidays adapter against known State Council notices (2025 and 2026 holidays)."""

from __future__ import annotations

from datetime import date

from creditmend.adapters.holidays_cn import ChinaCalendar
from creditmend.domain.calendar import HolidayRule, WeekdayCalendar, add_months, adjust
from creditmend.domain.creditfile.objection import reply_due
from creditmend.domain.rules import profile


def test_weekend_working_days_and_holidays() -> None:
    calendar = ChinaCalendar()
    assert calendar.is_business_day(date(2025, 1, 26))  # Sunday made a working day (调休)
    assert not calendar.is_business_day(date(2025, 1, 28))  # Spring Festival Eve holiday
    assert not calendar.is_business_day(date(2025, 10, 1))  # National Day
    assert calendar.is_business_day(date(2025, 9, 30))


def test_due_date_rolls_forward_only_when_the_contract_says_so() -> None:
    calendar = ChinaCalendar()
    national_day = date(2025, 10, 1)
    assert adjust(national_day, HolidayRule.UNADJUSTED, calendar) == national_day
    assert adjust(national_day, HolidayRule.FOLLOWING, calendar) == date(2025, 10, 9)
    assert adjust(date(2026, 3, 7), HolidayRule.FOLLOWING, WeekdayCalendar()) == date(2026, 3, 9)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 13) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)


def test_an_objection_deadline_counts_holidays_and_working_weekends() -> None:
    """Art. 25's 20 days by the Civil Code's rules (Art. 201, 203) on the real 2026 calendar."""
    calendar, cn = ChinaCalendar(), profile("cn")
    # Day 20 is 2026-10-04, inside the National Day holiday (Oct 1-7): the next working day.
    assert reply_due(date(2026, 9, 14), cn, calendar) == date(2026, 10, 8)
    # Day 20 is Sunday 2026-02-15, the first day of the Spring Festival holiday (Feb 15-23).
    assert reply_due(date(2026, 1, 26), cn, calendar) == date(2026, 2, 24)
    # Day 20 is Saturday 2026-02-14, a working day (调休): the period ends on it.
    assert reply_due(date(2026, 1, 25), cn, calendar) == date(2026, 2, 14)
