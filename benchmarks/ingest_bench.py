"""Benchmark: ingesting a CMF v1 file of N records into the store, against the floor.

Goal (issue 3): a 1,000,000-record file into SQLite in a time this benchmark reports, within 3x
of the floor: a bare `sqlite3` `executemany` of the same rows into the same tables. For
PostgreSQL the floor is `COPY` of the same rows. Both floors get rows already typed and hashed,
so they measure only the database; creditmend also reads, validates (JSON Schema, profile rules,
identity checksums), hashes and encrypts every record.

Besides wall time, each run records the CPU time creditmend used (its own process and the
worker processes that screen a large file) and its peak memory, and the machine's load average
when it started: the floor uses one core, creditmend all of them, so a busy machine widens the
ratio.

Run: `.venv/bin/python -m benchmarks.ingest_bench [--records N] [--no-postgres]`
(default 200,000 records; `--records 1000000` for the issue's size). Writes
`benchmarks/results/ingest.json`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import resource
import sqlite3
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from creditmend.adapters.db.migrate import upgrade
from creditmend.adapters.db.store import make_engine
from creditmend.adapters.vault import IdentityVault, new_key
from creditmend.bootstrap import build_bureau
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.synth import check_digit

RESULTS = Path(__file__).resolve().parent / "results"
PG_ADMIN = os.environ.get(
    "CREDITMEND_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
AT = datetime(2025, 6, 15, tzinfo=UTC)
AS_OF = date(2025, 6, 15)
MONTHS = ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05")


def make_file(path: Path, records: int, seed: int = 1) -> None:
    """`records` valid records: accounts of 5 months each, 2 accounts a person, 4 furnishers."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for index in range(records):
            account = index // len(MONTHS)
            person = account // 2
            body = f"110105{1960 + person % 40:04d}{1 + person % 12:02d}{1 + person % 28:02d}"
            body += f"{person % 1000:03d}"
            balance = rng.randrange(1000, 50000)
            out.write(
                json.dumps(
                    {
                        "furnisher_id": f"F{account % 4}",
                        "account_id": f"A{account}",
                        "period": MONTHS[index % len(MONTHS)],
                        "id_type": "cn_ric",
                        "id_number": body + check_digit(body),
                        "name": "张三",
                        "account_type": "online_consumer_loan",
                        "opened_on": "2024-12-10",
                        "principal": "60000.00",
                        "term_months": 12,
                        "scheduled_amount": "5300.00",
                        "paid_amount": "5300.00",
                        "balance": f"{balance}.00",
                        "past_due_amount": "0.00",
                        "days_past_due": 0,
                        "status": "open",
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )


def _furnishers(bureau: Any) -> None:
    for code in range(4):
        bureau.furnish.add_furnisher(Furnisher(f"F{code}", f"F{code}", FurnisherKind.NON_BANK), AT)


def _cpu() -> tuple[float, float]:
    """CPU seconds so far: this process, and its ended child processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def measure_creditmend(url: str, path: Path) -> float:
    return measure_creditmend_in_detail(url, path)["seconds"]


def measure_creditmend_in_detail(url: str, path: Path) -> dict[str, float]:
    """Wall seconds of the ingestion, CPU seconds of this process and of the workers, and the
    peak memory of each (MB); run in a fresh process for the peaks to be the ingestion's."""
    os.environ["CREDITMEND_KEY"] = KEY
    bureau = build_bureau(url, create=True)
    _furnishers(bureau)
    own, workers = _cpu()
    began = time.perf_counter()
    report = bureau.furnish.ingest(path, "jsonl", AS_OF, AT)
    seconds = time.perf_counter() - began
    own_after, workers_after = _cpu()
    assert report.committed and report.rejected == 0, report
    return {
        "seconds": seconds,
        "cpu_seconds_main": own_after - own,
        "cpu_seconds_workers": workers_after - workers,
        "peak_rss_mb_main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_mb_worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def _in_fresh_process(url: str, path: Path) -> dict[str, float]:
    """`measure_creditmend_in_detail` in a process of its own (its peaks are then its own)."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_measure_into, args=(url, str(path), send))
    process.start()
    send.close()
    try:
        measured: dict[str, float] = receive.recv()
    finally:
        process.join()
    return measured


def _measure_into(url: str, path: str, send: Any) -> None:
    send.send(measure_creditmend_in_detail(url, Path(path)))


def _rows(path: Path, vault: IdentityVault) -> tuple[list[tuple[Any, ...]], ...]:
    """The same rows the store writes, already typed, hashed and encrypted."""
    persons: dict[str, tuple[Any, ...]] = {}
    accounts: dict[str, tuple[Any, ...]] = {}
    months = []
    for line_no, line in enumerate(path.open(encoding="utf-8"), start=1):
        r = json.loads(line)
        key = vault.id_hash(r["id_type"], r["id_number"])
        if key not in persons:
            persons[key] = (
                len(persons) + 1,
                key,
                r["id_type"],
                vault.encrypt(r["id_number"]),
                vault.encrypt(r["name"]),
                AT,
            )
        if r["account_id"] not in accounts:
            accounts[r["account_id"]] = (
                len(accounts) + 1,
                r["furnisher_id"],
                r["account_id"],
                persons[key][0],
                r["account_type"],
                "CNY",
                date(2024, 12, 10),
                6000000,
                None,
                12,
            )
        year, month = map(int, r["period"].split("-"))
        months.append(
            (
                accounts[r["account_id"]][0],
                date(year, month, 1),
                1,
                530000,
                530000,
                int(r["balance"].replace(".", "")),
                0,
                0,
                "open",
                None,
                None,
                None,
                None,
                "",
                1,
                line_no,
                AT,
            )
        )
    return list(persons.values()), list(accounts.values()), months


PERSON_SQL = (
    "insert into persons (id, id_hash, id_type, id_cipher, name_cipher, created_at) "
    "values (?, ?, ?, ?, ?, ?)"
)
ACCOUNT_SQL = (
    "insert into accounts (id, furnisher_code, account_id, person_id, account_type, "
    "currency, opened_on, principal_fen, credit_limit_fen, term_months) "
    "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
MONTH_COLUMNS = (
    "account_pk, period, version, scheduled_fen, paid_fen, balance_fen, past_due_fen, "
    "days_past_due, status, closed_on, last_payment_on, first_delinquency_on, "
    "negative_notice_on, remarks, ingestion_id, line, received_at"
)


def _prepare_schema(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        upgrade(conn)
        conn.execute(
            text(
                "insert into ingestions (id, file_name, sha256, received_at, as_of, "
                "applied, unchanged, corrected, rejected) values "
                "(1, 'f', 'x', :at, :d, 0, 0, 0, 0)"
            ),
            {"at": AT, "d": AS_OF},
        )
        for code in range(4):
            conn.execute(
                text(
                    "insert into furnishers (code, name, kind, created_at) "
                    "values (:c, :n, 'non_bank', :at)"
                ),
                {"c": f"F{code}", "n": f"F{code}", "at": AT},
            )
    engine.dispose()


def measure_sqlite_floor(folder: Path, rows: tuple[list[tuple[Any, ...]], ...]) -> float:
    database = folder / "floor.db"
    _prepare_schema(f"sqlite:///{database}")
    persons, accounts, months = rows
    began = time.perf_counter()
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    with conn:
        conn.executemany(PERSON_SQL, persons)
        conn.executemany(ACCOUNT_SQL, accounts)
        conn.executemany(
            f"insert into account_months ({MONTH_COLUMNS}) values ({', '.join('?' * 17)})", months
        )
    conn.close()
    return time.perf_counter() - began


def _pg_database() -> str:
    name = f"creditmend_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def _drop(url: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def measure_pg_floor(rows: tuple[list[tuple[Any, ...]], ...]) -> float:
    import psycopg  # noqa: PLC0415 - only when PostgreSQL is measured

    url = _pg_database()
    try:
        _prepare_schema(url)
        persons, accounts, months = rows
        began = time.perf_counter()
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
            with conn.cursor() as cur:
                for table, columns, data in (
                    (
                        "persons",
                        "id, id_hash, id_type, id_cipher, name_cipher, created_at",
                        persons,
                    ),
                    (
                        "accounts",
                        "id, furnisher_code, account_id, person_id, account_type, "
                        "currency, opened_on, principal_fen, credit_limit_fen, "
                        "term_months",
                        accounts,
                    ),
                    ("account_months", MONTH_COLUMNS, months),
                ):
                    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in data:
                            copy.write_row(row)
            conn.commit()
        return time.perf_counter() - began
    finally:
        _drop(url)


KEY = new_key()


def _loaded() -> float:
    """The machine's load average over the last minute: other work competing for its cores."""
    return os.getloadavg()[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {
        "records": args.records,
        "date": datetime.now(UTC).isoformat(),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "runs": [],
    }
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        path = folder / "cmf.jsonl"
        make_file(path, args.records)
        rows = _rows(path, IdentityVault(KEY))
        runs = [
            (
                "sqlite",
                _loaded(),
                _in_fresh_process(f"sqlite:///{folder / 'cm.db'}", path),
                measure_sqlite_floor(folder, rows),
                "sqlite3 executemany",
            )
        ]
        if not args.no_postgres:
            url = _pg_database()
            load = _loaded()
            try:
                ours = _in_fresh_process(url, path)
            finally:
                _drop(url)
            runs.append(("postgresql", load, ours, measure_pg_floor(rows), "COPY"))
    print(f"ingest: {args.records:,} records (goal: within 3x of the floor)")
    print(
        f"{'database':<11} {'creditmend s':>13} {'rec/s':>9} {'floor s':>9} {'floor':<20} "
        f"{'ratio':>6}  goal   {'CPU s (main+workers)':>20} {'peak MB':>8} {'load':>5}"
    )
    for name, load, ours, floor, how in runs:
        seconds = ours["seconds"]
        ratio = seconds / floor
        cpu = f"{ours['cpu_seconds_main']:.1f}+{ours['cpu_seconds_workers']:.1f}"
        print(
            f"{name:<11} {seconds:>13.2f} {args.records / seconds:>9,.0f} {floor:>9.2f} "
            f"{how:<20} {ratio:>5.1f}x  {'met' if ratio <= 3 else 'NOT':<6} {cpu:>20} "
            f"{ours['peak_rss_mb_main']:>8.0f} {load:>5.1f}"
        )
        results["runs"].append(
            {
                "database": name,
                "creditmend_seconds": round(seconds, 3),
                "records_per_second": round(args.records / seconds),
                "floor": how,
                "floor_seconds": round(floor, 3),
                "ratio": round(ratio, 2),
                "goal_met": ratio <= 3,
                "creditmend_cpu_seconds": {
                    "main": round(ours["cpu_seconds_main"], 2),
                    "workers": round(ours["cpu_seconds_workers"], 2),
                },
                "peak_rss_mb": {
                    "main": round(ours["peak_rss_mb_main"]),
                    "worker": round(ours["peak_rss_mb_worker"]),
                },
                "load_average_at_start": round(load, 2),
            }
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
