"""Small CMF v1 files for the furnishing endpoint's tests (the record of
tests/e2e/test_cli_bureau.py, furnished by LEND1), and reading the store behind a server."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy import create_engine, text

RIC = "11010519491231002X"
BAD_RIC = "110105194912310021"  # a wrong check digit
RECORD: dict[str, Any] = {
    "furnisher_id": "LEND1",
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
NDJSON = {"Content-Type": "application/x-ndjson"}
CSV = {"Content-Type": "text/csv; charset=utf-8"}
FINISHED = ("done", "refused", "failed")


def record(account_id: str, **changes: Any) -> dict[str, Any]:
    return {**RECORD, "account_id": account_id, **changes}


def jsonl(*records: dict[str, Any]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def csv_file(*records: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(RECORD), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode()


def scalar(db_url: str, query: str, **values: Any) -> Any:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(query), values).scalar()
    finally:
        engine.dispose()


def accounts_of(db_url: str, furnisher: str, prefix: str) -> int:
    return int(
        scalar(
            db_url,
            "select count(*) from accounts where furnisher_code = :f and account_id like :p",
            f=furnisher,
            p=prefix + "%",
        )
    )
