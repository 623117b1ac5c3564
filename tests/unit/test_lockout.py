"""The lockout rule (domain/lockout.py) the portal's sign-in and the API's token endpoint share:
free failures, a doubling wait, a doubling lock up to its longest, a count forgotten."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from creditmend.domain.clients import ADDRESS_LOCKOUT, CLIENT_LOCKOUT
from creditmend.domain.lockout import wait_seconds
from creditmend.domain.portal import SIGN_IN_LOCKOUT, locked_until

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def waits(
    policy_until: Callable[[int, datetime], datetime | None], upto: int
) -> list[float | None]:
    found: list[float | None] = []
    for failures in range(1, upto + 1):
        until = policy_until(failures, AT)
        found.append(None if until is None else (until - AT).total_seconds())
    return found


def test_the_client_id_waits_then_locks_for_at_most_an_hour() -> None:
    minute = 60.0
    assert waits(CLIENT_LOCKOUT.locked_until, 11) == [
        None, None, None, None, None, 30.0, 60.0, 15 * minute, 30 * minute, 60 * minute,
        60 * minute,
    ]  # fmt: skip


def test_the_address_has_more_free_failures_and_short_waits() -> None:
    got = waits(ADDRESS_LOCKOUT.locked_until, 26)
    assert got[:20] == [None] * 20
    assert got[20:] == [1.0, 2.0, 4.0, 8.0, 300.0, 600.0]


def test_the_portal_keeps_its_numbers_through_the_shared_rule() -> None:
    assert waits(locked_until, 7) == [None, None, None, 30.0, 900.0, 1800.0, 3600.0]
    assert locked_until(10**6, AT) == AT + timedelta(hours=24)  # no overflow, capped
    assert SIGN_IN_LOCKOUT.forget_after is None


def test_a_count_is_forgotten_only_where_the_policy_says() -> None:
    hour = timedelta(hours=1)
    assert ADDRESS_LOCKOUT.still_counts(AT - hour + timedelta(seconds=1), AT)
    assert not ADDRESS_LOCKOUT.still_counts(AT - hour, AT)
    assert SIGN_IN_LOCKOUT.still_counts(AT - timedelta(days=400), AT)
    assert not CLIENT_LOCKOUT.still_counts(None, AT)


def test_wait_seconds_rounds_up_and_is_none_when_past() -> None:
    assert wait_seconds(AT + timedelta(seconds=29, milliseconds=1), AT) == 30
    assert wait_seconds(AT + timedelta(milliseconds=1), AT) == 1
    assert wait_seconds(AT, AT) is None
    assert wait_seconds(None, AT) is None
