"""Furnishing files into the store: set-based, chunked, in one transaction per file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import ApplyCounts, StoreBase, fen
from creditmend.domain.creditfile.furnisher import Furnisher
from creditmend.domain.creditfile.furnishing import FurnishedRecord
from creditmend.domain.problems import Problem, ProblemsError

CHUNK = 5_000
FACTS = (
    "scheduled_fen",
    "paid_fen",
    "balance_fen",
    "past_due_fen",
    "days_past_due",
    "status",
    "closed_on",
    "last_payment_on",
    "first_delinquency_on",
    "negative_notice_on",
    "remarks",
)


class FurnishingStore(StoreBase):
    # ------------------------------------------------------------ furnishers
    def add_furnisher(self, furnisher: Furnisher, at: datetime) -> None:
        try:
            with self._tx() as conn:
                conn.execute(
                    insert(t.furnishers).values(
                        code=furnisher.code,
                        name=furnisher.name,
                        kind=furnisher.kind.value,
                        subtype=furnisher.subtype,
                        created_at=at,
                    )
                )
                self._audit(
                    conn, at, "operator", "furnisher_added", detail={"code": furnisher.code}
                )
        except IntegrityError:
            raise ProblemsError(
                (Problem("code", f"{furnisher.code} is already registered"),)
            ) from None

    def furnisher_codes(self) -> frozenset[str]:
        with self.engine.connect() as conn:
            return frozenset(conn.execute(select(t.furnishers.c.code)).scalars())

    # ------------------------------------------------------------ furnishing
    def apply_furnishing(
        self,
        file_name: str,
        sha256: str,
        as_of: date,
        records: Sequence[FurnishedRecord],
        rejected: int,
        at: datetime,
    ) -> ApplyCounts:
        """Apply valid records in one transaction; re-applying the same records changes nothing."""
        applied = unchanged = corrected = 0
        with self._tx() as conn:
            if conn.dialect.name == "postgresql":
                # Every look-up here is by a unique key, but the planner's statistics do not
                # see the rows this transaction is adding, and a sequential scan per chunk
                # makes a large file quadratic. For this transaction only, prefer the indexes.
                conn.execute(text("SET LOCAL enable_seqscan = off"))
            ingestion_id = self._open_ingestion(conn, file_name, sha256, as_of, rejected, at)
            for start in range(0, len(records), CHUNK):
                chunk = records[start : start + CHUNK]
                counts = self._apply_chunk(conn, chunk, ingestion_id, at)
                applied += counts.applied
                unchanged += counts.unchanged
                corrected += counts.corrected
            self._close_ingestion(conn, ingestion_id, applied, unchanged, corrected)
            self._audit(
                conn,
                at,
                "furnishing",
                "ingestion",
                detail={
                    "file": file_name,
                    "sha256": sha256,
                    "applied": applied,
                    "unchanged": unchanged,
                    "corrected": corrected,
                    "rejected": rejected,
                },
            )
        return ApplyCounts(applied, unchanged, corrected)

    def applied_before(self, sha256: str) -> int | None:
        """How many records a file with this content brought when it was applied, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.ingestions.c.applied, t.ingestions.c.unchanged, t.ingestions.c.corrected)
                .where(t.ingestions.c.sha256 == sha256)
                .order_by(t.ingestions.c.id)
                .limit(1)
            ).one_or_none()
        return None if row is None else row.applied + row.unchanged + row.corrected

    def _apply_chunk(
        self, conn: Connection, chunk: Sequence[FurnishedRecord], ingestion_id: int, at: datetime
    ) -> ApplyCounts:
        persons = self._persons(conn, chunk, at)
        account_pks, created, terms_corrected = self._accounts(conn, chunk, persons)
        keys = [(account_pks[(r.furnisher_id, r.account_id)], r.period) for r in chunk]
        # Accounts made in this chunk have no months yet: look up only the others, by two plain
        # IN lists (not a row-value IN), so that both databases use the unique index.
        wanted = {key for key in keys if key[0] not in created}
        existing = (
            {
                (row.account_pk, row.period): row
                for row in conn.execute(
                    select(t.account_months).where(
                        t.account_months.c.account_pk.in_({key[0] for key in wanted}),
                        t.account_months.c.period.in_({key[1] for key in wanted}),
                    )
                )
                if (row.account_pk, row.period) in wanted
            }
            if wanted
            else {}
        )
        new_rows: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        unchanged = 0
        for record, key, person in zip(chunk, keys, persons, strict=True):
            facts = _facts(record)
            old = existing.get(key)
            provenance = {"ingestion_id": ingestion_id, "line": record.line, "received_at": at}
            if old is None:
                new_rows.append(
                    {"account_pk": key[0], "period": key[1], "version": 1, **facts, **provenance}
                )
            elif all(getattr(old, name) == facts[name] for name in FACTS):
                unchanged += 1
            else:
                kept = dict(old._mapping)
                kept.pop("id")
                history.append({**kept, "superseded_at": at})
                changes.append(
                    {"row_id": old.id, "version": old.version + 1, **facts, **provenance}
                )
                audits.append(
                    {
                        "at": at,
                        "actor": record.furnisher_id,
                        "action": "correction",
                        "subject_person_id": person,
                        "reason": None,
                        "consent_ref": None,
                        "detail": json.dumps(
                            {
                                "account_id": record.account_id,
                                "period": f"{record.period:%Y-%m}",
                                "version": old.version + 1,
                                "line": record.line,
                            }
                        ),
                    }
                )
        if new_rows:
            conn.execute(insert(t.account_months), new_rows)
        if history:
            conn.execute(insert(t.account_month_history), history)
        if changes:
            statement = (
                update(t.account_months)
                .where(t.account_months.c.id == bindparam("row_id"))
                .values({name: bindparam(name) for name in changes[0] if name != "row_id"})
            )
            conn.execute(statement, changes)
            # Each correction is its own audit event: the subject can see who changed what.
            conn.execute(insert(t.audit_events), audits)
        # A month whose account terms were corrected counts as corrected, not unchanged.
        moved = min(terms_corrected, unchanged)
        return ApplyCounts(len(new_rows), unchanged - moved, len(changes) + moved)

    def _persons(
        self, conn: Connection, chunk: Sequence[FurnishedRecord], at: datetime
    ) -> list[int]:
        """The person of each record, made on first sight; a person first seen without a name
        (through an inquiry) gets the furnished one."""
        hashes = [self.vault.id_hash(r.id_type, r.id_number) for r in chunk]
        wanted: dict[str, FurnishedRecord] = {}
        for key, record in zip(hashes, chunk, strict=True):
            wanted.setdefault(key, record)
        found: dict[str, int] = {}
        nameless: list[dict[str, Any]] = []
        for row in conn.execute(
            select(t.persons.c.id_hash, t.persons.c.id, t.persons.c.name_known).where(
                t.persons.c.id_hash.in_(wanted)
            )
        ):
            found[row.id_hash] = row.id
            if not row.name_known:
                nameless.append(
                    {"person": row.id, "name_cipher": self.vault.encrypt(wanted[row.id_hash].name)}
                )
        if nameless:
            conn.execute(
                update(t.persons)
                .where(t.persons.c.id == bindparam("person"))
                .values(name_cipher=bindparam("name_cipher"), name_known=True),
                nameless,
            )
        missing = [
            {
                "id_hash": key,
                "id_type": record.id_type,
                "id_cipher": self.vault.encrypt(record.id_number),
                "name_cipher": self.vault.encrypt(record.name),
                "name_known": True,
                "created_at": at,
            }
            for key, record in wanted.items()
            if key not in found
        ]
        if missing:
            made = conn.execute(
                insert(t.persons).returning(t.persons.c.id_hash, t.persons.c.id), missing
            )
            found.update((row.id_hash, row.id) for row in made)
        return [found[key] for key in hashes]

    def _accounts(
        self, conn: Connection, chunk: Sequence[FurnishedRecord], persons: Sequence[int]
    ) -> tuple[dict[tuple[str, str], int], set[int], int]:
        """The chunk's accounts (made when new, updated when their terms changed), which of
        them were made now, and how many had their terms corrected.

        An account belongs to one person and one currency for life: a file that furnishes it for
        another person or in another currency is refused whole (a mix-up, not a correction)."""
        latest: dict[tuple[str, str], tuple[FurnishedRecord, int]] = {}
        problems: list[Problem] = []
        for record, person in zip(chunk, persons, strict=True):
            key = (record.furnisher_id, record.account_id)
            if key in latest and latest[key][1] != person:
                problems.append(
                    Problem(
                        "id_number",
                        f"account {record.account_id} is furnished "
                        "for another person on another line",
                        record.line,
                    )
                )
            latest[key] = (record, person)
        found = self._account_rows(conn, set(latest))
        missing = []
        corrected = 0
        for key, (record, person) in latest.items():
            facts = {
                "person_id": person,
                "account_type": record.account_type,
                "currency": record.currency,
                "opened_on": record.opened_on,
                "principal_fen": fen(record.principal),
                "credit_limit_fen": fen(record.credit_limit),
                "term_months": record.term_months,
            }
            old = found.get(key)
            if old is None:
                missing.append({"furnisher_code": key[0], "account_id": key[1], **facts})
            elif old.person_id != person:
                problems.append(
                    Problem(
                        "id_number",
                        f"account {record.account_id} belongs to another person in the bureau",
                        record.line,
                    )
                )
            elif old.currency != record.currency:
                problems.append(
                    Problem(
                        "currency",
                        f"account {record.account_id} is kept in {old.currency}",
                        record.line,
                    )
                )
            elif any(getattr(old, name) != value for name, value in facts.items()):
                conn.execute(update(t.accounts).where(t.accounts.c.id == old.id).values(facts))
                corrected += 1
        if problems:
            raise ProblemsError(tuple(problems))
        pks = {key: row.id for key, row in found.items()}
        created: set[int] = set()
        if missing:
            # RETURNING instead of reading the rows back: one round trip per batch.
            made = conn.execute(
                insert(t.accounts).returning(
                    t.accounts.c.id, t.accounts.c.furnisher_code, t.accounts.c.account_id
                ),
                missing,
            )
            for row in made:
                pks[(row.furnisher_code, row.account_id)] = row.id
                created.add(row.id)
        return pks, created, corrected

    def _account_rows(self, conn: Connection, keys: set[tuple[str, str]]) -> dict[Any, Any]:
        rows = conn.execute(
            select(t.accounts).where(
                t.accounts.c.furnisher_code.in_({key[0] for key in keys}),
                t.accounts.c.account_id.in_({key[1] for key in keys}),
            )
        )
        return {
            (row.furnisher_code, row.account_id): row
            for row in rows
            if (row.furnisher_code, row.account_id) in keys
        }


def _facts(record: FurnishedRecord) -> dict[str, Any]:
    return {
        "scheduled_fen": fen(record.scheduled_amount),
        "paid_fen": fen(record.paid_amount),
        "balance_fen": fen(record.balance),
        "past_due_fen": fen(record.past_due_amount),
        "days_past_due": record.days_past_due,
        "status": record.status,
        "closed_on": record.closed_on,
        "last_payment_on": record.last_payment_on,
        "first_delinquency_on": record.first_delinquency_on,
        "negative_notice_on": record.negative_notice_on,
        "remarks": ";".join(record.remarks),
    }
