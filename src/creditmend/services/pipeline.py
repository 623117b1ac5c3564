"""The one validation pipeline every incoming file goes through (beancount's loader, for files):

read lines -> JSON Schema -> typed record -> rules -> duplicates within the file.

Each step returns problems as values, so one run reports every reject of a file with its line
and field; what passes is handed to the store only when the whole file is clean (or `partial`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
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


def check_rows(
    rows: Iterator[Row],
    schema_problems: SchemaCheck,
    read: Callable[[Mapping[str, Any], int], tuple[R | None, tuple[Problem, ...]]],
    rules: Callable[[R], tuple[Problem, ...]],
    key: Callable[[R], Hashable],
    key_field: str,
    progress: Callable[[int], None] | None = None,
) -> Checked[R]:
    valid: list[R] = []
    rejects: list[Problem] = []
    seen: dict[Hashable, int] = {}
    count = 0
    for line, row in rows:
        count += 1
        if progress is not None and count % 10_000 == 0:
            progress(count)
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
            if identity in seen:
                problems = (
                    Problem(key_field, f"repeats the record of line {seen[identity]}", line),
                )
            else:
                seen[identity] = line
        if problems or record is None:
            rejects.extend(problems)
        else:
            valid.append(record)
    return Checked(valid, rejects, count)


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
        return hashlib.sha256(path.read_bytes()).hexdigest()
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
