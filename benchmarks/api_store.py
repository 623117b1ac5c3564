"""The API benchmark's store: a synthetic population brought into SQLite and PostgreSQL with
the command line's own steps, cached between runs.

What `make demo` and tests/e2e/score_resolution.py do, for both databases: `creditmend synth`
(persons x 36 months on 24 platforms, seed 11), then `furnisher import`, `ingest`, `records
import` (court records, blacklist, inquiries) and `retain`, as of 2026-07-10. The population
and the two stores take many minutes for 100,000 persons and do not change from run to run, so
they are kept in a cache folder (CREDITMEND_CACHE_DIR, else `benchmarks/.data/`, under
`creditmend-api-bench/`) keyed, as score_resolution's is, by the settings and a digest
of the code that makes them (the synth, the store, the import steps). The SQLite store is a
file there; the PostgreSQL store is a database named after the folder (whose key file it is
encrypted with). Each is marked made by a line of `done.json` written after it (a folder or
database without one is an interrupted build and is made again).

A run never changes the cached stores: it works on copies (a file copy; `CREATE DATABASE ...
TEMPLATE`), since the bench logs inquiries, registers clients and applies a furnishing file.
The CLI steps run in this process (Typer's runner: the installed command's parsing and exit
codes, without an interpreter start per step).
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from creditmend.bootstrap import new_key
from creditmend.interfaces.cli.app import app as cli_app

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get(
    "CREDITMEND_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# The code a cached store depends on (as score_resolution's cache): what synth writes and how
# the bureau takes it in and keeps it.
CACHE_CODE = ("src/creditmend/domain/synth", "src/creditmend/services/synth.py",
              "src/creditmend/domain/creditfile", "src/creditmend/services/furnish.py",
              "src/creditmend/services/records.py", "src/creditmend/services/pipeline.py",
              "src/creditmend/services/retain.py", "src/creditmend/adapters/db")  # fmt: skip
RECORD_KINDS = ("public_records", "blacklist", "inquiries")
DATABASES = ("sqlite", "postgresql")
# A person's identity as synth writes it in every CMF record (its field order is fixed).
IDENTITY = re.compile(rb'"id_type":"([a-z_]+)","id_number":"([^"]+)"')


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """The population: `synth --persons N --platforms 24 --months 36 --start 2023-07 --seed 11`,
    brought in as of ten days after its last month (score_resolution's, at another size)."""

    persons: int = 100_000
    platforms: int = 24
    months: int = 36
    start: str = "2023-07"
    seed: int = 11
    as_of: str = "2026-07-10"

    def key(self) -> str:
        digest = hashlib.sha256()
        for path in sorted(p for name in CACHE_CODE for p in _files(ROOT / name)):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
        return (
            f"p{self.persons}-f{self.platforms}-m{self.months}-s{self.start}-seed{self.seed}"
            f"-{self.as_of}-{digest.hexdigest()[:12]}"
        )


def _files(path: Path) -> list[Path]:
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


@dataclass(frozen=True, slots=True)
class CachedStore:
    folder: Path  # population/, bureau.db, key, persons.tsv, done.json
    key: str  # CREDITMEND_KEY of both stores
    sqlite_url: str
    postgresql_url: str | None  # None: PostgreSQL not reachable (or not asked for)
    cached: dict[str, bool]  # per part (population, sqlite, postgresql): found in the cache
    seconds: dict[str, float]  # what the build of each part took (when it was built)

    @property
    def population(self) -> Path:
        return self.folder / "population"

    def persons(self) -> list[tuple[str, str]]:
        """Every person with a credit file: (id_type, id_number), in a fixed order."""
        lines = (self.folder / "persons.tsv").read_text("utf-8").splitlines()
        return [(kind, number) for kind, number in (line.split("\t") for line in lines)]

    def env(self) -> dict[str, str]:
        return {"CREDITMEND_KEY": self.key}


def cache_root() -> Path:
    """CREDITMEND_CACHE_DIR (as score_resolution's), else the benchmarks' own cache folder
    `benchmarks/.data/` (ignored by git; kept across reboots, unlike the temporary folder)."""
    base = os.environ.get("CREDITMEND_CACHE_DIR")
    return (Path(base) if base else ROOT / "benchmarks" / ".data") / "creditmend-api-bench"


def run_cli(*args: str, env: dict[str, str]) -> str:
    """`creditmend ARGS` in this process; its stdout, or RuntimeError with its stderr."""
    result = CliRunner().invoke(cli_app, list(args), env=env, prog_name="creditmend")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if result.exit_code != 0:
        raise RuntimeError(f"creditmend {' '.join(args)}: exit {result.exit_code}: {result.stderr}")
    return result.stdout


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used (None: it can)."""
    try:
        engine = create_engine(PG_ADMIN, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except OperationalError as error:
        return str(error.orig).strip().splitlines()[0]
    return None


def _pg_url(name: str) -> str:
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def _pg_admin(statement: str) -> list[Any]:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            result = conn.execute(text(statement))
            return list(result) if result.returns_rows else []
    finally:
        admin.dispose()


def _pg_exists(name: str) -> bool:
    return bool(_pg_admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))


def cached_store(settings: StoreSettings, postgresql: bool = True) -> CachedStore:
    """The population and its stores, from the cache or made now (each part on its own)."""
    key = settings.key()
    folder = cache_root() / key
    done_file = folder / "done.json"
    done: dict[str, Any] = json.loads(done_file.read_text("utf-8")) if done_file.exists() else {}
    cached = {part: part in done for part in ("population", *DATABASES)}
    if "population" not in done:
        shutil.rmtree(folder, ignore_errors=True)  # a build that did not finish
        folder.mkdir(parents=True, mode=0o700)
        with os.fdopen(os.open(folder / "key", os.O_WRONLY | os.O_CREAT, 0o600), "w") as out:
            out.write(new_key())  # the stores' key: owner-only, as the bureau keeps its own
        done = {"population": _synth(settings, folder)}
        _write(done_file, done)
    env = {"CREDITMEND_KEY": (folder / "key").read_text("utf-8")}
    sqlite_url = f"sqlite:///{folder / 'bureau.db'}"
    if "sqlite" not in done:
        (folder / "bureau.db").unlink(missing_ok=True)
        done["sqlite"] = _bring_in(settings, folder, sqlite_url, env)
        _write(done_file, done)
    pg_url = None
    if postgresql and postgres_problem() is None:
        # Named after the folder as well as the key: the database belongs to this cache (and
        # its key file), never to another cache folder made with the same settings.
        name = "cm_apibench_" + hashlib.sha256(str(folder).encode()).hexdigest()[:16]
        pg_url = _pg_url(name)
        if "postgresql" not in done or not _pg_exists(name):
            cached["postgresql"] = False
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _pg_admin(f'CREATE DATABASE "{name}"')
            done["postgresql"] = _bring_in(settings, folder, pg_url, env)
            _write(done_file, done)
    seconds = {f"{part}_{step}": s for part, steps in done.items() for step, s in steps.items()}
    return CachedStore(folder, env["CREDITMEND_KEY"], sqlite_url, pg_url, cached, seconds)


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2), "utf-8")


def _synth(settings: StoreSettings, folder: Path) -> dict[str, float]:
    began = time.perf_counter()
    population = folder / "population"
    run_cli("synth", "--persons", str(settings.persons), "--platforms", str(settings.platforms),
            "--months", str(settings.months), "--start", settings.start, "--seed",
            str(settings.seed), "--out", str(population), env={})  # fmt: skip
    synthesised = time.perf_counter()
    persons: dict[tuple[bytes, bytes], None] = {}
    for path in sorted((population / "cmf").rglob("*.jsonl")):
        for found in IDENTITY.finditer(path.read_bytes()):
            persons.setdefault((found.group(1), found.group(2)), None)
    lines = [f"{kind.decode()}\t{number.decode()}\n" for kind, number in persons]
    (folder / "persons.tsv").write_text("".join(lines), "utf-8")
    return {"synth": synthesised - began, "persons": time.perf_counter() - synthesised}


def _bring_in(
    settings: StoreSettings, folder: Path, url: str, env: dict[str, str]
) -> dict[str, float]:
    """`make demo`'s steps up to the batch, into `url`."""
    population = folder / "population"
    dated = ("--db", url, "--as-of", settings.as_of)
    began = time.perf_counter()
    run_cli("furnisher", "import", str(population / "furnishers.jsonl"), "--db", url, env=env)
    run_cli("ingest", str(population / "cmf"), *dated, env=env)
    ingested = time.perf_counter()
    for kind in RECORD_KINDS:
        run_cli("records", "import", str(population / f"{kind}.jsonl"), "--kind", kind, *dated,
                env=env)  # fmt: skip
    run_cli("retain", *dated, env=env)
    return {"ingest": ingested - began, "records_and_retain": time.perf_counter() - ingested}


@contextmanager
def store_copy(store: CachedStore, database: str, folder: Path) -> Iterator[str]:
    """A copy of the cached store of `database` for one run (dropped afterwards): its URL."""
    url = store.sqlite_url if database == "sqlite" else store.postgresql_url
    assert url is not None, "PostgreSQL is not reachable"
    with any_copy(url, folder) as copied:
        yield copied


def copy_sqlite(source: Path, target: Path) -> None:
    """The database file and its write-ahead log, when one is left (no process has it open)."""
    shutil.copyfile(source, target)
    for suffix in ("-wal",):
        beside = source.with_name(source.name + suffix)
        if beside.exists():
            shutil.copyfile(beside, target.with_name(target.name + suffix))


@contextmanager
def pg_copy(url: str) -> Iterator[str]:
    """A new database made from `url`'s as a template (no session may be connected to it)."""
    name = f"cm_apibench_run_{uuid.uuid4().hex[:10]}"
    source = url.rsplit("/", 1)[1]
    gc.collect()  # engines this process dropped close their connections
    _pg_admin(  # a template may have no session: end those a finished command left idle
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{source}' AND pid <> pg_backend_pid()"
    )
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    try:
        yield _pg_url(name)
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def any_copy(url: str, folder: Path) -> Iterator[str]:
    """A copy of the store at `url` (SQLite or PostgreSQL), dropped afterwards."""
    if url.startswith("sqlite:///"):
        target = folder / f"copy-{uuid.uuid4().hex[:8]}.db"
        copy_sqlite(Path(url.removeprefix("sqlite:///")), target)
        try:
            yield f"sqlite:///{target}"
        finally:
            for path in folder.glob(target.name + "*"):
                path.unlink(missing_ok=True)
        return
    with pg_copy(url) as copied:
        yield copied
