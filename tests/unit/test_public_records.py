"""Public records and blacklist entries: reading, the import formats, and every rule."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from stdnum.cn import ric

from creditmend.domain.creditfile.records import (
    BLACKLIST_FIELDS,
    PUBLIC_RECORD_FIELDS,
    BlacklistCategory,
    BlacklistEntry,
    PublicRecord,
    PublicRecordKind,
    PublicRecordStatus,
    RecordContext,
    check_blacklist_entry,
    check_public_record,
    json_schema,
    normalise_row,
    read_blacklist_entry,
    read_public_record,
)

RIC = "11010519491231002X"
D = date


def _id_is_valid(id_type: str, id_number: str) -> bool:
    return ric.is_valid(id_number) if id_type == "cn_ric" else bool(id_number)


CONTEXT = RecordContext(D(2025, 6, 15), _id_is_valid)


def _public(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "dishonest_judgment_debtor",
        "id_type": "cn_ric",
        "id_number": RIC,
        "name": "张三",
        "court": "北京市朝阳区人民法院",
        "case_number": "(2023)京0105执1234号",
        "filed_on": "2023-03-01",
        "published_on": "2023-04-10",
        "amount": "15000.00",
        "status": "performed",
        "ended_on": "2024-01-20",
        "source": "court.gov.cn/zhixing",
    }
    data.update(changes)
    return data


def _blacklist(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": "consortium",
        "category": "fraud",
        "id_type": "cn_ric",
        "id_number": RIC,
        "name": "张三",
        "listed_on": "2024-02-01",
        "expires_on": "2027-02-01",
        "reason": "forged income proof",
    }
    data.update(changes)
    return data


def _record(**changes: Any) -> PublicRecord:
    record, problems = read_public_record(_public(**changes), 3, currency="CNY")
    assert problems == ()
    assert record is not None
    return record


def _entry(**changes: Any) -> BlacklistEntry:
    entry, problems = read_blacklist_entry(_blacklist(**changes), 4)
    assert problems == ()
    assert entry is not None
    return entry


def _problems(found: tuple[Any, ...]) -> list[tuple[str, str]]:
    return [(problem.field, problem.message) for problem in found]


def test_a_public_record_reads_typed() -> None:
    record = _record()
    assert record.kind is PublicRecordKind.DISHONEST_JUDGMENT_DEBTOR
    assert record.status is PublicRecordStatus.PERFORMED
    assert (record.filed_on, record.published_on, record.ended_on) == (
        D(2023, 3, 1),
        D(2023, 4, 10),
        D(2024, 1, 20),
    )
    assert (record.amount, record.line) == (Decimal("15000.00"), 3)
    assert RIC not in repr(record)
    assert "张三" not in repr(record)
    assert check_public_record(record, CONTEXT) == ()


def test_reading_reports_every_bad_value_and_never_raises() -> None:
    data = _public(
        kind="bankrupt", filed_on="2023-02-30", amount=12.5, court=None, extra="x", status=[1]
    )
    record, problems = read_public_record(data, 7, currency="CNY")
    assert record is None
    assert {problem.line for problem in problems} == {7}
    assert [problem.field for problem in problems] == [
        "extra",
        "kind",
        "court",
        "filed_on",
        "amount",
        "status",
    ]
    _, places = read_public_record(_public(amount="1.001"), 1, currency="CNY")
    assert _problems(places) == [("amount", "1.001 has more places than CNY allows")]


AFTER_AS_OF = "2025-06-16 is after the as-of date 2025-06-15"
NOT_AFTER = "{} is not after listed_on 2024-02-01"
FUTURE_CASE = {
    "filed_on": "2025-06-16",
    "published_on": None,
    "status": "active",
    "ended_on": None,
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (FUTURE_CASE, [("filed_on", AFTER_AS_OF)]),
        ({"ended_on": "2025-06-16"}, [("ended_on", AFTER_AS_OF)]),
        ({"ended_on": "2023-02-28"}, [("ended_on", "2023-02-28 is before filed_on 2023-03-01")]),
        (
            {"published_on": "2023-02-01"},
            [("published_on", "2023-02-01 is before filed_on 2023-03-01")],
        ),
        ({"status": "active"}, [("ended_on", "must be empty when status is active")]),
        (
            {"status": "revoked", "ended_on": None},
            [("ended_on", "is required when status is revoked")],
        ),
        ({"amount": "-1.00"}, [("amount", "-1.00 must be zero or more")]),
        ({"id_number": "110105194912310021"}, [("id_number", "is not a valid cn_ric number")]),
        ({"ended_on": "2023-03-01"}, []),
        ({"status": "active", "ended_on": None, "amount": None, "published_on": None}, []),
    ],
)
def test_public_record_rules(changes: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert _problems(check_public_record(_record(**changes), CONTEXT)) == expected


def test_a_blacklist_entry_reads_typed() -> None:
    entry = _entry()
    assert entry.category is BlacklistCategory.FRAUD
    assert (entry.listed_on, entry.expires_on, entry.line) == (D(2024, 2, 1), D(2027, 2, 1), 4)
    assert RIC not in repr(entry)
    assert check_blacklist_entry(entry, CONTEXT) == ()
    _, problems = read_blacklist_entry(_blacklist(category="rude", reason="  "), 9)
    assert [p.field for p in problems] == ["category", "reason"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"listed_on": "2025-06-16", "expires_on": None}, [("listed_on", AFTER_AS_OF)]),
        ({"expires_on": "2024-02-01"}, [("expires_on", NOT_AFTER.format("2024-02-01"))]),
        ({"expires_on": "2024-01-01"}, [("expires_on", NOT_AFTER.format("2024-01-01"))]),
        ({"id_type": "passport", "id_number": "E12345678"}, []),
        ({"expires_on": "2024-02-02"}, []),
    ],
)
def test_blacklist_rules(changes: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert _problems(check_blacklist_entry(_entry(**changes), CONTEXT)) == expected


def test_field_lists_match_the_records() -> None:
    assert [spec.name for spec in PUBLIC_RECORD_FIELDS] == [
        f.name for f in fields(PublicRecord) if f.name != "line"
    ]
    assert [spec.name for spec in BLACKLIST_FIELDS] == [
        f.name for f in fields(BlacklistEntry) if f.name != "line"
    ]


def test_json_schemas_accept_good_rows_and_refuse_bad_ones() -> None:
    public = Draft202012Validator(json_schema(PUBLIC_RECORD_FIELDS, "public record"))
    blacklist = Draft202012Validator(json_schema(BLACKLIST_FIELDS, "blacklist entry"))
    Draft202012Validator.check_schema(public.schema)
    assert list(public.iter_errors(_public())) == []
    assert list(public.iter_errors(_public(ended_on=None, published_on=None))) == []
    assert list(blacklist.iter_errors(_blacklist(expires_on=None))) == []
    assert len(list(public.iter_errors(_public(kind="x", amount=5, court=None)))) == 3
    assert len(list(blacklist.iter_errors(_blacklist(unknown="y")))) == 1


def test_csv_rows_normalise_to_the_json_form() -> None:
    row = {key: (value or "") for key, value in _blacklist(expires_on=None).items()}
    row["reason"] = "  lost contact  "
    normalised = normalise_row(row)
    assert normalised["expires_on"] is None
    assert normalised["reason"] == "lost contact"
    entry, problems = read_blacklist_entry(normalised, 2)
    assert problems == ()
    assert entry is not None
    assert replace(entry, expires_on=D(2030, 1, 1)).expires_on == D(2030, 1, 1)
