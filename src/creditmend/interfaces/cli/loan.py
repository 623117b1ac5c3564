"""`creditmend loan schedule` and `creditmend loan simulate`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from creditmend import bootstrap
from creditmend.domain.calendar import parse_date
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.interfaces.cli.render import (
    projected_table,
    schedule_json,
    schedule_table,
    simulation_json,
    simulation_tables,
    statements_json,
    statements_table,
)
from creditmend.interfaces.cli.terminal import json_text

app = typer.Typer(no_args_is_help=True, help="Exact loan schedules and ledgers.")
_out = Console(highlight=False, soft_wrap=True)


def _date(field: str, text: str) -> date:
    try:
        return parse_date(text)
    except ValueError as error:
        raise fail([Problem(field, str(error))]) from None


def _whole(text: str | None) -> int | str | None:
    """Options arrive as text so that a bad number gets our one-line error, not a usage box."""
    return int(text) if text is not None and text.strip().isdigit() else text


# How the loan file's fields are spelled as options of `loan schedule`.
_OPTION_OF = {"contract.term_months": "--months", "contract.annual_rate": "--annual-rate"}


def _as_options(problems: tuple[Problem, ...], rate_option: str) -> list[Problem]:
    named = {**_OPTION_OF, "contract.rate": rate_option}
    return [
        replace(
            p,
            field=named.get(p.field) or "--" + p.field.removeprefix("contract.").replace("_", "-"),
        )
        for p in problems
    ]


@app.command()
def schedule(
    principal: Annotated[str | None, typer.Option(help="Amount borrowed, e.g. 10000")] = None,
    months: Annotated[str | None, typer.Option(help="Term in months")] = None,
    disbursed_on: Annotated[str | None, typer.Option(help="Disbursement date, YYYY-MM-DD")] = None,
    method: Annotated[
        str, typer.Option(help="equal_installment | equal_principal | interest_first | bullet")
    ] = "equal_installment",
    annual_rate: Annotated[str | None, typer.Option(help="Annual rate, e.g. 0.12")] = None,
    daily_rate: Annotated[str | None, typer.Option(help="Daily rate, e.g. 0.0005")] = None,
    currency: Annotated[
        str | None, typer.Option(help="ISO 4217 currency [default: the profile's, CNY]")
    ] = None,
    first_due_on: Annotated[str | None, typer.Option(help="First due date")] = None,
    due_day: Annotated[str | None, typer.Option(help="Day of month instalments fall due")] = None,
    holiday_rule: Annotated[str, typer.Option(help="unadjusted | following")] = "unadjusted",
    loan_file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            help="A revolving account's loan file: its statements and, from --as-of, the "
            "minimums to come if only the minimum is paid (instead of the options above)",
        ),
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="With --file: the date, YYYY-MM-DD")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Print the repayment schedule of a loan, to the fen (a revolving file: its statements)."""
    if loan_file is not None:
        _statements(loan_file, as_of, as_json)
        return
    missing = [
        Problem(option, "is required (or give --file)")
        for option, value in (
            ("--principal", principal),
            ("--months", months),
            ("--disbursed-on", disbursed_on),
        )
        if value is None
    ]
    if method == "revolving":
        missing.append(
            Problem("--method", "a revolving account has statements, not a schedule: --file F")
        )
    if missing:
        raise fail(missing)
    terms = {
        "id": "schedule",
        "principal": principal,
        "currency": currency,
        "annual_rate": annual_rate,
        "daily_rate": daily_rate,
        "term_months": _whole(months),
        "method": method,
        "disbursed_on": disbursed_on,
        "first_due_on": first_due_on,
        "due_day": _whole(due_day),
        "holiday_rule": holiday_rule,
    }
    service = bootstrap.build().loans
    try:
        result = service.schedule_of(terms)
    except ProblemsError as error:
        rate_option = "--daily-rate" if daily_rate is not None else "--annual-rate"
        raise fail(_as_options(error.problems, rate_option)) from None
    if as_json:
        print(json_text(schedule_json(result), indent=2))
    else:
        schedule_table(result, _out)


def _statements(loan_file: Path, as_of: str | None, as_json: bool) -> None:
    """`loan schedule --file`: a revolving account's statements and the minimums to come."""
    if as_of is None:
        raise fail([Problem("--as-of", "is required with --file")])
    day = _date("--as-of", as_of)
    service = bootstrap.build().loans
    with input_errors():
        result = service.simulate_file(loan_file, day)
    if result.state.credit_limit is None:
        raise fail([Problem("--file", "is for a `method: revolving` account; use the options")])
    if as_json:
        print(json_text(statements_json(result), indent=2))
    else:
        statements_table(result, _out)
        projected_table(result, _out)


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
        print(json_text(simulation_json(result), indent=2))
    else:
        simulation_tables(result, _out)
