"""The one clock: what time it is, and which day it is where the bureau's rules apply.

The domain never reads the time itself (every rule takes an explicit `as_of`); the interfaces
ask a `Clock` for the default business date. Its day is the jurisdiction's calendar day, not
UTC's: before 08:00 in Beijing the UTC date is still yesterday, and a deadline counted from it
would end a day early.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in the jurisdiction's zone."""

    def today(self) -> date:
        """The business date: today's date in the jurisdiction's zone."""


class ZonedClock:
    """The system's clock seen from one time zone (`zoneinfo.ZoneInfo` for a profile's zone)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def now(self) -> datetime:
        return datetime.now(UTC).astimezone(self.zone)

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    """A clock stopped at one instant: for tests and for replaying a day."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("at: a fixed clock needs an aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()
