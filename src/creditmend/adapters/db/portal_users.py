"""Portal users, codes and sessions in the store (the `PortalRepository` port of
services/portal_users.py). The identity is kept as the persons table keeps it: the vault's keyed
hash (a borrower's is their person's `id_hash`, so the two meet without the number) and the
number encrypted; the TOTP secret is encrypted with the same key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from creditmend.adapters.db import auth_failures
from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork, audit
from creditmend.domain.lockout import LockoutPolicy
from creditmend.domain.portal import (
    IDLE_TIMEOUT,
    PortalUser,
    Role,
    Session,
    Stage,
    Status,
    lockout_key,
)

ENROLMENT = "enrolment"
RECOVERY = "recovery"


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _user(row: Any) -> PortalUser:
    return PortalUser(
        user_id=row.id,
        role=Role(row.role),
        status=Status(row.status),
        display_name=row.display_name,
        totp_last_step=row.totp_last_step,
    )


class SqlPortalRepository:
    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def _login_hash(self, kind: str, identity: str) -> str:
        return self.unit_of_work.vault.id_hash(kind, identity)

    # ------------------------------------------------------------ invitations and enrolment
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
    ) -> int:
        """The user (made on first invitation) gets a new code; older unused ones die."""
        users, codes = t.portal_users.c, t.portal_codes.c
        key = self._login_hash(kind, identity)
        with self.unit_of_work.transaction() as conn:
            user_id = conn.execute(
                select(users.id).where(users.login_hash == key)
            ).scalar_one_or_none()
            if user_id is None:
                user_id = conn.execute(
                    insert(t.portal_users)
                    .values(
                        role=role.value,
                        login_hash=key,
                        id_type=kind,
                        id_cipher=self.unit_of_work.vault.encrypt(identity),
                        display_name=display_name,
                        status=Status.INVITED.value,
                        failed=0,
                        created_at=at,
                    )
                    .returning(users.id)
                ).scalar_one()
            conn.execute(
                delete(t.portal_codes).where(
                    codes.user_id == user_id, codes.kind == ENROLMENT, codes.used_at.is_(None)
                )
            )
            conn.execute(
                insert(t.portal_codes).values(
                    digest=code_digest,
                    user_id=user_id,
                    kind=ENROLMENT,
                    expires_on=expires_on,
                    created_at=at,
                )
            )
            audit(conn, at, by, "portal_invited",
                  detail={"user": user_id, "role": role.value, "expires_on": str(expires_on)},
                  subject_hash=key if role is Role.BORROWER else None)  # fmt: skip
            return int(user_id)

    def code_holder(self, code_digest: str) -> tuple[PortalUser, date] | None:
        codes = t.portal_codes.c
        query = (
            select(t.portal_users, codes.expires_on)
            .join(t.portal_codes, codes.user_id == t.portal_users.c.id)
            .where(codes.digest == code_digest, codes.kind == ENROLMENT, codes.used_at.is_(None))
        )
        with self.unit_of_work.reading() as conn:
            row = conn.execute(query).one_or_none()
        return None if row is None else (_user(row), row.expires_on)

    def is_identity_of(self, user_id: int, kind: str, identity: str) -> bool:
        users = t.portal_users.c
        with self.unit_of_work.reading() as conn:
            key = conn.execute(select(users.login_hash).where(users.id == user_id)).scalar_one()
        return bool(key == self._login_hash(kind, identity))

    def user_by_login(self, kind: str, identity: str) -> tuple[PortalUser, str | None] | None:
        users = t.portal_users.c
        query = select(t.portal_users).where(users.login_hash == self._login_hash(kind, identity))
        with self.unit_of_work.reading() as conn:
            row = conn.execute(query).one_or_none()
        return None if row is None else (_user(row), row.password_hash)

    def set_pending(self, user_id: int, password_hash: str, totp_secret: str) -> None:
        with self.unit_of_work.transaction() as conn:
            conn.execute(
                update(t.portal_users)
                .where(t.portal_users.c.id == user_id)
                .values(
                    pending_password_hash=password_hash,
                    pending_totp_cipher=self.unit_of_work.vault.encrypt(totp_secret),
                )
            )

    def totp_secret(self, user_id: int, *, pending: bool = False) -> str | None:
        users = t.portal_users.c
        column = users.pending_totp_cipher if pending else users.totp_cipher
        with self.unit_of_work.reading() as conn:
            cipher = conn.execute(select(column).where(users.id == user_id)).scalar_one_or_none()
        return None if cipher is None else self.unit_of_work.vault.decrypt(cipher)

    def pending_code(self, user_id: int) -> str | None:
        codes = t.portal_codes.c
        query = select(codes.digest).where(
            codes.user_id == user_id, codes.kind == ENROLMENT, codes.used_at.is_(None)
        )
        with self.unit_of_work.reading() as conn:
            return conn.execute(query).scalars().first()

    def activate(
        self, user_id: int, code_digest: str, recovery: Sequence[str], step: int, at: datetime
    ) -> None:
        users, codes = t.portal_users.c, t.portal_codes.c
        with self.unit_of_work.transaction() as conn:
            conn.execute(
                update(t.portal_users)
                .where(users.id == user_id)
                .values(
                    password_hash=users.pending_password_hash,
                    totp_cipher=users.pending_totp_cipher,
                    pending_password_hash=None,
                    pending_totp_cipher=None,
                    totp_last_step=step,
                    status=Status.ACTIVE.value,
                    enrolled_at=at,
                )
            )
            auth_failures.clear(conn, [lockout_key(user_id)])
            conn.execute(
                update(t.portal_codes).where(codes.digest == code_digest).values(used_at=at)
            )
            conn.execute(
                delete(t.portal_codes).where(codes.user_id == user_id, codes.kind == RECOVERY)
            )
            for code in recovery:
                conn.execute(
                    insert(t.portal_codes).values(
                        digest=code, user_id=user_id, kind=RECOVERY, created_at=at
                    )
                )
            conn.execute(delete(t.portal_sessions).where(t.portal_sessions.c.user_id == user_id))

    # ------------------------------------------------------------ sign-in
    def lock_of(self, user_id: int) -> datetime | None:
        with self.unit_of_work.reading() as conn:
            return auth_failures.latest_lock(conn, [lockout_key(user_id)])

    def count_failure(self, user_id: int, policy: LockoutPolicy, at: datetime) -> datetime | None:
        with self.unit_of_work.transaction() as conn:
            return auth_failures.count_failure(conn, [(lockout_key(user_id), policy)], at)

    def record_success(self, user_id: int, step: int | None) -> None:
        with self.unit_of_work.transaction() as conn:
            auth_failures.clear(conn, [lockout_key(user_id)])
            if step is not None:
                conn.execute(
                    update(t.portal_users)
                    .where(t.portal_users.c.id == user_id)
                    .values(totp_last_step=step)
                )

    def use_recovery_code(self, user_id: int, digest: str, at: datetime) -> bool:
        codes = t.portal_codes.c
        with self.unit_of_work.transaction() as conn:
            done = conn.execute(
                update(t.portal_codes)
                .where(
                    codes.digest == digest,
                    codes.user_id == user_id,
                    codes.kind == RECOVERY,
                    codes.used_at.is_(None),
                )
                .values(used_at=at)
            )
            return done.rowcount == 1

    # ------------------------------------------------------------ sessions
    def add_session(self, digest: str, user_id: int, stage: Stage, at: datetime) -> None:
        sessions = t.portal_sessions.c
        with self.unit_of_work.transaction() as conn:
            conn.execute(
                delete(t.portal_sessions).where(
                    sessions.user_id == user_id, sessions.last_seen_at <= at - IDLE_TIMEOUT
                )
            )
            conn.execute(
                insert(t.portal_sessions).values(
                    digest=digest,
                    user_id=user_id,
                    stage=stage.value,
                    created_at=at,
                    last_seen_at=at,
                )
            )

    def session(self, digest: str) -> Session | None:
        sessions = t.portal_sessions.c
        query = (
            select(
                t.portal_users,
                sessions.stage,
                sessions.created_at.label("opened"),
                sessions.last_seen_at,
            )
            .join(t.portal_sessions, sessions.user_id == t.portal_users.c.id)
            .where(sessions.digest == digest)
        )
        with self.unit_of_work.reading() as conn:
            row = conn.execute(query).one_or_none()
        if row is None:
            return None
        return Session(
            _user(row), Stage(row.stage), _utc(row.opened) or row.opened,
            _utc(row.last_seen_at) or row.last_seen_at,
        )  # fmt: skip

    def touch(self, digest: str, at: datetime) -> None:
        with self.unit_of_work.transaction() as conn:
            conn.execute(
                update(t.portal_sessions)
                .where(t.portal_sessions.c.digest == digest)
                .values(last_seen_at=at)
            )

    def end_session(self, digest: str) -> None:
        with self.unit_of_work.transaction() as conn:
            conn.execute(delete(t.portal_sessions).where(t.portal_sessions.c.digest == digest))

    def identity_of(self, user_id: int) -> tuple[str, str]:
        users = t.portal_users.c
        with self.unit_of_work.reading() as conn:
            row = conn.execute(
                select(users.id_type, users.id_cipher).where(users.id == user_id)
            ).one()
        return row.id_type, self.unit_of_work.vault.decrypt(row.id_cipher)

    def log(
        self,
        at: datetime,
        actor: str,
        action: str,
        detail: dict[str, object],
        refused: str | None = None,
        subject_user: int | None = None,
    ) -> None:
        with self.unit_of_work.transaction() as conn:
            person = key = None
            if subject_user is not None:
                key = conn.execute(
                    select(t.portal_users.c.login_hash).where(t.portal_users.c.id == subject_user)
                ).scalar_one()
                person = conn.execute(
                    select(t.persons.c.id).where(t.persons.c.id_hash == key)
                ).scalar_one_or_none()
            audit(conn, at, actor, action, subject=person, detail=dict(detail), refused=refused,
                  subject_hash=key if person is None else None)  # fmt: skip
