"""The batch's input tables as Parquet: one file per table of `TABLES`, written as rows arrive.

The schema of every file comes from the column kinds of `TABLES` (never inferred from the
data, so an empty table or a column of nulls has the same types as a full one). Rows are
buffered per table and written as one row group every `ROW_GROUP_ROWS` rows, so memory stays
bounded whatever the number of persons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from creditmend.adapters.batch.jobs import OUTPUTS
from creditmend.domain.report.batch_rows import TABLES, Column

ROW_GROUP_ROWS = 128 * 1024
ARROW_TYPES: Mapping[str, pa.DataType] = {
    "int64": pa.int64(),
    "int32": pa.int32(),
    "string": pa.string(),
    "date": pa.date32(),
    "bool": pa.bool_(),
}


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of one table of `TABLES`, nullability included."""
    return pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.kind], nullable=c.nullable) for c in TABLES[table]]
    )


SQL_ARROW_TYPES: Mapping[str, pa.DataType] = {
    "BIGINT": pa.int64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "VARCHAR": pa.string(),
}


def output_schema(output: str) -> pa.Schema:
    """The Arrow schema of one output of the batch (`jobs.OUTPUTS`)."""
    return pa.schema(
        [
            pa.field(name, SQL_ARROW_TYPES[kind], nullable=nullable)
            for name, kind, nullable in OUTPUTS[output]
        ]
    )


def check_output(path: Path, output: str) -> int:
    """The rows of a written output, after checking its schema is exactly the declared one."""
    metadata = pq.read_metadata(path)
    found = metadata.schema.to_arrow_schema().remove_metadata()
    expected = output_schema(output)
    if not found.equals(expected):
        wrong = [
            f"{field} (declared: {declared})"
            for field, declared in zip(found, expected, strict=False)
            if not field.equals(declared)
        ]
        raise RuntimeError(
            f"{path}: {len(found)} columns, {len(expected)} declared; differing: {wrong}"
        )
    return int(metadata.num_rows)


def write_output(batches: Iterable[pa.RecordBatch], path: Path, output: str) -> int:
    """Write record batches (the output's columns, in order) with the output's declared
    schema; a null in a column declared never null is an error."""
    schema = output_schema(output)
    rows = 0
    with pq.ParquetWriter(path, schema, compression="snappy") as writer:
        for batch in batches:
            for field, column in zip(schema, batch.columns, strict=True):
                if not field.nullable and column.null_count:
                    raise RuntimeError(f"{output}: {field.name} has nulls")
            writer.write_batch(
                pa.RecordBatch.from_arrays(
                    [
                        column.cast(field.type)
                        for field, column in zip(schema, batch.columns, strict=True)
                    ],
                    schema=schema,
                )
            )
            rows += batch.num_rows
    return rows


def table_path(directory: Path, table: str) -> Path:
    return directory / f"{table}.parquet"


def _record_batch(
    columns: Sequence[Column], rows: Sequence[tuple[object, ...]], schema: pa.Schema
) -> pa.RecordBatch:
    values = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    arrays = [
        pa.array(column_values, type=field.type)
        for column_values, field in zip(values, schema, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


class _TableWriter:
    def __init__(self, table: str, directory: Path) -> None:
        self.table = table
        self.columns = TABLES[table]
        self.schema = arrow_schema(table)
        self.writer = pq.ParquetWriter(table_path(directory, table), self.schema)
        self.buffer: list[tuple[object, ...]] = []
        self.rows = 0

    def add(self, rows: Iterable[tuple[object, ...]]) -> None:
        width = len(self.columns)
        for row in rows:
            if len(row) != width:
                raise ValueError(f"{self.table}: a row of {len(row)} values, {width} expected")
            self.buffer.append(row)
        if len(self.buffer) >= ROW_GROUP_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.writer.write_batch(_record_batch(self.columns, self.buffer, self.schema))
            self.rows += len(self.buffer)
            self.buffer = []

    def close(self) -> None:
        self.flush()
        if self.rows == 0:  # a file with its schema and one empty row group
            self.writer.write_table(self.schema.empty_table())
        self.writer.close()


def write_tables(
    batches: Iterable[Mapping[str, Sequence[tuple[object, ...]]]], directory: Path
) -> dict[str, int]:
    """Write every batch of rows (table name -> rows in its column order, as `batch_rows`
    returns them) to `directory/<table>.parquet`; returns the rows written per table.

    Every table of `TABLES` gets a file, empty or not; an unknown table name is an error.
    """
    directory.mkdir(parents=True, exist_ok=True)
    writers: dict[str, _TableWriter] = {}
    try:
        for table in TABLES:
            writers[table] = _TableWriter(table, directory)
        for batch in batches:
            for table, rows in batch.items():
                writer = writers.get(table)
                if writer is None:
                    raise ValueError(f"{table}: not a table of the batch layout")
                writer.add(rows)
    finally:
        for writer in writers.values():
            writer.close()
    return {table: writer.rows for table, writer in writers.items()}


def check_inputs_present(inputs: Path) -> None:
    """Every input table's file is in `inputs` (else the first one missing is named)."""
    for table in TABLES:
        if not table_path(inputs, table).is_file():
            raise FileNotFoundError(f"inputs: {table_path(inputs, table)} is missing")
