"""The authorisation matrix (issue 17, point 6): every operation of the API x every caller x the
caller's own resource / another lender's / an id that does not exist, in process on one SQLite
store built once for the module.

The expectations are data: `MATRIX` (one row per secured operation, one column per scope) and
`PUBLIC` (the operations that need no token). The app's OpenAPI document is the list of
operations: one that is in neither table fails `test_every_operation_is_in_the_matrix`, so a
new endpoint must join the matrix to pass.

What each cell asserts:
- a caller without a valid token (none, expired, revoked client, malformed): 401 with
  `WWW-Authenticate: Bearer ...`, whatever the resource;
- a scope the operation does not take: 403;
- another lender's resource: 404 with the same problem as an id that does not exist (apart from
  the request id and the id itself echoed in `detail`); a list shows only the caller's own;
- the caller's own: the 2xx of the operation; the desk sees what docs/api.md says it sees.
Every refused call that would change the store leaves it as it was (`World.state`); the one
allowed answer to an objection is given to an objection filed for that call.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_support import START, InProcess, MovableClock, register_furnishers
from argon2 import PasswordHasher
from bureau_seed import LEND1_RECORD, LEND2_RECORD, RIC, seed
from fastapi.testclient import TestClient
from furnish_support import NDJSON, jsonl, record

from creditmend import bootstrap
from creditmend.adapters.secret_hash import Argon2Hasher
from creditmend.domain.clients import CLIENT_LOCKOUT, FURNISH, INQUIRE, RESPOND
from creditmend.interfaces.api.app import create_app
from creditmend.interfaces.api.limits import RateSettings
from creditmend.interfaces.api.settings import ApiSettings
from creditmend.services.clients import ClientService

LENDERS = ("LEND1", "LEND2")
# The desk's own objections are the bureau's; a lender's are another's to it.
OTHER_OF = {"LEND1": "LEND2", "LEND2": "LEND1", "bureau": "LEND1"}
RECORD_OF = {"LEND1": LEND1_RECORD, "LEND2": LEND2_RECORD}
MISSING_JOB = "fj_000000000000000000000000"
MISSING_OBJECTION = 999_999
CONSENT = {"reference": "MATRIX-1", "signed_on": "2026-12-01", "expires_on": "2027-01-31"}
INQUIRY = {"id_type": "cn_ric", "id_number": RIC, "purpose": "loan_approval", "consent": CONSENT}
LENDER_SCOPES = {"furnish": [FURNISH], "inquire": [INQUIRE], "respond": [RESPOND]}
LENDER_SCOPES["all"] = [FURNISH, INQUIRE, RESPOND]
UNAUTHENTICATED = ("no token", "expired token", "revoked client", "malformed token")

# ---------------------------------------------------------------- the table
# A cell is the answer to a scope's call:
#   an int: that status for any resource;
#   (own, other's, missing): by id, the status for the caller's own resource, another lender's
#   and an id that does not exist (the desk's own objections are the bureau's);
#   OWN / EVERY: 200 with a list of the caller's own resources only / of every lender's.
Cell = int | tuple[int, int, int] | str
OWN, EVERY = "200: own only", "200: every lender's"
MINE = (200, 404, 404)  # a lender on a resource by id
DESK_SEES = (200, 200, 404)  # the desk sees every objection, the bureau's and every lender's
DESK_ANSWER = (200, 422, 404)  # a lender's objection is the lender's to answer (answered_by)
DESK_LETTER = (409, 409, 404)  # no letter while the objection is open
DESK_REVIEW = (409, 409, 404)  # nor a letter to approve or send back


@dataclass(frozen=True)
class Row:
    furnish: Cell
    inquire: Cell
    respond: Cell
    all: Cell
    desk: Cell

    def cell(self, scope: str) -> Cell:
        cell: Cell = getattr(self, scope)
        return cell


# fmt: off
MATRIX: dict[str, Row] = {
    #                                         furnish   inquire   respond   all       desk
    "GET /v1/me":                         Row(200,      200,      200,      200,      200),
    "POST /v1/furnishings":               Row(202,      403,      403,      202,      403),
    "GET /v1/furnishings/{job_id}":       Row(MINE,     403,      403,      MINE,     403),
    "POST /v1/inquiries":                 Row(403,      201,      403,      201,      403),
    "GET /v1/inquiries":                  Row(403,      OWN,      403,      OWN,      403),
    "GET /v1/objections":                 Row(403,      403,      OWN,      OWN,      EVERY),
    "GET /v1/objections/{objection_id}":  Row(403,      403,      MINE,     MINE,     DESK_SEES),
    "POST /v1/objections/{objection_id}/response":
                                          Row(403,      403,      MINE,     MINE,     DESK_ANSWER),
    "GET /v1/objections/{objection_id}/letter":
                                          Row(403,      403,      403,      403,      DESK_LETTER),
    "POST /v1/objections/{objection_id}/letter/review":
                                          Row(403,      403,      403,      403,      DESK_REVIEW),
    "POST /v1/objections/{objection_id}/letter/revision":
                                          Row(403,      403,      403,      403,      DESK_REVIEW),
}
# The operations without a token, by who calls: a client's credentials, or nobody.
PUBLIC: dict[str, dict[str, int]] = {
    "POST /v1/token":   {"lender": 200, "desk": 200, "wrong secret": 401, "revoked client": 401,
                         "locked client": 429},
    "GET /healthz":     {"no token": 200, "malformed token": 200, "expired token": 200},
    "GET /readyz":      {"no token": 200, "malformed token": 200, "expired token": 200},
    "GET /openapi.json": {"no token": 200, "malformed token": 200},
    "GET /docs":        {"no token": 200, "malformed token": 200},
}
# fmt: on
LISTS = {"GET /v1/inquiries", "GET /v1/objections"}
CHANGES_STATE = {"POST /v1/furnishings", "POST /v1/inquiries"}
CHANGES_STATE.add("POST /v1/objections/{objection_id}/response")
CHANGES_STATE.add("POST /v1/objections/{objection_id}/letter/review")
CHANGES_STATE.add("POST /v1/objections/{objection_id}/letter/revision")
NOT_IN_SCHEMA = {"GET /openapi.json", "GET /docs"}  # FastAPI's own pages, not operations
# Cells known to leak, marked xfail(strict=True) with the reason: none found.
KNOWN_LEAKS: dict[tuple[str, str, str], str] = {}


# ---------------------------------------------------------------- the store
@dataclass
class World:
    api: InProcess
    db: Path
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # by caller name
    jobs: dict[str, str] = field(default_factory=dict)  # lender -> its finished job
    reports: dict[str, str] = field(default_factory=dict)  # lender -> its inquiry's report id
    objections: dict[str, int] = field(default_factory=dict)  # lender -> its open objection
    clients: dict[str, set[str]] = field(default_factory=dict)  # lender -> its client ids
    # Reasons for fresh objections: another reason each time, so that none is a repeat.
    reasons: dict[str, Iterator[str]] = field(default_factory=dict)

    def state(self) -> tuple[Any, ...]:
        """What a refused call must leave as it was: the objections, jobs and inquiries."""
        with sqlite3.connect(self.db) as conn:
            objections = conn.execute(
                "select id, outcome, answered_by, letter_status, (select count(*)"
                " from objection_events e where e.objection_id = o.id)"
                " from objections o order by id"
            ).fetchall()
            jobs = conn.execute("select count(*) from furnishing_jobs").fetchone()
            inquiries = conn.execute("select count(*) from inquiries").fetchone()
        conn.close()
        return objections, jobs, inquiries

    def fresh_objection(self, lender: str | None) -> int:
        """An open objection filed for one allowed answer (about the lender's account; None:
        about an inquiry said to lack consent, routed to the bureau's desk: inquiry 2 is the
        fixture's first, LEND1's)."""
        service = self.api.service
        filed = service.bureau.objections.file(
            "cn_ric",
            RIC,
            "inquiry:2" if lender is None else RECORD_OF[lender],
            self._reason(lender) if lender else "inquiry_without_consent",
            None,
            service.clock.today(),
            service.clock.now(),
        )
        assert filed.is_open and filed.routed_to == (lender or "bureau"), filed
        return filed.id

    def _reason(self, lender: str) -> str:
        reasons = ("other", "already_settled", "not_mine", "deduction_failed_not_my_fault")
        return next(self.reasons.setdefault(lender, iter(reasons)))


class LightArgon2(Argon2Hasher):
    """argon2id with small parameters: the module registers a dozen clients and gets as many
    tokens, and what it tests is who may do what, not the hash's cost (tests/api/test_app.py
    and the token tests use the real parameters)."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _token(client: TestClient, client_id: str, secret: str) -> str:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    answer = client.post("/v1/token", data=form)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("matrix")
    db = folder / "bureau.db"
    url = f"sqlite:///{db}"
    register_furnishers(url, *LENDERS)
    seed(url, folder)  # objection 1 about LEND1's account, 2 about LEND2's, 3 the bureau's
    settings = ApiSettings(rate=RateSettings(per_second=1e6, burst=10**6))
    clock = MovableClock()
    built = bootstrap.build_service(url, token_ttl=settings.token_ttl)
    clients = ClientService(
        built.clients.repository, LightArgon2(), built.clients.furnishers, settings.token_ttl
    )
    service = replace(built, clock=clock, clients=clients)
    app = create_app(service, settings)
    client = TestClient(app, raise_server_exceptions=False)
    made: dict[str, Any] = {}
    for lender in LENDERS:
        for scope, scopes in LENDER_SCOPES.items():
            made[f"{lender}:{scope}"] = service.clients.add_lender(lender, scopes, START)
    made["desk"] = service.clients.add_desk("ops", START)
    made["revoked"] = service.clients.add_lender("LEND1", LENDER_SCOPES["all"], START)
    made["expired"] = service.clients.add_lender("LEND1", LENDER_SCOPES["all"], START)
    world = World(InProcess(client, app, service, clock, url, made), db)

    expired = _token(client, made["expired"].client_id, made["expired"].client_secret)
    clock.advance(settings.token_ttl + timedelta(seconds=1))  # every later token is fresh
    for name, new in made.items():
        world.headers[name] = _bearer(_token(client, new.client_id, new.client_secret))
    service.clients.revoke(made["revoked"].client_id, clock.now())
    world.headers["expired token"] = _bearer(expired)
    world.headers["revoked client"] = world.headers.pop("revoked")
    world.headers["no token"] = {}
    world.headers["malformed token"] = {"Authorization": "Bearer not-a-token!%00"}
    del world.headers["expired"]

    for lender in LENDERS:
        world.clients[lender] = {made[f"{lender}:{s}"].client_id for s in LENDER_SCOPES}
        headers = world.headers[f"{lender}:all"]
        sent = client.post(
            "/v1/furnishings",
            content=jsonl(record("M-1", furnisher_id=lender)),
            headers={**headers, **NDJSON},
        )
        assert sent.status_code == 202, sent.text
        world.jobs[lender] = sent.json()["job_id"]
        asked = client.post("/v1/inquiries", json=INQUIRY, headers=headers)
        assert asked.status_code == 201, asked.text
        world.reports[lender] = asked.json()["header"]["report_id"]
    while service.furnish_jobs.run_next("matrix") is not None:
        pass
    for lender in LENDERS:
        job = service.furnish_jobs.job(world.jobs[lender], lender)
        assert job is not None and (job.status, job.counts.applied) == ("done", 1), job
    world.objections = {"LEND1": 1, "LEND2": 2, "bureau": 3}
    yield world
    client.close()


# ---------------------------------------------------------------- the calls
def _kind(operation: str) -> str | None:
    """What an operation names by id: a furnishing job, an objection, or nothing."""
    if "{job_id}" in operation:
        return "job"
    return "objection" if "{objection_id}" in operation else None


def _resource_id(world: World, kind: str, lender: str, which: str) -> str:
    """The id a call names: `lender`'s own resource, the other lender's, or none's."""
    owner = lender if which == "own" else OTHER_OF[lender]
    if kind == "job":
        owner = "LEND2" if owner == "bureau" else owner  # the bureau has no job of its own
        return MISSING_JOB if which == "missing" else world.jobs[owner]
    if which == "missing":
        return str(MISSING_OBJECTION)
    return str(world.objections[owner])


def _send(
    world: World, operation: str, headers: dict[str, str], lender: str, ident: str | None
) -> httpx.Response:
    """A valid request of `operation` (for `lender`), naming resource `ident`."""
    client = world.api.client
    method, path = operation.split(" ", 1)
    if ident is not None:
        path = path.replace("{job_id}", ident).replace("{objection_id}", ident)
    answer: httpx.Response
    if operation == "POST /v1/furnishings":
        body = jsonl(record("M-2", furnisher_id=lender))
        answer = client.post(path, content=body, headers={**headers, **NDJSON})
    elif operation == "POST /v1/inquiries":
        answer = client.post(path, json=INQUIRY, headers=headers)
    elif operation.endswith("/response"):
        decision = {"decision": "verified", "note": "matrix"}
        answer = client.post(path, json=decision, headers=headers)
    elif operation.endswith("/letter/review"):
        answer = client.post(path, json={"decision": "approve"}, headers=headers)
    elif operation.endswith("/letter/revision"):
        answer = client.post(path, json={"explanation": "matrix"}, headers=headers)
    else:
        answer = client.request(method, path, headers=headers)
    return answer


def _comparable(problem: dict[str, Any], ident: str) -> dict[str, Any]:
    """A 404's body without what differs by request: its id, and the id the caller sent."""
    kept = {k: v for k, v in problem.items() if k not in ("request_id", "instance")}
    kept["detail"] = str(kept.get("detail", "")).replace(ident, "{id}")
    return kept


def _listed(world: World, operation: str, answer: httpx.Response) -> dict[str, set[str]]:
    """Which lenders' resources a list shows: lender -> the ids of theirs that are in it."""
    body = answer.json()
    shown: dict[str, set[str]] = {lender: set() for lender in (*LENDERS, "bureau", "?")}
    if operation == "GET /v1/inquiries":
        for entry in body["inquiries"]:
            owner = next((ln for ln in LENDERS if entry["client_id"] in world.clients[ln]), "?")
            shown[owner].add(entry["report_id"])
    else:
        for objection in body["objections"]:
            shown.setdefault(objection["routed_to"], set()).add(str(objection["id"]))
    return shown


# ---------------------------------------------------------------- the cases
def _cases() -> Iterator[Any]:
    callers = [(f"{ln}:{scope}", ln, scope) for ln in LENDERS for scope in LENDER_SCOPES]
    callers += [("desk", "bureau", "desk")]
    callers += [(name, "LEND1", name) for name in UNAUTHENTICATED]
    for operation in MATRIX:
        for caller, lender, scope in callers:
            which_ones = ("own", "other", "missing") if _kind(operation) else ("-",)
            for which in which_ones:
                key = (operation, caller, which)
                marks = []
                if key in KNOWN_LEAKS:
                    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_LEAKS[key])]
                yield pytest.param(operation, caller, lender, scope, which, marks=marks,
                                   id=f"{operation} | {caller} | {which}")  # fmt: skip


@pytest.mark.parametrize(("operation", "caller", "lender", "scope", "which"), list(_cases()))
def test_matrix(
    world: World, operation: str, caller: str, lender: str, scope: str, which: str
) -> None:
    row = MATRIX[operation]
    headers = world.headers[caller]
    if scope in UNAUTHENTICATED:
        expected: Cell = 401
    else:
        expected = row.cell(scope)
    fresh = None
    ident = None
    kind = _kind(operation)
    if kind is not None:
        ident = _resource_id(world, kind, lender, which)
        status = expected[("own", "other", "missing").index(which)] if isinstance(
            expected, tuple) else expected  # fmt: skip
        if operation in CHANGES_STATE and isinstance(status, int) and 200 <= status < 300:
            # the one allowed answer closes an objection: a fresh one, filed for this call
            fresh = world.fresh_objection(None if lender == "bureau" else lender)
            ident = str(fresh)
    else:
        status = expected if isinstance(expected, int) else 200
    before = world.state()
    answer = _send(world, operation, headers, lender, ident)
    assert answer.status_code == status, (expected, answer.text)
    assert "traceback" not in answer.text.lower()

    if status == 401:
        assert answer.headers["www-authenticate"].startswith("Bearer"), answer.headers
    if status == 403:
        assert 'error="insufficient_scope"' in answer.headers["www-authenticate"]
    if status >= 400 and operation in CHANGES_STATE:
        assert world.state() == before, "a refused call changed the store"
    if fresh is not None:
        closed = world.api.service.bureau.objections.show(
            fresh, world.api.clock.today(), world.api.clock.now()
        )
        assert closed.status == "confirmed", closed
    if which == "other" and status == 404:
        assert ident is not None
        missing = _resource_id(world, str(kind), lender, "missing")
        alike = _send(world, operation, headers, lender, missing)
        assert alike.status_code == 404
        assert _comparable(answer.json(), ident) == _comparable(alike.json(), missing)
        assert world.state() == before
    if operation in LISTS and status == 200:
        shown = _listed(world, operation, answer)
        own = world.reports[lender] if operation == "GET /v1/inquiries" else None
        if expected == OWN:
            assert not shown[OTHER_OF[lender]], f"{caller} sees another lender's: {shown}"
            if operation == "GET /v1/objections":
                assert not shown["bureau"] and not shown["?"], shown
            mine = own if own is not None else str(world.objections[lender])
            assert mine in shown[lender], shown
        else:
            assert expected == EVERY
            for each in LENDERS:
                assert str(world.objections[each]) in shown[each], shown
            assert shown["bureau"], shown


# ---------------------------------------------------------------- the list of operations
def test_every_operation_is_in_the_matrix(world: World) -> None:
    document = world.api.client.get("/openapi.json").json()
    operations = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete", "head", "options", "trace"}
    }
    missing = operations - set(MATRIX) - set(PUBLIC)
    assert not missing, f"operations not in the authorisation matrix: {sorted(missing)}"
    stale = (set(MATRIX) | set(PUBLIC)) - operations - NOT_IN_SCHEMA
    assert not stale, f"the matrix names operations the app no longer has: {sorted(stale)}"
    secured = {op for op in operations if document["paths"][op.split(" ", 1)[1]]
               [op.split(" ", 1)[0].lower()].get("security")}  # fmt: skip
    assert secured == set(MATRIX), "the OpenAPI document's secured operations are the matrix's"


def _public_call(world: World, operation: str, who: str) -> httpx.Response:
    client = world.api.client
    method, path = operation.split(" ", 1)
    if operation == "POST /v1/token" and who == "locked client":
        return _locked_call(world, path)
    if operation == "POST /v1/token":
        made = world.api.made
        new = made["LEND1:all"] if who == "lender" else made["desk" if who == "desk" else "revoked"]
        secret = "not-the-secret" if who == "wrong secret" else new.client_secret
        form = {"grant_type": "client_credentials", "client_id": new.client_id}
        answer: httpx.Response = client.post(path, data={**form, "client_secret": secret})
        return answer
    answer = client.request(method, path, headers=world.headers[who])
    return answer


def _locked_call(world: World, path: str) -> httpx.Response:
    """A new client whose id was tried with wrong secrets past the free ones: its right secret
    is then refused too, with 429 and `Retry-After`, before it is checked."""
    new = world.api.service.clients.add_lender("LEND1", [INQUIRE], START)
    form = {"grant_type": "client_credentials", "client_id": new.client_id}
    for _ in range(CLIENT_LOCKOUT.free_failures + 1):
        wrong = world.api.client.post(path, data={**form, "client_secret": "not-the-secret"})
        assert wrong.status_code == 401, wrong.text
    answer = world.api.client.post(path, data={**form, "client_secret": new.client_secret})
    assert int(answer.headers["retry-after"]) >= 1
    assert answer.json()["type"] == "urn:creditmend:problem:too-many-failures"
    return answer


@pytest.mark.parametrize(
    ("operation", "who"), [(op, who) for op, row in PUBLIC.items() for who in row]
)
def test_public_operations(world: World, operation: str, who: str) -> None:
    answer = _public_call(world, operation, who)
    assert answer.status_code == PUBLIC[operation][who], answer.text
    if operation == "POST /v1/token" and answer.status_code == 200:
        token = answer.json()["access_token"]
        assert world.api.client.get("/v1/me", headers=_bearer(token)).status_code == 200


def test_the_matrix_covers_every_scope_and_caller() -> None:
    """A guard on the table itself: no cell left out, no value it cannot mean."""
    for operation, row in MATRIX.items():
        for scope in (*LENDER_SCOPES, "desk"):
            cell = row.cell(scope)
            if operation in LISTS:
                assert cell in (OWN, EVERY, 403), (operation, scope)
            elif _kind(operation) is None:
                assert isinstance(cell, int), (operation, scope)
            else:
                assert isinstance(cell, int | tuple), (operation, scope)
            if scope != "desk" and isinstance(cell, tuple):  # never another lender's
                assert cell[1:] == (404, 404), (operation, scope)
