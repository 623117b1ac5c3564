"""A small bureau for the inquiry and objection endpoints, made with the services the commands
use: lenders LEND1 and LEND2 (registered by the API fixtures), one borrower with an account at
each (November 20 days overdue at both), and three objections filed by the borrower on
2026-12-02: one about LEND1's month (routed to LEND1), one about LEND2's (routed to LEND2),
one about an inquiry said to lack consent (routed to the bureau's desk)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from creditmend import bootstrap
from creditmend.domain.creditfile.inquiry import InquiryRequest

RIC = "11010519491231002X"
OTHER_RIC = "110101199003074573"
TAKEN_ON = date(2026, 12, 1)
FILED_ON = date(2026, 12, 2)
AT = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
LEND1_RECORD = "account:LEND1:A-1:2026-11"
LEND2_RECORD = "account:LEND2:B-1:2026-11"
# The objection ids, in the order `seed` files them.
LEND1_OBJECTION, LEND2_OBJECTION, DESK_OBJECTION = 1, 2, 3


def _months(furnisher: str, account: str, id_number: str) -> list[dict[str, object]]:
    base = {
        "furnisher_id": furnisher,
        "account_id": account,
        "id_type": "cn_ric",
        "id_number": id_number,
        "name": "张三",
        "account_type": "online_consumer_loan",
        "opened_on": "2026-09-10",
        "principal": "12000.00",
        "term_months": 12,
        "scheduled_amount": "1100.16",
        "balance": "9000.00",
        "status": "open",
    }
    return [
        {**base, "period": "2026-10", "paid_amount": "1100.16", "past_due_amount": "0.00",
         "days_past_due": 0, "last_payment_on": "2026-10-10"},
        {**base, "period": "2026-11", "paid_amount": "0.00", "past_due_amount": "1100.16",
         "days_past_due": 20, "last_payment_on": "2026-10-10",
         "first_delinquency_on": "2026-11-11", "negative_notice_on": "2026-11-12"},
    ]  # fmt: skip


@contextmanager
def keyed(key: str | None) -> Iterator[None]:
    """CREDITMEND_KEY set to `key` for a while (a PostgreSQL store needs it to be opened)."""
    saved = os.environ.get("CREDITMEND_KEY")
    if key is not None:
        os.environ["CREDITMEND_KEY"] = key
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("CREDITMEND_KEY", None)
        else:
            os.environ["CREDITMEND_KEY"] = saved


def seed(url: str, folder: Path, key: str | None = None) -> None:
    """Furnish the months and file the three objections (LEND1 and LEND2 already registered)."""
    rows = [
        *_months("LEND1", "A-1", RIC),
        *_months("LEND2", "B-1", RIC),
        *_months("LEND2", "B-2", OTHER_RIC),
    ]
    cmf = folder / "cmf.jsonl"
    cmf.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    with keyed(key):
        bureau = bootstrap.build_bureau(url)
        done = bureau.furnish.ingest(cmf, "jsonl", TAKEN_ON, AT)
        assert done.committed, done
        asked = InquiryRequest("cn_ric", RIC, "LEND2", "loan_approval", "C-0", TAKEN_ON)
        bureau.inquire.inquire(asked, AT)  # inquiry 1, the one objected to
        objections = bureau.objections
        for record, reason in (
            (LEND1_RECORD, "paid_on_time"),
            (LEND2_RECORD, "wrong_amount"),
            ("inquiry:1", "inquiry_without_consent"),
        ):
            objections.file("cn_ric", RIC, record, reason, None, FILED_ON, AT)
