"""The API in process, on a real SQLite store: tokens, scopes, problems, limits, headers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from urllib.parse import quote_plus

import pytest
from anyio import to_thread
from api_support import PROBLEM_KEYS, InProcess
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from creditmend.domain.problems import ProblemsError
from creditmend.interfaces.api.limits import RateSettings
from creditmend.interfaces.api.settings import ApiSettings


def form(api: InProcess, who: str = "lender", **changes: str) -> dict[str, str]:
    made = api.made[who]
    return {
        "grant_type": "client_credentials",
        "client_id": made.client_id,
        "client_secret": made.client_secret,
        **changes,
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def audit_rows(api: InProcess, action: str) -> list[dict[str, object]]:
    engine = create_engine(api.url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("select actor, action, detail, refused from audit_events where action = :a"),
            {"a": action},
        )
        found = [dict(row._mapping) for row in rows]
    engine.dispose()
    return found


# ---------------------------------------------------------------- tokens
def test_token_by_form_gives_a_bearer_token_that_names_the_caller(api: InProcess) -> None:
    answer = api.client.post("/v1/token", data=form(api))
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["scope"] == "furnish inquire"
    assert answer.headers["cache-control"] == "no-store"
    me = api.client.get("/v1/probe/furnish", headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json() == {
        "client_id": api.made["lender"].client_id,
        "furnisher_code": "LEND1",
        "scopes": ["furnish", "inquire"],
        "desk": False,
    }


def test_token_by_http_basic(api: InProcess) -> None:
    made = api.made["desk"]
    pair = f"{quote_plus(made.client_id)}:{quote_plus(made.client_secret)}"
    basic = base64.b64encode(pair.encode()).decode()
    answer = api.client.post(
        "/v1/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert answer.status_code == 200, answer.text
    me = api.client.get("/v1/probe/desk", headers=bearer(answer.json()["access_token"]))
    assert me.json()["desk"] is True
    assert me.json()["furnisher_code"] is None


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "cm_nobody"}, 401, "invalid_client"),
        ({"client_secret": ""}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
def test_token_refusals_follow_rfc_6749(
    api: InProcess, changes: dict[str, str], status: int, error: str
) -> None:
    answer = api.client.post("/v1/token", data=form(api, **changes))
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"] == error
    assert api.made["lender"].client_secret not in answer.text


def test_token_without_grant_type_or_with_two_credentials_is_invalid_request(
    api: InProcess,
) -> None:
    no_grant = form(api)
    del no_grant["grant_type"]
    assert api.client.post("/v1/token", data=no_grant).json()["error"] == "invalid_request"
    basic = base64.b64encode(b"a:b").decode()
    both = api.client.post("/v1/token", data=form(api), headers={"Authorization": f"Basic {basic}"})
    assert both.status_code == 400
    assert both.json()["error"] == "invalid_request"


def test_refused_and_granted_tokens_are_audited_without_secrets(api: InProcess) -> None:
    api.client.post("/v1/token", data=form(api, client_secret="wrong-secret-value"))
    token = api.token()
    refused = audit_rows(api, "api_refused")
    granted = audit_rows(api, "api_token")
    assert [row["refused"] for row in refused] == ["wrong secret"]
    assert refused[0]["actor"] == f"api:{api.made['lender'].client_id}"
    assert len(granted) == 1
    everything = json.dumps(refused + granted)
    assert "wrong-secret-value" not in everything
    assert api.made["lender"].client_secret not in everything
    assert token not in everything
    assert "request_id" in json.loads(str(granted[0]["detail"]))


def test_secret_and_token_are_stored_only_as_hashes(api: InProcess) -> None:
    token = api.token()
    engine = create_engine(api.url)
    with engine.connect() as conn:
        hashes = conn.execute(text("select secret_hash from api_clients")).scalars().all()
        digests = conn.execute(text("select digest from api_tokens")).scalars().all()
    engine.dispose()
    assert all(stored.startswith("$argon2id$") for stored in hashes)
    assert api.made["lender"].client_secret not in " ".join(hashes)
    assert token not in digests
    assert len(digests) == 1
    assert len(digests[0]) == 64


# ---------------------------------------------------------------- bearer tokens and scopes
def test_no_token_unknown_token_and_token_in_the_query_are_401(api: InProcess) -> None:
    token = api.token()
    for answer in (
        api.client.get("/v1/probe/furnish"),
        api.client.get("/v1/probe/furnish", headers=bearer("not-a-token")),
        api.client.get(f"/v1/probe/furnish?access_token={token}"),
    ):
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"].startswith("Bearer")
    assert [row["refused"] for row in audit_rows(api, "api_refused")] == ["unknown token"]


def test_a_missing_scope_is_403_and_audited(api: InProcess) -> None:
    answer = api.client.get("/v1/probe/furnish", headers=bearer(api.token("other")))
    assert answer.status_code == 403
    assert answer.json()["type"] == "urn:creditmend:problem:insufficient-scope"
    assert [row["refused"] for row in audit_rows(api, "api_refused")] == [
        "scope furnish not granted"
    ]
    desk = api.client.get("/v1/probe/furnish", headers=bearer(api.token("desk")))
    assert desk.status_code == 403


def test_a_token_expires(api: InProcess) -> None:
    token = api.token()
    api.clock.advance(timedelta(minutes=14, seconds=59))
    assert api.client.get("/v1/probe/furnish", headers=bearer(token)).status_code == 200
    api.clock.advance(timedelta(seconds=1))
    assert api.client.get("/v1/probe/furnish", headers=bearer(token)).status_code == 401
    assert "expired token" in [row["refused"] for row in audit_rows(api, "api_refused")]


def test_a_revoked_client_loses_its_tokens_and_gets_no_new_one(api: InProcess) -> None:
    token = api.token()
    api.service.clients.revoke(api.made["lender"].client_id, api.clock.now())
    assert api.client.get("/v1/probe/furnish", headers=bearer(token)).status_code == 401
    again = api.client.post("/v1/token", data=form(api))
    assert again.status_code == 401
    assert again.json()["error"] == "invalid_client"
    other = api.client.get("/v1/probe/limited", headers=bearer(api.token("other")))
    assert other.status_code == 200


def test_the_token_ttl_is_a_setting(make_api: Callable[..., InProcess]) -> None:
    api = make_api(ApiSettings(token_ttl=timedelta(seconds=30)))
    answer = api.client.post("/v1/token", data=form(api))
    assert answer.json()["expires_in"] == 30
    token = answer.json()["access_token"]
    api.clock.advance(timedelta(seconds=30))
    assert api.client.get("/v1/probe/furnish", headers=bearer(token)).status_code == 401


# ---------------------------------------------------------------- problems
def _is_problem(answer: object, status: int) -> dict[str, object]:
    assert getattr(answer, "status_code", None) == status
    headers = getattr(answer, "headers", {})
    assert headers["content-type"] == "application/problem+json"
    body: dict[str, object] = answer.json()  # type: ignore[attr-defined]
    assert set(body) == PROBLEM_KEYS
    assert body["status"] == status
    assert body["request_id"] == headers["x-request-id"]
    return body


def test_validation_errors_are_422_problems_naming_the_fields(api: InProcess) -> None:
    answer = api.client.post("/v1/probe/echo", json={"name": "x", "amount": "many"})
    body = _is_problem(answer, 422)
    assert body["errors"] == [
        {
            "field": "amount",
            "reason": "Input should be a valid integer, unable to parse string as an integer",
        }
    ]
    assert "many" not in json.dumps(body["errors"])  # the value sent is not echoed
    missing = _is_problem(api.client.post("/v1/probe/echo", json={}), 422)
    errors = missing["errors"]
    assert isinstance(errors, list)
    assert {error["field"] for error in errors} == {"name", "amount"}


def test_a_body_that_is_not_what_its_content_type_says_is_a_400_naming_the_body(
    api: InProcess,
) -> None:
    sent = b'$\xff\xfe!"{'  # not UTF-8, not JSON
    answer = api.client.post(
        "/v1/probe/echo", content=sent, headers={"Content-Type": "application/json"}
    )
    body = _is_problem(answer, 400)
    assert body["errors"] == [
        {"field": "body", "reason": "cannot be read as the Content-Type says"}
    ]
    echo = api.client.get("/openapi.json").json()["paths"]["/v1/probe/echo"]["post"]
    assert "400" in echo["responses"]


def test_404_405_and_500_are_problems_without_a_traceback(api: InProcess) -> None:
    _is_problem(api.client.get("/v1/nothing-here"), 404)
    not_allowed = api.client.delete("/healthz")
    _is_problem(not_allowed, 405)
    assert not_allowed.headers["allow"] == "GET"
    boom = api.client.get("/v1/probe/boom")
    body = _is_problem(boom, 500)
    assert "Traceback" not in boom.text
    assert "/etc/secret" not in boom.text
    assert body["detail"] == "an unforeseen error; the log has it"


def test_a_services_problem_is_a_422_naming_the_field_and_the_store_a_503(
    api: InProcess,
) -> None:
    body = _is_problem(api.client.get("/v1/probe/refused"), 422)
    assert body["errors"] == [
        {"field": "consent.expires_on", "reason": "2026-01-01 is before signed_on"}
    ]
    store = api.client.get("/v1/probe/refused?store=true")
    _is_problem(store, 503)
    assert "secret-path" not in store.text


def test_the_request_id_is_in_the_log_line(
    api: InProcess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="creditmend.api")
    answer = api.client.get("/v1/probe/boom")
    request_id = answer.headers["x-request-id"]
    lines = [record.getMessage() for record in caplog.records]
    assert any(line.startswith(f"{request_id} GET /v1/probe/boom 500") for line in lines)
    failed = [r for r in caplog.records if r.exc_info and request_id in r.getMessage()]
    assert failed, "the traceback goes to the log, under the request id"


def test_a_safe_request_id_is_kept_and_an_unsafe_one_replaced(api: InProcess) -> None:
    kept = api.client.get("/healthz", headers={"X-Request-ID": "proxy-1234.abc"})
    assert kept.headers["x-request-id"] == "proxy-1234.abc"
    replaced = api.client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"] != "bad id\twith spaces"
    assert len(replaced.headers["x-request-id"]) == 32


# ---------------------------------------------------------------- limits
def test_415_for_a_content_type_the_route_does_not_take(api: InProcess) -> None:
    answer = api.client.post("/v1/probe/small", content=b"{}", headers={"Content-Type": "text/csv"})
    body = _is_problem(answer, 415)
    assert body["errors"] == [{"field": "Content-Type", "reason": "one of application/x-ndjson"}]
    fine = api.client.post(
        "/v1/probe/small",
        content=b"{}\n",
        headers={"Content-Type": "application/x-ndjson; charset=utf-8"},
    )
    assert fine.json() == {"bytes": 3}


NDJSON = {"Content-Type": "application/x-ndjson"}


def test_413_by_content_length_and_while_streaming(api: InProcess) -> None:
    over = b"x" * (64 * 1024 + 1)
    _is_problem(api.client.post("/v1/probe/small", content=over, headers=NDJSON), 413)

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"x" * 8192

    streamed = api.client.post("/v1/probe/small", content=chunks(), headers=NDJSON)
    _is_problem(streamed, 413)
    at_limit = api.client.post("/v1/probe/small", content=b"x" * 64 * 1024, headers=NDJSON)
    assert at_limit.json() == {"bytes": 64 * 1024}


def test_a_route_may_allow_a_larger_body(api: InProcess) -> None:
    half_mib = b"x" * (512 * 1024)
    assert api.client.post("/v1/probe/big", content=half_mib, headers=NDJSON).status_code == 200
    over = b"x" * (1024 * 1024 + 1)
    _is_problem(api.client.post("/v1/probe/big", content=over, headers=NDJSON), 413)


def test_the_default_body_limit_is_a_setting(make_api: Callable[..., InProcess]) -> None:
    api = make_api(ApiSettings(body_limit=10))
    _is_problem(api.client.post("/v1/probe/small", content=b"x" * 11, headers=NDJSON), 413)


def test_rate_limit_is_per_client_with_retry_after(make_api: Callable[..., InProcess]) -> None:
    api = make_api(ApiSettings(rate=RateSettings(per_second=0.01, burst=2)))
    lender, other = bearer(api.token("lender")), bearer(api.token("other"))
    assert [api.client.get("/v1/probe/limited", headers=lender).status_code for _ in range(2)] == [
        200,
        200,
    ]
    limited = api.client.get("/v1/probe/limited", headers=lender)
    _is_problem(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1
    assert api.client.get("/v1/probe/limited", headers=other).status_code == 200


# ---------------------------------------------------------------- headers and health
def test_headers_no_store_under_v1_nosniff_everywhere_no_cors(api: InProcess) -> None:
    health = api.client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert health.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in health.headers
    assert "access-control-allow-origin" not in health.headers
    assert "server" not in health.headers
    personal = api.client.get("/v1/probe/furnish", headers=bearer(api.token()))
    assert personal.headers["cache-control"] == "no-store"
    preflight = api.client.options(
        "/v1/token",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_readyz_is_503_when_the_schema_is_behind(api: InProcess) -> None:
    assert api.client.get("/readyz").json() == {"status": "ready"}
    engine = create_engine(api.url)
    with engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '0006'"))
    engine.dispose()
    body = _is_problem(api.client.get("/readyz"), 503)
    # the newest revision grows with each endpoint's migration: not named here
    detail = str(body["detail"])
    assert detail.startswith("schema at 0006, newest is ")
    assert not detail.endswith(" 0006")
    assert api.client.get("/healthz").status_code == 200


def test_the_threads_a_worker_runs_blocking_calls_on_are_a_setting(
    make_api: Callable[..., InProcess],
) -> None:
    assert ApiSettings().threads == 8
    assert ApiSettings.from_env({"CREDITMEND_API_THREADS": "3"}).threads == 3
    with pytest.raises(ProblemsError, match="CREDITMEND_API_THREADS"):
        ApiSettings.from_env({"CREDITMEND_API_THREADS": "0"})
    api = make_api(ApiSettings(threads=3))
    with TestClient(api.app) as client:  # entered: the app's lifespan runs
        tokens = client.portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens)
        assert client.get("/healthz").status_code == 200
    assert tokens == 3
