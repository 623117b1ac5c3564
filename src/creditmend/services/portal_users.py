"""Portal users: invitations, enrolment, sign-in with a password and TOTP, sessions (issue 18).

How each secret is kept, and why:
- the enrolment code, the recovery codes and the session token are random (80, 80 and 256
  bits), so a SHA-256 digest is enough to make a copy of the table useless (as for API tokens,
  services/clients.py); they are checked on every request or typed once;
- the password is a person's choice: argon2id (`SecretHasher`), slow and memory-hard;
- the TOTP secret must be read back to check a code: encrypted with the store's key
  (the identity vault's Fernet key, like identity numbers), by the repository;
- the identity number is never kept in clear: the repository keeps it as the persons table
  does (the keyed hash to find it, the cipher to read it back for the person's own report).

Every refusal is audited (`portal_refused`, its reason), never with a secret.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

from creditmend.domain.lockout import LockoutPolicy, wait_seconds
from creditmend.domain.portal import (
    BORROWER_KINDS,
    DESK_KIND,
    LOGIN_KINDS,
    RECOVERY_CODES,
    SIGN_IN_LOCKOUT,
    Invitation,
    PortalUser,
    Role,
    Session,
    Stage,
    Status,
    code_expired,
    invite_expiry,
    password_problems,
    session_alive,
)
from creditmend.domain.problems import Problem, ProblemsError

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
CODE_LENGTH = 16  # 80 bits
SESSION_BYTES = 32

NO_MATCH = "this code and identity do not go together (or the code was used)"
EXPIRED = "this code has expired: ask the bureau for a new one"
BAD_TOTP = "the code from the authenticator app is not right"
BAD_SIGN_IN = "the identity, password or code is not right"


class SecretHasher(Protocol):
    def hash(self, secret: str) -> str: ...

    def verify(self, stored: str, secret: str) -> bool: ...


class Totp(Protocol):
    """RFC 6238 time-based one-time passwords (pyotp in adapters/totp.py)."""

    def new_secret(self) -> str: ...

    def matching_step(self, secret: str, code: str, at: datetime) -> int | None:
        """The time step `code` is right for, within one step of `at`; None if none."""
        ...

    def uri(self, secret: str, account: str) -> str: ...

    def qr_svg(self, uri: str) -> str: ...


class PortalRepository(Protocol):
    """Portal users, codes and sessions in the store (adapters/db/portal_users.py). The
    identity (`kind`, `identity`) is given in clear and kept only hashed and encrypted."""

    def invite(
        self,
        role: Role,
        kind: str,
        identity: str,
        display_name: str | None,
        code_digest: str,
        expires_on: date,
        at: datetime,
        by: str = "operator",
    ) -> int: ...

    def code_holder(self, code_digest: str) -> tuple[PortalUser, date] | None:
        """The user an unused code was given to, and the code's last day."""
        ...

    def is_identity_of(self, user_id: int, kind: str, identity: str) -> bool: ...

    def user_by_login(self, kind: str, identity: str) -> tuple[PortalUser, str | None] | None:
        """The user and their password hash (None before enrolment)."""
        ...

    def set_pending(self, user_id: int, password_hash: str, totp_secret: str) -> None: ...

    def totp_secret(self, user_id: int, *, pending: bool = False) -> str | None: ...

    def activate(
        self, user_id: int, code_digest: str, recovery: Sequence[str], step: int, at: datetime
    ) -> None:
        """The pending password and TOTP secret made the user's, the code used, the recovery
        codes (digests) replacing any older ones, every other session ended."""
        ...

    def pending_code(self, user_id: int) -> str | None:
        """The digest of the unused, unexpired code the user's pending enrolment began with."""
        ...

    def lock_of(self, user_id: int) -> datetime | None:
        """Until when the user's sign-in waits, if it was ever made to (the store's failure
        counts, domain/lockout.py: the token endpoint's too)."""
        ...

    def count_failure(self, user_id: int, policy: LockoutPolicy, at: datetime) -> datetime | None:
        """One failed sign-in more, counted under the count's row lock; until when the next
        waits (None: it need not)."""
        ...

    def record_success(self, user_id: int, step: int | None) -> None:
        """The count cleared; the TOTP step (when one was used) kept against replay."""
        ...

    def use_recovery_code(self, user_id: int, digest: str, at: datetime) -> bool: ...

    def add_session(self, digest: str, user_id: int, stage: Stage, at: datetime) -> None:
        """A new session; the user's sessions unused since `at - IDLE_TIMEOUT` (dead) are
        swept in the same transaction."""
        ...

    def session(self, digest: str) -> Session | None: ...

    def touch(self, digest: str, at: datetime) -> None: ...

    def end_session(self, digest: str) -> None: ...

    def identity_of(self, user_id: int) -> tuple[str, str]:
        """A borrower's identity document (type, number), decrypted."""
        ...

    def log(
        self,
        at: datetime,
        actor: str,
        action: str,
        detail: dict[str, object],
        refused: str | None = None,
        subject_user: int | None = None,
    ) -> None:
        """An audit event; with `subject_user`, about that borrower's person (if any)."""
        ...


@dataclass(frozen=True, slots=True)
class EnrolmentStarted:
    session_token: str = field(repr=False)
    totp_secret: str = field(repr=False)
    qr_svg: str
    uri: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class SignedIn:
    session_token: str = field(repr=False)
    user: PortalUser
    recovery_codes: tuple[str, ...] = field(default=(), repr=False)  # only after enrolment


@dataclass(frozen=True, slots=True)
class SignInRefused:
    """Why, for the audit; `retry_after` (seconds) when the account is waiting or locked."""

    reason: str
    retry_after: int | None = None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_code() -> str:
    """16 characters of Crockford base32 (80 bits), shown in groups of four."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normal_code(typed: str) -> str:
    """As typed (spaces, dashes, lower case, O for 0, I and L for 1) to its canonical form."""
    text = "".join(typed.split()).replace("-", "").upper()
    text = text.translate(str.maketrans("OIL", "011"))
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _problem(field_name: str, message: str) -> ProblemsError:
    return ProblemsError((Problem(field_name, message),))


class PortalUserService:
    def __init__(
        self,
        repository: PortalRepository,
        hasher: SecretHasher,
        totp: Totp,
        is_common_password: Callable[[str], bool],
        id_is_valid: Callable[[str, str], bool],
    ) -> None:
        self.repository = repository
        self.hasher = hasher
        self.totp = totp
        self.is_common_password = is_common_password
        self.id_is_valid = id_is_valid
        self._decoy: str | None = None

    # ------------------------------------------------------------ the desk (command line)
    def invite(
        self, id_type: str, id_number: str, as_of: date, at: datetime, by: str = "operator"
    ) -> Invitation:
        """A one-time enrolment code for a borrower, after the desk checked who they are
        (`by`: the operator's terminal, or the desk user in the portal, as audited)."""
        id_number = "".join(id_number.split()).upper()
        if id_type not in BORROWER_KINDS:
            raise _problem("ID_TYPE", f"unknown {id_type!r}; one of {', '.join(BORROWER_KINDS)}")
        if not self.id_is_valid(id_type, id_number):
            raise _problem("ID_NUMBER", f"is not a valid {id_type} number")
        return self._invite(Role.BORROWER, id_type, id_number, None, as_of, at, by)

    def add_desk(self, name: str, as_of: date, at: datetime) -> Invitation:
        name = " ".join(name.split())
        if not name or len(name) > 64:
            raise _problem("NAME", "a desk user needs a name of 1 to 64 characters")
        return self._invite(Role.DESK, DESK_KIND, name, name, as_of, at)

    def _invite(
        self,
        role: Role,
        kind: str,
        identity: str,
        name: str | None,
        as_of: date,
        at: datetime,
        by: str = "operator",
    ) -> Invitation:
        code = new_code()
        expires = invite_expiry(as_of)
        self.repository.invite(role, kind, identity, name, digest(code), expires, _utc(at), by)
        return Invitation(code, expires)

    # ------------------------------------------------------------ enrolment (the portal)
    def begin_enrolment(
        self, code: str, kind: str, identity: str, password: str, today: date, at: datetime
    ) -> EnrolmentStarted:
        """Check the code against the identity, then the password; keep the password's hash
        and a new TOTP secret pending until the first TOTP code confirms the app has it."""
        at = _utc(at)
        identity = self._normal_identity(kind, identity)
        code_digest = digest(normal_code(code))
        found = self.repository.code_holder(code_digest)
        if found is None or not self.repository.is_identity_of(found[0].user_id, kind, identity):
            self._refused(at, "enrol", "code and identity do not match", found)
            raise _problem("code", NO_MATCH)
        user, expires_on = found
        if code_expired(expires_on, today):
            self._refused(at, "enrol", "code expired", found)
            raise _problem("code", EXPIRED)
        problems = password_problems(password, self.is_common_password)
        if problems:
            self._refused(at, "enrol", "weak password", found)
            raise ProblemsError(problems)
        secret = self.totp.new_secret()
        self.repository.set_pending(user.user_id, self.hasher.hash(password), secret)
        token = secrets.token_urlsafe(SESSION_BYTES)
        self.repository.add_session(digest(token), user.user_id, Stage.ENROLLING, at)
        account = user.display_name or "borrower"
        uri = self.totp.uri(secret, account)
        return EnrolmentStarted(token, secret, self.totp.qr_svg(uri), uri)

    def pending_setup(self, session_token: str, at: datetime) -> tuple[str, str] | None:
        """The QR code (SVG) and the secret of a started enrolment, to show again until the
        first TOTP code confirms it; None when the enrolment session is gone."""
        session = self.session(session_token, _utc(at))
        if session is None or session.stage is not Stage.ENROLLING:
            return None
        secret = self.repository.totp_secret(session.user.user_id, pending=True)
        if secret is None:
            return None
        uri = self.totp.uri(secret, session.user.display_name or "borrower")
        return self.totp.qr_svg(uri), secret

    def finish_enrolment(self, session_token: str, totp_code: str, at: datetime) -> SignedIn:
        """The first TOTP code: the enrolment is done, the recovery codes are made (shown
        once), and the person is signed in with a new session."""
        at = _utc(at)
        session = self.session(session_token, at)
        if session is None or session.stage is not Stage.ENROLLING:
            raise _problem("session", "the enrolment has expired: start again with your code")
        user = session.user
        secret = self.repository.totp_secret(user.user_id, pending=True)
        code_digest = self.repository.pending_code(user.user_id)
        step = None if secret is None else self.totp.matching_step(secret, totp_code, at)
        if step is None or code_digest is None:
            self._log_refusal(at, user.user_id, "enrol", "wrong TOTP code")
            raise _problem("totp", BAD_TOTP)
        recovery = tuple(new_code() for _ in range(RECOVERY_CODES))
        self.repository.activate(
            user.user_id, code_digest, [digest(code) for code in recovery], step, at
        )
        self.repository.end_session(digest(session_token))
        token = self._open_session(user, at, "portal_enrolled")
        return SignedIn(token, user, recovery)

    # ------------------------------------------------------------ sign-in
    def sign_in(
        self, kind: str, identity: str, password: str, second: str, at: datetime
    ) -> SignedIn | SignInRefused:
        """Password and a TOTP code (or one recovery code); a waiting or locked account is
        refused before its password is checked. An unknown identity costs one argon2
        verification too, so that timing does not tell who is enrolled."""
        at = _utc(at)
        found = None if kind not in LOGIN_KINDS else self.repository.user_by_login(
            kind, self._normal_identity(kind, identity)
        )  # fmt: skip
        if found is None or found[1] is None or found[0].status is not Status.ACTIVE:
            self.hasher.verify(self._decoy_hash(), password)
            self.repository.log(at, "portal:unknown", "portal_refused", {"step": "sign_in"},
                                refused="unknown or not enrolled")  # fmt: skip
            return SignInRefused("unknown or not enrolled")
        user, stored = found[0], found[1] or ""
        wait = wait_seconds(self.repository.lock_of(user.user_id), at)
        if wait is not None:
            self._log_refusal(at, user.user_id, "sign_in", "locked")
            return SignInRefused("locked", wait)
        step: int | None = None
        ok = self.hasher.verify(stored, password)
        if ok:
            step, ok = self._second_factor(user, second, at)
        if not ok:
            until = self.repository.count_failure(user.user_id, SIGN_IN_LOCKOUT, at)
            self._log_refusal(at, user.user_id, "sign_in", "wrong password or code")
            return SignInRefused("wrong password or code", wait_seconds(until, at))
        self.repository.record_success(user.user_id, step)
        return SignedIn(self._open_session(user, at, "portal_signed_in"), user)

    def _second_factor(
        self, user: PortalUser, second: str, at: datetime
    ) -> tuple[int | None, bool]:
        typed = "".join(second.split())
        if len(typed.replace("-", "")) == CODE_LENGTH:  # a recovery code
            used = self.repository.use_recovery_code(user.user_id, digest(normal_code(typed)), at)
            return None, used
        secret = self.repository.totp_secret(user.user_id)
        step = None if secret is None else self.totp.matching_step(secret, typed, at)
        if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
            return None, False  # wrong, or a code already used (a replay)
        return step, True

    # ------------------------------------------------------------ sessions
    def session(self, token: str, at: datetime) -> Session | None:
        """The live session the cookie holds (its last use moved to `at`), or None."""
        key = digest(token)
        found = self.repository.session(key)
        if found is None:
            return None
        if not session_alive(found, _utc(at)):
            self.repository.end_session(key)
            return None
        self.repository.touch(key, _utc(at))
        return found

    def sign_out(self, token: str, at: datetime) -> None:
        found = self.repository.session(digest(token))
        self.repository.end_session(digest(token))
        if found is not None:
            self.repository.log(_utc(at), _actor(found.user), "portal_signed_out", {})

    def identity(self, user: PortalUser) -> tuple[str, str]:
        if user.role is not Role.BORROWER:
            raise _problem("role", "only a borrower has a credit file")
        return self.repository.identity_of(user.user_id)

    def log_look(self, user: PortalUser, page: str, at: datetime) -> None:
        """A page showing part of the borrower's own file: audited as the subject's own look."""
        self.repository.log(_utc(at), _actor(user), "portal_look", {"page": page},
                            subject_user=user.user_id)  # fmt: skip

    # ------------------------------------------------------------ helpers
    def _open_session(self, user: PortalUser, at: datetime, action: str) -> str:
        token = secrets.token_urlsafe(SESSION_BYTES)
        self.repository.add_session(digest(token), user.user_id, Stage.SIGNED_IN, at)
        self.repository.log(at, _actor(user), action, {"role": user.role.value})
        return token

    def _normal_identity(self, kind: str, identity: str) -> str:
        if kind == DESK_KIND:
            return " ".join(identity.split())
        return "".join(identity.split()).upper()

    def _refused(
        self, at: datetime, step: str, reason: str, found: tuple[PortalUser, date] | None
    ) -> None:
        if found is None:
            self.repository.log(at, "portal:unknown", "portal_refused", {"step": step},
                                refused=reason)  # fmt: skip
        else:
            self._log_refusal(at, found[0].user_id, step, reason)

    def _log_refusal(self, at: datetime, user_id: int, step: str, reason: str) -> None:
        self.repository.log(at, f"portal:user:{user_id}", "portal_refused", {"step": step},
                            refused=reason)  # fmt: skip

    def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = self.hasher.hash(secrets.token_urlsafe(SESSION_BYTES))
        return self._decoy


def actor(user: PortalUser) -> str:
    """How the audit names a portal user (never their identity)."""
    return _actor(user)


def _actor(user: PortalUser) -> str:
    return f"portal:user:{user.user_id}"
