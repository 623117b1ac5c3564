"""Ingestion into a real store (SQLite and PostgreSQL): atomic, idempotent, corrections kept."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select, text

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.migrate import MIGRATIONS
from creditmend.adapters.vault import new_key
from creditmend.bootstrap import Bureau, build_bureau
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.problems import ProblemsError

RIC = "11010519491231002X"
AS_OF = date(2025, 6, 15)
AT = datetime(2025, 6, 15, 9, 0, tzinfo=UTC)
RECORD: dict[str, Any] = {
    "furnisher_id": "LENDER1",
    "account_id": "A-1",
    "period": "2025-05",
    "id_type": "cn_ric",
    "id_number": RIC,
    "name": "张三",
    "account_type": "online_consumer_loan",
    "opened_on": "2025-01-10",
    "principal": "12000.00",
    "term_months": 12,
    "scheduled_amount": "1066.19",
    "paid_amount": "1066.19",
    "balance": "7900.00",
    "past_due_amount": "0.00",
    "days_past_due": 0,
    "status": "open",
    "last_payment_on": "2025-05-10",
}


@pytest.fixture
def bureau(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Bureau:
    monkeypatch.setenv("CREDITMEND_KEY", KEY)
    built = build_bureau(db_url, create=True)
    built.furnish.add_furnisher(Furnisher("LENDER1", "Lender One", FurnisherKind.NON_BANK), AT)
    return built


KEY = new_key()


def _file(tmp_path: Path, records: list[dict[str, Any]], name: str = "f.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _months(db_url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                t.account_months.c.period,
                t.account_months.c.balance_fen,
                t.account_months.c.version,
            ).order_by(t.account_months.c.period)
        ).all()
    engine.dispose()
    return [tuple(row) for row in rows]


def _count(db_url: str, table: Any) -> int:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        value = conn.execute(select(func.count()).select_from(table)).scalar_one()
    engine.dispose()
    return int(value)


def test_ingest_is_idempotent_and_keeps_corrections(
    bureau: Bureau, db_url: str, tmp_path: Path
) -> None:
    april = {**RECORD, "period": "2025-04", "balance": "8900.00", "last_payment_on": "2025-04-10"}
    path = _file(tmp_path, [april, RECORD])
    first = bureau.furnish.ingest(path, "jsonl", AS_OF, AT)
    assert (first.applied, first.unchanged, first.corrected, first.rejected) == (2, 0, 0, 0)
    again = bureau.furnish.ingest(path, "jsonl", AS_OF, AT)
    assert (again.applied, again.unchanged, again.corrected) == (0, 2, 0)
    assert _months(db_url) == [(date(2025, 4, 1), 890000, 1), (date(2025, 5, 1), 790000, 1)]
    fixed = _file(tmp_path, [{**RECORD, "balance": "7800.00"}], "fix.jsonl")
    correction = bureau.furnish.ingest(fixed, "jsonl", AS_OF, AT)
    assert (correction.applied, correction.unchanged, correction.corrected) == (0, 0, 1)
    assert _months(db_url)[1] == (date(2025, 5, 1), 780000, 2)
    assert _count(db_url, t.account_month_history) == 1
    assert _count(db_url, t.persons) == 1


def test_a_file_with_rejects_applies_nothing_unless_partial(
    bureau: Bureau, db_url: str, tmp_path: Path
) -> None:
    bad = {**RECORD, "account_id": "A-2", "past_due_amount": "9999.00"}  # > balance
    unknown = {**RECORD, "account_id": "A-3", "furnisher_id": "NOBODY"}
    path = _file(tmp_path, [RECORD, bad, unknown, {**RECORD, "days_past_due": "x"}])
    report = bureau.furnish.ingest(path, "jsonl", AS_OF, AT)
    assert not report.committed
    assert report.rejected == 3
    assert _count(db_url, t.account_months) == 0
    assert report.rejects_file is not None
    rejects = [json.loads(line) for line in Path(report.rejects_file).read_text().splitlines()]
    assert {(r["line"], r["field"]) for r in rejects} >= {
        (2, "past_due_amount"),
        (3, "furnisher_id"),
        (4, "days_past_due"),
    }
    assert all(set(r) >= {"line", "field", "reason"} for r in rejects)
    partial = bureau.furnish.ingest(path, "jsonl", AS_OF, AT, partial=True)
    assert partial.committed
    assert (partial.applied, partial.rejected) == (1, 3)
    assert _count(db_url, t.account_months) == 1


def test_identity_numbers_are_not_stored_in_clear(
    bureau: Bureau, db_url: str, tmp_path: Path
) -> None:
    bureau.furnish.ingest(_file(tmp_path, [RECORD]), "jsonl", AS_OF, AT)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        row = conn.execute(select(t.persons)).one()
    engine.dispose()
    assert RIC not in str(tuple(row))
    assert RIC.encode() not in bytes(row.id_cipher)
    assert "张三".encode() not in bytes(row.name_cipher)
    assert len(row.id_hash) == 64


def test_a_wrong_key_is_a_clear_error(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDITMEND_KEY", KEY)
    build_bureau(db_url, create=True)
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    with pytest.raises(ProblemsError, match="not the key this database was created with"):
        build_bureau(db_url, create=True)
    monkeypatch.setenv("CREDITMEND_KEY", "not-a-key")
    with pytest.raises(ProblemsError, match="not a creditmend key"):
        build_bureau(db_url, create=True)


def test_postgres_without_a_key_will_not_start(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CREDITMEND_KEY", raising=False)
    if db_url.startswith("sqlite"):
        build_bureau(db_url, create=True)  # the embedded default makes its own key file, owner-only
        key_file = tmp_path / "bureau.key"
        assert key_file.stat().st_mode & 0o777 == 0o600
        return
    with pytest.raises(ProblemsError, match="CREDITMEND_KEY is not set"):
        build_bureau(db_url, create=True)


def test_duplicate_furnisher_and_registered_codes(bureau: Bureau) -> None:
    with pytest.raises(ProblemsError, match="already registered"):
        bureau.furnish.add_furnisher(Furnisher("LENDER1", "Again", FurnisherKind.BANK), AT)


def test_migrations_leave_no_create_all_behind(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDITMEND_KEY", KEY)
    build_bureau(db_url, create=True)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        version = conn.execute(text("select version_num from alembic_version")).scalar_one()
    engine.dispose()
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert version == head


def test_a_correction_is_an_audit_event_the_subject_can_see(bureau: Bureau, tmp_path: Path) -> None:
    bureau.furnish.ingest(_file(tmp_path, [RECORD]), "jsonl", AS_OF, AT)
    fixed = _file(tmp_path, [{**RECORD, "balance": "7800.00"}], "fix.jsonl")
    bureau.furnish.ingest(fixed, "jsonl", AS_OF, AT)
    looks = bureau.inquire.who_looked("cn_ric", RIC, AT)
    assert [(look.actor, look.action) for look in looks] == [("LENDER1", "correction")]
    again = bureau.inquire.who_looked("cn_ric", RIC, AT)
    assert [look.action for look in again] == ["correction", "audit_view"]
