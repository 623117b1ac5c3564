"""The portal benchmark's machinery (benchmarks/portal_bench.py) on a tiny store: it runs as
`make bench` runs it and writes its JSON; no timing is asserted (the figures are the
machine's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_portal_bench_runs_end_to_end(tmp_path: Path) -> None:
    output = tmp_path / "portal.json"
    env = {**os.environ, "CREDITMEND_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("CREDITMEND_NOW", None)
    args = ["--persons", "50", "--users", "2", "--requests", "4", "--output", str(output)]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.portal_bench", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(output.read_text("utf-8"))
    floors = {"/healthz (floor: the stack)", "report without HTTP (floor)"}
    pages = {"/me", "/me/report", "/me/inquiries", "/me/score", "/me/plan", "/me/objections",
             "/me/plan/{job} (made)", "/me/report.pdf (printed already)", "/desk/objections",
             "/desk/objections/{id}", "/desk/audit (form)",
             "POST /me/plan again (the plan made already)",
             "POST /desk/audit"}  # fmt: skip
    # the row of the report during a plan is there when the plan took long enough to see one
    assert (
        pages | floors <= set(data["rows"]) <= pages | floors | {"/me/report while a plan is made"}
    )
    made = data["off_the_request"]
    assert {name: found["count"] for name, found in made.items()} == {
        "POST /me/plan (first: read the file, queue the plan)": 2,
        "plan: asked to ready (s)": 2,
        "plan: computing (s)": 2,
        "report PDF: asked to ready (s)": 2,
        "report PDF: computing (s)": 2,
    }
    assert data["users"] == 2 and data["persons"] == 50
    assert all(0 < weight < 500 * 1024 for weight in data["weights_bytes"].values())
    assert {"p95", "weight"} == set(data["met"])
