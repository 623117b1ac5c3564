"""What-if on a hand-made file, scored with the shipped scorecard."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditmend.bootstrap import load_scorecard
from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.retention import MonthRow, overdue_episodes, retention_rules
from creditmend.domain.report.file import (
    AccountFacts,
    CreditFileFacts,
    FurnisherFacts,
    VisibleFile,
    visible_file,
)
from creditmend.domain.report.indicators import person_indicators
from creditmend.domain.rules.cn import CN
from creditmend.domain.scoring.scorecard import Band, Bin, Feature, Scaling, Scorecard
from creditmend.domain.scoring.whatif import (
    Inquiries,
    MonthsOnTime,
    NewLoan,
    PayOff,
    WhatIfError,
    apply_change,
    what_if,
)

AS_OF = date(2025, 6, 20)


def _view() -> VisibleFile:
    months = {}
    balances = {}
    history = []
    plan = [("2025-01", 0, "100"), ("2025-02", 0, "100"), ("2025-03", 12, "0"),
            ("2025-04", 43, "0"), ("2025-05", 0, "300")]  # fmt: skip
    for period, dpd, paid in plan:
        day = date.fromisoformat(period + "-01")
        due = Decimal(100) if dpd else Decimal(0)
        months[day] = MonthFacts(AccountStatus.OPEN, dpd, Decimal(100), Decimal(paid), due)
        balances[day] = Decimal(1000)
        history.append(MonthRow(day, dpd, due, "open", None, None))
    account = AccountFacts(
        "NET1", "N-1", "online_consumer_loan", "CNY", date(2024, 12, 10), Decimal(1200), None,
        months, balances, "account:1", tuple(history),
    )  # fmt: skip
    facts = CreditFileFacts(
        "110105********002X", "张**", (account,), (), (), (),
        tuple(overdue_episodes(history, "account:1")),
        {"NET1": FurnisherFacts("NET1", "Net", "non_bank")},
    )  # fmt: skip
    return visible_file(facts, AS_OF, CN, CN.dated_policies, retention_rules(CN))


LATE = {"late_2_24m", "late_3_24m", "late_4plus_24m", "bad_debt_24m", "worst_status_12m",
        "worst_status_24m"}  # fmt: skip


def test_paying_on_time_moves_the_day_on_and_drops_the_late_reasons() -> None:
    """The file was late in March and April 2025: six months on time count on from the last
    late month; 24 months on time leave both outside every window the card reads."""
    card = load_scorecard()
    result = what_if(card, _view(), MonthsOnTime(6), CN, "CNY")
    assert result.as_of == date(2025, 12, 20)
    assert result.after.score > result.before.score
    since = (
        dict(result.before.reasons)["months_since_overdue"],
        dict(result.after.reasons)["months_since_overdue"],
    )
    assert since[0].startswith("2 months in a row") and since[1].startswith("8 months in a row")
    later = what_if(card, _view(), MonthsOnTime(24), CN, "CNY")
    assert later.as_of == date(2027, 6, 20) and later.after.score > result.after.score
    assert LATE & {feature for feature, _ in later.before.reasons}
    assert not LATE & {feature for feature, _ in later.after.reasons}
    assert any("worst late payment" in text for text in later.reasons_gone)


def test_paying_off_settles_the_account_this_month() -> None:
    changed = apply_change(_view(), PayOff("NET1:N-1"), CN)
    (account,) = changed.accounts
    assert (account.last.status, account.last.balance, account.grid[-1].code) == (
        "settled",
        Decimal(0),
        "C",
    )
    row = person_indicators(changed, "CNY", CN)
    assert (row["accounts_open"], row["accounts_settled"]) == (0, 1)
    with pytest.raises(WhatIfError, match="no account") as refused:
        apply_change(_view(), PayOff("nope"), CN)
    assert refused.value.field == "what_if.pay_off"  # a domain field: the CLI names its flag
    with pytest.raises(WhatIfError, match="already settled"):
        apply_change(changed, PayOff("N-1"), CN)


def test_a_new_loan_is_an_account_and_a_hard_inquiry() -> None:
    before = person_indicators(_view(), "CNY", CN)
    after = person_indicators(apply_change(_view(), NewLoan(Decimal(6000), 12), CN), "CNY", CN)
    assert after["accounts_open"] == before["accounts_open"] + 1
    assert after["hard_inquiries_7d"] == before["hard_inquiries_7d"] + 1
    assert after["monthly_obligations_fen"] == before["monthly_obligations_fen"] + 50000
    with pytest.raises(WhatIfError, match="more than 0") as refused:
        apply_change(_view(), NewLoan(Decimal(0)), CN)
    assert refused.value.field == "what_if.new_loan"


def _counting(*names: str) -> Scorecard:
    """A hand-built card: 600 points, 10 fewer for each of the named counts' units (up to 5)."""
    ends = (Bin("missing", Decimal(0), missing=True), Bin("other", Decimal(0), other=True))
    features = tuple(
        Feature(
            name,
            "numeric",
            name,
            f"{{value}} {name}",
            (
                *(
                    Bin(f"[{k}, {k + 1})", Decimal(-10 * k), Decimal(k), Decimal(k + 1))
                    for k in range(5)
                ),
                Bin("[5, inf)", Decimal(-50), Decimal(5), None),
                *ends,
            ),
        )
        for name in names
    )
    flat = (Bin("missing", Decimal(600), missing=True), Bin("other", Decimal(600), other=True))
    base = Feature("base", "numeric", "base", "base", flat)
    return Scorecard((base, *features), Scaling(), (Band("A", 580), Band("B", 300)))


def test_n_inquiries_are_n_institutions_in_every_window() -> None:
    before = person_indicators(_view(), "CNY", CN)
    after = person_indicators(apply_change(_view(), Inquiries(3), CN), "CNY", CN)
    for window in (7, 30, 90, 180):
        counted = ("hard_inquiries", "institutions", "hard_inquiries_non_bank")
        for name in (*(f"{c}_{window}d" for c in counted), f"institutions_non_bank_{window}d"):
            assert after[name] == before[name] + 3, name
        assert after[f"institutions_bank_{window}d"] == before[f"institutions_bank_{window}d"]
    bank = person_indicators(apply_change(_view(), Inquiries(2, "bank"), CN), "CNY", CN)
    assert bank["institutions_bank_30d"] == before["institutions_bank_30d"] + 2
    assert bank["institutions_non_bank_30d"] == before["institutions_non_bank_30d"]
    assert after["accounts_open"] == before["accounts_open"]  # asking opens nothing
    with pytest.raises(WhatIfError, match="at least 1") as refused:
        apply_change(_view(), Inquiries(0), CN)
    assert refused.value.field == "what_if.inquiries"
    with pytest.raises(WhatIfError, match="not bank or non_bank") as refused:
        apply_change(_view(), Inquiries(1, "shop"), CN)
    assert refused.value.field == "what_if.inquiry_kind"


def test_inquiries_lower_a_card_that_counts_them() -> None:
    card = _counting("hard_inquiries_30d", "institutions_30d")
    result = what_if(card, _view(), Inquiries(2), CN, "CNY")
    assert (result.before.score, result.after.score) == (600, 560)
    assert (result.before.band, result.after.band) == ("A", "B")
    assert [f for f, _ in result.after.reasons] == ["hard_inquiries_30d", "institutions_30d"]
    assert result.reasons_new == ("2 hard_inquiries_30d", "2 institutions_30d")


def test_a_new_loan_is_seen_by_the_inquiry_and_the_account_counts() -> None:
    view = _view()
    changed = apply_change(view, NewLoan(Decimal(3000), 6), CN)
    (new,) = [a for a in changed.accounts if a not in view.accounts]
    # the account the new features count: opened today, open, at a new non-bank lender
    assert (new.opened_on, new.furnisher_kind, new.last.status) == (AS_OF, "non_bank", "open")
    assert new.furnisher not in {a.furnisher for a in view.accounts}
    before, after = (person_indicators(v, "CNY", CN) for v in (view, changed))
    for name in ("accounts_open", "platforms_open", "hard_inquiries_30d", "institutions_30d",
                 "institutions_non_bank_30d", "hard_inquiries_non_bank_180d"):  # fmt: skip
        assert after[name] == before[name] + 1, name
    # a card reads the score's features (`from_indicators`), never an indicator by its name
    card = _counting("hard_inquiries_30d", "open_accounts", "open_platforms_non_bank")
    result = what_if(card, view, NewLoan(Decimal(3000), 6), CN, "CNY")
    assert result.after.score == result.before.score - 30
