"""China's official working-day calendar from the `holidays` package.

`holidays.China` knows the State Council's yearly holiday notice, including the weekend days that
are made working days (调休). Years the State Council has not announced yet are estimated by the
package; `is_announced` tells callers which years those are.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from holidays import HolidayBase


class ChinaCalendar:
    def __init__(self, announced_until: int = 2026) -> None:
        self.announced_until = announced_until

    def is_business_day(self, day: date) -> bool:
        return bool(_china(day.year).is_working_day(day))

    def is_announced(self, year: int) -> bool:
        return year <= self.announced_until


@lru_cache(maxsize=64)
def _china(year: int) -> HolidayBase:
    from holidays.countries.china import China  # noqa: PLC0415 - imported when first needed

    return China(years=year)
