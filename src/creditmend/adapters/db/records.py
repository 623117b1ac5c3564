"""Public records, blacklist entries and inquiry logs imported from files: keyed, so a re-import
changes nothing and a changed record is updated, in one transaction per file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import ApplyCounts, UnitOfWork, audit, fen, taken_meanwhile
from creditmend.adapters.db.ingestions import close_ingestion, open_ingestion
from creditmend.adapters.db.persons import persons_of
from creditmend.domain.creditfile.records import BlacklistEntry, InquiryRecord, PublicRecord


class SqlRecordsRepository:
    """The `RecordsRepository` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

    def apply_records(
        self,
        kind: str,
        file_name: str,
        sha256: str,
        as_of: date,
        records: Sequence[PublicRecord | BlacklistEntry | InquiryRecord],
        rejected: int,
        at: datetime,
    ) -> ApplyCounts:
        """Public records or blacklist entries, in one transaction; keyed, so re-imports change
        nothing and a changed record (a case performed, an entry's expiry moved) is updated.
        Persons another import made meanwhile are a `ConcurrentWriteError` (rolled back whole)."""
        table, key_columns = _RECORD_TABLES[kind]
        applied = unchanged = corrected = 0
        with taken_meanwhile(), self.unit_of_work.transaction() as conn:
            ingestion_id = open_ingestion(conn, file_name, sha256, as_of, rejected, at)
            first: dict[tuple[str, str], str | None] = {}  # each person's first record's name
            for record in records:
                first.setdefault((str(record.id_type), record.id_number), record.name)
            persons = persons_of(conn, self.unit_of_work.vault, first, at)
            rows = []
            for record in records:
                who = (str(record.id_type), record.id_number)
                provenance: dict[str, Any] = (
                    {"at": at}
                    if kind == "inquiries"  # an inquiry's own log time
                    else {"ingestion_id": ingestion_id, "line": record.line, "received_at": at}
                )
                rows.append(({"person_id": persons[who], **_record_values(record)}, provenance))
            # What the store holds for these persons, by key; then one pass decides each row.
            known: dict[tuple[Any, ...], tuple[int | None, dict[str, Any]]] = {}
            ids = sorted(set(persons.values()))
            for start in range(0, len(ids), 1000):
                query = select(table).where(table.c.person_id.in_(ids[start : start + 1000]))
                for old in conn.execute(query).mappings():
                    values = {name: old[name] for name in rows[0][0]} if rows else {}
                    known[tuple(old[name] for name in key_columns)] = (old["id"], values)
            inserts: dict[tuple[Any, ...], dict[str, Any]] = {}
            for values, provenance in rows:
                key = tuple(values[name] for name in key_columns)
                found = known.get(key)
                if found is None:
                    inserts[key] = {**values, **provenance}
                    known[key] = (None, values)
                    applied += 1
                elif found[1] == values:
                    unchanged += 1
                elif found[0] is None:  # a later line of this file changes an earlier one
                    inserts[key] = {**values, **provenance}
                    known[key] = (None, values)
                    corrected += 1
                else:
                    conn.execute(
                        update(table).where(table.c.id == found[0]).values(**values, **provenance)
                    )
                    known[key] = (found[0], values)
                    corrected += 1
            if inserts:
                conn.execute(insert(table), list(inserts.values()))
            close_ingestion(conn, ingestion_id, applied, unchanged, corrected)
            audit(
                conn,
                at,
                "operator",
                f"{kind}_import",
                detail={
                    "file": file_name,
                    "applied": applied,
                    "unchanged": unchanged,
                    "corrected": corrected,
                    "rejected": rejected,
                },
            )
        return ApplyCounts(applied, unchanged, corrected)


_RECORD_TABLES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "public_records": (t.public_records, ("person_id", "kind", "case_number")),
    "blacklist": (t.blacklist_entries, ("person_id", "source", "category", "listed_on")),
    "inquiries": (
        t.inquiries,
        ("person_id", "furnisher_code", "inquired_on", "purpose", "consent_ref"),
    ),
}


def _record_values(record: PublicRecord | BlacklistEntry | InquiryRecord) -> dict[str, Any]:
    if isinstance(record, InquiryRecord):
        return {
            "furnisher_code": record.furnisher_id,
            "inquired_on": record.inquired_on,
            "purpose": record.purpose,
            "hard": record.hard,
            "consent_ref": record.consent_ref,
        }
    if isinstance(record, PublicRecord):
        return {
            "kind": str(record.kind),
            "court": record.court,
            "case_number": record.case_number,
            "filed_on": record.filed_on,
            "published_on": record.published_on,
            "amount_fen": fen(record.amount),
            "status": str(record.status),
            "ended_on": record.ended_on,
            "source": record.source,
        }
    return {
        "source": record.source,
        "category": str(record.category),
        "listed_on": record.listed_on,
        "expires_on": record.expires_on,
        "reason": record.reason,
    }
