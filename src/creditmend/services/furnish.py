"""Furnishing: register furnishers and take their monthly files into the bureau.

The pipeline reads top to bottom (beancount's loader): read lines -> schema -> typed record ->
profile rules -> one transaction. Every reject is reported with its line, field and reason in
`FILE.rejects.jsonl`; a file with rejects is applied only with `partial` (the valid records), and
never half: the store applies a file's records in one transaction or not at all. The file is
streamed: batches of valid records go to the store's open transaction as they are read, and a
reject (without `partial`) rolls that transaction back once the whole file has been screened.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from creditmend.domain.clock import Clock
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind, validate_furnisher
from creditmend.domain.creditfile.furnishing import (
    FurnishedRecord,
    FurnishingContext,
    check_record,
    read_record,
)
from creditmend.domain.json_keys import DuplicateKeyError, unique_keys
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.services.conflicts import rerun_on_conflict
from creditmend.services.pipeline import (
    IngestReport,
    Row,
    SchemaCheck,
    Screen,
    Screened,
    already_applied,
    apply_streaming,
    can_fork,
    file_digest,
    map_in_processes,
    refuse_future,
)
from creditmend.services.ports import FurnisherRegistry, FurnishingRepository, IngestionLog

BATCH = 20_000  # records screened before they go to the store together
SHARD_BYTES = 8 << 20  # a large file's shard: about 20,000 records


RowReader = Callable[[Path, str], Iterator[Row]]


@dataclass(frozen=True, slots=True)
class FurnishService:
    furnisher_registry: FurnisherRegistry
    ingestion_log: IngestionLog
    furnishing_repository: FurnishingRepository
    read_rows: RowReader
    schema_problems: SchemaCheck
    id_is_valid: Callable[[str, str], bool]
    currency: str  # a record that names none is in the profile's currency (CMF v1)
    clock: Clock  # a business date after its today is refused

    def add_furnisher(self, furnisher: Furnisher, at: datetime) -> None:
        problems = validate_furnisher(furnisher)
        if problems:
            raise ProblemsError(problems)
        self.furnisher_registry.add_furnisher(furnisher, at)

    def import_furnishers(self, path: Path, at: datetime) -> int:
        """Register every furnisher a JSON Lines file lists; already registered codes are left
        as they are. All lines are checked before any is registered."""
        known = set(self.furnisher_registry.furnisher_codes())
        furnishers: list[Furnisher] = []
        problems: list[Problem] = []
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise ProblemsError(
                (Problem("file", f"cannot read {path}: {error.strerror}"),)
            ) from None
        except UnicodeDecodeError:
            raise ProblemsError((Problem("file", f"{path} is not UTF-8 text"),)) from None
        first_on: dict[str, int] = {}
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            found = _furnisher_line(line, number)
            if isinstance(found, Problem):
                problems.append(found)
                continue
            problems.extend(
                replace(p, field=_LIST_FIELD.get(p.field, p.field), line=number)
                for p in validate_furnisher(found)
            )
            if found.code in first_on:
                where = f"listed on line {first_on[found.code]} already"
                problems.append(Problem("furnisher_id", where, number))
                continue
            first_on[found.code] = number
            if found.code not in known:
                known.add(found.code)
                furnishers.append(found)
        if not first_on and not problems:
            problems.append(Problem("file", f"{path} lists no furnisher"))
        if problems:
            raise ProblemsError(tuple(problems))
        for furnisher in furnishers:
            self.furnisher_registry.add_furnisher(furnisher, at)
        return len(furnishers)

    def ingest(
        self,
        path: Path,
        fmt: str,
        as_of: date,
        at: datetime,
        partial: bool = False,
        progress: Callable[[int], None] | None = None,
        sender: str | None = None,
    ) -> IngestReport:
        """Screen and apply one file, all or nothing. Ingests running at once may make the
        same new persons or accounts: the one that finds them taken meanwhile was rolled back
        whole, and runs again (then finding them made), so every file applies in full.
        `sender`: the furnisher the file comes from (an API client's), whose records only it
        may carry (`furnisher_is_sender`)."""
        refuse_future(as_of, self.clock.today())
        return rerun_on_conflict(
            lambda: self._ingest_once(path, fmt, as_of, at, partial, progress, sender)
        )

    def _context(self, as_of: date, sender: str | None = None) -> FurnishingContext:
        return FurnishingContext(
            as_of, self.furnisher_registry.furnisher_codes(), self.id_is_valid, sender
        )

    def _screen(
        self, context: FurnishingContext, progress: Callable[[int], None] | None = None
    ) -> Screen[FurnishedRecord, Row]:
        return Screen(
            self.schema_problems,
            functools.partial(read_record, default_currency=self.currency),
            lambda record: check_record(record, context),
            key=_file_key,
            key_field="account_id",
            progress=progress,
            finish=self.furnishing_repository.furnished_rows,
        )

    def _ingest_once(
        self,
        path: Path,
        fmt: str,
        as_of: date,
        at: datetime,
        partial: bool,
        progress: Callable[[int], None] | None,
        sender: str | None = None,
        ahead: Prescreened | None = None,
    ) -> IngestReport:
        digest = file_digest(path) if ahead is None else ahead.digest
        # Applied before when the folder was looked at: an applied file stays applied.
        seen = ahead.applied_before if ahead is not None else None
        if seen is None:
            seen = self.ingestion_log.applied_before(digest)
        if seen is not None:
            return already_applied(path, seen)
        context = self._context(as_of, sender)
        screen = self._screen(context, progress)
        if (
            ahead is not None
            and ahead.runs is not None
            and ahead.known_furnishers == context.known_furnishers
        ):
            # Screened by another process while earlier files were applied, against the same
            # registry: what is left is what `batches` does after `check`.
            with closing(screen.admitted(ahead.runs)) as admitted:
                return self._apply(path, digest, as_of, at, partial, screen, admitted)
        # The file is screened and applied as it is read, batch by batch, in one transaction.
        # A large JSON Lines file is screened by other processes, shard by shard, while this
        # one writes: screening is most of the work, and a machine has more than one core.
        rows = self.read_rows(path, fmt)
        workers = _workers()
        shards = (
            rows.shards(SHARD_BYTES)
            if workers and isinstance(rows, Shardable) and path.stat().st_size > SHARD_BYTES
            else None
        )
        stream = (
            screen.batches_in_processes(shards, rows.rows_of, workers)
            if shards and isinstance(rows, Shardable)
            else screen.batches(rows, BATCH)
        )
        with closing(stream):
            return self._apply(path, digest, as_of, at, partial, screen, stream)

    def _apply(
        self,
        path: Path,
        digest: str,
        as_of: date,
        at: datetime,
        partial: bool,
        screen: Screen[FurnishedRecord, Row],
        stream: Iterator[list[Row]],
    ) -> IngestReport:
        return apply_streaming(
            path,
            screen,
            stream,
            partial,
            lambda batches, rejected: self.furnishing_repository.apply_furnishing(
                path.name, digest, as_of, batches, rejected, at
            ),
        )

    def ingest_all(
        self,
        path: Path,
        fmt: str | None,
        as_of: date,
        at: datetime,
        partial: bool = False,
        progress: Callable[[str, int | None], None] | None = None,
    ) -> list[IngestReport]:
        """A file, or every furnishing file in a folder (as `creditmend synth` writes them,
        named by period) in period order, each all or nothing in its own transaction.
        `fmt` None: each file's from its extension; `progress(name, records)` is told each
        file's start (records None) and its records read so far."""
        refuse_future(as_of, self.clock.today())
        files = files_to_ingest(path)
        reports = []
        with closing(self._screen_ahead(files, fmt, as_of)) as screened:
            for file, ahead in zip(files, screened, strict=True):
                if progress is not None:
                    progress(file.name, None)

                def advance(count: int, name: str = file.name) -> None:
                    if progress is not None:
                        progress(name, count)

                def once(file: Path = file, ahead: Prescreened | None = ahead) -> IngestReport:
                    return self._ingest_once(
                        file, format_of(file, fmt), as_of, at, partial, advance, None, ahead
                    )

                refuse_future(as_of, self.clock.today())
                reports.append(rerun_on_conflict(once))
        return reports

    def _screen_ahead(
        self, files: list[Path], fmt: str | None, as_of: date
    ) -> Generator[Prescreened | None, None, None]:
        """Each file screened ahead by other processes while this one applies the files before
        it (a folder holds hundreds of files of a few thousand records: each too small to be
        cut into shards, screening most of the work), or None where it was not: a single file,
        one to be cut into shards, one that cannot be read (the usual path then says why).
        Nothing is screened ahead with one core."""
        workers = _workers()
        if not workers or len(files) < 2:
            yield from (None for _ in files)
            return
        context = self._context(as_of)
        known = context.known_furnishers
        screen = self._screen(context)

        def looks() -> Iterator[Look]:
            """Each file with its digest (None: large or unreadable) and, when a file with
            that content was applied before, its records: here, where the store may be asked
            (once for every LOOKED files)."""
            for start in range(0, len(files), LOOKED):
                group = files[start : start + LOOKED]
                digests = [_small_digest(file) for file in group]
                applied = self.ingestion_log.applied_before_all([d for d in digests if d])
                for file, digest in zip(group, digests, strict=True):
                    yield file, digest, applied.get(digest) if digest else None

        def screen_file(item: Look) -> Prescreened | None:
            file, digest, applied = item
            if digest is None:
                return None
            if applied is not None:
                return Prescreened(digest, known, None, applied)
            try:
                rows = self.read_rows(file, format_of(file, fmt))
                runs = []
                while run := list(islice(rows, BATCH)):
                    runs.append(screen.check(run))
            except Exception:  # the file's own ingest meets it again, and says why
                return None
            return Prescreened(digest, known, tuple(runs), None)

        # No process is started before a file is to be screened (none for a folder applied
        # before, run again).
        looked = looks()
        for item in looked:
            if item[1] is not None and item[2] is None:
                yield from map_in_processes(screen_file, chain([item], looked), workers)
                return
            yield screen_file(item)


@dataclass(frozen=True, slots=True)
class Prescreened:
    """One file as screened by another process: its content's digest, the furnishers known
    then, and `Screen.check` of each run of BATCH rows in order."""

    digest: str
    known_furnishers: frozenset[str]
    runs: tuple[Screened[Row], ...] | None  # None: not screened (the file was applied before)
    applied_before: int | None  # the records of this content applied before (None: it was not)


Look = tuple[Path, str | None, int | None]  # a file, its digest, its records applied before
LOOKED = 32  # files whose digests are looked up in the store together


def _small_digest(file: Path) -> str | None:
    """The digest of a file small enough to be screened whole by a worker (None: larger, or
    unreadable)."""
    try:
        return file_digest(file) if file.stat().st_size <= SHARD_BYTES else None
    except (OSError, ProblemsError):
        return None


def files_to_ingest(path: Path) -> list[Path]:
    """The file itself, or the folder's furnishing files in period order (their names start
    with the period), leaving out the rejects files earlier runs wrote beside them."""
    if not path.is_dir():
        return [path]
    return sorted(
        (
            file
            for file in path.rglob("*")
            if file.suffix in (".jsonl", ".csv") and not file.name.endswith(".rejects.jsonl")
        ),
        key=lambda file: (file.stem, str(file)),
    )


def format_of(path: Path, fmt: str | None) -> str:
    """The format asked for, else the file's from its extension (JSON Lines unless .csv)."""
    return fmt or ("csv" if path.suffix.lower() == ".csv" else "jsonl")


def _file_key(record: FurnishedRecord) -> str:
    """`record.key` as one compact string (a large file keeps one per record to find a record
    repeated within it): the furnisher's length first, so no two keys read alike."""
    furnisher = record.furnisher_id
    return f"{len(furnisher)}:{furnisher}{record.account_id}\x1f{record.period.toordinal()}"


@runtime_checkable
class Shardable(Protocol):
    """Rows of a file that can also be read shard by shard, each shard on its own."""

    def shards(self, size: int) -> list[Any] | None: ...

    def rows_of(self, shard: Any) -> Iterable[Row]: ...


def _workers() -> int:
    """How many processes screen a large file beside this one: one per core (0: none)."""
    if not can_fork():
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return min(cores, 4) if cores > 1 else 0


def _furnisher_line(line: str, number: int) -> Furnisher | Problem:
    """One line of a furnisher list, or its problem named by field."""
    try:
        data = json.loads(line, object_pairs_hook=unique_keys)
    except DuplicateKeyError as error:
        return Problem(error.key, "appears twice", number)
    except (ValueError, RecursionError):
        return Problem("line", "is not JSON", number)
    if not isinstance(data, dict):
        return Problem("line", "is not a JSON object", number)
    for key in ("furnisher_id", "name", "kind"):
        if not isinstance(data.get(key), str):
            return Problem(key, "is required, as text", number)
    try:
        kind = FurnisherKind(data["kind"])
    except ValueError:
        known = ", ".join(k.value for k in FurnisherKind)
        return Problem("kind", f"unknown {data['kind']!r}; one of {known}", number)
    subtype = data.get("subtype")
    if subtype is not None and not isinstance(subtype, str):
        return Problem("subtype", "must be text", number)
    return Furnisher(data["furnisher_id"], data["name"], kind, subtype)


# The furnisher's rules name its fields; in a furnisher list the code is the `furnisher_id`
# column, and a refusal names the column the file has.
_LIST_FIELD = {"code": "furnisher_id"}
