"""The cost check through the real root finder (SciPy), against independent arithmetic."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import numpy_financial as npf
import pytest

from creditmend.bootstrap import build
from creditmend.domain.loan.contract import Contract, Fee, FeeTiming, RepaymentMethod
from creditmend.domain.loan.events import EarlySettlement, LoanEvent, Payment
from creditmend.domain.loan.schedule import build_schedule
from creditmend.domain.money import Money
from creditmend.domain.rate import Rate

LOANS = build().loans


BASE = Contract(
    "c",
    Money.of("12000", "CNY"),
    Rate.annual("0.18"),
    12,
    RepaymentMethod.EQUAL_INSTALLMENT,
    date(2026, 1, 10),
)


def _contract(**changes: Any) -> Contract:
    return replace(BASE, **changes)


def _paid_per_schedule(contract: Contract) -> list[LoanEvent]:
    schedule = build_schedule(contract, LOANS.calendar, 360)
    return [Payment(i.due_on, i.total) for i in schedule.installments]


@pytest.mark.slow
def test_a_loan_at_18_percent_costs_about_18_percent_and_is_under_the_24_percent_cap() -> None:
    contract = _contract()
    result = LOANS.simulate(contract, tuple(_paid_per_schedule(contract)), date(2027, 2, 1))
    # Reference: numpy_financial's IRR of the monthly flows, x 12 (the nominal APR).
    schedule = build_schedule(contract, LOANS.calendar, 360)
    monthly = npf.irr([12000.0] + [-float(i.total) for i in schedule.installments])
    assert abs(monthly * 12 - 0.18) < 1e-4
    cost = result.cost
    assert cost.annualised_cost is not None
    assert abs(float(cost.annualised_cost) - monthly * 12) < 0.005  # by the day, not the month
    assert cost.cap == Decimal("0.24")
    assert not cost.above_cap
    assert cost.amount_above_cap == Money.zero("CNY")


def test_private_lending_at_18_percent_is_above_four_times_lpr() -> None:
    contract = _contract(lender_kind="private")
    events = tuple(_paid_per_schedule(contract))
    result = LOANS.simulate(contract, events, date(2027, 2, 1))
    assert result.cost.cap == Decimal("0.1200")  # 4 x 3.00 % one-year LPR at signing
    assert result.cost.above_cap
    # Independent: carry each flow to as-of at 12 % / 365 a day, in floats.
    as_of = date(2027, 2, 1)
    value = 12000.0 * (1 + 0.12 / 365) ** (as_of - contract.disbursed_on).days
    for event in events:
        assert isinstance(event, Payment)
        value -= float(event.amount) * (1 + 0.12 / 365) ** (as_of - event.on).days
    assert abs(float(result.cost.amount_above_cap.amount) - (-value)) < 0.01


def test_a_one_day_loan_with_an_upfront_fee_is_far_above_the_cap() -> None:
    contract = _contract(
        principal=Money.of("10000", "CNY"),
        fees=(Fee("arrangement", FeeTiming.UPFRONT, rate=Decimal("0.05")),),
    )
    result = LOANS.simulate(contract, (EarlySettlement(date(2026, 1, 11)),), date(2026, 1, 11))
    cost = result.cost
    assert cost.annualised_cost is not None
    assert cost.annualised_cost > Decimal("10")  # 9,500 in, 10,005 out a day later
    assert cost.above_cap
    assert cost.amount_above_cap.amount > Decimal("490")
