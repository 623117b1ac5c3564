"""The indicator batch: every person's indicators as of a day, into Parquet.

Two steps. First every person's file is read from the store and decided here, in Python, by the
same domain code as an on-demand report (`visible_file`: retention, dated policies, grid codes),
and written as plain rows (`batch_rows`). Then an engine (DuckDB on one machine, Spark beyond it)
computes `indicators.NAMES` for everyone from those rows with SQL written once. So the rules that
decide what may be shown live in one place, and the engines only count and sum.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from creditmend.domain.creditfile.retention import retention_rules
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.report.batch_rows import Row, batch_rows
from creditmend.domain.report.file import visible_file
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.scoring.features import score_indicators
from creditmend.domain.scoring.scorecard import Scorecard
from creditmend.services.inquire import check_as_of
from creditmend.services.output_files import staging
from creditmend.services.ports import AuditLog, CreditFileReader


class BatchEngine(Protocol):
    def check(self, as_of: date, profile: JurisdictionProfile) -> None:
        """Raise ValueError when the profile's rules do not fit the engine's jobs."""
        ...

    def run(
        self, inputs: Path, as_of: date, profile: JurisdictionProfile, out: Path
    ) -> dict[str, int]: ...


WriteTables = Callable[[Iterable[Mapping[str, list[Row]]], Path], dict[str, int]]
Scorer = Callable[[Mapping[str, object]], tuple[int | None, str, str]]
WriteScores = Callable[[Path, Path, Scorer], int]


@dataclass(frozen=True, slots=True)
class BatchReport:
    as_of: date
    engine: str
    inputs: dict[str, int]  # rows per input table
    outputs: dict[str, int]  # rows per output table
    out: Path
    prepare_seconds: float
    engine_seconds: float


@dataclass(frozen=True, slots=True)
class BatchService:
    credit_file_reader: CreditFileReader
    audit_log: AuditLog
    profile: JurisdictionProfile
    write_tables: WriteTables
    write_scores: WriteScores | None = None
    scorecard: Callable[[], Scorecard | None] = lambda: None  # loaded when the batch scores

    def run(
        self, as_of: date, engine_name: str, engine: BatchEngine, out: Path, at: datetime
    ) -> BatchReport:
        # Every check before anything is written: the day against the data, the profile
        # against the jobs, the scorecard.
        check_as_of(self.credit_file_reader.data_starts(), as_of)
        try:
            engine.check(as_of, self.profile)
        except ValueError as error:
            raise ProblemsError((Problem("batch", str(error)),)) from None
        card = self.scorecard() if self.write_scores is not None else None
        begun = time.perf_counter()
        # The engines write into a staging folder inside `out`, published file by file once
        # the whole batch is written (owner-only, renamed into place): a batch that fails
        # leaves the outputs of an earlier one whole, and no half file.
        with staging(out, "batch.out") as stage:
            inputs = stage / "inputs"
            counts = self.write_tables(self._rows(as_of), inputs)
            prepared = time.perf_counter()
            try:
                outputs = engine.run(inputs, as_of, self.profile, stage)
            except (ValueError, FileNotFoundError) as error:
                raise ProblemsError((Problem("batch", str(error).splitlines()[0]),)) from None
            if self.write_scores is not None and card is not None:
                outputs["scores"] = self.write_scores(
                    stage / "indicators.parquet",
                    stage / "scores.parquet",
                    lambda row: scored(card, row),
                )
        finished = time.perf_counter()
        self.audit_log.log_batch(
            as_of,
            at,
            {"engine": engine_name, "persons": counts.get("persons", 0), "out": str(out)},
        )
        return BatchReport(
            as_of, engine_name, counts, outputs, out, prepared - begun, finished - prepared
        )

    def _rows(self, as_of: date) -> Iterator[dict[str, list[Row]]]:
        policies = self.profile.dated_policies
        rules = retention_rules(self.profile)
        for person, facts in self.credit_file_reader.iter_files(as_of):
            view = visible_file(facts, as_of, self.profile, policies, rules)
            yield batch_rows(person, view)


def has_credit_data(row: Mapping[str, object]) -> bool:
    """The batch row's `VisibleFile.is_empty`: no account, court record or blacklist entry."""
    return any(row.get(name) for name in ("accounts_ever", "public_records", "blacklist_entries"))


def scored(card: Scorecard, row: Mapping[str, object]) -> tuple[int | None, str, str]:
    """(score, band, reasons joined by "; ") as a report shows them; no file is unscored."""
    if not has_credit_data(row):
        return None, "unscored", ""
    result = score_indicators(card, row)
    return result.score, result.band, "; ".join(text for _, text in result.reasons)
