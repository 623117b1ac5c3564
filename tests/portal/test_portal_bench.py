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
    assert set(data["rows"]) == {"/me", "/me/report", "/me/inquiries", *floors}
    assert data["users"] == 2 and data["persons"] == 50
    assert all(0 < weight < 500 * 1024 for weight in data["weights_bytes"].values())
    assert {"p95", "weight"} == set(data["met"])
