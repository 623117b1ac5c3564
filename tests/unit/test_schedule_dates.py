from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from creditmend.domain.calendar import HolidayRule, WeekdayCalendar
from creditmend.domain.loan.contract import Contract, RepaymentMethod
from creditmend.domain.loan.schedule import build_schedule
from creditmend.domain.money import Money
from creditmend.domain.rate import Rate


def _due_dates(disbursed_on: date, **terms: Any) -> list[date]:
    base = Contract(
        "d",
        Money.of("10000", "CNY"),
        Rate.annual("0.12"),
        6,
        RepaymentMethod.EQUAL_INSTALLMENT,
        disbursed_on,
    )
    contract = replace(base, **terms)
    return [i.due_on for i in build_schedule(contract, WeekdayCalendar(), 360).installments]


def test_month_end_disbursement_does_not_creep() -> None:
    assert _due_dates(date(2026, 1, 31)) == [
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 31),
    ]


def test_due_day_and_first_due_date() -> None:
    assert _due_dates(date(2026, 1, 20), due_day=5)[:3] == [
        date(2026, 2, 5),
        date(2026, 3, 5),
        date(2026, 4, 5),
    ]
    assert _due_dates(date(2026, 1, 20), first_due_on=date(2026, 3, 1))[:2] == [
        date(2026, 3, 1),
        date(2026, 4, 1),
    ]


def test_following_rolls_weekend_due_dates() -> None:
    # 2026-03-07 is a Saturday: the due date rolls to Monday 03-09; the next stays on the 7th.
    dates = _due_dates(date(2026, 2, 7), holiday_rule=HolidayRule.FOLLOWING)
    assert dates[:2] == [date(2026, 3, 9), date(2026, 4, 7)]
