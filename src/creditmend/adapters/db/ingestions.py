"""Ingestion provenance: the row every fact of one file points to, and whether a file with the
same content was applied before."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork


def open_ingestion(
    conn: Connection, file_name: str, sha256: str, as_of: date, rejected: int, at: datetime
) -> int:
    """The provenance row every fact of one file points to."""
    return int(
        conn.execute(
            insert(t.ingestions)
            .values(
                file_name=file_name,
                sha256=sha256,
                received_at=at,
                as_of=as_of,
                applied=0,
                unchanged=0,
                corrected=0,
                rejected=rejected,
            )
            .returning(t.ingestions.c.id)
        ).scalar_one()
    )


def close_ingestion(
    conn: Connection, ingestion_id: int, applied: int, unchanged: int, corrected: int
) -> None:
    conn.execute(
        update(t.ingestions)
        .where(t.ingestions.c.id == ingestion_id)
        .values(applied=applied, unchanged=unchanged, corrected=corrected)
    )


class SqlIngestionLog:
    """The `IngestionLog` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def applied_before(self, sha256: str) -> int | None:
        """How many records a file with this content brought when it was applied, or None."""
        with self.unit_of_work.reading() as conn:
            row = conn.execute(
                select(t.ingestions.c.applied, t.ingestions.c.unchanged, t.ingestions.c.corrected)
                .where(t.ingestions.c.sha256 == sha256)
                .order_by(t.ingestions.c.id)
                .limit(1)
            ).one_or_none()
        return None if row is None else row.applied + row.unchanged + row.corrected

    def applied_before_all(self, sha256s: Sequence[str]) -> dict[str, int]:
        """`applied_before` of each content applied before, in one query (a folder of files)."""
        found: dict[str, int] = {}
        if not sha256s:
            return found
        i = t.ingestions.c
        with self.unit_of_work.reading() as conn:
            rows = conn.execute(
                select(i.sha256, i.applied, i.unchanged, i.corrected)
                .where(i.sha256.in_(sorted(set(sha256s))))
                .order_by(i.id.desc())
            )
            for row in rows:  # the first ingestion of each content last, as `applied_before`
                found[row.sha256] = row.applied + row.unchanged + row.corrected
        return found
