"""Inquiries on a real store: consent, hard/soft by purpose, logged and visible, grid derived."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from creditmend.adapters.db import tables as t
from creditmend.adapters.vault import new_key
from creditmend.bootstrap import Bureau, build_bureau
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.creditfile.inquiry import InquiryRequest
from creditmend.domain.problems import ProblemsError
from creditmend.domain.report.model import Report

RIC = "11010519491231002X"
AT = datetime(2025, 6, 15, 9, 0, tzinfo=UTC)


def _month(period: str, dpd: int, past_due: str, balance: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "furnisher_id": "LENDER1",
        "account_id": "A-1",
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
        "balance": balance,
        "past_due_amount": past_due,
        "days_past_due": dpd,
        "status": "open",
    }
    if dpd:
        record |= {"first_delinquency_on": "2025-03-11", "negative_notice_on": "2025-03-20"}
    return record


@pytest.fixture
def bureau(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Bureau:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    built = build_bureau(db_url, create=True)
    built.furnish.add_furnisher(Furnisher("LENDER1", "Lender One", FurnisherKind.NON_BANK), AT)
    months = [
        _month("2025-02", 0, "0.00", "11000.00"),
        _month("2025-03", 21, "1066.19", "11000.00"),
        _month("2025-04", 51, "2132.38", "11000.00"),
        _month("2025-05", 0, "0.00", "9000.00"),
    ]
    path = tmp_path / "lender1.jsonl"
    path.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in months), "utf-8")
    report = built.furnish.ingest(path, "jsonl", date(2025, 6, 15), AT)
    assert report.applied == 4, report.rejects_file
    return built


def test_third_party_inquiry_needs_consent_and_a_registered_furnisher(bureau: Bureau) -> None:
    ask = InquiryRequest("cn_ric", RIC, "LENDER1", "loan_approval", None, date(2025, 6, 15))
    with pytest.raises(ProblemsError, match=r"inquiry\.consent_ref"):
        bureau.inquire.inquire(ask, AT)
    stranger = InquiryRequest("cn_ric", RIC, "NOBODY", "loan_approval", "C-1", date(2025, 6, 15))
    with pytest.raises(ProblemsError, match=r"inquiry\.by: NOBODY is not a registered furnisher"):
        bureau.inquire.inquire(stranger, AT)
    bad_id = InquiryRequest(
        "cn_ric", "110105194912310021", None, "self_inquiry", None, date(2025, 6, 15)
    )
    with pytest.raises(ProblemsError, match="ID_NUMBER"):
        bureau.inquire.inquire(bad_id, AT)


def test_inquiries_are_logged_classified_and_shown_with_the_grid(
    bureau: Bureau, db_url: str
) -> None:
    ask = InquiryRequest("cn_ric", RIC, "LENDER1", "loan_approval", "C-1", date(2025, 6, 15))
    report = bureau.inquire.inquire(ask, AT)
    assert report.header.subject_id == "110105********002X"
    (account,) = report.overdue.accounts
    # Opened in January (not furnished: #), February to May furnished, June not yet (#).
    assert list(account.grid[-7:]) == ["/", "#", "N", "1", "2", "N", "#"]
    assert str(account.balance.amount) == "9000.00"
    own = InquiryRequest("cn_ric", RIC, None, "self_inquiry", None, date(2025, 6, 16))
    mine = bureau.inquire.inquire(own, AT)
    assert [(i.purpose, i.hard) for i in mine.inquiries] == [
        ("self_inquiry", False),
        ("loan_approval", True),
    ]
    assert mine.multi_head.hard_inquiries["d7"] == 1
    engine = create_engine(db_url)
    with engine.connect() as conn:
        audit = conn.execute(
            select(t.audit_events.c.action, t.audit_events.c.consent_ref).where(
                t.audit_events.c.action == "inquiry"
            )
        ).all()
    engine.dispose()
    assert [tuple(row) for row in audit] == [("inquiry", "C-1"), ("inquiry", None)]


def test_an_income_not_above_zero_is_refused_before_the_look_is_logged(bureau: Bureau) -> None:
    def inquiries() -> list[str | None]:
        return [look.purpose for look in bureau.inquire.who_looked("cn_ric", RIC, AT)]

    before = inquiries()
    with pytest.raises(ProblemsError, match=r"inquiry\.monthly_income: must be more than 0"):
        bureau.inquire.self_report("cn_ric", RIC, date(2025, 6, 15), AT, Decimal(0))
    ask = InquiryRequest("cn_ric", RIC, "LENDER1", "loan_approval", "C-1", date(2025, 6, 15))
    with pytest.raises(ProblemsError, match=r"inquiry\.monthly_income"):
        bureau.inquire.inquire(ask, AT, Decimal("-1"))
    assert [p for p in inquiries() if p] == [p for p in before if p]  # no look was logged


def test_an_identity_number_is_taken_however_it_is_typed(bureau: Bureau) -> None:
    """The service keys the number (blanks, the check letter's case), not each face."""
    typed = f" {RIC.lower()} "
    report = bureau.inquire.self_report("cn_ric", typed, date(2025, 6, 15), AT)
    assert report.header.has_file
    looks = bureau.inquire.who_looked("cn_ric", typed, AT)
    assert "self_inquiry" in [look.purpose for look in looks]


def test_only_self_reports_count_against_the_free_ones(bureau: Bureau) -> None:
    """Art. 17: two free self-reports a year. Reading one's own file for a plan is logged as a
    self-inquiry too, but gave no report, so the store keeps which looks did."""
    day = date(2025, 6, 15)

    def beyond(report: Report) -> list[str]:
        return [n for n in report.header.notices if n.startswith("self-report")]

    for _ in range(3):
        bureau.inquire.own_file("cn_ric", RIC, day, AT)
    assert not beyond(bureau.inquire.self_report("cn_ric", RIC, day, AT))
    assert not beyond(bureau.inquire.self_report("cn_ric", RIC, day, AT))
    third = beyond(bureau.inquire.self_report("cn_ric", RIC, day, AT))
    assert third and third[0].startswith("self-report 3 this year: beyond the 2 free")
