"""The objection lifecycle on a real store (SQLite and PostgreSQL), seen through the reports."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select

from creditmend.adapters.db import tables as t
from creditmend.adapters.db.migrate import alembic_config
from creditmend.adapters.vault import new_key
from creditmend.bootstrap import Bureau, build_bureau
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind
from creditmend.domain.problems import ProblemsError
from creditmend.domain.report.model import Report

RIC = "11010519491231002X"
AT = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)
FILED = date(2026, 5, 20)
EVIDENCE = {"bank_balances": [{"on": "2026-04-10", "amount": "5000.00"}]}


def _month(period: str, **values: Any) -> dict[str, Any]:
    record = {
        "furnisher_id": "JIEBEI",
        "account_id": "L-1",
        "period": period,
        "id_type": "cn_ric",
        "id_number": RIC,
        "name": "张三",
        "account_type": "online_consumer_loan",
        "opened_on": "2026-01-10",
        "principal": "12000.00",
        "term_months": 12,
        "scheduled_amount": "1100.16",
        "paid_amount": "1100.16",
        "balance": "9000.00",
        "past_due_amount": "0.00",
        "days_past_due": 0,
        "status": "open",
        "last_payment_on": f"{period}-10",
    }
    record.update(values)
    return record


# April's debit failed on the due date (the 10th) and was paid only in May: 20 days past due
# at April's end.
MONTHS = [
    _month("2026-02"),
    _month("2026-03"),
    _month(
        "2026-04",
        paid_amount="0.00",
        past_due_amount="1100.16",
        days_past_due=20,
        last_payment_on="2026-03-10",
        first_delinquency_on="2026-04-11",
        negative_notice_on="2026-04-12",
    ),
    _month("2026-05", paid_amount="2200.32", last_payment_on="2026-05-03"),
]


@pytest.fixture
def bureau(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Bureau:
    monkeypatch.setenv("CREDITMEND_KEY", new_key())
    built = build_bureau(db_url, create=True)
    built.furnish.add_furnisher(Furnisher("JIEBEI", "借呗", FurnisherKind.NON_BANK), AT)
    built.furnish.add_furnisher(Furnisher("BANK1", "Bank One", FurnisherKind.BANK), AT)
    cmf = tmp_path / "cmf.jsonl"
    cmf.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in MONTHS), "utf-8")
    assert built.furnish.ingest(cmf, "jsonl", FILED, AT).rejected == 0
    inquiry = {
        "id_type": "cn_ric",
        "id_number": RIC,
        "name": "张三",
        "furnisher_id": "BANK1",
        "inquired_on": "2026-03-02",
        "purpose": "loan_approval",
        "hard": True,
        "consent_ref": "BANK1-0302",
    }
    inquiries = tmp_path / "inquiries.jsonl"
    inquiries.write_text(json.dumps(inquiry) + "\n", "utf-8")
    assert built.records.import_file("inquiries", inquiries, "jsonl", FILED, AT).rejected == 0
    return built


def _report(bureau: Bureau, on: date) -> Report:
    return bureau.inquire.self_report("cn_ric", RIC, on, AT)


def _april(report: Report) -> str:
    (account,) = report.overdue.accounts
    return account.grid[-1 - (report.header.as_of.month - 4)]


def _file(bureau: Bureau, evidence: Any = EVIDENCE, on: date = FILED, **kw: str) -> Any:
    record = kw.get("record", "account:JIEBEI:L-1:2026-04")
    reason = kw.get("reason", "deduction_failed_not_my_fault")
    return bureau.objections.file("cn_ric", RIC, record, reason, evidence, on, AT)


def test_a_corrected_month_leaves_the_grid_and_the_score_with_an_audit_trail(
    bureau: Bureau, db_url: str
) -> None:
    before = _report(bureau, FILED)
    assert _april(before) == "1"
    assert before.overdue.months_overdue["m12"] == 1

    objection = _file(bureau)
    assert objection.status == "open"
    assert objection.routed_to == "JIEBEI"
    assert objection.due_on == date(2026, 6, 9)  # 20 days; a Tuesday, no holiday
    assert objection.proposal is not None and objection.proposal.outcome.value == "corrected"
    marked = _report(bureau, FILED)
    assert marked.overdue.accounts[0].under_objection
    assert marked.header.notices == ("1 record(s) under objection",)

    closed = bureau.objections.answer(
        objection.id, "JIEBEI", "corrected", None, date(2026, 5, 25), AT
    )
    assert closed.status == "corrected"
    actions = [e.action for e in closed.events]
    assert actions[:4] == ["filed", "marked", "routed", "proposed"]
    assert actions[4] == "answered" and actions[-1] == "letter"
    assert {e.note for e in closed.events if e.action == "corrected"} == {
        "2026-04 past_due_amount: 1100.16 -> 0.00",
        "2026-04 days_past_due: 20 -> 0",
        "2026-04 first_delinquency_on: 2026-04-11 -> none",
    }
    after = _report(bureau, date(2026, 5, 25))
    assert _april(after) == "N"
    assert after.overdue.months_overdue["m12"] == 0
    assert not after.overdue.accounts[0].under_objection
    assert after.summary.score is not None and before.summary.score is not None
    assert after.summary.score > before.summary.score
    assert not [e for e in after.expiry_timeline if e.record.startswith("account:JIEBEI")]

    engine = create_engine(db_url)
    with engine.connect() as conn:
        audit = conn.execute(
            select(t.audit_events).where(t.audit_events.c.action == "objection_corrected")
        ).one()
        history = conn.execute(select(t.account_month_history)).all()
        provenance = conn.execute(
            select(t.ingestions.c.file_name)
            .join(t.account_months, t.account_months.c.ingestion_id == t.ingestions.c.id)
            .where(t.account_months.c.days_past_due == 0, t.account_months.c.version == 2)
        ).scalar_one()
    engine.dispose()
    assert audit.actor == "JIEBEI"
    assert audit.reason == f"objection {objection.id}: deduction_failed_not_my_fault"
    assert "2026-04 days_past_due: 20 -> 0" in json.loads(audit.detail)["changes"]
    assert [(h.days_past_due, h.version) for h in history] == [(20, 1)]
    assert provenance == f"objection:{objection.id}"
    draft = bureau.objections.letter(objection.id, date(2026, 5, 25), AT, draft=True)
    bureau.objections.approve(objection.id, "desk:wang", date(2026, 5, 25), AT)
    letter = bureau.objections.letter(objection.id, date(2026, 5, 25), AT)
    assert letter == draft  # approval sends the letter as it was drafted, word for word
    assert "2026-04 days_past_due: 20 -> 0" in letter
    assert "5000.00" in letter  # the evidence the bureau found
    # The desk replays a day: no letter before the answer, no objection before its filing.
    with pytest.raises(ProblemsError, match="no reply had been written by 2026-05-24"):
        bureau.objections.letter(objection.id, date(2026, 5, 24), AT)
    with pytest.raises(ProblemsError, match=r"business_date: .* is before objection \d+ was filed"):
        bureau.objections.letter(objection.id, FILED - timedelta(days=1), AT)


def test_illegal_moves_are_refused_and_change_nothing(bureau: Bureau) -> None:
    objection = _file(bureau, evidence=None, reason="paid_on_time")
    on = date(2026, 5, 22)
    with pytest.raises(
        ProblemsError, match=r"objection\.answered_by: BANK1 cannot answer objection"
    ):
        bureau.objections.answer(objection.id, "BANK1", "confirmed", None, on, AT)
    with pytest.raises(ProblemsError, match="a statement follows a confirmed outcome"):
        bureau.objections.statement(objection.id, "I paid.", on, AT)
    with pytest.raises(ProblemsError, match=r"objection\.corrections: a corrected outcome needs"):
        bureau.objections.answer(objection.id, "JIEBEI", "corrected", None, on, AT)
    with pytest.raises(ProblemsError, match=r"corrections\[2026-04\].past_due_amount"):
        bureau.objections.answer(objection.id, "JIEBEI", "corrected", {"days_past_due": 0}, on, AT)
    assert bureau.objections.show(objection.id, on, AT).is_open
    assert _april(_report(bureau, on)) == "1"
    bureau.objections.answer(objection.id, "JIEBEI", "confirmed", None, on, AT)
    with pytest.raises(ProblemsError, match="is closed \\(confirmed\\)"):
        bureau.objections.answer(objection.id, "JIEBEI", "deleted", None, on, AT)
    with pytest.raises(ProblemsError, match="ID: there is no objection 99"):
        bureau.objections.show(99, on, AT)


def test_a_statement_after_a_confirmed_outcome_shows_next_to_the_record(bureau: Bureau) -> None:
    objection = _file(bureau, evidence=None, reason="paid_on_time")
    on = date(2026, 5, 22)
    bureau.objections.answer(objection.id, "JIEBEI", "confirmed", None, on, AT)
    assert "object statement" in bureau.objections.letter(objection.id, on, AT, draft=True)
    bureau.objections.statement(objection.id, "I paid at the counter on the 10th.", on, AT)
    report = _report(bureau, on)
    assert report.overdue.accounts[0].statement == "I paid at the counter on the 10th."
    assert _april(report) == "1"  # confirmed: the record stays
    assert report.objections.statements[0].record == "account:JIEBEI:L-1:2026-04"


def test_the_same_objection_again_without_new_evidence_is_answered_as_a_repeat(
    bureau: Bureau,
) -> None:
    first = _file(bureau, reason="paid_on_time", evidence=EVIDENCE)
    bureau.objections.answer(first.id, "JIEBEI", "confirmed", None, date(2026, 5, 22), AT)
    again = _file(bureau, reason="paid_on_time", evidence=EVIDENCE, on=date(2026, 5, 23))
    assert (again.status, again.repeat_of) == ("repeated", first.id)
    assert f"Earlier objection: No. {first.id}" in again.events[-1].note
    more = dict(EVIDENCE, payments=[{"on": "2026-04-10", "amount": "1100.16"}])
    fresh = _file(bureau, reason="paid_on_time", evidence=more, on=date(2026, 5, 23))
    assert fresh.status == "open"


def test_an_unanswered_objection_lapses_once_and_stays_marked(bureau: Bureau) -> None:
    objection = _file(bureau, evidence=None, reason="wrong_amount")
    on_time = bureau.objections.list(objection.due_on, AT, overdue_only=True)
    assert on_time == []
    late = date(2026, 6, 15)
    (listed,) = bureau.objections.list(late, AT, overdue_only=True, furnisher="JIEBEI")
    assert (listed.status, listed.age(late), listed.lapsed_on) == ("lapsed", 26, date(2026, 6, 10))
    assert "Art. 25" in listed.events[-1].note
    bureau.objections.list(late, AT, open_only=True)
    shown = bureau.objections.show(objection.id, late, AT)
    assert [e.action for e in shown.events].count("lapsed") == 1
    assert _report(bureau, late).overdue.accounts[0].under_objection
    assert bureau.objections.list(late, AT, furnisher="BANK1") == []
    with pytest.raises(ProblemsError, match=r"objection\.routed_to: NOPE is not registered"):
        bureau.objections.list(late, AT, furnisher="NOPE")
    # A late answer is still taken, and the letter says it was late.
    bureau.objections.answer(objection.id, "JIEBEI", "confirmed", None, late, AT)
    assert "after the legal period" in bureau.objections.letter(objection.id, late, AT, draft=True)


def test_an_inquiry_without_consent_is_the_bureaus_to_answer_and_deletion_removes_it(
    bureau: Bureau,
) -> None:
    report = _report(bureau, FILED)
    (inquiry,) = [i for i in report.inquiries if i.furnisher_id == "BANK1"]
    objection = _file(bureau, evidence=None, record="inquiry:1", reason="inquiry_without_consent")
    assert objection.routed_to == "bureau"
    assert "consent reference 'BANK1-0302' is on record" in objection.events[-1].note
    bureau.objections.answer(objection.id, "bureau", "deleted", None, date(2026, 5, 21), AT)
    after = _report(bureau, date(2026, 5, 21))
    assert [i for i in after.inquiries if i.furnisher_id == "BANK1"] == []
    assert after.multi_head.hard_inquiries["d365"] == report.multi_head.hard_inquiries["d365"] - 1
    assert inquiry.hard


def test_a_look_outside_its_consents_term_is_proposed_for_deletion(
    bureau: Bureau, db_url: str
) -> None:
    """The API logs a consent's term with the look; a look logged after the term ended (a
    store written otherwise: the bureau refuses such a look) is the bureau's to delete on its
    own log, as one with no consent reference is."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            t.inquiries.update()
            .where(t.inquiries.c.id == 1)
            .values(consent_signed_on=date(2026, 2, 1), consent_expires_on=date(2026, 5, 19))
        )
    engine.dispose()
    objection = _file(bureau, evidence=None, record="inquiry:1", reason="inquiry_without_consent")
    assert objection.proposal is not None and objection.proposal.outcome.value == "deleted"
    # Logged at 09:00 UTC on 20 May: 17:00 in Beijing, the day after the consent expired.
    why = "the file was read on 2026-05-20, after the consent expired on 2026-05-19"
    assert objection.proposal.summary == (why,)


def test_a_record_not_in_the_file_cannot_be_objected_to(bureau: Bureau) -> None:
    with pytest.raises(
        ProblemsError, match=r"objection\.record: account:JIEBEI:L-9:2026-04 is not a record"
    ):
        _file(bureau, record="account:JIEBEI:L-9:2026-04")
    with pytest.raises(
        ProblemsError, match=r"objection\.record: account:JIEBEI:L-1:2026-06 is not a record"
    ):
        _file(bureau, record="account:JIEBEI:L-1:2026-06")
    with pytest.raises(ProblemsError, match=r"objection\.reason: 'bored' is not one of"):
        _file(bureau, reason="bored")


def test_a_deleted_account_leaves_reports_and_retention(bureau: Bureau, db_url: str) -> None:
    before = bureau.retention.retain(FILED, AT)
    assert before.facts == 1  # April's overdue episode
    objection = _file(bureau, evidence=None, record="account:JIEBEI:L-1", reason="not_mine")
    assert objection.routed_to == "JIEBEI"
    on = date(2026, 5, 26)
    bureau.objections.answer(objection.id, "JIEBEI", "deleted", None, on, AT)
    report = _report(bureau, on)
    assert report.overdue.accounts == ()
    assert report.loan_history.accounts_ever == 0
    assert report.objections.objections[0].status == "deleted"
    assert bureau.retention.retain(on, AT).facts == 0
    # The furnished months are still in the store: deletion hides, it does not destroy.
    engine = create_engine(db_url)
    with engine.connect() as conn:
        kept = conn.execute(select(t.account_months.c.id)).all()
    engine.dispose()
    assert len(kept) == len(MONTHS)


def test_a_court_records_correction_passes_its_import_rules_and_keeps_the_old_value(
    bureau: Bureau, tmp_path: Path
) -> None:
    record = {
        "id_type": "cn_ric", "id_number": RIC, "name": "张三",
        "kind": "enforced_debtor", "court": "北京市朝阳区人民法院",
        "case_number": "(2026)京0105执1号",
        "filed_on": "2026-02-01", "amount": "5000.00", "status": "active", "source": "court",
    }  # fmt: skip
    path = tmp_path / "court.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    assert bureau.records.import_file("public_records", path, "jsonl", FILED, AT).rejected == 0
    objection = _file(bureau, evidence=None, record="public_record:1", reason="already_settled")
    assert objection.routed_to == "bureau"
    on = date(2026, 5, 22)
    with pytest.raises(ProblemsError, match=r"corrections\.ended_on: is required when status"):
        bureau.objections.answer(
            objection.id, "bureau", "corrected", {"status": "performed"}, on, AT
        )
    fix = {"status": "performed", "ended_on": "2026-04-30"}
    closed = bureau.objections.answer(objection.id, "bureau", "corrected", fix, on, AT)
    changes = [e.note for e in closed.events if e.action == "corrected"]
    assert changes == ["ended_on: none -> 2026-04-30", "status: active -> performed"]
    (shown,) = _report(bureau, on).untrustworthy.records
    assert (shown.status, shown.ended_on) == ("performed", date(2026, 4, 30))


def test_the_reply_is_sent_only_once_the_desk_approves_it(db_url: str, bureau: Bureau) -> None:
    """Drafted with the outcome, sent back with a note, approved: only then is the letter the
    subject's and the objection replied; who and when are kept, each step audited."""
    objection = _file(bureau, evidence=None, reason="paid_on_time")
    answered_on, later = date(2026, 5, 22), date(2026, 5, 27)
    bureau.objections.answer(objection.id, "JIEBEI", "confirmed", None, answered_on, AT)
    drafted = bureau.objections.show(objection.id, answered_on, AT)
    assert drafted.awaiting_approval(answered_on) and not drafted.replied(answered_on)
    assert drafted.reply_pressing(drafted.due_on - timedelta(days=3))
    assert not drafted.reply_pressing(drafted.due_on - timedelta(days=4))
    with pytest.raises(ProblemsError, match=r"letter: the reply to objection \d+ is a draft"):
        bureau.objections.letter(objection.id, answered_on, AT)
    with pytest.raises(ProblemsError, match=r"objection\.note: a letter sent back says why"):
        bureau.objections.send_back(objection.id, "desk:wang", "  ", answered_on, AT)
    with pytest.raises(ProblemsError, match="business_date: 2026-05-21 is before the letter"):
        bureau.objections.approve(objection.id, "desk:wang", date(2026, 5, 21), AT)
    with pytest.raises(ProblemsError, match=r"objection\.reviewed_by: is empty"):
        bureau.objections.approve(objection.id, " ", answered_on, AT)
    back = bureau.objections.send_back(objection.id, "desk:wang", "name the branch", later, AT)
    assert back.events[-1].action == "sent_back"
    with pytest.raises(ProblemsError, match=r"was sent back \(name the branch\)"):
        bureau.objections.letter(objection.id, later, AT)
    at = datetime(2026, 5, 28, 10, 30, tzinfo=UTC)
    bureau.objections.approve(objection.id, "desk:li", date(2026, 5, 28), at)
    approved = bureau.objections.show(objection.id, date(2026, 5, 28), at)
    review = approved.review
    assert review is not None
    assert (review.status.value, review.by, review.on, review.at) == (
        "approved",
        "desk:li",
        date(2026, 5, 28),
        at,
    )
    assert approved.replied(date(2026, 5, 28)) and not approved.replied(later)
    assert [e.action for e in approved.events][-2:] == ["sent_back", "approved"]
    assert "within the legal period" in approved.events[-1].note
    assert "object statement" in bureau.objections.letter(objection.id, date(2026, 5, 28), AT)
    with pytest.raises(ProblemsError, match="already approved by desk:li on 2026-05-28"):
        bureau.objections.approve(objection.id, "desk:wang", date(2026, 5, 28), AT)
    with pytest.raises(ProblemsError, match="already approved"):
        bureau.objections.send_back(objection.id, "desk:wang", "late", date(2026, 5, 28), AT)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        audited = conn.execute(
            select(t.audit_events.c.action, t.audit_events.c.actor, t.audit_events.c.detail)
            .where(t.audit_events.c.action.like("objection_letter_%"))
            .order_by(t.audit_events.c.id)
        ).all()
    engine.dispose()
    assert [(a.action, a.actor) for a in audited] == [
        ("objection_letter_sent_back", "desk:wang"),
        ("objection_letter_approved", "desk:li"),
    ]
    assert json.loads(audited[0].detail)["note"] == "name the branch"


def test_the_desk_revises_its_paragraph_until_the_letter_is_approved(
    db_url: str, bureau: Bureau
) -> None:
    """A revision is stored as an event (the paragraph) with its audit (new and previous
    text), the letter a draft again; the law's parts stay as written; approved, no more."""
    objection = _file(bureau, evidence=None, reason="paid_on_time")
    on = date(2026, 5, 22)
    bureau.objections.answer(objection.id, "JIEBEI", "confirmed", None, on, AT)
    written = bureau.objections.letter(objection.id, on, AT, draft=True)
    bureau.objections.send_back(objection.id, "desk:wang", "say why", on, AT)
    bureau.objections.revise(objection.id, "desk:li", "First words.", on, AT)
    revised = bureau.objections.revise(objection.id, "desk:li", " Better words. \n", on, AT)
    stored = bureau.objections.show(objection.id, on, AT)
    assert stored.review == revised.review and stored.events == revised.events
    assert stored.review is not None and stored.review.status.value == "draft"
    assert [(e.action, e.note) for e in stored.events][-2:] == [
        ("revised", "First words."),
        ("revised", "Better words."),
    ]
    letter = bureau.objections.letter(objection.id, on, AT, draft=True)
    block = "本中心说明 / The bureau's explanation:\n  Better words.\n\n"
    assert block in letter and letter.replace(block, "") == written
    bureau.objections.approve(objection.id, "desk:wang", on, AT)
    assert bureau.objections.letter(objection.id, on, AT) == letter
    with pytest.raises(ProblemsError, match="already approved by desk:wang"):
        bureau.objections.revise(objection.id, "desk:li", "Too late.", on, AT)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        audited = conn.execute(
            select(t.audit_events.c.actor, t.audit_events.c.detail)
            .where(t.audit_events.c.action == "objection_letter_revised")
            .order_by(t.audit_events.c.id)
        ).all()
    engine.dispose()
    said = [(a.actor, json.loads(a.detail)) for a in audited]
    assert [(actor, d["explanation"], d["previous"]) for actor, d in said] == [
        ("desk:li", "First words.", ""),
        ("desk:li", "Better words.", "First words."),
    ]


def test_a_repeat_is_answered_at_once_and_its_letter_waits_for_approval(bureau: Bureau) -> None:
    first = _file(bureau, reason="paid_on_time", evidence=EVIDENCE)
    bureau.objections.answer(first.id, "JIEBEI", "confirmed", None, date(2026, 5, 22), AT)
    again = _file(bureau, reason="paid_on_time", evidence=EVIDENCE, on=date(2026, 5, 23))
    stored = bureau.objections.show(again.id, date(2026, 5, 23), AT)
    assert stored.awaiting_approval(date(2026, 5, 23))
    bureau.objections.approve(again.id, "desk:wang", date(2026, 5, 23), AT)
    letter = bureau.objections.letter(again.id, date(2026, 5, 23), AT)
    assert f"Earlier objection: No. {first.id}" in letter


def test_migration_0013_records_the_letters_sent_before_it_as_approved(
    db_url: str, bureau: Bureau
) -> None:
    """Down to 0012 and up again on a store with a letter sent before the approval step (as
    0012 knew it: no review columns) and an open objection: the letter is approved on the day
    of its outcome, by no one named; the open one has no letter to review."""
    answered = _file(bureau, evidence=None, reason="paid_on_time")
    open_one = _file(bureau, evidence=None, reason="wrong_amount", on=date(2026, 5, 21))
    bureau.objections.answer(answered.id, "JIEBEI", "confirmed", None, date(2026, 5, 22), AT)
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0012")
        with engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("objections")}
        assert "letter_status" not in columns and "outcome" in columns
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
        with engine.connect() as conn:
            rows = {
                row.id: (row.letter_status, row.letter_reviewed_by, row.letter_reviewed_on)
                for row in conn.execute(select(t.objections))
            }
    finally:
        engine.dispose()
    assert rows == {
        answered.id: ("approved", None, date(2026, 5, 22)),
        open_one.id: (None, None, None),
    }
    assert "object statement" in bureau.objections.letter(answered.id, date(2026, 5, 22), AT)
