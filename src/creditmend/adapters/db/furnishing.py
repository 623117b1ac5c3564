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
from typing import Any

from sqlalchemy import update

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.base import ApplyCounts, UnitOfWork, audit, fen, taken_meanwhile
from creditmend.adapters.db.drivers import ACCOUNT_COLUMNS, MONTH_COLUMNS, Driver, Row, driver
from creditmend.adapters.db.ingestions import open_ingestion
from creditmend.adapters.vault import IdentityVault
from creditmend.domain.creditfile.furnishing import (
    AccountStatus,
    AccountType,
    FurnishedRecord,
    IdType,
)
from creditmend.domain.problems import Problem, ProblemsError

PERSON_COLUMNS = tuple(c.name for c in t.persons.c)
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


class SqlFurnishingRepository:
    """The `FurnishingRepository` port."""

    def __init__(self, unit_of_work: UnitOfWork) -> None:
        self.unit_of_work = unit_of_work

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
        whole file back. On PostgreSQL, rows another ingest made meanwhile (the same new
        person or account) are a `ConcurrentWriteError`: this file was rolled back, and can be run
        again."""
        with taken_meanwhile(), self.unit_of_work.transaction() as conn:
            ingestion_id = open_ingestion(conn, file_name, sha256, as_of, 0, at)
            load = _Load(driver(conn), self.unit_of_work.vault, ingestion_id, at)
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
            audit(
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
        self, driver: Driver, vault: IdentityVault, ingestion_id: int, at: datetime
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
