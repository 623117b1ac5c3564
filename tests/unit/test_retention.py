"""Retention (征信业管理条例 Art. 16), the PBOC one-off credit repair of 2025-12-22, and
delinquency episodes derived from furnished months. Every date below is checked by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from creditmend.domain.creditfile import retention
from creditmend.domain.creditfile.furnishing import IdType
from creditmend.domain.creditfile.records import (
    BlacklistCategory,
    BlacklistEntry,
    PublicRecord,
    PublicRecordKind,
    PublicRecordStatus,
)
from creditmend.domain.creditfile.retention import (
    MonthRow,
    NegativeFact,
    Rule,
    blacklist_fact,
    overdue_episodes,
    policy_hidden_from,
    public_record_fact,
    retention_rules,
    visible_until,
)
from creditmend.domain.rules.cn import CN, CN_CREDIT_REPAIR_2025
from creditmend.domain.rules.policies import DatedPolicy, FactKind


def decide(fact: NegativeFact, as_of: date) -> retention.Decision:
    """`retention.decide` under the cn profile's rules and dated policies."""
    return retention.decide(fact, as_of, CN.dated_policies, retention_rules(CN))


def apply_retention(
    facts: list[NegativeFact] | tuple[NegativeFact, ...],
    as_of: date,
    policies: tuple[DatedPolicy, ...] = CN.dated_policies,
) -> tuple[retention.Decision, ...]:
    return retention.apply_retention(facts, as_of, policies, retention_rules(CN))


D = date
POLICY = "policy: PBOC one-off credit repair 2025"
AFTER_ANNOUNCEMENT = D(2025, 12, 22)


STARTED, REPAID = D(2023, 5, 10), D(2025, 10, 1)


def _overdue(
    started: date = STARTED,
    repaid: date | None = REPAID,
    amount: str = "5000.00",
    kind: FactKind = FactKind.OVERDUE,
) -> NegativeFact:
    return NegativeFact(kind, "k", started, repaid, Decimal(amount), repaid)


# --- Art. 16: five years from the end of the bad behaviour --------------------------------------


def test_five_years_after_the_overdue_ends() -> None:
    fact = _overdue(started=D(2019, 11, 3), repaid=D(2020, 3, 1))  # before the policy's window
    assert visible_until(fact, retention_rules(CN)) == D(2025, 3, 1)
    shown = decide(fact, D(2025, 2, 28))
    assert (shown.shown, shown.hidden_from, shown.visible_until) == (True, None, D(2025, 3, 1))
    assert shown.reason == "retention: 5 years after 2020-03-01"
    hidden = decide(fact, D(2025, 3, 1))
    assert (hidden.shown, hidden.hidden_from) == (False, D(2025, 3, 1))


def test_29_february_plus_five_years_is_28_february() -> None:
    fact = _overdue(started=D(2019, 6, 1), repaid=D(2020, 2, 29))
    assert visible_until(fact, retention_rules(CN)) == D(2025, 2, 28)
    assert decide(fact, D(2025, 2, 27)).shown
    assert not decide(fact, D(2025, 2, 28)).shown


def test_an_uncured_overdue_never_expires() -> None:
    fact = NegativeFact(FactKind.OVERDUE, "k", D(2010, 1, 5), None, Decimal(300))
    assert visible_until(fact, retention_rules(CN)) is None
    decision = decide(fact, D(2199, 12, 31))
    assert decision.shown
    assert (decision.hidden_from, decision.visible_until) == (None, None)
    assert decision.reason == "retention: not until cured"


def test_a_charge_off_expires_five_years_after_settlement() -> None:
    fact = NegativeFact(FactKind.CHARGE_OFF, "k", D(2016, 1, 1), D(2018, 7, 31), Decimal(9000))
    assert visible_until(fact, retention_rules(CN)) == D(2023, 7, 31)


# --- The PBOC one-off credit repair (rules-and-anchors 1.2) ------------------------------------


@pytest.mark.parametrize(
    ("started", "applies"),
    [
        (D(2019, 12, 31), False),
        (D(2020, 1, 1), True),
        (D(2025, 12, 31), True),
        (D(2026, 1, 1), False),
    ],
)
def test_policy_window_of_the_overdue_start(started: date, applies: bool) -> None:
    fact = _overdue(started=started, repaid=D(2026, 1, 10))
    # Repaid in January 2026: hidden by the end of February 2026.
    expected = D(2026, 2, 28) if applies else None
    assert policy_hidden_from(CN_CREDIT_REPAIR_2025, fact, D(2026, 1, 10)) == expected


@pytest.mark.parametrize(
    ("amount", "applies"), [("10000.00", True), ("10000.01", False), ("0.01", True)]
)
def test_policy_limit_on_the_single_overdue_amount(amount: str, applies: bool) -> None:
    fact = _overdue(amount=amount)
    expected = D(2026, 1, 1) if applies else None
    assert policy_hidden_from(CN_CREDIT_REPAIR_2025, fact, AFTER_ANNOUNCEMENT) == expected


def test_policy_needs_a_known_amount_and_a_repayment() -> None:
    no_amount = replace(_overdue(), amount=None)
    not_repaid = _overdue(repaid=None)
    assert policy_hidden_from(CN_CREDIT_REPAIR_2025, no_amount, AFTER_ANNOUNCEMENT) is None
    assert policy_hidden_from(CN_CREDIT_REPAIR_2025, not_repaid, AFTER_ANNOUNCEMENT) is None
    assert decide(not_repaid, D(2027, 1, 1)).reason == "retention: not until cured"


@pytest.mark.parametrize(
    ("repaid", "hidden_from"),
    [
        (D(2021, 4, 2), D(2026, 1, 1)),
        (D(2025, 11, 30), D(2026, 1, 1)),
        (D(2025, 12, 1), D(2026, 1, 31)),
        (D(2025, 12, 31), D(2026, 1, 31)),
        (D(2026, 1, 31), D(2026, 2, 28)),
        (D(2026, 3, 31), D(2026, 4, 30)),
        (D(2026, 4, 1), None),
    ],
)
def test_policy_hiding_day_by_repayment_day(repaid: date, hidden_from: date | None) -> None:
    fact = _overdue(started=D(2021, 3, 1), repaid=repaid)
    assert policy_hidden_from(CN_CREDIT_REPAIR_2025, fact, AFTER_ANNOUNCEMENT) == hidden_from


def test_policy_repaid_mid_february_is_hidden_on_31_march() -> None:
    """Repaid 2026-02-15, inside 2025-12-01..2026-03-31: the official Q&A says the record is
    not displayed "by the end of the month after repayment" (还款后次月底前). The month after
    February is March, so the latest day it may still show is before 2026-03-31 and a report
    as of 2026-03-31 must omit it: hidden from 2026-03-31 (not 2026-04-01, which would let the
    last day of the promised month show it; not 2026-03-01, which is earlier than promised)."""
    fact = _overdue(started=D(2025, 9, 20), repaid=D(2026, 2, 15))
    assert decide(fact, D(2026, 3, 30)).shown
    decision = decide(fact, D(2026, 3, 31))
    assert (decision.shown, decision.hidden_from, decision.reason) == (
        False,
        D(2026, 3, 31),
        POLICY,
    )


def test_policy_hides_overdue_episodes_only() -> None:
    for kind in (FactKind.CHARGE_OFF, FactKind.PUBLIC_RECORD, FactKind.BLACKLIST):
        fact = _overdue(kind=kind)
        assert policy_hidden_from(CN_CREDIT_REPAIR_2025, fact, AFTER_ANNOUNCEMENT) is None


def test_a_day_replayed_before_the_announcement_knows_nothing_of_the_policy() -> None:
    fact = _overdue(repaid=D(2025, 10, 1))
    before = decide(fact, D(2025, 12, 21))
    assert (before.visible_until, before.reason) == (
        D(2030, 10, 1),
        "retention: 5 years after 2025-10-01",
    )
    after = decide(fact, AFTER_ANNOUNCEMENT)
    assert (after.shown, after.visible_until, after.reason) == (True, D(2026, 1, 1), POLICY)
    assert not decide(fact, D(2026, 1, 1)).shown


def test_the_earlier_of_retention_and_policy_wins() -> None:
    # Cured 2020-06-01: retention ends 2025-06-01, before the policy's 2026-01-01.
    fact = _overdue(started=D(2020, 1, 15), repaid=D(2020, 6, 1))
    decision = decide(fact, D(2026, 2, 1))
    assert (decision.hidden_from, decision.reason) == (
        D(2025, 6, 1),
        "retention: 5 years after 2020-06-01",
    )


def test_apply_retention_decides_every_fact_in_order() -> None:
    facts = (
        replace(_overdue(repaid=D(2025, 12, 10)), key="policy"),
        replace(_overdue(repaid=None), key="uncured"),
        replace(_overdue(started=D(2014, 1, 1), repaid=D(2015, 1, 1)), key="old"),
        replace(_overdue(amount="20000.00", repaid=D(2025, 9, 9)), key="large"),
    )
    decisions = apply_retention(facts, D(2026, 1, 1))
    assert [(d.fact_key, d.shown, d.visible_until) for d in decisions] == [
        ("policy", True, D(2026, 1, 31)),
        ("uncured", True, None),
        ("old", False, D(2020, 1, 1)),
        ("large", True, D(2030, 9, 9)),
    ]
    assert apply_retention(facts, D(2026, 1, 1), policies=())[0].visible_until == D(2030, 12, 10)


# --- Public records and blacklist entries ------------------------------------------------------


def test_public_records_expire_five_years_after_they_end() -> None:
    record = PublicRecord(
        PublicRecordKind.DISHONEST_JUDGMENT_DEBTOR, IdType.CN_RIC, "11010519491231002X", "Li",
        "Court", "(2020)1", D(2020, 5, 6), None, Decimal(12000), PublicRecordStatus.PERFORMED,
        D(2021, 2, 28), "court", 1,
    )  # fmt: skip
    fact = public_record_fact(record, "pr")
    assert (fact.kind, fact.fully_repaid_on) == (FactKind.PUBLIC_RECORD, D(2021, 2, 28))
    assert visible_until(fact, retention_rules(CN)) == D(2026, 2, 28)
    active = replace(record, status=PublicRecordStatus.ACTIVE, ended_on=None)
    assert visible_until(public_record_fact(active, "pr"), retention_rules(CN)) is None


def test_blacklist_entries_end_at_their_expiry_or_the_default() -> None:
    entry = BlacklistEntry(
        "consortium", BlacklistCategory.FRAUD, IdType.CN_RIC, "11010519491231002X", "Li",
        D(2022, 3, 4), D(2024, 3, 4), "forged documents", 1,
    )  # fmt: skip
    decision = decide(blacklist_fact(entry, "bl"), D(2024, 3, 4))
    assert (decision.shown, decision.reason) == (False, "blacklist: expires on 2024-03-04")
    open_ended = blacklist_fact(replace(entry, expires_on=None), "bl")
    assert visible_until(open_ended, retention_rules(CN)) == D(2027, 3, 4)


# --- Episodes from furnished months ------------------------------------------------------------


def _row(
    period: str, dpd: int = 0, amount: str = "0", status: str = "open", **dates: date
) -> MonthRow:
    return MonthRow(
        date.fromisoformat(period + "-01"), dpd, Decimal(amount), status,
        dates.get("paid"), dates.get("closed"),
    )  # fmt: skip


def test_an_episode_cured_by_a_payment() -> None:
    months = [
        _row("2024-01"),
        _row("2024-02", 10, "500.00"),
        _row("2024-03", 40, "1000.00"),
        _row("2024-04", paid=D(2024, 4, 12)),
    ]
    (episode,) = overdue_episodes(months, "acct")
    # 10 days past due at 2024-02-29 (a leap year): the first overdue day is 2024-02-20.
    assert episode == NegativeFact(
        FactKind.OVERDUE, "acct#2024-02", D(2024, 2, 20), D(2024, 4, 12), Decimal("1000.00"),
        D(2024, 4, 12),
    )  # fmt: skip


def test_a_cure_without_a_known_payment_day_ends_on_the_first_of_the_month() -> None:
    stale = [_row("2024-05", 3, "80.00"), _row("2024-06", paid=D(2023, 1, 1))]
    unknown = [_row("2024-05", 3, "80.00"), _row("2024-06")]
    for months in (stale, unknown):
        (episode,) = overdue_episodes(months)
        assert (episode.started_on, episode.ended_on) == (D(2024, 5, 29), D(2024, 6, 1))


def test_an_overdue_still_running_has_no_end() -> None:
    (episode,) = overdue_episodes([_row("2024-01", 5, "10.00"), _row("2024-02", 36, "20.00")])
    assert (episode.ended_on, episode.fully_repaid_on, episode.amount) == (
        None,
        None,
        Decimal("20.00"),
    )


def test_settlement_ends_an_episode_on_the_closing_day() -> None:
    months = [
        _row("2024-07", 20, "300.00"),
        _row("2024-08", status="settled", closed=D(2024, 8, 9)),
    ]
    (episode,) = overdue_episodes(months)
    assert (episode.started_on, episode.ended_on) == (D(2024, 7, 12), D(2024, 8, 9))


def test_a_charged_off_episode_ends_only_when_settled() -> None:
    months = [
        _row("2023-01", 25, "900.00"),
        _row("2023-02", 53, "1800.00", "charged_off"),
        _row("2023-03", 0, "0", "charged_off"),
        _row("2023-04", 0, "0", "transferred"),
        _row("2023-09", status="closed", closed=D(2023, 9, 3)),
    ]
    (episode,) = overdue_episodes(months, "a")
    assert (episode.kind, episode.key, episode.started_on, episode.ended_on, episode.amount) == (
        FactKind.CHARGE_OFF, "a#2023-01", D(2023, 1, 7), D(2023, 9, 3), Decimal("1800.00"),
    )  # fmt: skip
    (still_owed,) = overdue_episodes(months[:3])
    assert still_owed.ended_on is None


def test_two_episodes_from_unsorted_months() -> None:
    months = [
        _row("2022-04", paid=D(2022, 4, 2)),
        _row("2022-02"),
        _row("2022-03", 1, "50.00"),
        _row("2022-06", 31, "70.00"),
        _row("2022-05", 1, "60.00"),
        _row("2022-07"),
    ]
    first, second = overdue_episodes(months, "x")
    assert (first.key, first.started_on, first.ended_on) == (
        "x#2022-03",
        D(2022, 3, 31),
        D(2022, 4, 2),
    )
    assert (second.key, second.started_on, second.ended_on) == (
        "x#2022-05",
        D(2022, 5, 31),
        D(2022, 7, 1),
    )
    assert second.amount == Decimal("70.00")


def test_episodes_feed_retention_and_the_policy() -> None:
    months = [_row("2025-10", 15, "2500.00"), _row("2025-11", paid=D(2025, 11, 20))]
    decisions = apply_retention(overdue_episodes(months, "acct"), D(2026, 1, 1))
    assert [(d.fact_key, d.shown, d.hidden_from, d.reason) for d in decisions] == [
        ("acct#2025-10", False, D(2026, 1, 1), POLICY)
    ]


def test_a_restructure_ends_an_episode_without_repaying_it() -> None:
    rows = [
        (date(2023, 6, 1), 53, Decimal("1240.74"), "open", None, None),
        (date(2023, 7, 1), 0, Decimal("0.00"), "restructured", None, None),
    ]
    (episode,) = overdue_episodes(rows, "account:1")
    assert episode.ended_on == date(2023, 7, 1)  # Art. 16's clock starts
    assert episode.fully_repaid_on is None  # but the 2025 repair asks for full repayment
    (decision,) = apply_retention([episode], date(2026, 2, 1))
    assert decision.shown
    assert decision.visible_until == date(2028, 7, 1)


def test_a_payment_before_the_cure_month_does_not_date_the_cure() -> None:
    """June's end still showed the overdue, so June's payment did not cure it: the restructure
    in July did, and the clock starts on July's first day, not on the older payment."""
    rows = [
        (date(2026, 5, 1), 20, Decimal("1100.16"), "open", date(2026, 4, 10), None),
        (date(2026, 6, 1), 50, Decimal("1400.00"), "open", date(2026, 6, 12), None),
        (date(2026, 7, 1), 0, Decimal("0.00"), "restructured", date(2026, 6, 12), None),
    ]
    (episode,) = overdue_episodes(rows, "account:1")
    assert episode.ended_on == date(2026, 7, 1)


def test_each_decision_names_its_rule_apart_from_its_words() -> None:
    """What hid a fact is a field (the retention report counts by it), not the reason's text."""
    entry = BlacklistEntry(
        "consortium", BlacklistCategory.FRAUD, IdType.CN_RIC, "11010519491231002X", "Li",
        D(2022, 3, 4), D(2024, 3, 4), "forged documents", 1,
    )  # fmt: skip
    decisions = (
        decide(_overdue(repaid=D(2025, 12, 10)), D(2026, 2, 1)),
        decide(_overdue(started=D(2014, 1, 1), repaid=D(2015, 1, 1)), D(2026, 1, 1)),
        decide(_overdue(repaid=None), D(2026, 1, 1)),
        decide(blacklist_fact(entry, "bl"), D(2024, 3, 4)),
    )
    assert [(d.rule, d.reason) for d in decisions] == [
        (Rule.POLICY, POLICY),
        (Rule.RETENTION, "retention: 5 years after 2015-01-01"),
        (Rule.RETENTION, "retention: not until cured"),
        (Rule.BLACKLIST, "blacklist: expires on 2024-03-04"),
    ]
