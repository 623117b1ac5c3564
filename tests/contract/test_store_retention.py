"""Retention on a real store: the 5-year rule, the PBOC 2025 credit repair, what reports show."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from creditmend.adapters.vault import new_key
from creditmend.bootstrap import Bureau, build_bureau
from creditmend.domain.calendar import add_months
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.creditfile.inquiry import InquiryRequest

RIC = "11010519491231002X"
AT = datetime(2026, 1, 2, tzinfo=UTC)


def _month(
    account: str, period: str, dpd: int, past_due: str, paid_on: str | None
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "furnisher_id": "LENDER1",
        "account_id": account,
        "period": period,
        "id_type": "cn_ric",
        "id_number": RIC,
        "name": "张三",
        "account_type": "online_consumer_loan",
        "opened_on": "2025-01-10",
        "principal": "12000.00",
        "term_months": 12,
        "scheduled_amount": "1066.19",
        "paid_amount": "0.00" if dpd else "1066.19",
        "balance": "11000.00",
        "past_due_amount": past_due,
        "days_past_due": dpd,
        "status": "open",
        "last_payment_on": paid_on,
    }
    if dpd:
        record |= {"first_delinquency_on": "2025-03-11", "negative_notice_on": "2025-03-20"}
    return record


@pytest.fixture
def bureau(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Bureau:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    built = build_bureau(db_url, create=True)
    built.furnish.add_furnisher(Furnisher("LENDER1", "Lender One", FurnisherKind.NON_BANK), AT)
    cured = [
        _month("CURED", "2025-02", 0, "0.00", "2025-02-10"),
        _month("CURED", "2025-03", 21, "1066.19", "2025-02-10"),
        _month("CURED", "2025-04", 51, "2132.38", "2025-02-10"),
        _month("CURED", "2025-05", 0, "0.00", "2025-05-18"),
    ]
    open_overdue = [
        _month("OPEN", "2025-04", 21, "1066.19", None),
        _month("OPEN", "2025-05", 51, "2132.38", None),
    ]
    path = tmp_path / "lender1.jsonl"
    path.write_text("".join(json.dumps(m) + "\n" for m in cured + open_overdue), "utf-8")
    assert built.furnish.ingest(path, "jsonl", date(2025, 6, 15), AT).applied == 6
    return built


def _grid(bureau: Bureau, account: str, on: date) -> str:
    ask = InquiryRequest("cn_ric", RIC, None, "self_inquiry", None, on)
    summary = bureau.inquire.inquire(ask, AT)
    (found,) = [a for a in summary.overdue.accounts if a.account_id == account]
    # The grid ends with `on`'s month; February..May 2025 are its months at these offsets.
    spring = [
        code
        for index, code in enumerate(found.grid)
        if date(2025, 2, 1) <= add_months(found.grid_starts, index) <= date(2025, 5, 1)
    ]
    return "".join(spring)


def test_the_credit_repair_hides_a_small_cured_overdue_from_2026(bureau: Bureau) -> None:
    before = bureau.retention.retain(date(2025, 12, 15), AT)  # the policy is not announced yet
    assert (before.facts, before.hidden) == (2, 0)
    assert _grid(bureau, "CURED", date(2025, 12, 15)) == "N12N"
    after = bureau.retention.retain(date(2026, 1, 2), AT)
    assert (after.hidden, after.newly_hidden, after.hidden_by) == (1, 1, {"policy": 1})
    # Hidden months read as normal with no overdue amount; the uncured overdue stays.
    assert _grid(bureau, "CURED", date(2026, 1, 2)) == "NNNN"
    assert _grid(bureau, "OPEN", date(2026, 1, 2)).endswith("12")


def test_every_negative_record_knows_when_it_stops_being_shown(bureau: Bureau) -> None:
    bureau.retention.retain(date(2025, 12, 15), AT)
    summary = bureau.inquire.inquire(
        InquiryRequest("cn_ric", RIC, None, "self_inquiry", None, date(2025, 12, 15)), AT
    )
    timeline = {e.record: e for e in summary.expiry_timeline}
    cured = timeline["account:LENDER1:CURED:2025-03"]
    uncured = timeline["account:LENDER1:OPEN:2025-04"]
    # Cured on 2025-05-18: shown until 5 years later (Order 631 Art. 16).
    assert cured.expires_on == date(2030, 5, 18)
    assert uncured.expires_on is None


def test_the_operator_reads_what_retention_hid(bureau: Bureau) -> None:
    assert bureau.retention.archive(date(2026, 1, 2), AT) == (None, [])
    bureau.retention.retain(date(2026, 1, 2), AT)
    bureau.retention.retain(date(2026, 3, 1), AT)
    run, hidden = bureau.retention.archive(date(2026, 2, 1), AT)
    assert run == date(2026, 1, 2)
    (item,) = hidden
    assert (item.kind, item.hidden_from) == ("overdue", date(2026, 1, 1))
    assert item.reason.startswith("policy:") and item.fact_key.endswith("#2025-03")
