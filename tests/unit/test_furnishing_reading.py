"""Reading furnishing files fast must read exactly what the plain way reads.

- a record without problems is read in one pass (`_read_clean`); it must give the record the
  field-by-field reader gives, and give up on every record that reader finds a problem with;
- JSON Lines are parsed by orjson, falling back to the standard library for what orjson reads
  differently; the rows must be those the standard library gives;
- a JSON Lines file read shard by shard gives the rows of the file read at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditmend.adapters.furnishing_files import MAX_LINE, RowStream, read_rows
from creditmend.domain.creditfile import furnishing as f
from creditmend.domain.problems import Problem, ProblemsError

RIC = "11010519491231002X"
GOOD: dict[str, Any] = {
    "furnisher_id": "LENDER1",
    "account_id": "A-1",
    "period": "2025-05",
    "id_type": "cn_ric",
    "id_number": RIC,
    "name": "张三",
    "account_type": "online_consumer_loan",
    "currency": "CNY",
    "opened_on": "2025-01-10",
    "principal": "12000.00",
    "term_months": 12,
    "scheduled_amount": "1066.19",
    "paid_amount": "1066.19",
    "balance": "7900.00",
    "past_due_amount": "0",
    "days_past_due": 0,
    "status": "open",
    "closed_on": None,
    "last_payment_on": "2025-05-10",
    "first_delinquency_on": None,
    "negative_notice_on": None,
    "remarks": ["guarantor_paid"],
}

# Values each field may take in a test: good ones, and every kind of bad one.
ODD_VALUES = [
    None, "", " ", "x", "2025-13", "2025-02-30", "2025-05", "2025-05-10", "1899-12-31",
    "12.345", "12.34", "-1.00", "1e3", "NaN", "Infinity", 0, 1, -1, 12, True, False, 1.0, 1.5,
    2**70, [], ["fraud"], [1], {}, {"a": 1}, "JPY", "usd", "cn_ric", "passport",
    "credit_card", "settled", "charged_off", "CNY",
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    record = dict(GOOD)
    for name in draw(st.lists(st.sampled_from(f.FIELDS), max_size=4, unique=True)):
        if draw(st.booleans()):
            record.pop(name, None)
        else:
            record[name] = draw(st.sampled_from(ODD_VALUES))
    if draw(st.integers(0, 9)) == 0:
        record[draw(st.sampled_from(["extra", "Period", "note"]))] = "x"
    return record


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(mutated(), st.integers(1, 10**6))
def test_the_one_pass_reader_agrees_with_the_field_by_field_one(
    data: dict[str, Any], line: int
) -> None:
    expected = f._read_by_field(data, line, "CNY")
    assert f.read_record(data, line, default_currency="CNY") == expected
    clean = f._read_clean(data, line, "CNY")
    assert clean == expected[0]  # None exactly when the field-by-field reader finds problems
    if clean is not None:
        assert (
            tuple(type(getattr(clean, name)) for name in f.FIELDS)
            == tuple(type(getattr(expected[0], name)) for name in f.FIELDS)  # True is not 1
        )


def test_a_value_remembered_for_one_type_is_not_given_for_another() -> None:
    # 1 is a whole number of days; True and 1.0 are not, even after 1 was read.
    assert f.read_record({**GOOD, "days_past_due": 1}, 1, default_currency="CNY")[0] is not None
    for odd in (True, 1.0):
        record, problems = f.read_record({**GOOD, "days_past_due": odd}, 2, default_currency="CNY")
        assert record is None
        assert [p.field for p in problems] == ["days_past_due"]


# --- JSON Lines -------------------------------------------------------------------------------


def _first_key_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise KeyError(key)
        seen.add(key)
    return dict(pairs)


def _stdlib_rows(data: bytes) -> list[tuple[int, Any]]:
    """How the standard library alone reads a JSON Lines file (the reference)."""
    rows: list[tuple[int, Any]] = []
    for number, raw in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            rows.append((number, Problem("line", "is not UTF-8 text", number)))
            continue
        if len(text) > MAX_LINE:
            rows.append(
                (number, Problem("line", f"is longer than {MAX_LINE:,} characters", number))
            )
            continue
        try:
            value = json.loads(text, object_pairs_hook=_first_key_twice)
        except KeyError as twice:  # a key given twice is refused, never the last one kept
            rows.append((number, Problem(twice.args[0], "appears twice", number)))
            continue
        except json.JSONDecodeError as error:
            message = f"is not JSON ({error.msg}, column {error.colno})"
            rows.append((number, Problem("line", message, number)))
            continue
        except (ValueError, RecursionError):
            message = "holds a value too large or too deeply nested"
            rows.append((number, Problem("line", message, number)))
            continue
        if not isinstance(value, dict):
            rows.append((number, Problem("line", "is not a JSON object", number)))
            continue
        rows.append((number, value))
    return rows


TRICKY_LINES = [
    json.dumps(GOOD, ensure_ascii=False).encode(),
    b'{"a": NaN}',
    b'{"a": Infinity, "b": -Infinity}',
    b'{"a": 123456789012345678901234567890}',
    b'{"a": -9223372036854775809}',
    b'{"a": 18446744073709551616}',
    b'{"remarks": [1, 2.5, {"x": 1e400}]}',
    b'{"a": 1e400}',
    b'{"a": "\\ud800"}',
    b'{"a": "\xed\xa0\x80"}',
    b'{"a": 1, "a": 2}',
    b'{"a": 1}\r',
    b"  ",
    b"",
    b"[1, 2]",
    b'"text"',
    b"{not json",
    b"\xff\xfe",
    b'{"a": "\x01"}',
    b'{"a": 1} {"b": 2}',
    b"[" * 5000 + b"]" * 5000,
    b'{"x": ' + b"[" * 980 + b"]" * 980 + b"}",
    b'{"a": "' + b"x" * (MAX_LINE + 1) + b'"}',
    b'{"a": "' + "张".encode() * (MAX_LINE // 2) + b'"}',
    b"\x0c",
    b'{"a": 1}\x0c',
]


@pytest.mark.parametrize("bom", [False, True])
def test_json_lines_read_as_the_standard_library_reads_them(tmp_path: Path, bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + b"\n".join(TRICKY_LINES) + b"\n"
    path = tmp_path / "tricky.jsonl"
    path.write_bytes(data)
    assert list(read_rows(path, "jsonl")) == _stdlib_rows(data)


def test_the_shards_of_a_file_hold_its_rows(tmp_path: Path) -> None:
    lines = [
        *TRICKY_LINES[:20],
        *(json.dumps({**GOOD, "account_id": f"A{i}"}).encode() for i in range(50)),
    ]
    data = b"\xef\xbb\xbf" + b"\n".join(lines)  # no line end after the last line
    path = tmp_path / "big.jsonl"
    path.write_bytes(data)
    expected = list(read_rows(path, "jsonl"))
    for size in (1, 7, 300, 2_000, len(data), 10 * len(data)):
        stream = RowStream(path, "jsonl")
        shards = stream.shards(size)
        assert shards is not None
        assert sum(size for _, size, _ in shards) == len(data)
        assert [row for shard in shards for row in stream.rows_of(shard)] == expected


def test_csv_is_not_cut_into_shards(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("furnisher_id\nX\n", "utf-8")
    assert RowStream(path, "csv").shards(1) is None


def test_an_empty_or_unreadable_file_is_one_problem(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b" \n\n\t\n")
    for stream in (read_rows(empty, "jsonl"), read_rows(empty, "csv")):
        with pytest.raises(ProblemsError, match="has no records"):
            list(stream)
    with pytest.raises(ProblemsError, match="has no records"):
        RowStream(empty, "jsonl").shards(10)
    with pytest.raises(ProblemsError, match="cannot read"):
        list(read_rows(tmp_path / "missing.jsonl", "jsonl"))
    with pytest.raises(ProblemsError, match="unknown format"):
        list(read_rows(empty, "xml"))


def test_csv_not_utf8_late_in_the_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    header = ",".join(GOOD) + "\n"
    good = ",".join("x" for _ in GOOD) + "\n"
    path.write_bytes(header.encode() + good.encode() * 5000 + b"\xff\xfe,bad\n" + good.encode())
    rows = read_rows(path, "csv")
    with pytest.raises(ProblemsError) as raised:
        list(rows)
    assert [(p.field, p.line) for p in raised.value.problems] == [("file", 5002)]
