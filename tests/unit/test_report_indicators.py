"""The report's indicators on hand-worked files: every expected number is counted by hand here."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.retention import (
    MonthRow,
    NegativeFact,
    overdue_episodes,
    retention_rules,
)
from creditmend.domain.report.build import ReportRequest, build_report
from creditmend.domain.report.file import (
    AccountFacts,
    BlacklistFacts,
    CreditFileFacts,
    FurnisherFacts,
    InquiryFacts,
    ObjectionFacts,
    PublicRecordFacts,
    visible_file,
)
from creditmend.domain.report.indicators import NAMES, Value, person_indicators
from creditmend.domain.report.json_form import report_json
from creditmend.domain.rules.cn import CN
from creditmend.domain.rules.policies import FactKind

AS_OF = date(2025, 6, 20)
FURNISHERS = {
    "BANK1": FurnisherFacts("BANK1", "Bank One", "bank"),
    "NET1": FurnisherFacts("NET1", "借呗", "non_bank"),
}

Month = tuple[str, AccountStatus, int, str, str, str]  # period, status, dpd, paid, balance, due


def account(
    key: str, furnisher: str, account_id: str, opened: date, months: list[Month], **terms: object
) -> AccountFacts:
    facts, balances, history = {}, {}, []
    for period, status, dpd, paid, balance, past_due in months:
        day = date.fromisoformat(period + "-01")
        facts[day] = MonthFacts(
            status, dpd, Decimal("100.00"), Decimal(paid), Decimal(past_due), ()
        )
        balances[day] = Decimal(balance)
        history.append(MonthRow(day, dpd, Decimal(past_due), str(status), None, None))
    return AccountFacts(
        furnisher=furnisher,
        account_id=account_id,
        account_type=str(terms.get("account_type", "online_consumer_loan")),
        currency=str(terms.get("currency", "CNY")),
        opened_on=opened,
        principal=terms.get("principal", Decimal("1200.00")),  # type: ignore[arg-type]
        credit_limit=terms.get("credit_limit"),  # type: ignore[arg-type]
        months=facts,
        balances=balances,
        key=key,
        history=tuple(history),
    )


OPEN, SETTLED = AccountStatus.OPEN, AccountStatus.SETTLED
# Settled bank loan: on time Jan..Mar 2025, settled in April.
BANK_LOAN = account(
    "account:1",
    "BANK1",
    "B-1",
    date(2025, 1, 5),
    [
        ("2025-01", OPEN, 0, "100", "1100", "0"),
        ("2025-02", OPEN, 0, "100", "1000", "0"),
        ("2025-03", OPEN, 0, "100", "900", "0"),
        ("2025-04", SETTLED, 0, "900", "0", "0"),
    ],
)
# Online loan, overdue since March and not cured; June not furnished yet.
NET_LOAN = account(
    "account:2",
    "NET1",
    "N-1",
    date(2024, 12, 10),
    [
        ("2025-01", OPEN, 0, "100", "1100", "0"),
        ("2025-02", OPEN, 0, "100", "1000", "0"),
        ("2025-03", OPEN, 12, "0", "1000", "100"),
        ("2025-04", OPEN, 43, "0", "1000", "200"),
        ("2025-05", OPEN, 73, "0", "1000", "300"),
    ],
)
CARD = account(
    "account:3",
    "NET1",
    "C-1",
    date(2025, 2, 1),
    [("2025-05", OPEN, 0, "50", "800", "0")],
    account_type="credit_card",
    principal=None,
    credit_limit=Decimal("1000.00"),
)


def inquiry(on: date, by: str | None, hard: bool = True) -> InquiryFacts:
    kind = FURNISHERS[by].kind if by else None
    purpose = "loan_approval" if hard else "self_inquiry"
    return InquiryFacts(on, by, purpose, hard, f"inquiry:{on}", kind)


def person(*accounts: AccountFacts, **parts: object) -> CreditFileFacts:
    negative = tuple(fact for a in accounts for fact in overdue_episodes(a.history, a.key))
    return CreditFileFacts(
        subject_id="110105********002X",
        subject_name="张**",
        accounts=accounts,
        inquiries=tuple(parts.get("inquiries", ())),  # type: ignore[arg-type]
        public_records=tuple(parts.get("public_records", ())),  # type: ignore[arg-type]
        blacklist=tuple(parts.get("blacklist", ())),  # type: ignore[arg-type]
        negative=negative + tuple(parts.get("negative", ())),  # type: ignore[arg-type]
        furnishers=FURNISHERS,
        objections=tuple(parts.get("objections", ())),  # type: ignore[arg-type]
    )


def row_of(facts: CreditFileFacts, as_of: date = AS_OF) -> dict[str, Value]:
    view = visible_file(facts, as_of, CN, CN.dated_policies, retention_rules(CN))
    return person_indicators(view, "CNY", CN)


def test_counts_states_and_amounts() -> None:
    row = row_of(person(BANK_LOAN, NET_LOAN, CARD))
    assert list(row) == list(NAMES)
    assert (row["accounts_ever"], row["accounts_open"], row["accounts_settled"]) == (3, 2, 1)
    assert (row["platforms_ever"], row["platforms_open"], row["platforms_settled"]) == (2, 1, 1)
    assert row["first_loan_on"] == date(2024, 12, 10)
    assert row["amount_borrowed_fen"] == 240000 and row["credit_limit_fen"] == 100000
    assert (row["current_overdue_accounts"], row["current_overdue_amount_fen"]) == (1, 30000)
    assert row["max_days_past_due"] == 73
    # Open accounts: the online loan (1000) and the card (800), 100 scheduled each.
    assert row["outstanding_balance_fen"] == 180000
    assert row["monthly_obligations_fen"] == 20000
    assert (row["revolving_balance_fen"], row["revolving_limit_fen"]) == (80000, 100000)


def test_months_at_each_status_come_from_the_grids() -> None:
    row = row_of(person(BANK_LOAN, NET_LOAN))
    # Last 6 months: January..June 2025. Bank: N N N C C C (settled carried). Online: N N 1 2 3 #.
    assert (row["months_n_6m"], row["months_c_6m"], row["months_unknown_6m"]) == (5, 3, 1)
    assert (row["months_o1_6m"], row["months_o2_6m"], row["months_o3_6m"]) == (1, 1, 1)
    assert row["months_overdue_6m"] == 3
    # December 2024: the online loan was open but not furnished.
    assert row["months_unknown_12m"] == 2 and row["months_overdue_60m"] == 3
    assert row["accounts_3_or_6_in_24"] == 1 and row["flag_3_or_6_in_24"] is True


def test_hard_inquiries_count_by_window_and_by_kind() -> None:
    asks = [
        inquiry(date(2025, 6, 14), "BANK1"),  # 6 days before: in 7 days
        inquiry(date(2025, 6, 13), "NET1"),  # 7 days before: not in 7, in 15
        inquiry(date(2025, 6, 13), "NET1"),
        inquiry(date(2025, 6, 20), None, hard=False),  # self-inquiry: soft
        inquiry(date(2024, 6, 21), "NET1"),  # 364 days before: in 365
        inquiry(date(2024, 6, 20), "BANK1"),  # 365 days before: out
    ]
    row = row_of(person(NET_LOAN, inquiries=asks))
    assert (row["hard_inquiries_7d"], row["institutions_7d"]) == (1, 1)
    assert (row["hard_inquiries_15d"], row["institutions_15d"]) == (3, 2)
    assert (row["hard_inquiries_365d"], row["institutions_365d"]) == (4, 2)
    assert (row["hard_inquiries_bank_15d"], row["hard_inquiries_non_bank_15d"]) == (1, 2)
    assert (row["institutions_bank_365d"], row["institutions_non_bank_365d"]) == (1, 1)


def test_retention_hides_a_repaired_overdue_everywhere() -> None:
    # A 2024 overdue of 200, repaired in March 2024: the 2025 credit repair hides it.
    small = account(
        "account:9",
        "NET1",
        "OLD",
        date(2024, 1, 1),
        [
            ("2024-01", OPEN, 0, "100", "1100", "0"),
            ("2024-02", OPEN, 20, "0", "1100", "100"),
            ("2024-03", SETTLED, 0, "1200", "0", "0"),
        ],
    )
    before = row_of(person(small), date(2025, 12, 1))
    after = row_of(person(small), date(2026, 1, 5))
    assert before["months_overdue_24m"] == 1 and before["negative_records"] == 1
    assert after["months_overdue_24m"] == 0 and after["negative_records"] == 0
    assert (before["months_n_60m"], after["months_n_60m"]) == (1, 2)  # February reads N


def test_records_dormancy_and_expiry() -> None:
    court = PublicRecordFacts(
        "public_record:1", "enforced_debtor", "Court", "(2024)京0105执1号", date(2024, 5, 1),
        Decimal("5000"), "active", None,
    )  # fmt: skip
    revoked = PublicRecordFacts(
        "public_record:2", "dishonest_judgment_debtor", "Court", "(2024)京0105执2号",
        date(2024, 5, 1), None, "revoked", None,
    )  # fmt: skip
    listed = BlacklistFacts(
        "blacklist:1", "Alliance", "fraud", date(2024, 1, 1), date(2027, 1, 1), "x"
    )
    facts = person(
        BANK_LOAN,
        public_records=[court, revoked],
        blacklist=[listed],
        negative=[
            NegativeFact(FactKind.PUBLIC_RECORD, "public_record:1", date(2024, 5, 1), None),
            NegativeFact(
                FactKind.BLACKLIST,
                "blacklist:1",
                date(2024, 1, 1),
                None,
                None,
                None,
                date(2027, 1, 1),
            ),
        ],
    )
    row = row_of(facts, date(2025, 11, 3))
    assert row["public_records"] == 1 and row["public_records_enforced_debtor"] == 1
    assert row["blacklist_entries"] == 1
    assert (row["negative_records"], row["negative_uncured"]) == (2, 1)
    assert row["next_expiry_on"] == date(2027, 1, 1)
    # Last activity: the April 2025 settlement; November is 7 months later. A platform whose
    # accounts are all settled has nothing to keep active: it is not dormant.
    assert row["months_since_last_activity"] == 7 and row["dormant_platforms"] == 0
    unused = account(
        "account:3", "NET2", "N-2", date(2025, 1, 5),
        [("2025-01", OPEN, 0, "0", "500", "0"), ("2025-06", OPEN, 0, "0", "500", "0")],
    )  # fmt: skip  # open, no payment since its opening in January: 10 months idle
    row = row_of(person(BANK_LOAN, unused), date(2025, 11, 3))
    assert row["months_since_last_activity"] == 7 and row["dormant_platforms"] == 1


def test_an_empty_file_is_a_report_that_says_so() -> None:
    facts = person()
    view = visible_file(facts, AS_OF, CN, CN.dated_policies, retention_rules(CN))
    report = build_report(facts, view, ReportRequest("R1", AS_OF, "self_inquiry"), CN)
    assert not report.header.has_file
    assert report.header.missing[0] == "no loan or card account has been furnished"
    row = report.indicators
    assert row["accounts_ever"] == 0 and row["first_loan_on"] is None
    assert row["months_since_last_activity"] is None


def test_a_thin_file_says_what_is_missing_and_objections_are_marked() -> None:
    objection = ObjectionFacts(
        "account:NET1:N-1:2025-03", "open", date(2025, 6, 1), date(2025, 6, 21), "paid_on_time"
    )
    facts = person(NET_LOAN, objections=[objection])
    view = visible_file(facts, AS_OF, CN, CN.dated_policies, retention_rules(CN))
    report = build_report(
        facts, view, ReportRequest("R2", AS_OF, "self_inquiry", None, Decimal("500")), CN
    )
    assert "only one account: every indicator rests on one lender's data" in report.header.missing
    assert report.header.notices == ("1 record(s) under objection",)
    (line,) = report.overdue.accounts
    assert line.under_objection and list(line.grid[-6:]) == ["N", "N", "1", "2", "3", "#"]
    assert report.liabilities.debt_to_income == Decimal("0.2000")  # 100 of 500
    assert report.summary.flags[:2] == ("overdue_now", "three_or_six_in_24")
    document = report_json(report)
    assert list(document) == [
        "header", "summary", "loan_history", "overdue", "liabilities", "multi_head",
        "untrustworthy", "blacklist", "objections", "expiry_timeline", "inquiries",
    ]  # fmt: skip
    assert document["expiry_timeline"] == [
        {
            "record": "account:NET1:N-1:2025-03",
            "kind": "overdue",
            "expires_on": None,
            "reason": document["expiry_timeline"][0]["reason"],
            "under_objection": True,
        }
    ]
    assert document["liabilities"]["outstanding_balance"] == "1000.00"


def test_what_the_score_needs() -> None:
    row = row_of(person(NET_LOAN))
    # January..June 2025: N N 1 2 3 #; paid 100 in January and February only.
    assert (row["months_overdue_3m"], row["worst_bucket_6m"]) == (2, 3)
    assert (row["paid_fen_6m"], row["scheduled_fen_6m"]) == (20000, 50000)
    assert row["active_months_6m"] == 2
    both = row_of(person(BANK_LOAN, NET_LOAN))
    assert both["active_months_6m"] == 4  # January to April: a payment somewhere each month


def test_a_self_report_beyond_the_free_ones_says_so() -> None:
    """Art. 17: two free self-reports a calendar year; the third is still given, with a notice.
    Looks of last year and a third party's look do not count."""
    looks = [
        inquiry(date(2024, 12, 30), None, hard=False),
        inquiry(date(2025, 1, 4), None, hard=False),
        inquiry(date(2025, 3, 1), "BANK1"),
        inquiry(date(2025, 5, 2), None, hard=False),
    ]

    def notices(on: date, *extra: InquiryFacts) -> tuple[str, ...]:
        facts = person(NET_LOAN, inquiries=[*looks, *extra])
        view = visible_file(facts, on, CN, CN.dated_policies, retention_rules(CN))
        report = build_report(facts, view, ReportRequest("R", on, "self_inquiry"), CN)
        return report.header.notices

    assert not any("self-report" in n for n in notices(AS_OF))  # the second of 2025
    # The subject's own reading of the file for a plan or a what-if gave no report: not counted.
    planned = replace(inquiry(date(2025, 6, 1), None, hard=False), gives_report=False)
    assert not any("self-report" in n for n in notices(AS_OF, planned))
    third = notices(AS_OF, inquiry(AS_OF, None, hard=False))
    assert any(n.startswith("self-report 3 this year: beyond the 2 free") for n in third)
    assert any("Art. 17" in n for n in third)
