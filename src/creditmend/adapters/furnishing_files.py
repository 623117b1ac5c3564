"""Reading furnishing files (CMF v1 as JSON Lines or CSV) and checking records against the
JSON Schema shipped in the package, the format's single definition.

Reading never stops at a bad line: each line becomes a mapping or a problem with its line number,
so one run reports every reject.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

import jsonschema_rs
import orjson

from creditmend.domain.creditfile.furnishing import normalise_csv_row
from creditmend.domain.json_keys import DuplicateKeyError, unique_keys
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.text import text_problems_in

Row = tuple[int, Mapping[str, Any] | Problem]
MAX_LINE = 100_000  # characters in one record line: a CMF record is a few hundred
COLUMN = re.compile(r"[a-z_]{1,40}")


Normaliser = Callable[[Mapping[str, str | None]], dict[str, object]]


Shard = tuple[int, int, int]  # byte offset, size in bytes, number of the shard's first line


def read_rows(
    path: Path,
    fmt: str,
    fields: frozenset[str] | None = None,
    normalise: Normaliser = normalise_csv_row,
) -> RowStream:
    """(line, record or problem) for every record line of a JSON Lines or CSV file; `fields`
    are the CSV columns allowed (default: CMF v1's). The file is read as it is consumed, so a
    file of any size takes little memory."""
    return RowStream(path, fmt, fields, normalise)


class RowStream(Iterator[Row]):
    """The rows of one file, read as they are consumed. A JSON Lines file can also be cut into
    shards, each read on its own (`shards`, `rows_of`): the rows of the shards, in order, are
    the rows of the file, so other processes can read a large file's shards side by side."""

    def __init__(
        self,
        path: Path,
        fmt: str,
        fields: frozenset[str] | None = None,
        normalise: Normaliser = normalise_csv_row,
    ) -> None:
        self.path = path
        self.fmt = fmt
        self.fields = fields
        self.normalise = normalise
        self._rows: Iterator[Row] | None = None

    def __next__(self) -> Row:
        if self._rows is None:
            self._rows = self._read()
        return next(self._rows)

    def _open(self) -> BinaryIO:
        """The file, checked to be readable and to hold something."""
        if self.fmt not in ("jsonl", "csv"):
            raise ProblemsError(
                (Problem("furnishing.format", f"unknown format {self.fmt!r}; jsonl or csv"),)
            )
        try:
            stream = self.path.open("rb")
        except OSError as error:
            message = f"cannot read {self.path}: {error.strerror}"
            raise ProblemsError((Problem("file", message),)) from None
        if not _has_content(stream):
            stream.close()
            raise ProblemsError((Problem("file", f"{self.path.name} has no records"),))
        return stream

    def _read(self) -> Iterator[Row]:
        with self._open() as stream:
            if self.fmt == "jsonl":
                yield from _jsonl(stream)
            else:
                known = self.fields or frozenset(schema()["properties"])
                yield from _csv(self.path, stream, known, self.normalise)

    def shards(self, size: int) -> list[Shard] | None:
        """The file cut at the first line end after every `size` bytes; None for CSV, which
        cannot be cut at just any line end (a quoted cell may hold one)."""
        if self.fmt != "jsonl":
            return None
        shards = []
        with self._open() as stream:
            offset, line = 0, 1
            while block := stream.read(size):
                block += stream.readline()
                shards.append((offset, len(block), line))
                offset += len(block)
                line += block.count(b"\n")
        return shards

    def rows_of(self, shard: Shard) -> Iterator[Row]:
        """The rows of one shard, numbered by their lines in the file."""
        offset, size, first = shard
        try:
            with self.path.open("rb") as stream:
                stream.seek(offset)
                data = stream.read(size)
        except OSError as error:
            message = f"cannot read {self.path}: {error.strerror}"
            raise ProblemsError((Problem("file", message),)) from None
        lines = data.split(b"\n")
        if data.endswith(b"\n"):
            lines.pop()
        return _jsonl(lines, first)


def _has_content(stream: BinaryIO) -> bool:
    """Whether the file holds anything but white space (and leaves it at its start)."""
    try:
        while block := stream.read(1 << 20):
            if block.strip():
                return True
        return False
    finally:
        stream.seek(0)


def _jsonl(lines: Iterable[bytes], first: int = 1) -> Iterator[Row]:
    loads = orjson.loads
    for number, read in enumerate(lines, start=first):
        raw = read.removesuffix(b"\n")
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if len(raw) <= MAX_LINE:
            # orjson reads what the standard library reads, except that it refuses NaN,
            # Infinity and lone surrogates and reads a whole number beyond 64 bits as a float;
            # such lines, and every bad line, are read again by the standard library below,
            # which words each problem.
            try:
                value = loads(raw)
            except orjson.JSONDecodeError:
                pass
            else:
                # orjson keeps the last of two equal keys: a flat record whose keys are all
                # told apart (as many `":` as keys) has none twice; any other line is read
                # again by the standard library, which refuses a key given twice.
                if (
                    type(value) is dict
                    and raw.count(b'":') == len(value)
                    and _floatless_values(value)
                ):
                    yield number, value
                    continue
        if not raw.strip():
            continue
        yield number, _jsonl_line(raw, number)


def _floatless_values(value: dict[str, Any]) -> bool:
    """No float among the record's values, nor in any list or object among them: one look at
    each value's type (a record's lists, such as `remarks`, are walked; its text is not)."""
    for item in value.values():
        kind = type(item)
        if kind is float or ((kind is list or kind is dict) and not _floatless(item)):
            return False
    return True


def _floatless(value: object) -> bool:
    try:
        return not _has_float(value)
    except RecursionError:  # nested deeper than Python goes: the standard library says so
        return False


def _has_float(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_float(item) for item in value)
    return False


def _whole_number(text: str) -> int | float:
    """A JSON whole number; one too long for Python to read as an int (over 4,300 digits) is
    infinity, as the standard library reads `1e400`, so that the field's check refuses it by
    name instead of the whole line being "too large"."""
    return int(text) if len(text) <= _INT_DIGITS else math.inf


_INT_DIGITS = 4_300  # sys.get_int_max_str_digits()'s default


def _jsonl_line(raw: bytes, number: int) -> Mapping[str, Any] | Problem:
    """One line read by the standard library: the record, or the problem with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Problem("line", "is not UTF-8 text", number)
    if len(text) > MAX_LINE:
        return Problem("line", f"is longer than {MAX_LINE:,} characters", number)
    try:
        value = json.loads(text, object_pairs_hook=unique_keys, parse_int=_whole_number)
    except DuplicateKeyError as error:
        return Problem(error.key, "appears twice", number)
    except json.JSONDecodeError as error:
        return Problem("line", f"is not JSON ({error.msg}, column {error.colno})", number)
    except (ValueError, RecursionError):  # a number of thousands of digits, deep nesting
        return Problem("line", "holds a value too large or too deeply nested", number)
    if not isinstance(value, dict):
        return Problem("line", "is not a JSON object", number)
    return value


def _csv(
    path: Path, stream: BinaryIO, known: frozenset[str], normalise: Normaliser
) -> Iterator[Row]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        raise ProblemsError((Problem("header", f"is not CSV ({error})", 1),)) from None
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    twice = sorted({name for name in header if header.count(name) > 1 and name in known})
    if twice:  # DictReader would keep the last of the two cells
        raise ProblemsError(
            tuple(Problem(name, "appears twice in the header", 1) for name in twice)
        )
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
            if line == 1:  # a header and nothing under it, as an empty JSON Lines file
                raise ProblemsError((Problem("file", f"{path.name} has no records"),)) from None
            return
        except csv.Error as error:
            line = reader.line_num
            yield line, Problem("line", f"is not CSV ({error})", line)
            continue
        except UnicodeDecodeError:
            raise _not_utf8(path) from None
        line = reader.line_num
        if None in row or any(value is None for value in row.values()):
            yield line, Problem("line", "has a different number of cells than the header", line)
            continue
        try:
            yield line, normalise(row)
        except ValueError:  # a number of thousands of digits
            yield line, Problem("line", "holds a value too large", line)


def _not_utf8(path: Path) -> ProblemsError:
    """The whole file is refused, naming the line of the first byte that is not UTF-8."""
    data = path.read_bytes()
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
    else:  # the file changed while it was read
        line = 1
    return ProblemsError((Problem("file", "is not UTF-8 text", line),))


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
    title = str(schema_document.get("title", "record"))
    return lambda record, line: problems_against(validator, record, line, title)


SchemaCheck = Callable[[Mapping[str, Any], int], tuple[Problem, ...]]


def problems_against(
    validator: Any, record: Mapping[str, Any], line: int, title: str = "CMF v1"
) -> tuple[Problem, ...]:
    """Messages never echo the whole record: it holds an identity number. `title` names the
    format in them (a public record is not refused as not fitting CMF v1). The text door comes
    first: a record holding a control character, a lone surrogate (which the validator cannot
    even take) or an over-long value is refused for that, naming the field."""
    refused = text_problems_in(record, line)
    if refused:
        return refused
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
            shown = "" if field in _PRIVATE or value is None else f"{_shown(value)} "
            message = f"{shown}does not fit the {title} format ({kind.name})"
        else:
            field, message = "record", f"does not fit the {title} format ({kind.name})"
        problems.append(Problem(field, message, line))
    return tuple(sorted(set(problems), key=lambda p: p.field))


_PRIVATE = frozenset({"id_number", "name"})
_SHOWN = 40  # characters of a refused value a message repeats


def _shown(value: str | int | float) -> str:
    """The refused value as JSON, cut short: a number of thousands of digits or a long text
    is named, not repeated whole in the rejects file and the one-line error."""
    text = json.dumps(value)
    return text if len(text) <= _SHOWN else f"{text[: _SHOWN - 1]}…"
