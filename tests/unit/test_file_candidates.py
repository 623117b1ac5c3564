"""The plan's objection candidates from the bureau's own data (`file_candidates`): a month its
furnisher remarked `deduction_failed_platform`, a lone short overdue month, and an inquiry the
log shows made without consent in force; each with the command that files it."""

from __future__ import annotations

import shlex
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.inquiry import (
    CONSENT_EXPIRED,
    CONSENT_NOT_YET_SIGNED,
    NO_CONSENT_LOGGED,
    consent_fault,
    look_day,
)
from creditmend.domain.creditfile.retention import MonthRow, overdue_episodes, retention_rules
from creditmend.domain.recovery.file_candidates import (
    FURNISHER_SAID,
    LONE_SHORT_MONTH,
    WHY_WORDS,
    FileCandidate,
    file_candidates,
    file_candidates_json,
)
from creditmend.domain.report.file import (
    AccountFacts,
    CreditFileFacts,
    FurnisherFacts,
    InquiryFacts,
    ObjectionFacts,
    visible_file,
)
from creditmend.domain.rules.cn import CN

AS_OF = date(2026, 4, 20)
RIC = "11010519491231002X"


def _account(furnisher: str, account_id: str, key: int, late: dict[str, int],
             remarked: str | None = None) -> AccountFacts:  # fmt: skip
    """January to March 2026, paid as agreed but for the `late` months (days past due)."""
    months, balances, history = {}, {}, []
    for period in ("2026-01", "2026-02", "2026-03"):
        day = date.fromisoformat(period + "-01")
        dpd = late.get(period, 0)
        due = Decimal(100) if dpd else Decimal(0)
        remarks = ("deduction_failed_platform",) if period == remarked else ()
        months[day] = MonthFacts(AccountStatus.OPEN, dpd, Decimal(100), Decimal(100) - due, due,
                                 remarks)  # fmt: skip
        balances[day] = Decimal(1000)
        history.append(MonthRow(day, dpd, due, "open", None, None))
    return AccountFacts(
        furnisher, account_id, "online_consumer_loan", "CNY", date(2025, 12, 10), Decimal(1200),
        None, months, balances, f"account:{key}", tuple(history),
    )  # fmt: skip


def _inquiry(
    number: int,
    on: date,
    by: str | None,
    consent: str | None,
    *,
    signed: date | None = None,
    expires: date | None = None,
    at: datetime | None = None,
    purpose: str = "loan_approval",
) -> InquiryFacts:
    """One logged look; `at` (its moment) defaults to 10:00 in Beijing on its day."""
    return InquiryFacts(
        on, by, purpose, purpose != "self_inquiry", f"inquiry:{number}",
        None if by is None else "non_bank", True, consent, signed, expires,
        at or datetime(on.year, on.month, on.day, 2, tzinfo=UTC),
    )  # fmt: skip


# Read on 6 March in Beijing (17:00 UTC on the 5th), the day after the consent expired.
EXPIRED = _inquiry(
    3, date(2026, 3, 5), "LEND1", "C-3", signed=date(2026, 2, 1), expires=date(2026, 3, 5),
    at=datetime(2026, 3, 5, 17, 0, tzinfo=UTC),
)  # fmt: skip
# A report as of 15 January asked on 5 March: the look, not the report's day, is judged.
PAST_REPORT = _inquiry(
    4, date(2026, 1, 15), "LEND2", "C-4", signed=date(2026, 3, 1), expires=date(2026, 6, 1),
    at=datetime(2026, 3, 5, 2, tzinfo=UTC),
)  # fmt: skip
EARLY = _inquiry(5, date(2026, 3, 9), "LEND2", "C-5", signed=date(2026, 3, 10))  # before signing
INQUIRIES = (
    _inquiry(1, date(2026, 3, 2), "LEND1", "C-1"),  # consent on record: nothing to object to
    _inquiry(2, date(2026, 3, 3), "LEND2", None),  # none logged
    EXPIRED,
    PAST_REPORT,
    EARLY,
    _inquiry(6, date(2026, 3, 10), None, None, purpose="self_inquiry"),  # the subject's own
    _inquiry(7, date(2026, 3, 11), "LEND2", None),  # objected to already
    _inquiry(8, date(2024, 3, 11), "LEND2", None),  # older than the report's 24 months
)


def _facts() -> CreditFileFacts:
    accounts = (
        _account("LEND1", "A-1", 1, {"2026-02": 3}, remarked="2026-02"),  # its debit failed
        _account("LEND2", "B-1", 2, {"2026-02": 5}),  # five days late once
        _account("LEND2", "B-2", 3, {"2026-01": 4, "2026-03": 6}),  # late twice: a pattern
    )
    negative = tuple(fact for a in accounts for fact in overdue_episodes(a.history, a.key))
    objections = (ObjectionFacts("inquiry:7", "confirmed", date(2026, 3, 20),
                                 date(2026, 4, 9), "inquiry_without_consent"),)  # fmt: skip
    furnishers = {
        "LEND1": FurnisherFacts("LEND1", "Lender One", "non_bank"),
        "LEND2": FurnisherFacts("LEND2", "Lender Two", "non_bank"),
    }
    return CreditFileFacts("110105********002X", "张**", accounts, INQUIRIES, (), (), negative,
                           furnishers, objections)  # fmt: skip


def _found() -> tuple[FileCandidate, ...]:
    facts = _facts()
    view = visible_file(facts, AS_OF, CN, CN.dated_policies, retention_rules(CN))
    return file_candidates(facts, view, CN, "cn_ric", RIC)


def test_each_kind_of_candidate_and_the_command_that_files_it() -> None:
    found = {c.record: c for c in _found()}
    assert list(found) == [
        "account:LEND1:A-1:2026-02",
        "account:LEND2:B-1:2026-02",
        "inquiry:5",
        "inquiry:3",
        "inquiry:2",
    ]
    said, lone = found["account:LEND1:A-1:2026-02"], found["account:LEND2:B-1:2026-02"]
    assert (said.why, said.needs_evidence, said.days_past_due) == (FURNISHER_SAID, False, 3)
    assert shlex.split(said.command) == [
        "creditmend", "object", "file", "cn_ric", RIC, "--record", said.record,
        "--reason", "deduction_failed_not_my_fault",
    ]  # fmt: skip
    assert (lone.why, lone.needs_evidence) == (LONE_SHORT_MONTH, True)
    assert shlex.split(lone.command)[-2:] == ["--evidence", "evidence.json"]
    whys = {record: found[record].why for record in ("inquiry:2", "inquiry:3", "inquiry:5")}
    assert whys == {
        "inquiry:2": NO_CONSENT_LOGGED,
        "inquiry:3": CONSENT_EXPIRED,
        "inquiry:5": CONSENT_NOT_YET_SIGNED,
    }
    expired = found["inquiry:3"]
    assert (expired.reason, expired.needs_evidence, expired.furnisher_name) == (
        "inquiry_without_consent",
        False,
        "Lender One",
    )
    assert expired.account_id is None and expired.inquired_on == date(2026, 3, 5)
    assert shlex.split(expired.command)[-4:] == [
        "--record", "inquiry:3", "--reason", "inquiry_without_consent",
    ]  # fmt: skip
    assert all(c.why in WHY_WORDS for c in found.values())


def test_the_json_carries_the_command_and_the_inquirys_day() -> None:
    rows = {row["record"]: row for row in file_candidates_json(_found())}
    assert rows["inquiry:2"]["command"].endswith("--reason inquiry_without_consent")
    assert (rows["inquiry:2"]["inquired_on"], rows["inquiry:2"]["purpose"]) == (
        "2026-03-03",
        "loan_approval",
    )
    assert rows["account:LEND2:B-1:2026-02"]["inquired_on"] is None


def test_an_open_objection_takes_a_month_out() -> None:
    facts = _facts()
    open_one = ObjectionFacts("account:LEND1:A-1:2026-02", "open", date(2026, 4, 1),
                              date(2026, 4, 21), "other")  # fmt: skip
    facts = replace(facts, objections=(*facts.objections, open_one))
    view = visible_file(facts, AS_OF, CN, CN.dated_policies, retention_rules(CN))
    records = [c.record for c in file_candidates(facts, view, CN)]
    assert "account:LEND1:A-1:2026-02" not in records and "inquiry:2" in records


def test_the_consent_rule() -> None:
    day = date(2026, 3, 5)
    assert consent_fault("self_inquiry", None, None, None, day) is None
    assert consent_fault("loan_approval", " ", None, None, day) == NO_CONSENT_LOGGED
    assert consent_fault("loan_approval", "C", None, None, day) is None  # no term logged
    assert consent_fault("loan_approval", "C", day, day, day) is None  # its last day counts
    assert consent_fault("loan_approval", "C", None, date(2026, 3, 4), day) == CONSENT_EXPIRED
    assert consent_fault("loan_approval", "C", date(2026, 3, 6), None, day) == (
        CONSENT_NOT_YET_SIGNED
    )
    assert look_day(datetime(2026, 3, 5, 16, 0, tzinfo=UTC), CN) == date(2026, 3, 6)
