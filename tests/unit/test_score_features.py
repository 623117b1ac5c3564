"""The bureau's score features (issue 16's contract) on hand-built credit files: every expected
number is counted by hand here, from the grid each account reads as of 20 June 2025."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.retention import (
    MonthRow,
    NegativeFact,
    overdue_episodes,
    retention_rules,
)
from creditmend.domain.report.file import (
    AccountFacts,
    BlacklistFacts,
    CreditFileFacts,
    FurnisherFacts,
    InquiryFacts,
    PublicRecordFacts,
    visible_file,
)
from creditmend.domain.report.indicators import MONTH_WINDOWS, Value, person_indicators
from creditmend.domain.rules.cn import CN
from creditmend.domain.rules.policies import FactKind
from creditmend.domain.scoring.features import (
    BUREAU_NAMES,
    BUREAU_SPECS,
    FALLS,
    NO_OVERDUE_SHOWN,
    RISES,
    SPECS,
    VALLEY,
    from_indicators,
)

AS_OF = date(2025, 6, 20)  # the as-of month is June 2025
FURNISHERS = {
    "BANK1": FurnisherFacts("BANK1", "Bank One", "bank"),
    "BANK2": FurnisherFacts("BANK2", "Bank Two", "bank"),
    "NET1": FurnisherFacts("NET1", "借呗", "non_bank"),
    "NET2": FurnisherFacts("NET2", "Net Two", "non_bank"),
}
OPEN, SETTLED, CHARGED_OFF = AccountStatus.OPEN, AccountStatus.SETTLED, AccountStatus.CHARGED_OFF
Month = tuple[str, AccountStatus, int, str, str]  # period, status, days past due, balance, past due


def account(
    key: str, furnisher: str, opened: date, months: list[Month], limit: str | None = None
) -> AccountFacts:
    facts, balances, history = {}, {}, []
    for period, status, dpd, balance, past_due in months:
        day = date.fromisoformat(period + "-01")
        paid = Decimal("0") if dpd else Decimal("100.00")
        facts[day] = MonthFacts(status, dpd, Decimal("100.00"), paid, Decimal(past_due), ())
        balances[day] = Decimal(balance)
        history.append(MonthRow(day, dpd, Decimal(past_due), str(status), None, None))
    return AccountFacts(
        furnisher=furnisher,
        account_id=key,
        account_type="credit_card" if limit else "online_consumer_loan",
        currency="CNY",
        opened_on=opened,
        principal=None if limit else Decimal("1200.00"),
        credit_limit=None if limit is None else Decimal(limit),
        months=facts,
        balances=balances,
        key=f"account:{key}",
        history=tuple(history),
    )


# A bank loan from June 2022 (the oldest account: 36 months), 31 to 60 days late in July 2022
# (35 months back: out of 24 months, in the 60-month grid), settled in September 2022.
OLD_BANK = account(
    "1", "BANK1", date(2022, 6, 15),
    [("2022-06", OPEN, 0, "1000", "0"), ("2022-07", OPEN, 40, "1000", "100"),
     ("2022-08", OPEN, 0, "900", "0"), ("2022-09", SETTLED, 0, "0", "0")],
)  # fmt: skip
# Opened December 2024, exactly 6 months before June: in 12 months, not in 6. Reads
# N N 1 2 3 from January to May 2025 and `#` in June; overdue now (300).
NET_LOAN = account(
    "2", "NET1", date(2024, 12, 10),
    [("2025-01", OPEN, 0, "1100", "0"), ("2025-02", OPEN, 0, "1000", "0"),
     ("2025-03", OPEN, 12, "1000", "100"), ("2025-04", OPEN, 43, "1000", "200"),
     ("2025-05", OPEN, 73, "1000", "300")],
)  # fmt: skip
# A card of the same lender opened January 2025 (5 months back: in 6 months); 800 of 1000 used.
CARD = account("3", "NET1", date(2025, 1, 1), [("2025-05", OPEN, 0, "800", "0")], "1000.00")
# 100 days late (`4`) in February 2024, charged off in March (`B`): still open, 500 past due.
BAD = account(
    "4", "NET2", date(2024, 1, 5),
    [("2024-01", OPEN, 0, "500", "0"), ("2024-02", OPEN, 100, "500", "300"),
     ("2024-03", CHARGED_OFF, 130, "500", "500")],
)  # fmt: skip
# Opened in the as-of month.
NEW_BANK = account("5", "BANK2", date(2025, 6, 2), [("2025-06", OPEN, 0, "1000", "0")])


def inquiry(days_back: int, by: str) -> InquiryFacts:
    on = date.fromordinal(AS_OF.toordinal() - days_back)
    return InquiryFacts(
        on, by, "loan_approval", True, f"inquiry:{by}{days_back}", FURNISHERS[by].kind
    )


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
    )


def row_of(facts: CreditFileFacts) -> dict[str, Value]:
    view = visible_file(facts, AS_OF, CN, CN.dated_policies, retention_rules(CN))
    return person_indicators(view, "CNY", CN)


def full_file() -> CreditFileFacts:
    court = PublicRecordFacts(
        "public_record:1", "dishonest_judgment_debtor", "Court", "(2024)京0105执1号",
        date(2024, 5, 1), Decimal("5000"), "active", None,
    )  # fmt: skip
    listed = BlacklistFacts("blacklist:1", "Alliance", "fraud", date(2024, 1, 1), None, "x")
    return person(
        OLD_BANK, NET_LOAN, CARD, BAD, NEW_BANK,
        inquiries=[inquiry(6, "BANK1"), inquiry(20, "NET1"), inquiry(29, "NET1"),
                   inquiry(30, "NET2"), inquiry(100, "NET2")],
        public_records=[court],
        blacklist=[listed],
        negative=[
            NegativeFact(FactKind.PUBLIC_RECORD, "public_record:1", date(2024, 5, 1), None),
            NegativeFact(FactKind.BLACKLIST, "blacklist:1", date(2024, 1, 1), None),
        ],
    )  # fmt: skip


D = Decimal


def test_the_new_indicators_on_a_hand_built_file() -> None:
    row = row_of(full_file())
    # Open: the online loan, the card, the charged-off loan, the new bank loan; the old bank
    # loan is settled, so BANK1 has no open account.
    assert (row["accounts_open_bank"], row["accounts_open_non_bank"]) == (1, 3)
    assert (row["platforms_open_bank"], row["platforms_open_non_bank"]) == (1, 2)
    assert (row["accounts_opened_6m"], row["accounts_opened_12m"]) == (2, 3)
    assert row["oldest_account_months"] == 36
    # January..June 2025 reads at worst `3`; July 2023..June 2025 holds the `B` of March 2024.
    assert (row["worst_bucket_6m"], row["worst_bucket_12m"], row["worst_bucket_24m"]) == (3, 3, 8)
    assert row["months_since_overdue"] == 1  # May 2025


def test_every_contract_feature_on_a_hand_built_file() -> None:
    values = from_indicators(row_of(full_file()))
    assert list(values) == list(BUREAU_NAMES)
    inquiries = {f"{what}_{days}d": D(0) for what in ("hard_inquiries", "institutions")
                 for days in (7, 30, 90, 180)}  # fmt: skip
    for kind in ("bank", "non_bank"):
        inquiries |= {f"{what}_{kind}_{days}d": D(0) for what in ("hard_inquiries", "institutions")
                      for days in (7, 30, 90, 180)}  # fmt: skip
    # 6 days back (bank); 20 and 29 days back (NET1, in 30 days); 30 days back (out of 30 days);
    # 100 days back (out of 90 days).
    inquiries |= {
        "hard_inquiries_7d": D(1), "institutions_7d": D(1),
        "hard_inquiries_bank_7d": D(1), "institutions_bank_7d": D(1),
        "hard_inquiries_30d": D(3), "institutions_30d": D(2),
        "hard_inquiries_bank_30d": D(1), "institutions_bank_30d": D(1),
        "hard_inquiries_non_bank_30d": D(2), "institutions_non_bank_30d": D(1),
        "hard_inquiries_90d": D(4), "institutions_90d": D(3),
        "hard_inquiries_bank_90d": D(1), "institutions_bank_90d": D(1),
        "hard_inquiries_non_bank_90d": D(3), "institutions_non_bank_90d": D(2),
        "hard_inquiries_180d": D(5), "institutions_180d": D(3),
        "hard_inquiries_bank_180d": D(1), "institutions_bank_180d": D(1),
        "hard_inquiries_non_bank_180d": D(4), "institutions_non_bank_180d": D(2),
    }  # fmt: skip
    assert {name: values[name] for name in BUREAU_NAMES} == {
        "late_2_24m": D(1),  # April 2025 (July 2022 is out of 24 months)
        "late_3_24m": D(1),  # May 2025
        "late_4plus_24m": D(1),  # February 2024
        "bad_debt_24m": D(1),  # March 2024
        "months_since_overdue": D(1),
        "worst_status_12m": D(3),
        "worst_status_24m": D(8),
        "utilisation": D("0.8000"),
        "open_accounts": D(4),
        "open_accounts_bank": D(1),
        "open_accounts_non_bank": D(3),
        "open_platforms_bank": D(1),
        "open_platforms_non_bank": D(2),
        "opened_6m": D(2),
        "opened_12m": D(3),
        "oldest_account_months": D(36),
        # N in January, February and June (new bank) 2025, May (card), January 2024 (BAD); `1`
        # (12 days) in March 2025: 6. OLD_BANK's months are out of 24 months.
        "current_24m": D(6),
        "months_since_activity": D(0),  # NEW_BANK opened and paid in June
        **{name: inquiries[name] for name in BUREAU_NAMES if name in inquiries},
        "court_records": D(1),
        "dishonest_debtor": D(1),
        "blacklist_entries": D(1),
        # past due now 300 + 500, of balances 1000 + 800 + 500 + 1000
        "overdue_share": D("0.2424"),
    }


def test_a_file_without_accounts_has_no_age_and_no_last_overdue() -> None:
    values = from_indicators(row_of(person(inquiries=[inquiry(1, "NET1")])))
    missing = {
        "months_since_overdue",
        "oldest_account_months",
        "months_since_activity",
        "utilisation",
        "overdue_share",
    }
    assert {name for name in BUREAU_NAMES if values[name] is None} == missing
    assert values["hard_inquiries_7d"] == 1 and values["open_accounts"] == 0
    assert values["worst_status_24m"] == 0 and values["opened_12m"] == 0


def test_a_clean_file_was_never_overdue() -> None:
    """The indicator has no overdue month to count from; the feature says none in 60 months,
    a fact that earns its points, not a missing value."""
    row = row_of(person(CARD, NEW_BANK))
    assert row["months_since_overdue"] is None and row["worst_bucket_24m"] == 0
    assert row["oldest_account_months"] == 5
    assert from_indicators(row)["months_since_overdue"] == D(60)


@pytest.mark.parametrize(
    ("accounts", "since"),
    [
        ((OLD_BANK,), 33),  # settled with a payment in September 2022, nothing since
        ((OLD_BANK, CARD), 1),  # the card's payment in May 2025; its opening is older
        ((OLD_BANK, BAD), 17),  # January 2024's payment: the late months paid nothing
        ((NEW_BANK,), 0),  # opened in the as-of month
    ],
)
def test_months_since_activity_is_the_latest_opening_or_payment_anywhere(
    accounts: tuple[AccountFacts, ...], since: int
) -> None:
    """Files alike otherwise (all settled, no inquiry) differ by how long ago credit was used."""
    row = row_of(person(*accounts))
    assert row["months_since_last_activity"] == since
    assert from_indicators(row)["months_since_activity"] == D(since)


def test_months_since_activity_reads_in_both_languages() -> None:
    spec = next(spec for spec in BUREAU_SPECS if spec.name == "months_since_activity")
    assert spec.reason.replace("{value}", "33") == "last credit activity 33 months ago"
    assert spec.reason_zh.replace("{value}", "33") == "最近一次信贷活动在33个月前"
    assert spec.risk == VALLEY  # no direction imposed: the data decide


def test_never_overdue_is_the_grids_length() -> None:
    assert NO_OVERDUE_SHOWN == D(MONTH_WINDOWS[-1]) == D(int(CN.grid_months.value)) == D(60)


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        (D(0), "0 months in a row without a late payment, up to now (of the 60 months shown)",
         "截至目前已连续0个月无逾期（征信展示近60个月）"),
        (D(60), "60 months in a row without a late payment, up to now (of the 60 months shown)",
         "截至目前已连续60个月无逾期（征信展示近60个月）"),
    ],
)  # fmt: skip
def test_months_since_overdue_reads_true_from_0_to_60(value: Decimal, en: str, zh: str) -> None:
    spec = next(spec for spec in BUREAU_SPECS if spec.name == "months_since_overdue")
    assert spec.reason.replace("{value}", f"{value}") == en
    assert spec.reason_zh.replace("{value}", f"{value}") == zh


@pytest.mark.parametrize(
    ("opened", "since", "feature", "age"),
    [(date(2020, 7, 3), 59, 59, 59), (date(2020, 6, 3), None, 60, 60)],
)
def test_months_since_overdue_reads_the_60_month_grid(
    opened: date, since: int | None, feature: int, age: int
) -> None:
    """An overdue opening month, settled the month after: 59 months back is the grid's first
    month, the largest real value; 60 months back is out of it (the record is still shown: 5
    years from 2020's end), so the feature reads none in the 60 months shown."""
    first = f"{opened:%Y-%m}"
    second = f"{opened.replace(month=opened.month + 1):%Y-%m}"
    old = account("9", "NET2", opened, [(first, OPEN, 10, "100", "100"),
                                        (second, SETTLED, 0, "0", "0")])  # fmt: skip
    row = row_of(person(old))
    assert (row["months_since_overdue"], row["oldest_account_months"]) == (since, age)
    assert from_indicators(row)["months_since_overdue"] == D(feature)
    assert (row["accounts_open_non_bank"], row["platforms_open_non_bank"]) == (0, 0)


def test_every_feature_has_words_in_both_languages_and_a_direction() -> None:
    assert len({spec.name for spec in SPECS}) == len(SPECS)
    assert len(BUREAU_SPECS) == 46
    for spec in SPECS:
        assert spec.risk in (RISES, FALLS, VALLEY), spec.name
        assert spec.description and spec.reason and spec.reason_zh, spec.name
        assert spec.reason.count("{value}") == spec.reason_zh.count("{value}") == 1, spec.name
    falls = {spec.name for spec in BUREAU_SPECS if spec.risk == FALLS}
    assert falls == {"months_since_overdue", "oldest_account_months", "current_24m"}
    valley = {spec.name for spec in BUREAU_SPECS if spec.risk == VALLEY}
    assert valley == {"utilisation", "months_since_activity"}


# ------------------------------------------------------------------ one more overdue month

HISTORY = [f"{year}-{month:02d}" for year in (2023, 2024, 2025) for month in range(1, 13)][6:-6]
WATCHED = ("late_2_24m", "late_3_24m", "late_4plus_24m", "bad_debt_24m",
           "worst_status_12m", "worst_status_24m")  # fmt: skip


def _history(delays: list[int], bad: int | None) -> AccountFacts:
    months: list[Month] = [
        (period, CHARGED_OFF if n == bad else OPEN, dpd, "1000", "100" if dpd else "0")
        for n, (period, dpd) in enumerate(zip(HISTORY, delays, strict=True))
    ]
    return account("7", "NET1", date(2023, 7, 1), months)


@settings(max_examples=60, deadline=None)
@given(
    delays=st.lists(st.sampled_from([0, 0, 0, 5, 40, 70, 100, 200]), min_size=24, max_size=24),
    where=st.integers(min_value=0, max_value=23),
    dpd=st.integers(min_value=1, max_value=250),
    charged_off=st.booleans(),
)
def test_one_more_overdue_month_never_makes_the_history_look_better(
    delays: list[int], where: int, dpd: int, charged_off: bool
) -> None:
    """July 2023..June 2025, one open account furnished every month: turning a month that was
    on time overdue (or charged off) never lowers a late count or a worst status, and never
    makes the last overdue longer ago: a history never overdue before reads 60 (none in the
    grid), more than any real value, so the rule holds for it too."""
    delays[where] = 0
    clean = not any(delays)
    before = from_indicators(row_of(person(_history(delays, None))))
    delays[where] = dpd
    after = from_indicators(row_of(person(_history(delays, where if charged_off else None))))
    for name in WATCHED:
        assert after[name] >= before[name], name  # type: ignore[operator]
    since_before, since_after = before["months_since_overdue"], after["months_since_overdue"]
    assert since_before is not None and since_after is not None
    assert since_after <= since_before
    assert (since_before == NO_OVERDUE_SHOWN) == clean
    assert since_after < NO_OVERDUE_SHOWN  # the new overdue month is shown
