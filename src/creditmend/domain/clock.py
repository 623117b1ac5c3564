"""The one clock: what time it is, and which day it is where the bureau's rules apply.

The domain never reads the time itself (every rule takes an explicit `as_of`); the interfaces
ask a `Clock` (made once, in `bootstrap`, from the profile's time zone) for the default business
date and for the instant a command records. The day is the jurisdiction's calendar day, not
UTC's: before 08:00 in Beijing the UTC date is still yesterday, and a deadline counted from it
would end a day early.

The instant is given in UTC. It is what the store records ("received at", "at"), and SQLite keeps
a timestamp's wall time but drops its offset: every instant written in one zone keeps the stored
ones comparable and in order, as they always were. Only the date is the zone's business.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC (the instant a command records)."""

    def today(self) -> date:
        """The business date: the current instant's date in the jurisdiction's zone."""


class ZonedClock:
    """The system's clock seen from one time zone (`zoneinfo.ZoneInfo` for a profile's zone)."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return datetime.now(self.zone).date()


class FixedClock:
    """A clock stopped at one instant, seen from one time zone: for tests and for replaying a
    day. The instant may be written with any offset; its day is the zone's."""

    def __init__(self, at: datetime, zone: tzinfo) -> None:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("at: a fixed clock needs an aware datetime")
        self.at = at.astimezone(UTC)
        self.day = at.astimezone(zone).date()

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.day
