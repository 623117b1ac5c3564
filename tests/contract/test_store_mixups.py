"""Mix-ups the store refuses or resolves: an account changing hands or currency, the same file
twice around a correction, one person written two ways, a lender posing as the subject."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from creditmend.adapters.vault import new_key
from creditmend.bootstrap import Bureau, build_bureau
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.creditfile.inquiry import InquiryRequest
from creditmend.domain.problems import ProblemsError

A, B = "11010519491231002X", "110105199001010010"
AT = datetime(2025, 6, 15, tzinfo=UTC)
AS_OF = date(2025, 6, 15)


def _record(**changes: Any) -> dict[str, Any]:
    return {
        "furnisher_id": "L1",
        "account_id": "ACC1",
        "period": "2025-05",
        "id_type": "cn_ric",
        "id_number": A,
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
        **changes,
    }


def _file(folder: Path, name: str, *records: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


@pytest.fixture
def bureau(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Bureau:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    built = build_bureau(db_url, create=True)
    for code in ("L1", "L2"):
        built.furnish.add_furnisher(Furnisher(code, code, FurnisherKind.NON_BANK), AT)
    return built


def test_an_account_does_not_change_hands_or_currency(bureau: Bureau, tmp_path: Path) -> None:
    bureau.furnish.ingest(_file(tmp_path, "a.jsonl", _record()), "jsonl", AS_OF, AT)
    other = _file(tmp_path, "b.jsonl", _record(period="2025-06", id_number=B, name="李四"))
    with pytest.raises(ProblemsError, match="belongs to another person"):
        bureau.furnish.ingest(other, "jsonl", AS_OF, AT)
    usd = _file(tmp_path, "c.jsonl", _record(currency="USD"))
    with pytest.raises(ProblemsError, match="kept in CNY"):
        bureau.furnish.ingest(usd, "jsonl", AS_OF, AT)
    both = _file(
        tmp_path,
        "d.jsonl",
        _record(account_id="ACC2"),
        _record(account_id="ACC2", period="2025-04", id_number=B, name="李四"),
    )
    with pytest.raises(ProblemsError, match="for another person on another line"):
        bureau.furnish.ingest(both, "jsonl", AS_OF, AT)


def test_the_same_file_again_changes_nothing_even_after_a_correction(
    bureau: Bureau, tmp_path: Path
) -> None:
    first = _file(tmp_path, "may.jsonl", _record())
    fix = _file(tmp_path, "may-fix.jsonl", _record(balance="7800.00"))
    assert bureau.furnish.ingest(first, "jsonl", AS_OF, AT).applied == 1
    assert bureau.furnish.ingest(fix, "jsonl", AS_OF, AT).corrected == 1
    again = bureau.furnish.ingest(first, "jsonl", AS_OF, AT)
    assert (again.applied, again.unchanged, again.corrected) == (0, 1, 0)
    summary = bureau.inquire.inquire(
        InquiryRequest("cn_ric", A, None, "self_inquiry", None, AS_OF), AT
    )
    assert str(summary.overdue.accounts[0].balance) == "7800.00 CNY"


def test_one_person_however_the_number_is_written(bureau: Bureau, tmp_path: Path) -> None:
    ssn = {"id_type": "us_ssn", "name": "Ann"}
    bureau.furnish.ingest(
        _file(tmp_path, "1.jsonl", _record(id_number="536-22-1234", **ssn)), "jsonl", AS_OF, AT
    )
    bureau.furnish.ingest(
        _file(tmp_path, "2.jsonl", _record(furnisher_id="L2", id_number="536221234", **ssn)),
        "jsonl",
        AS_OF,
        AT,
    )
    summary = bureau.inquire.inquire(
        InquiryRequest("us_ssn", "536221234", None, "self_inquiry", None, AS_OF), AT
    )
    assert len(summary.overdue.accounts) == 2
    assert summary.header.subject_id == "*****1234"


def test_a_lender_cannot_pose_as_the_subject(bureau: Bureau) -> None:
    with pytest.raises(ProblemsError, match=r"inquiry\.by: a self-inquiry is made by the subject"):
        bureau.inquire.inquire(InquiryRequest("cn_ric", A, "L1", "self_inquiry", None, AS_OF), AT)
