"""Hostile values in furnishing files (`ingest`, JSON Lines and CSV) and furnisher lists
(`furnisher import`): each is refused with one line naming the field, the store unchanged."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from planting import assert_refused, run, store_dump, write_csv, write_jsonl, write_text
from strategies import (
    Raw,
    amounts,
    counts,
    future_dates,
    future_periods,
    hostile_text,
    impossible_dates,
    impossible_periods,
    wrong_shapes,
)

pytestmark = pytest.mark.slow  # a few hundred commands in process (make test runs them)

AS_OF = "2025-06-01"
PERIOD_END = date(2025, 5, 31)
RIC = "11010519491231002X"
RECORD: dict[str, Any] = {
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
    "past_due_amount": "0.00",
    "days_past_due": 0,
    "status": "open",
    "closed_on": None,
    "last_payment_on": "2025-05-10",
    "first_delinquency_on": None,
    "negative_notice_on": None,
    "remarks": [],
}
TEXT = ("furnisher_id", "account_id", "id_number", "name")
CHOICES = ("id_type", "account_type", "status", "currency")
OPTIONAL = frozenset({"term_months", "closed_on", "first_delinquency_on", "negative_notice_on"})
LATER = future_dates(PERIOD_END)
# What each field refuses, beyond hostile text: numbers and dates at their limits.
HOSTILE: dict[str, st.SearchStrategy[object]] = {
    **{name: hostile_text() for name in TEXT},
    **{name: hostile_text() | wrong_shapes() for name in CHOICES},
    "period": impossible_periods() | future_periods(date.fromisoformat(AS_OF)),
    "opened_on": impossible_dates() | LATER,
    "principal": amounts(zero=True),
    **{name: amounts() for name in ("scheduled_amount", "paid_amount", "balance")},
    "past_due_amount": amounts().filter(lambda value: not _negative_text(value)),
    "term_months": counts(least=1, most=600),
    "days_past_due": counts(least=0, most=0),
    "closed_on": impossible_dates(),
    "last_payment_on": impossible_dates() | LATER,
    "first_delinquency_on": impossible_dates() | LATER,
    "negative_notice_on": impossible_dates(),
    "remarks": st.lists(hostile_text(), min_size=1, max_size=2) | st.sampled_from(["x", 1, {}]),
}


def _negative_text(value: object) -> bool:
    """A negative past-due amount is refused twice (negative, and not agreeing with 0 days
    past due); the first reject still names it, but it is left to the other amounts."""
    return isinstance(value, str) and value.startswith("-")


def planted(field: str, value: object) -> dict[str, Any]:
    return {**RECORD, field: value}


def furnished_store(tmp_path: Path, url: str) -> dict[str, str]:
    env = {"CREDITMEND_DB": url, "CREDITMEND_KEY": "" if url.startswith("sqlite") else _KEY}
    steps = [
        ("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank"),
        ("ingest", str(write_jsonl(tmp_path / "base.jsonl", [RECORD])), "--as-of", AS_OF),
    ]
    for step in steps:
        done = run(*step, env=env)
        assert done.returncode == 0, done.stderr
    return env


_KEY = "hQ4Vx3NmB0i3Cdhd0bBdO3eYwQ6cSiZMC3B1r7mq2Xo="


def _field_and_value() -> st.SearchStrategy[tuple[str, object]]:
    return st.sampled_from(sorted(HOSTILE)).flatmap(
        lambda field: st.tuples(st.just(field), HOSTILE[field])
    )


def _ingest_refuses(
    tmp_path: Path, env: dict[str, str], before: Any, fmt: str, field: str, value: object
) -> None:
    url = env["CREDITMEND_DB"]
    record = planted(field, value)
    if fmt == "jsonl":
        path = write_jsonl(tmp_path / "hostile.jsonl", [record])
    else:
        path = write_csv(tmp_path / "hostile.csv", [record])
    done = run("ingest", str(path), "--as-of", AS_OF, env=env)
    assert_refused(done, field)
    assert store_dump(url) == before


def test_jsonl_ingest_refuses_every_hostile_value(tmp_path: Path, db_url: str) -> None:
    env = furnished_store(tmp_path, db_url)
    before = store_dump(db_url)

    @settings(max_examples=20 if db_url.startswith("sqlite") else 6, deadline=None)
    @given(case=_field_and_value())
    @example(case=("principal", Raw("1e400")))
    @example(case=("principal", "NaN"))
    @example(case=("principal", "12000.001"))
    @example(case=("days_past_due", Raw("NaN")))
    @example(case=("period", "0001-01"))
    @example(case=("period", "2199-12"))
    @example(case=("opened_on", "2025-02-30"))
    @example(case=("name", "\ud800x"))
    def check(case: tuple[str, object]) -> None:
        _ingest_refuses(tmp_path, env, before, "jsonl", *case)

    check()


def _csv_value(case: tuple[str, object]) -> bool:
    """Whether the value can stand in a CSV cell and is still refused there: CSV has only
    text, strips every cell, and reads a whole number for a count and an empty cell as null."""
    field, value = case
    if not isinstance(value, str) or field == "remarks" or value != value.strip():
        return False
    if any("\ud800" <= char <= "\udfff" for char in value):
        return False  # not text in a file: a lone surrogate is bytes that are not UTF-8
    if not value and field in OPTIONAL:
        return False
    return not (field in ("term_months", "days_past_due") and re.fullmatch(r"\+?0*12", value))


def test_csv_ingest_refuses_every_hostile_value(tmp_path: Path, db_url: str) -> None:
    env = furnished_store(tmp_path, db_url)
    before = store_dump(db_url)

    @settings(max_examples=25 if db_url.startswith("sqlite") else 6, deadline=None)
    @given(case=_field_and_value().filter(_csv_value))
    @example(case=("days_past_due", "1" + "0" * 5000))
    @example(case=("principal", "1e400"))
    @example(case=("period", "0001-01"))
    @example(case=("account_id", "A\rx"))
    def check(case: tuple[str, object]) -> None:
        assume(_csv_value(case))
        _ingest_refuses(tmp_path, env, before, "csv", *case)

    check()


FURNISHER = {"furnisher_id": "LENDER2", "name": "Lender Two", "kind": "bank", "subtype": None}


def test_furnisher_import_refuses_every_hostile_value(tmp_path: Path, db_url: str) -> None:
    env = furnished_store(tmp_path, db_url)
    before = store_dump(db_url)
    fields = {
        "furnisher_id": hostile_text() | wrong_shapes(),
        "name": hostile_text() | wrong_shapes(),
        "kind": hostile_text() | wrong_shapes(),
        "subtype": hostile_text() | wrong_shapes(),
    }

    @settings(max_examples=20 if db_url.startswith("sqlite") else 6, deadline=None)
    @given(
        case=st.sampled_from(sorted(fields)).flatmap(
            lambda field: st.tuples(st.just(field), fields[field])
        )
    )
    @example(case=("kind", ["bank"]))
    @example(case=("furnisher_id", "bureau"))
    @example(case=("name", 12))
    def check(case: tuple[str, object]) -> None:
        field, value = case
        path = write_jsonl(tmp_path / "furnishers.jsonl", [{**FURNISHER, field: value}])
        done = run("furnisher", "import", str(path), env=env)
        assert_refused(done, field)
        assert store_dump(env["CREDITMEND_DB"]) == before

    check()


def test_a_furnishing_file_that_is_not_records(tmp_path: Path, db_url: str) -> None:
    """Structure: lines that are not one JSON object of a record."""
    env = furnished_store(tmp_path, db_url)
    before = store_dump(db_url)
    lines = ["[1, 2]", "null", '"x"', "{", "NaN", "1e400", "[" * 10_000, '{"a":' * 50_000]
    for line in lines:
        path = write_text(tmp_path / "structure.jsonl", line + "\n")
        done = run("ingest", str(path), "--as-of", AS_OF, env=env)
        assert_refused(done, "line")
        assert store_dump(db_url) == before
