"""The score's file use cases: score every row of a CSV file with a scorecard, and derive the
score's features from a known data set. One place for the command line, the API and the portal.

The faces open the files (and say, in their own words, why one cannot be opened); these work on
the open text. The scored file is opened only once the rows are read and checked, through
`open_target`, so that a refused file leaves nothing behind. Problems name `scoring.data` and
`scoring.source`.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import IO

from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.scoring import features as feature_map
from creditmend.domain.scoring.scorecard import Scorecard, score
from creditmend.domain.scoring.table_rows import header_and_rows

LAYOUTS = ("taiwan",)  # the data sets whose features can be derived
REASONS_JOINED = "; "

OpenTarget = Callable[[], AbstractContextManager[IO[str]]]


@dataclass(frozen=True, slots=True)
class ScoredFile:
    """What scoring a file did: every row written, with what a face should warn about."""

    rows: int
    bands: dict[str, int]  # rows per band, in the card's order
    absent: tuple[str, ...]  # the card's features that are no column: their missing bin
    rows_unexpected: int  # rows with a value no bin holds
    unexpected: dict[str, int]  # per feature, sorted by name


def _data(message: str, line: int | None = None) -> ProblemsError:
    return ProblemsError((Problem("scoring.data", message, line),))


@dataclass(frozen=True, slots=True)
class ScoreService:
    def score_file(
        self, card: Scorecard, source: Iterable[str], name: str, open_target: OpenTarget
    ) -> ScoredFile:
        """Every row of `source` (the CSV file called `name`) with `score` and `reasons` added
        (replacing columns of those names), written to the target opened last."""
        try:
            header, rows = header_and_rows(source, name)
        except UnicodeDecodeError as error:
            message = f"{name}: not a UTF-8 CSV file (byte {error.start} cannot be decoded)"
            raise _data(message) from None
        names = [f.name for f in card.features]
        absent = tuple(column for column in names if column not in header)
        if len(absent) == len(names):
            raise _data(f"{name}: none of the model's features is a column ({', '.join(names)})")
        columns = [*header, *(c for c in ("score", "reasons") if c not in header)]
        at_score, at_reasons = columns.index("score"), columns.index("reasons")
        unexpected: Counter[str] = Counter()
        rows_unexpected = 0
        bands: Counter[str] = Counter()
        with open_target() as target:
            writer = csv.writer(target, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                result = score(card, dict(zip(header, row, strict=True)))
                if result.unexpected:
                    rows_unexpected += 1
                    unexpected.update(c.feature for c in result.contributions if c.unexpected)
                cells = [*row, *[""] * (len(columns) - len(row))]
                cells[at_score] = str(result.score)
                cells[at_reasons] = REASONS_JOINED.join(words for _, words in result.reasons)
                writer.writerow(cells)
                bands[result.band] += 1
        return ScoredFile(
            rows=len(rows),
            bands={band.name: bands[band.name] for band in card.bands},
            absent=absent,
            rows_unexpected=rows_unexpected,
            unexpected=dict(sorted(unexpected.items())),
        )

    def layout_problems(self, layout: str) -> tuple[Problem, ...]:
        """A layout this service cannot derive features from (checked before any file)."""
        if layout in LAYOUTS:
            return ()
        return (Problem("scoring.source", f"unknown {layout!r}; one of {', '.join(LAYOUTS)}"),)

    def derive_features(self, layout: str, source: IO[str], path: str, target: IO[str]) -> int:
        """The score's features of every row of the data set `source` (the file at `path`),
        with its target and protected columns, written to `target`; the number of rows."""
        problems = self.layout_problems(layout)
        if problems:
            raise ProblemsError(problems)
        try:
            return _taiwan(source, target, PurePath(path).name)
        except (csv.Error, UnicodeDecodeError) as error:
            raise _data(f"{path}: not a readable CSV file ({error})") from None


def _taiwan(source: IO[str], target: IO[str], name: str) -> int:
    reader = csv.DictReader(source)
    header = [column.strip() for column in reader.fieldnames or ()]
    reader.fieldnames = header
    numbers = [
        "LIMIT_BAL",
        *feature_map.TAIWAN_STATUS,
        *feature_map.TAIWAN_BILLS,
        *feature_map.TAIWAN_PAID,
    ]
    needed = [*numbers, feature_map.TAIWAN_TARGET, *feature_map.TAIWAN_PROTECTED]
    missing = [column for column in needed if column not in header]
    if missing:
        raise _data(f"{name}: no column {missing[0]!r} (the Taiwan data's layout)")
    keep = ["ID"] if "ID" in header else []
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(
        [*keep, *feature_map.NAMES, feature_map.TAIWAN_TARGET, *feature_map.TAIWAN_PROTECTED]
    )
    count = 0
    for row in reader:
        for column in numbers:
            wrong = _not_a_number(row.get(column))
            if wrong:
                raise _data(f"{column}: {wrong}", reader.line_num)
        try:
            values = feature_map.from_taiwan(row)
        except (InvalidOperation, ValueError, TypeError, OverflowError):
            ratios = "BILL_AMT1 / LIMIT_BAL or the PAY_AMT sum / the BILL_AMT sum"
            raise _data(f"a ratio is out of range ({ratios})", reader.line_num) from None
        writer.writerow(
            [
                *(row[column] for column in keep),
                *("" if values[n] is None else f"{values[n]:f}" for n in feature_map.NAMES),
                row[feature_map.TAIWAN_TARGET],
                *(row[column] for column in feature_map.TAIWAN_PROTECTED),
            ]
        )
        count += 1
    return count


def _not_a_number(text: str | None) -> str | None:
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
