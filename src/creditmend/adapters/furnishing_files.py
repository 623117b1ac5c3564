"""Reading furnishing files (CMF v1 as JSON Lines or CSV) and checking records against the
JSON Schema shipped in the package, the format's single definition.

Reading never stops at a bad line: each line becomes a mapping or a problem with its line number,
so one run reports every reject.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs

from creditmend.domain.creditfile.furnishing import normalise_csv_row
from creditmend.domain.problems import Problem, ProblemsError

Row = tuple[int, Mapping[str, Any] | Problem]
MAX_LINE = 100_000  # characters in one record line: a CMF record is a few hundred
COLUMN = re.compile(r"[a-z_]{1,40}")


Normaliser = Callable[[Mapping[str, str | None]], dict[str, object]]


def read_rows(
    path: Path,
    fmt: str,
    fields: frozenset[str] | None = None,
    normalise: Normaliser = normalise_csv_row,
) -> Iterator[Row]:
    """(line, record or problem) for every record line of a JSON Lines or CSV file; `fields`
    are the CSV columns allowed (default: CMF v1's)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ProblemsError((Problem("file", f"cannot read {path}: {error.strerror}"),)) from None
    if not data.strip():
        raise ProblemsError((Problem("file", f"{path.name} has no records"),))
    if fmt == "jsonl":
        yield from _jsonl(data.removeprefix(b"\xef\xbb\xbf"))
    elif fmt == "csv":
        yield from _csv(data, fields or frozenset(schema()["properties"]), normalise)
    else:
        raise ProblemsError((Problem("--format", f"unknown format {fmt!r}; jsonl or csv"),))


def _jsonl(data: bytes) -> Iterator[Row]:
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, Problem("line", "is not UTF-8 text", number)
            continue
        if len(text) > MAX_LINE:
            yield number, Problem("line", f"is longer than {MAX_LINE:,} characters", number)
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            yield (
                number,
                Problem("line", f"is not JSON ({error.msg}, column {error.colno})", number),
            )
            continue
        except (ValueError, RecursionError):  # a number of thousands of digits, deep nesting
            yield number, Problem("line", "holds a value too large or too deeply nested", number)
            continue
        if not isinstance(value, dict):
            yield number, Problem("line", "is not a JSON object", number)
            continue
        yield number, value


def _csv(data: bytes, known: frozenset[str], normalise: Normaliser) -> Iterator[Row]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ProblemsError((Problem("file", "is not UTF-8 text", line),)) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        raise ProblemsError((Problem("header", f"is not CSV ({error})", 1),)) from None
    unknown = [name for name in header if name not in known]
    if unknown:
        # Never echo a header that is not one: it may be a data line with an identity number.
        named = [name for name in unknown if COLUMN.fullmatch(name)]
        shown = ", ".join(named) if len(named) == len(unknown) else "the first line is not a header"
        raise ProblemsError((Problem("header", f"unknown columns: {shown}", 1),))
    line = 1
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            line = reader.line_num
            yield line, Problem("line", f"is not CSV ({error})", line)
            continue
        line = reader.line_num
        if None in row or any(value is None for value in row.values()):
            yield line, Problem("line", "has a different number of cells than the header", line)
            continue
        try:
            yield line, normalise(row)
        except ValueError:  # a number of thousands of digits
            yield line, Problem("line", "holds a value too large", line)


@cache
def schema() -> dict[str, Any]:
    text = resources.files("creditmend.schemas").joinpath("cmf_v1.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator() -> Any:
    return jsonschema_rs.validator_for(schema())


def schema_problems(record: Mapping[str, Any], line: int) -> tuple[Problem, ...]:
    """Every way `record` breaks the CMF v1 schema, each naming its field."""
    return problems_against(_validator(), record, line)


def schema_check_for(schema_document: Mapping[str, Any]) -> SchemaCheck:
    """A checker like `schema_problems` for another record schema (public records, blacklist)."""
    validator = jsonschema_rs.validator_for(dict(schema_document))
    return lambda record, line: problems_against(validator, record, line)


SchemaCheck = Callable[[Mapping[str, Any], int], tuple[Problem, ...]]


def problems_against(validator: Any, record: Mapping[str, Any], line: int) -> tuple[Problem, ...]:
    """Messages never echo the whole record: it holds an identity number."""
    if validator.is_valid(record):
        return ()
    problems = []
    for error in validator.iter_errors(record):
        kind = error.kind
        path = [str(part) for part in error.instance_path]
        if kind.name == "required":
            field, message = str(kind.property), "is required"
        elif kind.name == "additionalProperties":
            field, message = "record", f"unknown fields {', '.join(map(str, kind.unexpected))}"
        elif kind.name == "oneOf" and not path:
            field, message = "principal", "give exactly one of principal, credit_limit"
        elif path:
            field = ".".join(path)
            value = error.instance if isinstance(error.instance, str | int | float) else None
            shown = "" if field in _PRIVATE or value is None else f"{json.dumps(value)} "
            message = f"{shown}does not fit the CMF v1 format ({kind.name})"
        else:
            field, message = "record", f"does not fit the CMF v1 format ({kind.name})"
        problems.append(Problem(field, message, line))
    return tuple(sorted(set(problems), key=lambda p: p.field))


_PRIVATE = frozenset({"id_number", "name"})
