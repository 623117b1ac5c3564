"""Furnishing jobs in process: the worker of a served app, and the restart path (a server that
stopped mid-job), on SQLite and PostgreSQL: a job left running is run again once its lease has
lapsed, and nothing of its file is applied twice."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from api_support import START, InProcess, register_furnishers
from fastapi.testclient import TestClient
from furnish_support import NDJSON, accounts_of, jsonl, record, scalar

from creditmend import bootstrap
from creditmend.domain.clients import FURNISH
from creditmend.domain.furnish_jobs import DONE, FAILED, RUNNING, FurnishingJob
from creditmend.services.furnish_jobs import MAX_ATTEMPTS, Accepted, FurnishJobService


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_served_apps_worker_applies_a_file(api: InProcess) -> None:
    """With the app's lifespan running (as under uvicorn), the worker thread takes the job the
    POST made, without anyone asking it to."""
    with TestClient(api.app) as client:
        token = client.post(
            "/v1/token",
            data={
                "grant_type": "client_credentials",
                "client_id": api.made["lender"].client_id,
                "client_secret": api.made["lender"].client_secret,
            },
        ).json()["access_token"]
        headers = {**bearer(token), **NDJSON}
        sent = client.post("/v1/furnishings", content=jsonl(record("W-1")), headers=headers)
        assert sent.status_code == 202, sent.text
        where = sent.headers["location"]
        deadline = time.monotonic() + 30
        while (job := client.get(where, headers=headers).json())["status"] in ("queued", RUNNING):
            assert time.monotonic() < deadline, job
            time.sleep(0.05)
    assert (job["status"], job["applied"], job["rejects"]) == (DONE, 1, [])
    assert accounts_of(api.url, "LEND1", "W-") == 1


@pytest.mark.parametrize(
    ("kind", "body", "rejects"),
    [
        ("application/x-ndjson", b"\xff\xfe\x00\n", [(1, "line")]),
        ("application/x-ndjson", b"not json\n", [(1, "line")]),
        ("text/csv", b"a,b\n1,2\n", [(1, "header")]),
        ("text/csv", jsonl(record("J-1")), [(1, "header")]),
    ],
    ids=["not utf-8", "not json", "csv of unknown columns", "json lines sent as csv"],
)
def test_a_file_that_cannot_be_read_is_refused_with_its_line(
    api: InProcess, kind: str, body: bytes, rejects: list[tuple[int, str]]
) -> None:
    headers = bearer(api.token())
    sent = api.client.post(
        "/v1/furnishings", content=body, headers={**headers, "Content-Type": kind}
    )
    assert sent.status_code == 202, sent.text
    assert api.service.furnish_jobs.run_next("test") is not None
    job = api.client.get(sent.headers["location"], headers=headers).json()
    assert (job["status"], job["applied"], job["rejected"]) == ("refused", 0, 1)
    assert [(r["line"], r["field"]) for r in job["rejects"]] == rejects
    assert "creditmend-job-" not in str(job)  # the worker's private folder is not named


def test_a_file_sent_while_sqlites_writer_is_busy_is_503_and_stores_nothing(
    api: InProcess,
) -> None:
    """SQLite has one writer: while another transaction holds it past the busy timeout (a
    large file being applied), a file sent is refused as the store's (503), not as a 500."""
    headers = {**bearer(api.token()), **NDJSON}
    database = api.url.removeprefix("sqlite:///")
    with sqlite3.connect(database, timeout=0) as writer:
        writer.execute("BEGIN IMMEDIATE")
        answer = api.client.post("/v1/furnishings", content=jsonl(record("B-1")), headers=headers)
        writer.rollback()
    assert answer.status_code == 503, answer.text
    assert answer.json()["type"] == "urn:creditmend:problem:store-unavailable"
    assert scalar(api.url, "select count(*) from furnishing_jobs") == 0


# ---------------------------------------------------------------- the restart path
@dataclass
class Store:
    url: str
    service: bootstrap.Service
    client_id: str

    def send(self, body: bytes) -> FurnishingJob:
        outcome = self.service.furnish_jobs.submit(
            self.client_id, "LEND1", "jsonl", False, body, _sha(body), None, "req-1", FURNISH, START
        )
        assert isinstance(outcome, Accepted)
        return outcome.job

    def jobs_later(self, by: timedelta) -> FurnishJobService:
        """The job service of a server started `by` later (its wall clock ahead)."""
        jobs = self.service.furnish_jobs
        return FurnishJobService(
            jobs.jobs, jobs.furnish, jobs.clock, now=lambda: datetime.now(UTC) + by
        )

    def ingestions(self, job: FurnishingJob) -> int:
        return int(
            scalar(self.url, "select count(*) from ingestions where sha256 = :s", s=job.sha256)
        )


def _sha(body: bytes) -> str:
    import hashlib  # noqa: PLC0415

    return hashlib.sha256(body).hexdigest()


@pytest.fixture
def store(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("CREDITMEND_KEY", bootstrap.new_key())
    register_furnishers(db_url, "LEND1", "LEND2")
    service = bootstrap.build_service(db_url)
    made = service.clients.add_lender("LEND1", [FURNISH], START)
    return Store(db_url, service, made.client_id)


LAPSED = timedelta(minutes=5)  # past the default 30 s lease


def test_a_job_left_running_before_its_commit_is_run_again(store: Store) -> None:
    job = store.send(jsonl(record("R-1"), record("R-2")))
    jobs = store.service.furnish_jobs.jobs
    now = datetime.now(UTC)
    taken = jobs.take("a-server-that-was-killed", now, now + timedelta(seconds=30))
    assert taken is not None and taken[0].status == RUNNING
    # ... and that server died before its transaction committed: nothing of the file is in.
    assert accounts_of(store.url, "LEND1", "R-") == 0
    # A server started at once leaves the job alone: its lease has not lapsed.
    assert store.service.furnish_jobs.run_next("new-server") is None
    finished = store.jobs_later(LAPSED).run_next("new-server")
    assert finished is not None and finished.job_id == job.job_id
    assert (finished.status, finished.counts.applied, finished.attempts) == (DONE, 2, 2)
    assert accounts_of(store.url, "LEND1", "R-") == 2
    assert store.ingestions(job) == 1
    assert scalar(store.url, "select count(*) from furnishing_job_bodies") == 0


def test_a_job_whose_file_was_committed_before_the_crash_applies_nothing_twice(
    store: Store, tmp_path: Path
) -> None:
    body = jsonl(record("C-1"), record("C-2"))
    job = store.send(body)
    jobs = store.service.furnish_jobs.jobs
    now = datetime.now(UTC)
    assert jobs.take("killed-after-commit", now, now + timedelta(seconds=30)) is not None
    # The killed server had applied the file (its transaction committed) but not yet written
    # the job's outcome: the ingest it ran, on the same bytes.
    path = tmp_path / "sent.jsonl"
    path.write_bytes(body)
    furnish = store.service.bureau.furnish
    first = furnish.ingest(path, "jsonl", furnish.clock.today(), START, sender="LEND1")
    assert first.applied == 2
    months = scalar(store.url, "select count(*) from account_months")
    finished = store.jobs_later(LAPSED).run_next("new-server")
    assert finished is not None
    counts = finished.counts
    assert (finished.status, counts.records, counts.applied, counts.unchanged) == (DONE, 2, 0, 2)
    assert store.ingestions(job) == 1
    assert scalar(store.url, "select count(*) from account_months") == months
    assert accounts_of(store.url, "LEND1", "C-") == 2


def test_a_job_that_stops_every_server_is_failed_after_its_attempts(store: Store) -> None:
    job = store.send(jsonl(record("F-1")))
    jobs = store.service.furnish_jobs.jobs
    for crash in range(MAX_ATTEMPTS):
        now = datetime.now(UTC) + crash * LAPSED
        assert jobs.take(f"crashed-{crash}", now, now + timedelta(seconds=30)) is not None
    finished = store.jobs_later((MAX_ATTEMPTS + 1) * LAPSED).run_next("new-server")
    assert finished is not None and finished.job_id == job.job_id
    assert finished.status == FAILED
    assert finished.reason is not None and "stopped 3 times" in finished.reason
    assert accounts_of(store.url, "LEND1", "F-") == 0
    assert scalar(store.url, "select count(*) from furnishing_job_bodies") == 0
