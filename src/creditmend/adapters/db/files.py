"""Public records and blacklist, retention facts and decisions, and reading a person's file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import ApplyCounts, fen, from_fen
from creditmend.adapters.db.objections import ObjectionStore
from creditmend.domain.creditfile.records import BlacklistEntry, InquiryRecord, PublicRecord
from creditmend.domain.creditfile.retention import (
    Archived,
    Decision,
    MonthRow,
    NegativeFact,
    overdue_episodes,
)
from creditmend.domain.report.file import LookFacts
from creditmend.domain.rules.policies import FactKind


def month_row(row: Any) -> MonthRow:
    """What overdue episodes need from one stored month."""
    return MonthRow(
        row.period,
        row.days_past_due,
        from_fen(row.past_due_fen),
        row.status,
        row.last_payment_on,
        row.closed_on,
    )


class FileStore(ObjectionStore):
    # ------------------------------------------------------------ public records, blacklist
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
        nothing and a changed record (a case performed, an entry's expiry moved) is updated."""
        table, key_columns = _RECORD_TABLES[kind]
        applied = unchanged = corrected = 0
        with self._tx() as conn:
            ingestion_id = self._open_ingestion(conn, file_name, sha256, as_of, rejected, at)
            persons: dict[tuple[str, str], int] = {}
            rows = []
            for record in records:
                who = (str(record.id_type), record.id_number)
                if who not in persons:
                    persons[who] = self.person_id(conn, *who, at, record.name)
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
            self._close_ingestion(conn, ingestion_id, applied, unchanged, corrected)
            self._audit(
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

    # ------------------------------------------------------------ retention
    def negative_facts(self, as_of: date) -> list[tuple[int, NegativeFact]]:
        """(person, fact) for every negative fact known on `as_of`: overdue episodes derived from
        the furnished months, public records (a revoked listing is no negative information) and
        blacklist entries."""
        with self.engine.connect() as conn:
            return self._negative_facts(conn, as_of, None)

    def _negative_facts(
        self, conn: Connection, as_of: date, persons: Sequence[int] | None
    ) -> list[tuple[int, NegativeFact]]:
        accounts = select(t.accounts.c.id, t.accounts.c.person_id)
        if persons is not None:
            accounts = accounts.where(t.accounts.c.person_id.in_(persons))
        owners = dict(conn.execute(accounts).all())
        # Records an objection deleted are no negative information any more.
        deleted = self.objection_facts(conn, persons, as_of)[2].values()
        gone_accounts = {pk for d in deleted for pk in d.accounts}
        gone_months = {key for d in deleted for key in d.months}
        gone_refs = {ref for d in deleted for ref in d.refs}
        facts: list[tuple[int, NegativeFact]] = []
        for account, rows in self._month_rows(conn, persons, as_of).items():
            if account in gone_accounts:
                continue
            kept = [row for row in rows if (account, row.period) not in gone_months]
            facts += [
                (owners[account], fact) for fact in overdue_episodes(kept, f"account:{account}")
            ]
        records = self._record_negative_facts(conn, as_of, persons)
        return facts + [(person, fact) for person, fact in records if fact.key not in gone_refs]

    def _record_negative_facts(
        self, conn: Connection, as_of: date, persons: Sequence[int] | None
    ) -> list[tuple[int, NegativeFact]]:
        """Court records (a revoked listing is no negative information) and blacklist entries."""
        facts: list[tuple[int, NegativeFact]] = []
        public = select(t.public_records).where(
            t.public_records.c.filed_on <= as_of, t.public_records.c.status != "revoked"
        )
        blacklist = select(t.blacklist_entries).where(t.blacklist_entries.c.listed_on <= as_of)
        if persons is not None:
            public = public.where(t.public_records.c.person_id.in_(persons))
            blacklist = blacklist.where(t.blacklist_entries.c.person_id.in_(persons))
        for row in conn.execute(public):
            amount = None if row.amount_fen is None else from_fen(row.amount_fen)
            facts.append(
                (
                    row.person_id,
                    NegativeFact(
                        FactKind.PUBLIC_RECORD,
                        f"public_record:{row.id}",
                        row.filed_on,
                        row.ended_on,
                        amount,
                    ),
                )
            )
        for row in conn.execute(blacklist):
            facts.append(
                (
                    row.person_id,
                    NegativeFact(
                        FactKind.BLACKLIST,
                        f"blacklist:{row.id}",
                        row.listed_on,
                        None,
                        expires_on=row.expires_on,
                    ),
                )
            )
        return facts

    def _month_rows(
        self, conn: Connection, persons: Sequence[int] | None, as_of: date
    ) -> dict[int, list[MonthRow]]:
        """Every furnished month up to `as_of` of the persons' accounts (None: everyone's)."""
        query = (
            select(t.account_months)
            .where(t.account_months.c.period <= as_of)
            .order_by(t.account_months.c.account_pk, t.account_months.c.period)
        )
        if persons is not None:
            theirs = select(t.accounts.c.id).where(t.accounts.c.person_id.in_(persons))
            query = query.where(t.account_months.c.account_pk.in_(theirs))
        months: dict[int, list[MonthRow]] = {}
        for row in conn.execute(query):
            months.setdefault(row.account_pk, []).append(month_row(row))
        return months

    def save_decisions(
        self, decisions: Sequence[tuple[int, NegativeFact, Decision]], as_of: date, at: datetime
    ) -> int:
        """Add this run's decisions to the archive (a rerun for the same day replaces that day's);
        returns how many facts this run hides that the latest earlier run showed."""
        newly_hidden = 0
        decisions_table = t.retention_decisions
        with self._tx() as conn:
            conn.execute(decisions_table.delete().where(decisions_table.c.decided_on == as_of))
            last = conn.execute(select(func.max(decisions_table.c.decided_at))).scalar_one()
            before = (
                {
                    row.fact_key: row.shown
                    for row in conn.execute(
                        select(decisions_table.c.fact_key, decisions_table.c.shown).where(
                            decisions_table.c.decided_at == last
                        )
                    )
                }
                if last is not None
                else {}
            )
            rows = [
                {
                    "fact_key": d.fact_key,
                    "person_id": person,
                    "kind": str(fact.kind),
                    "shown": d.shown,
                    "hidden_from": d.hidden_from,
                    "visible_until": d.visible_until,
                    "reason": d.reason,
                    "decided_on": as_of,
                    "decided_at": at,
                }
                for person, fact, d in decisions
            ]
            if rows:
                conn.execute(insert(t.retention_decisions), rows)
            newly_hidden = sum(
                1 for r in rows if not r["shown"] and before.get(r["fact_key"], True)
            )
            self._audit(
                conn,
                at,
                "operator",
                "retention",
                detail={
                    "as_of": as_of.isoformat(),
                    "facts": len(rows),
                    "newly_hidden": newly_hidden,
                },
            )
        return newly_hidden

    def archive(self, as_of: date, at: datetime) -> tuple[date | None, list[Archived]]:
        decisions = t.retention_decisions
        with self._tx() as conn:
            day = conn.execute(
                select(func.max(decisions.c.decided_on)).where(decisions.c.decided_on <= as_of)
            ).scalar_one_or_none()
            rows = (
                conn.execute(
                    select(decisions)
                    .where(decisions.c.decided_on == day, decisions.c.shown.is_(False))
                    .order_by(decisions.c.person_id, decisions.c.fact_key)
                ).all()
                if day is not None
                else []
            )
            self._audit(
                conn,
                at,
                "operator",
                "archive_view",
                detail={"as_of": as_of.isoformat(), "run": None if day is None else str(day)},
            )
        return day, [
            Archived(r.fact_key, r.person_id, r.kind, r.hidden_from, r.reason, r.decided_on)
            for r in rows
        ]

    # ------------------------------------------------------------ who looked
    def who_looked(self, id_type: str, id_number: str, at: datetime) -> list[LookFacts]:
        """Every logged look at (or change of) a person's file, oldest first: the subject's
        right to know. Reading the log is itself logged, after the list is taken."""
        key = self.vault.id_hash(id_type, id_number)
        with self._tx() as conn:
            person = conn.execute(
                select(t.persons.c.id).where(t.persons.c.id_hash == key)
            ).scalar_one_or_none()
            if person is None:
                return []
            rows = conn.execute(
                select(t.audit_events)
                .where(t.audit_events.c.subject_person_id == person)
                .order_by(t.audit_events.c.id)
            )
            looks = [
                LookFacts(row.at, row.actor, row.action, row.reason, row.consent_ref)
                for row in rows
            ]
            self._audit(conn, at, "subject", "audit_view", subject=person)
            return looks


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
