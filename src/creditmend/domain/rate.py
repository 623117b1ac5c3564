"""Interest rates quoted per year, month or day, and their conversions.

Conversions need the profile's day count (days in a year) because a daily rate of 0.05 % is
18 % a year under annual/360 but 18.25 % under annual/365; the conversion is therefore never
implicit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from creditmend.domain.money import ZERO, MoneyError, decimal_of


class RatePeriod(Enum):
    ANNUAL = "annual"
    MONTHLY = "monthly"
    DAILY = "daily"


@dataclass(frozen=True, slots=True)
class Rate:
    """A simple (non-compounding) interest rate per period, as a fraction (0.18 = 18 %)."""

    value: Decimal
    period: RatePeriod

    def __post_init__(self) -> None:
        if self.value < ZERO:
            raise MoneyError(f"{self.period.value}_rate", f"{self.value} is negative")

    @classmethod
    def annual(cls, value: str | Decimal) -> Rate:
        return cls(decimal_of(value, "annual_rate"), RatePeriod.ANNUAL)

    @classmethod
    def monthly(cls, value: str | Decimal) -> Rate:
        return cls(decimal_of(value, "monthly_rate"), RatePeriod.MONTHLY)

    @classmethod
    def daily(cls, value: str | Decimal) -> Rate:
        return cls(decimal_of(value, "daily_rate"), RatePeriod.DAILY)

    def per_year(self, days_in_year: int) -> Decimal:
        if self.period is RatePeriod.ANNUAL:
            return self.value
        if self.period is RatePeriod.MONTHLY:
            return self.value * 12
        return self.value * days_in_year

    def per_month(self, days_in_year: int) -> Decimal:
        if self.period is RatePeriod.MONTHLY:
            return self.value
        return self.per_year(days_in_year) / 12

    def per_day(self, days_in_year: int) -> Decimal:
        if self.period is RatePeriod.DAILY:
            return self.value
        return self.per_year(days_in_year) / days_in_year

    def scaled(self, factor: Decimal) -> Rate:
        return Rate(self.value * factor, self.period)

    def __str__(self) -> str:
        return f"{self.value * 100}% {self.period.value}"
