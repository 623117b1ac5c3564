"""`POST /v1/furnishings` and `GET /v1/furnishings/{job_id}` against `creditmend serve`, on
SQLite and PostgreSQL (one server per database for the module): files applied by the server's
worker through the ingest pipeline, all or nothing or in part, records of another furnisher,
isolation between lenders, idempotency, and the refusals."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from api_support import PROBLEM_KEYS, START, Server
from furnish_support import (
    BAD_RIC,
    CSV,
    FINISHED,
    NDJSON,
    accounts_of,
    csv_file,
    jsonl,
    record,
    scalar,
)

from creditmend import bootstrap
from creditmend.domain.clients import FURNISH
from creditmend.services.clients import NewClient

JOB_KEYS = {
    "job_id", "status", "records", "applied", "unchanged", "corrected", "rejected", "rejects",
    "reason",
}  # fmt: skip
LIMIT = 64 * 1024 * 1024


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert set(body) == PROBLEM_KEYS
    assert body["request_id"] == answer.headers["x-request-id"]
    return body


@pytest.fixture(scope="module")
def lend2(api_server: Server) -> Iterator[NewClient]:
    """A furnishing client of the other lender (the server reads clients from the store)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CREDITMEND_KEY", api_server.env["CREDITMEND_KEY"])
        yield bootstrap.build_client_service(api_server.db_url).add_lender(
            "LEND2", [FURNISH], START
        )


def token_of(server: Server, made: NewClient) -> str:
    answer = httpx.post(
        f"{server.base_url}/v1/token",
        data={
            "grant_type": "client_credentials",
            "client_id": made.client_id,
            "client_secret": made.client_secret,
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def send(
    server: Server,
    body: bytes,
    token: str,
    headers: dict[str, str] = NDJSON,
    query: str = "",
) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/v1/furnishings{query}",
        content=body,
        headers={**bearer(token), **headers},
        timeout=30,
    )


def finished(server: Server, token: str, where: str) -> dict[str, Any]:
    """The job at `where` once the worker has finished it."""
    deadline = time.monotonic() + 60
    while True:
        answer = httpx.get(f"{server.base_url}{where}", headers=bearer(token))
        assert answer.status_code == 200, answer.text
        job: dict[str, Any] = answer.json()
        assert set(job) == JOB_KEYS
        if job["status"] in FINISHED:
            return job
        assert time.monotonic() < deadline, f"the job did not finish: {job}"
        time.sleep(0.05)


def accepted(answer: httpx.Response) -> str:
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body == {"job_id": body["job_id"], "status": "queued"}
    assert answer.headers["location"] == f"/v1/furnishings/{body['job_id']}"
    assert answer.headers["cache-control"] == "no-store"
    return str(answer.headers["location"])


def test_ndjson_and_csv_files_are_applied_and_audited(api_server: Server) -> None:
    token = api_server.token()
    sent = send(api_server, jsonl(record("H-1"), record("H-2")), token)
    job = finished(api_server, token, accepted(sent))
    assert (job["status"], job["records"], job["applied"], job["rejected"]) == ("done", 2, 2, 0)
    assert job["rejects"] == [] and job["reason"] is None
    as_csv = csv_file(record("H-2", balance="6900.00"), record("H-3"))
    job = finished(api_server, token, accepted(send(api_server, as_csv, token, CSV)))
    assert (job["status"], job["applied"], job["corrected"]) == ("done", 1, 1)
    assert accounts_of(api_server.db_url, "LEND1", "H-") == 3
    # Who sent it, with which scope and request: in the audit trail, as the ingest is.
    detail = json.loads(
        scalar(
            api_server.db_url,
            "select detail from audit_events where action = 'api_furnishing' and actor = :a "
            "and detail like :j",
            a="api:" + api_server.made["lender"].client_id,
            j=f"%{sent.json()['job_id']}%",
        )
    )
    assert (detail["scope"], detail["request_id"]) == ("furnish", sent.headers["x-request-id"])
    file_name = f"api-{sent.json()['job_id']}.jsonl"
    assert scalar(api_server.db_url, "select count(*) from ingestions where file_name = :f",
                  f=file_name) == 1  # fmt: skip
    assert scalar(api_server.db_url, "select count(*) from furnishing_job_bodies") == 0


def test_a_file_with_rejects_is_refused_whole_or_applied_in_part(api_server: Server) -> None:
    token = api_server.token()
    body = jsonl(record("P-1"), record("P-2", id_number=BAD_RIC), record("P-3"))
    refused = finished(api_server, token, accepted(send(api_server, body, token)))
    assert (refused["status"], refused["records"], refused["applied"]) == ("refused", 3, 0)
    assert refused["rejected"] == 1
    assert [(r["line"], r["field"]) for r in refused["rejects"]] == [(2, "id_number")]
    assert BAD_RIC[:-1] not in refused["rejects"][0]["reason"]
    assert accounts_of(api_server.db_url, "LEND1", "P-") == 0  # all or nothing
    part = finished(
        api_server, token, accepted(send(api_server, body, token, query="?partial=true"))
    )
    assert (part["status"], part["applied"], part["rejected"]) == ("done", 2, 1)
    assert [(r["line"], r["field"]) for r in part["rejects"]] == [(2, "id_number")]
    assert accounts_of(api_server.db_url, "LEND1", "P-") == 2
    bad = csv_file(record("P-4"), record("P-5", period="2099-01"))
    as_csv = finished(api_server, token, accepted(send(api_server, bad, token, CSV)))
    assert as_csv["status"] == "refused"
    assert [(r["line"], r["field"]) for r in as_csv["rejects"]] == [(3, "period")]


def test_a_record_of_another_furnisher_is_refused(api_server: Server) -> None:
    token = api_server.token()
    body = jsonl(record("O-1"), record("O-2", furnisher_id="LEND2"))
    whole = finished(api_server, token, accepted(send(api_server, body, token)))
    assert whole["status"] == "refused"
    assert [(r["line"], r["field"]) for r in whole["rejects"]] == [(2, "furnisher_id")]
    assert "LEND2" in whole["rejects"][0]["reason"]
    part = finished(
        api_server, token, accepted(send(api_server, body, token, query="?partial=true"))
    )
    assert (part["status"], part["applied"], part["rejected"]) == ("done", 1, 1)
    assert accounts_of(api_server.db_url, "LEND1", "O-") == 1
    assert accounts_of(api_server.db_url, "LEND2", "O-") == 0


def test_another_lenders_job_is_404_like_an_unknown_id(
    api_server: Server, lend2: NewClient
) -> None:
    token = api_server.token()
    where = accepted(send(api_server, jsonl(record("I-1")), token))
    finished(api_server, token, where)
    theirs = token_of(api_server, lend2)
    other = problem(httpx.get(f"{api_server.base_url}{where}", headers=bearer(theirs)), 404)
    unknown = problem(
        httpx.get(f"{api_server.base_url}/v1/furnishings/fj_nothing", headers=bearer(theirs)), 404
    )
    assert {**other, "request_id": ""} == {**unknown, "request_id": ""}


def test_the_same_key_replays_and_another_file_under_it_is_409(
    api_server: Server, lend2: NewClient
) -> None:
    token = api_server.token()
    key = {**NDJSON, "Idempotency-Key": "upload-2025-05-0001"}
    body = jsonl(record("K-1"))
    first = send(api_server, body, token, key)
    where = accepted(first)
    again = send(api_server, body, token, key)
    assert again.status_code == 202 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    conflict = problem(send(api_server, jsonl(record("K-2")), token, key), 409)
    assert conflict["errors"][0]["field"] == "Idempotency-Key"
    problem(send(api_server, body, token, key, query="?partial=true"), 409)
    assert finished(api_server, token, where)["applied"] == 1
    assert scalar(api_server.db_url, "select count(*) from furnishing_jobs where "
                  "idempotency_key = :k", k=key["Idempotency-Key"]) == 1  # fmt: skip
    # Keys are per client: the other lender's same key is its own.
    theirs = send(
        api_server, jsonl(record("K-1", furnisher_id="LEND2")), token_of(api_server, lend2), key
    )
    assert theirs.status_code == 202 and theirs.json()["job_id"] != first.json()["job_id"]
    problem(send(api_server, body, token, {**NDJSON, "Idempotency-Key": "has space"}), 422)


def test_refusals_without_token_scope_type_or_body(api_server: Server) -> None:
    base = api_server.base_url
    body = jsonl(record("X-1"))
    problem(httpx.post(f"{base}/v1/furnishings", content=body, headers=NDJSON), 401)
    problem(httpx.get(f"{base}/v1/furnishings/fj_x"), 401)
    inquirer = api_server.token("other")  # LEND2, scope inquire only
    problem(send(api_server, body, inquirer), 403)
    problem(httpx.get(f"{base}/v1/furnishings/fj_x", headers=bearer(inquirer)), 403)
    token = api_server.token()
    wrong = problem(send(api_server, body, token, {"Content-Type": "application/json"}), 415)
    assert wrong["errors"][0]["field"] == "Content-Type"
    empty = problem(send(api_server, b"", token), 422)
    assert empty["errors"] == [{"field": "body", "reason": "is empty"}]
    problem(send(api_server, body, token, query="?partial=perhaps"), 422)
    assert accounts_of(api_server.db_url, "LEND1", "X-") == 0


def _raw(server: Server, head: bytes, chunks: Iterable[bytes] = ()) -> bytes:
    """Send a request by hand (a body's declared length or chunks that httpx would not send
    this way) and read the answer's head."""
    where = urlsplit(server.base_url)
    with socket.create_connection((where.hostname, where.port), timeout=60) as connection:
        connection.sendall(head)
        try:
            for chunk in chunks:
                connection.sendall(chunk)
        except OSError:  # the server answered and closed while we were still sending
            pass
        answer = b""
        while b"\r\n\r\n" not in answer:
            received = connection.recv(65536)
            if not received:
                break
            answer += received
    return answer


def test_a_body_over_64_mib_is_413_before_or_while_it_streams(api_server: Server) -> None:
    token = api_server.token().encode()
    head = (
        b"POST /v1/furnishings HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n"
        b"Authorization: Bearer " + token + b"\r\n"
    )
    declared = _raw(api_server, head + f"Content-Length: {LIMIT + 1}\r\n\r\n".encode())
    assert declared.startswith(b"HTTP/1.1 413"), declared[:200]
    line = jsonl(record("L-1"))
    chunk = line * (1024 * 1024 // len(line))

    def chunked() -> Iterator[bytes]:
        for _ in range(LIMIT // len(chunk) + 2):  # just past the limit, and never ended
            yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"

    streamed = _raw(api_server, head + b"Transfer-Encoding: chunked\r\n\r\n", chunked())
    assert streamed.startswith(b"HTTP/1.1 413"), streamed[:200]
    assert b"application/problem+json" in streamed
    assert accounts_of(api_server.db_url, "LEND1", "L-") == 0


def test_a_revoked_clients_token_sends_and_reads_nothing(
    api_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client of LEND1 revoked after sending a file: its token is refused at once, for new
    files and for the job it sent; the lender's other client still reads the job."""
    made = api_server.made["revoked"]
    token = api_server.token("revoked")
    where = accepted(send(api_server, jsonl(record("V-1")), token))
    monkeypatch.setenv("CREDITMEND_KEY", api_server.env["CREDITMEND_KEY"])
    bootstrap.build_client_service(api_server.db_url).revoke(made.client_id, START)
    problem(send(api_server, jsonl(record("V-2")), token), 401)
    problem(httpx.get(f"{api_server.base_url}{where}", headers=bearer(token)), 401)
    job = finished(api_server, api_server.token(), where)
    assert (job["status"], job["applied"]) == ("done", 1)
