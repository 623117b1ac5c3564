"""What the browser tests share: `creditmend serve` on a small seeded SQLite store (one per
module), Debian's Chromium driven by Playwright (one per session, never Playwright's own
downloads), the portal's users made with the real commands, an axe-core scan and a screenshot
of every page a journey visits.

Chromium is found with `shutil.which`; where it is missing the tests are skipped with the reason,
except under CI (CI set), where a skip would hide a broken set-up (`make setup` installs it).
Screenshots go to tests/browser/artifacts/ (gitignored), or to CREDITMEND_BROWSER_ARTIFACTS.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))

from api_support import _wait_listening, register_furnishers
from bureau_seed import AT, OTHER_RIC, RIC, TAKEN_ON, seed

from creditmend import bootstrap
from creditmend.domain.creditfile.inquiry import InquiryRequest
from creditmend.interfaces.portal.i18n import translations

ARTIFACTS = Path(
    os.environ.get("CREDITMEND_BROWSER_ARTIFACTS", Path(__file__).parent / "artifacts")
)
PASSWORD = "a long walk on the bund"
DESK_NAME = "ops one"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
# The lender whose inquiry of each borrower the journeys object to as made without consent: an
# objection the bureau's desk verifies itself (an account's goes to its lender, through the API).
UNCONSENTED = "LEND1"
# axe-core's impacts that fail a page (minor and moderate ones are printed, not failed).
FAILING_IMPACTS = {"serious", "critical"}

__all__ = [
    "DESKTOP", "DESK_NAME", "OTHER_RIC", "PASSWORD", "PHONE", "RIC", "UNCONSENTED", "WIDTHS",
    "Served", "Visitor", "browser", "minimal_pdf", "served", "text_of", "totp",
]  # fmt: skip


def text_of(lang: str, message: str, **values: object) -> str:
    """A message as the portal shows it in `lang` (its catalogue), so a test names a heading by
    its msgid and reads it in either language."""
    shown = translations(lang).gettext(message)
    return shown % values if values else shown


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        reason = "Debian's chromium is not installed (make setup installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI needs it")
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test file; each journey opens its own context. Not one per
    session: while Playwright's synchronous API is open, its event loop counts as running in
    the worker's thread, and a later test file on the same xdist worker that calls
    `asyncio.run` (tests/api/test_body_limit.py) would fail."""
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Served:
    base_url: str
    db_url: str
    env: dict[str, str]
    log: Path

    def cli(self, *args: str) -> str:
        """A `creditmend` command on the served store, as the desk would type it."""
        done = subprocess.run(
            [sys.executable, "-m", "creditmend", *args, "--db", self.db_url],
            capture_output=True, text=True, check=False, env=self.env,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    def invite(self, id_number: str) -> str:
        return str(json.loads(self.cli("user", "invite", "cn_ric", id_number, "--json"))["code"])

    def add_desk(self, name: str) -> str:
        return str(json.loads(self.cli("user", "add-desk", name, "--json"))["code"])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`creditmend serve --port 0` on an SQLite store holding the API tests' small bureau (a
    borrower with accounts at LEND1 and LEND2, an inquiry, three objections) and an inquiry by
    LEND1 of each journey's borrower (the record they object to); stopped with SIGTERM after
    the module. The real clock: the TOTP codes are computed from it."""
    folder = tmp_path_factory.mktemp("browser")
    db_url = f"sqlite:///{folder / 'bureau.db'}"
    register_furnishers(db_url, "LEND1", "LEND2")
    seed(db_url, folder)
    bureau = bootstrap.build_bureau(db_url)
    for id_number in (RIC, OTHER_RIC):
        asked = InquiryRequest("cn_ric", id_number, UNCONSENTED, "loan_approval", "C-9", TAKEN_ON)
        bureau.inquire.inquire(asked, AT)
    env = {**os.environ}
    env.pop("CREDITMEND_NOW", None)
    log = folder / "serve.log"
    command = [sys.executable, "-m", "creditmend", "serve", "--port", "0", "--db", db_url]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        base_url = _wait_listening(process, log, time.monotonic() + 60)
        deadline = time.monotonic() + 30
        while httpx.get(f"{base_url}/readyz").status_code != 200:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield Served(base_url, db_url, env, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Visitor:
    """One journey's tab: it records every page it sees (an axe-core scan with no serious or
    critical violation, and a full-page screenshot at each width the journey asks for)."""

    def __init__(self, page: Page, base_url: str, name: str, widths: dict[str, dict[str, int]]):
        self.page = page
        self.base_url = base_url
        self.name = name
        self.widths = widths
        self.step = 0
        self.axe = Axe()
        self.seen: list[str] = []
        for stale in ARTIFACTS.glob(f"{name}-*.png"):  # an earlier run's, maybe of other steps
            stale.unlink()

    def go(self, path: str) -> None:
        answer = self.page.goto(self.base_url + path)
        assert answer is not None and answer.status == 200, (path, answer and answer.status)

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text().strip()

    def record(self, label: str) -> None:
        """Scan the page as it stands and keep its screenshot at each of the journey's widths
        (the page is laid out again at each; the scan runs at every width too, since a
        narrow layout can hide or overlap what a wide one shows). axe-core is put into the page
        once and run at each width: injecting its 500 KB again for each scan, as the package's
        `Axe.run` does, took the module from 1.5 to 2.4 minutes."""
        self.step += 1
        assert self.page.locator("main").count() == 1, f"{self.page.url}: one main landmark"
        self.page.evaluate(self.axe.axe_script)  # axe-core into this page, once for its widths
        for width_name, size in self.widths.items():
            self.page.set_viewport_size(size)
            found = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
            bad = [v for v in found["violations"] if v["impact"] in FAILING_IMPACTS]
            summary = [
                (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3]) for v in bad
            ]
            assert not bad, f"{self.page.url} at {width_name}: {summary}"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / f"{self.name}-{self.step:02d}-{label}-{width_name}.png"
            self.page.screenshot(path=str(shot), full_page=True)
        self.seen.append(self.page.url.removeprefix(self.base_url))


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF saying `text` (ASCII), with a correct cross-reference table: the smallest
    evidence a borrower would scan and upload."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref
    )  # fmt: skip
    return bytes(out)


def totp(secret: str, ahead: int = 0) -> str:
    """The authenticator app's code, `ahead` steps after the current one: the server accepts a
    code one step either side of now but never a step at or before the last one it accepted, so
    a sign-in right after enrolment (maybe in the same 30 s step) types the next step's code."""
    return pyotp.TOTP(secret).at(time.time() + 30 * ahead)
