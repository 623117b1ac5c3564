"""The API benchmark's machinery: a served store, a lender's client, a bounded inquiry load, a
furnishing upload, and their floors (the inquiry in process, `creditmend ingest` for the file).

The load is open-loop: request i is due at `i / rate` seconds after the start, whatever the
answers before it did, so a slow server shows as latency (and as a lower rate achieved), not
as fewer requests asked. At most `concurrency` requests are in flight (a real lender's pool);
a request that waits for a free connection past its due time is counted in `late`. It stops
at `requests` requests or at `time_cap` seconds, whichever comes first; what is still in
flight then is cancelled and counted as an error.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

from benchmarks.api_store import run_cli
from creditmend import bootstrap
from creditmend.domain.creditfile.inquiry import InquiryRequest
from creditmend.domain.report.json_form import report_json

LENDER = "APIBENCH"  # the benchmark's lender: a furnisher code of its own
PURPOSE = "loan_approval"
LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
FINISHED = ("done", "refused", "failed")
# The service's own limits would stop a load test at its first second: raised for the bench.
UNLIMITED = {
    "CREDITMEND_API_RATE": "1000000",
    "CREDITMEND_API_BURST": "1000000",
    "CREDITMEND_API_INQUIRY_QUOTA": "100000000",
}


def business_today() -> date:
    """Today in the profile's time zone: the server's business date (its clock is real)."""
    return bootstrap.clock().today()


def consent(today: date, number: int) -> dict[str, str]:
    """A consent in force: signed a month ago, for a year."""
    return {
        "reference": f"BENCH-{number}",
        "signed_on": (today - timedelta(days=30)).isoformat(),
        "expires_on": (today + timedelta(days=365)).isoformat(),
    }


def inquiry_bodies(
    persons: Sequence[tuple[str, str]], count: int, seed: int, today: date
) -> list[bytes]:
    """`count` request bodies for persons drawn at random (seeded) from the store's."""
    rng = random.Random(seed)
    bodies = []
    for number in range(count):
        id_type, id_number = rng.choice(persons)
        body = {
            "id_type": id_type,
            "id_number": id_number,
            "purpose": PURPOSE,
            "consent": consent(today, number),
        }
        bodies.append(orjson.dumps(body))
    return bodies


# ---------------------------------------------------------------- statistics
def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of values already sorted (0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = min(len(sorted_values), max(1, math.ceil(q * len(sorted_values) / 100))) - 1
    return sorted_values[rank]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    values = sorted(s * 1000 for s in seconds)
    return {
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "p99_ms": round(percentile(values, 99), 2),
        "max_ms": round(values[-1], 2) if values else 0.0,
        "mean_ms": round(sum(values) / len(values), 2) if values else 0.0,
    }


# ---------------------------------------------------------------- the server
@dataclass(frozen=True, slots=True)
class Lender:
    code: str
    client_id: str
    client_secret: str


def register_lender(url: str, env: dict[str, str], code: str = LENDER) -> Lender:
    """The lender and its API client, registered with the commands a bureau's operator runs."""
    run_cli("furnisher", "add", code, "--name", "API bench lender", "--kind", "non_bank",
            "--db", url, env=env)  # fmt: skip
    scopes = ("--scopes", "furnish,inquire", "--json")
    made = orjson.loads(run_cli("client", "add", code, *scopes, "--db", url, env=env))
    return Lender(code, made["client_id"], made["client_secret"])


@dataclass(slots=True)
class Served:
    base_url: str
    log: Path
    process: subprocess.Popen[bytes]

    def token(self, lender: Lender) -> str:
        answer = httpx.post(
            f"{self.base_url}/v1/token",
            data={"grant_type": "client_credentials"},
            auth=(lender.client_id, lender.client_secret),
            timeout=30,
        )
        answer.raise_for_status()
        return str(answer.json()["access_token"])


@contextmanager
def served(
    url: str, env: dict[str, str], workers: int, log: Path, start_timeout: float = 90
) -> Iterator[Served]:
    """`creditmend serve --port 0 --workers N` on 127.0.0.1, ready (`/readyz` 200) when it
    yields; stopped with SIGTERM (then killed) when the block ends, even on error."""
    environment = {**os.environ, **env, **UNLIMITED}
    environment.pop("CREDITMEND_NOW", None)  # the server's clock is real
    command = [sys.executable, "-m", "creditmend", "serve", "--host", "127.0.0.1", "--port", "0",
               "--workers", str(workers), "--db", url]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=environment, start_new_session=True
        )
    try:
        base_url = _wait_ready(process, log, time.monotonic() + start_timeout)
        yield Served(base_url, log, process)
    finally:
        _stop(process)


def _wait_ready(process: subprocess.Popen[bytes], log: Path, deadline: float) -> str:
    base_url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"creditmend serve ended ({process.returncode}): {_tail(log)}")
        if base_url is None:
            found = LISTENING.search(log.read_text("utf-8", "replace"))
            base_url = f"http://127.0.0.1:{found.group(1)}" if found else None
        if base_url is not None:
            try:
                if httpx.get(f"{base_url}/readyz", timeout=5).status_code == 200:
                    return base_url
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    raise RuntimeError(f"creditmend serve was not ready in time: {_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # uvicorn's supervisor stops its workers
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: the workers go with it
        process.wait()


def settle(log: Path, quiet: float = 1.5, cap: float = 120.0) -> float:
    """Wait until the server has answered what it was still working on (requests a client
    gave up on are still served, each writing its log line): its log unchanged for `quiet`
    seconds, or `cap` seconds. Returns the seconds waited."""
    began = last_change = time.monotonic()
    size = log.stat().st_size
    while time.monotonic() - last_change < quiet and time.monotonic() - began < cap:
        time.sleep(0.25)
        now = log.stat().st_size
        if now != size:
            size, last_change = now, time.monotonic()
    return time.monotonic() - began


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text("utf-8", "replace").splitlines()[-lines:])


# ---------------------------------------------------------------- the inquiry load
@dataclass(slots=True)
class Load:
    asked: int  # requests due within the time cap
    seconds: float  # from the first due time to the last answer
    latencies: list[float] = field(default_factory=list)  # seconds, of the 201 answers
    statuses: Counter[str] = field(default_factory=Counter)
    late: list[float] = field(default_factory=list)  # seconds each request waited past its due
    not_sent: int = 0  # due after the time cap
    first_error: str | None = None

    @property
    def ok(self) -> int:
        return self.statuses.get("201", 0)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != "201")

    def as_dict(self) -> dict[str, Any]:
        late = sorted(self.late)
        return {
            "requests": self.asked,
            "ok": self.ok,
            "errors": self.errors,
            "statuses": dict(sorted(self.statuses.items())),
            "first_error": self.first_error,
            "not_sent_time_cap": self.not_sent,
            "seconds": round(self.seconds, 3),
            "requests_per_second": round(self.ok / self.seconds, 1) if self.seconds else 0.0,
            **summary_ms(self.latencies),
            "late_p99_ms": round(percentile(late, 99) * 1000, 2),
        }


async def _drive(
    base_url: str,
    token: str,
    bodies: Sequence[bytes],
    rate: float,
    concurrency: int,
    time_cap: float,
) -> Load:
    loop = asyncio.get_running_loop()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    load = Load(asked=0, seconds=0.0)
    gate = asyncio.Semaphore(concurrency)
    last_answer = 0.0
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, headers=headers, timeout=30
    ) as client:
        began = loop.time() + 0.05

        async def one(index: int) -> None:
            nonlocal last_answer
            due = began + index / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            if due - began > time_cap:
                return
            load.asked += 1
            async with gate:
                sent = loop.time()
                load.late.append(max(0.0, sent - due))
                try:
                    answer = await client.post("/v1/inquiries", content=bodies[index])
                    status = str(answer.status_code)
                    if status != "201" and load.first_error is None:
                        load.first_error = f"{status} {answer.text[:300]}"
                except httpx.HTTPError as error:
                    status = type(error).__name__
                    load.first_error = load.first_error or f"{status}: {error}"
                now = loop.time()
            load.statuses[status] += 1
            if status == "201":
                load.latencies.append(now - sent)
            last_answer = max(last_answer, now)

        tasks = [asyncio.create_task(one(i)) for i in range(len(bodies))]
        _, pending = await asyncio.wait(tasks, timeout=time_cap + 35)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        # Asked but not answered by then: in flight, or waiting for a free connection.
        unanswered = load.asked - sum(load.statuses.values())
        if unanswered:
            load.statuses["cancelled_at_time_cap"] = unanswered
        load.not_sent = len(bodies) - load.asked  # due after the cap (or not yet due then)
        load.seconds = max(0.0, last_answer - began)
    return load


def drive_inquiries(
    base_url: str,
    token: str,
    bodies: Sequence[bytes],
    rate: float,
    concurrency: int,
    time_cap: float,
) -> Load:
    """Send every body (or those due within `time_cap` s) at `rate` per second."""
    return asyncio.run(_drive(base_url, token, bodies, rate, concurrency, time_cap))


# ---------------------------------------------------------------- the inquiry's floor
def inquiry_floor(
    url: str, env: dict[str, str], lender: Lender, bodies: Sequence[bytes], warm_up: int = 10
) -> dict[str, Any]:
    """The same inquiries through the service layer in this process (no HTTP): what the
    endpoint calls (`InquiryService.inquire`, then the report's JSON form, serialised)."""
    saved = os.environ.get("CREDITMEND_KEY")
    os.environ.update(env)
    try:
        bureau = bootstrap.build_bureau(url)
        today = business_today()
        times = []
        for index, raw in enumerate(bodies):
            body = orjson.loads(raw)
            ask = InquiryRequest(
                id_type=body["id_type"],
                id_number=body["id_number"],
                by=lender.code,
                purpose=body["purpose"],
                consent_ref=body["consent"]["reference"],
                on=today,
                consent_signed_on=date.fromisoformat(body["consent"]["signed_on"]),
                consent_expires_on=date.fromisoformat(body["consent"]["expires_on"]),
                client_id=lender.client_id,
                request_id=f"floor-{index}",
            )
            began = time.perf_counter()
            report = bureau.inquire.inquire(ask, bootstrap.clock().now(), today=today)
            orjson.dumps(report_json(report))
            if index >= warm_up:
                times.append(time.perf_counter() - began)
    finally:
        if saved is None:
            os.environ.pop("CREDITMEND_KEY", None)
        else:
            os.environ["CREDITMEND_KEY"] = saved
    total = sum(times)
    return {
        "calls": len(times),
        "warm_up_calls": min(warm_up, len(bodies)),
        "seconds": round(total, 3),
        "calls_per_second": round(len(times) / total, 1) if total else 0.0,
        **summary_ms(times),
    }


# ---------------------------------------------------------------- the furnishing upload
def furnishing_file(population: Path, records: int, target: Path, code: str = LENDER) -> int:
    """Up to `records` CMF v1 records from synth's files, oldest month first, sent as the
    bench's lender: `furnisher_id` rewritten to `code` (synth's account ids start with their
    platform's code, so they stay distinct). New accounts of persons the store knows: the file
    is applied, not found unchanged. Returns the records written."""
    months = sorted({path.name for path in (population / "cmf").glob("*/*.jsonl")})
    written = 0
    with target.open("wb") as out:
        for month in months:
            for path in sorted((population / "cmf").glob(f"*/{month}")):
                original = f'"furnisher_id":"{path.parent.name}"'.encode()
                replaced = f'"furnisher_id":"{code}"'.encode()
                for line in path.read_bytes().splitlines(keepends=True):
                    if written >= records:
                        return written
                    out.write(line.replace(original, replaced, 1))
                    written += 1
    return written


def upload(served: Served, token: str, path: Path, cap: float) -> dict[str, Any]:
    """POST the file, then poll its job until it is finished: seconds from the first byte
    sent to the finished status seen (polled every 0.1 s), and the job's last answer."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    content = path.read_bytes()
    with httpx.Client(base_url=served.base_url, headers=headers, timeout=cap) as client:
        began = time.perf_counter()
        answer = client.post("/v1/furnishings", content=content)
        accepted = time.perf_counter() - began
        if answer.status_code != 202:
            return {"status": f"http {answer.status_code}", "detail": answer.text[:300]}
        job_id = answer.json()["job_id"]
        job: dict[str, Any] = {"status": "queued"}
        while job["status"] not in FINISHED and time.perf_counter() - began < cap:
            time.sleep(0.1)
            job = client.get(f"/v1/furnishings/{job_id}").json()
        seconds = time.perf_counter() - began
    job.pop("rejects", None)
    return {**job, "seconds": round(seconds, 3), "upload_seconds": round(accepted, 3)}


def cli_ingest(url: str, env: dict[str, str], path: Path) -> dict[str, Any]:
    """`creditmend ingest FILE --db URL --json` as an operator runs it: a process of its own,
    its wall time from start to exit (the interpreter's start included, as the upload's time
    includes the request), and apart the time the command takes to start (`ingest --help`),
    so that the ingest's own time can be read too."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "creditmend", "ingest", str(path), "--db", url, "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        return {"status": f"exit {done.returncode}", "detail": done.stderr[-300:]}
    began = time.perf_counter()  # the command's start alone: its imports, its help
    subprocess.run(
        [sys.executable, "-m", "creditmend", "ingest", "--help"],
        capture_output=True,
        env={**os.environ, **env},
        check=False,
    )
    start = time.perf_counter() - began
    summary = orjson.loads(done.stdout)
    summary.pop("file", None)
    return {
        "status": "done",
        "seconds": round(seconds, 3),
        "start_seconds": round(start, 3),
        "summary": summary,
    }
