"""The training table: a comma-separated file with a header row, read and checked.

Standard library and NumPy only, so that bad input is refused (one problem per field, exit 2 at
the command) before the training stack loads. Values are read the way the domain's scorer reads
them (`creditmend.domain.scoring.scorecard.number`): empty, `nan`, `na`, `null` and `none` are
missing, a number is a number, anything else is text. A column is numeric when every value it
holds is a number (or missing), else categorical; `categorical` forces a column to categorical.
Categories are kept in the scorer's spelling (`1.0` is the category `1`), so the categories of a
model file are the ones `score` will look up.

Which columns are features: `features` when given, else every column but the target, the
protected columns, `exclude`, and identifiers (a column without a name, or named `id`, or a text
column with a distinct value in nearly every row). Every column left out is listed with its
reason. Protected columns are never features; they are kept for the fairness check.

A `.gz` file is read through gzip; the sha256 is of the file as stored.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import numpy.typing as npt

from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.scoring.scorecard import number
from creditmend.domain.scoring.table_rows import header_and_rows

MIN_CLASS_ROWS = 10  # bad rows and good rows each, so both parts of the split hold both
IDENTIFIER_NAMES = frozenset({"", "id"})
IDENTIFIER_SHARE = 0.95  # a text column with this share of distinct values names rows
LARGEST = float(np.finfo(np.float32).max)  # a number beyond it cannot be trained on

Floats = npt.NDArray[np.float64]
Objects = npt.NDArray[np.object_]


@dataclass(frozen=True, slots=True)
class Exclusion:
    column: str
    reason: str


@dataclass(frozen=True, slots=True)
class Table:
    """The rows that have a target; `values[name]` holds floats (NaN: missing) for a numeric
    column and canonical text (None: missing) for a categorical one; `raw` holds each feature's
    cells as written, for scoring with the domain exactly as `score apply` does."""

    name: str
    sha256: str
    rows: int  # data rows in the file
    target: str
    bad: str
    y: npt.NDArray[np.int8]  # 1 = bad
    features: tuple[str, ...]
    kinds: dict[str, str]  # numeric | categorical
    values: dict[str, Floats | Objects]
    raw: dict[str, list[str]]
    protected: dict[str, Floats | Objects]
    exclusions: tuple[Exclusion, ...]
    problems: tuple[str, ...] = field(default=())

    @property
    def bads(self) -> int:
        return int(self.y.sum())


def canonical(cell: str) -> Decimal | str | None:
    """A cell as the scorer reads it."""
    return number(cell)


def category(value: Decimal | str | None) -> str | None:
    """The category a cell falls in, spelled as `score` spells it."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return value


def _fail(field_name: str, message: str, line: int | None = None) -> ProblemsError:
    return ProblemsError((Problem(field_name, message, line),))


def _text(path: Path) -> tuple[str, str]:
    """The file's text and the sha256 of its bytes; refuses what is not a text file."""
    try:
        stored = path.read_bytes()
    except FileNotFoundError:
        raise _fail("training.data", f"{path}: no such file") from None
    except IsADirectoryError:
        raise _fail("training.data", f"{path}: is a folder, not a CSV file") from None
    except OSError as error:
        raise _fail("training.data", f"{path}: cannot be read ({error.strerror})") from None
    digest = hashlib.sha256(stored).hexdigest()
    content = stored
    if stored[:2] == b"\x1f\x8b":
        try:
            content = gzip.decompress(stored)
        except (OSError, EOFError):
            raise _fail("training.data", f"{path.name}: a damaged gzip file") from None
    if b"\x00" in content[:65536]:
        raise _fail("training.data", f"{path.name}: not a CSV file (binary content)")
    try:
        return content.decode("utf-8-sig"), digest
    except UnicodeDecodeError as error:
        raise _fail(
            "training.data",
            f"{path.name}: not a UTF-8 CSV file (byte {error.start} cannot be decoded)",
        ) from None


def read_rows(path: Path) -> tuple[list[str], list[list[str]], str]:
    """Header, data rows and sha256 of a comma-separated file with a header row (checked by
    the domain's `header_and_rows`, as `score apply` reads its file)."""
    text, digest = _text(path)
    header, rows = header_and_rows(io.StringIO(text, newline=""), path.name, min_columns=2)
    if not rows:
        raise _fail("training.data", f"{path.name}: the file has a header but no rows")
    return header, rows, digest


def _unknown(option: str, names: Iterable[str], header: Sequence[str], file: str) -> None:
    for name in names:
        if name not in header:
            raise _fail(option, f"{name!r} is not a column of {file}")


def _column(cells: Sequence[str], kind: str) -> Floats | Objects:
    parsed = {cell: canonical(cell) for cell in set(cells)}
    if kind == "numeric":
        floats = {
            cell: float("nan") if value is None else float(value) for cell, value in parsed.items()
        }
        return np.fromiter((floats[c] for c in cells), dtype=np.float64, count=len(cells))
    names = {cell: category(value) for cell, value in parsed.items()}
    column = np.empty(len(cells), dtype=object)
    column[:] = [names[c] for c in cells]
    return column


def _kind(cells: Sequence[str]) -> str:
    numeric = all(not isinstance(canonical(cell), str) for cell in set(cells))
    return "numeric" if numeric else "categorical"


def _check_values(
    values: dict[str, Floats | Objects], cells: dict[str, list[str]], file: str
) -> None:
    """Refuses a feature that holds no value at all, or a number beyond what the training
    libraries hold (their trees work in float32)."""
    for name, column in values.items():
        if column.dtype == np.float64:
            magnitude = np.abs(column.astype(np.float64))
            present = int(np.count_nonzero(~np.isnan(magnitude)))
            beyond = np.flatnonzero(magnitude > LARGEST)
            if beyond.size:
                raise _fail(
                    "training.data",
                    f"{file}: the column {name!r} holds {cells[name][beyond[0]].strip()[:40]!r}, "
                    f"beyond the training's range (±{LARGEST:.1e}); exclude it (--exclude) "
                    "or rescale it",
                )
        else:
            present = sum(value is not None for value in column)
        if not present:
            raise _fail(
                "training.data",
                f"{file}: the column {name!r} holds no value in any row; exclude it (--exclude)",
            )


def read_table(
    path: Path,
    target: str,
    bad: str,
    features: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    protected: Sequence[str] = (),
    categorical: Sequence[str] = (),
) -> Table:
    """Read and check the training file; a ProblemsError names the first option that is wrong."""
    header, rows, digest = read_rows(path)
    file = path.name
    if target not in header:
        raise _fail("training.target", f"{target!r} is not a column of {file}")
    _unknown("training.features", features or (), header, file)
    _unknown("training.exclude", exclude, header, file)
    _unknown("training.protected", protected, header, file)
    _unknown("training.categorical", categorical, header, file)
    if features and exclude:
        raise _fail("training.exclude", "give --features or --exclude, not both")
    if target in protected:
        raise _fail("training.protected", f"{target!r} is the target")
    for name in features or ():
        if name in protected:
            raise _fail(
                "training.features", f"{name!r} is protected: a protected column is never a feature"
            )
        if name == target:
            raise _fail("training.features", f"{name!r} is the target")
    index = {name: position for position, name in enumerate(header)}
    target_cells = [row[index[target]] for row in rows]
    bad_key = category(canonical(bad))
    if bad_key is None:
        raise _fail("training.bad", f"{bad!r} is a missing value, not a target value")
    keys = {cell: category(canonical(cell)) for cell in set(target_cells)}
    kept = [i for i, cell in enumerate(target_cells) if keys[cell] is not None]
    y = np.array([keys[target_cells[i]] == bad_key for i in kept], dtype=np.int8)
    bads = int(y.sum())
    if bads == 0:
        shown = sorted({k for k in keys.values() if k is not None})[:5]
        raise _fail(
            "training.bad",
            f"{bad!r} does not occur in the column {target!r} (values: {', '.join(shown)})",
        )
    goods = len(y) - bads
    if min(bads, goods) < MIN_CLASS_ROWS:
        raise _fail(
            "training.target",
            f"{target!r} needs two classes with at least {MIN_CLASS_ROWS} rows each; "
            f"found {bads} bad and {goods} good",
        )
    problems = []
    if len(kept) < len(rows):
        problems.append(
            f"{len(rows) - len(kept)} rows without a value of {target!r} were left out of training"
        )

    exclusions = [Exclusion(name, "protected: never a feature") for name in protected]
    if features:
        chosen = list(dict.fromkeys(features))
        exclusions += [
            Exclusion(name, "not among --features")
            for name in header
            if name not in chosen and name != target and name not in protected
        ]
    else:
        chosen = []
        for name in header:
            if name == target or name in protected:
                continue
            if name in exclude:
                exclusions.append(Exclusion(name, "excluded (--exclude)"))
            elif name.lower() in IDENTIFIER_NAMES:
                exclusions.append(Exclusion(name, "identifier (a row number or id)"))
            else:
                chosen.append(name)
    kept_cells = {name: [rows[i][index[name]] for i in kept] for name in [*chosen, *protected]}
    kinds = {
        name: "categorical" if name in categorical else _kind(kept_cells[name]) for name in chosen
    }
    for name in list(chosen):
        if kinds[name] == "categorical" and not features:
            distinct = len(set(kept_cells[name]))
            if distinct >= IDENTIFIER_SHARE * len(kept):
                exclusions.append(
                    Exclusion(name, "identifier (a distinct text in nearly every row)")
                )
                chosen.remove(name)
    if not chosen:
        raise _fail("training.features", "no column is left to train on")
    values = {name: _column(kept_cells[name], kinds[name]) for name in chosen}
    _check_values(values, kept_cells, file)
    return Table(
        name=file,
        sha256=digest,
        rows=len(rows),
        target=target,
        bad=bad,
        y=y,
        features=tuple(chosen),
        kinds={name: kinds[name] for name in chosen},
        values=values,
        raw={name: kept_cells[name] for name in chosen},
        protected={name: _column(kept_cells[name], _kind(kept_cells[name])) for name in protected},
        exclusions=tuple(exclusions),
        problems=tuple(problems),
    )
