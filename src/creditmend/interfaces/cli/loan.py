"""`creditmend loan schedule` and `creditmend loan simulate`."""

from __future__ import annotations

import json
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from creditmend import bootstrap
from creditmend.domain.calendar import HolidayRule
from creditmend.domain.loan.contract import Contract, RepaymentMethod
from creditmend.domain.money import Money
from creditmend.domain.problems import Problem
from creditmend.domain.rate import Rate
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.render import (
    schedule_json,
    schedule_table,
    simulation_json,
    simulation_tables,
)

E = TypeVar("E", bound=Enum)

app = typer.Typer(no_args_is_help=True, help="Exact loan schedules and ledgers.")
_out = Console(highlight=False, soft_wrap=True)


def _date(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail([Problem(field, f"{text!r} is not a date (YYYY-MM-DD)")]) from None


def _choice(field: str, text: str, kind: type[E]) -> E:
    try:
        return kind(text)
    except ValueError:
        known = ", ".join(str(m.value) for m in kind)
        raise fail([Problem(field, f"unknown value {text!r}; expected one of {known}")]) from None


@app.command()
def schedule(
    principal: Annotated[str, typer.Option(help="Amount borrowed, e.g. 10000")],
    months: Annotated[int, typer.Option(help="Term in months")],
    disbursed_on: Annotated[str, typer.Option(help="Disbursement date, YYYY-MM-DD")],
    method: Annotated[
        str, typer.Option(help="equal_installment | equal_principal | interest_first | bullet")
    ] = ("equal_installment"),
    annual_rate: Annotated[str | None, typer.Option(help="Annual rate, e.g. 0.12")] = None,
    daily_rate: Annotated[str | None, typer.Option(help="Daily rate, e.g. 0.0005")] = None,
    currency: Annotated[str, typer.Option(help="ISO 4217 currency")] = "CNY",
    first_due_on: Annotated[str | None, typer.Option(help="First due date")] = None,
    due_day: Annotated[int | None, typer.Option(help="Day of month instalments fall due")] = None,
    holiday_rule: Annotated[str, typer.Option(help="unadjusted | following")] = "unadjusted",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Print the repayment schedule of a loan, to the fen."""
    service = bootstrap.build().loans
    if (annual_rate is None) == (daily_rate is None):
        raise fail([Problem("--annual-rate", "give exactly one of --annual-rate, --daily-rate")])
    with input_errors():
        rate = Rate.annual(annual_rate) if annual_rate is not None else Rate.daily(daily_rate or "")
        contract = Contract(
            id="schedule",
            principal=Money.of(principal, currency, "--principal"),
            rate=rate,
            term_months=months,
            method=_choice("--method", method, RepaymentMethod),
            disbursed_on=_date("--disbursed-on", disbursed_on),
            first_due_on=_date("--first-due-on", first_due_on) if first_due_on else None,
            due_day=due_day,
            holiday_rule=_choice("--holiday-rule", holiday_rule, HolidayRule),
        )
        result = service.schedule(contract)
    if as_json:
        print(json.dumps(schedule_json(result), indent=2))
    else:
        schedule_table(result, _out)


@app.command()
def simulate(
    loan_file: Annotated[Path, typer.Argument(help="Loan file (YAML): contract and events")],
    as_of: Annotated[str, typer.Option(help="Report the state on this date, YYYY-MM-DD")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Fold a loan's events and print what is owed on a date."""
    day = _date("--as-of", as_of)
    service = bootstrap.build().loans
    with input_errors():
        result = service.simulate_file(loan_file, day)
    if as_json:
        print(json.dumps(simulation_json(result), ensure_ascii=False, indent=2))
    else:
        simulation_tables(result, _out)
