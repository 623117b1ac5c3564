"""The token endpoint's lockout against `creditmend serve` over HTTP, on SQLite and PostgreSQL
(where the server runs as the service role under row-level security): a client id waits after
its free failures, with 429 and a problem body; behind a trusted proxy the forwarded address is
the one counted and audited."""

from __future__ import annotations

import json

import httpx
from api_support import Server
from sqlalchemy import create_engine, text

from creditmend.domain.clients import CLIENT_LOCKOUT

SERVER_ENV = {"CREDITMEND_API_TRUSTED_PROXIES": "127.0.0.1"}
WRONG = "not-the-secret-at-all"


def ask(server: Server, client_id: str, secret: str, forwarded: str) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    headers = {"X-Forwarded-For": forwarded}
    return httpx.post(f"{server.base_url}/v1/token", data=form, headers=headers, timeout=30)


def test_a_client_id_is_locked_and_the_forwarded_address_counted(api_server: Server) -> None:
    lender = api_server.made["lender"]
    for _ in range(CLIENT_LOCKOUT.free_failures + 1):
        assert ask(api_server, lender.client_id, WRONG, "203.0.113.9").status_code == 401
    locked = ask(api_server, lender.client_id, lender.client_secret, "203.0.113.9")
    assert locked.status_code == 429, locked.text
    assert locked.headers["content-type"] == "application/problem+json"
    assert locked.json()["type"] == "urn:creditmend:problem:too-many-failures"
    assert int(locked.headers["retry-after"]) >= 1

    engine = create_engine(api_server.db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("select detail, refused from audit_events where action = 'api_refused'")
        ).all()
        keys = set(conn.execute(text("select key from auth_failures")).scalars())
    engine.dispose()
    details = [json.loads(row.detail) for row in rows]
    assert {detail["address"] for detail in details} == {"203.0.113.9"}
    assert [row.refused for row in rows].count("locked out") == 1
    assert keys == {f"client:{lender.client_id}", "address:203.0.113.9"}
    assert WRONG not in api_server.log.read_text("utf-8", "replace")
