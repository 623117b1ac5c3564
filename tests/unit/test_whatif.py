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
from creditmend.domain.scoring.whatif import (
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


def test_paying_on_time_moves_the_day_on_and_drops_the_late_reasons() -> None:
    result = what_if(load_scorecard(), _view(), MonthsOnTime(6), CN, "CNY")
    assert result.as_of == date(2025, 12, 20)
    assert result.after.score > result.before.score
    assert any("overdue" in text for text in result.reasons_gone)
    assert not any("overdue" in text for _, text in result.after.reasons)


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
