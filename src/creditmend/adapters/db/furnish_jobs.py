"""Furnishing jobs in the store (the `JobRepository` port of services/furnish_jobs.py): the job
row and its body are written in one transaction with the audit event of the call; a worker
takes a job by a compare-and-set on its status and lease, so two server processes never run
the same job at once, and a job whose worker died is taken again once its lease has lapsed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork, audit
from creditmend.domain.furnish_jobs import (
    FAILED,
    MAX_REJECTS,
    QUEUED,
    RUNNING,
    FurnishingJob,
    JobCounts,
    NewJob,
)
from creditmend.domain.problems import Problem

JOBS = t.furnishing_jobs.c


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives back the UTC values it was given without their offset."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _job(row: Any) -> FurnishingJob:
    rejects = tuple(
        Problem(item["field"], item["reason"], item["line"])
        for item in json.loads(row.rejects or "[]")
    )
    return FurnishingJob(
        job_id=row.job_id,
        client_id=row.client_id,
        furnisher_code=row.furnisher_code,
        fmt=row.fmt,
        partial=bool(row.partial),
        sha256=row.sha256,
        idempotency_key=row.idempotency_key,
        status=row.status,
        received_at=_utc(row.received_at) or row.received_at,
        counts=JobCounts(row.records, row.applied, row.unchanged, row.corrected, row.rejected),
        rejects=rejects,
        reason=row.reason,
        attempts=row.attempts,
    )


class SqlJobRepository:
    """The `JobRepository` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def submit(self, new: NewJob, body: bytes, scope: str) -> tuple[FurnishingJob, bool]:
        """The job queued with its body and the call's audit event; or, when the client has
        used this idempotency key before, that job (and False: nothing was written)."""
        if new.idempotency_key is not None:
            earlier = self.by_key(new.client_id, new.idempotency_key)
            if earlier is not None:
                return earlier, False
        try:
            with self.unit_of_work.transaction() as conn:
                conn.execute(
                    insert(t.furnishing_jobs).values(
                        job_id=new.job_id,
                        client_id=new.client_id,
                        furnisher_code=new.furnisher_code,
                        idempotency_key=new.idempotency_key,
                        fmt=new.fmt,
                        partial=new.partial,
                        sha256=new.sha256,
                        size=new.size,
                        request_id=new.request_id,
                        status=QUEUED,
                        received_at=new.received_at,
                        attempts=0,
                        records=0,
                        applied=0,
                        unchanged=0,
                        corrected=0,
                        rejected=0,
                    )
                )
                conn.execute(insert(t.furnishing_job_bodies).values(job_id=new.job_id, body=body))
                audit(
                    conn,
                    new.received_at,
                    "api:" + new.client_id,
                    "api_furnishing",
                    detail={
                        "job_id": new.job_id,
                        "furnisher": new.furnisher_code,
                        "scope": scope,
                        "request_id": new.request_id,
                        "sha256": new.sha256,
                        "bytes": new.size,
                        "format": new.fmt,
                        "partial": new.partial,
                        "idempotency_key": new.idempotency_key is not None,
                    },
                )
        except IntegrityError:
            # The same key sent twice at once: the other request's job was committed first.
            if new.idempotency_key is None:
                raise
            earlier = self.by_key(new.client_id, new.idempotency_key)
            if earlier is None:
                raise
            return earlier, False
        job = self.job(new.job_id, new.furnisher_code)
        assert job is not None
        return job, True

    def by_key(self, client_id: str, key: str) -> FurnishingJob | None:
        query = select(t.furnishing_jobs).where(
            JOBS.client_id == client_id, JOBS.idempotency_key == key
        )
        with self.unit_of_work.reading() as conn:
            row = conn.execute(query).one_or_none()
            return None if row is None else _job(row)

    def job(self, job_id: str, furnisher_code: str | None) -> FurnishingJob | None:
        """The job, if it is `furnisher_code`'s (None: any lender's, for the bureau itself)."""
        query = select(t.furnishing_jobs).where(JOBS.job_id == job_id)
        if furnisher_code is not None:
            query = query.where(JOBS.furnisher_code == furnisher_code)
        with self.unit_of_work.reading() as conn:
            row = conn.execute(query).one_or_none()
            return None if row is None else _job(row)

    def take(
        self, owner: str, now: datetime, lease_until: datetime
    ) -> tuple[FurnishingJob, bytes] | None:
        """The oldest job waiting (queued, or running under a lapsed lease), now `owner`'s
        until `lease_until`, with its body; None when there is none. The update names the
        status and attempts it read, so of two workers taking the same job one wins."""
        waiting = or_(JOBS.status == QUEUED, (JOBS.status == RUNNING) & (JOBS.lease_until < now))
        for _ in range(5):  # another worker took the one we read: look again
            with self.unit_of_work.transaction() as conn:
                row = conn.execute(
                    select(JOBS.job_id, JOBS.status, JOBS.attempts)
                    .where(waiting)
                    .order_by(JOBS.received_at, JOBS.job_id)
                    .limit(1)
                ).one_or_none()
                if row is None:
                    return None
                taken = conn.execute(
                    update(t.furnishing_jobs)
                    .where(
                        JOBS.job_id == row.job_id,
                        JOBS.status == row.status,
                        JOBS.attempts == row.attempts,  # taken once more each time
                    )
                    .values(
                        status=RUNNING,
                        owner=owner,
                        lease_until=lease_until,
                        attempts=row.attempts + 1,
                        started_at=now,
                    )
                )
                if taken.rowcount != 1:
                    continue
                found = conn.execute(
                    select(t.furnishing_jobs).where(JOBS.job_id == row.job_id)
                ).one()
                body = conn.execute(
                    select(t.furnishing_job_bodies.c.body).where(
                        t.furnishing_job_bodies.c.job_id == row.job_id
                    )
                ).scalar_one_or_none()
                return _job(found), bytes(body or b"")
        return None

    def renew(self, job_id: str, owner: str, lease_until: datetime) -> bool:
        """Keep the job `owner`'s a while longer; False when it is no longer (taken again)."""
        with self.unit_of_work.transaction() as conn:
            done = conn.execute(
                update(t.furnishing_jobs)
                .where(JOBS.job_id == job_id, JOBS.owner == owner, JOBS.status == RUNNING)
                .values(lease_until=lease_until)
            )
            return done.rowcount == 1

    def finish(
        self,
        job_id: str,
        owner: str,
        status: str,
        counts: JobCounts,
        rejects: list[Problem],
        reason: str | None,
        at: datetime,
    ) -> bool:
        """The job's outcome, its body deleted and the outcome audited, in one transaction;
        False (nothing written) when `owner` no longer holds it."""
        kept = [
            {"line": p.line, "field": p.field, "reason": p.message} for p in rejects[:MAX_REJECTS]
        ]
        with self.unit_of_work.transaction() as conn:
            done = conn.execute(
                update(t.furnishing_jobs)
                .where(JOBS.job_id == job_id, JOBS.owner == owner, JOBS.status == RUNNING)
                .values(
                    status=status,
                    finished_at=at,
                    lease_until=None,
                    records=counts.records,
                    applied=counts.applied,
                    unchanged=counts.unchanged,
                    corrected=counts.corrected,
                    rejected=counts.rejected,
                    rejects=json.dumps(kept, ensure_ascii=False),
                    reason=reason,
                )
            )
            if done.rowcount != 1:
                return False
            self._drop_body(conn, job_id)
            row = conn.execute(
                select(JOBS.client_id, JOBS.request_id).where(JOBS.job_id == job_id)
            ).one()
            audit(
                conn,
                at,
                "api:" + row.client_id,
                "api_furnishing_done",
                detail={
                    "job_id": job_id,
                    "request_id": row.request_id,
                    "status": status,
                    "records": counts.records,
                    "applied": counts.applied,
                    "rejected": counts.rejected,
                    "reason": reason,
                },
            )
            return True

    def give_up(self, job_id: str, reason: str, at: datetime) -> None:
        """A job its workers never finished (each stopped while running it): failed, so
        that a file which stops servers is not taken again and again."""
        with self.unit_of_work.transaction() as conn:
            conn.execute(
                update(t.furnishing_jobs)
                .where(JOBS.job_id == job_id, JOBS.status == RUNNING)
                .values(status=FAILED, finished_at=at, lease_until=None, reason=reason)
            )
            self._drop_body(conn, job_id)

    @staticmethod
    def _drop_body(conn: Any, job_id: str) -> None:
        conn.execute(
            delete(t.furnishing_job_bodies).where(t.furnishing_job_bodies.c.job_id == job_id)
        )
