"""The batch's scores: every person's indicator row through the domain scorecard, to Parquet.

Scoring stays in the domain (one definition, the same as a report's); this module only streams
`indicators.parquet` in record batches and writes `scores.parquet` beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SCORES = pa.schema(
    [
        pa.field("person", pa.int64(), nullable=False),
        pa.field("score", pa.int64(), nullable=True),
        pa.field("band", pa.string(), nullable=False),
        pa.field("reasons", pa.string(), nullable=False),
    ]
)
Scorer = Callable[[Mapping[str, object]], tuple[int | None, str, str]]


def write_scores(indicators: Path, out: Path, scorer: Scorer) -> int:
    """Score every row of `indicators` into `out`; returns the rows written."""
    written = 0
    with pq.ParquetWriter(out, SCORES) as writer:
        for batch in pq.ParquetFile(indicators).iter_batches(batch_size=65_536):
            rows = batch.to_pylist()
            scored = [scorer(row) for row in rows]
            table = pa.table(
                {
                    "person": [row["person"] for row in rows],
                    "score": [s[0] for s in scored],
                    "band": [s[1] for s in scored],
                    "reasons": [s[2] for s in scored],
                },
                schema=SCORES,
            )
            writer.write_table(table)
            written += len(rows)
    return written
