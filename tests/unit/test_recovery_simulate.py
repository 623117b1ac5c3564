"""The exact simulation of a plan: checked against numpy-financial and against hand arithmetic.

The loan of the hand cases: 12000.00 at 18 %/yr, equal instalments over 12 months, profile cn
(annual / 360), disbursed 2026-07-10. Monthly rate 0.015, level payment 1100.16; instalment 1
(due 2026-08-10) is principal 920.16 + interest 180.00, instalment 2 (due 2026-09-10) is
principal 933.96 + interest 166.20. Penalty with the default multiplier: 0.18 / 360 x 1.5 =
0.00075 a day on the overdue principal.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy_financial as npf
import pytest

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.loan.contract import Contract, RepaymentMethod
from creditmend.domain.loan.events import LoanEvent, Payment
from creditmend.domain.loan.schedule import build_schedule
from creditmend.domain.money import Money
from creditmend.domain.problems import ProblemsError
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.budget import Horizon, horizon_for, monthly_budget
from creditmend.domain.recovery.json_form import outcome_json
from creditmend.domain.recovery.plan_input import CashFlow, PlanInput, PlanLoan, read_plan
from creditmend.domain.recovery.simulate import Outcome, PaymentPlan, simulate
from creditmend.domain.recovery.strategies import STRATEGIES, classic_outcomes
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
CENT = Decimal("0.01")
D = Decimal
EXAMPLE = Path(__file__).parents[2] / "examples" / "plan.yaml"
ISSUE_KEYS = {
    "total_paid",
    "interest_paid",
    "penalty_paid",
    "fees_paid",
    "overdue_account_months",
    "serious_account_months",
    "debt_free_on",
    "clean_on",
    "monthly",
    "payments",
}


def _contract(disbursed_on: date = date(2026, 7, 10)) -> Contract:
    return Contract(
        id="loan-a",
        platform="P",
        principal=Money.of("12000.00", "CNY"),
        rate=Rate.annual("0.18"),
        term_months=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        disbursed_on=disbursed_on,
    )


def _plan_input(contract: Contract, events: tuple[LoanEvent, ...] = ()) -> PlanInput:
    zero = Money.zero("CNY")
    cash = CashFlow(Money.of("5000.00", "CNY"), Money.of("1000.00", "CNY"), zero, zero)
    return PlanInput("CNY", (PlanLoan(contract, events, "loans[0]"),), cash)


def _run(plan_input: PlanInput, horizon: Horizon, amounts: list[str]) -> Outcome:
    plan = PaymentPlan.of(
        horizon.labels, ["loan-a"], [[D(a)] for a in amounts], plan_input.currency
    )
    return simulate(plan_input, plan, horizon, CN, CAL)


def _pmt_cents(monthly: float, term: int, principal: float) -> Decimal:
    return Decimal(repr(float(npf.pmt(monthly, term, -principal)))).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


def test_paying_exactly_the_schedule_costs_its_interest_and_no_penalty() -> None:
    contract = _contract(date(2026, 1, 10))
    plan_input = _plan_input(contract)
    # 2026-01 (disbursement) .. 2027-01 (last due); pay arrives on the due day (the 10th), so
    # every instalment is paid the day it falls due (an earlier money day would settle the last
    # instalment on that day, below the schedule: see the next test).
    horizon = Horizon.of(date(2026, 1, 10), 13, pay_day=10)
    schedule = build_schedule(contract, CAL, 360)
    amounts = ["0"] + [str(row.total) for row in schedule.installments]
    outcome = _run(plan_input, horizon, amounts)

    # The oracle: numpy-financial's level payment for 12000 at 1.5 % a month over 12 months.
    level = _pmt_cents(0.015, 12, 12000.0)
    assert level == D("1100.16")
    assert [m.paid.amount for m in outcome.loans[0].months[1:-1]] == [level] * 11
    # numpy-financial's interest per period, unrounded; the ledger rounds each period half up,
    # so the totals differ by less than half a fen a period.
    oracle_interest = -sum(npf.ipmt(0.015, k, 12, 12000.0) for k in range(1, 13))
    assert abs(outcome.interest_paid.amount - D(repr(float(oracle_interest)))) <= D("0.005") * 12
    assert outcome.interest_paid == schedule.total_interest
    assert outcome.penalty_paid == Money.zero("CNY")
    assert outcome.fees_paid == Money.zero("CNY")
    assert outcome.principal_paid == Money.of("12000.00", "CNY")
    assert outcome.unapplied == Money.zero("CNY")
    assert outcome.total_paid.amount == 12000 + schedule.total_interest.amount
    loan = outcome.loans[0]
    assert [m.status for m in loan.months] == ["*"] + ["N"] * 11 + ["C"]
    assert [m.pay_day for m in loan.months[1:]] == [row.due_on for row in schedule.installments]
    assert outcome.overdue_account_months == 0
    assert outcome.debt_free_on == date(2027, 1, 10)
    assert outcome.clean_on == horizon.as_of  # never a negative record
    assert loan.negative_records == ()


def test_a_current_instalment_waits_for_its_due_day_and_a_payoff_is_paid_when_money_is_there() -> (
    None
):
    # Pay arrives on the 1st: each instalment is still paid on its due day, the 10th (one
    # ledger payment a month); the last month's amount covers the payoff on 2027-01-01, so the
    # loan is settled that day and the interest of 01-01..01-10 is not charged.
    contract = _contract(date(2026, 1, 10))
    plan_input = _plan_input(contract)
    horizon = Horizon.of(date(2026, 1, 10), 13)
    schedule = build_schedule(contract, CAL, 360)
    amounts = ["0"] + [str(row.total) for row in schedule.installments]
    outcome = _run(plan_input, horizon, amounts)
    loan = outcome.loans[0]
    dues = [row.due_on for row in schedule.installments]
    assert [on for on, _ in loan.payments] == [*dues[:-1], date(2027, 1, 1)]
    last = loan.months[-1]
    assert (last.money_day, last.owed, last.status) == (
        date(2027, 1, 1),
        Money.of("1095.47", "CNY"),
        "C",
    )
    assert loan.closed_on == date(2027, 1, 1)
    assert outcome.interest_paid.amount < schedule.total_interest.amount
    assert loan.refund_due.amount == D("1100.19") - D("1095.47")


def test_an_overdue_paid_within_its_month_leaves_no_record() -> None:
    # Instalment 1 (due 08-10) unpaid; the plan starts 08-20 and pays at once (the due date of
    # August has passed, so on the plan's first day): 10 days of penalty on 920.16 at 0.00075 =
    # 6.9012 -> 6.90, so 1100.16 + 6.90 = 1107.06 makes the loan current again.
    plan_input = _plan_input(_contract())
    horizon = Horizon.of(date(2026, 8, 20), 2)
    outcome = _run(plan_input, horizon, ["1107.06", "1100.16"])
    august, september = outcome.loans[0].months
    assert august.pay_day == date(2026, 8, 20)
    assert august.due == Money.of("1107.06", "CNY")
    assert outcome.penalty_paid == Money.of("6.90", "CNY")
    # Paid late but within the month: `M`, and at the month's end nothing is past due, so the
    # bureau (which sees month ends) has no overdue to keep: clean from the plan's first day.
    assert (august.status, august.days_past_due, september.status) == ("M", 0, "N")
    assert outcome.overdue_account_months == 0
    assert outcome.clean_on == date(2026, 8, 20)


def test_an_overdue_over_a_month_end_is_kept_five_years_from_its_cure() -> None:
    # Plan from 08-31, nothing paid in August: 21 days past due at the month's end (code 1).
    # September's money is there on the 1st (pay day 1): the arrears are paid that day, 1100.16
    # plus 22 days of penalty on 920.16: 920.16 x 0.00075 x 22 = 15.18264 -> 15.18, 1115.34;
    # the instalment of 09-10 on its due day: 1115.34 + 1100.16 = 2215.50.
    plan_input = _plan_input(_contract())
    horizon = Horizon.of(date(2026, 8, 31), 3)
    outcome = _run(plan_input, horizon, ["0", "2215.50", "1100.16"])
    august, september, october = outcome.loans[0].months
    assert (august.status, august.days_past_due) == ("1", 21)
    assert august.past_due == Money.of("1114.65", "CNY")  # 1100.16 + 21 days of penalty (14.49)
    assert (september.money_day, september.pay_day) == (date(2026, 9, 1), date(2026, 9, 10))
    assert september.arrears == Money.of("1115.34", "CNY")
    assert september.due == Money.of("2215.50", "CNY")
    assert outcome.loans[0].payments[:2] == (
        (date(2026, 9, 1), Money.of("1115.34", "CNY")),
        (date(2026, 9, 10), Money.of("1100.16", "CNY")),
    )
    assert (september.status, october.status) == ("N", "N")
    assert outcome.penalty_paid == Money.of("15.18", "CNY")
    assert outcome.overdue_account_months == 1
    (record,) = outcome.loans[0].negative_records
    assert (record.started_on, record.ended_on) == (date(2026, 8, 11), date(2026, 9, 1))
    # cn retention: five years from the cure; the 2025 credit repair does not reach 2026.
    assert outcome.clean_on == date(2031, 9, 1)
    assert outcome.debt_free_on is None


def test_an_uncured_overdue_never_gets_clean() -> None:
    plan_input = _plan_input(_contract())
    outcome = _run(plan_input, Horizon.of(date(2026, 8, 31), 3), ["0", "0", "0"])
    assert [m.status for m in outcome.loans[0].months] == ["1", "2", "3"]
    assert outcome.overdue_account_months == 3
    assert outcome.clean_on is None
    assert outcome.total_paid == Money.zero("CNY")


def test_the_json_has_the_issue_keys() -> None:
    plan_input = _plan_input(_contract())
    outcome = _run(plan_input, Horizon.of(date(2026, 8, 31), 3), ["0", "2215.50", "1100.16"])
    form = outcome_json(outcome)
    assert set(form) == ISSUE_KEYS
    assert form["penalty_paid"] == "15.18"
    assert form["debt_free_on"] is None
    assert form["clean_on"] == "2031-09-01"
    assert form["monthly"][1] == {"month": "2026-09", "payments": {"loan-a": "2215.50"}}
    assert form["payments"][:2] == [
        {"loan_id": "loan-a", "on": "2026-09-01", "amount": "1115.34"},
        {"loan_id": "loan-a", "on": "2026-09-10", "amount": "1100.16"},
    ]
    assert (form["overdue_account_months"], form["serious_account_months"]) == (1, 0)
    detail = outcome_json(outcome, detail=True)
    assert detail["loans"][0]["months"][0]["status"] == "1"


def test_history_after_the_plan_date_and_bad_plans_are_refused() -> None:
    late = _plan_input(_contract(), (Payment(date(2026, 9, 1), D("1.00")),))
    horizon = Horizon.of(date(2026, 8, 31), 2)
    with pytest.raises(ProblemsError) as caught:
        _run(late, horizon, ["0", "0"])
    assert [p.field for p in caught.value.problems] == ["loans[0].events[0].on"]
    future = _plan_input(_contract(date(2026, 9, 5)))
    with pytest.raises(ProblemsError) as caught:
        _run(future, horizon, ["0", "0"])
    assert [p.field for p in caught.value.problems] == ["loans[0].contract.disbursed_on"]
    plan_input = _plan_input(_contract())
    wrong = PaymentPlan.of(["2026-09"], ["other"], [[D(5)]], "CNY")
    with pytest.raises(ProblemsError) as caught:
        simulate(plan_input, wrong, horizon, CN, CAL)
    assert [p.field for p in caught.value.problems] == [
        "plan.months",
        "plan.months[0].payments.other",
    ]


def _example() -> tuple[PlanInput, Horizon]:
    document, lines = read_yaml_with_lines(EXAMPLE)
    plan_input = read_plan(document, CN, lines)
    return plan_input, horizon_for(plan_input, date(2026, 7, 1))


def test_classic_strategies_on_the_example_are_their_plans_simulated() -> None:
    plan_input, horizon = _example()
    budget = monthly_budget(plan_input, horizon)
    outcomes = classic_outcomes(plan_input, budget, CN, CAL)
    assert list(outcomes) == ["minimum", "avalanche", "snowball"]
    for name, outcome in outcomes.items():
        plan = STRATEGIES[name](plan_input, budget, CN, CAL)
        assert plan == outcome.plan
        again = simulate(plan_input, plan, horizon, CN, CAL, name=name)
        assert outcome_json(again, detail=True) == outcome_json(outcome, detail=True)
        assert set(outcome_json(outcome)) == ISSUE_KEYS
        # Every loan is repaid within three years on this budget.
        assert outcome.debt_free_on is not None
        assert outcome.clean_on is not None
    minimum, avalanche = outcomes["minimum"], outcomes["avalanche"]
    # July's minimum: Jiebei's arrears in full first (the file's order), Weilidai the rest.
    july = minimum.plan.months[0]
    assert july.total == D("4000.00")
    # Paying ahead settles the loans sooner, and so pays less interest and penalty.
    assert avalanche.debt_free_on is not None and minimum.debt_free_on is not None
    assert avalanche.debt_free_on < minimum.debt_free_on
    assert avalanche.total_paid.amount < minimum.total_paid.amount
