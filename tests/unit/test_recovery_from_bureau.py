"""Loans rebuilt from a credit file: implied rates, payment events, what is left out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy_financial as npf
from hypothesis import given, settings
from hypothesis import strategies as st

from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.retention import MonthRow
from creditmend.domain.loan.document import read_loan
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.view import loan_state
from creditmend.domain.recovery.from_bureau import (
    implied_annual_rate,
    implied_terms,
    instalment,
    loans_from_file,
)
from creditmend.domain.report.file import AccountFacts, FurnisherFacts
from creditmend.domain.rules import profile

CN = profile("cn")
PAYMENT = Decimal("1100.16")  # 12,000 over 12 months at 18 % a year
FURNISHERS = {"JIEBEI": FurnisherFacts("JIEBEI", "借呗", "non_bank")}


def _month(paid: str, dpd: int = 0, past_due: str = "0", status: str = "open") -> MonthFacts:
    return MonthFacts(AccountStatus(status), dpd, PAYMENT, Decimal(paid), Decimal(past_due))


def _account(**changes: object) -> AccountFacts:
    months = {
        date(2026, 2, 1): _month("1100.16"),
        date(2026, 3, 1): _month("1100.16"),
        date(2026, 4, 1): _month("0", 20, "1100.16"),
    }
    paid_on = {date(2026, 2, 1): date(2026, 2, 10), date(2026, 3, 1): date(2026, 3, 10)}
    history = tuple(
        MonthRow(p, f.days_past_due, f.past_due_amount, f.status.value, paid_on.get(p), None)
        for p, f in months.items()
    )
    values: dict[str, object] = {
        "furnisher": "JIEBEI",
        "account_id": "L-1",
        "account_type": "online_consumer_loan",
        "currency": "CNY",
        "opened_on": date(2026, 1, 10),
        "principal": Decimal("12000.00"),
        "credit_limit": None,
        "months": months,
        "balances": {p: Decimal("9000") for p in months},
        "history": history,
        "term_months": 12,
    }
    values.update(changes)
    return AccountFacts(**values)  # type: ignore[arg-type]


def test_the_implied_rate_is_the_one_numpy_financial_agrees_with() -> None:
    assert implied_annual_rate(Decimal("12000"), PAYMENT, 12) == Decimal("0.1800")
    assert round(-npf.pmt(0.18 / 12, 12, 12000), 2) == float(PAYMENT)
    assert implied_annual_rate(Decimal("12000"), Decimal("1000"), 12) == Decimal(0)


@settings(max_examples=60, deadline=None)
@given(
    principal=st.integers(1_000, 200_000),
    annual_bp=st.integers(1, 3600),  # 0.01 % .. 36 %
    months=st.integers(3, 36),
)
def test_an_instalment_rounded_to_the_fen_gives_its_rate_back(
    principal: int, annual_bp: int, months: int
) -> None:
    rate = Decimal(annual_bp) / 10_000
    payment = instalment(Decimal(principal), rate / 12, months).quantize(Decimal("0.01"))
    assert abs(implied_annual_rate(Decimal(principal), payment, months) - rate) <= Decimal("0.0002")


def test_an_open_loan_becomes_a_loan_file_whose_ledger_agrees_with_the_bureau() -> None:
    rebuilt = loans_from_file([_account()], FURNISHERS, date(2026, 4, 30), CN)
    (document,) = rebuilt.loans
    assert document["contract"]["annual_rate"] == "0.1800"
    assert document["contract"]["platform"] == "借呗"
    assert [e for e in document["events"] if e["type"] == "payment"] == [
        {"on": "2026-02-10", "type": "payment", "amount": "1100.16"},
        {"on": "2026-03-10", "type": "payment", "amount": "1100.16"},
    ]
    # Each month the lender reported current: nothing the assumed terms add stays past due.
    assert [e["component"] for e in document["events"] if e["type"] == "waiver"] == [
        "penalty", "all", "penalty", "all",
    ]  # fmt: skip
    contract, events = read_loan(document, CN)
    state = loan_state(
        run(contract, events, date(2026, 4, 30), CN, WeekdayCalendar()), date(2026, 4, 30)
    )
    assert state.days_past_due == 20  # as furnished for April
    assert any("no contracts" in note for note in rebuilt.notes)


def test_a_payment_without_its_day_falls_on_the_due_day() -> None:
    late = _account(
        months={**_account().months, date(2026, 5, 1): _month("2200.32")},
    )
    (document,) = loans_from_file([late], FURNISHERS, date(2026, 5, 31), CN).loans
    payments = [e for e in document["events"] if e["type"] == "payment"]
    assert payments[-1] == {"on": "2026-05-10", "type": "payment", "amount": "2200.32"}


def test_ended_and_termless_accounts_are_left_out_with_a_note() -> None:
    settled = _account(
        account_id="L-2",
        months={date(2026, 4, 1): _month("0", status="settled")},
    )
    termless = _account(account_id="C-1", principal=None, term_months=None)
    rebuilt = loans_from_file([settled, termless], FURNISHERS, date(2026, 4, 30), CN)
    assert rebuilt.loans == ()
    assert "JIEBEI:C-1 has no term: not planned here" in rebuilt.notes
    assert not any("L-2" in note for note in rebuilt.notes)


def test_instalments_falling_by_one_step_are_equal_principal_at_the_rate_the_step_implies() -> None:
    principal, months, rate = Decimal("89900.00"), 24, Decimal("0.10")
    part = principal / months
    scheduled = [
        (part + (principal - k * part) * rate / 12).quantize(Decimal("0.01")) for k in range(6)
    ]
    assert implied_terms(principal, months, scheduled) == ("equal_principal", Decimal("0.1000"))
    level = [PAYMENT] * 5
    assert implied_terms(Decimal("12000"), 12, level) == ("equal_installment", Decimal("0.1800"))


def test_a_month_the_lender_reported_current_stays_current_when_rebuilt() -> None:
    """Paid two days after the due day (a weekend rolled forward) and reported current: the
    rebuilt loan pays it on the due day, and the assumed penalty terms leave nothing past due."""
    paid_on = {date(2026, 2, 1): date(2026, 2, 12), date(2026, 3, 1): date(2026, 3, 10)}
    months = {p: _month("1100.16") for p in paid_on}
    history = tuple(MonthRow(p, 0, Decimal(0), "open", d, None) for p, d in paid_on.items())
    account = _account(months=months, history=history)
    (document,) = loans_from_file([account], FURNISHERS, date(2026, 3, 31), CN).loans
    assert [e["on"] for e in document["events"] if e["type"] == "payment"] == [
        "2026-02-10",
        "2026-03-10",
    ]
    contract, events = read_loan(document, CN)
    ledger = run(contract, events, date(2026, 3, 31), CN, WeekdayCalendar())
    assert loan_state(ledger, date(2026, 3, 31)).days_past_due == 0
