"""Benchmark: the portal's pages at the server, on a demo-sized store, against their floors.

Goal (issue 18): pages answer within 200 ms at the server (p95) on the demo's store with a few
users; a page weighs under 500 KB (the page and its style sheet).

The store is the API benchmark's cached SQLite store (benchmarks/api_store.py) of `make demo`'s
size (2,000 persons, as of 2026-07-10), copied for the run. A few borrowers are enrolled through
the service (invite, password, first TOTP code), then each page is asked `--requests` times in
turn by the signed-in borrowers, in process through the ASGI app (FastAPI's TestClient: the
whole server stack but the socket). Two floors are measured in the same run: `/healthz` (the
stack alone: middleware, routing) and the report page's own work without HTTP (the self-report
and its HTML rendering through the services), so that the table says what the portal adds.

Run: `.venv/bin/python -m benchmarks.portal_bench [--persons N] [--users N] [--requests N]
[--output PATH]`. Writes `benchmarks/results/portal.json` (or PATH); exits 0 whether or not
the goal is met.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyotp
from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from benchmarks.api_load import summary_ms
from benchmarks.api_store import StoreSettings, cached_store, store_copy
from creditmend import bootstrap
from creditmend.domain.clock import FixedClock
from creditmend.interfaces.api.app import create_app

RESULTS = Path(__file__).resolve().parent / "results"
GOAL_P95_MS = 200.0
GOAL_PAGE_KB = 500.0
PASSWORD = "a long walk on the bund"
PAGES = ("/me", "/me/report", "/me/inquiries")
AT = datetime(2026, 7, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _percentiles(seconds: list[float]) -> dict[str, float]:
    """The API bench's nearest-rank summary (p50, p95, p99, max, mean in ms)."""
    return summary_ms(seconds)


def _timed(run: Callable[[], object], times: int) -> list[float]:
    """Seconds each of `times` runs took."""
    samples = []
    for _ in range(times):
        began = time.perf_counter()
        run()
        samples.append(time.perf_counter() - began)
    return samples


def _enrol(service: bootstrap.Service, id_type: str, id_number: str) -> str:
    """A signed-in session token for this borrower, made through the service."""
    portal, now = service.portal, service.clock.now()
    code = portal.invite(id_type, id_number, service.clock.today(), now).code
    started = portal.begin_enrolment(code, id_type, id_number, PASSWORD, service.clock.today(),
                                     now)  # fmt: skip
    done = portal.finish_enrolment(started.session_token, pyotp.TOTP(started.totp_secret).at(now),
                                   now)  # fmt: skip
    return done.session_token


def run(persons: int, users: int, requests: int) -> dict[str, Any]:
    store = cached_store(StoreSettings(persons=persons), postgresql=False)
    os.environ["CREDITMEND_KEY"] = store.key
    borrowers = store.persons()[:users]
    with tempfile.TemporaryDirectory() as folder, store_copy(store, "sqlite", Path(folder)) as url:
        service = replace(bootstrap.build_service(url), clock=FixedClock(AT, AT.tzinfo))
        tokens = [_enrol(service, kind, number) for kind, number in borrowers]
        client = TestClient(create_app(service), base_url="https://testserver")
        weights: dict[str, int] = {}
        css = len(client.get("/static/portal.css").content)
        rows: dict[str, dict[str, float]] = {}
        turn = iter(range(10**9))

        def page(path: str) -> Callable[[], object]:
            def ask() -> object:
                token = tokens[next(turn) % len(tokens)]
                answer = client.get(path, cookies={"__Host-cm_session": token})
                assert answer.status_code == 200, (path, answer.status_code)
                weights[path] = max(weights.get(path, 0), len(answer.content) + css)
                return answer

            return ask

        for path in PAGES:
            page(path)()  # warm: templates compiled, the scorecard loaded
            rows[path] = _percentiles(_timed(page(path), requests))
        rows["/healthz (floor: the stack)"] = _percentiles(
            _timed(lambda: client.get("/healthz"), requests)
        )

        def report_work() -> object:
            kind, number = borrowers[next(turn) % len(borrowers)]  # the same borrowers in turn
            report = service.bureau.inquire.self_report(kind, number, AT.date(), AT)
            return bootstrap.render_html(report, AT)

        rows["report without HTTP (floor)"] = _percentiles(_timed(report_work, requests))
        client.close()
    return {"rows": rows, "weights_bytes": weights, "users": users, "requests": requests}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--output", type=Path, default=RESULTS / "portal.json")
    options = parser.parse_args()
    load_before = os.getloadavg()
    measured = run(options.persons, options.users, options.requests)
    load_after = os.getloadavg()
    report = measured["rows"]["/me/report"]
    page_p95 = max(measured["rows"][path]["p95_ms"] for path in PAGES)
    heaviest = max(measured["weights_bytes"].values()) / 1024
    result = {
        "benchmark": "portal pages at the server (in process)",
        "at": datetime.now(ZoneInfo("UTC")).isoformat(timespec="seconds"),
        "persons": options.persons,
        **measured,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "report_over_floor": report["p95_ms"]
        / measured["rows"]["report without HTTP (floor)"]["p95_ms"],
        "goal": {"p95_ms": GOAL_P95_MS, "page_kb": GOAL_PAGE_KB},
        "met": {"p95": page_p95 <= GOAL_P95_MS, "weight": heaviest <= GOAL_PAGE_KB},
    }
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    table = Table(title=f"portal pages, {options.persons} persons, {options.users} users, "
                        f"load {load_before[0]:.1f}->{load_after[0]:.1f}")  # fmt: skip
    for column in ("what", "p50 ms", "p95 ms", "max ms", "KB"):
        table.add_column(column)
    for what, row in measured["rows"].items():
        weight = measured["weights_bytes"].get(what)
        kb = "" if weight is None else f"{weight / 1024:.0f}"
        figures = (f"{row[key]:.1f}" for key in ("p50_ms", "p95_ms", "max_ms"))
        table.add_row(what, *figures, kb)
    Console().print(table)
    print(f"goal p95 <= {GOAL_P95_MS:.0f} ms: {'met' if result['met']['p95'] else 'MISSED'} "
          f"({page_p95:.1f}); page <= {GOAL_PAGE_KB:.0f} KB: "
          f"{'met' if result['met']['weight'] else 'MISSED'} ({heaviest:.0f})")  # fmt: skip


if __name__ == "__main__":
    main()
