"""Writers at once: the one way a use case meets another writer that took the same rows first.

On PostgreSQL two transactions may make the same new person (or account) at once: the second
waits on the first's uncommitted row, then fails (a unique violation, a deadlock, a
serialisation failure). The store rolls its transaction back whole and says so with
`ConcurrentWriteError`; the use case runs again as it was (then finding the rows made), a few
times at most. SQLite serialises writers and never raises it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from creditmend.domain.problems import ConcurrentWriteError, Problem, ProblemsError

TRIES_ON_CONFLICT = 5  # runs of one unit of work while other writers take the same rows first
T = TypeVar("T")


def rerun_on_conflict(run: Callable[[], T]) -> T:
    """`run()`, run again while another writer took its rows first; after the last try, a
    one-line problem of the store (nothing of `run` was applied)."""
    for attempt in range(1, TRIES_ON_CONFLICT + 1):
        try:
            return run()
        except ConcurrentWriteError as error:
            if attempt == TRIES_ON_CONFLICT:
                reason = f"other writers kept taking the same rows first; try again ({error})"
                raise ProblemsError((Problem("store", reason),)) from None
    raise AssertionError("unreachable")
