"""The batch's input layout: a person's visible file as plain rows, one table per kind.

The batch engines (DuckDB, Spark) never see the store or the retention rules: the service turns
every person's `VisibleFile` (retention already applied, grid codes already given) into these
rows, an adapter writes them as Parquet, and SQL computes `indicators.NAMES` from them. Keeping
dates as integers (`month` = year * 12 + month - 1, `day` = proleptic ordinal) keeps the SQL to
arithmetic both engines evaluate identically.

Two choices keep the engines' work close to one scan of the account-months:

- An account is its store number (the store's key `account:<int>`), an integer: grouping and
  joining 30 million account-months on an integer costs far less than on a string.
- `accounts` carries what an account line of a report reads off its furnished months as a whole:
  the first and the last furnished month, the last month's state (`AccountView.last`: code,
  status, days past due, amounts), the last month with a payment and the first month at an
  ending status (settled, closed, transferred). They spare the engines a fold of every
  account-month per account to find them; the engines still count and sum every month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from creditmend.domain.creditfile.grid import FINAL
from creditmend.domain.report.file import VisibleFile
from creditmend.domain.report.indicators import fen, is_active


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: str  # int64 | int32 | string | date | bool
    nullable: bool = False


def _c(name: str, kind: str, nullable: bool = False) -> Column:
    return Column(name, kind, nullable)


TABLES: Mapping[str, tuple[Column, ...]] = {
    "persons": (_c("person", "int64"),),
    "accounts": (
        _c("person", "int64"),
        _c("account", "int64"),
        _c("furnisher", "string"),
        _c("furnisher_kind", "string"),
        _c("account_type", "string"),
        _c("currency", "string"),
        _c("opened_on", "date"),
        _c("opened_month", "int32"),
        _c("principal_fen", "int64", True),
        _c("credit_limit_fen", "int64", True),
        _c("first_month", "int32"),
        _c("last_month", "int32"),
        _c("last_code", "string"),
        _c("last_status", "string"),
        _c("last_days_past_due", "int32"),
        _c("last_scheduled_fen", "int64"),
        _c("last_balance_fen", "int64"),
        _c("last_past_due_fen", "int64"),
        _c("last_paid_month", "int32", True),
        _c("ended_month", "int32", True),
    ),
    "account_months": (
        _c("person", "int64"),
        _c("account", "int64"),
        _c("month", "int32"),
        _c("code", "string"),
        _c("status", "string"),
        _c("days_past_due", "int32"),
        _c("scheduled_fen", "int64"),
        _c("paid_fen", "int64"),
        _c("balance_fen", "int64"),
        _c("past_due_fen", "int64"),
    ),
    "inquiries": (
        _c("person", "int64"),
        _c("furnisher", "string", True),
        _c("furnisher_kind", "string", True),
        _c("day", "int32"),
        _c("hard", "bool"),
    ),
    # `active`: in force on the as-of day (`indicators.is_active`), decided here, not in SQL.
    "public_records": (_c("person", "int64"), _c("kind", "string"), _c("active", "bool")),
    "blacklist": (_c("person", "int64"), _c("category", "string")),
    "negative": (_c("person", "int64"), _c("expires_on", "date", True)),
}

Row = tuple[object, ...]


def month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


ACCOUNT_KEY = "account:"
# The statuses after which a lender stops furnishing (`grid.FINAL`), as furnished.
ENDING_STATUSES = frozenset(str(status) for status in FINAL)


def account_number(key: str) -> int:
    """The store's number of an account from its key, `account:<int>`."""
    number = key.removeprefix(ACCOUNT_KEY)
    if number == key or not (number.isascii() and number.isdigit()):
        raise ValueError(f"account key: {key!r} is not {ACCOUNT_KEY}<number>")
    return int(number)


def batch_rows(person: int, view: VisibleFile) -> dict[str, list[Row]]:
    """One person's rows for every table of `TABLES`, in its column order."""
    rows: dict[str, list[Row]] = {name: [] for name in TABLES}
    rows["persons"].append((person,))
    for a in view.accounts:
        number = account_number(a.key)
        last = a.last
        paid = [m.period for m in a.months if m.paid > 0]
        ended = [m.period for m in a.months if m.status in ENDING_STATUSES]
        rows["accounts"].append(
            (
                person,
                number,
                a.furnisher,
                a.furnisher_kind,
                a.account_type,
                a.currency,
                a.opened_on,
                month_number(a.opened_on),
                None if a.principal is None else fen(a.principal),
                None if a.credit_limit is None else fen(a.credit_limit),
                month_number(a.months[0].period),
                month_number(last.period),
                last.code,
                last.status,
                last.days_past_due,
                fen(last.scheduled),
                fen(last.balance),
                fen(last.past_due),
                month_number(paid[-1]) if paid else None,
                month_number(ended[0]) if ended else None,
            )
        )
        rows["account_months"] += [
            (
                person,
                number,
                month_number(m.period),
                m.code,
                m.status,
                m.days_past_due,
                fen(m.scheduled),
                fen(m.paid),
                fen(m.balance),
                fen(m.past_due),
            )
            for m in a.months
        ]
    rows["inquiries"] += [
        (person, i.by, i.by_kind, i.on.toordinal(), i.hard) for i in view.inquiries
    ]
    rows["public_records"] += [
        (person, r.kind, is_active(r, view.as_of)) for r in view.public_records
    ]
    rows["blacklist"] += [(person, b.category) for b in view.blacklist]
    rows["negative"] += [(person, line.expires_on) for line in view.expiry]
    return rows
