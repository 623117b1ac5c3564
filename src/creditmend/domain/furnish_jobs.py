"""A furnishing job: one file a lender sent over the API, applied later by the server's worker
through the same pipeline as `creditmend ingest` (services/furnish_jobs.py).

    queued -> running -> done      (applied: all of it, or with `partial` its valid records)
                      -> refused   (rejects and not `partial`: nothing applied)
                      -> failed    (could not be applied: the store refused, or the server
                                    stopped too many times while applying it)

A job left `running` by a server that stopped is taken again once its lease has lapsed: the
ingest is one transaction and knows a file it applied before, so a re-run applies nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from creditmend.domain.problems import Problem

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
REFUSED = "refused"
FAILED = "failed"
STATUSES = (QUEUED, RUNNING, DONE, REFUSED, FAILED)
FINISHED = frozenset({DONE, REFUSED, FAILED})
FORMATS = ("jsonl", "csv")


@dataclass(frozen=True, slots=True)
class JobCounts:
    """What the pipeline made of the file (all 0 until the job has run)."""

    records: int = 0
    applied: int = 0
    unchanged: int = 0
    corrected: int = 0
    rejected: int = 0  # lines with at least one reject


@dataclass(frozen=True, slots=True)
class NewJob:
    """A file received: who sent it, what it is; the body goes beside it."""

    job_id: str
    client_id: str
    furnisher_code: str
    fmt: str  # jsonl | csv
    partial: bool
    sha256: str  # of the body: an idempotent retry must send the same bytes
    size: int
    idempotency_key: str | None
    request_id: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class FurnishingJob:
    job_id: str
    client_id: str
    furnisher_code: str
    fmt: str
    partial: bool
    sha256: str
    idempotency_key: str | None
    status: str
    received_at: datetime
    counts: JobCounts = JobCounts()
    rejects: tuple[Problem, ...] = ()  # the first MAX_REJECTS, in line order
    reason: str | None = None  # why it failed
    attempts: int = 0

    def same_request(self, new: NewJob) -> bool:
        """An idempotent retry: the same bytes, sent the same way."""
        return (self.sha256, self.fmt, self.partial) == (new.sha256, new.fmt, new.partial)


MAX_REJECTS = 1000  # kept per job: a file of 100,000 bad lines says enough in its first 1,000
