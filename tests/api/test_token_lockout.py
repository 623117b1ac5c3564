"""`POST /v1/token`'s lockout (issue 17, item 6), in process on SQLite with the test's clock:
failed token requests counted per client id (known or not) and per address, 429 with
`Retry-After` and a problem body while one waits, the right secret refused unchecked then, a
token clearing the client's count, and every refused request audited without its secret."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from api_support import PROBLEM_KEYS, InProcess
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from cli_runner import Done, invoke  # tests/ is on the path (its conftest.py)
from creditmend import bootstrap
from creditmend.adapters.secret_hash import Argon2Hasher
from creditmend.domain.clients import ADDRESS_LOCKOUT, CLIENT_LOCKOUT
from creditmend.domain.problems import ProblemsError
from creditmend.interfaces.api.settings import ApiSettings

WRONG = "not-the-secret-at-all"


class LightArgon2(Argon2Hasher):
    """Small parameters for the decoy hash of unknown client ids (the address test sends many;
    what it tests is the count, not the hash's cost)."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def ask(client: TestClient, client_id: str, secret: str) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    answer: httpx.Response = client.post("/v1/token", data=form)
    return answer


def audit(api: InProcess) -> list[dict[str, object]]:
    engine = create_engine(api.url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "select actor, action, detail, refused from audit_events "
                "where action in ('api_token', 'api_refused') order by id"
            )
        )
        found = [dict(row._mapping) for row in rows]
    engine.dispose()
    return found


@pytest.fixture
def from_elsewhere(api: InProcess) -> Iterator[TestClient]:
    """The same app called from another address."""
    with TestClient(api.app, raise_server_exceptions=False, client=("192.0.2.7", 50000)) as c:
        yield c


def test_a_client_id_waits_after_its_free_failures_and_a_token_clears_it(api: InProcess) -> None:
    lender = api.made["lender"]
    for _ in range(CLIENT_LOCKOUT.free_failures + 1):
        assert ask(api.client, lender.client_id, WRONG).status_code == 401
    locked = ask(api.client, lender.client_id, lender.client_secret)
    assert locked.status_code == 429
    body = locked.json()
    assert set(body) == PROBLEM_KEYS
    assert body["type"] == "urn:creditmend:problem:too-many-failures"
    assert locked.headers["content-type"] == "application/problem+json"
    wait = int(locked.headers["retry-after"])
    assert wait == CLIENT_LOCKOUT.first_wait.total_seconds()
    # another client of the same address is not held back by this one's count
    other = api.made["other"]
    assert ask(api.client, other.client_id, other.client_secret).status_code == 200
    api.clock.advance(timedelta(seconds=wait))
    assert ask(api.client, lender.client_id, lender.client_secret).status_code == 200
    # the token cleared the count: the free failures are free again
    for _ in range(CLIENT_LOCKOUT.free_failures):
        assert ask(api.client, lender.client_id, WRONG).status_code == 401
    assert ask(api.client, lender.client_id, lender.client_secret).status_code == 200

    rows = audit(api)
    reasons = [row["refused"] for row in rows if row["action"] == "api_refused"]
    assert reasons.count("locked out") == 1
    assert reasons.count("wrong secret") == 2 * CLIENT_LOCKOUT.free_failures + 1
    everything = json.dumps(rows)
    assert WRONG not in everything and lender.client_secret not in everything
    for row in rows:
        detail = json.loads(str(row["detail"]))
        assert detail["request_id"] and detail["address"] == "testclient"


def test_the_lock_grows_to_a_lock_of_minutes(api: InProcess) -> None:
    lender = api.made["lender"]
    for failures in range(1, CLIENT_LOCKOUT.lock_after + 1):
        answer = ask(api.client, lender.client_id, WRONG)
        if answer.status_code == 429:  # waited out, then wrong
            api.clock.advance(timedelta(seconds=int(answer.headers["retry-after"])))
            answer = ask(api.client, lender.client_id, WRONG)
        assert answer.status_code == 401, failures
    locked = ask(api.client, lender.client_id, lender.client_secret)
    assert int(locked.headers["retry-after"]) == CLIENT_LOCKOUT.first_lock.total_seconds()


def test_an_unknown_client_id_locks_alike(api: InProcess) -> None:
    """A lock must not tell which client ids exist: an unknown one waits the same way."""
    for _ in range(CLIENT_LOCKOUT.free_failures + 1):
        assert ask(api.client, "cm_00000000000000000000", WRONG).status_code == 401
    locked = ask(api.client, "cm_00000000000000000000", WRONG)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) == CLIENT_LOCKOUT.first_wait.total_seconds()


def test_an_address_trying_many_client_ids_waits(
    api: InProcess, from_elsewhere: TestClient
) -> None:
    api.service.clients.hasher = LightArgon2()  # the decoy's cost, not the count, is light
    for n in range(ADDRESS_LOCKOUT.free_failures + 1):
        assert ask(api.client, f"cm_guess{n:04d}", WRONG).status_code == 401
    lender = api.made["lender"]
    held = ask(api.client, lender.client_id, lender.client_secret)
    assert held.status_code == 429
    assert int(held.headers["retry-after"]) == ADDRESS_LOCKOUT.first_wait.total_seconds()
    # the same client from another address is served: the count was the address's
    assert ask(from_elsewhere, lender.client_id, lender.client_secret).status_code == 200


def test_requests_the_endpoint_cannot_read_are_audited_and_counted(api: InProcess) -> None:
    lender = api.made["lender"].client_id
    bad = {"client_id": lender, "client_secret": WRONG}  # no grant_type
    for _ in range(CLIENT_LOCKOUT.free_failures + 1):
        answer = api.client.post("/v1/token", data=bad)
        assert answer.json()["error"] == "invalid_request"
    assert ask(api.client, lender, WRONG).status_code == 429
    rows = [row for row in audit(api) if row["action"] == "api_refused"]
    assert rows[0]["refused"] == "invalid_request: grant_type is missing"
    assert rows[0]["actor"] == f"api:{lender}"
    assert WRONG not in json.dumps(rows)


def test_failures_at_once_are_each_counted(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The count is the store's, updated under the key's row lock: failures sent at once by
    several workers (here threads, each with its own engine) are each counted, on SQLite and
    PostgreSQL, so that a guesser gains nothing by sending in parallel."""
    monkeypatch.setenv("CREDITMEND_KEY", bootstrap.new_key())
    at_once = 6
    services = [bootstrap.build_client_service(db_url, create=True)]
    services += [bootstrap.build_client_service(db_url) for _ in range(at_once - 1)]
    start = threading.Barrier(at_once, timeout=60)
    errors: list[str] = []
    at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    def fail(n: int) -> None:
        start.wait()
        try:
            services[n].repository.count_failure([("address:192.0.2.1", ADDRESS_LOCKOUT)], at)
        except BaseException as error:
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=fail, args=(n,)) for n in range(at_once)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    engine = create_engine(db_url)
    with engine.connect() as conn:
        failures = conn.execute(text("select failures from auth_failures")).scalar_one()
    engine.dispose()
    assert failures == at_once


def test_trusted_proxies_are_read_from_the_environment(tmp_path: Path) -> None:
    assert ApiSettings().trusted_proxies == ()
    env = {"CREDITMEND_API_TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16"}
    assert ApiSettings.from_env(env).trusted_proxies == ("10.0.0.5", "10.1.0.0/16")
    with pytest.raises(ProblemsError) as refused:
        ApiSettings.from_env({"CREDITMEND_API_TRUSTED_PROXIES": "proxy.example"})
    assert refused.value.problems[0].field == "CREDITMEND_API_TRUSTED_PROXIES"


def test_audit_api_lists_tokens_and_refusals(api: InProcess) -> None:
    lender, other = api.made["lender"], api.made["other"]
    assert ask(api.client, lender.client_id, WRONG).status_code == 401
    token = api.token("lender")
    api.token("other")
    api.service.clients.revoke(other.client_id, api.clock.now())

    def audit_cli(*args: str) -> Done:
        env = {"CREDITMEND_KEY": None, "COLUMNS": "240"}
        return invoke(["audit", *args, "--db", api.url], env)

    listed = audit_cli("--api", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(row["action"], row["client_id"]) for row in rows] == [
        ("api_client_added", lender.client_id),
        ("api_client_added", other.client_id),
        ("api_client_added", api.made["desk"].client_id),
        ("api_refused", lender.client_id),
        ("api_token", lender.client_id),
        ("api_token", other.client_id),
        ("api_client_revoked", other.client_id),
    ]
    refused = rows[3]
    assert refused["refused"] == "wrong secret" and refused["address"] == "testclient"
    assert refused["request_id"]
    for secret in (WRONG, lender.client_secret, other.client_secret, token):
        assert secret not in listed.stdout

    own = json.loads(audit_cli("--api", "--json", "--client", lender.client_id).stdout)
    assert [row["action"] for row in own] == ["api_client_added", "api_refused", "api_token"]
    only = json.loads(audit_cli("--api", "--json", "--refused").stdout)
    assert [row["refused"] for row in only] == ["wrong secret"]
    newest = json.loads(audit_cli("--api", "--json", "--limit", "1").stdout)
    assert [row["action"] for row in newest] == ["api_client_revoked"]
    table = audit_cli("--api")
    assert "The API's access" in table.stdout and "wrong secret" in table.stdout

    both = audit_cli("--api", "cn_ric", "11010519491231002X")
    assert (both.returncode, both.stderr) == (
        2, "error: ID_TYPE: --api lists the API's access, not a person's file\n")  # fmt: skip
    nothing = audit_cli()
    assert nothing.returncode == 2
    assert nothing.stderr.startswith("error: ID_TYPE: give the subject's ID_TYPE and ID_NUMBER")
    none = audit_cli("--api", "--limit", "0")
    assert (none.returncode, none.stderr) == (
        2,
        "error: --limit: 0 is not a number of events >= 1\n",
    )
    stray = audit_cli("cn_ric", "11010519491231002X", "--refused")
    assert (stray.returncode, stray.stderr) == (2, "error: --refused: is an option of --api\n")
