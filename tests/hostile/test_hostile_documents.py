"""Hostile values in the documents a person brings: objection evidence (`object file
--evidence`), loan files (`loan simulate FILE`) and plan files (`plan FILE`). Each is refused with
one line naming the field; evidence is refused before anything is stored."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from planting import assert_refused, json_text, run, store_dump, write_jsonl, write_text
from strategies import (
    NOT_FINITE,
    NOT_NUMBERS,
    Raw,
    amounts,
    counts,
    future_dates,
    hostile_text,
    impossible_dates,
    impossible_periods,
    wrong_shapes,
)
from test_hostile_furnishing import _KEY

pytestmark = pytest.mark.slow  # a few hundred commands in process (make test runs them)

EXAMPLES = Path(__file__).parents[2] / "examples"
RIC = "11010519491231002X"
FILED_ON = "2026-05-11"
RECORD = "account:LENDER1:A-1:2026-04"
MONTH = {
    "furnisher_id": "LENDER1", "account_id": "A-1", "id_type": "cn_ric", "id_number": RIC,
    "name": "张三", "account_type": "online_consumer_loan", "opened_on": "2026-01-10",
    "principal": "12000.00", "term_months": 12, "scheduled_amount": "1100.16",
    "balance": "9000.00", "status": "open", "period": "2026-04", "paid_amount": "0.00",
    "past_due_amount": "1100.16", "days_past_due": 20, "last_payment_on": "2026-03-10",
    "first_delinquency_on": "2026-04-11", "negative_notice_on": "2026-04-12",
}  # fmt: skip
EVIDENCE: dict[str, list[dict[str, Any]]] = {
    "bank_balances": [{"on": "2026-04-10", "amount": "3000.00"}],
    "payments": [{"on": "2026-04-25", "amount": "300.00"}],
    "deduction_attempts": [{"on": "2026-04-10", "result": "failed", "reason": "platform_error"}],
    "files": [{"name": "statement.pdf", "sha256": "0" * 64}],
}
_DATE = impossible_dates() | future_dates(date.fromisoformat(FILED_ON))
_AMOUNT = amounts()
EVIDENCE_HOSTILE: dict[tuple[str, str], st.SearchStrategy[object]] = {
    ("bank_balances", "on"): _DATE,
    ("bank_balances", "amount"): _AMOUNT,
    ("payments", "on"): _DATE,
    ("payments", "amount"): _AMOUNT,
    ("deduction_attempts", "on"): _DATE,
    ("deduction_attempts", "result"): hostile_text() | wrong_shapes(),
    ("deduction_attempts", "reason"): hostile_text() | wrong_shapes(),
    ("files", "name"): hostile_text() | wrong_shapes(),
    ("files", "sha256"): hostile_text() | wrong_shapes() | st.just("A" * 64),
}


def _bureau(tmp_path: Path, url: str) -> dict[str, str]:
    env = {"CREDITMEND_DB": url, "CREDITMEND_KEY": "" if url.startswith("sqlite") else _KEY}
    steps = [
        ("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank"),
        ("ingest", str(write_jsonl(tmp_path / "m.jsonl", [MONTH])), "--as-of", FILED_ON),
    ]
    for step in steps:
        done = run(*step, env=env)
        assert done.returncode == 0, done.stderr
    return env


def test_evidence_refuses_every_hostile_value(tmp_path: Path, db_url: str) -> None:
    env = _bureau(tmp_path, db_url)
    before = store_dump(db_url)
    keys = sorted(EVIDENCE_HOSTILE)

    @settings(max_examples=25 if db_url.startswith("sqlite") else 6, deadline=None)
    @given(
        case=st.sampled_from(keys).flatmap(
            lambda key: st.tuples(st.just(key), EVIDENCE_HOSTILE[key])
        )
    )
    @example(case=(("bank_balances", "amount"), Raw("1e400")))
    @example(case=(("payments", "on"), "2026-02-30"))
    def check(case: tuple[tuple[str, str], object]) -> None:
        (listed, key), value = case
        evidence = {**EVIDENCE, listed: [{**EVIDENCE[listed][0], key: value}]}
        path = write_text(tmp_path / "evidence.json", json_text(evidence))
        done = run(
            "object", "file", "cn_ric", RIC, "--record", RECORD, "--reason",
            "deduction_failed_not_my_fault", "--evidence", str(path), "--as-of", FILED_ON,
            env=env,
        )  # fmt: skip
        assert_refused(done, f"{listed}[0].{key}")
        assert store_dump(db_url) == before

    check()


def test_evidence_that_is_not_evidence(tmp_path: Path) -> None:
    """Structure: not an object, lists that are not lists, nesting beyond reason, NaN."""
    env = _bureau(tmp_path, f"sqlite:///{tmp_path / 'bureau.db'}")
    for text, field in [
        ("[]", "evidence"), ("NaN", "evidence"), ("1e400", "evidence"), ('"x"', "evidence"),
        ('{"bank_balances": {}}', "bank_balances"), ('{"payments": [1]}', "payments[0]"),
        ("[" * 100_000, "evidence"), ('{"x": []}', "x"),
        ('{"bank_balances": [{"on": "2026-04-10", "amount": "1", "amount": "2"}]}', "amount"),
    ]:  # fmt: skip
        path = write_text(tmp_path / "structure.json", text)
        done = run(
            "object", "file", "cn_ric", RIC, "--record", RECORD, "--reason",
            "deduction_failed_not_my_fault", "--evidence", str(path), "--as-of", FILED_ON,
            env=env,
        )  # fmt: skip
        assert_refused(done, field)


# --- loan and plan files (YAML): nothing is stored; the file is refused ----------------------
LOAN = (EXAMPLES / "jiebei-overdue.yaml").read_text("utf-8")
PLAN = (EXAMPLES / "plan.yaml").read_text("utf-8")


def _rates() -> st.SearchStrategy[object]:
    """Values no rate or multiplier takes: not finite, not numbers, negative, floats, shapes."""
    return st.one_of(
        st.sampled_from([*NOT_FINITE, *NOT_NUMBERS, "-0.18", "9" * 40]),
        st.sampled_from([Raw("1e400"), Raw(".nan"), Raw(".inf")]),
        wrong_shapes(),
    )


# (field as the error names it, the text in the example to replace, what to plant)
LOAN_FIELDS: list[tuple[str, str, st.SearchStrategy[object]]] = [
    ("contract.id", "id: jiebei-1", hostile_text() | wrong_shapes()),
    ("contract.platform", "platform: Jiebei", hostile_text() | wrong_shapes()),
    ("contract.principal", 'principal: "12000.00"', amounts(zero=True)),
    ("contract.annual_rate", 'annual_rate: "0.18"', _rates()),
    ("contract.term_months", "term_months: 12", counts(least=1, most=600)),
    ("contract.disbursed_on", "disbursed_on: 2026-01-10", impossible_dates()),
    (
        "contract.grace_days",
        "grace_days: 0 ",
        counts(least=0, most=0).filter(lambda v: not isinstance(v, int) or v < 0 or v > 10_000),
    ),
    ("contract.penalty.multiplier", 'multiplier: "1.5"', _rates()),
    ("events[0].on", "{on: 2026-02-10", impossible_dates()),
    ("events[0].amount", 'amount: "1100.16"', amounts(zero=True)),
    ("events[2].bank_balance", 'bank_balance: "5000.00"', amounts()),
]
PLAN_FIELDS: list[tuple[str, str, st.SearchStrategy[object]]] = [
    ("loans[0].contract.platform", "platform: Jiebei", hostile_text() | wrong_shapes()),
    ("loans[0].contract.principal", 'principal: "12000.00"', amounts(zero=True)),
    ("loans[0].contract.disbursed_on", "disbursed_on: 2026-01-10", impossible_dates()),
    ("cash_flow.monthly_income", 'monthly_income: "8000.00"', amounts()),
    ("cash_flow.cash_on_hand", 'cash_on_hand: "1000.00"', amounts()),
    ("cash_flow.months[0].month", "month: 2026-12", impossible_periods()),
    ("cash_flow.months[0].income", 'income: "11000.00"', amounts()),
    ("one_off[0].on", "{on: 2027-01-15", impossible_dates()),
    ("one_off[0].amount", 'amount: "3000.00"', amounts(zero=True)),
    ("one_off[1].repay_from", "repay_from: 2027-06-01", impossible_dates()),
    ("preferences.horizon_months", "horizon_months: 36", counts(least=1, most=120)),
    (
        "preferences.above_cap",
        "above_cap: dispute",
        (hostile_text() | wrong_shapes()).filter(lambda v: v not in ("dispute", "pay")),
    ),
]


def _yaml_value(value: object, field: str) -> str | None:
    """`value` as YAML flow text (JSON is), or None where YAML does not say it: a float in YAML
    is read as text ("12.5", a good amount), and a whole number is an exact amount."""
    if isinstance(value, float):
        return None
    amount = not field.endswith(("term_months", "grace_days", "horizon_months"))
    if amount and isinstance(value, int) and not isinstance(value, bool):
        return None
    return json_text(value)


def _planted(document: str, field: str, old: str, value: object) -> str | None:
    shown = _yaml_value(value, field)
    if shown is None:
        return None
    key = old.split(":", 1)[0]
    trailing = " " if old.endswith(" ") else ""
    return document.replace(old, f"{key}: {shown}{trailing}", 1)


def _case(fields: list[tuple[str, str, st.SearchStrategy[object]]]) -> st.SearchStrategy[Any]:
    return st.sampled_from(range(len(fields))).flatmap(
        lambda index: st.tuples(st.just(fields[index][:2]), fields[index][2])
    )


@settings(max_examples=30, deadline=None)
@given(case=_case(LOAN_FIELDS))
@example(case=(("contract.principal", 'principal: "12000.00"'), "1e400"))
@example(case=(("contract.platform", "platform: Jiebei"), "\ud800x"))
@example(case=(("contract.id", "id: jiebei-1"), False))
@example(case=(("contract.principal", 'principal: "12000.00"'), "12000.001"))
@example(case=(("contract.term_months", "term_months: 12"), 10**30))
@example(case=(("contract.disbursed_on", "disbursed_on: 2026-01-10"), "2026-02-30"))
def test_loan_file_refuses_every_hostile_value(
    tmp_path_factory: Any, case: tuple[tuple[str, str], object]
) -> None:
    (field, old), value = case
    text = _planted(LOAN, field, old, value)
    if text is None:
        return
    path = write_text(tmp_path_factory.mktemp("loan") / "loan.yaml", text)
    done = run("loan", "simulate", str(path), "--as-of", "2026-06-30", env={})
    assert_refused(done, field)


@settings(max_examples=25, deadline=None)
@given(case=_case(PLAN_FIELDS))
@example(case=(("cash_flow.monthly_income", 'monthly_income: "8000.00"'), "NaN"))
@example(case=(("loans[0].contract.platform", "platform: Jiebei"), True))
@example(case=(("loans[0].contract.principal", 'principal: "12000.00"'), "1_000"))
@example(case=(("one_off[0].amount", 'amount: "3000.00"'), "１２"))
@example(case=(("cash_flow.months[0].month", "month: 2026-12"), "0000-00"))
@example(case=(("preferences.horizon_months", "horizon_months: 36"), 10**30))
@example(case=(("preferences.above_cap", "above_cap: dispute"), "Dispute"))
def test_plan_file_refuses_every_hostile_value(
    tmp_path_factory: Any, case: tuple[tuple[str, str], object]
) -> None:
    (field, old), value = case
    text = _planted(PLAN, field, old, value)
    if text is None:
        return
    path = write_text(tmp_path_factory.mktemp("plan") / "plan.yaml", text)
    done = run("plan", str(path), "--as-of", "2026-07-01", "--format", "json", env={})
    assert_refused(done, field)
