"""The one validation pipeline every incoming file goes through (beancount's loader, for files):

read lines -> JSON Schema -> typed record -> rules -> duplicates within the file.

Each step returns problems as values, so one run reports every reject of a file with its line
and field; what passes is applied only when the whole file is clean (or `partial`): a file that
streams into the store's transaction as it is read is rolled back when a reject turns up.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import sys
from collections.abc import Callable, Generator, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from creditmend.domain.i18n import N_
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.services.output_files import writing

R = TypeVar("R")
P = TypeVar("P")
T = TypeVar("T")
U = TypeVar("U")
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


@dataclass(frozen=True, slots=True)
class Screened(Generic[P]):
    """What the per-row steps make of some rows: what passes (with its key and line) and the
    rejects, in line order. Plain data, so that it can come back from another process."""

    outputs: list[P]
    keys: list[Hashable]
    lines: list[int]
    rejects: list[Problem]
    count: int


class Screen(Generic[R, P]):
    """One file's rows through the pipeline. `check` runs the per-row steps (schema, typed
    record, rules; then `finish` turns the passing records into what is kept) on any run of rows,
    and holds no state, so runs of rows can be checked anywhere, in any order; `admit` then
    takes the checked runs in file order, refuses a key repeated within the file and keeps the
    rejects and the number of records read. `batches` does both for a stream of rows.
    Memory holds a batch and the keys seen so far, never the whole file."""

    def __init__(
        self,
        schema_problems: SchemaCheck,
        read: Callable[[Mapping[str, Any], int], tuple[R | None, tuple[Problem, ...]]],
        rules: Callable[[R], tuple[Problem, ...]],
        key: Callable[[R], Hashable],
        key_field: str,
        progress: Callable[[int], None] | None = None,
        finish: Callable[[list[R]], list[P]] | None = None,
    ) -> None:
        self.schema_problems = schema_problems
        self.read = read
        self.rules = rules
        self.key = key
        self.key_field = key_field
        self.progress = progress
        self.finish = finish
        self.rejects: list[Problem] = []
        self.count = 0
        self._seen: dict[Hashable, int] = {}

    @property
    def rejected_lines(self) -> int:
        return len({p.line for p in self.rejects})

    def check(self, rows: Iterable[Row]) -> Screened[P]:
        schema_problems, read, rules, key = self.schema_problems, self.read, self.rules, self.key
        records: list[R] = []
        keys: list[Hashable] = []
        lines: list[int] = []
        rejects: list[Problem] = []
        count = 0
        for line, row in rows:
            count += 1
            if isinstance(row, Problem):
                rejects.append(row)
                continue
            problems = schema_problems(row, line)
            if problems:
                rejects.extend(problems)
                continue
            record, problems = read(row, line)
            if record is not None and not problems:
                problems = rules(record)
            if problems or record is None:
                rejects.extend(problems)
            else:
                records.append(record)
                keys.append(key(record))
                lines.append(line)
        outputs: list[Any] = records if self.finish is None else self.finish(records)
        return Screened(outputs, keys, lines, rejects, count)

    def admit(self, screened: Screened[P]) -> list[P]:
        """The checked run's outputs whose key the file has not had before, in file order."""
        seen, repeated = self._seen, []
        for index, (key, line) in enumerate(zip(screened.keys, screened.lines, strict=True)):
            if seen.setdefault(key, line) != line:
                repeated.append(index)
        admitted = screened.outputs
        if repeated:
            skip = set(repeated)
            admitted = [output for index, output in enumerate(admitted) if index not in skip]
            repeats = [
                Problem(
                    self.key_field,
                    f"repeats the record of line {seen[screened.keys[index]]}",
                    screened.lines[index],
                )
                for index in repeated
            ]
            # in line order among the other rejects, as if found row by row
            self.rejects.extend(sorted([*screened.rejects, *repeats], key=_line))
        else:
            self.rejects.extend(screened.rejects)
        before, self.count = self.count, self.count + screened.count
        if self.progress is not None and before // 10_000 != self.count // 10_000:
            self.progress(self.count - self.count % 10_000)
        return admitted

    def batches(self, rows: Iterator[Row], size: int) -> Generator[list[P], None, None]:
        """The outputs of the records that pass, a run of `size` rows at a time."""
        while run := list(islice(rows, size)):
            admitted = self.admit(self.check(run))
            if admitted:
                yield admitted

    def admitted(self, runs: Iterable[Screened[P]]) -> Generator[list[P], None, None]:
        """What `batches` gives, for runs of rows already checked (in file order)."""
        for screened in runs:
            admitted = self.admit(screened)
            if admitted:
                yield admitted

    def batches_in_processes(
        self, shards: Iterable[T], rows_of: Callable[[T], Iterable[Row]], workers: int
    ) -> Generator[list[P], None, None]:
        """What `batches` gives, one shard of the file at a time, the shards checked side by
        side in `workers` other processes (see `map_in_processes`) and admitted here in order."""
        for screened in map_in_processes(lambda shard: self.check(rows_of(shard)), shards, workers):
            admitted = self.admit(screened)
            if admitted:
                yield admitted


def can_fork() -> bool:
    """Whether `map_in_processes` can run here: forking is safe on Linux, and a daemonic
    process (a multiprocessing pool's worker) may not have children."""
    return sys.platform == "linux" and not multiprocessing.current_process().daemon


def map_in_processes(func: Callable[[T], U], items: Iterable[T], workers: int) -> Iterator[U]:
    """`func(item)` for every item, in order, computed in `workers` forked processes.

    Item i goes to process i % workers, at most two at a time each, and comes back pickled.
    The processes are forked when the first result is asked for (they share this process's
    memory as it was then, so `func` may be any closure) and are ended when the iterator is
    exhausted or closed; if this process dies they end too, as their task pipe closes. An
    exception raised by `func` is raised here (a ProblemsError with its problems)."""
    context = multiprocessing.get_context("fork")
    links: list[tuple[Connection, Connection]] = []  # (tasks to it, results from it)
    processes = []
    # Nothing that exists now is collected in the children: a connection to the database
    # left in a reference cycle must not be finalised (closed) from there.
    gc.freeze()
    try:
        for _ in range(workers):
            tasks_out, tasks_in = context.Pipe(duplex=False)
            results_out, results_in = context.Pipe(duplex=False)
            links.append((tasks_in, results_out))
            ours = tuple(end for link in links for end in link)
            process = context.Process(
                target=_serve, args=(func, tasks_out, results_in, ours), daemon=True
            )
            process.start()
            processes.append(process)
            tasks_out.close()
            results_in.close()
    finally:
        gc.unfreeze()
    try:
        pending = iter(items)
        sent = received = 0

        def send() -> None:
            nonlocal sent
            for item in islice(pending, 1):
                links[sent % workers][0].send(item)
                sent += 1

        for _ in range(2 * workers):
            send()
        while received < sent:
            outcome, value = links[received % workers][1].recv()
            received += 1
            if outcome == "problems":
                raise ProblemsError(value)
            if outcome == "error":
                raise value
            send()
            yield value
    finally:
        for tasks_in, results_out in links:
            tasks_in.close()
            results_out.close()
        for process in processes:
            process.terminate()
            process.join()


def _serve(
    func: Callable[[Any], Any], tasks: Connection, results: Connection, ours: tuple[Connection, ...]
) -> None:
    """A worker of `map_in_processes`: items in, ("ok", result), ("problems", problems) or
    ("error", exception) out."""
    for end in ours:  # this process's copies of the parent's ends: EOF comes when it dies
        end.close()
    try:
        while True:
            try:
                item = tasks.recv()
            except EOFError:
                return
            try:
                answer: tuple[str, Any] = ("ok", func(item))
            except ProblemsError as error:  # its problems travel; the exception would not
                answer = ("problems", error.problems)
            except Exception as error:
                answer = ("error", error)
            try:
                results.send(answer)
            except (OSError, EOFError):  # the parent is gone
                return
            except Exception as error:
                results.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
    except KeyboardInterrupt:
        return


def _line(problem: Problem) -> int:
    return problem.line or 0


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
    screen: Screen[R, R] = Screen(schema_problems, read, rules, key, key_field, progress)
    valid = [record for batch in screen.batches(rows, 10_000) for record in batch]
    return Checked(valid, screen.rejects, screen.count)


def write_rejects(path: Path, rejects: Iterable[Problem]) -> str:
    """`FILE.rejects.jsonl`: one JSON object per reject with line, field and reason; written
    whole or not at all, owner-only (`output_files`): never left empty or cut short."""
    target = path.with_name(path.name + ".rejects.jsonl")
    with writing(target, "rejects") as out:
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
    # The first reject (line, field, reason), so that a refused file's one-line error names it.
    first_reject: Problem | None = None


TAKEN_IN_ON = N_("data is taken in today or")  # ... on a past day


def refuse_future(as_of: date, today: date) -> None:
    """A file is taken in as of a day that has come: a later business date would store a month
    or a court case that has not happened yet (the period 2099-12 of `--as-of 2099-12-31`)."""
    if as_of > today:
        raise ProblemsError(
            (Problem("business_date", f"{as_of} is in the future; {TAKEN_IN_ON} on a past day"),)
        )


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
        return IngestReport(
            str(path), checked.count, 0, 0, 0, rejected, rejects_file, False, checked.rejects[0]
        )
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


def apply_streaming(
    path: Path,
    screen: Screen[Any, P],
    stream: Iterator[list[P]],
    partial: bool,
    apply: Callable[[Iterator[list[P]], Callable[[], int]], ApplyResult],
) -> IngestReport:
    """Apply what passes the screen as the file is read, in the store's one transaction.

    `stream` is `screen`'s batches (made here or in other processes); `apply(batches,
    rejected)` takes the batches inside one transaction and asks `rejected()` for the number of
    rejected lines once it has taken the last batch. The outcome is that of `conclude`: once a
    reject is found (and not `partial`) no further batch is applied, the rest of the file is
    still screened so that every reject is reported, and the transaction is rolled back. A file
    the store refuses (ProblemsError) is screened to the end too: with rejects and not `partial`
    its rejects are the answer, as if it had not been applied. With `partial`, the rejects file
    is written before the transaction commits: if it cannot be written (a full disk), the file
    is not applied either."""
    failed: list[BaseException] = []
    written: list[str] = []

    def batches() -> Iterator[list[P]]:
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
        if screen.rejects:
            try:
                written.append(write_rejects(path, screen.rejects))
            except ProblemsError as error:
                failed.append(error)  # raised into the transaction: nothing is applied
                raise

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
        rejects_file = written[0] if written else None
        if screen.rejects and rejects_file is None:  # `apply` stopped before the last batch
            rejects_file = write_rejects(path, screen.rejects)
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
        str(path),
        screen.count,
        0,
        0,
        0,
        screen.rejected_lines,
        rejects_file,
        False,
        screen.rejects[0] if screen.rejects else None,
    )
