"""The bureau store on SQLAlchemy: SQLite embedded by default, PostgreSQL for servers.

A furnishing file is applied in one transaction: every row of it, or none (a crash mid-file
rolls back). Rows go in chunks with set-based look-ups and `executemany`, so a million records is
a matter of seconds, not of a million round trips.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, bindparam, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError
from sqlalchemy.pool import ConnectionPoolEntry

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.migrate import upgrade
from creditmend.adapters.vault import IdentityVault, VaultKeyError
from creditmend.domain.creditfile.furnisher import Furnisher
from creditmend.domain.creditfile.furnishing import AccountStatus, FurnishedRecord
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.inquiry import InquiryRequest
from creditmend.domain.creditfile.records import BlacklistEntry, PublicRecord
from creditmend.domain.creditfile.retention import (
    Decision,
    FactKind,
    MonthRow,
    NegativeFact,
    overdue_episodes,
)
from creditmend.domain.creditfile.summary import AccountFacts, InquiryFacts, LookFacts
from creditmend.domain.money import Money
from creditmend.domain.problems import Problem, ProblemsError

CHUNK = 5_000
FEN = Decimal(100)
_FACTS = (
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


@dataclass(frozen=True, slots=True)
class ApplyCounts:
    applied: int
    unchanged: int
    corrected: int


class StoreError(ProblemsError):
    """The database cannot be reached: an input problem of the `db` setting."""

    def __init__(self, message: str) -> None:
        super().__init__((Problem("db", message),))


def _fen(amount: Decimal | None) -> int | None:
    return None if amount is None else int(amount * FEN)


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class SqlStore:
    def __init__(self, engine: Engine, vault: IdentityVault) -> None:
        self.engine = engine
        self.vault = vault

    @classmethod
    def open(cls, url: str, vault: IdentityVault) -> SqlStore:
        """Connect, migrate to the newest schema, and check that the key is this store's key."""
        try:
            engine = make_engine(url)
        except (ArgumentError, NoSuchModuleError, ImportError) as error:
            raise StoreError(
                f"{url!r} is not a database URL this bureau can open ({error})"
            ) from None
        try:
            with engine.begin() as conn:
                upgrade(conn)
                stored = conn.execute(select(t.meta.c.value).where(t.meta.c.key == "key_check"))
                check = stored.scalar_one_or_none()
                if check is None:
                    conn.execute(insert(t.meta).values(key="key_check", value=vault.check_value()))
                elif check != vault.check_value():
                    raise VaultKeyError("this is not the key this database was created with")
        except DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0]
            raise StoreError(f"cannot open {engine.url!r}: {reason}") from None
        return cls(engine, vault)

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

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
            ingestion_id = conn.execute(
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
            for start in range(0, len(records), CHUNK):
                chunk = records[start : start + CHUNK]
                counts = self._apply_chunk(conn, chunk, ingestion_id, at)
                applied += counts.applied
                unchanged += counts.unchanged
                corrected += counts.corrected
            conn.execute(
                update(t.ingestions)
                .where(t.ingestions.c.id == ingestion_id)
                .values(applied=applied, unchanged=unchanged, corrected=corrected)
            )
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
        unchanged = 0
        for record, key in zip(chunk, keys, strict=True):
            facts = _facts(record)
            old = existing.get(key)
            provenance = {"ingestion_id": ingestion_id, "line": record.line, "received_at": at}
            if old is None:
                new_rows.append(
                    {"account_pk": key[0], "period": key[1], "version": 1, **facts, **provenance}
                )
            elif all(getattr(old, name) == facts[name] for name in _FACTS):
                unchanged += 1
            else:
                kept = dict(old._mapping)
                kept.pop("id")
                history.append({**kept, "superseded_at": at})
                changes.append(
                    {"row_id": old.id, "version": old.version + 1, **facts, **provenance}
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
                "principal_fen": _fen(record.principal),
                "credit_limit_fen": _fen(record.credit_limit),
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

    # ------------------------------------------------------------ public records, blacklist
    def apply_records(
        self,
        kind: str,
        file_name: str,
        sha256: str,
        as_of: date,
        records: Sequence[PublicRecord | BlacklistEntry],
        rejected: int,
        at: datetime,
    ) -> ApplyCounts:
        """Public records or blacklist entries, in one transaction; keyed, so re-imports change
        nothing and a changed record (a case performed, an entry's expiry moved) is updated."""
        table = t.public_records if kind == "public_records" else t.blacklist_entries
        key_columns = (
            ("person_id", "kind", "case_number")
            if kind == "public_records"
            else ("person_id", "source", "category", "listed_on")
        )
        applied = unchanged = corrected = 0
        with self._tx() as conn:
            ingestion_id = conn.execute(
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
            for record in records:
                person = self.person_id(conn, record.id_type, record.id_number, at, record.name)
                values = {"person_id": person, **_record_values(record)}
                where = [table.c[name] == values[name] for name in key_columns]
                old = conn.execute(select(table).where(*where)).one_or_none()
                provenance = {"ingestion_id": ingestion_id, "line": record.line, "received_at": at}
                if old is None:
                    conn.execute(insert(table).values(**values, **provenance))
                    applied += 1
                elif all(getattr(old, name) == value for name, value in values.items()):
                    unchanged += 1
                else:
                    conn.execute(
                        update(table).where(table.c.id == old.id).values(**values, **provenance)
                    )
                    corrected += 1
            conn.execute(
                update(t.ingestions)
                .where(t.ingestions.c.id == ingestion_id)
                .values(applied=applied, unchanged=unchanged, corrected=corrected)
            )
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
        self, conn: Connection, as_of: date, person: int | None
    ) -> list[tuple[int, NegativeFact]]:
        accounts = select(t.accounts.c.id, t.accounts.c.person_id)
        if person is not None:
            accounts = accounts.where(t.accounts.c.person_id == person)
        owners = dict(conn.execute(accounts).all())
        facts: list[tuple[int, NegativeFact]] = []
        for account, rows in self._month_rows(conn, list(owners), as_of).items():
            facts += [
                (owners[account], fact) for fact in overdue_episodes(rows, f"account:{account}")
            ]
        public = select(t.public_records).where(
            t.public_records.c.filed_on <= as_of, t.public_records.c.status != "revoked"
        )
        blacklist = select(t.blacklist_entries).where(t.blacklist_entries.c.listed_on <= as_of)
        if person is not None:
            public = public.where(t.public_records.c.person_id == person)
            blacklist = blacklist.where(t.blacklist_entries.c.person_id == person)
        for row in conn.execute(public):
            amount = None if row.amount_fen is None else _decimal(row.amount_fen)
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
        self, conn: Connection, accounts: list[int], as_of: date
    ) -> dict[int, list[MonthRow]]:
        query = (
            select(t.account_months)
            .where(t.account_months.c.period <= as_of)
            .order_by(t.account_months.c.account_pk, t.account_months.c.period)
        )
        if len(accounts) < 1000:
            query = query.where(t.account_months.c.account_pk.in_(accounts))
        months: dict[int, list[MonthRow]] = {}
        for row in conn.execute(query):
            months.setdefault(row.account_pk, []).append(
                MonthRow(
                    row.period,
                    row.days_past_due,
                    _decimal(row.past_due_fen),
                    row.status,
                    row.last_payment_on,
                    row.closed_on,
                )
            )
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

    # ------------------------------------------------------------ inquiries and files
    def person_id(
        self, conn: Connection, id_type: str, id_number: str, at: datetime, name: str | None = None
    ) -> int:
        """The person's row, made on first sight: an inquiry about someone the bureau has no
        data on is still information about them (they will see it in their own report)."""
        key = self.vault.id_hash(id_type, id_number)
        row = conn.execute(
            select(t.persons.c.id, t.persons.c.name_known).where(t.persons.c.id_hash == key)
        ).one_or_none()
        if row is None:
            return int(
                conn.execute(
                    insert(t.persons)
                    .values(
                        id_hash=key,
                        id_type=id_type,
                        id_cipher=self.vault.encrypt(id_number),
                        name_cipher=self.vault.encrypt(name or ""),
                        name_known=name is not None,
                        created_at=at,
                    )
                    .returning(t.persons.c.id)
                ).scalar_one()
            )
        if name is not None and not row.name_known:
            conn.execute(
                update(t.persons)
                .where(t.persons.c.id == row.id)
                .values(name_cipher=self.vault.encrypt(name), name_known=True)
            )
        return int(row.id)

    def record_inquiry(
        self, request: InquiryRequest, hard: bool, at: datetime
    ) -> tuple[list[AccountFacts], list[InquiryFacts], list[NegativeFact]]:
        """Log the inquiry (and its audit event) and read the file, in one transaction."""
        with self._tx() as conn:
            person = self.person_id(conn, request.id_type, request.id_number, at)
            conn.execute(
                insert(t.inquiries).values(
                    person_id=person,
                    furnisher_code=request.by,
                    purpose=request.purpose,
                    hard=hard,
                    consent_ref=request.consent_ref,
                    inquired_on=request.on,
                    at=at,
                )
            )
            self._audit(
                conn,
                at,
                request.by or "subject",
                "inquiry",
                subject=person,
                reason=request.purpose,
                consent=request.consent_ref,
                detail={"as_of": request.on.isoformat()},
            )
            facts = [fact for _, fact in self._negative_facts(conn, request.on, person)]
            return (
                self._accounts_of(conn, person, request.on),
                self._inquiries_of(conn, person),
                facts,
            )

    def _accounts_of(self, conn: Connection, person: int, as_of: date) -> list[AccountFacts]:
        accounts = conn.execute(
            select(t.accounts).where(t.accounts.c.person_id == person).order_by(t.accounts.c.id)
        ).all()
        months: dict[int, list[Any]] = {row.id: [] for row in accounts}
        if accounts:
            for row in conn.execute(
                select(t.account_months)
                .where(t.account_months.c.account_pk.in_(list(months)))
                .order_by(t.account_months.c.period)
            ):
                months[row.account_pk].append(row)
        result = []
        for account in accounts:
            currency = account.currency
            rows = [row for row in months[account.id] if row.period <= as_of]
            result.append(
                AccountFacts(
                    furnisher=account.furnisher_code,
                    account_id=account.account_id,
                    account_type=account.account_type,
                    currency=currency,
                    opened_on=account.opened_on,
                    principal=_money(account.principal_fen, currency),
                    credit_limit=_money(account.credit_limit_fen, currency),
                    months={
                        row.period: MonthFacts(
                            AccountStatus(row.status),
                            row.days_past_due,
                            _decimal(row.scheduled_fen),
                            _decimal(row.paid_fen),
                            _decimal(row.past_due_fen),
                            tuple(code for code in row.remarks.split(";") if code),
                        )
                        for row in rows
                    },
                    balances={
                        row.period: Money(_decimal(row.balance_fen), currency) for row in rows
                    },
                    key=f"account:{account.id}",
                    history=tuple(
                        MonthRow(
                            row.period,
                            row.days_past_due,
                            _decimal(row.past_due_fen),
                            row.status,
                            row.last_payment_on,
                            row.closed_on,
                        )
                        for row in rows
                    ),
                )
            )
        return result

    def _inquiries_of(self, conn: Connection, person: int) -> list[InquiryFacts]:
        rows = conn.execute(
            select(t.inquiries).where(t.inquiries.c.person_id == person).order_by(t.inquiries.c.id)
        )
        return [
            InquiryFacts(row.inquired_on, row.furnisher_code, row.purpose, bool(row.hard))
            for row in rows
        ]

    def who_looked(self, id_type: str, id_number: str) -> list[LookFacts]:
        """Every logged look at a person's file, oldest first (the subject's right to know)."""
        key = self.vault.id_hash(id_type, id_number)
        with self.engine.connect() as conn:
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
            return [
                LookFacts(row.at, row.actor, row.action, row.reason, row.consent_ref)
                for row in rows
            ]

    # ------------------------------------------------------------ audit
    def _audit(
        self,
        conn: Connection,
        at: datetime,
        actor: str,
        action: str,
        subject: int | None = None,
        reason: str | None = None,
        consent: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        conn.execute(
            insert(t.audit_events).values(
                at=at,
                actor=actor,
                action=action,
                subject_person_id=subject,
                reason=reason,
                consent_ref=consent,
                detail=json.dumps(detail or {}, sort_keys=True),
            )
        )


def _record_values(record: PublicRecord | BlacklistEntry) -> dict[str, Any]:
    if isinstance(record, PublicRecord):
        return {
            "kind": str(record.kind),
            "court": record.court,
            "case_number": record.case_number,
            "filed_on": record.filed_on,
            "published_on": record.published_on,
            "amount_fen": _fen(record.amount),
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


def _decimal(fen: int) -> Decimal:
    return Decimal(fen) / FEN


def _money(fen: int | None, currency: str) -> Money | None:
    return None if fen is None else Money(_decimal(fen), currency)


def _facts(record: FurnishedRecord) -> dict[str, Any]:
    return {
        "scheduled_fen": _fen(record.scheduled_amount),
        "paid_fen": _fen(record.paid_amount),
        "balance_fen": _fen(record.balance),
        "past_due_fen": _fen(record.past_due_amount),
        "days_past_due": record.days_past_due,
        "status": record.status,
        "closed_on": record.closed_on,
        "last_payment_on": record.last_payment_on,
        "first_delinquency_on": record.first_delinquency_on,
        "negative_notice_on": record.negative_notice_on,
        "remarks": ";".join(record.remarks),
    }
