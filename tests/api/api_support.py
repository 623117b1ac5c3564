"""What the API's tests share (fixtures re-exported by conftest.py, so later endpoint tests get
them too).

In process: `api` (a TestClient on `create_app` over a real SQLite store, with a clock the test
moves, and a `probe` router exercising every extension point), `lender`/`desk` (registered
clients). End to end: `api_server`, `creditmend serve` started as a child process once per
module and database (SQLite and PostgreSQL), on a free loopback port, ready when it yields.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from creditmend import bootstrap
from creditmend.domain.clients import DESK, FURNISH, INQUIRE, Caller
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.interfaces.api.app import create_app
from creditmend.interfaces.api.limits import MIB, body_limit, content_type, rate_limit
from creditmend.interfaces.api.security import require_scope
from creditmend.interfaces.api.settings import ApiSettings
from creditmend.services.clients import NewClient

ZONE = ZoneInfo("Asia/Shanghai")
PROBLEM_KEYS = {"type", "title", "status", "detail", "errors", "request_id"}
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class MovableClock:
    """The services' clock, moved by the test (token expiry without waiting)."""

    def __init__(self, at: datetime = START) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.astimezone(ZONE).date()

    def advance(self, by: timedelta) -> None:
        self.at += by


def register_furnishers(url: str, *codes: str) -> None:
    bureau = bootstrap.build_bureau(url, create=True)
    for code in codes:
        bureau.furnish.add_furnisher(
            Furnisher(code, f"Lender {code}", FurnisherKind.NON_BANK), START
        )


# ---------------------------------------------------------------- the probe router
class Echo(BaseModel):
    name: str
    amount: int


probe = APIRouter(prefix="/v1/probe", tags=["probe"])


def _who(caller: Caller) -> dict[str, Any]:
    return {
        "client_id": caller.client_id,
        "furnisher_code": caller.furnisher_code,
        "scopes": sorted(caller.scopes),
        "desk": caller.desk,
    }


@probe.get("/furnish")
def probe_furnish(caller: Annotated[Caller, Depends(require_scope(FURNISH))]) -> dict[str, Any]:
    return _who(caller)


@probe.get("/desk")
def probe_desk(caller: Annotated[Caller, Depends(require_scope(DESK))]) -> dict[str, Any]:
    return _who(caller)


@probe.get("/limited", dependencies=[Depends(rate_limit)])
def probe_limited(caller: Annotated[Caller, Depends(require_scope(INQUIRE))]) -> dict[str, Any]:
    return _who(caller)


@probe.post("/small", dependencies=[Depends(content_type("application/x-ndjson"))])
async def probe_small(request: Request) -> dict[str, int]:
    return {"bytes": len(await request.body())}


@probe.post("/big", dependencies=[Depends(content_type("application/x-ndjson"))])
@body_limit(1 * MIB)
async def probe_big(request: Request) -> dict[str, int]:
    return {"bytes": len(await request.body())}


@probe.post("/echo")
def probe_echo(body: Echo) -> Echo:
    return body


@probe.get("/refused")
def probe_refused(store: bool = False) -> None:
    if store:
        raise ProblemsError((Problem("db", "cannot write /var/lib/secret-path.db: disk full"),))
    raise ProblemsError((Problem("consent.expires_on", "2026-01-01 is before signed_on"),))


@probe.get("/boom")
def probe_boom() -> None:
    raise RuntimeError("internal detail that must not leak: /etc/secret")


# ---------------------------------------------------------------- in process
@dataclass
class InProcess:
    client: TestClient
    app: FastAPI
    service: bootstrap.Service
    clock: MovableClock
    url: str
    made: dict[str, NewClient] = field(default_factory=dict)

    def token(self, who: str = "lender") -> str:
        made = self.made[who]
        answer = self.client.post(
            "/v1/token",
            data={
                "grant_type": "client_credentials",
                "client_id": made.client_id,
                "client_secret": made.client_secret,
            },
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])


@pytest.fixture
def make_api(tmp_path: Path) -> Iterator[Callable[..., InProcess]]:
    """An `InProcess` API over a fresh SQLite store with lenders LEND1 and LEND2 and clients
    `lender` (LEND1: furnish, inquire), `other` (LEND2: inquire) and `desk`."""
    opened: list[TestClient] = []

    def make(settings: ApiSettings | None = None) -> InProcess:
        settings = settings or ApiSettings()
        url = f"sqlite:///{tmp_path / 'bureau.db'}"
        register_furnishers(url, "LEND1", "LEND2")
        clock = MovableClock()
        service = replace(bootstrap.build_service(url, token_ttl=settings.token_ttl), clock=clock)
        made = {
            "lender": service.clients.add_lender("LEND1", [FURNISH, INQUIRE], START),
            "other": service.clients.add_lender("LEND2", [INQUIRE], START),
            "desk": service.clients.add_desk("ops", START),
        }
        app = create_app(service, settings)
        app.include_router(probe)
        client = TestClient(app, raise_server_exceptions=False)
        opened.append(client)
        return InProcess(client, app, service, clock, url, made)

    yield make
    for client in opened:
        client.close()


@pytest.fixture
def api(make_api: Callable[..., InProcess]) -> InProcess:
    return make_api()


# ---------------------------------------------------------------- end to end
# Seconds an access token lives on a served test server: a module that tests expiry sets its
# own short `SERVER_TOKEN_TTL`; the others keep tokens that outlive a slow, loaded machine.
SERVER_TOKEN_TTL = 600
LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


@dataclass
class Server:
    base_url: str
    db_url: str
    log: Path
    made: dict[str, NewClient]
    env: dict[str, str]

    def token(self, who: str = "lender") -> str:
        made = self.made[who]
        form = {"grant_type": "client_credentials", "client_id": made.client_id}
        answer = httpx.post(
            f"{self.base_url}/v1/token", data={**form, "client_secret": made.client_secret}
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])

    def log_with(self, *lines: str, wait: float = 10.0) -> str:
        """The server's log once it holds every one of `lines`: a request's log line is written
        as the answer goes out, so a client may read the log a moment before it is there."""
        deadline = time.monotonic() + wait
        while True:
            text = self.log.read_text("utf-8", "replace")
            if all(line in text for line in lines) or time.monotonic() > deadline:
                return text
            time.sleep(0.05)


def _wait_listening(process: subprocess.Popen[bytes], log: Path, deadline: float) -> str:
    while time.monotonic() < deadline:
        found = LISTENING.search(log.read_text("utf-8", "replace"))
        if found:
            return f"http://127.0.0.1:{found.group(1)}"
        if process.poll() is not None:
            pytest.fail(f"creditmend serve ended ({process.returncode}): {log.read_text()}")
        time.sleep(0.1)
    pytest.fail(f"creditmend serve did not listen in time: {log.read_text()}")


@pytest.fixture(scope="module")
def api_server(
    module_db_url: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Server]:
    """`creditmend serve --port 0` on the module's database, ready (`/readyz` 200) when it
    yields; stopped with SIGTERM after the module. Tokens live the module's `SERVER_TOKEN_TTL`
    seconds, if it has one; its `SERVER_ENV` (a dict) adds to the server's environment."""
    folder = tmp_path_factory.mktemp("server")
    env = {**os.environ, "CREDITMEND_KEY": bootstrap.new_key()}
    env.pop("CREDITMEND_NOW", None)  # a stopped clock would never expire a token
    env["CREDITMEND_API_TOKEN_TTL"] = str(
        getattr(request.module, "SERVER_TOKEN_TTL", SERVER_TOKEN_TTL)
    )
    env.update(getattr(request.module, "SERVER_ENV", {}))  # a module's own settings
    saved_key = os.environ.get("CREDITMEND_KEY")
    os.environ["CREDITMEND_KEY"] = env["CREDITMEND_KEY"]
    try:
        register_furnishers(module_db_url, "LEND1", "LEND2")
        clients = bootstrap.build_client_service(module_db_url)
        made = {
            "lender": clients.add_lender("LEND1", [FURNISH, INQUIRE], START),
            "other": clients.add_lender("LEND2", [INQUIRE], START),
            "revoked": clients.add_lender("LEND1", [FURNISH], START),
            "desk": clients.add_desk("ops", START),
        }
    finally:
        if saved_key is None:
            os.environ.pop("CREDITMEND_KEY", None)
        else:
            os.environ["CREDITMEND_KEY"] = saved_key
    log = folder / "serve.log"
    command = [sys.executable, "-m", "creditmend", "serve", "--port", "0", "--db", module_db_url]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        base_url = _wait_listening(process, log, time.monotonic() + 60)
        deadline = time.monotonic() + 30
        while httpx.get(f"{base_url}/readyz").status_code != 200:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield Server(base_url, module_db_url, log, made, env)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
