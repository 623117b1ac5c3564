"""Furnishing: register furnishers and take their monthly files into the bureau.

The pipeline reads top to bottom (beancount's loader): read lines -> schema -> typed record ->
profile rules -> one transaction. Every reject is reported with its line, field and reason in
`FILE.rejects.jsonl`; a file with rejects is applied only with `partial` (the valid records), and
never half: the store applies a file's records in one transaction or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from creditmend.domain.creditfile.furnisher import Furnisher, validate_furnisher
from creditmend.domain.creditfile.furnishing import (
    FurnishedRecord,
    FurnishingContext,
    check_record,
    read_record,
)
from creditmend.domain.problems import ProblemsError
from creditmend.services.pipeline import Row, SchemaCheck, check_rows, write_rejects


class ApplyResult(Protocol):
    @property
    def applied(self) -> int: ...

    @property
    def unchanged(self) -> int: ...

    @property
    def corrected(self) -> int: ...


class BureauStore(Protocol):
    def add_furnisher(self, furnisher: Furnisher, at: datetime) -> None: ...

    def furnisher_codes(self) -> frozenset[str]: ...

    def apply_furnishing(
        self,
        file_name: str,
        sha256: str,
        as_of: date,
        records: Sequence[FurnishedRecord],
        rejected: int,
        at: datetime,
    ) -> ApplyResult: ...


RowReader = Callable[[Path, str], Iterator[Row]]


@dataclass(frozen=True, slots=True)
class IngestReport:
    file: str
    records: int
    applied: int
    unchanged: int
    corrected: int
    rejected: int
    rejects_file: str | None
    committed: bool  # False: rejects found and not partial, so nothing was applied


@dataclass(frozen=True, slots=True)
class FurnishService:
    store: BureauStore
    read_rows: RowReader
    schema_problems: SchemaCheck
    id_is_valid: Callable[[str, str], bool]

    def add_furnisher(self, furnisher: Furnisher, at: datetime) -> None:
        problems = validate_furnisher(furnisher)
        if problems:
            raise ProblemsError(problems)
        self.store.add_furnisher(furnisher, at)

    def ingest(
        self,
        path: Path,
        fmt: str,
        as_of: date,
        at: datetime,
        partial: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        context = FurnishingContext(as_of, self.store.furnisher_codes(), self.id_is_valid)
        checked = check_rows(
            self.read_rows(path, fmt),
            self.schema_problems,
            read_record,
            lambda record: check_record(record, context),
            key=lambda record: record.key,
            key_field="account_id",
            progress=progress,
        )
        rejected = checked.rejected_lines
        rejects_file = write_rejects(path, checked.rejects) if checked.rejects else None
        if checked.rejects and not partial:
            return IngestReport(str(path), checked.count, 0, 0, 0, rejected, rejects_file, False)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        result = self.store.apply_furnishing(path.name, digest, as_of, checked.valid, rejected, at)
        return IngestReport(
            str(path),
            checked.count,
            result.applied,
            result.unchanged,
            result.corrected,
            rejected,
            rejects_file,
            True,
        )
