"""Importing public records (court judgments, enforcement, consumption restriction) and blacklist
entries: the same pipeline and atomicity as furnishing files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from creditmend.domain.creditfile.records import (
    BLACKLIST_FIELDS,
    PUBLIC_RECORD_FIELDS,
    BlacklistEntry,
    PublicRecord,
    RecordContext,
    check_blacklist_entry,
    check_public_record,
    read_blacklist_entry,
    read_public_record,
)
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.services.furnish import ApplyResult, IngestReport
from creditmend.services.pipeline import Checked, Row, SchemaCheck, check_rows, write_rejects

KINDS = ("public_records", "blacklist")


class RecordStore(Protocol):
    def apply_records(
        self,
        kind: str,
        file_name: str,
        sha256: str,
        as_of: date,
        records: Sequence[PublicRecord | BlacklistEntry],
        rejected: int,
        at: datetime,
    ) -> ApplyResult: ...


RecordRowReader = Callable[[Path, str, str], Iterator[Row]]  # path, format, kind


@dataclass(frozen=True, slots=True)
class RecordsService:
    store: RecordStore
    read_rows: RecordRowReader
    schema_checks: dict[str, SchemaCheck]  # kind -> schema check
    id_is_valid: Callable[[str, str], bool]

    def import_file(
        self, kind: str, path: Path, fmt: str, as_of: date, at: datetime, partial: bool = False
    ) -> IngestReport:
        if kind not in KINDS:
            raise ProblemsError((Problem("--kind", f"unknown {kind!r}; {' or '.join(KINDS)}"),))
        context = RecordContext(as_of, self.id_is_valid)
        rows = self.read_rows(path, fmt, kind)
        checked: Checked[PublicRecord] | Checked[BlacklistEntry]
        if kind == "public_records":
            checked = check_rows(
                rows,
                self.schema_checks[kind],
                read_public_record,
                lambda record: check_public_record(record, context),
                key=lambda r: (r.id_type, r.id_number, r.kind, r.case_number),
                key_field="case_number",
            )
        else:
            checked = check_rows(
                rows,
                self.schema_checks[kind],
                read_blacklist_entry,
                lambda entry: check_blacklist_entry(entry, context),
                key=lambda e: (e.id_type, e.id_number, e.source, e.category, e.listed_on),
                key_field="listed_on",
            )
        rejected = checked.rejected_lines
        rejects_file = write_rejects(path, checked.rejects) if checked.rejects else None
        if checked.rejects and not partial:
            return IngestReport(str(path), checked.count, 0, 0, 0, rejected, rejects_file, False)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        result = self.store.apply_records(
            kind, path.name, digest, as_of, checked.valid, rejected, at
        )
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


FIELDS_OF = {"public_records": PUBLIC_RECORD_FIELDS, "blacklist": BLACKLIST_FIELDS}
