"""The portal in process: the API's app (which mounts the portal) on a real SQLite store with
the API tests' small bureau (a borrower with accounts at LEND1 and LEND2), a clock the test
moves, a TestClient on https (the cookies are Secure), and helpers that walk the forms as a
browser would: read the CSRF token from the page, post it back."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import httpx
import pyotp
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))

from api_support import MovableClock, register_furnishers
from bureau_seed import OTHER_RIC, RIC, seed

from creditmend import bootstrap
from creditmend.adapters.secret_hash import Argon2Hasher
from creditmend.interfaces.api.app import create_app
from creditmend.interfaces.portal.app import close_portal
from creditmend.interfaces.portal.jobs import Jobs
from creditmend.interfaces.portal.web import new_buckets

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SECRET = re.compile(r'<code class="secret">([A-Z2-7]+)</code>')
CODES = re.compile(r"<li><code>([0-9A-Z-]+)</code></li>")
PASSWORD = "a long walk on the bund"
DESK_NAME = "ops one"

__all__ = ["OTHER_RIC", "PASSWORD", "RIC", "Portal", "portal", "portal_any", "typeset"]
JOB_PAGE = re.compile(r"(/(?:me|desk)/objections/\d+/letter/pdf/[A-Za-z0-9_-]+)")


@dataclass
class Portal:
    client: TestClient
    service: bootstrap.Service
    clock: MovableClock
    url: str
    new_client: Callable[[], TestClient]
    jobs: Jobs  # the app's plans and PDFs made off the request path

    def invite(self, id_number: str = RIC) -> str:
        made = self.service.portal.invite("cn_ric", id_number, self.clock.today(), self.clock.now())
        return made.code

    def desk_code(self, name: str = DESK_NAME) -> str:
        return self.service.portal.add_desk(name, self.clock.today(), self.clock.now()).code

    def totp(self, secret: str) -> str:
        return pyotp.TOTP(secret).at(self.clock.now())

    def post(
        self,
        path: str,
        data: dict[str, str],
        client: TestClient | None = None,
        form_page: str | None = None,
    ) -> httpx.Response:
        """Post a form as the page at `path` (or `form_page`) gives it (its CSRF token too)."""
        browser = client or self.client
        page = browser.get(form_page or path)
        found = CSRF.search(page.text)
        assert found, page.text[:500]
        return browser.post(path, data={"csrf": found.group(1), **data}, follow_redirects=False)

    def begin(
        self,
        code: str,
        identity: str = RIC,
        kind: str = "cn_ric",
        password: str = PASSWORD,
        client: TestClient | None = None,
    ) -> httpx.Response:
        form = {"code": code, "kind": kind, "identity": identity, "password": password,
                "password2": password}  # fmt: skip
        return self.post("/enrol", form, client)

    def enrol(
        self,
        code: str,
        identity: str = RIC,
        kind: str = "cn_ric",
        client: TestClient | None = None,
    ) -> tuple[str, list[str]]:
        """The whole enrolment: the TOTP secret and the recovery codes it ends with."""
        browser = client or self.client
        started = self.begin(code, identity, kind, client=browser)
        assert started.status_code == 303, started.text
        page = browser.get("/enrol/totp")
        secret = SECRET.search(page.text)
        assert secret, page.text
        done = self.post("/enrol/totp", {"totp": self.totp(secret.group(1))}, browser)
        assert done.status_code == 200, done.text
        return secret.group(1), CODES.findall(done.text)

    def login(
        self,
        secret: str,
        identity: str = RIC,
        kind: str = "cn_ric",
        password: str = PASSWORD,
        client: TestClient | None = None,
        second: str | None = None,
    ) -> httpx.Response:
        self.clock.advance(timedelta(seconds=90))  # a new TOTP step (a used one is refused)
        form = {"kind": kind, "identity": identity, "password": password,
                "totp": second if second is not None else self.totp(secret)}  # fmt: skip
        return self.post("/login", form, client)


def typeset(client: TestClient, path: str) -> tuple[httpx.Response, str | None]:
    """A letter's PDF as a browser gets it: the link sends it to the job's page (the job's
    path is returned), which it reads again until the PDF is offered, then the file; a PDF
    typeset already comes at once (no job page: None)."""
    asked = client.get(path, follow_redirects=False)
    if asked.status_code != 303:
        return asked, None
    location = asked.headers["location"]
    assert JOB_PAGE.fullmatch(location), location
    for _ in range(2400):  # as the browser would, every so often, without counting on a time
        page = client.get(location, headers={"Accept-Language": "en"})
        assert page.status_code == 200 and "<script" not in page.text
        if '<meta http-equiv="refresh"' not in page.text:
            break
        time.sleep(0.25)
    assert f'href="{location}/file"' in page.text, page.text[:800]
    return client.get(f"{location}/file"), location


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    """The portal on an SQLite store."""
    yield from _portal_on(f"sqlite:///{tmp_path / 'bureau.db'}", tmp_path)


@pytest.fixture
def portal_any(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Portal]:
    """The portal on SQLite and on PostgreSQL (served as the role under row-level security)."""
    monkeypatch.setenv("CREDITMEND_KEY", bootstrap.new_key())
    yield from _portal_on(db_url, tmp_path)


class LightArgon2(Argon2Hasher):
    """argon2id with small parameters, as tests/api/test_authorisation_matrix.py's: these tests
    check who may see what, not the hash's cost, and enrol and sign in a few users each (the
    real parameters took about a tenth of the portal tests' CPU). The served portal of
    tests/browser and benchmarks/portal_bench.py keeps the real parameters."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _portal_on(url: str, tmp_path: Path) -> Iterator[Portal]:
    register_furnishers(url, "LEND1", "LEND2")
    seed(url, tmp_path)
    clock = MovableClock()
    service = replace(bootstrap.build_service(url), clock=clock)
    service.portal.hasher = LightArgon2()
    app = create_app(service)
    # The sign-in buckets' time stands still: a token refilled mid-test on a slow machine (one
    # every 6 s) would make the rate-limit test's count depend on the machine's speed.
    app.state.portal_rate_limits = new_buckets(now=lambda: 0.0)
    opened: list[TestClient] = []

    def new_client() -> TestClient:
        made = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
        opened.append(made)
        return made

    yield Portal(new_client(), service, clock, url, new_client, app.state.portal_jobs)
    for client in opened:
        client.close()
    close_portal(app)
