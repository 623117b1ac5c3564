"""The score's file use cases: score every row of a CSV file with a scorecard, and derive the
score's features from a known data set. One place for the command line, the API and the portal.

The faces open the files (and say, in their own words, why one cannot be opened); these work on
the open text. The scored file is opened only once the rows are read and checked, through
`open_target`, so that a refused file leaves nothing behind. Problems name `scoring.data`,
`scoring.source` and `scoring.applications`.
"""

from __future__ import annotations

import csv
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.scoring.scorecard import Scorecard, score
from creditmend.domain.scoring.table_rows import header_and_rows
from creditmend.services import training_sources
from creditmend.services.training_sources import Derived

LAYOUTS = ("history", "gmsc", "taiwan")  # the data sets whose features can be derived
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

    def derive_features(
        self,
        layout: str,
        source: IO[str],
        path: str,
        target: IO[str],
        applications: IO[str] | None = None,
        applications_path: str = "",
    ) -> Derived:
        """The score's features of the data set `source` (the file at `path`, in `layout`:
        `domain/scoring/sources.py`), with its target and protected columns, written to
        `target`. `applications` (history only) joins application_record's protected columns."""
        problems = self.layout_problems(layout)
        if applications is not None and layout != "history":
            problems += (
                Problem("scoring.applications", "only the history source joins applications"),
            )
        if problems:
            raise ProblemsError(problems)
        name = PurePath(path).name
        try:
            if layout == "history":
                return training_sources.history(
                    source, target, name, applications, PurePath(applications_path).name
                )
            return (training_sources.gmsc if layout == "gmsc" else training_sources.taiwan)(
                source, target, name
            )
        except (csv.Error, UnicodeDecodeError, EOFError, OSError, zlib.error) as error:
            raise _data(f"{path}: not a readable CSV file ({error})") from None
