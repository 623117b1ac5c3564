"""Instalment conversion (账单分期) as the optimiser's choice for a revolving account:
examples/five-platforms.yaml with the Huabei account of examples/huabei.yaml, on 2026-12-07
(the December statement was cut on 12-01 and is due on 12-10)."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.adapters.solver_highs import HighsSolver
from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.loan.events import InstalmentConversion
from creditmend.domain.recovery.best_plan import Optimised, Optimiser
from creditmend.domain.recovery.budget import horizon_for, monthly_budget
from creditmend.domain.recovery.conversion import (
    conversion_inputs,
    convertible,
    honoured,
    with_conversion,
)
from creditmend.domain.recovery.plan_input import PlanInput, PlannedConversion, read_plan
from creditmend.domain.recovery.simulate import PaymentPlan, simulate
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
AS_OF = date(2026, 12, 7)
ROOT = Path(__file__).parents[2]
D = Decimal


def plan_with_huabei(path: Path) -> Path:
    """examples/five-platforms.yaml with examples/huabei.yaml's account as its first loan."""
    lines = (ROOT / "examples" / "huabei.yaml").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("contract:"))
    item = ["  - " + lines[start]]
    item += ["    " + line if line else line for line in lines[start + 1 :]]
    plan = (ROOT / "examples" / "five-platforms.yaml").read_text(encoding="utf-8")
    path.write_text(plan.replace("loans:\n", "loans:\n" + "\n".join(item) + "\n\n", 1), "utf-8")
    return path


@cache
def _case() -> tuple[PlanInput, Optimised]:
    with tempfile.TemporaryDirectory() as folder:
        document, lines = read_yaml_with_lines(plan_with_huabei(Path(folder) / "plan.yaml"))
    plan_input = read_plan(document, CN, lines)
    budget = monthly_budget(plan_input, horizon_for(plan_input, AS_OF))
    optimised = Optimiser(HighsSolver(), time_limit=D(2)).optimise(plan_input, budget, CN, CAL)
    return plan_input, optimised


def test_the_open_statement_is_convertible_once_for_each_usual_term() -> None:
    plan_input, _ = _case()
    assert convertible(plan_input, AS_OF, CN, CAL) == ("huabei",)
    names = [name for name, _ in conversion_inputs(plan_input, AS_OF, CN, CAL)]
    assert names == ["convert huabei 3m", "convert huabei 6m", "convert huabei 12m"]
    converted = with_conversion(plan_input, "huabei", AS_OF, 6)
    assert converted.conversions == (PlannedConversion("huabei", AS_OF, 6),)
    assert converted.loan("huabei").events[-1] == InstalmentConversion(AS_OF, 6)
    # Converted already, or after the due day: nothing more to convert.
    assert convertible(converted, AS_OF, CN, CAL) == ()
    assert convertible(plan_input, date(2026, 12, 10), CN, CAL) == ()


def test_a_conversion_counts_only_when_the_plan_pays_the_arrears_that_day() -> None:
    plan_input, _ = _case()
    converted = with_conversion(plan_input, "huabei", AS_OF, 12)
    budget = monthly_budget(converted, horizon_for(converted, AS_OF))
    ids = [loan.id for loan in converted.loans]
    zeros = [[D(0)] * len(ids) for _ in budget.horizon.labels]
    plan = PaymentPlan.of(budget.horizon.labels, ids, zeros, converted.currency)
    nothing = simulate(converted, plan, budget.horizon, CN, CAL)
    assert not honoured(nothing, converted)  # Huabei is overdue on 12-07 and gets nothing


def test_the_optimiser_converts_when_it_lowers_the_objective() -> None:
    _, optimised = _case()
    assert optimised.plan_input is not None and optimised.plan_input.conversions
    (made,) = optimised.plan_input.conversions
    assert made.loan_id == "huabei" and made.on == AS_OF
    assert f"convert huabei {made.months}m" in optimised.winner
    # Judged by the same objective: below every candidate without a conversion.
    unconverted = [v.total for n, v in optimised.values.items() if "convert" not in n]
    assert optimised.value.total < min(unconverted)
    assert optimised.conversion_saving == min(unconverted) - optimised.value.total
    # The ledger made it: the statement of 12-01, its principal, the contract's fee a period.
    huabei = next(loan for loan in optimised.outcome.loans if loan.loan_id == "huabei")
    (conversion,) = huabei.conversions
    assert (conversion.on, conversion.statement_on, conversion.months) == (
        AS_OF,
        date(2026, 12, 1),
        made.months,
    )
    assert conversion.fee_each.amount == (conversion.amount.amount * D("0.006")).quantize(D("0.01"))
    # Platforms refuse 账单分期 while overdue: the plan pays Huabei's arrears that day.
    december = huabei.months[0]
    assert december.paid.amount >= december.arrears.amount > 0
    assert huabei.payments[0] == (AS_OF, december.arrears)
