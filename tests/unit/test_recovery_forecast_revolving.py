"""The score forecast furnishes a revolving account as CMF does: its credit limit, and each
month the balance and minimum due of the statement cut in it, so the forecast's utilisation is
read from the statements (docs/bureau.md, "Revolving accounts").

The case: examples/huabei.yaml's account (limit 8,000.00, statement on the 1st, due on the
10th) in a plan dated 2026-12-07 whose money pays what each statement asks.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.domain.calendar import WeekdayCalendar, month_end
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.view import loan_state
from creditmend.domain.recovery.budget import Horizon, monthly_budget
from creditmend.domain.recovery.candidates import planned_payments
from creditmend.domain.recovery.forecast import indicators_at, planned_file
from creditmend.domain.recovery.plan_input import PlanInput, read_plan
from creditmend.domain.recovery.simulate import Outcome
from creditmend.domain.recovery.strategies import classic_outcomes
from creditmend.domain.report.indicators import ratio
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
ROOT = Path(__file__).parents[2]
AS_OF = date(2026, 12, 7)
LIMIT = Decimal("8000.00")


def _plan() -> tuple[PlanInput, Outcome]:
    huabei, _ = read_yaml_with_lines(ROOT / "examples" / "huabei.yaml")
    document = {
        "currency": "CNY",
        "loans": [huabei],
        "cash_flow": {
            "monthly_income": "9000.00",
            "monthly_essential_expenses": "5500.00",
            "cash_on_hand": "2000.00",
        },
    }
    plan_input = read_plan(document, CN)
    horizon = Horizon.of(AS_OF, 6)
    outcomes = classic_outcomes(plan_input, monthly_budget(plan_input, horizon), CN, CAL)
    return plan_input, outcomes["minimum"]


def test_the_forecast_reads_the_utilisation_from_the_statements() -> None:
    plan_input, outcome = _plan()
    file = planned_file(plan_input, outcome, CN, CAL)
    (account,) = file.accounts
    assert account.credit_limit == LIMIT and account.principal is None
    (loan,) = plan_input.loans
    (result,) = outcome.loans
    events = sorted((*loan.events, *planned_payments(result)), key=lambda e: e.on)
    months = file.furnished["huabei"]
    assert months[0].label == "2026-06" and months[-1].label == "2027-05"
    with_statement = 0
    for month in months:
        end = month_end(month.period)
        state = loan_state(run(loan.contract, events, end, CN, CAL), end)
        cut = [s for s in state.statements if s.statement_on.replace(day=1) == month.period]
        balance = cut[-1].balance.amount if cut else Decimal(0)
        minimum = cut[-1].minimum_due.amount if cut else Decimal(0)
        assert month.balance == max(balance, month.past_due), month.label
        assert month.scheduled == minimum, month.label
        assert month.status == "open"
        with_statement += bool(cut)
        row = indicators_at(file, end, CN)
        assert row is not None
        fen = int(month.balance * 100)
        assert (row["revolving_balance_fen"], row["revolving_limit_fen"]) == (fen, 800_000)
        assert ratio(fen, 800_000) == (month.balance / LIMIT).quantize(Decimal("0.0001"))
    assert with_statement >= 5
    # A hand check: the statement of 2026-07-01 billed the June purchases, 1,200 + 300.
    assert months[1].balance == Decimal("1500.00") and months[1].scheduled == Decimal("150.00")
