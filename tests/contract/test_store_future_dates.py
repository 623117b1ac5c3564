"""The services refuse a business date after today themselves (issue 14, defect 5), whoever calls
them (the CLI, a coming API): the furnishing and records services hold the bureau's clock, frozen
here by CREDITMEND_NOW at 01:00 Beijing time. Nothing is read or stored."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from creditmend.adapters.db import tables as t
from creditmend.adapters.vault import new_key
from creditmend.bootstrap import Bureau, build_bureau
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.problems import Problem, ProblemsError

RIC = "11010519491231002X"
AT = datetime(2026, 5, 13, 17, 0, tzinfo=UTC)  # 01:00 on 2026-05-14 in Beijing
TODAY, TOMORROW = date(2026, 5, 14), date(2026, 5, 15)
MAY: dict[str, Any] = {
    "furnisher_id": "LENDER1", "account_id": "A-1", "period": "2026-05", "id_type": "cn_ric",
    "id_number": RIC, "name": "张三", "account_type": "online_consumer_loan",
    "opened_on": "2026-01-10", "principal": "12000.00", "term_months": 12,
    "scheduled_amount": "1100.16", "paid_amount": "1100.16", "balance": "9000.00",
    "past_due_amount": "0.00", "days_past_due": 0, "status": "open",
    "last_payment_on": "2026-05-10",
}  # fmt: skip
COURT: dict[str, Any] = {
    "kind": "enforced_debtor", "id_type": "cn_ric", "id_number": RIC, "name": "张三",
    "court": "北京市西城区人民法院", "case_number": "（2026）京0102执1号",
    "filed_on": "2026-05-01", "status": "active", "source": "court_publication",
}  # fmt: skip


@pytest.fixture
def bureau(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Bureau:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    monkeypatch.setenv("CREDITMEND_NOW", "2026-05-14T01:00:00+08:00")
    built = build_bureau(db_url, create=True)
    built.furnish.add_furnisher(Furnisher("LENDER1", "Lender One", FurnisherKind.NON_BANK), AT)
    return built


def _jsonl(path: Path, record: dict[str, Any]) -> Path:
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    return path


def _stored(db_url: str) -> list[int]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        counts = [
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.ingestions, t.account_months, t.public_records, t.persons)
        ]
    engine.dispose()
    return counts


FUTURE = Problem(
    "business_date", f"{TOMORROW} is in the future; data is taken in today or on a past day"
)


def test_ingest_refuses_a_future_business_date(bureau: Bureau, db_url: str, tmp_path: Path) -> None:
    may = _jsonl(tmp_path / "may.jsonl", MAY)
    with pytest.raises(ProblemsError) as refused:
        bureau.furnish.ingest(may, "jsonl", TOMORROW, AT)
    assert refused.value.problems == (FUTURE,)
    with pytest.raises(ProblemsError) as refused_all:
        bureau.furnish.ingest_all(tmp_path, None, date(2099, 12, 31), AT)
    assert refused_all.value.problems[0].field == "business_date"
    assert _stored(db_url) == [0, 0, 0, 0]
    assert not (tmp_path / "may.jsonl.rejects.jsonl").exists()
    assert bureau.furnish.ingest(may, "jsonl", TODAY, AT).applied == 1


def test_records_import_refuses_a_future_business_date(
    bureau: Bureau, db_url: str, tmp_path: Path
) -> None:
    court = _jsonl(tmp_path / "court.jsonl", COURT)
    with pytest.raises(ProblemsError) as refused:
        bureau.records.import_file("public_records", court, "jsonl", TOMORROW, AT)
    assert refused.value.problems == (FUTURE,)
    assert _stored(db_url) == [0, 0, 0, 0]
    assert bureau.records.import_file("public_records", court, "jsonl", TODAY, AT).applied == 1
