"""The API's furnishing worker keeps polling when the store is busy, and says why in one line."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any, cast

import pytest

from creditmend.domain.problems import Problem, ProblemsError
from creditmend.services.furnish_jobs import FurnishJobService, JobWorker


class _Flaky:
    """A job service whose store is busy on the first poll, then fails, then has no job."""

    def __init__(self) -> None:
        self.calls = 0
        self.done = threading.Event()

    def run_next(self, owner: str, lease: timedelta) -> Any:
        self.calls += 1
        if self.calls == 1:
            raise ProblemsError((Problem("db", "cannot write x.db: database is locked"),))
        if self.calls == 2:
            raise RuntimeError("a bug")
        self.done.set()
        return None


def test_a_busy_store_is_one_line_and_the_worker_polls_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = _Flaky()
    worker = JobWorker(cast(FurnishJobService, service), poll=0.01)
    with caplog.at_level(logging.WARNING):
        worker.start()
        assert service.done.wait(10)
        worker.stop()
    busy, bug = (r for r in caplog.records if "cannot take a job" in r.getMessage())
    assert "database is locked" in busy.getMessage() and busy.exc_info is None
    assert bug.exc_info is not None  # anything else keeps its traceback
