"""An API client's daily inquiry quota under concurrency (issue 17, item 6): inquiries sent at
once by one client, each from its own engine (as from another worker process), must not pass
the limit together. The store counts the client's inquiries of the day and logs the new one in
one transaction, serialised per client (PostgreSQL: the client's row locked; SQLite: the one
writer from BEGIN IMMEDIATE). Before, the count was read before the inquiry's transaction, and
two at once could both take the last place."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from creditmend.adapters.db import tables as t
from creditmend.adapters.vault import new_key
from creditmend.bootstrap import Bureau, build_bureau, build_client_service
from creditmend.domain.clients import INQUIRE
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.creditfile.inquiry import DailyQuota, InquiryRequest, QuotaExceededError

DAY = date(2025, 6, 15)
AT = datetime(2025, 6, 15, 9, 0, tzinfo=UTC)
LIMIT, AT_ONCE = 2, 6
RIC = "11010519491231002X"
MAY = {
    "furnisher_id": "LEND1", "account_id": "A-1", "period": "2025-05", "id_type": "cn_ric",
    "id_number": RIC, "name": "张三", "account_type": "online_consumer_loan",
    "opened_on": "2025-01-10", "principal": "1200.00", "term_months": 12,
    "scheduled_amount": "100.00", "paid_amount": "100.00", "balance": "800.00",
    "past_due_amount": "0.00", "days_past_due": 0, "status": "open",
    "last_payment_on": "2025-05-10",
}  # fmt: skip


def test_inquiries_at_once_never_pass_the_daily_quota(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    setup = build_bureau(db_url, create=True)
    setup.furnish.add_furnisher(Furnisher("LEND1", "Lender 1", FurnisherKind.NON_BANK), AT)
    may = tmp_path / "may.jsonl"
    may.write_text(json.dumps(MAY, ensure_ascii=False) + "\n", "utf-8")
    assert setup.furnish.ingest(may, "jsonl", DAY, AT).applied == 1
    client = build_client_service(db_url).add_lender("LEND1", [INQUIRE], AT).client_id
    quota = DailyQuota(LIMIT, AT - timedelta(hours=1), AT + timedelta(hours=23))
    bureaus = [build_bureau(db_url) for _ in range(AT_ONCE)]  # each its own engine
    answered: list[str] = []
    over: list[str] = []
    errors: list[str] = []
    start = threading.Barrier(AT_ONCE, timeout=60)

    def inquire(bureau: Bureau, n: int) -> None:
        ask = InquiryRequest(
            "cn_ric", RIC, "LEND1", "loan_approval", f"C-{n}", DAY, client_id=client,
            request_id=f"r{n}",
        )  # fmt: skip
        start.wait()
        try:
            answered.append(bureau.inquire.inquire(ask, AT, quota=quota).header.report_id)
        except QuotaExceededError as refused:
            over.append(refused.problems[0].field)
        except BaseException as error:
            errors.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")

    threads = [threading.Thread(target=inquire, args=(b, n)) for n, b in enumerate(bureaus)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, errors
    assert len(answered) == LIMIT, answered
    assert over == ["quota"] * (AT_ONCE - LIMIT)

    engine = create_engine(db_url)
    with engine.connect() as conn:
        made = conn.execute(
            select(func.count()).where(t.inquiries.c.client_id == client)
        ).scalar_one()
        refused = conn.execute(
            select(t.audit_events.c.refused).where(
                t.audit_events.c.action == "inquiry", t.audit_events.c.refused.is_not(None)
            )
        ).scalars().all()  # fmt: skip
    engine.dispose()
    assert made == LIMIT
    # each refusal is audited as a refused look at the subject's file, and logged nothing else
    assert len(refused) == AT_ONCE - LIMIT
    assert all("inquiries of the day" in reason for reason in refused)
