"""The API benchmark's machinery (benchmarks/api_bench.py) on a tiny store: 50 persons, 20
inquiries, a furnishing file of 300 records, on SQLite (the served API on PostgreSQL is the
other API tests'; this one keeps `make test` short). It runs the benchmark as
`make bench` does (a process of its own, the repository root as its folder) and checks what it
writes: the shape of the JSON, every request answered 201, both furnishings applied in full.
No timing is asserted: the figures depend on the machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = os.environ.get(
    "CREDITMEND_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PERCENTILES = {"p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms"}


def _drop_cached_database(output: Path) -> None:
    """The PostgreSQL database of the bench's cache (made for this test, in its tmp_path)."""
    if not output.exists():
        return
    name = json.loads(output.read_text("utf-8"))["store"]["postgresql_database"]
    if not name:
        return
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.mark.slow
def test_the_api_bench_runs_end_to_end(tmp_path: Path) -> None:
    output = tmp_path / "api.json"
    env = {**os.environ, "CREDITMEND_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("CREDITMEND_NOW", None)  # the served API's clock is real
    args = ["--persons", "50", "--requests", "20", "--rate", "20", "--warm-up", "5",
            "--floor-calls", "15", "--furnish-records", "300", "--workers", "1",
            "--no-postgres", "--output", str(output)]  # fmt: skip
    try:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.api_bench", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        _drop_cached_database(output)  # the cache is in tmp_path, its database beside
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(output.read_text("utf-8"))
    assert data["benchmark"] == "api"
    assert {"machine", "revision", "parameters", "store", "results", "goals"} <= data.keys()
    assert data["parameters"]["persons"] == 50
    assert data["parameters"]["furnish_records"] == 300
    assert 0 < data["store"]["persons_with_file"] <= 50
    assert data["store"]["cached"] == {"population": False, "sqlite": False, "postgresql": False}
    databases = [run["database"] for run in data["results"]]
    assert databases == ["sqlite"]
    for run in data["results"]:
        assert "error" not in run, run
        load = run["inquiries"]
        assert load["requests"] == 20
        assert load["statuses"] == {"201": 20}, load["first_error"]
        assert (load["ok"], load["errors"], load["not_sent_time_cap"]) == (20, 0, 0)
        assert load.keys() >= PERCENTILES
        assert load["p50_ms"] <= load["p95_ms"] <= load["p99_ms"] <= load["max_ms"]
        assert run["floor"]["calls"] == 5  # 15 made, the first 10 of them warming up
        assert run["floor"].keys() >= PERCENTILES
        api, cli = run["furnishing_api"], run["furnishing_cli"]
        assert (api["status"], api["records"], api["applied"], api["rejected"]) == (
            "done",
            300,
            300,
            0,
        )
        assert cli["status"] == "done"
        assert (cli["summary"]["applied"], cli["summary"]["committed"]) == (300, True)
        assert run["server_log_errors"] == []
    goals = data["goals"]
    assert len(goals) == 2 * len(databases)
    assert all(set(goal) == {"goal", "measured", "met"} for goal in goals)
    assert all(isinstance(goal["met"], bool) for goal in goals)
