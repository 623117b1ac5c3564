"""The expiry timeline: each date is the retention rule's (5 years after the cure under `cn`) or
a dated policy's (the PBOC credit repair: an overdue of 2020-2025 of at most 10,000 repaid by
2026-03-31 stops being shown by the end of the month after the repayment)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.domain.calendar import WeekdayCalendar, add_months
from creditmend.domain.loan.contract import Contract, RepaymentMethod
from creditmend.domain.loan.events import Payment
from creditmend.domain.money import ZERO, Money
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.budget import Horizon, monthly_budget
from creditmend.domain.recovery.plan_input import CashFlow, PlanInput, PlanLoan, read_plan
from creditmend.domain.recovery.simulate import PaymentPlan, simulate
from creditmend.domain.recovery.strategies import classic_outcomes
from creditmend.domain.recovery.timeline import expiry_timeline, timeline_json
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
ROOT = Path(__file__).parents[2]
D = Decimal


def _five_years(day: date) -> date:
    return add_months(day, 60)


def test_every_date_is_the_retention_rules_and_paying_sooner_moves_it_day_for_day() -> None:
    document, lines = read_yaml_with_lines(ROOT / "examples" / "plan.yaml")
    plan_input = read_plan(document, CN, lines)
    as_of = date(2026, 7, 1)
    horizon = Horizon.of(as_of, 24)
    outcome = classic_outcomes(plan_input, monthly_budget(plan_input, horizon), CN, CAL)[
        "avalanche"
    ]
    rows = expiry_timeline(plan_input, outcome, CN)
    assert {row.record for row in rows} == {
        "account:Jiebei:jiebei-1:2026-04",
        "account:Weilidai:weilidai-1:2026-04",
        "account:Fenqile:fenqile-1:2026-04",
        "account:Fenqile:fenqile-1:2026-08",  # a new overdue the plan lets happen
    }
    assert [row.expires_on for row in rows] == sorted(row.expires_on for row in rows)
    for row in rows:
        assert row.cured_on is not None  # every overdue is cured within 24 months
        assert row.expires_on == _five_years(row.cured_on)
        assert row.reason == f"retention: 5 years after {row.cured_on}"
        assert row.shown_now is (row.overdue_from <= as_of)
        loan = next(loan for loan in outcome.loans if loan.loan_id == row.loan_id)
        for paid_by in row.if_paid_by:
            assert paid_by.on < row.cured_on
            assert paid_by.expires_on == _five_years(paid_by.on)
            month = next(m for m in loan.months if m.month == f"{paid_by.on:%Y-%m}")
            assert paid_by.on == add_months(paid_by.on.replace(day=1), 1) - timedelta(days=1)
            assert paid_by.extra == month.past_due and paid_by.extra.amount > ZERO
    weilidai = next(row for row in rows if row.loan_id == "weilidai-1")
    # Overdue at every month end from July until the plan cures it on 2026-12-01, the day
    # December's money is there (cash_flow.pay_day defaults to the 1st).
    assert weilidai.cured_on == date(2026, 12, 1)
    assert [p.on for p in weilidai.if_paid_by] == [
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
        date(2026, 11, 30),
    ]
    form = timeline_json(rows)
    json.dumps(form)
    assert form[0]["if_paid_by"] == []  # Fenqile's April overdue: the plan cures it in July
    shown = next(item for item in form if item["loan_id"] == "weilidai-1")
    assert shown["if_paid_by"][0] == {
        "on": "2026-07-31",
        "extra": "3894.12",
        "expires_on": "2031-07-31",
    }


def _repair_case() -> tuple[PlanInput, Horizon]:
    """12000.00 at 18 % from 2025-10-15; the first instalment paid, nothing from 2025-12-15 on:
    overdue from 2025-12-16, a few thousand at most (within the repair's 10,000)."""
    contract = Contract(
        id="loan-r",
        platform="P",
        principal=Money.of("12000.00", "CNY"),
        rate=Rate.annual("0.18"),
        term_months=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        disbursed_on=date(2025, 10, 15),
    )
    events = (Payment(date(2025, 11, 15), D("1100.16")),)
    cash = CashFlow(
        Money.of("9000.00", "CNY"), Money.of("1000.00", "CNY"), Money.zero("CNY"), Money.zero("CNY")
    )
    plan_input = PlanInput("CNY", (PlanLoan(contract, events, "loans[0]"),), cash)
    return plan_input, Horizon.of(date(2026, 2, 10), 4)


def test_paying_by_march_falls_under_the_credit_repair_and_april_does_not() -> None:
    plan_input, horizon = _repair_case()
    nothing = PaymentPlan.of(horizon.labels, ["loan-r"], [[ZERO]] * 4, "CNY")
    quiet = simulate(plan_input, nothing, horizon, CN, CAL)
    april_due = quiet.loans[0].months[2].due.amount  # what makes the loan current in April
    table = [[ZERO], [ZERO], [april_due], [D("1100.16")]]  # then May's instalment on its day
    plan = PaymentPlan.of(horizon.labels, ["loan-r"], table, "CNY")
    outcome = simulate(plan_input, plan, horizon, CN, CAL)
    (row,) = expiry_timeline(plan_input, outcome, CN)
    assert row.record == "account:P:loan-r:2025-12"
    assert row.overdue_from == date(2025, 12, 16)
    # April's money day (pay day 1): the arrears are paid then, after the repair's deadline.
    assert row.cured_on == date(2026, 4, 1)
    assert row.expires_on == date(2031, 4, 1)
    # Cured by the end of February: hidden by the end of March; of March: by the end of April.
    assert [(p.on, p.expires_on) for p in row.if_paid_by] == [
        (date(2026, 2, 28), date(2026, 3, 31)),
        (date(2026, 3, 31), date(2026, 4, 30)),
    ]
    # Under a profile without the policy, the same dates are five years after the cure.
    (plain,) = expiry_timeline(plan_input, outcome, dataclasses.replace(CN, dated_policies=()))
    assert [(p.on, p.expires_on) for p in plain.if_paid_by] == [
        (date(2026, 2, 28), date(2031, 2, 28)),
        (date(2026, 3, 31), date(2031, 3, 31)),
    ]


def test_an_overdue_the_plan_never_cures_is_shown_until_cured() -> None:
    plan_input, horizon = _repair_case()
    nothing = PaymentPlan.of(horizon.labels, ["loan-r"], [[ZERO]] * 4, "CNY")
    outcome = simulate(plan_input, nothing, horizon, CN, CAL)
    (row,) = expiry_timeline(plan_input, outcome, CN)
    assert (row.cured_on, row.expires_on) == (None, None)
    assert row.reason == "retention: not until cured"
    # Every month end of the horizon is a day it could still be cured.
    assert [p.on for p in row.if_paid_by] == [
        add_months(m, 1) - timedelta(days=1) for m in horizon.months
    ]
    assert row.if_paid_by[-1].expires_on == _five_years(horizon.end)
    assert timeline_json((row,))[0]["expires_on"] is None
