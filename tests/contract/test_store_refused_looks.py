"""Refused looks are audited (issue 14, defect 11): an inquiry refused (no consent, a furnisher
not registered, a day before the data) and a self-report refused (someone the bureau does not
know) are in the subject's audit with who asked, why, when and why refused, written in their own
transaction while the caller is refused as before. The subject is kept by the keyed hash of the
identity (and the person's row when there is one), never the number in clear; a refusal makes no
person."""

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
from creditmend.domain.creditfile.inquiry import InquiryRequest
from creditmend.domain.problems import Problem, ProblemsError

RIC = "11010519491231002X"
STRANGER = "110105194912310011"  # valid, never furnished
AT = datetime(2025, 6, 15, 9, 0, tzinfo=UTC)
DAY = date(2025, 6, 15)
CONSENT = Problem(
    "inquiry.consent_ref",
    "a third-party inquiry needs the subject's written consent (Order 631 Art. 18)",
)
MAY: dict[str, Any] = {
    "furnisher_id": "LENDER1", "account_id": "A-1", "period": "2025-05", "id_type": "cn_ric",
    "id_number": RIC, "name": "张三", "account_type": "online_consumer_loan",
    "opened_on": "2025-01-10", "principal": "12000.00", "term_months": 12,
    "scheduled_amount": "1066.19", "paid_amount": "1066.19", "balance": "7900.00",
    "past_due_amount": "0.00", "days_past_due": 0, "status": "open",
    "last_payment_on": "2025-05-10",
}  # fmt: skip


@pytest.fixture
def bureau(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Bureau:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    built = build_bureau(db_url, create=True)
    built.furnish.add_furnisher(Furnisher("LENDER1", "Lender One", FurnisherKind.NON_BANK), AT)
    path = tmp_path / "may.jsonl"
    path.write_text(json.dumps(MAY, ensure_ascii=False) + "\n", "utf-8")
    assert built.furnish.ingest(path, "jsonl", DAY, AT).applied == 1
    return built


def _rows(db_url: str, table: Any) -> list[dict[str, Any]]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = [dict(row) for row in conn.execute(select(table)).mappings()]
    engine.dispose()
    return rows


def _count(db_url: str, table: Any) -> int:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(table)).scalar_one()
    engine.dispose()
    return int(count)


def test_an_inquiry_refused_for_lack_of_consent_is_audited(bureau: Bureau, db_url: str) -> None:
    ask = InquiryRequest("cn_ric", RIC, "LENDER1", "loan_approval", None, DAY)
    with pytest.raises(ProblemsError) as refused:
        bureau.inquire.inquire(ask, AT)
    assert refused.value.problems == (CONSENT,)  # the caller is told as before
    assert _count(db_url, t.inquiries) == 0  # nothing was looked at
    looks = bureau.inquire.who_looked("cn_ric", RIC, AT)
    (look,) = [look for look in looks if look.refused]
    assert (look.actor, look.action, look.purpose, look.consent_ref) == (
        "LENDER1", "inquiry", "loan_approval", None,
    )  # fmt: skip
    assert look.at.replace(tzinfo=None) == AT.replace(tzinfo=None)  # SQLite keeps no offset
    assert look.refused == str(CONSENT)
    assert all(
        RIC not in str(value) for row in _rows(db_url, t.audit_events) for value in row.values()
    )


def test_an_inquiry_by_an_unregistered_furnisher_about_a_stranger_is_audited(
    bureau: Bureau, db_url: str
) -> None:
    """The refused look names someone the bureau never heard of: kept by the identity's hash,
    with no person made for it, and found by the subject's audit."""
    persons = _count(db_url, t.persons)
    ask = InquiryRequest("cn_ric", STRANGER, "NOBODY", "loan_approval", "C-1", DAY)
    with pytest.raises(ProblemsError, match=r"inquiry\.by: NOBODY is not a registered furnisher"):
        bureau.inquire.inquire(ask, AT)
    assert _count(db_url, t.persons) == persons
    (look,) = [look for look in bureau.inquire.who_looked("cn_ric", STRANGER, AT) if look.refused]
    assert (look.actor, look.purpose, look.consent_ref) == ("NOBODY", "loan_approval", "C-1")
    assert look.refused == "inquiry.by: NOBODY is not a registered furnisher"
    assert _count(db_url, t.persons) == persons  # reading the audit made no person either
    assert all(
        STRANGER not in str(value)
        for row in _rows(db_url, t.audit_events)
        for value in row.values()
    )


def test_a_self_report_refused_is_audited(bureau: Bureau, db_url: str) -> None:
    with pytest.raises(ProblemsError, match="ID_NUMBER: unknown person"):
        bureau.inquire.self_report("cn_ric", STRANGER, DAY, AT)
    with pytest.raises(ProblemsError, match="business_date: 2025-01-01 is before"):
        bureau.inquire.self_report("cn_ric", RIC, date(2025, 1, 1), AT)
    (stranger,) = bureau.inquire.who_looked("cn_ric", STRANGER, AT)
    assert (stranger.actor, stranger.purpose) == ("subject", "self_inquiry")
    assert stranger.refused is not None and stranger.refused.startswith("ID_NUMBER: unknown")
    (early,) = [look for look in bureau.inquire.who_looked("cn_ric", RIC, AT) if look.refused]
    assert (early.actor, early.purpose) == ("subject", "self_inquiry")
    assert early.refused is not None and early.refused.startswith("business_date: 2025-01-01")
    assert _count(db_url, t.inquiries) == 0


def test_a_look_given_is_not_refused(bureau: Bureau) -> None:
    ask = InquiryRequest("cn_ric", RIC, "LENDER1", "loan_approval", "C-1", DAY)
    bureau.inquire.inquire(ask, AT)
    (look,) = [
        look for look in bureau.inquire.who_looked("cn_ric", RIC, AT) if look.action == "inquiry"
    ]
    assert (look.actor, look.refused) == ("LENDER1", None)
