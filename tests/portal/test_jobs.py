"""The portal's workers (`interfaces/portal/jobs.py`) on their own: one job per key, a job
only its owner finds, the bounds (waiting jobs, one user's, finished ones kept), a failure
kept as one problem and tried again when asked again."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from creditmend.domain.problems import Problem, ProblemsError
from creditmend.interfaces.portal.jobs import BusyError, Job, Jobs, State


@pytest.fixture
def jobs() -> Iterator[Jobs]:
    made = Jobs(workers=1, queue_limit=3, per_owner=2, kept=2)
    yield made
    made.close()


def _finished(job: Job) -> Job:
    for _ in range(4000):  # waits on the worker, not on a time
        if job.finished:
            return job
        time.sleep(0.005)
    raise AssertionError(f"job {job.id} never finished")


def _held() -> tuple[threading.Event, Callable[[], str]]:
    release = threading.Event()

    def work() -> str:
        release.wait(30)
        return "held"

    return release, work


def test_the_same_key_is_one_job_and_runs_once(jobs: Jobs) -> None:
    runs: list[int] = []
    first = jobs.submit(1, "plan", "k", lambda: runs.append(1) or "made")
    _finished(first)
    again = jobs.submit(1, "plan", "k", lambda: runs.append(2) or "again")
    assert again is first and first.result == "made" and runs == [1]
    assert jobs.started == 1
    # Another user's or another kind's same key is theirs alone.
    assert jobs.submit(2, "plan", "k", lambda: "theirs") is not first
    assert jobs.submit(1, "report.pdf", "k", lambda: "pdf") is not first


def test_only_the_owner_finds_a_job(jobs: Jobs) -> None:
    job = jobs.submit(1, "plan", "k", lambda: "made")
    assert jobs.find(1, "plan", job.id) is job
    assert jobs.find(2, "plan", job.id) is None
    assert jobs.find(1, "report.pdf", job.id) is None
    assert jobs.find(1, "plan", "no-such-job") is None


def test_the_bounds_refuse_as_busy(jobs: Jobs) -> None:
    release, work = _held()
    try:
        running = jobs.submit(1, "plan", "a", work)
        jobs.submit(1, "plan", "b", work)
        with pytest.raises(BusyError):  # a third of one user's at once
            jobs.submit(1, "plan", "c", work)
        jobs.submit(2, "plan", "a", work)
        with pytest.raises(BusyError):  # a fourth in all
            jobs.submit(3, "plan", "a", work)
        assert jobs.find(1, "plan", running.id) is running
        assert running.state in (State.QUEUED, State.RUNNING)
    finally:
        release.set()


def test_finished_jobs_kept_are_the_most_recently_used(jobs: Jobs) -> None:
    first = _finished(jobs.submit(1, "plan", "1", lambda: 1))
    second = _finished(jobs.submit(1, "plan", "2", lambda: 2))
    assert jobs.find(1, "plan", first.id) is first  # used: now the most recent
    _finished(jobs.submit(1, "plan", "3", lambda: 3))
    assert jobs.find(1, "plan", second.id) is None  # the least recently used went
    assert jobs.find(1, "plan", first.id) is first


def test_a_failure_is_one_problem_and_is_tried_again(jobs: Jobs) -> None:
    def refused() -> None:
        raise ProblemsError((Problem("plan.cash_flow", "too little"), Problem("x", "y")))

    failed = _finished(jobs.submit(1, "plan", "k", refused))
    assert failed.state is State.FAILED and failed.problem == Problem(
        "plan.cash_flow", "too little"
    )

    def broken() -> None:
        raise RuntimeError("the store is busy")

    crashed = _finished(jobs.submit(1, "plan", "other", broken))
    assert crashed.problem is not None and "RuntimeError" in crashed.problem.message
    again = _finished(jobs.submit(1, "plan", "k", lambda: "made"))
    assert again is not failed and again.result == "made"
    assert jobs.find(1, "plan", failed.id) is None


def test_a_closed_pool_takes_no_job(jobs: Jobs) -> None:
    jobs.close()
    with pytest.raises(BusyError):
        jobs.submit(1, "plan", "k", lambda: "late")
