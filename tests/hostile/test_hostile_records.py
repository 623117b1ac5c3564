"""Hostile values in records files (`records import --kind public_records|blacklist|inquiries`,
JSON Lines and CSV): each is refused with one line naming the field, the store unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from planting import assert_refused, run, store_dump, write_csv, write_jsonl
from strategies import (
    Raw,
    amounts,
    future_dates,
    hostile_text,
    impossible_dates,
    wrong_shapes,
)
from test_hostile_furnishing import furnished_store

pytestmark = pytest.mark.slow  # a few hundred commands in process (make test runs them)

AS_OF = "2025-06-01"
LATER = future_dates(date.fromisoformat(AS_OF))
PERSON = {"id_type": "cn_ric", "id_number": "11010519491231002X", "name": "张三"}
BASE: dict[str, dict[str, Any]] = {
    "public_records": {
        "kind": "dishonest_judgment_debtor",
        **PERSON,
        "court": "北京市朝阳区人民法院",
        "case_number": "(2023)京0105执1234号",
        "filed_on": "2023-03-01",
        "published_on": "2023-04-01",
        "amount": "5000.00",
        "status": "active",
        "ended_on": None,
        "source": "court",
    },
    "blacklist": {
        "source": "consortium",
        "category": "fraud",
        **PERSON,
        "listed_on": "2024-01-01",
        "expires_on": "2029-01-01",
        "reason": "identity used by another",
    },
    "inquiries": {
        **PERSON,
        "furnisher_id": "LENDER1",
        "inquired_on": "2025-05-01",
        "purpose": "loan_approval",
        "consent_ref": "C-17",
    },
}
_TEXT = hostile_text()
_CHOICE = hostile_text() | wrong_shapes()
_PERSON: dict[str, st.SearchStrategy[object]] = {
    "id_type": _CHOICE,
    "id_number": _TEXT,
    "name": _TEXT | wrong_shapes(),
}
HOSTILE: dict[str, dict[str, st.SearchStrategy[object]]] = {
    "public_records": {
        **_PERSON,
        "kind": _CHOICE,
        "status": _CHOICE,
        "court": _TEXT | wrong_shapes(),
        "case_number": _TEXT | wrong_shapes(),
        "source": _TEXT | wrong_shapes(),
        "filed_on": impossible_dates() | LATER,
        "published_on": impossible_dates() | LATER,
        "amount": amounts(),
        "ended_on": impossible_dates(),
    },
    "blacklist": {
        **_PERSON,
        "source": _TEXT | wrong_shapes(),
        "category": _CHOICE,
        "reason": _TEXT | wrong_shapes(),
        "listed_on": impossible_dates() | LATER,
        "expires_on": impossible_dates(),
    },
    "inquiries": {
        **_PERSON,
        "furnisher_id": _TEXT | wrong_shapes(),
        "purpose": _CHOICE,
        "consent_ref": _TEXT | wrong_shapes(),
        "inquired_on": impossible_dates() | LATER,
    },
}


def records_store(tmp_path: Path, url: str) -> dict[str, str]:
    """A store with a lender, a furnished month, and one record of every kind."""
    env = furnished_store(tmp_path, url)
    for kind, record in BASE.items():
        path = write_jsonl(tmp_path / f"base-{kind}.jsonl", [record])
        done = run("records", "import", str(path), "--kind", kind, "--as-of", AS_OF, env=env)
        assert done.returncode == 0, done.stderr
    return env


def _cases(kind: str) -> st.SearchStrategy[tuple[str, object]]:
    fields = HOSTILE[kind]
    return st.sampled_from(sorted(fields)).flatmap(
        lambda field: st.tuples(st.just(field), fields[field])
    )


def _in_a_cell(case: tuple[str, object]) -> bool:
    """CSV has only text, strips cells and reads an empty one as null; a lone surrogate cannot
    be text in a file."""
    _, value = case
    return (
        isinstance(value, str)
        and bool(value)
        and value == value.strip()
        and not any("\ud800" <= char <= "\udfff" for char in value)
    )


@pytest.mark.parametrize("kind", sorted(BASE))
def test_records_import_refuses_every_hostile_value(tmp_path: Path, db_url: str, kind: str) -> None:
    env = records_store(tmp_path, db_url)
    before = store_dump(db_url)
    sqlite = db_url.startswith("sqlite")

    @settings(max_examples=20 if sqlite else 6, deadline=None)
    @given(case=_cases(kind), csv=st.booleans())
    @example(case=("id_type", ["cn_ric"]), csv=False)
    @example(case=("name", "\ud800x"), csv=False)
    def check(case: tuple[str, object], csv: bool) -> None:
        field, value = case
        record = {**BASE[kind], field: value}
        if csv and _in_a_cell(case):
            path = write_csv(tmp_path / "hostile.csv", [record])
        else:
            path = write_jsonl(tmp_path / "hostile.jsonl", [record])
        done = run("records", "import", str(path), "--kind", kind, "--as-of", AS_OF, env=env)
        assert_refused(done, field)
        assert store_dump(db_url) == before

    if kind == "public_records":
        check = example(case=("amount", "１２"), csv=False)(check)
        check = example(case=("amount", Raw("1e400")), csv=False)(check)
        check = example(case=("amount", "0.001"), csv=True)(check)
        check = example(case=("filed_on", "2099-01-01"), csv=False)(check)
        check = example(case=("filed_on", "２０２５-０１-１０"), csv=False)(check)
    check()
