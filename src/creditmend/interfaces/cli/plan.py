"""`creditmend plan PLAN.yaml`: the classic strategies and the optimal plan, side by side.

Terminal output is what a debt counsellor would put in front of a client: the four strategies
in one table, the optimal plan month by month (who gets how much), and in plain words why the
money goes where it goes. `--format json` gives the same numbers for programs.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from creditmend import bootstrap
from creditmend.domain.calendar import parse_date
from creditmend.domain.creditfile.grid import OVERDUE_CODES
from creditmend.domain.problems import Problem
from creditmend.domain.recovery.json_form import outcome_json
from creditmend.domain.recovery.objective import ObjectiveValue
from creditmend.domain.recovery.simulate import Outcome
from creditmend.interfaces.cli.errors import fail, input_errors
from creditmend.services.advise import STRATEGY_NAMES, Advice

FORMATS = ("terminal", "json")
_out = Console(highlight=False, soft_wrap=True)


def _value_json(value: ObjectiveValue) -> dict[str, Any]:
    return {
        "total": str(value.total.quantize(Decimal("0.01"))),
        "cost": str(value.cost.quantize(Decimal("0.01"))),
        "damage": str(value.damage.quantize(Decimal("0.01"))),
        "overdue_months": value.overdue_months,
        "serious_months": value.serious_months,
        "crossings_90_days": value.crossings,
        "patterns_3_6": value.patterns,
        "record_months": str(value.record_months.quantize(Decimal("0.1"))),
    }


def advice_json(advice: Advice) -> dict[str, Any]:
    shortfall = advice.shortfall
    agreement = shortfall.agreement
    optimised = advice.optimised
    return {
        "as_of": advice.horizon.as_of.isoformat(),
        "horizon_months": len(advice.horizon.months),
        "currency": advice.plan_input.currency,
        "strategies": {name: outcome_json(advice.strategies[name]) for name in STRATEGY_NAMES},
        "objective": {name: _value_json(advice.values[name]) for name in STRATEGY_NAMES},
        "weights": {k: str(v) for k, v in advice.objective.weights().items()},
        "winner": optimised.winner,
        "solver": {
            "status": optimised.milp_status.value,
            "gap": None if optimised.milp_gap is None else str(optimised.milp_gap),
            "size": dict(
                zip(("variables", "integers", "rows"), optimised.problem_size, strict=True)
            ),
        },
        "estimate": {
            "cost_estimated": str(optimised.estimate.cost.quantize(Decimal("0.01"))),
            "cost_exact": str(optimised.value.cost.quantize(Decimal("0.01"))),
            "difference": str(optimised.cost_error.quantize(Decimal("0.01"))),
        },
        "feasible": shortfall.feasible,
        "overdue_at_end": list(shortfall.overdue_at_end),
        "shortfall": [
            {
                "month": m.month,
                "needed": str(m.needed),
                "available": str(m.available),
                "short": str(m.short),
            }
            for m in shortfall.months
            if m.short > 0 and not shortfall.feasible
        ],
        "agreement": {
            "debt": str(agreement.debt),
            "monthly_amount": str(agreement.monthly_amount),
            "months": agreement.months,
            "instalment": None if agreement.instalment is None else str(agreement.instalment),
            "extension_months": agreement.extension_months,
        },
        "negotiable": [
            {
                "loan_id": n.loan_id,
                "platform": n.platform,
                "cap": str(n.cap),
                "cap_source": n.cap_source,
                "amount_above_cap": str(n.amount_above_cap),
            }
            for n in advice.negotiable
        ],
    }


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else "not in horizon"


def _strategies_table(advice: Advice) -> Table:
    table = Table(title="Four ways to repay, simulated to the fen", title_justify="left")
    table.add_column("")
    for name in STRATEGY_NAMES:
        table.add_column(name, justify="right")
    rows: list[tuple[str, Any]] = [
        ("total paid", lambda o, v: _money(o.total_paid.amount)),
        ("interest paid", lambda o, v: _money(o.interest_paid.amount)),
        ("penalty paid", lambda o, v: _money(o.penalty_paid.amount)),
        ("fees paid", lambda o, v: _money(o.fees_paid.amount)),
        ("cost incl. unpaid at end", lambda o, v: _money(v.cost)),
        ("months reported overdue", lambda o, v: str(o.overdue_account_months)),
        ("of them > 90 days", lambda o, v: str(v.serious_months)),
        ("debt-free on", lambda o, v: _day(o.debt_free_on)),
        ("credit clean on", lambda o, v: _day(o.clean_on)),
        ("objective (lower is better)", lambda o, v: _money(v.total)),
    ]
    for label, cell in rows:
        table.add_row(
            label,
            *(cell(advice.strategies[n], advice.values[n]) for n in STRATEGY_NAMES),
        )
    return table


def _plan_table(outcome: Outcome) -> Table:
    table = Table(title="The optimal plan, month by month", title_justify="left")
    table.add_column("month")
    for loan in outcome.loans:
        table.add_column(f"{loan.platform or loan.loan_id}", justify="right")
    table.add_column("total", justify="right")
    last = ""
    for index, label in enumerate(outcome.horizon.labels):
        cells = []
        for loan in outcome.loans:
            month = loan.months[index]
            paid = month.paid.amount
            text = _money(paid) if paid else "-"
            cells.append(f"{text} {month.status}")
        row = " ".join(cells)
        total = sum((loan.months[index].paid.amount for loan in outcome.loans), Decimal(0))
        if row == last and index != len(outcome.horizon.labels) - 1:
            continue  # repeated months are shown once
        last = row
        table.add_row(label, *cells, _money(total))
    return table


def _summary(advice: Advice) -> list[str]:
    optimal = advice.strategies["optimal"]
    value = advice.values["optimal"]
    best_classic = min(("minimum", "avalanche", "snowball"), key=lambda n: advice.values[n].total)
    other = advice.values[best_classic]
    lines = []
    lines.append(
        f"The plan costs {_money(value.cost)} {advice.plan_input.currency} in interest, "
        f"penalty and fees, with {value.overdue_months} loan-months reported overdue "
        f"({value.serious_months} beyond 90 days); the best classic strategy ({best_classic}) "
        f"costs {_money(other.cost)} with {other.overdue_months} ({other.serious_months})."
    )
    # Why this order: the loans by penalty rate and how soon the plan cures each one.
    for loan, facts in zip(optimal.loans, advice.optimised.figures, strict=True):
        if not facts.active:
            continue
        overdue = [m.month for m in loan.months if m.status in OVERDUE_CODES]
        if overdue:
            cure = f"kept overdue until {overdue[-1]} ({len(overdue)} month ends)"
        else:
            cure = "kept current every month"
        closed = f", settled {loan.closed_on}" if loan.closed_on else ""
        lines.append(f"- {loan.platform or loan.loan_id}: {cure}{closed}.")
    lines.append(
        "Why this order: each month's money goes first where a month reported overdue is "
        "avoided for the least money (a loan brought current stops its penalty and its record "
        "clock), then where penalty interest is highest; a record is kept five years from its "
        "cure, so curing sooner moves the clean date too."
    )
    if advice.winner != "milp":
        lines.append(
            f"The optimiser's own plan was not the best here: '{advice.winner}' scored lower "
            "on the same objective, simulated exactly, so it is the plan shown."
        )
    if not advice.feasible:
        s = advice.shortfall
        a = s.agreement
        lines.append(
            f"No plan cures every overdue within {len(advice.horizon.months)} months: "
            f"{', '.join(s.overdue_at_end)} still overdue at the end. Keeping every loan on "
            f"schedule needs {_money(s.largest)} more than the budget holds by "
            f"{next((m.month for m in s.months if m.short == s.largest), '')}."
        )
        if a.months is not None and a.instalment is not None:
            lines.append(
                f"Ask for an instalment agreement: the {_money(a.debt)} owed over {a.months} "
                f"months at {_money(a.instalment)} a month (the budget frees "
                f"{_money(a.monthly_amount)}), penalty waived; as an extension, "
                f"{a.extension_months} months beyond the longest remaining term."
            )
        else:
            lines.append(
                f"No instalment term up to 10 years fits the {_money(a.monthly_amount)} a "
                "month the budget frees: income must rise or part of the debt be forgiven."
            )
    for n in advice.negotiable:
        lines.append(
            f"{n.platform or n.loan_id}: {_money(n.amount_above_cap)} paid and owed above the "
            f"legal cap ({n.cap:.0%}, {n.cap_source}) is negotiable; the plan still pays it."
        )
    return lines


def _render(advice: Advice) -> None:
    _out.print(_strategies_table(advice))
    _out.print(_plan_table(advice.strategies["optimal"]))
    _out.print("Each cell: amount paid, then the month-end status code (N on time, 1-7 overdue).")
    for line in _summary(advice):
        _out.print(line, markup=False)


def plan(
    plan_file: Annotated[Path, typer.Argument(help="PLAN file (YAML): loans, cash flow, ...")],
    as_of: Annotated[
        str, typer.Option(help="The plan's first day, YYYY-MM-DD (default: today)")
    ] = "",
    horizon_months: Annotated[
        str | None, typer.Option(help="Months the plan covers (default 36 or the file's)")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="terminal | json (html and pdf follow)")
    ] = "terminal",
) -> None:
    """Compare minimum, avalanche, snowball and the optimal repayment plan."""
    problems: list[Problem] = []
    day = date.today() if not as_of else None
    if as_of:
        try:
            day = parse_date(as_of)
        except ValueError as error:
            problems.append(Problem("--as-of", str(error)))
    months: int | None = None
    if horizon_months is not None:
        text = horizon_months.strip()
        if not text.isdigit() or not 1 <= int(text) <= 120:
            problems.append(
                Problem("--horizon-months", f"{horizon_months!r}: a whole number 1..120")
            )
        else:
            months = int(text)
    if output_format not in FORMATS:
        problems.append(Problem("--format", f"{output_format!r}: one of {', '.join(FORMATS)}"))
    if problems:
        raise fail(problems)
    assert day is not None
    service = bootstrap.build_advisor()
    with input_errors():
        advice = service.advise_file(plan_file, day, months)
    if output_format == "json":
        print(json.dumps(advice_json(advice), ensure_ascii=False, indent=2))
    else:
        _render(advice)
