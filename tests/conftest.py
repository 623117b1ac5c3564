"""Shared fixtures: a fresh store on each real database the project supports.

PostgreSQL runs on 127.0.0.1:5432 on the project's machines (`.ci/run` starts it). Without it the
PostgreSQL cases are skipped on a developer's machine, but fail under CI (CI=true), where a skip
would hide a broken set-up.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

PG_ADMIN_URL = os.environ.get(
    "CREDITMEND_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

# The longest test files, longest first (seconds of wall per file in a whole run, 2026-12-08):
# `make pytest` hands files to its two workers in collection order (`--dist loadfile
# --no-loadscope-reorder`), so these start first and the short files fill in around them. By
# default xdist orders files by their number of tests, which started the browser journeys (5
# tests, the longest file), the portal benchmark and the Spark cluster (1 test each) last, and
# one worker ran them alone at the end while the other core idled. A file missing from the list
# runs after these, in collection order; a name here that no longer exists is ignored.
LONGEST_FIRST = (
    "tests/browser/test_browser_journeys.py",
    "tests/e2e/test_score_resolution.py",  # its store's first build (a clean clone) is minutes
    "tests/e2e/test_cli_plan.py",
    "tests/contract/test_scorecard_training.py",
    "tests/e2e/test_cli_key_file.py",
    "tests/portal/test_pages.py",
    "tests/e2e/test_spark_cluster.py",
    "tests/contract/test_batch_engines.py",
    "tests/portal/test_portal_bench.py",
    "tests/e2e/test_cli_score.py",
    "tests/e2e/test_cli_bureau.py",
    "tests/unit/test_recovery_above_cap.py",
    "tests/hostile/test_hostile_furnishing.py",
    "tests/portal/test_plan_candidates.py",
    "tests/api/test_furnishings_server.py",
    "tests/api/test_app.py",
    "tests/e2e/test_cli_text_door.py",
    "tests/hostile/test_hostile_records.py",
    "tests/portal/test_plan_pages.py",
    "tests/portal/test_enrolment.py",
    "tests/api/test_server.py",
    "tests/api/test_inquiries_server.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of `LONGEST_FIRST` first, in its order; every other file after them in
    collection order (a stable sort: a file's own tests keep their order)."""
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))


@pytest.fixture(scope="session", autouse=True)
def _english_unless_a_test_asks() -> Iterator[None]:
    """The CLI speaks the locale's language (LANG, LC_ALL, LC_MESSAGES): the tests read English
    on a machine set to Chinese too, unless a test asks for Chinese."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LANG", "C.UTF-8")
        patch.delenv("LC_ALL", raising=False)
        patch.delenv("LC_MESSAGES", raising=False)
        yield


def _postgres_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except OperationalError as error:
        return str(error.orig).strip().splitlines()[0]
    return None


@contextmanager
def fresh_database(kind: str, folder: Path) -> Iterator[str]:
    """A URL of an empty database of `kind` (an SQLite file in `folder`, or a new PostgreSQL
    database, dropped afterwards); PostgreSQL missing is a skip, or a failure under CI."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bureau.db'}"
        return
    problem = _postgres_available()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI and cannot be reached: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {problem}")
    name = f"creditmend_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def new_database() -> Callable[[str, Path], AbstractContextManager[str]]:
    """`fresh_database` itself, for a test that makes more than one store (a fixture, as a
    test module cannot import this file by name: other folders have a conftest.py too)."""
    return fresh_database


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: an SQLite file, or a new PostgreSQL database."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`db_url` shared by a module's tests (for a server started once per database)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("store")) as url:
        yield url
