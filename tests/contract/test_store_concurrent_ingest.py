"""Ingests at once on PostgreSQL: files that bring in the same new persons all apply in full.

Each file comes from another lender (its own accounts) for the same borrowers, none of whom the
bureau knew: every transaction wants to make the same persons. PostgreSQL makes a second one
wait on the first's uncommitted person and then refuses it with a unique violation (or one of
them as a deadlock); the bureau tries such a file again, whole, so every record is applied
exactly once. SQLite serialises writers and needs no test of this."""

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
from creditmend.services.pipeline import IngestReport

AS_OF = date(2025, 6, 15)
AT = datetime(2025, 6, 15, 9, 0, tzinfo=UTC)
PERSONS = 120


def _ids() -> list[str]:
    born = [f"{1950 + k % 50}{1 + k % 12:02d}{1 + k % 28:02d}" for k in range(PERSONS)]
    first = [f"110105{day}{k:03d}" for k, day in enumerate(born)]
    return [number + ric.calc_check_digit(number + "0") for number in first]


def _file(folder: Path, lender: str, ids: list[str]) -> Path:
    path = folder / f"{lender}.jsonl"
    records: list[dict[str, Any]] = [
        {
            "furnisher_id": lender, "account_id": f"{lender}-{k}", "period": "2025-05",
            "id_type": "cn_ric", "id_number": number, "name": "张三",
            "account_type": "online_consumer_loan", "opened_on": "2025-01-10",
            "principal": "1200.00", "term_months": 12, "scheduled_amount": "100.00",
            "paid_amount": "100.00", "balance": "800.00", "past_due_amount": "0.00",
            "days_past_due": 0, "status": "open", "last_payment_on": "2025-05-10",
        }
        for k, number in enumerate(ids)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


@pytest.mark.parametrize("ingests", [2, 4])
def test_concurrent_ingests_with_the_same_new_persons_all_apply(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ingests: int
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: no race to test")
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    lenders = [f"LENDER{n}" for n in range(ingests)]
    setup = build_bureau(db_url, create=True)
    for lender in lenders:
        setup.furnish.add_furnisher(Furnisher(lender, lender, FurnisherKind.NON_BANK), AT)
    ids = _ids()
    files = [_file(tmp_path, lender, ids) for lender in lenders]
    start = threading.Barrier(ingests, timeout=30)
    reports: list[IngestReport] = []
    errors: list[BaseException] = []

    def ingest(bureau: Bureau, path: Path) -> None:
        start.wait()
        try:
            reports.append(bureau.furnish.ingest(path, "jsonl", AS_OF, AT))
        except BaseException as error:
            errors.append(error)

    # Each its own engine and connections, as another process's (opened here: Alembic's
    # commands are not to be run from several threads at once).
    bureaus = [build_bureau(db_url) for _ in files]
    threads = [
        threading.Thread(target=ingest, args=(bureau, path))
        for bureau, path in zip(bureaus, files, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, [f"{type(e).__name__}: {e}" for e in errors]
    assert sorted(r.applied for r in reports) == [PERSONS] * ingests, reports
    engine = create_engine(db_url)
    with engine.connect() as conn:
        persons = conn.execute(select(func.count()).select_from(t.persons)).scalar_one()
        months = conn.execute(select(func.count()).select_from(t.account_months)).scalar_one()
    engine.dispose()
    assert (persons, months) == (PERSONS, PERSONS * ingests)
