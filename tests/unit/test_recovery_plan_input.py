"""Reading PLAN files and the monthly budget: bad input is named by field and line, all at once.

The budget figures of the shipped example are worked out by hand next to each assertion.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.domain.money import Money
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.recovery.budget import (
    Horizon,
    cash_left,
    horizon_for,
    monthly_budget,
)
from creditmend.domain.recovery.plan_input import (
    AssetSale,
    FamilyLoan,
    PlanInput,
    Priority,
    read_plan,
)
from creditmend.domain.rules.cn import CN

EXAMPLE = Path(__file__).parents[2] / "examples" / "plan.yaml"
D = Decimal

LOAN = """\
  - contract:
      id: {id}
      platform: P
      principal: "1000.00"
      annual_rate: "0.12"
      term_months: 6
      method: {method}
      disbursed_on: 2026-01-10
    events:
      - {{on: {paid_on}, type: payment, amount: "10.00"}}
"""
CASH = """\
cash_flow:
  monthly_income: "{income}"
  monthly_essential_expenses: "50.00"
"""


def _plan_text(
    method: str = "equal_installment",
    paid_on: str = "2026-02-10",
    income: str = "100.00",
    one_off: str = "",
) -> str:
    loans = "loans:\n" + LOAN.format(id="a", method="equal_installment", paid_on=paid_on)
    loans += LOAN.format(id="b", method=method, paid_on="2026-02-10")
    return loans + CASH.format(income=income) + one_off


def _read(tmp_path: Path, text: str) -> PlanInput:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    document, lines = read_yaml_with_lines(path)
    return read_plan(document, CN, lines)


def _problems(tmp_path: Path, text: str) -> list[Problem]:
    with pytest.raises(ProblemsError) as caught:
        _read(tmp_path, text)
    return list(caught.value.problems)


def test_the_example_is_accepted() -> None:
    document, lines = read_yaml_with_lines(EXAMPLE)
    plan = read_plan(document, CN, lines)
    assert [loan.id for loan in plan.loans] == ["jiebei-1", "weilidai-1", "fenqile-1"]
    assert len({loan.contract.platform for loan in plan.loans}) == 3
    assert plan.currency == "CNY"
    assert plan.cash_flow.monthly_income == Money.of("8000.00", "CNY")
    assert plan.cash_flow.buffer == Money.of("500.00", "CNY")
    assert [m.month for m in plan.cash_flow.months] == ["2026-12", "2027-02"]
    sale, family = plan.one_off
    assert sale == AssetSale(date(2027, 1, 15), Money.of("3000.00", "CNY"))
    assert isinstance(family, FamilyLoan)
    assert family.repay_from == date(2027, 6, 1)
    assert plan.preferences.keep_buffer
    assert plan.preferences.horizon_months == 36
    assert plan.preferences.priority is Priority.BALANCED
    assert plan.loans[1].field == "loans[1]"


def test_unknown_loan_method_names_the_loan_field_and_line(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _plan_text(method="balloon"))
    # loans[1] starts on line 12; its method is the seventh line of it.
    assert [(p.field, p.line) for p in problems] == [("loans[1].contract.method", 18)]
    assert "unknown value 'balloon'" in problems[0].message


def test_negative_income(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _plan_text(income="-100.00"))
    assert [(p.field, p.line) for p in problems] == [("cash_flow.monthly_income", 23)]
    assert "-100.00 must be zero or more" in problems[0].message


def test_family_loan_without_terms(tmp_path: Path) -> None:
    one_off = 'one_off:\n  - {on: 2026-12-20, type: family_loan, amount: "5000.00"}\n'
    problems = _problems(tmp_path, _plan_text(one_off=one_off))
    assert [(p.field, p.line) for p in problems] == [("one_off[0]", 26)]
    assert "repayment terms" in problems[0].message


def test_family_loan_missing_one_term_names_it(tmp_path: Path) -> None:
    one_off = (
        "one_off:\n"
        '  - {on: 2026-12-20, type: family_loan, amount: "5000.00", repay_monthly: "500.00"}\n'
    )
    problems = _problems(tmp_path, _plan_text(one_off=one_off))
    assert [(p.field, p.line) for p in problems] == [("one_off[0].repay_from", 26)]


def test_event_before_disbursement_names_the_event_of_that_loan(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _plan_text(paid_on="2026-01-05"))
    assert [(p.field, p.line) for p in problems] == [("loans[0].events[0].on", 11)]
    assert "before disbursed_on 2026-01-10" in problems[0].message


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    one_off = 'one_off:\n  - {on: 2026-12-20, type: family_loan, amount: "5000.00"}\n'
    text = _plan_text(method="balloon", paid_on="2026-01-05", income="-1.00", one_off=one_off)
    fields = [p.field for p in _problems(tmp_path, text)]
    assert fields == [
        "loans[0].events[0].on",
        "loans[1].contract.method",
        "cash_flow.monthly_income",
        "one_off[0]",
    ]


def test_more_mistakes_each_with_its_line(tmp_path: Path) -> None:
    text = (
        "currency: XX\n"
        + "loans:\n"
        + LOAN.format(id="a", method="bullet", paid_on="2026-02-10")
        + LOAN.format(id="a", method="bullet", paid_on="2026-02-10")
        + "cash_flow:\n"
        + '  monthly_income: "1.005"\n'
        + "  months:\n"
        + '    - {month: 2026-13, income: "5.00"}\n'
        + "one_off:\n"
        + '  - {on: 2026-12-20, type: gift, amount: "5.00"}\n'
        + '  - {on: 2026-12-20, type: family_loan, amount: "50.00", repay_monthly: "5.00",'
        + " repay_from: 2026-11-01}\n"
        + "preferences: {horizon_months: 0, keep_buffer: maybe}\n"
    )
    found = {(p.field, p.line) for p in _problems(tmp_path, text)}
    assert found == {
        ("currency", 1),
        ("loans[1].contract.id", 14),
        ("cash_flow.monthly_income", 24),
        # No usable month given, so the usual expenses are required (the `cash_flow:` line).
        ("cash_flow.monthly_essential_expenses", 23),
        ("cash_flow.months[0].month", 26),
        ("one_off[0].type", 28),
        ("one_off[1].repay_from", 29),
        ("preferences.keep_buffer", 30),
        ("preferences.horizon_months", 30),
    }


def test_not_a_plan(tmp_path: Path) -> None:
    assert _problems(tmp_path, "- 1\n- 2\n")[0].field == "file"
    fields = [p.field for p in _problems(tmp_path, "loans: []\n")]
    assert fields == ["loans", "cash_flow"]


def test_budget_of_the_example_by_hand() -> None:
    document, lines = read_yaml_with_lines(EXAMPLE)
    plan = read_plan(document, CN, lines)
    horizon = horizon_for(plan, date(2026, 7, 1))
    assert len(horizon.months) == 36
    assert horizon.end == date(2029, 6, 30)
    budget = monthly_budget(plan, horizon)
    available = dict(zip(horizon.labels, budget.available(), strict=True))
    # July: cash on hand 1000 less the buffer 500, plus 8000 - 4500.
    assert available["2026-07"] == D("4000.00")
    assert available["2026-08"] == D("3500.00")
    # December: a bonus month (11000 - 4500) and the family loan of 5000.
    assert available["2026-12"] == D("11500.00")
    # January: the motorbike sold for 3000.
    assert available["2027-01"] == D("6500.00")
    # February: Spring Festival expenses 6500.
    assert available["2027-02"] == D("1500.00")
    # Relatives repaid 500 a month from June 2027 for ten months.
    repaid = [m.month for m in budget.months if m.outflows.amount]
    assert repaid == [f"2027-{m:02d}" for m in range(6, 13)] + ["2028-01", "2028-02", "2028-03"]
    assert available["2027-06"] == D("3000.00")
    assert budget.months[-1].cumulative.amount == sum(budget.available())
    # 36 months of 3500, + 500 opening, + 3000 bonus, + 5000 + 3000 one-offs, - 2000 festival,
    # - 5000 repaid.
    assert budget.months[-1].cumulative == Money.of(
        str(36 * 3500 + 500 + 3000 + 8000 - 2000 - 5000), "CNY"
    )


def test_budget_without_the_buffer_and_cash_left(tmp_path: Path) -> None:
    text = _plan_text() + '  cash_on_hand: "30.00"\n  buffer: "40.00"\n'
    plan = _read(tmp_path, text)
    horizon = Horizon.of(date(2026, 3, 15), 3)
    assert monthly_budget(plan, horizon).available() == (D("40.00"), D("50.00"), D("50.00"))
    loose = PlanInput(
        plan.currency, plan.loans, plan.cash_flow, plan.one_off, type(plan.preferences)(False)
    )
    budget = monthly_budget(loose, horizon)
    assert budget.available() == (D("80.00"), D("50.00"), D("50.00"))
    assert cash_left(budget, [D("100.00"), D("0"), D("20.00")]) == (D(-20), D(30), D(60))


def test_a_month_without_figures_is_a_problem(tmp_path: Path) -> None:
    text = (
        "loans:\n"
        + LOAN.format(id="a", method="bullet", paid_on="2026-02-10")
        + "cash_flow:\n  months:\n"
        + '    - {month: 2026-03, income: "10.00", expenses: "5.00"}\n'
    )
    plan = _read(tmp_path, text)
    assert monthly_budget(plan, Horizon.of(date(2026, 3, 1), 1)).available() == (D("5.00"),)
    with pytest.raises(ProblemsError) as caught:
        monthly_budget(plan, Horizon.of(date(2026, 3, 1), 3))
    assert [p.field for p in caught.value.problems] == [
        "cash_flow.monthly_income",
        "cash_flow.monthly_essential_expenses",
    ]
    assert "2026-04, 2026-05" in caught.value.problems[0].message


def test_family_loan_repayments_end_with_the_remainder() -> None:
    loan = FamilyLoan(
        date(2026, 1, 31), Money.of("1250.00", "CNY"), Money.of("500.00", "CNY"), date(2026, 1, 31)
    )
    assert loan.repayments() == (
        (date(2026, 1, 31), D("500.00")),
        (date(2026, 2, 28), D("500.00")),
        (date(2026, 3, 31), D("250.00")),
    )


def test_pay_day_and_good_faith_defaults_and_the_example() -> None:
    document, lines = read_yaml_with_lines(EXAMPLE)
    plan = read_plan(document, CN, lines)
    assert plan.cash_flow.pay_day == 1
    prefs = plan.preferences
    assert prefs.good_faith is True
    assert (prefs.good_faith_minimum.rate, prefs.good_faith_minimum.floor) == (
        D("0.10"),
        D("50.00"),
    )


def test_pay_day_is_clamped_to_the_month_and_read_with_good_faith(tmp_path: Path) -> None:
    text = _plan_text().replace(
        'monthly_essential_expenses: "50.00"\n',
        'monthly_essential_expenses: "50.00"\n  pay_day: 31\n',
    )
    text += 'preferences:\n  good_faith: false\n  good_faith_minimum: {rate: "0.2", floor: "20"}\n'
    plan = _read(tmp_path, text)
    assert plan.cash_flow.pay_day == 31
    minimum = plan.preferences.good_faith_minimum
    assert (plan.preferences.good_faith, minimum.rate, minimum.floor) == (False, D("0.2"), D("20"))
    horizon = horizon_for(plan, date(2027, 1, 20), 3)
    # The first month's money is there on the plan's date; February has 28 days.
    assert [horizon.money_day(k) for k in range(3)] == [
        date(2027, 1, 20),
        date(2027, 2, 28),
        date(2027, 3, 31),
    ]


def test_bad_pay_day_and_good_faith_terms_are_named(tmp_path: Path) -> None:
    text = _plan_text().replace(
        'monthly_essential_expenses: "50.00"\n',
        'monthly_essential_expenses: "50.00"\n  pay_day: 32\n',
    )
    text += 'preferences:\n  good_faith: "yes"\n  good_faith_minimum: {rate: "2", flor: "1"}\n'
    fields = [p.field for p in _problems(tmp_path, text)]
    assert fields == [
        "cash_flow.pay_day",
        "preferences.good_faith",
        "preferences.good_faith_minimum.flor",
        "preferences.good_faith_minimum.rate",
    ]
