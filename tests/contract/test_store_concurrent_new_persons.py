"""Inquiries (and record imports) at once on PostgreSQL about persons the bureau does not know yet
(issue 14, after defect 1): each makes the person on first sight, so the second waits on the
first's uncommitted row and was refused with a unique violation on `uq_persons_id_hash` (a
traceback). Every inquiry must be logged and answered, every file applied, each person made
once. SQLite serialises writers."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from stdnum.cn import ric

from creditmend.adapters.db import tables as t
from creditmend.adapters.vault import new_key
from creditmend.bootstrap import Bureau, build_bureau
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.creditfile.inquiry import InquiryRequest

DAY = date(2025, 6, 15)
AT = datetime(2025, 6, 15, 9, 0, tzinfo=UTC)
ROUNDS, AT_ONCE = 8, 4  # a new person each round, asked about by 4 lenders at once
RIC = "11010519491231002X"
MAY: dict[str, Any] = {
    "furnisher_id": "LENDER0", "account_id": "A-1", "period": "2025-05", "id_type": "cn_ric",
    "id_number": RIC, "name": "张三", "account_type": "online_consumer_loan",
    "opened_on": "2025-01-10", "principal": "1200.00", "term_months": 12,
    "scheduled_amount": "100.00", "paid_amount": "100.00", "balance": "800.00",
    "past_due_amount": "0.00", "days_past_due": 0, "status": "open",
    "last_payment_on": "2025-05-10",
}  # fmt: skip


def _new_person(k: int) -> str:
    number = f"110105198001{1 + k % 28:02d}{k:03d}"
    return number + ric.calc_check_digit(number + "0")


def test_inquiries_at_once_about_the_same_new_person_all_apply(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: no race to test")
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    lenders = [f"LENDER{n}" for n in range(AT_ONCE)]
    setup = build_bureau(db_url, create=True)
    for lender in lenders:
        setup.furnish.add_furnisher(Furnisher(lender, lender, FurnisherKind.NON_BANK), AT)
    may = tmp_path / "may.jsonl"
    may.write_text(json.dumps(MAY, ensure_ascii=False) + "\n", "utf-8")
    assert setup.furnish.ingest(may, "jsonl", DAY, AT).applied == 1
    # Each its own engine and connections, as another process's.
    bureaus = [build_bureau(db_url) for _ in lenders]
    errors: list[str] = []
    answered: list[str] = []

    def inquire(bureau: Bureau, lender: str, number: str, start: threading.Barrier) -> None:
        start.wait()
        ask = InquiryRequest("cn_ric", number, lender, "loan_approval", f"C-{lender}", DAY)
        try:
            answered.append(bureau.inquire.inquire(ask, AT).header.report_id)
        except BaseException as error:
            errors.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")

    for k in range(ROUNDS):
        start = threading.Barrier(AT_ONCE, timeout=30)
        threads = [
            threading.Thread(target=inquire, args=(bureau, lender, _new_person(k), start))
            for bureau, lender in zip(bureaus, lenders, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not errors, errors
    assert len(set(answered)) == ROUNDS * AT_ONCE
    engine = create_engine(db_url)
    with engine.connect() as conn:
        persons = conn.execute(select(func.count()).select_from(t.persons)).scalar_one()
        inquiries = conn.execute(select(func.count()).select_from(t.inquiries)).scalar_one()
    engine.dispose()
    assert (persons, inquiries) == (1 + ROUNDS, ROUNDS * AT_ONCE)


def test_record_imports_at_once_about_the_same_new_persons_all_apply(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: no race to test")
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    build_bureau(db_url, create=True)
    people = [_new_person(k) for k in range(40)]
    files = []
    for court in range(AT_ONCE):
        path = tmp_path / f"court{court}.jsonl"
        lines = [
            {
                "kind": "enforced_debtor", "id_type": "cn_ric", "id_number": number,
                "name": "张三", "court": f"法院{court}", "case_number": f"（2025）{court}执{k}号",
                "filed_on": "2025-03-01", "status": "active", "source": "court_publication",
            }
            for k, number in enumerate(people)
        ]  # fmt: skip
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), "utf-8")
        files.append(path)
    bureaus = [build_bureau(db_url) for _ in files]
    start = threading.Barrier(AT_ONCE, timeout=30)
    errors: list[str] = []
    applied: list[int] = []

    def load(bureau: Bureau, path: Path) -> None:
        start.wait()
        try:
            applied.append(
                bureau.records.import_file("public_records", path, "jsonl", DAY, AT).applied
            )
        except BaseException as error:
            errors.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")

    threads = [
        threading.Thread(target=load, args=(bureau, path))
        for bureau, path in zip(bureaus, files, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert applied == [len(people)] * AT_ONCE
    engine = create_engine(db_url)
    with engine.connect() as conn:
        persons = conn.execute(select(func.count()).select_from(t.persons)).scalar_one()
        records = conn.execute(select(func.count()).select_from(t.public_records)).scalar_one()
    engine.dispose()
    assert (persons, records) == (len(people), len(people) * AT_ONCE)
