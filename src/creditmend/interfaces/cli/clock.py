"""The CLI's time: bootstrap's one clock (the profile's zone, or the instant CREDITMEND_NOW
gives), asked here so that a bad CREDITMEND_NOW is a one-line error wherever a command first
needs the time."""

from __future__ import annotations

from datetime import date, datetime

from creditmend import bootstrap
from creditmend.interfaces.cli.errors import input_errors


def now() -> datetime:
    """The instant a command records (UTC, as the store keeps it)."""
    with input_errors():
        return bootstrap.clock().now()


def today() -> date:
    """The default business date: today in the jurisdiction's zone (Beijing's for `cn`)."""
    with input_errors():
        return bootstrap.clock().today()
