"""Furnishing: register furnishers and take their monthly files into the bureau.

The pipeline reads top to bottom (beancount's loader): read lines -> schema -> typed record ->
profile rules -> one transaction. Every reject is reported with its line, field and reason in
`FILE.rejects.jsonl`; a file with rejects is applied only with `partial` (the valid records), and
never half: the store applies a file's records in one transaction or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from creditmend.domain.creditfile.furnisher import Furnisher, validate_furnisher
from creditmend.domain.creditfile.furnishing import (
    FurnishedRecord,
    FurnishingContext,
    check_record,
    read_record,
)
from creditmend.domain.problems import Problem, ProblemsError


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


RowReader = Callable[[Path, str], Iterator[tuple[int, Mapping[str, Any] | Problem]]]
SchemaCheck = Callable[[Mapping[str, Any], int], tuple[Problem, ...]]


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
        valid: list[FurnishedRecord] = []
        rejects: list[Problem] = []
        seen: dict[tuple[str, str, date], int] = {}
        count = 0
        for line, row in self.read_rows(path, fmt):
            count += 1
            if progress is not None and count % 10_000 == 0:
                progress(count)
            record, problems = self._record(row, line, context)
            if record is not None and not problems:
                key = (record.furnisher_id, record.account_id, record.period)
                if key in seen:
                    problems = (
                        Problem("account_id", f"same account and period as line {seen[key]}", line),
                    )
                else:
                    seen[key] = line
            if problems or record is None:
                rejects.extend(problems)
            else:
                valid.append(record)
        rejected_lines = len({p.line for p in rejects})
        rejects_file = _write_rejects(path, rejects) if rejects else None
        if rejects and not partial:
            return IngestReport(str(path), count, 0, 0, 0, rejected_lines, rejects_file, False)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        result = self.store.apply_furnishing(path.name, digest, as_of, valid, rejected_lines, at)
        return IngestReport(
            str(path),
            count,
            result.applied,
            result.unchanged,
            result.corrected,
            rejected_lines,
            rejects_file,
            True,
        )

    def _record(
        self, row: Mapping[str, Any] | Problem, line: int, context: FurnishingContext
    ) -> tuple[FurnishedRecord | None, tuple[Problem, ...]]:
        if isinstance(row, Problem):
            return None, (row,)
        problems = self.schema_problems(row, line)
        if problems:
            return None, problems
        record, problems = read_record(row, line)
        if record is None or problems:
            return record, problems
        return record, check_record(record, context)


def _write_rejects(path: Path, rejects: Iterable[Problem]) -> str:
    target = path.with_name(path.name + ".rejects.jsonl")
    with target.open("w", encoding="utf-8") as out:
        for problem in rejects:
            out.write(
                json.dumps(
                    {"line": problem.line, "field": problem.field, "reason": problem.message},
                    ensure_ascii=False,
                )
                + "\n"
            )
    return str(target)
