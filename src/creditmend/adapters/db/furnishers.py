"""The register of furnishers: who may furnish data and inquire."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import UnitOfWork, audit
from creditmend.domain.creditfile.furnisher import Furnisher
from creditmend.domain.problems import Problem, ProblemsError

FURNISHER_CODES = select(t.furnishers.c.code)  # built once: every inquiry checks its asker


class SqlFurnisherRegistry:
    """The `FurnisherRegistry` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def add_furnisher(self, furnisher: Furnisher, at: datetime) -> None:
        try:
            with self.unit_of_work.transaction() as conn:
                conn.execute(
                    insert(t.furnishers).values(
                        code=furnisher.code,
                        name=furnisher.name,
                        kind=furnisher.kind.value,
                        subtype=furnisher.subtype,
                        created_at=at,
                    )
                )
                audit(conn, at, "operator", "furnisher_added", detail={"code": furnisher.code})
        except IntegrityError:
            raise ProblemsError(
                (Problem("code", f"{furnisher.code} is already registered"),)
            ) from None

    def furnisher_codes(self) -> frozenset[str]:
        with self.unit_of_work.reading() as conn:
            return frozenset(conn.execute(FURNISHER_CODES).scalars())
