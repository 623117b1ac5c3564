"""A revolving account rebuilt from the months the bureau holds: statements, minimums, status."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.retention import MonthRow
from creditmend.domain.loan.document import read_loan
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.revolving import RevolvingLedger
from creditmend.domain.loan.view import loan_state
from creditmend.domain.recovery.from_bureau import loans_from_file
from creditmend.domain.recovery.from_bureau_revolving import (
    inferred_due_day,
    inferred_statement_day,
)
from creditmend.domain.report.file import AccountFacts, FurnisherFacts
from creditmend.domain.rules import profile

CN = profile("cn")
FURNISHERS = {"ANT": FurnisherFacts("ANT", "花呗", "non_bank")}
AS_OF = date(2026, 10, 31)

# Furnished by hand: (period, balance, minimum, paid, paid on, days past due, past due).
# A Huabei-like account (statement on the 1st, due on the 10th): July paid in full, August the
# minimum, September 100 of its minimum ten days late (overdue 20 days at the month's end),
# October cured on the 5th.
MONTHS = (
    (date(2026, 7, 1), "1500.00", "150.00", "1500.00", date(2026, 7, 8), 0, "0"),
    (date(2026, 8, 1), "3600.00", "360.00", "400.00", date(2026, 8, 9), 0, "0"),
    (date(2026, 9, 1), "4000.00", "446.00", "100.00", date(2026, 9, 20), 20, "346.00"),
    (date(2026, 10, 1), "4500.00", "800.00", "1200.00", date(2026, 10, 5), 0, "0"),
)


def _account() -> AccountFacts:
    months = {
        p: MonthFacts(AccountStatus.OPEN, dpd, Decimal(minimum), Decimal(paid), Decimal(past))
        for p, _, minimum, paid, _, dpd, past in MONTHS
    }
    history = tuple(
        MonthRow(p, dpd, Decimal(past), "open", on, None) for p, _, _, _, on, dpd, past in MONTHS
    )
    return AccountFacts(
        furnisher="ANT",
        account_id="HB-1",
        account_type="online_consumer_loan",
        currency="CNY",
        opened_on=date(2026, 6, 15),
        principal=None,
        credit_limit=Decimal("8000.00"),
        months=months,
        balances={p: Decimal(balance) for p, balance, *_ in MONTHS},
        history=history,
        term_months=None,
    )


def _ledger(document: dict[str, object], as_of: date = AS_OF) -> RevolvingLedger:
    contract, events = read_loan(document, CN)
    ledger = run(contract, events, as_of, CN, WeekdayCalendar())
    assert isinstance(ledger, RevolvingLedger)
    return ledger


def test_the_due_day_is_read_from_the_first_overdue_month_and_the_statement_day_before_it() -> None:
    account = _account()
    assert inferred_due_day(account, account.months) == 10  # 09-30 less 20 days
    assert inferred_statement_day(10, CN) == 1  # the profile's usual 9 days before
    assert inferred_statement_day(5, CN) == 26  # into the month before


def test_a_revolving_account_is_rebuilt_with_its_furnished_statements_and_status() -> None:
    rebuilt = loans_from_file([_account()], FURNISHERS, AS_OF, CN)
    (document,) = rebuilt.loans
    contract = document["contract"]
    assert (contract["method"], contract["statement_day"], contract["due_day"]) == (
        "revolving",
        1,
        10,
    )
    assert contract["credit_limit"] == "8000.00" and contract["minimum_rate"] == "0.10"
    assert any("Revolving accounts are rebuilt" in note for note in rebuilt.notes)
    ledger = _ledger(document)
    # Every statement bills what the lender furnished.
    assert [(s.statement_on, s.balance) for s in ledger.statements] == [
        (p, Decimal(balance)) for p, balance, *_ in MONTHS
    ]
    # The month-end codes are the furnished ones: on time, on time, 1-30 days late, on time.
    state = loan_state(ledger, AS_OF)
    codes = {m.month: m.code for m in state.monthly_status}
    assert [codes[f"2026-{m:02d}"] for m in (7, 8, 9, 10)] == ["N", "N", "1", "N"]
    september = loan_state(_ledger(document, date(2026, 9, 30)), date(2026, 9, 30))
    assert september.days_past_due == 20
    # On the plan's date it owes the last statement less what was paid since, plus the
    # interest accrued on what revolves.
    last_balance, paid_since = Decimal("4500.00"), Decimal("1200.00")
    assert state.payoff_amount.amount == last_balance - paid_since + ledger.current_interest()
    assert ledger.current_interest() > 0


def test_a_furnished_balance_below_what_the_terms_bill_is_named() -> None:
    balances = {**_account().balances, date(2026, 10, 1): Decimal("100.00")}
    account = replace(_account(), balances=balances)
    rebuilt = loans_from_file([account], FURNISHERS, AS_OF, CN)
    assert any("the lender furnished 100.00" in note for note in rebuilt.notes)
