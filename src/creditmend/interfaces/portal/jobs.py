"""Work the portal does off the request path: a recovery plan (seconds: the optimiser, its
re-plans, the charts, the letters' PDFs) and the report's PDF (seconds: WeasyPrint).

A page that needs such work answers at once: it hands the work to `Jobs` under a key of
everything the result depends on (the user, what they asked, the business date, what the
bureau's file held when it was read) and sends the browser to the job's page, which refreshes
itself every 2 seconds (`<meta http-equiv="refresh">`: no script) until the result is there.
The same key asked again finds the same job, running or finished: the same inputs are never
computed twice, and a file that changed in between is a new key.

Bounds: `workers` threads (the app's lifespan shuts them down), each handing its CPU-bound
part to one of as many worker processes (`Processes`), at most `queue_limit` jobs
waiting or running (and `per_owner` of one user) before a new one is refused as busy, and the
`kept` most recently used finished jobs kept in memory (least recently used dropped first;
never a job still to finish). A job belongs to its user: any other user is told it does not
exist. The jobs are this process's: with several worker processes (`creditmend serve
--workers N`) a refresh that reaches another process does not find the job (404), so the
portal is served by one process (docs/portal.md).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from creditmend.domain.problems import Problem, ProblemsError

LOG = logging.getLogger("creditmend.portal.jobs")
WORKERS = 2
QUEUE_LIMIT = 16
PER_OWNER = 2
KEPT = 32
REFRESH_SECONDS = 2


class State(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Job:
    """One piece of work and, once it is done, its result (or the one problem it met)."""

    id: str
    owner: int
    kind: str
    key: Hashable
    inputs: Mapping[str, str] = field(default_factory=dict)  # the form, to show again
    state: State = State.QUEUED
    queued_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    finished_at: float | None = None
    result: Any = None
    problem: Problem | None = None

    @property
    def finished(self) -> bool:
        return self.state in (State.DONE, State.FAILED)

    def seconds(self, now: float | None = None) -> int:
        """Whole seconds since it was asked."""
        end = self.finished_at if self.finished_at is not None else (now or time.monotonic())
        return int(end - self.queued_at)


class Processes:
    """Worker processes for the CPU-bound part of a job (the optimiser, the typesetting): a
    thread of the serving process computing a plan would hold the interpreter's lock against
    every page (measured: /me/report's p95 went from 0.17 to 1.2 s while a plan was made). A
    job's thread hands its work here and waits. Started with `spawn` (never `fork` from a
    process with threads and open connections), on first use; the work and its result cross
    by pickling, so they are plain data and top-level functions."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def run(self, work: Callable[..., Any], *args: Any) -> Any:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(
                    self._workers,
                    mp_context=context,
                    initializer=_watch_parent,
                    initargs=(os.getpid(),),
                )
            pool = self._pool
        try:
            return pool.submit(work, *args).result()
        except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool next time
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            raise

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _watch_parent(parent: int) -> None:
    """In a worker process: end when the serving process is gone (killed, say, without its
    shutdown), rather than wait for work that never comes."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class BusyError(Exception):
    """Too many jobs waiting (all users', or this user's): asked again in a minute."""


class Jobs:
    def __init__(
        self,
        workers: int = WORKERS,
        queue_limit: int = QUEUE_LIMIT,
        per_owner: int = PER_OWNER,
        kept: int = KEPT,
    ) -> None:
        self._workers = workers
        self._queue_limit = queue_limit
        self._per_owner = per_owner
        self._kept = kept
        self._lock = threading.Lock()
        self._by_key: OrderedDict[Hashable, Job] = OrderedDict()
        self._by_id: dict[str, Job] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._closed = False
        self.processes = Processes(workers)  # where a job's own work computes (`run`)
        self.started = 0  # jobs handed to a worker since the start (for tests and the bench)

    def submit(
        self,
        owner: int,
        kind: str,
        key: Hashable,
        work: Callable[[], Any],
        inputs: Mapping[str, str] | None = None,
    ) -> Job:
        """The job of `key` (the user's and kind's own): the one already asked, running or
        finished, else a new one handed to the workers. A failed job is asked again (a busy
        store, say, may be gone). Raises BusyError past the bounds."""
        full_key = (kind, owner, key)
        with self._lock:
            found = self._by_key.get(full_key)
            if found is not None and found.state is not State.FAILED:
                self._by_key.move_to_end(full_key)
                return found
            active = [job for job in self._by_key.values() if not job.finished]
            if (
                self._closed
                or len(active) >= self._queue_limit
                or sum(job.owner == owner for job in active) >= self._per_owner
            ):
                raise BusyError(kind)
            if found is not None:
                self._forget(found)
            job = Job(secrets.token_urlsafe(12), owner, kind, full_key, dict(inputs or {}))
            self._by_key[full_key] = job
            self._by_id[job.id] = job
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="portal-job")
            self.started += 1
            self._pool.submit(self._run, job, work)
            self._trim()
            return job

    def find(self, owner: int, kind: str, job_id: str) -> Job | None:
        """The user's job of that kind, or None (someone else's is not theirs to know of)."""
        with self._lock:
            job = self._by_id.get(job_id)
            if job is None or job.owner != owner or job.kind != kind:
                return None
            self._by_key.move_to_end(job.key)
            return job

    def close(self) -> None:
        """Stop taking jobs; drop those still waiting (the app is shutting down)."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        self.processes.close()

    def _run(self, job: Job, work: Callable[[], Any]) -> None:
        with self._lock:
            job.state, job.started_at = State.RUNNING, time.monotonic()
        try:
            result = work()
        except ProblemsError as error:
            self._finish(job, State.FAILED, problem=error.problems[0])
        except Exception as error:  # the page says it failed; the log keeps the traceback
            LOG.exception("portal job %s (%s) failed", job.id, job.kind)
            problem = Problem(job.kind, f"could not be made ({type(error).__name__})")
            self._finish(job, State.FAILED, problem=problem)
        else:
            self._finish(job, State.DONE, result=result)

    def _finish(
        self, job: Job, state: State, *, result: Any = None, problem: Problem | None = None
    ) -> None:
        with self._lock:
            job.result, job.problem = result, problem
            job.state, job.finished_at = state, time.monotonic()
            self._trim()

    def _trim(self) -> None:
        """Drop the least recently used finished jobs past `kept` (under the lock)."""
        finished = [job for job in self._by_key.values() if job.finished]
        for job in finished[: max(0, len(finished) - self._kept)]:
            self._forget(job)

    def _forget(self, job: Job) -> None:
        self._by_key.pop(job.key, None)
        self._by_id.pop(job.id, None)
