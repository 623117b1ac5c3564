"""Planting one hostile value into one field of a valid file, running the command on it, and
checking the outcome every reader owes bad input: exit status 2, one line on stderr naming the
field, no traceback, and the store exactly as it was."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from in_process import Done, cli  # tests/e2e is on the path (this folder's conftest)
from sqlalchemy import MetaData, create_engine, select
from strategies import Raw

_RAW = "\ue000raw{}\ue000"  # a private-use marker, replaced by the raw text after dumping


def json_text(data: Any) -> str:
    """`data` as one line of JSON, as Python's json writes it (NaN and Infinity included), with
    every `Raw` value written unquoted as it is."""
    raws: list[str] = []

    def marked(value: Any) -> Any:
        if isinstance(value, Raw):
            raws.append(str(value))
            return _RAW.format(len(raws) - 1)
        if isinstance(value, dict):
            return {key: marked(item) for key, item in value.items()}
        if isinstance(value, list):
            return [marked(item) for item in value]
        return value

    text = json.dumps(marked(data))  # \ud800 escaped, as a JSON writer sends it
    for index, raw in enumerate(raws):
        text = text.replace(json.dumps(_RAW.format(index)), raw)
    return text


def write_text(path: Path, text: str) -> Path:
    """Written as UTF-8, a lone surrogate as the bytes Python would give it (not valid UTF-8,
    exactly what a broken exporter writes)."""
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    return path


def write_jsonl(path: Path, records: list[Mapping[str, Any]]) -> Path:
    return write_text(path, "".join(json_text(record) + "\n" for record in records))


def csv_cell(value: object) -> str | None:
    """The text a CSV cell would hold for `value`, or None when no cell can (a list, an object,
    a boolean: CSV only has text)."""
    if isinstance(value, bool | list | dict):
        return None
    if value is None:
        return ""
    return str(value)


def write_csv(path: Path, records: list[Mapping[str, Any]]) -> Path:
    out = io.StringIO()
    # Every cell quoted: a cell holding a bare carriage return is still one cell of one row
    # (unquoted, it would break the row, and the reader rightly names the line).
    writer = csv.DictWriter(
        out, fieldnames=list(records[0]), lineterminator="\n", quoting=csv.QUOTE_ALL
    )
    writer.writeheader()
    for record in records:
        row = {}
        for key, value in record.items():
            if key == "remarks" and isinstance(value, list):
                row[key] = ";".join(value)
            else:
                row[key] = csv_cell(value) or ""
        writer.writerow(row)
    return write_text(path, out.getvalue())


def store_dump(url: str) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table of the store, as text, sorted: equal dumps, equal stores."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return {
                name: sorted(tuple(map(repr, row)) for row in conn.execute(select(table)))
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


def run(*args: str, env: dict[str, str]) -> Done:
    """The command in process; any exception but the command's own exit is raised as is (a
    traceback, which fails the test with the exception itself)."""
    return cli(*args, env=env)


def assert_refused(done: Done, field: str) -> None:
    """Exit status 2, one line on stderr that names `field`, no traceback."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), done.stderr
    assert names(lines[0], field), (field, done.stderr)


def names(line: str, field: str) -> bool:
    """Whether `line` names `field` as a field (`field:`, `field[0]`, `.field`), not only as
    part of another word."""
    return re.search(rf"(?<![A-Za-z_]){re.escape(field)}(?![A-Za-z_])", line) is not None
