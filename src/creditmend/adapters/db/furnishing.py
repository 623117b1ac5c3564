"""Furnishing files into the store: one transaction per file, fed batch by batch as it is read.

What makes a million records a matter of seconds:
- rows are written by the driver itself, as plain tuples: `executemany` on SQLite, `COPY` on
  PostgreSQL, with ids taken up front (SQLite: after the highest, under this transaction's
  write lock; PostgreSQL: from the table's sequence);
- persons and accounts are looked up by their unique keys once per file (one query per batch,
  for the keys the file has not met yet) and remembered for the rest of the file, and each
  identity is hashed (and, when new, encrypted) once per file;
- the months of an account this file made are not looked up at all: nothing can exist for them
  (the pipeline refuses a key repeated within a file); only the months of accounts that
  existed before are compared with what is stored (corrections and re-submissions);
- a record becomes a plain row (`furnished_rows`: text, whole numbers, ISO dates) before it
  reaches the store, so that this can be done in another process, and each distinct date or
  amount is turned into text or fen once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Date, Table, insert, select, update
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.type_api import TypeEngine

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import ApplyCounts, StoreBase, fen
from creditmend.adapters.vault import IdentityVault
from creditmend.domain.creditfile.furnisher import Furnisher
from creditmend.domain.creditfile.furnishing import (
    AccountStatus,
    AccountType,
    FurnishedRecord,
    IdType,
)
from creditmend.domain.problems import Problem, ProblemsError

Row = tuple[Any, ...]

PERSON_COLUMNS = tuple(c.name for c in t.persons.c)
ACCOUNT_COLUMNS = tuple(c.name for c in t.accounts.c)
MONTH_COLUMNS = tuple(c.name for c in t.account_months.c)  # id first
HISTORY_COLUMNS = (*MONTH_COLUMNS[1:], "superseded_at")
AUDIT_COLUMNS = ("at", "actor", "action", "subject_person_id", "reason", "consent_ref", "detail")
# What a furnished month says; the rest of a month row is its key, version and provenance.
FACTS = MONTH_COLUMNS[4:15]
ACCOUNT_TERMS = ACCOUNT_COLUMNS[3:]  # person_id .. term_months
assert FACTS[0] == "scheduled_fen" and FACTS[-1] == "remarks", FACTS
assert ACCOUNT_TERMS[0] == "person_id", ACCOUNT_TERMS
assert t.account_month_history.c.keys() == ["id", *HISTORY_COLUMNS]
# Enum members as the plain text stored (a dict look-up is cheaper than `.value`).
_STATUS = {status: status.value for status in AccountStatus}
_ACCOUNT_TYPE = {kind: kind.value for kind in AccountType}
_ID_TYPE = {kind: kind.value for kind in IdType}

# A furnished row: a record as the store takes it (see `furnished_rows`), by position.
FURNISHER, ACCOUNT, PERIOD, ID_TYPE, ID_NUMBER, NAME, ACCOUNT_TYPE = range(7)
TERMS = slice(6, 12)  # account_type, currency, opened_on, principal, credit_limit, term_months
FACTS_OF = slice(12, 23)  # in the order of FACTS
LINE = 23


def furnished_rows(records: Sequence[FurnishedRecord]) -> list[Row]:
    """Records as the store takes them: plain tuples of text, whole numbers (amounts in fen)
    and ISO dates (the form SQLite stores and PostgreSQL reads), each distinct date or amount
    converted once. Pure: it may run in another process."""
    day = _Converted(date.isoformat)
    amount = _Converted(fen)
    status, kind, id_type = _STATUS, _ACCOUNT_TYPE, _ID_TYPE
    return [
        (
            r.furnisher_id,
            r.account_id,
            day[r.period],
            id_type[r.id_type],
            r.id_number,
            r.name,
            kind[r.account_type],
            r.currency,
            day[r.opened_on],
            amount[r.principal],
            amount[r.credit_limit],
            r.term_months,
            amount[r.scheduled_amount],
            amount[r.paid_amount],
            amount[r.balance],
            amount[r.past_due_amount],
            r.days_past_due,
            status[r.status],
            day[r.closed_on],
            day[r.last_payment_on],
            day[r.first_delinquency_on],
            day[r.negative_notice_on],
            ";".join(r.remarks),
            r.line,
        )
        for r in records
    ]


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
    @staticmethod
    def furnished_rows(records: Sequence[FurnishedRecord]) -> list[Row]:
        return furnished_rows(records)

    def apply_furnishing(
        self,
        file_name: str,
        sha256: str,
        as_of: date,
        batches: Iterable[Sequence[Row]],
        rejected: Callable[[], int],
        at: datetime,
    ) -> ApplyCounts:
        """Apply every batch of rows (made by `furnished_rows`) in one transaction; re-applying
        the same records changes nothing. An exception from `batches` (or anywhere) rolls the
        whole file back."""
        with self._tx() as conn:
            ingestion_id = self._open_ingestion(conn, file_name, sha256, as_of, 0, at)
            load = _Load(_driver(conn), self.vault, ingestion_id, at)
            for batch in batches:
                load.apply(batch)
            counts = ApplyCounts(load.applied, load.unchanged, load.corrected)
            conn.execute(
                update(t.ingestions)
                .where(t.ingestions.c.id == ingestion_id)
                .values(
                    applied=counts.applied,
                    unchanged=counts.unchanged,
                    corrected=counts.corrected,
                    rejected=rejected(),
                )
            )
            self._audit(
                conn,
                at,
                "furnishing",
                "ingestion",
                detail={
                    "file": file_name,
                    "sha256": sha256,
                    "applied": counts.applied,
                    "unchanged": counts.unchanged,
                    "corrected": counts.corrected,
                    "rejected": rejected(),
                },
            )
        return counts

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


# ---------------------------------------------------------------- one file's load


class _Converted(dict[Any, Any]):
    """Values in the driver's form, each distinct value converted once."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        super().__init__({None: None})
        self.convert = convert

    def __missing__(self, value: Any) -> Any:
        converted = self[value] = self.convert(value)
        return converted


@dataclass(slots=True)
class _Account:
    pk: int
    terms: Row  # ACCOUNT_TERMS in the driver's form; person first, currency third
    made_now: bool  # made by this file: it has no stored months to compare with


class _Load:
    """The state of one file's load: what it has met, what it has counted."""

    def __init__(
        self, driver: _Driver, vault: IdentityVault, ingestion_id: int, at: datetime
    ) -> None:
        self.driver = driver
        self.vault = vault
        self.ingestion_id = ingestion_id
        self.at = driver.value(t.account_months.c.received_at.type)(at)
        self.true = driver.value(t.persons.c.name_known.type)(True)
        self.person_of: dict[tuple[str, str], int] = {}  # (id type, number as written)
        self.person_by_hash: dict[str, int] = {}
        self.accounts: dict[tuple[str, str], _Account] = {}
        self.applied = self.unchanged = self.corrected = 0

    def apply(self, batch: Sequence[Row]) -> None:
        persons = self._persons(batch)
        keys = [row[:2] for row in batch]
        terms_corrected, all_new = self._accounts(batch, keys, persons)
        if all_new:  # a first load: every month is new
            self._insert_new(batch)
            return
        made: list[Row] = []
        stored: list[tuple[Row, int, _Account]] = []
        accounts = self.accounts
        for row, key, person in zip(batch, keys, persons, strict=True):
            account = accounts[key]
            if account.made_now:
                made.append(row)
            else:
                stored.append((row, person, account))
        new_rows: list[Row] = []
        unchanged, changed = self._compare(stored, new_rows) if stored else (0, 0)
        self._insert_new(made)
        self.driver.insert("account_months", MONTH_COLUMNS[1:], new_rows)
        # A month whose account terms were corrected counts as corrected, not unchanged.
        moved = min(terms_corrected, unchanged)
        self.applied += len(new_rows)
        self.unchanged += unchanged - moved
        self.corrected += changed + moved

    def _insert_new(self, rows: Sequence[Row]) -> None:
        """Months of accounts this file made: nothing to compare them with."""
        accounts, ingestion, at = self.accounts, self.ingestion_id, self.at
        self.driver.insert(
            "account_months",
            MONTH_COLUMNS[1:],
            [
                (accounts[row[:2]].pk, row[PERIOD], 1, *row[FACTS_OF], ingestion, row[LINE], at)
                for row in rows
            ],
        )
        self.applied += len(rows)

    def _compare(
        self, stored: list[tuple[Row, int, _Account]], new_rows: list[Row]
    ) -> tuple[int, int]:
        """Months of accounts that existed before this file: new, unchanged or corrected."""
        at = self.at
        keys = [(account.pk, row[PERIOD]) for row, _, account in stored]
        existing = {(old[1], old[2]): old for old in self.driver.months(keys)}
        history: list[Row] = []
        changes: list[Row] = []
        audits: list[Row] = []
        unchanged = 0
        for (row, person, _), key in zip(stored, keys, strict=True):
            old = existing.get(key)
            facts = row[FACTS_OF]
            provenance = (self.ingestion_id, row[LINE], at)
            if old is None:
                new_rows.append((*key, 1, *facts, *provenance))
            elif old[4:15] == facts:
                unchanged += 1
            else:
                version = old[3] + 1
                history.append((*old[1:], at))
                changes.append((version, *facts, *provenance, old[0]))
                detail = {
                    "account_id": row[ACCOUNT],
                    "period": row[PERIOD][:7],
                    "version": version,
                    "line": row[LINE],
                }
                # Each correction is its own audit event: the subject can see who changed what.
                audits.append(
                    (at, row[FURNISHER], "correction", person, None, None, json.dumps(detail))
                )
        self.driver.insert("account_month_history", HISTORY_COLUMNS, history)
        self.driver.update(
            "account_months", ("version", *FACTS, "ingestion_id", "line", "received_at"), changes
        )
        self.driver.insert("audit_events", AUDIT_COLUMNS, audits)
        return unchanged, len(changes)

    def _persons(self, batch: Sequence[Row]) -> list[int]:
        """The person of each row, made on first sight; a person first seen without a name
        (through an inquiry) gets the furnished one."""
        person_of = self.person_of
        identities = [row[ID_TYPE : ID_NUMBER + 1] for row in batch]
        unknown: dict[tuple[str, str], Row] = {}
        for identity, row in zip(identities, batch, strict=True):
            if identity not in person_of:
                unknown.setdefault(identity, row)
        if unknown:
            self._meet(unknown)
        return [person_of[identity] for identity in identities]

    def _meet(self, unknown: dict[tuple[str, str], Row]) -> None:
        hashes = {identity: self.vault.id_hash(*identity) for identity in unknown}
        wanted: dict[str, Row] = {}  # the first row of each person
        for identity, key in hashes.items():
            if key not in self.person_by_hash:
                wanted.setdefault(key, unknown[identity])
        if wanted:
            nameless: list[Row] = []
            for key, person, name_known in self.driver.persons(list(wanted)):
                self.person_by_hash[key] = person
                if not name_known:
                    nameless.append((self.vault.encrypt(wanted[key][NAME]), self.true, person))
            self.driver.update("persons", ("name_cipher", "name_known"), nameless)
            missing = [key for key in wanted if key not in self.person_by_hash]
            ids = self.driver.new_ids("persons", len(missing))
            rows = []
            for person, key in zip(ids, missing, strict=True):
                row = wanted[key]
                self.person_by_hash[key] = person
                rows.append(
                    (
                        person,
                        key,
                        row[ID_TYPE],
                        self.vault.encrypt(row[ID_NUMBER]),
                        self.vault.encrypt(row[NAME]),
                        self.true,
                        self.at,
                    )
                )
            self.driver.insert("persons", PERSON_COLUMNS, rows)
        for identity, key in hashes.items():
            self.person_of[identity] = self.person_by_hash[key]

    def _accounts(
        self, batch: Sequence[Row], keys: Sequence[Row], persons: Sequence[int]
    ) -> tuple[int, bool]:
        """Every account of the batch known (made when new, updated when its terms changed);
        how many had their terms corrected, and whether this file made all of them.

        An account belongs to one person and one currency for life: a file that furnishes it for
        another person or in another currency is refused whole (a mix-up, not a correction)."""
        latest: dict[Row, tuple[Row, int]] = {}
        problems: list[Problem] = []
        for row, key, person in zip(batch, keys, persons, strict=True):
            before = latest.get(key)
            if before is not None and before[1] != person:
                problems.append(_another_person_in_file(row))
            latest[key] = (row, person)
        accounts = self.accounts
        unknown = [key for key in latest if key not in accounts]
        if unknown:
            for found in self.driver.accounts(unknown):
                accounts[found[1], found[2]] = _Account(found[0], found[3:], made_now=False)
        missing: list[tuple[Row, Row]] = []
        changed: list[Row] = []
        all_new = True
        for key, (row, person) in latest.items():
            terms = (person, *row[TERMS])
            account = accounts.get(key)
            if account is None:
                missing.append((key, terms))
                continue
            all_new = all_new and account.made_now
            if account.terms[0] != person:
                problems.append(
                    _another_person_in_file(row)
                    if account.made_now
                    else Problem(
                        "id_number",
                        f"account {row[ACCOUNT]} belongs to another person in the bureau",
                        row[LINE],
                    )
                )
            elif account.terms[2] != terms[2]:
                problems.append(
                    Problem(
                        "currency",
                        f"account {row[ACCOUNT]} is kept in {account.terms[2]}",
                        row[LINE],
                    )
                )
            elif account.terms != terms:
                account.terms = terms
                changed.append((*terms, account.pk))
        if problems:
            raise ProblemsError(tuple(problems))
        self.driver.update("accounts", ACCOUNT_TERMS, changed)
        ids = self.driver.new_ids("accounts", len(missing))
        rows = []
        for pk, (key, terms) in zip(ids, missing, strict=True):
            accounts[key] = _Account(pk, terms, made_now=True)
            rows.append((pk, *key, *terms))
        self.driver.insert("accounts", ACCOUNT_COLUMNS, rows)
        return len(changed), all_new


def _another_person_in_file(row: Row) -> Problem:
    return Problem(
        "id_number",
        f"account {row[ACCOUNT]} is furnished for another person on another line",
        row[LINE],
    )


# ---------------------------------------------------------------- the drivers


class _Driver(Protocol):
    def value(self, kind: TypeEngine[Any]) -> Callable[[Any], Any]:
        """How a value of this column type is given to (and comes back from) the driver."""
        ...

    def new_ids(self, table: str, count: int) -> Sequence[int]: ...

    def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None: ...

    def update(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        """Set `columns` to the row's values where `id` is its last value."""
        ...

    def persons(self, hashes: list[str]) -> Iterable[Row]:
        """(id_hash, id, name_known) of the persons with these hashes."""
        ...

    def accounts(self, keys: list[tuple[str, str]]) -> Iterable[Row]:
        """ACCOUNT_COLUMNS of the accounts with these (furnisher, account id) keys."""
        ...

    def months(self, keys: list[tuple[int, Any]]) -> Iterable[Row]:
        """MONTH_COLUMNS of the months with these (account pk, period) keys."""
        ...


def _driver(conn: Connection) -> _Driver:
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        return _Postgres(raw, conn.dialect)
    return _Sqlite(raw, conn.dialect)


def _processor(dialect: Dialect) -> Callable[[TypeEngine[Any]], Callable[[Any], Any]]:
    def value(kind: TypeEngine[Any]) -> Callable[[Any], Any]:
        process = kind.dialect_impl(dialect).bind_processor(dialect)
        return process if process is not None else _same

    return value


def _same(value: Any) -> Any:
    return value


def _slices(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Sqlite:
    """The sqlite3 connection under SQLAlchemy's, in its transaction."""

    IN_LIST = 5_000  # values in one IN list, well under SQLite's limit of bound parameters

    def __init__(self, raw: Any, dialect: Dialect) -> None:
        self.cursor = raw.cursor()
        self.value = _processor(dialect)
        self.next_id: dict[str, int] = {}

    def new_ids(self, table: str, count: int) -> Sequence[int]:
        # This transaction has written (the ingestion row) so it holds SQLite's one write
        # lock: nobody else adds rows before it commits.
        if table not in self.next_id:
            self.cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
            self.next_id[table] = int(self.cursor.fetchone()[0])
        first = self.next_id[table]
        self.next_id[table] = first + count
        return range(first, first + count)

    def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        if rows:
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            self.cursor.executemany(sql, rows)

    def update(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        if rows:
            sets = ", ".join(f"{name} = ?" for name in columns)
            self.cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = ?", rows)

    def _in(self, sql: str, fixed: Sequence[Any], values: Sequence[Any]) -> Iterable[Row]:
        for part in _slices(values, self.IN_LIST):
            marks = ", ".join("?" * len(part))
            yield from self.cursor.execute(sql.format(marks), (*fixed, *part)).fetchall()

    def persons(self, hashes: list[str]) -> Iterable[Row]:
        return list(
            self._in(
                "SELECT id_hash, id, name_known FROM persons WHERE id_hash IN ({})", (), hashes
            )
        )

    def accounts(self, keys: list[tuple[str, str]]) -> Iterable[Row]:
        # One furnisher at a time: `furnisher_code = ? AND account_id IN (...)` is a look-up
        # of the unique index for each account.
        sql = (
            f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM accounts "
            "WHERE furnisher_code = ? AND account_id IN ({})"
        )
        return [
            row for group, ids in _grouped(keys).items() for row in self._in(sql, (group,), ids)
        ]

    def months(self, keys: list[tuple[int, Any]]) -> Iterable[Row]:
        # One period at a time (a monthly file has one): a look-up of the unique index
        # (account_pk, period) for each account.
        sql = (
            f"SELECT {', '.join(MONTH_COLUMNS)} FROM account_months "
            "WHERE period = ? AND account_pk IN ({})"
        )
        by_period = _grouped([(period, pk) for pk, period in keys])
        return [row for period, pks in by_period.items() for row in self._in(sql, (period,), pks)]


class _Postgres:
    """The psycopg connection under SQLAlchemy's, in its transaction: rows go in by COPY,
    look-ups join the keys given as arrays (one parameter, however many keys)."""

    def __init__(self, raw: Any, dialect: Dialect) -> None:
        self.raw = raw
        self.value = _processor(dialect)
        with raw.cursor() as cursor:
            # Every look-up here is by a unique key, but the planner's statistics do not see
            # the rows this transaction adds: for this transaction only, prefer the indexes.
            cursor.execute("SET LOCAL enable_seqscan = off")

    def new_ids(self, table: str, count: int) -> Sequence[int]:
        if not count:
            return ()
        with self.raw.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                (table, count),
            )
            return [row[0] for row in cursor.fetchall()]

    def insert(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        if rows:
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                write = copy.write_row
                for row in rows:
                    write(row)

    def update(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        if rows:
            sets = ", ".join(f"{name} = %s" for name in columns)
            with self.raw.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)

    def _rows(self, sql: str, *arrays: list[Any]) -> list[Row]:
        with self.raw.cursor() as cursor:
            cursor.execute(sql, arrays)
            return [tuple(row) for row in cursor.fetchall()]

    def persons(self, hashes: list[str]) -> Iterable[Row]:
        return self._rows(
            "SELECT id_hash, id, name_known FROM persons WHERE id_hash = ANY(%s)", hashes
        )

    def accounts(self, keys: list[tuple[str, str]]) -> Iterable[Row]:
        columns = _as_stored(t.accounts, "a")
        return self._rows(
            f"SELECT {columns} FROM accounts AS a "
            "JOIN unnest(%s::text[], %s::text[]) AS k(furnisher, account) "
            "ON a.furnisher_code = k.furnisher AND a.account_id = k.account",
            [key[0] for key in keys],
            [key[1] for key in keys],
        )

    def months(self, keys: list[tuple[int, Any]]) -> Iterable[Row]:
        columns = _as_stored(t.account_months, "m")
        return self._rows(
            f"SELECT {columns} FROM account_months AS m "
            "JOIN unnest(%s::integer[], %s::date[]) AS k(account, period) "
            "ON m.account_pk = k.account AND m.period = k.period",
            [key[0] for key in keys],
            [key[1] for key in keys],
        )


def _as_stored(table: Table, alias: str) -> str:
    """The table's columns for a SELECT, dates as ISO text: the form furnished rows hold them
    in (and SQLite stores them in), so that stored and furnished values compare equal."""
    return ", ".join(
        f"to_char({alias}.{c.name}, 'YYYY-MM-DD')"
        if isinstance(c.type, Date)
        else f"{alias}.{c.name}"
        for c in table.c
    )


def _grouped(pairs: Iterable[tuple[Any, Any]]) -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = {}
    for first, second in pairs:
        groups.setdefault(first, []).append(second)
    return groups
