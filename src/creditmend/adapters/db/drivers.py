"""The database drivers under SQLAlchemy, for the furnishing load's bulk reads and writes.

SQLite: `executemany` and IN lists, ids taken after the highest under the transaction's write
lock. PostgreSQL: `COPY`, look-ups joining keys given as arrays, ids from the table's sequence.
Both work in the connection's open transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from sqlalchemy import Date, Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.type_api import TypeEngine

from creditmend.adapters.db import tables as t

Row = tuple[Any, ...]

ACCOUNT_COLUMNS = tuple(c.name for c in t.accounts.c)
MONTH_COLUMNS = tuple(c.name for c in t.account_months.c)  # id first


class Driver(Protocol):
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


def driver(conn: Connection) -> Driver:
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
        self.secured: dict[str, bool] = {}
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
        if not rows:
            return
        names = ", ".join(columns)
        # PostgreSQL refuses COPY FROM into a table whose row-level security applies to this
        # role (the API's service role, `tenancy`): the rows go by COPY into a temporary
        # table of the same shape (dropped at commit), then in one INSERT ... SELECT, which
        # the policies check row by row.
        target = f"staged_{table}" if self._row_security(table) else table
        with self.raw.cursor() as cursor:
            if target != table:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE IF NOT EXISTS {target} "
                    f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
                )
                cursor.execute(f"TRUNCATE {target}")
            with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
            if target != table:
                cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {target}")

    def _row_security(self, table: str) -> bool:
        """Whether row-level security applies to this role on `table` (not to a superuser
        or the owner of a table without FORCE)."""
        if table not in self.secured:
            with self.raw.cursor() as cursor:
                cursor.execute("SELECT row_security_active(%s)", (table,))
                self.secured[table] = bool(cursor.fetchone()[0])
        return self.secured[table]

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
