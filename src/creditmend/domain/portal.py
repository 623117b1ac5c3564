"""The portal's people and the rules of their sign-in (issue 18), pure: no clock, no store.

Two roles sign in to the web portal: a borrower (a person the bureau holds or may hold a file
on, identified by their identity document) and a desk user (the bureau's staff, by name). Both
are made by the desk with a one-time enrolment code, and both sign in with a password and a
time-based one-time password (TOTP, RFC 6238): the borrower because the file is theirs alone,
the desk because it sees everyone's (OWASP ASVS 4.0.3 2.2 and 4.3.1: a second factor for staff).

The rules here are the policy values and the decisions taken from them; services/portal_users.py
applies them with the store, the hashes and the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from creditmend.domain.lockout import LockoutPolicy
from creditmend.domain.problems import Problem


class Role(StrEnum):
    BORROWER = "borrower"
    DESK = "desk"


class Status(StrEnum):
    INVITED = "invited"  # a code was given; no password yet
    ACTIVE = "active"


class Stage(StrEnum):
    """How far a session has come: an enrolment waiting for its first TOTP code, or signed in."""

    ENROLLING = "enrolling"
    SIGNED_IN = "signed_in"


# The kinds of login: the identity document types of a borrower, and `desk` for staff (a desk
# user's identity is the name `user add-desk` was given).
DESK_KIND = "desk"
BORROWER_KINDS = ("cn_ric", "passport", "us_ssn")
LOGIN_KINDS = (*BORROWER_KINDS, DESK_KIND)

INVITE_DAYS = 7  # an enrolment code lives a week, counted in business dates
MIN_PASSWORD = 10  # NIST SP 800-63B asks at least 8; 10 costs a borrower little
MAX_PASSWORD = 128  # argon2 takes more, but a longer one is a mistake or an attack
RECOVERY_CODES = 10
IDLE_TIMEOUT = timedelta(minutes=15)  # a session unused this long is over
SESSION_LIFETIME = timedelta(hours=12)  # and none lives longer, used or not
ENROLMENT_LIFETIME = timedelta(minutes=15)  # from the password to the first TOTP code
FREE_FAILURES = 3  # failed sign-ins before the account waits
LOCK_AFTER = 5  # failed sign-ins before the account is locked
FIRST_LOCK = timedelta(minutes=15)
LONGEST_LOCK = timedelta(hours=24)
# The account's lockout (domain/lockout.py, the API's token endpoint uses the same rule):
# counted per account, so a guesser spread over many addresses gains nothing; the per-address
# rate limit of the sign-in form is the other half. A success clears the count.
SIGN_IN_LOCKOUT = LockoutPolicy(
    free_failures=FREE_FAILURES,
    lock_after=LOCK_AFTER,
    first_wait=timedelta(seconds=30),
    first_lock=FIRST_LOCK,
    longest_lock=LONGEST_LOCK,
)


@dataclass(frozen=True, slots=True)
class PortalUser:
    """A portal user as the services see it: never the identity number or a secret."""

    user_id: int
    role: Role
    status: Status
    display_name: str | None  # a desk user's name; None for a borrower
    totp_last_step: int | None = None  # the last TOTP time step accepted (no replay)


@dataclass(frozen=True, slots=True)
class Invitation:
    """What `user invite` and `user add-desk` print once: the code exists nowhere else."""

    code: str
    expires_on: date


@dataclass(frozen=True, slots=True)
class Session:
    user: PortalUser
    stage: Stage
    created_at: datetime
    last_seen_at: datetime


def invite_expiry(as_of: date, days: int = INVITE_DAYS) -> date:
    """The last business date an enrolment code is good for."""
    return as_of + timedelta(days=days)


def code_expired(expires_on: date, today: date) -> bool:
    return today > expires_on


def password_problems(password: str, is_common: Callable[[str], bool]) -> tuple[Problem, ...]:
    """Length and a list of known passwords (NIST SP 800-63B 5.1.1.2): no composition rules,
    which make passwords harder to remember and no harder to guess."""
    if len(password) < MIN_PASSWORD:
        return (Problem("password", f"at least {MIN_PASSWORD} characters"),)
    if len(password) > MAX_PASSWORD:
        return (Problem("password", f"at most {MAX_PASSWORD} characters"),)
    if is_common(password) or len(set(password)) < 3:
        return (Problem("password", "is a common password; choose another"),)
    return ()


def lockout_key(user_id: int) -> str:
    """The user's count of failed sign-ins in the store's failure counts (the token
    endpoint's counts are `client:...` and `address:...`)."""
    return f"portal:user:{user_id}"


def locked_until(failures: int, at: datetime) -> datetime | None:
    """After a failed sign-in, the `failures`-th in a row: until when the account waits. The
    first few are free; then a short wait that doubles (back-off); from `LOCK_AFTER` a lock of
    `FIRST_LOCK` that doubles up to `LONGEST_LOCK` (`SIGN_IN_LOCKOUT`)."""
    return SIGN_IN_LOCKOUT.locked_until(failures, at)


def session_alive(session: Session, at: datetime) -> bool:
    """A session lives while used within `IDLE_TIMEOUT` and not past its lifetime (an
    enrolment's is shorter: it only waits for the first TOTP code)."""
    lifetime = ENROLMENT_LIFETIME if session.stage is Stage.ENROLLING else SESSION_LIFETIME
    return at - session.last_seen_at < IDLE_TIMEOUT and at - session.created_at < lifetime
