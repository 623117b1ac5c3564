"""The one validation pipeline every incoming file goes through (beancount's loader, for files):

read lines -> JSON Schema -> typed record -> rules -> duplicates within the file.

Each step returns problems as values, so one run reports every reject of a file with its line
and field; what passes is handed to the store only when the whole file is clean (or `partial`).
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from creditmend.domain.problems import Problem, ProblemsError

R = TypeVar("R")
Row = tuple[int, Mapping[str, Any] | Problem]
SchemaCheck = Callable[[Mapping[str, Any], int], tuple[Problem, ...]]


@dataclass(frozen=True, slots=True)
class Checked(Generic[R]):
    valid: list[R]
    rejects: list[Problem]
    count: int

    @property
    def rejected_lines(self) -> int:
        return len({p.line for p in self.rejects})


class Screen(Generic[R]):
    """One file's rows through the pipeline, batch by batch: what passes comes out in batches,
    the rejects and the number of records read are kept. Memory holds one batch and the keys
    seen so far, never the whole file."""

    def __init__(
        self,
        schema_problems: SchemaCheck,
        read: Callable[[Mapping[str, Any], int], tuple[R | None, tuple[Problem, ...]]],
        rules: Callable[[R], tuple[Problem, ...]],
        key: Callable[[R], Hashable],
        key_field: str,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.schema_problems = schema_problems
        self.read = read
        self.rules = rules
        self.key = key
        self.key_field = key_field
        self.progress = progress
        self.rejects: list[Problem] = []
        self.count = 0

    @property
    def rejected_lines(self) -> int:
        return len({p.line for p in self.rejects})

    def batches(self, rows: Iterator[Row], size: int) -> Iterator[list[R]]:
        """The records that pass, `size` at a time (the last batch may be shorter)."""
        schema_problems, read, rules, key = self.schema_problems, self.read, self.rules, self.key
        progress, rejects = self.progress, self.rejects
        seen: dict[Hashable, int] = {}
        valid: list[R] = []
        for line, row in rows:
            self.count += 1
            if progress is not None and self.count % 10_000 == 0:
                progress(self.count)
            problems: tuple[Problem, ...]
            record: R | None = None
            if isinstance(row, Problem):
                problems = (row,)
            else:
                problems = schema_problems(row, line)
                if not problems:
                    record, problems = read(row, line)
                if record is not None and not problems:
                    problems = rules(record)
            if record is not None and not problems:
                identity = key(record)
                first = seen.setdefault(identity, line)
                if first != line:
                    problems = (
                        Problem(self.key_field, f"repeats the record of line {first}", line),
                    )
            if problems or record is None:
                rejects.extend(problems)
            else:
                valid.append(record)
                if len(valid) >= size:
                    yield valid
                    valid = []
        if valid:
            yield valid


def check_rows(
    rows: Iterator[Row],
    schema_problems: SchemaCheck,
    read: Callable[[Mapping[str, Any], int], tuple[R | None, tuple[Problem, ...]]],
    rules: Callable[[R], tuple[Problem, ...]],
    key: Callable[[R], Hashable],
    key_field: str,
    progress: Callable[[int], None] | None = None,
) -> Checked[R]:
    """Every row of a file through the pipeline at once: the records that pass, all rejects."""
    screen = Screen(schema_problems, read, rules, key, key_field, progress)
    valid = [record for batch in screen.batches(rows, 10_000) for record in batch]
    return Checked(valid, screen.rejects, screen.count)


def write_rejects(path: Path, rejects: Iterable[Problem]) -> str:
    """`FILE.rejects.jsonl`: one JSON object per reject with line, field and reason."""
    target = path.with_name(path.name + ".rejects.jsonl")
    with target.open("w", encoding="utf-8") as out:
        for problem in rejects:
            out.write(
                json.dumps(
                    {"line": problem.line, "field": problem.field, "reason": problem.message},
                    ensure_ascii=False,
                )
                + "\n"
            )
    return str(target)


class ApplyResult(Protocol):
    @property
    def applied(self) -> int: ...

    @property
    def unchanged(self) -> int: ...

    @property
    def corrected(self) -> int: ...


@dataclass(frozen=True, slots=True)
class IngestReport:
    file: str
    records: int
    applied: int
    unchanged: int
    corrected: int
    rejected: int
    rejects_file: str | None
    committed: bool  # False: rejects found and not partial, so nothing was applied


def file_digest(path: Path) -> str:
    """The content's SHA-256: a file applied once is not applied again."""
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError as error:
        raise ProblemsError((Problem("file", f"cannot read {path}: {error.strerror}"),)) from None


def already_applied(path: Path, records: int) -> IngestReport:
    """The same file again: nothing to do, even if a later file corrected some of it."""
    return IngestReport(str(path), records, 0, records, 0, 0, None, True)


def conclude(
    path: Path,
    checked: Checked[R],
    partial: bool,
    apply: Callable[[list[R], int], ApplyResult],
) -> IngestReport:
    """Write the rejects file, then apply the valid records unless rejects forbid it."""
    rejected = checked.rejected_lines
    rejects_file = write_rejects(path, checked.rejects) if checked.rejects else None
    if checked.rejects and not partial:
        return IngestReport(str(path), checked.count, 0, 0, 0, rejected, rejects_file, False)
    result = apply(checked.valid, rejected)
    return IngestReport(
        str(path),
        checked.count,
        result.applied,
        result.unchanged,
        result.corrected,
        rejected,
        rejects_file,
        True,
    )


@contextmanager
def _few_collections() -> Iterator[None]:
    """The garbage collector less often while a file streams through: each batch's records
    live until the batch is written, so the default thresholds would scan them over and over
    (about a fifth of the time of a large file)."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 100_000), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class _RefusedError(Exception):
    """Raised into the store's transaction to roll it back: the file has rejects."""


Batches = Iterator[list[R]]


def apply_streaming(
    path: Path,
    screen: Screen[R],
    rows: Iterator[Row],
    partial: bool,
    apply: Callable[[Batches[R], Callable[[], int]], ApplyResult],
    batch_size: int,
) -> IngestReport:
    """Screen a file and apply what passes as it is read, in the store's one transaction.

    `apply(batches, rejected)` takes the batches inside one transaction and asks `rejected()`
    for the number of rejected lines once it has taken the last batch. The outcome is that of
    `conclude`: once a reject is found (and not `partial`) no further batch is applied, the
    rest of the file is still screened so that every reject is reported, and the transaction
    is rolled back. A file the store refuses (ProblemsError) is screened to the end too: with
    rejects and not `partial` its rejects are the answer, as if it had not been applied."""
    stream = screen.batches(rows, batch_size)
    failed: list[BaseException] = []

    def batches() -> Iterator[list[R]]:
        while True:
            try:
                batch = next(stream)
            except StopIteration:
                break
            except BaseException as error:
                failed.append(error)  # the file cannot be read: nothing to report but that
                raise
            if partial or not screen.rejects:
                yield batch
        if screen.rejects and not partial:
            raise _RefusedError

    try:
        with _few_collections():
            result = apply(batches(), lambda: screen.rejected_lines)
    except _RefusedError:
        pass
    except ProblemsError:
        if failed:
            raise
        for _ in stream:  # every reject of the rest of the file
            pass
        if not screen.rejects or partial:
            if screen.rejects:
                write_rejects(path, screen.rejects)
            raise
    else:
        rejects_file = write_rejects(path, screen.rejects) if screen.rejects else None
        return IngestReport(
            str(path),
            screen.count,
            result.applied,
            result.unchanged,
            result.corrected,
            screen.rejected_lines,
            rejects_file,
            True,
        )
    rejects_file = write_rejects(path, screen.rejects)
    return IngestReport(
        str(path), screen.count, 0, 0, 0, screen.rejected_lines, rejects_file, False
    )
