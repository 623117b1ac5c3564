"""The objection state machine, its deadlines, repeats, and the automatic evidence check."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.creditfile.corrections import corrected_month, parse_corrections
from creditmend.domain.creditfile.evidence import (
    Attempt,
    Dated,
    DueDay,
    Evidence,
    dated_after,
    deduction_finding,
    due_day_of,
    parse_evidence,
)
from creditmend.domain.creditfile.furnisher import Furnisher, FurnisherKind, validate_furnisher
from creditmend.domain.creditfile.furnishing import (
    AccountStatus,
    AccountType,
    FurnishedRecord,
    IdType,
)
from creditmend.domain.creditfile.objection import (
    BUREAU,
    DRAFTED,
    LetterReview,
    LetterStatus,
    Objection,
    Outcome,
    Reason,
    RecordKind,
    RecordRef,
    answer_problems,
    earlier_same,
    filing_problems,
    reply_due,
    review_problems,
    route,
    statement_problems,
)
from creditmend.domain.rules import profile

CN = profile("cn")
MONTH = RecordRef.parse("account:JIEBEI:L-1:2026-04")


class Holidays:
    """Weekdays, less a given set of days off (a stand-in for the China calendar)."""

    def __init__(self, *off: date) -> None:
        self.off = set(off)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.off


def _objection(**changes: object) -> Objection:
    base = Objection(
        id=7,
        person=1,
        record=MONTH,
        reason=Reason.DEDUCTION_FAILED_NOT_MY_FAULT,
        evidence=Evidence(),
        filed_on=date(2026, 5, 4),
        due_on=date(2026, 5, 25),
        routed_to="JIEBEI",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "account:JIEBEI:L-1:2026-04",
        "account:JIEBEI:L-1",
        "inquiry:12",
        "public_record:3",
        "blacklist:9",
    ],
)
def test_record_references_read_and_print_the_same(text: str) -> None:
    assert str(RecordRef.parse(text)) == text


@pytest.mark.parametrize(
    "text", ["account:JIEBEI", "account:J:L:2026-13", "loan:1", "inquiry:x", "inquiry:", ""]
)
def test_a_bad_record_reference_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a"):
        RecordRef.parse(text)


def test_the_month_reference_names_its_account() -> None:
    assert MONTH.kind is RecordKind.ACCOUNT_MONTH
    assert MONTH.period == date(2026, 4, 1)
    assert MONTH.account == "account:JIEBEI:L-1"


# ---------------------------------------------------------------- deadlines
def test_the_reply_is_due_twenty_days_after_receipt_across_a_month_end() -> None:
    # Received Friday 2026-01-16: the period starts on the 17th; day 20 is Thursday 2026-02-05.
    assert reply_due(date(2026, 1, 16), CN, WeekdayCalendar()) == date(2026, 2, 5)
    # Received 2026-01-31: day 20 is Friday 2026-02-20.
    assert reply_due(date(2026, 1, 31), CN, WeekdayCalendar()) == date(2026, 2, 20)


def test_a_deadline_on_a_rest_day_moves_to_the_next_working_day() -> None:
    # Day 20 is Saturday 2026-02-07: the period ends on Monday the 9th.
    assert reply_due(date(2026, 1, 18), CN, WeekdayCalendar()) == date(2026, 2, 9)
    # ... and when Monday and Tuesday are holidays, on Wednesday.
    holidays = Holidays(date(2026, 2, 9), date(2026, 2, 10))
    assert reply_due(date(2026, 1, 18), CN, holidays) == date(2026, 2, 11)


def test_an_objection_is_overdue_only_after_its_last_day_and_only_while_open() -> None:
    objection = _objection()
    assert not objection.overdue(objection.due_on)
    assert objection.overdue(objection.due_on + timedelta(days=1))
    assert objection.age(date(2026, 5, 30)) == 26
    answered = replace(objection, outcome=Outcome.CONFIRMED)
    assert not answered.overdue(date(2026, 6, 30))


# ---------------------------------------------------------------- routing and filing
def test_routing_follows_who_can_verify() -> None:
    assert route(MONTH, Reason.WRONG_AMOUNT, None) == "JIEBEI"
    inquiry = RecordRef.parse("inquiry:4")
    assert route(inquiry, Reason.INQUIRY_WITHOUT_CONSENT, "BANK1") == BUREAU
    assert route(inquiry, Reason.NOT_MINE, "BANK1") == "BANK1"
    assert route(RecordRef.parse("blacklist:2"), Reason.NOT_MINE, None) == BUREAU


def test_reasons_that_cannot_apply_to_a_record_are_refused() -> None:
    assert filing_problems(MONTH, Reason.INQUIRY_WITHOUT_CONSENT)
    assert filing_problems(RecordRef.parse("inquiry:1"), Reason.DEDUCTION_FAILED_NOT_MY_FAULT)
    assert not filing_problems(MONTH, Reason.DEDUCTION_FAILED_NOT_MY_FAULT)


# ---------------------------------------------------------------- the state machine
def test_only_the_furnisher_it_was_routed_to_answers() -> None:
    problems = answer_problems(_objection(), "OTHER", Outcome.CONFIRMED, date(2026, 5, 10), False)
    assert [p.field for p in problems] == ["objection.answered_by"]
    assert "routed to JIEBEI" in problems[0].message


def test_a_closed_objection_cannot_be_answered_again() -> None:
    closed = _objection(outcome=Outcome.CONFIRMED, answered_by="JIEBEI")
    problems = answer_problems(closed, "JIEBEI", Outcome.DELETED, date(2026, 5, 10), False)
    assert len(problems) == 1
    assert "closed (confirmed)" in problems[0].message


def test_corrected_needs_values_and_only_corrected_takes_them() -> None:
    on = date(2026, 5, 10)
    objection = _objection()
    assert answer_problems(objection, "JIEBEI", Outcome.CORRECTED, on, False)[0].field == (
        "objection.corrections"
    )
    assert answer_problems(objection, "JIEBEI", Outcome.DELETED, on, True)[0].field == (
        "objection.corrections"
    )
    assert answer_problems(objection, "JIEBEI", Outcome.CORRECTED, on, True) == ()
    early = answer_problems(objection, "JIEBEI", Outcome.CONFIRMED, date(2026, 5, 1), False)
    assert [p.field for p in early] == ["business_date"]


def test_a_statement_waits_for_a_confirmed_outcome_and_has_a_length_limit() -> None:
    on = date(2026, 6, 1)
    assert "still open" in statement_problems(_objection(), "mine", on, CN)[0].message
    deleted = _objection(outcome=Outcome.DELETED)
    assert "closed as deleted" in statement_problems(deleted, "x", on, CN)[0].message
    confirmed = _objection(outcome=Outcome.CONFIRMED, answered_on=date(2026, 5, 20))
    assert statement_problems(confirmed, "The debit failed; I paid the next day.", on, CN) == ()
    limit = int(CN.statement_max_chars.value)
    too_long = statement_problems(confirmed, "x" * (limit + 1), on, CN)
    assert f"at most {limit}" in too_long[0].message
    assert statement_problems(confirmed, "  ", on, CN)[0].message == "is empty"
    sneaky = {"line1\nline2": "U+000A", "red \x1b[31mALERT": "U+001B", "left\u202eright": "U+202E"}
    for text, code in sneaky.items():  # no terminal tricks
        (problem,) = statement_problems(confirmed, text, on, CN)
        assert problem.field == "objection.statement"
        assert code in problem.message and "write one line of plain text" in problem.message
    assert statement_problems(confirmed, "我已于次日还清。", on, CN) == ()


def test_a_furnisher_code_is_plain_and_never_the_bureau() -> None:
    def said(code: str, name: str = "Lender") -> list[str]:
        return [p.message for p in validate_furnisher(Furnisher(code, name, FurnisherKind.BANK))]

    assert said("BK0003") == []
    assert said("bureau") == ["'bureau' is reserved: it names the bureau itself"]
    assert said("Bureau") == ["'Bureau' is reserved: it names the bureau itself"]
    assert said("汉字") == ["'汉字' must be 1-64 letters, digits, '-', '_' or '.'"]
    assert said("BK1", "x" * 201) == ["has 201 characters; at most 200"]


# ---------------------------------------------------------------- repeats
BALANCE = Evidence(bank_balances=(Dated(date(2026, 4, 10), Decimal("5000.00")),))


def test_the_same_objection_without_new_evidence_is_a_repeat() -> None:
    earlier = _objection(evidence=BALANCE, outcome=Outcome.CONFIRMED)
    reason = Reason.DEDUCTION_FAILED_NOT_MY_FAULT
    assert earlier_same(MONTH, reason, BALANCE, [earlier]) is earlier
    assert earlier_same(MONTH, reason, Evidence(), [earlier]) is earlier
    still_open = _objection(evidence=BALANCE)
    assert earlier_same(MONTH, reason, BALANCE, [still_open]) is still_open


def test_new_evidence_another_reason_or_a_changed_record_is_no_repeat() -> None:
    earlier = _objection(evidence=BALANCE, outcome=Outcome.CONFIRMED)
    reason = Reason.DEDUCTION_FAILED_NOT_MY_FAULT
    more = replace(BALANCE, payments=(Dated(date(2026, 4, 11), Decimal("1100.16")),))
    assert earlier_same(MONTH, reason, more, [earlier]) is None
    assert earlier_same(MONTH, Reason.PAID_ON_TIME, BALANCE, [earlier]) is None
    other_month = RecordRef.parse("account:JIEBEI:L-1:2026-05")
    assert earlier_same(other_month, reason, BALANCE, [earlier]) is None
    corrected = replace(earlier, outcome=Outcome.CORRECTED)
    assert earlier_same(MONTH, reason, BALANCE, [corrected]) is None


# ---------------------------------------------------------------- the evidence check
DUE = DueDay(date(2026, 4, 10), date(2026, 4, 1), Decimal("1100.16"))


def test_a_sufficient_balance_on_the_due_date_grounds_the_objection() -> None:
    finding = deduction_finding(DUE, BALANCE)
    assert finding.grounded
    assert "5000.00" in finding.summary[0]


def test_a_platform_side_failure_on_the_due_date_grounds_it() -> None:
    failed = Evidence(deduction_attempts=(Attempt(date(2026, 4, 10), False, "platform_error"),))
    assert deduction_finding(DUE, failed).grounded
    remark = replace(DUE, remarks=("deduction_failed_platform",))
    assert deduction_finding(remark, Evidence()).grounded


@pytest.mark.parametrize(
    "evidence",
    [
        Evidence(bank_balances=(Dated(date(2026, 4, 10), Decimal("1100.15")),)),
        Evidence(bank_balances=(Dated(date(2026, 4, 9), Decimal("9000.00")),)),
        Evidence(deduction_attempts=(Attempt(date(2026, 4, 10), False, "insufficient_funds"),)),
        Evidence(deduction_attempts=(Attempt(date(2026, 4, 10), True, None),)),
        Evidence(),
    ],
)
def test_short_money_a_wrong_day_or_the_borrowers_side_is_no_ground(evidence: Evidence) -> None:
    finding = deduction_finding(DUE, evidence)
    assert not finding.grounded
    assert "2026-04-10" in finding.summary[0]


def test_the_due_day_is_the_day_before_the_overdue_began() -> None:
    due = due_day_of(
        date(2026, 4, 1), Decimal("1100.16"), Decimal("1100.16"), date(2026, 4, 11), []
    )
    assert due.due_on == date(2026, 4, 10)
    carried = due_day_of(date(2026, 5, 1), Decimal(0), Decimal("1100.16"), date(2026, 4, 11), [])
    assert carried.due_on is None
    assert carried.amount_due == Decimal("1100.16")
    # Unknown day: evidence anywhere in the month counts.
    assert deduction_finding(
        carried, Evidence(bank_balances=(Dated(date(2026, 5, 3), Decimal("2000.00")),))
    ).grounded


def test_evidence_problems_name_their_key() -> None:
    _, problems = parse_evidence(
        {
            "bank_balances": [{"on": "2026-04-31", "amount": "10.00"}, {"amount": 5.5}],
            "deduction_attempts": [{"on": "2026-04-10", "result": "maybe", "reason": "gremlins"}],
            "files": [{"name": "statement.pdf", "sha256": "ABC"}],
            "photos": [],
        }
    )
    fields = {p.field for p in problems}
    assert fields == {
        "evidence.photos",
        "evidence.bank_balances[0].on",
        "evidence.bank_balances[1].on",
        "evidence.bank_balances[1].amount",
        "evidence.deduction_attempts[0].result",
        "evidence.deduction_attempts[0].reason",
        "evidence.files[0].sha256",
    }


def test_evidence_round_trips_through_its_json_form() -> None:
    evidence = Evidence(
        bank_balances=(Dated(date(2026, 4, 10), Decimal("5000.00")),),
        deduction_attempts=(Attempt(date(2026, 4, 10), False, "platform_error"),),
    )
    again, problems = parse_evidence(evidence.to_json())
    assert problems == ()
    assert again == evidence
    assert again.sha256 == evidence.sha256
    assert not again.adds_to(evidence)


# ---------------------------------------------------------------- corrections
STORED = FurnishedRecord(
    furnisher_id="JIEBEI",
    account_id="L-1",
    period=date(2026, 4, 1),
    id_type=IdType.CN_RIC,
    id_number="",
    name="",
    account_type=AccountType.ONLINE_CONSUMER_LOAN,
    currency="CNY",
    opened_on=date(2026, 1, 10),
    principal=Decimal("12000.00"),
    credit_limit=None,
    term_months=12,
    scheduled_amount=Decimal("1100.16"),
    paid_amount=Decimal("0.00"),
    balance=Decimal("9000.00"),
    past_due_amount=Decimal("1100.16"),
    days_past_due=20,
    status=AccountStatus.OPEN,
    closed_on=None,
    last_payment_on=None,
    first_delinquency_on=date(2026, 4, 11),
    negative_notice_on=date(2026, 4, 12),
    remarks=(),
    line=3,
)


def test_corrected_values_pass_the_furnishing_rules() -> None:
    corrections, problems = parse_corrections(
        MONTH, {"days_past_due": 0, "past_due_amount": "0.00", "first_delinquency_on": None}
    )
    assert problems == ()
    month, wrong = corrected_month(STORED, corrections.months[date(2026, 4, 1)], date(2026, 5, 9))
    assert wrong == ()
    assert (month.days_past_due, month.past_due_amount) == (0, Decimal("0.00"))


def test_corrected_values_that_contradict_each_other_are_refused() -> None:
    corrections, _ = parse_corrections(MONTH, {"days_past_due": 0})
    _, wrong = corrected_month(STORED, corrections.months[date(2026, 4, 1)], date(2026, 5, 9))
    assert [p.field for p in wrong] == ["corrections[2026-04].past_due_amount"]


def test_corrections_name_the_bad_field() -> None:
    _, problems = parse_corrections(MONTH, {"days_past_due": -1, "colour": "red"})
    assert {p.field for p in problems} == {"corrections.days_past_due", "corrections.colour"}
    _, problems = parse_corrections(RecordRef.parse("account:JIEBEI:L-1"), {"months": {"x": {}}})
    assert problems[0].field == "corrections.months.x"
    _, problems = parse_corrections(RecordRef.parse("inquiry:1"), {})
    assert "no values to correct" in problems[0].message
    corrections, problems = parse_corrections(
        RecordRef.parse("public_record:1"), {"status": "revoked", "ended_on": "2026-05-01"}
    )
    assert problems == ()
    assert corrections.to_json() == {"ended_on": "2026-05-01", "status": "revoked"}


def test_evidence_of_a_later_day_than_the_filing_is_refused() -> None:
    filed = date(2026, 7, 10)
    evidence = Evidence(
        bank_balances=(Dated(date(2026, 7, 10), Decimal("10.00")),),
        payments=(
            Dated(date(2026, 7, 9), Decimal("5.00")),
            Dated(date(2026, 12, 31), Decimal("1.00")),
        ),
        deduction_attempts=(Attempt(date(2026, 7, 11), False, "platform_error"),),
    )
    assert [(p.field, p.message) for p in dated_after(evidence, filed)] == [
        ("evidence.payments[1].on", "2026-12-31 is after the filing day 2026-07-10"),
        ("evidence.deduction_attempts[0].on", "2026-07-11 is after the filing day 2026-07-10"),
    ]
    assert dated_after(Evidence(bank_balances=evidence.bank_balances), filed) == ()


def test_a_reply_counts_only_once_approved_and_is_pressing_near_its_due_date() -> None:
    answered = _objection(
        outcome=Outcome.CONFIRMED, answered_by="JIEBEI", answered_on=date(2026, 5, 20),
        review=DRAFTED,
    )  # fmt: skip
    assert not answered.overdue(date(2026, 5, 30))  # the legal clock is the answer's, unchanged
    assert answered.awaiting_approval(date(2026, 5, 20)) and not answered.replied(date(2026, 5, 20))
    assert not answered.awaiting_approval(date(2026, 5, 19))  # not yet answered that day
    assert not answered.reply_pressing(date(2026, 5, 21))  # due 05-25: four days left
    assert answered.reply_pressing(date(2026, 5, 22)) and answered.reply_pressing(date(2026, 6, 1))
    approved = replace(
        answered, review=LetterReview(LetterStatus.APPROVED, "desk:wang", date(2026, 5, 23))
    )
    assert approved.replied(date(2026, 5, 23)) and not approved.replied(date(2026, 5, 22))
    assert approved.awaiting_approval(date(2026, 5, 22))  # replayed: it was still a draft
    assert not approved.reply_pressing(date(2026, 5, 24))
    before_the_step = replace(answered, review=LetterReview(LetterStatus.APPROVED))
    assert before_the_step.replied(date(2026, 5, 20))
    assert not _objection().awaiting_approval(date(2026, 5, 20))  # open: no letter at all


def test_the_desks_review_is_checked_before_it_is_kept() -> None:
    on = date(2026, 5, 21)
    open_one = _objection()
    assert [p.message for p in review_problems(open_one, "desk", on, True, None)] == [
        "objection 7 is open: there is no reply letter to review"
    ]
    drafted = _objection(outcome=Outcome.DELETED, answered_on=date(2026, 5, 20), review=DRAFTED)
    assert review_problems(drafted, "desk", on, True, None) == ()
    assert [p.field for p in review_problems(drafted, "", date(2026, 5, 19), False, " ")] == [
        "objection.reviewed_by", "business_date", "objection.note"
    ]  # fmt: skip
    assert [p.field for p in review_problems(drafted, "d\x1b[2J", on, True, None)] == [
        "objection.reviewed_by"
    ]
    sent_back = replace(drafted, review=LetterReview(LetterStatus.SENT_BACK, "desk", on, None, "x"))
    assert review_problems(sent_back, "desk", on, True, None) == ()  # approved once dealt with
    done = replace(drafted, review=LetterReview(LetterStatus.APPROVED, "desk", on))
    assert [p.message for p in review_problems(done, "desk", on, False, "late")] == [
        "the reply to objection 7 was already approved by desk on 2026-05-21"
    ]
