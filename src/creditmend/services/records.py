"""Importing public records (court judgments, enforcement, consumption restriction) and blacklist
entries: the same pipeline and atomicity as furnishing files."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from creditmend.domain.clock import Clock
from creditmend.domain.creditfile.inquiry import InquiryRequest, is_hard, validate_inquiry
from creditmend.domain.creditfile.records import (
    BLACKLIST_FIELDS,
    INQUIRY_FIELDS,
    PUBLIC_RECORD_FIELDS,
    InquiryRecord,
    RecordContext,
    check_blacklist_entry,
    check_public_record,
    read_blacklist_entry,
    read_inquiry,
    read_public_record,
)
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.services.conflicts import rerun_on_conflict
from creditmend.services.pipeline import (
    Checked,
    IngestReport,
    Row,
    SchemaCheck,
    already_applied,
    check_rows,
    conclude,
    file_digest,
    refuse_future,
)
from creditmend.services.ports import FurnisherRegistry, IngestionLog, RecordsRepository

KINDS = ("public_records", "blacklist", "inquiries")


RecordRowReader = Callable[[Path, str, str], Iterator[Row]]  # path, format, kind


@dataclass(frozen=True, slots=True)
class RecordsService:
    furnisher_registry: FurnisherRegistry
    ingestion_log: IngestionLog
    records_repository: RecordsRepository
    read_rows: RecordRowReader
    schema_checks: dict[str, SchemaCheck]  # kind -> schema check
    id_is_valid: Callable[[str, str], bool]
    profile: JurisdictionProfile
    clock: Clock  # a business date after its today is refused

    def import_file(
        self, kind: str, path: Path, fmt: str, as_of: date, at: datetime, partial: bool = False
    ) -> IngestReport:
        if kind not in KINDS:
            raise ProblemsError(
                (Problem("records.kind", f"unknown {kind!r}; {' or '.join(KINDS)}"),)
            )
        refuse_future(as_of, self.clock.today())
        # Another import may make the same new persons first: the file is then run again whole.
        return rerun_on_conflict(lambda: self._import_once(kind, path, fmt, as_of, at, partial))

    def _import_once(
        self, kind: str, path: Path, fmt: str, as_of: date, at: datetime, partial: bool
    ) -> IngestReport:
        digest = file_digest(path)
        seen = self.ingestion_log.applied_before(digest)
        if seen is not None:
            return already_applied(path, seen)
        context = RecordContext(as_of, self.id_is_valid)
        rows = self.read_rows(path, fmt, kind)
        checked: Checked[Any]  # of the kind's record type
        if kind == "inquiries":
            known = self.furnisher_registry.furnisher_codes()
            checked = check_rows(
                rows,
                self.schema_checks[kind],
                read_inquiry,
                lambda record: self._inquiry_problems(record, as_of, known),
                key=lambda r: (
                    r.id_type,
                    r.id_number,
                    r.furnisher_id,
                    r.inquired_on,
                    r.purpose,
                    r.consent_ref,
                ),
                key_field="inquired_on",
            )
            checked = replace(
                checked,
                valid=[replace(r, hard=is_hard(r.purpose, self.profile)) for r in checked.valid],
            )
        elif kind == "public_records":
            checked = check_rows(
                rows,
                self.schema_checks[kind],
                functools.partial(read_public_record, currency=self.profile.currency),
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
        return conclude(
            path,
            checked,
            partial,
            lambda valid, rejected: self.records_repository.apply_records(
                kind, path.name, digest, as_of, valid, rejected, at
            ),
        )

    def _inquiry_problems(
        self, record: InquiryRecord, as_of: date, known: frozenset[str]
    ) -> tuple[Problem, ...]:
        request = InquiryRequest(
            record.id_type,
            record.id_number,
            record.furnisher_id,
            record.purpose,
            record.consent_ref,
            record.inquired_on,
        )
        problems = [
            replace(p, field=_FILE_FIELD.get(p.field, p.field), line=record.line)
            for p in validate_inquiry(request, self.profile, known)
        ]
        if record.inquired_on > as_of:
            problems.append(
                Problem("inquired_on", f"{record.inquired_on} is after {as_of}", record.line)
            )
        if not self.id_is_valid(record.id_type, record.id_number):
            problems.append(
                Problem("id_number", f"is not a valid {record.id_type} number", record.line)
            )
        return tuple(problems)


# The inquiry rules name the request's fields; in a file of inquiries they are these columns.
_FILE_FIELD = {
    "inquiry.by": "furnisher_id",
    "inquiry.consent_ref": "consent_ref",
    "inquiry.purpose": "purpose",
}

FIELDS_OF = {
    "public_records": PUBLIC_RECORD_FIELDS,
    "blacklist": BLACKLIST_FIELDS,
    "inquiries": INQUIRY_FIELDS,
}
