"""CMF v1: the schema file, CSV normalisation, reading records, and every consistency rule."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from stdnum.cn import ric

from creditmend.domain.creditfile import furnishing as f
from creditmend.domain.creditfile.furnishing import (
    FIELDS,
    AccountStatus,
    AccountType,
    FurnishedRecord,
    FurnishingContext,
    IdType,
    check_record,
    normalise_csv_row,
    read_record,
)

RIC = "11010519491231002X"
# The table of DESIGN.md, "Furnishing format (CMF v1)", field by field.
DESIGN_FIELDS = {
    "furnisher_id", "account_id", "period", "id_type", "id_number", "name", "account_type",
    "currency", "opened_on", "principal", "credit_limit", "term_months", "scheduled_amount",
    "paid_amount", "balance", "past_due_amount", "days_past_due", "status", "closed_on",
    "last_payment_on", "first_delinquency_on", "negative_notice_on", "remarks",
}  # fmt: skip


def _schema() -> dict[str, Any]:
    text = resources.files("creditmend.schemas").joinpath("cmf_v1.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _id_is_valid(id_type: str, id_number: str) -> bool:
    return ric.is_valid(id_number) if id_type == "cn_ric" else bool(id_number)


CONTEXT = FurnishingContext(date(2025, 6, 15), frozenset({"LENDER1"}), _id_is_valid)

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
    "remarks": [],
}


def _record(**changes: Any) -> FurnishedRecord:
    record, problems = read_record(GOOD, 7, default_currency="CNY")
    assert problems == () and record is not None
    return replace(record, **changes)


def _fields(record: FurnishedRecord) -> list[str]:
    return [problem.field for problem in check_record(record, CONTEXT)]


# --- the schema -------------------------------------------------------------------------------


def test_schema_is_valid_json_schema_with_the_design_fields() -> None:
    schema = _schema()
    Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) == DESIGN_FIELDS == set(FIELDS)
    assert schema["additionalProperties"] is False
    optional = {"currency", "principal", "credit_limit", "term_months", "remarks"}
    optional |= set(f.DATE_FIELDS)
    assert set(schema["required"]) == DESIGN_FIELDS - optional
    assert schema["properties"]["currency"]["default"] == "CNY"


def test_schema_enums_are_the_domain_enums() -> None:
    properties = _schema()["properties"]
    assert properties["id_type"]["enum"] == [member.value for member in IdType]
    assert properties["account_type"]["enum"] == [member.value for member in AccountType]
    assert properties["status"]["enum"] == [member.value for member in AccountStatus]
    remarks = properties["remarks"]["items"]["enum"]
    assert {f.GUARANTOR_PAID, f.ASSET_REPAID, "fraud", "deceased"} <= set(remarks)


def _schema_errors(record: dict[str, Any]) -> list[str]:
    return [error.message for error in Draft202012Validator(_schema()).iter_errors(record)]


def test_schema_accepts_a_good_record_and_a_revolving_one() -> None:
    assert _schema_errors(GOOD) == []
    card = {**GOOD, "account_type": "credit_card", "term_months": None, "credit_limit": "5000"}
    del card["principal"]
    assert _schema_errors(card) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"credit_limit": "5000"},  # both principal and credit_limit
        {"principal": None},  # neither
        {"period": "2025-5"},
        {"opened_on": "2025/01/10"},
        {"balance": "1.005"},
        {"balance": 12.5},
        {"days_past_due": -1},
        {"term_months": 0},
        {"status": "written_off"},
        {"remarks": ["bankrupt"]},
        {"currency": "cny"},
        {"id_number": "1101051949123100"},  # cn_ric has 18 characters
        {"extra": "x"},
    ],
)
def test_schema_refuses_bad_records(changes: dict[str, Any]) -> None:
    assert _schema_errors({**GOOD, **changes}) != []


# --- CSV normalisation ------------------------------------------------------------------------


def test_csv_row_becomes_the_json_form_and_validates() -> None:
    row = {key: "" if value is None else str(value) for key, value in GOOD.items()}
    row |= {"remarks": "guarantor_paid| fraud ;", "currency": "", "days_past_due": " 0 "}
    normal = normalise_csv_row(row)
    assert normal["remarks"] == ["guarantor_paid", "fraud"]
    assert normal["term_months"] == 12 and normal["days_past_due"] == 0
    assert normal["closed_on"] is None and "currency" not in normal
    assert normal["balance"] == "7900.00"
    assert _schema_errors(normal) == []
    record, problems = read_record(normal, 3, default_currency="CNY")
    assert problems == () and record is not None and record.currency == "CNY"


def test_csv_keeps_bad_integers_as_text_for_the_schema_to_name() -> None:
    assert normalise_csv_row({"term_months": "12.5", "remarks": ""}) == {
        "term_months": "12.5",
        "remarks": [],
    }


# --- reading ----------------------------------------------------------------------------------


def test_read_record_types_every_field() -> None:
    record = _record()
    assert record.period == date(2025, 5, 1) and record.period_end == date(2025, 5, 31)
    assert record.balance == Decimal("7900.00") and record.credit_limit is None
    assert record.status is AccountStatus.OPEN and record.id_type is IdType.CN_RIC
    assert record.key == ("LENDER1", "A-1", date(2025, 5, 1))
    assert record.line == 7 and record.remarks == ()
    assert RIC not in repr(record) and "张三" not in repr(record)


def test_read_record_reports_every_bad_value_with_field_and_line() -> None:
    bad = {**GOOD, "period": "2025-13", "balance": "x", "opened_on": "2025-02-30"}
    bad |= {"status": "gone", "days_past_due": "3", "credit_limit": "1", "name": None}
    record, problems = read_record(bad, 12, default_currency="CNY")
    assert record is None
    assert {p.line for p in problems} == {12}
    assert {p.field for p in problems} == {
        "period", "balance", "opened_on", "status", "days_past_due", "principal", "name",
    }  # fmt: skip


def test_read_record_checks_places_against_the_currency() -> None:
    record, problems = read_record({**GOOD, "currency": "JPY"}, 2, default_currency="CNY")
    assert record is None and {p.field for p in problems} == {"scheduled_amount", "paid_amount"}


# --- rules ------------------------------------------------------------------------------------


def test_the_good_record_passes_every_rule() -> None:
    assert check_record(_record(), CONTEXT) == ()


def test_a_cn_ric_test_number_is_real() -> None:
    assert ric.is_valid(RIC)


OVERDUE = {
    "days_past_due": 20,
    "past_due_amount": Decimal("1066.19"),
    "first_delinquency_on": date(2025, 5, 11),
    "negative_notice_on": date(2025, 5, 20),
}
SETTLED = {
    "status": AccountStatus.SETTLED,
    "balance": Decimal(0),
    "closed_on": date(2025, 5, 20),
}
CARD = {
    "account_type": AccountType.CREDIT_CARD,
    "principal": None,
    "credit_limit": Decimal(5000),
    "term_months": None,
}

CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("furnisher unknown", {"furnisher_id": "NOBODY"}, ["furnisher_id"]),
    ("cn_ric checksum", {"id_number": "110105194912310021"}, ["id_number"]),
    ("period after as-of month", {"period": date(2025, 7, 1)}, ["period"]),
    ("period is the as-of month", {"period": date(2025, 6, 1)}, []),
    (
        "opened after period end",
        {"opened_on": date(2025, 6, 1)},
        ["opened_on", "last_payment_on"],
    ),
    ("opened on period end", {"opened_on": date(2025, 5, 31), "last_payment_on": None}, []),
    ("negative amount", {"paid_amount": Decimal(-1)}, ["paid_amount"]),
    ("zero principal", {"principal": Decimal(0)}, ["principal"]),
    ("negative credit line", {**CARD, "credit_limit": Decimal(-1)}, ["credit_limit"]),
    ("past due over balance", {**OVERDUE, "balance": Decimal(1000)}, ["past_due_amount"]),
    ("settled", SETTLED, []),
    ("settled with balance", {**SETTLED, "balance": Decimal(1)}, ["balance"]),
    (
        "closed while overdue",
        {**SETTLED, **OVERDUE, "status": AccountStatus.CLOSED, "balance": Decimal(2000)},
        ["balance", "days_past_due"],
    ),
    ("overdue", OVERDUE, []),
    ("overdue days, no amount", {**OVERDUE, "past_due_amount": Decimal(0)}, ["past_due_amount"]),
    (
        "restructured overdue days, no amount",
        {**OVERDUE, "status": AccountStatus.RESTRUCTURED, "past_due_amount": Decimal(0)},
        ["past_due_amount"],
    ),
    ("amount without days", {"past_due_amount": Decimal(5)}, ["past_due_amount"]),
    ("settled without closed_on", {**SETTLED, "closed_on": None}, ["closed_on"]),
    (
        "charged off without closed_on (still owed)",
        {**OVERDUE, "status": AccountStatus.CHARGED_OFF},
        [],
    ),
    (
        "transferred without closed_on",
        {"status": AccountStatus.TRANSFERRED},
        ["closed_on"],
    ),
    (
        "transferred",
        {"status": AccountStatus.TRANSFERRED, "closed_on": date(2025, 5, 3)},
        [],
    ),
    ("open with closed_on", {"closed_on": date(2025, 5, 3)}, ["closed_on"]),
    ("closed before opened", {**SETTLED, "closed_on": date(2024, 12, 1)}, ["closed_on"]),
    ("closed after period", {**SETTLED, "closed_on": date(2025, 6, 2)}, ["closed_on"]),
    ("payment before opening", {"last_payment_on": date(2025, 1, 9)}, ["last_payment_on"]),
    ("payment after period", {"last_payment_on": date(2025, 6, 1)}, ["last_payment_on"]),
    (
        "delinquency after period",
        {**OVERDUE, "first_delinquency_on": date(2025, 6, 1)},
        ["first_delinquency_on"],
    ),
    (
        "overdue without start",
        {**OVERDUE, "first_delinquency_on": None},
        ["first_delinquency_on"],
    ),
    ("overdue without notice", {**OVERDUE, "negative_notice_on": None}, ["negative_notice_on"]),
    (
        "notice after period",
        {**OVERDUE, "negative_notice_on": date(2025, 6, 3)},
        ["negative_notice_on"],
    ),
    (
        "charged off without notice",
        {
            "status": AccountStatus.CHARGED_OFF,
            "closed_on": date(2025, 5, 31),
            "first_delinquency_on": date(2025, 3, 1),
        },
        ["negative_notice_on"],
    ),
    ("notice kept on a cured month", {"negative_notice_on": date(2025, 3, 1)}, []),
    ("credit card", CARD, []),
    ("card with term", {**CARD, "term_months": 12}, ["term_months"]),
    (
        "card with principal",
        {**CARD, "credit_limit": None, "principal": Decimal(1)},
        ["credit_limit"],
    ),
]


@pytest.mark.parametrize(("changes", "fields"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(changes: dict[str, Any], fields: list[str]) -> None:
    assert _fields(_record(**changes)) == fields


def test_every_rule_is_exercised_and_problems_carry_the_line() -> None:
    fired = set()
    for _, changes, _ in CASES:
        record = _record(**changes)
        for rule in f.RULES:
            for problem in rule(record, CONTEXT):
                assert problem.line == 7
                fired.add(rule.__name__)
    fired.update(rule.__name__ for rule in SENDER_RULES)  # exercised below
    assert fired == {rule.__name__ for rule in f.RULES}


SENDER_RULES = (f.furnisher_is_sender,)
BOTH = replace(CONTEXT, known_furnishers=frozenset({"LENDER1", "LENDER2"}))


def test_a_known_sender_may_furnish_its_own_records_only() -> None:
    assert check_record(_record(), replace(BOTH, sender="LENDER1")) == ()
    assert check_record(_record(), BOTH) == ()  # no sender known: a file of the CLI
    (problem,) = check_record(_record(), replace(BOTH, sender="LENDER2"))
    assert (problem.field, problem.line) == ("furnisher_id", 7)
    assert "'LENDER1' is another furnisher" in problem.message
    # an unknown code is told once, as unknown
    (unknown,) = check_record(_record(furnisher_id="NOPE"), replace(BOTH, sender="LENDER2"))
    assert unknown.message == "'NOPE' is not registered"


def test_id_problem_does_not_repeat_the_number() -> None:
    (problem,) = check_record(_record(id_number="110105194912310021"), CONTEXT)
    assert "110105194912310021" not in problem.message
