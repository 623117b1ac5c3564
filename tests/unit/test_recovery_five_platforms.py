"""Issue 15's borrower (examples/five-platforms.yaml, on 2026-12-07): paid the day the money is
there, and every overdue platform sees a good-faith payment in every month that pays."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.adapters.solver_highs import HighsSolver
from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.recovery.best_plan import Optimiser
from creditmend.domain.recovery.budget import horizon_for, monthly_budget
from creditmend.domain.recovery.plan_input import PlanInput, read_plan
from creditmend.domain.recovery.simulate import LoanOutcome, Outcome
from creditmend.domain.recovery.strategies import classic_outcomes
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
AS_OF = date(2026, 12, 7)
EXAMPLE = Path(__file__).parents[2] / "examples" / "five-platforms.yaml"
D = Decimal


@cache
def _case() -> tuple[PlanInput, dict[str, Outcome]]:
    document, lines = read_yaml_with_lines(EXAMPLE)
    plan_input = read_plan(document, CN, lines)
    budget = monthly_budget(plan_input, horizon_for(plan_input, AS_OF))
    classics = classic_outcomes(plan_input, budget, CN, CAL)
    optimised = Optimiser(HighsSolver()).optimise(plan_input, budget, CN, CAL, classics=classics)
    return plan_input, {"optimal": optimised.outcome, **classics}


def _loan(outcome: Outcome, loan_id: str) -> LoanOutcome:
    return next(loan for loan in outcome.loans if loan.loan_id == loan_id)


def test_baitiao_is_cured_on_the_plans_date() -> None:
    # 12 days overdue on 2026-12-07 with the money there: its arrears are paid that day (not on
    # its due day 12-25), which stops the penalty; December's instalment is paid on 12-25.
    _, outcomes = _case()
    baitiao = _loan(outcomes["optimal"], "baitiao")
    december = baitiao.months[0]
    assert december.money_day == AS_OF and december.arrears.amount > 0
    assert baitiao.payments[0] == (AS_OF, december.arrears)
    assert baitiao.payments[1][0] == date(2026, 12, 25)
    (record,) = baitiao.negative_records
    assert record.ended_on == AS_OF
    assert not december.overdue


def test_jiebei_gets_at_least_the_good_faith_payment_every_month_it_is_overdue() -> None:
    # Jiebei's instalment is 1100.16 (12000 at 18 % over 12 months): 10 % is 110.02, above the
    # 50.00 floor, and far below its arrears while it is overdue.
    _, outcomes = _case()
    for name, outcome in outcomes.items():
        jiebei = _loan(outcome, "jiebei")
        for k, month in enumerate(jiebei.months):
            before = jiebei.months[k - 1].overdue if k else True  # 2 instalments behind
            pays = sum((loan.months[k].paid.amount for loan in outcome.loans), D(0)) > 0
            if not (before and pays):
                continue
            assert month.good_faith.amount == min(D("110.02"), month.arrears.amount)
            assert month.paid.amount >= month.good_faith.amount, (name, month.month)
        assert jiebei.months[0].paid.amount >= D("110.02"), name
