"""Furnishing over the API: a lender's file is received as a job (stored with its body), and a
worker in the server process applies it with `FurnishService.ingest`, the pipeline of
`creditmend ingest` (no second implementation of any rule), with the sender's furnisher code so
that every record must be the sender's.

Crash safety rests on the ingest: a file is applied in one transaction, and a file whose content
was applied before is not applied again. So a job whose server stopped mid-file (its lease
lapsed, `running` in the store) is simply run again by the next worker: if the stopped run had
not committed, nothing of it is in the store and the file is applied now; if it had, the re-run
finds the file applied and changes nothing. A job taken `MAX_ATTEMPTS` times without finishing
(a file that stops servers) is marked failed instead.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from creditmend.domain.clock import Clock
from creditmend.domain.furnish_jobs import (
    DONE,
    FAILED,
    MAX_REJECTS,
    REFUSED,
    FurnishingJob,
    JobCounts,
    NewJob,
)
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.services.furnish import FurnishService

log = logging.getLogger("creditmend.api.jobs")
STORE_FIELDS = frozenset({"db", "store"})
MAX_ATTEMPTS = 3
LEASE = timedelta(seconds=30)  # a running job is its worker's this long, renewed every third


class JobRepository(Protocol):
    def submit(self, new: NewJob, body: bytes, scope: str) -> tuple[FurnishingJob, bool]: ...

    def job(self, job_id: str, furnisher_code: str | None) -> FurnishingJob | None: ...

    def take(
        self, owner: str, now: datetime, lease_until: datetime
    ) -> tuple[FurnishingJob, bytes] | None: ...

    def renew(self, job_id: str, owner: str, lease_until: datetime) -> bool: ...

    def finish(
        self,
        job_id: str,
        owner: str,
        status: str,
        counts: JobCounts,
        rejects: list[Problem],
        reason: str | None,
        at: datetime,
    ) -> bool: ...

    def give_up(self, job_id: str, reason: str, at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class Accepted:
    job: FurnishingJob
    replayed: bool  # an idempotent retry: the job of the first request


@dataclass(frozen=True, slots=True)
class KeyReused:
    """The idempotency key was used before for another file (or another way of sending it)."""

    job: FurnishingJob


class FurnishJobService:
    """Receive files as jobs; take and run them (`run_next`, called by `JobWorker`)."""

    def __init__(
        self,
        jobs: JobRepository,
        furnish: FurnishService,
        clock: Clock,
        now: Callable[[], datetime],
    ) -> None:
        self.jobs = jobs
        self.furnish = furnish
        self.clock = clock  # the business clock: the file's as-of day and the audit's time
        self.now = now  # the wall clock of leases (never a frozen business clock)

    def submit(
        self,
        client_id: str,
        furnisher_code: str,
        fmt: str,
        partial: bool,
        body: bytes,
        sha256: str,
        idempotency_key: str | None,
        request_id: str,
        scope: str,
        at: datetime,
    ) -> Accepted | KeyReused:
        new = NewJob(
            job_id="fj_" + secrets.token_hex(12),
            client_id=client_id,
            furnisher_code=furnisher_code,
            fmt=fmt,
            partial=partial,
            sha256=sha256,
            size=len(body),
            idempotency_key=idempotency_key,
            request_id=request_id,
            received_at=at.astimezone(UTC),
        )
        job, made = self.jobs.submit(new, body, scope)
        if made:
            return Accepted(job, replayed=False)
        return Accepted(job, replayed=True) if job.same_request(new) else KeyReused(job)

    def job(self, job_id: str, furnisher_code: str | None) -> FurnishingJob | None:
        return self.jobs.job(job_id, furnisher_code)

    def run_next(self, owner: str, lease: timedelta = LEASE) -> FurnishingJob | None:
        """Take the oldest waiting job and run it to its end, holding it for `lease` at a time
        (renewed while it runs); None when none waits."""
        now = self.now()
        taken = self.jobs.take(owner, now, now + lease)
        if taken is None:
            return None
        job, body = taken
        if job.attempts > MAX_ATTEMPTS:
            why = (
                f"the server stopped {job.attempts - 1} times while applying this file; "
                "nothing of it was applied twice: send it again, or ask the bureau"
            )
            self.jobs.give_up(job.job_id, why, self.clock.now().astimezone(UTC))
            return self.jobs.job(job.job_id, None) or job
        with self._kept_alive(job.job_id, owner, lease):
            status, counts, rejects, reason = self._apply(job, body)
        self.jobs.finish(
            job.job_id, owner, status, counts, rejects, reason, self.clock.now().astimezone(UTC)
        )
        return self.jobs.job(job.job_id, None) or job

    def _apply(
        self, job: FurnishingJob, body: bytes
    ) -> tuple[str, JobCounts, list[Problem], str | None]:
        """The file through `FurnishService.ingest`, from a private folder (the pipeline reads
        a path and writes its rejects beside it); the folder is gone afterwards."""
        with tempfile.TemporaryDirectory(prefix="creditmend-job-") as folder:  # 0700
            path = Path(folder) / f"api-{job.job_id}.{job.fmt}"
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out:
                out.write(body)
            try:
                report = self.furnish.ingest(
                    path,
                    job.fmt,
                    self.clock.today(),
                    self.clock.now(),
                    job.partial,
                    sender=job.furnisher_code,
                )
            except ProblemsError as error:
                if any(problem.field in STORE_FIELDS for problem in error.problems):
                    log.error("furnishing job %s: the store refused it: %s", job.job_id, error)
                    return FAILED, JobCounts(), [], "the store could not apply the file; retry"
                # The file as a whole (a CSV without its header): refused, nothing applied.
                problems = [_named(problem, path) for problem in error.problems]
                reason = "; ".join(str(problem) for problem in problems[:3])
                lines = len({problem.line for problem in problems})
                return REFUSED, JobCounts(rejected=lines), problems, reason
            except Exception:
                log.exception("furnishing job %s failed", job.job_id)
                return FAILED, JobCounts(), [], "an unforeseen error; the bureau's log has it"
            rejects = _rejects(report.rejects_file, path)
        counts = JobCounts(
            report.records, report.applied, report.unchanged, report.corrected, report.rejected
        )
        return (DONE if report.committed else REFUSED), counts, rejects, None

    @contextmanager
    def _kept_alive(self, job_id: str, owner: str, lease: timedelta) -> Iterator[None]:
        """The job's lease renewed every third of it while it runs, so that it is taken again
        only once this process has stopped."""
        done = threading.Event()

        def renew() -> None:
            while not done.wait(lease.total_seconds() / 3):
                try:
                    self.jobs.renew(job_id, owner, self.now() + lease)
                except Exception:  # the store unreachable a moment: the next renewal may do
                    log.warning("furnishing job %s: lease not renewed", job_id, exc_info=True)

        beat = threading.Thread(target=renew, name=f"lease-{job_id}", daemon=True)
        beat.start()
        try:
            yield
        finally:
            done.set()
            beat.join()


def _named(problem: Problem, path: Path) -> Problem:
    """A problem as the sender may read it: the private folder is not named."""
    message = problem.message.replace(str(path), path.name).replace(str(path.parent), ".")
    return Problem(problem.field, message, problem.line)


def _rejects(rejects_file: str | None, path: Path) -> list[Problem]:
    if rejects_file is None:
        return []
    found: list[Problem] = []
    with open(rejects_file, encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            found.append(_named(Problem(item["field"], item["reason"], item["line"]), path))
            if len(found) == MAX_REJECTS:
                break
    return found


class JobWorker:
    """One thread in the server process running the store's waiting jobs, one at a time: woken
    by a new job of this process (`wake`), and looking every `poll` seconds for jobs another
    process received or a stopped server left behind."""

    def __init__(
        self, service: FurnishJobService, lease: timedelta = LEASE, poll: float = 1.0
    ) -> None:
        self.service = service
        self.lease = lease
        self.poll = poll
        self.owner = f"{os.getpid()}-{secrets.token_hex(6)}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="furnishing-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, wait: float = 10.0) -> None:
        """Stop taking jobs; a job running now finishes unless it takes longer than `wait`
        (then the process ends with it running, and the next server runs it again)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(wait)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                while not self._stop.is_set() and self.service.run_next(self.owner, self.lease):
                    pass
            except ProblemsError as busy:  # the store busy or unreachable: the next poll
                log.warning("furnishing jobs: cannot take a job now: %s", busy)
            except Exception:  # anything else: its traceback, then the next poll
                log.warning("furnishing jobs: cannot take a job now", exc_info=True)
            self._wake.wait(self.poll)
            self._wake.clear()
