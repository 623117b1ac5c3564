"""A `creditmend serve` killed (SIGKILL) while its worker applies a file: the store keeps
nothing of the file, and the server started again runs the job to its end, once.

On PostgreSQL, the store of a server with workers (half a minute for both databases was too
much for one test): on SQLite the same restart path runs in process (test_furnishings.py), and
a killed `creditmend ingest` in tests/e2e/test_cli_bureau.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_support import START, _wait_listening, register_furnishers
from furnish_support import NDJSON, jsonl, record, scalar

from creditmend import bootstrap
from creditmend.domain.clients import FURNISH

RECORDS = 22_000  # 9 MB: screened by forked workers too; seconds of work, killed mid-way


def serve(db_url: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    command = [sys.executable, "-m", "creditmend", "serve", "--port", "0", "--db", db_url]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    return process, _wait_listening(process, log, time.monotonic() + 60)


def status_in_store(db_url: str, job_id: str) -> str:
    found = scalar(db_url, "select status from furnishing_jobs where job_id = :j", j=job_id)
    return str(found)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_server_killed_mid_job_loses_nothing_and_applies_nothing_twice(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = bootstrap.new_key()
    monkeypatch.setenv("CREDITMEND_KEY", key)
    register_furnishers(db_url, "LEND1")
    made = bootstrap.build_client_service(db_url).add_lender("LEND1", [FURNISH], START)
    env = {**os.environ, "CREDITMEND_KEY": key, "CREDITMEND_API_JOB_LEASE": "1"}
    env.pop("CREDITMEND_NOW", None)
    log = tmp_path / "first.log"
    body = jsonl(*(record(f"Z-{index}") for index in range(RECORDS)))
    process, base = serve(db_url, env, log)
    try:
        form = {"grant_type": "client_credentials", "client_id": made.client_id}
        token = httpx.post(
            f"{base}/v1/token", data={**form, "client_secret": made.client_secret}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", **NDJSON}
        sent = httpx.post(f"{base}/v1/furnishings", content=body, headers=headers, timeout=60)
        assert sent.status_code == 202, sent.text
        job_id, where = sent.json()["job_id"], sent.headers["location"]
        deadline = time.monotonic() + 60
        while httpx.get(f"{base}{where}", headers=headers).json()["status"] == "queued":
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)  # mid-job: no shutdown, no finally
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert status_in_store(db_url, job_id) == "running", "the job finished before the kill"
    assert scalar(db_url, "select count(*) from accounts") == 0  # nothing of the file
    assert scalar(db_url, "select count(*) from ingestions") == 0
    log = tmp_path / "second.log"
    process, base = serve(db_url, env, log)
    try:
        token = httpx.post(
            f"{base}/v1/token", data={**form, "client_secret": made.client_secret}
        ).json()["access_token"]
        headers["Authorization"] = f"Bearer {token}"
        deadline = time.monotonic() + 120
        while (job := httpx.get(f"{base}{where}", headers=headers).json())["status"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert (job["status"], job["records"], job["applied"]) == ("done", RECORDS, RECORDS)
    assert scalar(db_url, "select count(*) from accounts") == RECORDS
    assert scalar(db_url, "select count(*) from account_months") == RECORDS
    assert scalar(db_url, "select count(*) from ingestions") == 1
    assert scalar(db_url, "select attempts from furnishing_jobs where job_id = :j", j=job_id) == 2
