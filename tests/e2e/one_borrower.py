"""One lender and one borrower whose April is 20 days overdue: the CMF months the desk's e2e
tests furnish, and the month record an objection names."""

from __future__ import annotations

import json
from pathlib import Path

from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)

RIC = "11010519491231002X"
BASE = {
    "furnisher_id": "LENDER1",
    "account_id": "A-1",
    "id_type": "cn_ric",
    "id_number": RIC,
    "name": "张三",
    "account_type": "online_consumer_loan",
    "opened_on": "2026-01-10",
    "principal": "12000.00",
    "term_months": 12,
    "scheduled_amount": "1100.16",
    "balance": "9000.00",
    "status": "open",
}
MONTHS = [
    {**BASE, "period": "2026-03", "paid_amount": "1100.16", "past_due_amount": "0.00",
     "days_past_due": 0, "last_payment_on": "2026-03-10"},
    {**BASE, "period": "2026-04", "paid_amount": "0.00", "past_due_amount": "1100.16",
     "days_past_due": 20, "last_payment_on": "2026-03-10", "first_delinquency_on": "2026-04-11",
     "negative_notice_on": "2026-04-12"},
]  # fmt: skip
RECORD = "account:LENDER1:A-1:2026-04"


def furnished_bureau(tmp_path: Path) -> dict[str, str]:
    """The environment of a new SQLite bureau in `tmp_path` holding the lender and the months."""
    values = {"CREDITMEND_DB": f"sqlite:///{tmp_path / 'bureau.db'}", "CREDITMEND_KEY": ""}
    cmf = tmp_path / "cmf.jsonl"
    cmf.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in MONTHS), "utf-8")
    steps = [
        ("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank"),
        ("ingest", str(cmf), "--as-of", "2026-05-10"),
    ]
    for step in steps:
        done = cli(*step, env=values)
        assert done.returncode == 0, done.stderr
    return values
