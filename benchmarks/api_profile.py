"""Profile one inquiry end to end: what a `POST /v1/inquiries` costs in CPU, and where it goes.

Two measures on a copy of a store the API bench made (or any store, `--db`):
- `floor`: the in-process inquiry the bench's floor times (`InquiryService.inquire`, then the
  report's JSON form, serialised) under cProfile; prints the top functions by own time and
  the statements one inquiry sends.
- `served`: `creditmend serve --workers 1` on 127.0.0.1, sent `--calls` inquiries one at a
  time (a closed loop: no queue), and the worker's CPU time (user + system, from /proc)
  divided by the calls: the CPU a served inquiry costs, every layer included. With
  `--py-spy FILE`, py-spy records the worker meanwhile (`--gil -f raw`).

Run: `.venv/bin/python -m benchmarks.api_profile [--persons N] [--calls N] [--db URL]
[--mode floor|served|both] [--py-spy FILE]`. It writes nothing to the store it was given (it
works on a copy) and exits 0.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import Engine, event

from benchmarks.api_load import (
    Lender,
    business_today,
    inquiry_bodies,
    inquiry_floor,
    register_lender,
    served,
)
from benchmarks.api_store import PG_ADMIN, CachedStore, StoreSettings, any_copy, cached_store

TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def floor(store: CachedStore, url: str, lender: Lender, calls: int, top: int) -> None:
    env, persons = store.env(), store.persons()
    bodies = inquiry_bodies(persons, calls, 23, business_today())
    inquiry_floor(url, env, lender, bodies[:20], warm_up=20)  # warm: imports, caches, pools
    statements = 0

    def counted(*_args: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(Engine, "before_cursor_execute", counted)
    inquiry_floor(url, env, lender, bodies[:10], warm_up=0)
    event.remove(Engine, "before_cursor_execute", counted)
    print(f"statements per inquiry: {statements / 10:.1f}")
    cpu = time.process_time()
    measured = inquiry_floor(url, env, lender, bodies, warm_up=0)
    cpu = time.process_time() - cpu
    print(f"floor: {measured}; CPU {cpu / len(bodies) * 1000:.2f} ms an inquiry")
    if not top:
        return
    profile = cProfile.Profile()
    profile.enable()
    measured = inquiry_floor(url, env, lender, bodies, warm_up=0)
    profile.disable()
    print(f"floor under cProfile: {measured}")
    stats = pstats.Stats(profile).sort_stats("tottime")
    stats.print_stats(top)
    stats.sort_stats("cumulative").print_stats(top * 2)


def serve_cpu(store: CachedStore, url: str, lender: Lender, calls: int, spy: Path | None) -> None:
    env, persons = store.env(), store.persons()
    bodies = inquiry_bodies(persons, calls + 50, 29, business_today())
    with tempfile.TemporaryDirectory() as name:
        log = Path(name) / "serve.log"
        with served(url, env, 1, log) as server:
            token = server.token(lender)
            worker = ([*_children(server.process.pid), server.process.pid])[0]  # one worker: itself
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
                for body in bodies[:50]:  # warm-up
                    client.post("/v1/inquiries", content=body).raise_for_status()
                recorder = None
                if spy is not None:
                    recorder = subprocess.Popen(
                        [
                            os.environ.get("PY_SPY", "py-spy"),
                            "record",
                            "--gil",
                            "-f",
                            "raw",
                            "-r",
                            "250",
                            "-o",
                            str(spy),
                            "-p",
                            str(worker),
                        ]
                    )
                    time.sleep(1)
                before, began = _cpu_seconds(worker), time.perf_counter()
                for body in bodies[50:]:
                    client.post("/v1/inquiries", content=body).raise_for_status()
                cpu, wall = _cpu_seconds(worker) - before, time.perf_counter() - began
                if recorder is not None:
                    recorder.send_signal(2)
                    recorder.wait()
    print(
        f"served: {calls} inquiries one at a time, {wall / calls * 1000:.2f} ms each (wall), "
        f"worker CPU {cpu / calls * 1000:.2f} ms each, load average {os.getloadavg()[0]:.1f}"
    )


def _store(args: argparse.Namespace) -> CachedStore:
    """The bench's cached store of `--persons`, or the one kept in `--folder` (a cache folder
    made by an earlier revision: the store's schema unchanged, its key no longer the code's)."""
    if args.folder is None:
        return cached_store(StoreSettings(persons=args.persons), args.database == "postgresql")
    folder = args.folder.resolve()
    name = "cm_apibench_" + hashlib.sha256(str(folder).encode()).hexdigest()[:16]
    pg = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    key = (folder / "key").read_text("utf-8")
    return CachedStore(folder, key, f"sqlite:///{folder / 'bureau.db'}", pg, {}, {})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=2_000, help="the cached store's size")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--mode", choices=("floor", "served", "both"), default="both")
    parser.add_argument("--py-spy", type=Path, default=None, dest="spy")
    parser.add_argument("--top", type=int, default=25, help="functions shown (0: no cProfile)")
    parser.add_argument("--folder", type=Path, default=None, help="a cache folder to use")
    args = parser.parse_args()
    store = _store(args)
    url = store.sqlite_url if args.database == "sqlite" else store.postgresql_url
    assert url is not None
    with tempfile.TemporaryDirectory() as name, any_copy(url, Path(name)) as copy:
        lender = register_lender(copy, store.env())
        if args.mode in ("floor", "both"):
            floor(store, copy, lender, args.calls, args.top)
        if args.mode in ("served", "both"):
            serve_cpu(store, copy, lender, args.calls, args.spy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
