"""The indicator batch on DuckDB, the embedded default: the jobs of `jobs.STEPS` in one
in-process database over the input Parquet files, nothing kept after the run."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import duckdb

from creditmend.adapters.batch import jobs
from creditmend.adapters.batch.parquet import (
    check_inputs_present,
    check_output,
    table_path,
    write_output,
)
from creditmend.domain.report.batch_rows import TABLES
from creditmend.domain.rules.profile import JurisdictionProfile

BATCH_ROWS = 256 * 1024  # rows per Arrow batch from DuckDB to the Parquet writer


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class DuckDBEngine:
    """Runs the batch's SQL on DuckDB.

    `threads`: worker threads (None: DuckDB's default, one per core); `memory_limit`: e.g.
    "4GB" (None: DuckDB's default, 80 % of RAM), beyond which it spills to `temp_directory`.
    """

    name = "duckdb"

    def __init__(
        self,
        threads: int | None = None,
        memory_limit: str | None = None,
        temp_directory: Path | None = None,
    ) -> None:
        if threads is not None and threads < 1:
            raise ValueError(f"threads: {threads} must be at least 1")
        self.threads = threads
        self.memory_limit = memory_limit
        self.temp_directory = temp_directory
        # seconds of the last run per step computed (kept or written; views are computed there)
        self.timings: dict[str, float] = {}

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory database configured for the batch (the benchmark's floor uses it too)."""
        # the outputs are sorted explicitly, so nothing else need keep its order; no progress
        # bar (a batch runs unattended: it would only write to stderr)
        config: dict[str, str | bool | int | float | list[str]] = {
            "preserve_insertion_order": False
        }
        if self.threads is not None:
            config["threads"] = self.threads
        if self.memory_limit is not None:
            config["memory_limit"] = self.memory_limit
        if self.temp_directory is not None:
            config["temp_directory"] = str(self.temp_directory)
        con = duckdb.connect(":memory:", config=config)
        con.execute("SET enable_progress_bar = false")
        return con

    def check(self, as_of: date, profile: JurisdictionProfile) -> None:
        jobs.parameters(as_of, profile)  # the profile's literals are checked as they are made

    def run(
        self, inputs: Path, as_of: date, profile: JurisdictionProfile, out: Path
    ) -> dict[str, int]:
        """Compute every indicator for every person of `inputs` (the Parquet files of
        `TABLES`) into `out/indicators.parquet` and `out/platforms.parquet`; returns the rows
        written per output."""
        values = jobs.parameters(as_of, profile)
        check_inputs_present(inputs)
        out.mkdir(parents=True, exist_ok=True)
        written: dict[str, int] = {}
        with self.connect() as con:
            for table in TABLES:
                path = _literal(table_path(inputs, table))
                con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet({path})")
            check = con.execute(jobs.render(jobs.CHECK_SQL, values)).fetchone()
            assert check is not None
            jobs.check_inputs(check, as_of)
            self.timings = {}
            for step in jobs.STEPS:
                sql = jobs.step_sql(step, values)
                began = time.perf_counter()
                if step.output:
                    written[step.name] = self._write(con, step, sql, out)
                elif step.keep:
                    con.execute(f"CREATE TEMP TABLE {step.name} AS {sql}")
                else:
                    con.execute(f"CREATE TEMP VIEW {step.name} AS {sql}")
                    continue
                self.timings[step.name] = time.perf_counter() - began
        return written

    @staticmethod
    def _write(con: duckdb.DuckDBPyConnection, step: jobs.Step, sql: str, out: Path) -> int:
        return DuckDBEngine.write_query(con, step.name, sql, out, step.order_by)

    @staticmethod
    def write_query(
        con: duckdb.DuckDBPyConnection,
        output: str,
        sql: str,
        out: Path,
        order_by: tuple[str, ...] = (),
    ) -> int:
        """Stream one output, sorted by `order_by`, into `out/<output>.parquet` with its
        declared schema; returns its rows.

        DuckDB's own `COPY ... TO` marks a column required or optional from what its optimiser
        can prove of the data at hand, so the same SQL would write different schemas for
        different inputs; the declared schema is written here instead, as Spark writes it."""
        expected = jobs.OUTPUTS[output]
        described = tuple(
            (str(row[0]), str(row[1])) for row in con.execute(f"DESCRIBE {sql}").fetchall()
        )
        if described != tuple((name, kind) for name, kind, _ in expected):
            raise RuntimeError(f"{output}.sql: columns {described} are not {expected}")
        query = f"SELECT * FROM ({sql}) AS result"
        if order_by:
            query += f" ORDER BY {', '.join(order_by)}"
        reader = con.sql(query).to_arrow_reader(BATCH_ROWS)
        if reader is None:
            raise RuntimeError(f"{output}: the query gave no result")
        target = out / f"{output}.parquet"
        write_output(reader, target, output)
        return check_output(target, output)
