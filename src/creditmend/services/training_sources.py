"""The features files of the training sources (`domain/scoring/sources.py` holds what each
column means): read a data set's CSV text, check it, write its features with the target and
the protected columns, ready for `score train`.

Each reader checks the layout (a missing column is named with the layout it belongs to) and
every number it uses (`scoring.data`, with the line); a features file is written only from
rows that passed. The history's grids are grouped by ID in memory (46,000 IDs in the public
file), so the file may come in any row order; an (ID, month) given twice is refused.
"""

from __future__ import annotations

import csv
import math
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.scoring import sources

ID = "ID"
GMSC_ROW_ID = ""  # the file's first column, a row number without a name
HISTORY_COLUMNS = ("ID", "MONTHS_BALANCE", "STATUS")
APPLICATION_COLUMNS = ("ID", "CODE_GENDER", "DAYS_BIRTH")


@dataclass(slots=True)
class Derived:
    """What deriving a features file did: rows written, and counts a face should show (IDs of
    the history left out, by reason; IDs without protected columns)."""

    rows: int = 0
    notes: dict[str, int] = field(default_factory=dict)


def problem(field_name: str, message: str, line: int | None = None) -> ProblemsError:
    return ProblemsError((Problem(field_name, message, line),))


def not_a_number(text: str | None) -> str | None:
    """Why a cell is not a number the features can use (a finite number a float holds as
    itself: not 1e400, not 1e-400), or None."""
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        return f"{text!r} is not a number"
    as_float = float(value)
    if math.isinf(as_float) or (value and not as_float):
        return f"{text!r} is out of range"
    return None


def _reader(
    source: IO[str], name: str, needed: Sequence[str], layout: str, field_name: str = "scoring.data"
) -> csv.DictReader[str]:
    reader = csv.DictReader(source)
    header = [column.strip() for column in reader.fieldnames or ()]
    reader.fieldnames = header
    missing = [column for column in needed if column not in header]
    if missing:
        raise problem(field_name, f"{name}: no column {missing[0]!r} (the {layout} layout)")
    return reader


def _cells(values: Mapping[str, Decimal | None], names: Iterable[str]) -> list[str]:
    return ["" if values[n] is None else f"{values[n]:f}" for n in names]


def _check_numbers(
    row: Mapping[str, str], columns: Iterable[str], line: int, empty_ok: bool = False
) -> None:
    for column in columns:
        text = row.get(column)
        if empty_ok and (text or "").strip().lower() in {"", "na"}:
            continue
        wrong = not_a_number(text)
        if wrong:
            raise problem("scoring.data", f"{column}: {wrong}", line)


# ---------------------------------------------------------------- taiwan
def taiwan(source: IO[str], target: IO[str], name: str) -> Derived:
    needed = [*sources.TAIWAN_NUMBERS, sources.TAIWAN_TARGET, *sources.TAIWAN_PROTECTED]
    reader = _reader(source, name, needed, "Taiwan data's")
    keep = [ID] if ID in (reader.fieldnames or ()) else []
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(
        [*keep, *sources.TAIWAN_FEATURES, sources.TAIWAN_TARGET, *sources.TAIWAN_PROTECTED]
    )
    done = Derived()
    for row in reader:
        _check_numbers(row, sources.TAIWAN_NUMBERS, reader.line_num)
        values = sources.from_taiwan(row)
        writer.writerow(
            [
                *(row[column] for column in keep),
                *_cells(values, sources.TAIWAN_FEATURES),
                row[sources.TAIWAN_TARGET],
                *(row[column] for column in sources.TAIWAN_PROTECTED),
            ]
        )
        done.rows += 1
    return done


# ---------------------------------------------------------------- gmsc
def gmsc(source: IO[str], target: IO[str], name: str) -> Derived:
    needed = [*sources.GMSC_NUMBERS, sources.GMSC_TARGET, *sources.GMSC_PROTECTED]
    reader = _reader(source, name, needed, "Give Me Some Credit")
    keep = GMSC_ROW_ID in (reader.fieldnames or ())
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(
        [*([ID] if keep else []), *sources.GMSC_FEATURES, sources.GMSC_TARGET,
         *sources.GMSC_PROTECTED]
    )  # fmt: skip
    done = Derived()
    for row in reader:
        _check_numbers(row, sources.GMSC_NUMBERS, reader.line_num, empty_ok=True)
        values = sources.from_gmsc(row)
        writer.writerow(
            [
                *([row[GMSC_ROW_ID]] if keep else []),
                *_cells(values, sources.GMSC_FEATURES),
                row[sources.GMSC_TARGET],
                *(row[column] for column in sources.GMSC_PROTECTED),
            ]
        )
        done.rows += 1
    return done


# ---------------------------------------------------------------- history
def _grids(source: IO[str], name: str) -> dict[str, dict[int, str]]:
    reader = _reader(source, name, HISTORY_COLUMNS, "credit_record")
    grids: dict[str, dict[int, str]] = {}
    for row in reader:
        line = reader.line_num
        key = row["ID"].strip()
        if not key:
            raise problem("scoring.data", "ID: empty", line)
        month_text = row["MONTHS_BALANCE"].strip()
        try:
            month = int(month_text)
        except ValueError:
            month = 1
        if month > 0:
            message = f"{month_text!r} is not a month (0, -1, -2, ...)"
            raise problem("scoring.data", f"MONTHS_BALANCE: {message}", line)
        status = row["STATUS"].strip().upper()
        if status not in sources.HISTORY_STATUSES:
            shown = ", ".join(sorted(sources.HISTORY_STATUSES))
            raise problem("scoring.data", f"STATUS: {row['STATUS']!r} is not one of {shown}", line)
        grid = grids.setdefault(key, {})
        if month in grid:
            raise problem("scoring.data", f"ID {key}: month {month} is given twice", line)
        grid[month] = status
    return grids


def _applications(source: IO[str], name: str) -> dict[str, tuple[str, str]]:
    """ID -> (gender, age in years); the first row of an ID that repeats."""
    reader = _reader(
        source, name, APPLICATION_COLUMNS, "application_record", "scoring.applications"
    )
    found: dict[str, tuple[str, str]] = {}
    for row in reader:
        days = row["DAYS_BIRTH"]
        try:
            age = sources.age_in_years(days)
        except (InvalidOperation, ValueError):
            message = f"DAYS_BIRTH: {days!r} is not a number of days before the application"
            raise problem("scoring.applications", message, reader.line_num) from None
        found.setdefault(row["ID"].strip(), (row["CODE_GENDER"].strip(), f"{age:f}"))
    return found


def _ids(grids: Mapping[str, object]) -> Iterator[str]:
    """IDs in numeric order when they are numbers, else as text."""
    return iter(sorted(grids, key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0, k)))


def history(
    source: IO[str],
    target: IO[str],
    name: str,
    applications: IO[str] | None = None,
    applications_name: str = "",
) -> Derived:
    grids = _grids(source, name)
    people = None
    if applications is not None:
        try:
            people = _applications(applications, applications_name)
        except (csv.Error, UnicodeDecodeError, EOFError, OSError, zlib.error) as error:
            message = f"{applications_name}: not a readable CSV file ({error})"
            raise problem("scoring.applications", message) from None
    protected = sources.HISTORY_PROTECTED if people is not None else ()
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow([ID, *sources.HISTORY_FEATURES, sources.HISTORY_TARGET, *protected])
    done = Derived()
    late, unobserved, unknown = 0, 0, 0
    for key in _ids(grids):
        grid = grids[key]
        outcome = sources.history_outcome(grid)
        if outcome is None:
            if min(grid) > sources.HISTORY_AS_OF:
                late += 1
            else:
                unobserved += 1
            continue
        values = sources.from_history(grid)
        extra = () if people is None else people.get(key, ("", ""))
        unknown += people is not None and key not in people
        writer.writerow([key, *_cells(values, sources.HISTORY_FEATURES), f"{outcome:f}", *extra])
        done.rows += 1
    done.notes = {
        f"IDs left out: no month on record at or before {sources.HISTORY_AS_OF}": late,
        "IDs left out: no month on record in -12..0 (no observed outcome)": unobserved,
    }
    if people is not None:
        done.notes["IDs written without an application row (protected columns empty)"] = unknown
    return done
