"""The batch benchmark's output-shaped floor does the output's share of the batch's work: on a
small generated population it writes `indicators.parquet` and `platforms.parquet` with the
batch's declared schemas and exactly the batch's row counts, and its columns are about as hard
to encode as the batch's (its files are of the same order of size)."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow.parquet as pq

from creditmend.adapters.batch import jobs
from creditmend.adapters.batch.duckdb_engine import DuckDBEngine
from creditmend.adapters.batch.parquet import check_output
from creditmend.domain.rules.cn import CN

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/ is not installed
from benchmarks.batch_data import generate
from benchmarks.batch_floor import AS_OF, output_floor, output_floor_sql


def test_the_output_floor_writes_the_batch_outputs_shape(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    generate(inputs, 3_000, 7, AS_OF)
    batch, floor = tmp_path / "batch", tmp_path / "floor"
    floor.mkdir()
    written = DuckDBEngine().run(inputs, AS_OF, CN, batch)
    assert output_floor(inputs, floor) == written["indicators"]
    for output in jobs.OUTPUTS:
        assert check_output(floor / f"{output}.parquet", output) == written[output]
        assert (
            pq.read_schema(floor / f"{output}.parquet").names
            == pq.read_schema(batch / f"{output}.parquet").names
        )
        floor_bytes = (floor / f"{output}.parquet").stat().st_size
        batch_bytes = (batch / f"{output}.parquet").stat().st_size
        assert floor_bytes < 2 * batch_bytes, (output, floor_bytes, batch_bytes)


def test_every_floor_column_is_one_aggregate_of_one_input_table() -> None:
    queries = output_floor_sql()
    indicators = queries["indicators"]
    names = [name for name, _, _ in jobs.OUTPUTS["indicators"]]
    for name in names[1:]:
        assert f" AS {name}," in indicators or indicators.count(f" AS {name} ") == 1
    for table in ("account_months", "platform_floor", "inquiries", "public_records"):
        assert indicators.count(f"FROM {table} GROUP BY person") == 1
    assert "ORDER BY" not in indicators and "ORDER BY" not in queries["platforms"]
