"""Lockout and back-off after failed authentications, pure: one policy type and its decisions,
used by the portal's sign-in (per account) and the API's token endpoint (per client id and per
address), so that both slow a guesser the same way and a change to the rule is made once.

A guesser of a password or a client secret is slowed by the hash (argon2) only by a constant;
counting failures makes each further guess cost more: the first few are free (a person mistypes),
then each failure makes the next try wait, the wait doubling (back-off), and from `lock_after`
a lock that doubles up to `longest_lock`. The counter is the store's (every worker sees it); a
success clears it, and, where the policy says so, a counter left alone for `forget_after` starts
again (an address shared by many callers is not punished for a bad day long past).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    free_failures: int  # failures in a row that cost nothing
    lock_after: int  # from this failure on, a lock rather than a short wait
    first_wait: timedelta  # the wait after the first failure past the free ones (doubles)
    first_lock: timedelta  # the first lock (doubles with each further failure)
    longest_lock: timedelta
    forget_after: timedelta | None = None  # a count untouched this long starts again

    def locked_until(self, failures: int, at: datetime) -> datetime | None:
        """After the `failures`-th failure in a row at `at`: until when the next try waits
        (None: it need not)."""
        if failures <= self.free_failures:
            return None
        if failures < self.lock_after:
            doubling: int = 2 ** min(failures - self.free_failures - 1, 32)
            wait: timedelta = min(self.longest_lock, self.first_wait * doubling)
            return at + wait
        # the exponent is capped: a counter in the millions must not overflow a timedelta
        doubling = 2 ** min(failures - self.lock_after, 32)
        lock: timedelta = min(self.longest_lock, self.first_lock * doubling)
        return at + lock

    def still_counts(self, last_failure: datetime | None, at: datetime) -> bool:
        """Whether a count whose last failure was at `last_failure` still stands at `at`."""
        if last_failure is None:
            return False
        return self.forget_after is None or at - last_failure < self.forget_after


def wait_seconds(until: datetime | None, at: datetime) -> int | None:
    """Whole seconds (at least 1) until `until`, as a `Retry-After` says them; None when
    `until` is not after `at` (nothing to wait for)."""
    if until is None or until <= at:
        return None
    return max(1, math.ceil((until - at).total_seconds()))
