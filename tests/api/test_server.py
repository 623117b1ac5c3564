"""`creditmend serve` end to end, over HTTP on a loopback port, against SQLite and PostgreSQL
(one server per database for the module): tokens, expiry, revocation, health, problems, limits,
headers."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest
from api_support import PROBLEM_KEYS, START, Server

from creditmend import bootstrap

SERVER_TOKEN_TTL = 5  # seconds: short, so that the expiry test waits little (the fixture reads it),
# long enough that a token used at once outlives a round trip on a loaded machine (2 s did not)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def problem(answer: httpx.Response, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = answer.json()
    assert set(body) == PROBLEM_KEYS
    assert body["request_id"] == answer.headers["x-request-id"]
    return body


def test_health_and_readiness(api_server: Server) -> None:
    assert httpx.get(f"{api_server.base_url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{api_server.base_url}/readyz").json() == {"status": "ready"}
    schema = httpx.get(f"{api_server.base_url}/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/v1/token" in schema["paths"]
    assert httpx.get(f"{api_server.base_url}/docs").status_code == 200


def test_token_flow_and_the_request_id_in_the_log(api_server: Server) -> None:
    made = api_server.made["lender"]
    answer = httpx.post(
        f"{api_server.base_url}/v1/token",
        data={"grant_type": "client_credentials"},
        auth=(made.client_id, made.client_secret),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["expires_in"] == SERVER_TOKEN_TTL
    assert answer.headers["cache-control"] == "no-store"
    wrong = httpx.post(
        f"{api_server.base_url}/v1/token",
        data={"grant_type": "client_credentials", "client_id": made.client_id,
              "client_secret": "nope"},
    )  # fmt: skip
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    lines = (f"{answer.headers['x-request-id']} POST /v1/token 200",
             f"{wrong.headers['x-request-id']} POST /v1/token 401")  # fmt: skip
    log = api_server.log_with(*lines)
    assert all(line in log for line in lines), log
    assert made.client_secret not in log
    assert answer.json()["access_token"] not in log


def test_a_token_works_until_it_expires(api_server: Server) -> None:
    token = api_server.token()
    issued = time.monotonic()
    me = httpx.get(f"{api_server.base_url}/v1/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["furnisher_code"] == "LEND1"
    assert me.headers["cache-control"] == "no-store"
    while time.monotonic() - issued <= SERVER_TOKEN_TTL + 0.5:
        time.sleep(0.2)
    expired = httpx.get(f"{api_server.base_url}/v1/me", headers=bearer(token))
    problem(expired, 401)
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]


def test_a_revoked_client_is_refused_at_once(
    api_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Revoked in the store by another process (as `creditmend client revoke` does; the
    command itself is tested in test_client_commands.py) while the server runs."""
    made = api_server.made["revoked"]
    token = api_server.token("revoked")
    assert httpx.get(f"{api_server.base_url}/v1/me", headers=bearer(token)).status_code == 200
    monkeypatch.setenv("CREDITMEND_KEY", api_server.env["CREDITMEND_KEY"])
    bootstrap.build_client_service(api_server.db_url).revoke(made.client_id, START)
    problem(httpx.get(f"{api_server.base_url}/v1/me", headers=bearer(token)), 401)
    again = httpx.post(
        f"{api_server.base_url}/v1/token",
        data={"grant_type": "client_credentials", "client_id": made.client_id,
              "client_secret": made.client_secret},
    )  # fmt: skip
    assert again.status_code == 401
    assert again.json()["error"] == "invalid_client"
    other = httpx.get(f"{api_server.base_url}/v1/me", headers=bearer(api_server.token()))
    assert other.status_code == 200


def test_problems_for_no_token_404_405_and_validation(api_server: Server) -> None:
    base = api_server.base_url
    problem(httpx.get(f"{base}/v1/me"), 401)
    problem(httpx.get(f"{base}/v1/nothing"), 404)
    problem(httpx.put(f"{base}/healthz"), 405)
    oauth = httpx.post(f"{base}/v1/token", data={"grant_type": "password"})
    assert oauth.status_code == 400
    assert oauth.json()["error"] == "unsupported_grant_type"


def test_415_and_413_with_and_without_content_length(api_server: Server) -> None:
    base = api_server.base_url
    body = problem(httpx.post(f"{base}/v1/token", json={"grant_type": "x"}), 415)
    assert body["errors"] == [
        {"field": "Content-Type", "reason": "one of application/x-www-form-urlencoded"}
    ]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    problem(httpx.post(f"{base}/v1/token", content=b"a" * (64 * 1024 + 1), headers=form), 413)


def test_a_chunked_body_is_refused_before_it_ends(api_server: Server) -> None:
    """The client sends 80 KiB of a chunked body and never ends it: the 413 arrives anyway,
    so the server did not wait for the whole body."""
    where = urlsplit(api_server.base_url)
    with socket.create_connection((where.hostname, where.port), timeout=30) as connection:
        connection.sendall(
            b"POST /v1/token HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"a" * 8192
        for _ in range(10):
            connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            received = connection.recv(65536)
            if not received:
                break
            answer += received
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"application/problem+json" in answer


def test_headers(api_server: Server) -> None:
    answer = httpx.get(f"{api_server.base_url}/v1/me", headers=bearer(api_server.token()))
    assert "server" not in answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    assert len(answer.headers["x-request-id"]) == 32
    preflight = httpx.options(
        f"{api_server.base_url}/v1/me",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert "server" not in preflight.headers
