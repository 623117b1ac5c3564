"""Loan results as JSON (amounts as decimal strings) or as Rich tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from creditmend.domain.i18n import N_
from creditmend.domain.loan.schedule import Schedule
from creditmend.domain.money import Money
from creditmend.interfaces.cli.language import _
from creditmend.services.loans import Simulation


def _m(value: Money) -> str:
    return str(value.amount)


def _d(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def schedule_json(schedule: Schedule) -> dict[str, Any]:
    rows = [
        {
            "number": row.number,
            "due_on": row.due_on.isoformat(),
            "principal": str(row.principal),
            "interest": str(row.interest),
            "fees": str(row.fees),
            "total": str(row.total),
        }
        for row in schedule.installments
    ]
    return {
        "currency": schedule.currency,
        "installments": rows,
        "total_principal": _m(schedule.total_principal),
        "total_interest": _m(schedule.total_interest),
        "total_fees": _m(schedule.total_fees),
        "total_payment": _m(
            schedule.total_principal + schedule.total_interest + schedule.total_fees
        ),
    }


def schedule_table(schedule: Schedule, console: Console) -> None:
    table = Table(title=_("Repayment schedule (%(currency)s)") % {"currency": schedule.currency})
    for name in ("#", _("due on"), _("principal"), _("interest"), _("fees"), _("total")):
        table.add_column(name, justify="right")
    for row in schedule.installments:
        table.add_row(
            str(row.number),
            row.due_on.isoformat(),
            str(row.principal),
            str(row.interest),
            str(row.fees),
            str(row.total),
        )
    data = schedule_json(schedule)
    table.add_section()
    table.add_row(
        "",
        _("total"),
        data["total_principal"],
        data["total_interest"],
        data["total_fees"],
        data["total_payment"],
    )
    console.print(table)


def simulation_json(simulation: Simulation) -> dict[str, Any]:
    state, cost = simulation.state, simulation.cost
    return {
        "loan_id": state.loan_id,
        "as_of": state.as_of.isoformat(),
        "currency": state.currency,
        "outstanding_principal": _m(state.outstanding_principal),
        "overdue_principal": _m(state.overdue_principal),
        "overdue_interest": _m(state.overdue_interest),
        "interest_accrued": _m(state.interest_accrued),
        "penalty_accrued": _m(state.penalty_accrued),
        "compound_interest_accrued": _m(state.compound_interest_accrued),
        "fees_due": _m(state.fees_due),
        "due_today": _m(state.due_today),
        "payoff_amount": _m(state.payoff_amount),
        "deferred_amount": _m(state.deferred_amount),
        "days_past_due": state.days_past_due,
        "status_code": state.status_code,
        "total_paid": _m(state.total_paid),
        "total_waived": _m(state.total_waived),
        "credit_balance": _m(state.credit_balance),
        "closed_on": _d(state.closed_on),
        "charged_off_on": _d(state.charged_off_on),
        "restructured_on": [d.isoformat() for d in state.restructured_on],
        "allocations": [
            {
                "on": a.on.isoformat(),
                "amount": _m(a.amount),
                "fees": _m(a.fees),
                "penalty": _m(a.penalty),
                "interest": _m(a.interest),
                "principal": _m(a.principal),
                "unapplied": _m(a.unapplied),
                "source": a.source,
            }
            for a in state.allocations
        ],
        "monthly_status": [{"month": m.month, "code": m.code} for m in state.monthly_status],
        "installments": [
            {
                "number": i.number,
                "due_on": i.due_on.isoformat(),
                "principal": _m(i.principal),
                "interest": _m(i.interest),
                "penalty": _m(i.penalty),
                "fees": _m(i.fees),
                "outstanding": _m(i.outstanding),
                "paid_off_on": _d(i.paid_off_on),
                "restructured": i.restructured,
            }
            for i in state.installments
        ],
        "deduction_attempts": [
            {
                "on": a.on.isoformat(),
                "succeeded": a.succeeded,
                "reason": a.reason,
                "bank_balance": None if a.bank_balance is None else _m(a.bank_balance),
                "amount_due": _m(a.amount_due),
                "balance_was_sufficient": a.balance_was_sufficient,
            }
            for a in state.deduction_attempts
        ],
        **_revolving_json(simulation),
        "cost_check": {
            "annualised_cost": None if cost.annualised_cost is None else str(cost.annualised_cost),
            "cap": str(cost.cap),
            "cap_source": cost.cap_source,
            "above_cap": cost.above_cap,
            "amount_above_cap": _m(cost.amount_above_cap),
        },
    }


def _revolving_json(simulation: Simulation) -> dict[str, Any]:
    """A revolving account's own keys: its limit and its statements."""
    state = simulation.state
    if state.credit_limit is None:
        return {}
    return {
        "credit_limit": _m(state.credit_limit),
        "statements": [
            {
                "statement_on": s.statement_on.isoformat(),
                "due_on": s.due_on.isoformat(),
                "balance": _m(s.balance),
                "minimum_due": _m(s.minimum_due),
                "paid_in_full": s.paid_in_full,
            }
            for s in state.statements
        ],
    }


def statements_json(simulation: Simulation) -> dict[str, Any]:
    """`loan schedule --file --json`: the statements and the minimums to come."""
    state = simulation.state
    return {
        "loan_id": state.loan_id,
        "as_of": state.as_of.isoformat(),
        "currency": state.currency,
        **_revolving_json(simulation),
        "projected_minimums": [
            {
                "due_on": i.due_on.isoformat(),
                "principal": _m(i.principal),
                "interest": _m(i.interest),
                "fees": _m(i.fees),
                "total": _m(i.outstanding),
            }
            for i in state.projected_minimums
        ],
    }


def projected_table(simulation: Simulation, console: Console) -> None:
    """The minimums to come if only the minimum is paid and nothing more is bought."""
    rows = simulation.state.projected_minimums
    if not rows:
        return
    table = Table(title=_("If only the minimum is paid (nothing more bought)"))
    for name in (_("due on"), _("principal"), _("interest"), _("fees"), _("minimum")):
        table.add_column(name, justify="right")
    for i in rows:
        table.add_row(
            i.due_on.isoformat(), _m(i.principal), _m(i.interest), _m(i.fees), _m(i.outstanding)
        )
    total = sum((i.outstanding.amount for i in rows), Decimal(0))
    console.print(table)
    console.print(
        _("%(n)s payments, %(total)s in all") % {"n": len(rows), "total": f"{total:,.2f}"}
    )


def statements_table(simulation: Simulation, console: Console) -> None:
    """A revolving account's statements, one row each."""
    state = simulation.state
    if state.credit_limit is None:
        return
    limit = _m(state.credit_limit)
    table = Table(title=_("Statements (credit limit %(limit)s)") % {"limit": limit})
    names = (_("statement on"), _("due on"), _("balance"), _("minimum due"), _("paid in full"))
    for name in names:
        table.add_column(name, justify="right")
    for s in state.statements:
        full = "-" if s.paid_in_full is None else (_("yes") if s.paid_in_full else _("no"))
        table.add_row(
            s.statement_on.isoformat(),
            s.due_on.isoformat(),
            _m(s.balance),
            _m(s.minimum_due),
            full,
        )
    console.print(table)


SUMMARY_ROWS = (
    ("outstanding_principal", N_("outstanding principal")),
    ("overdue_principal", N_("overdue principal")),
    ("overdue_interest", N_("overdue interest")),
    ("interest_accrued", N_("interest accrued")),
    ("penalty_accrued", N_("penalty accrued")),
    ("compound_interest_accrued", N_("compound interest accrued")),
    ("fees_due", N_("fees due")),
    ("payoff_amount", N_("payoff amount")),
    ("deferred_amount", N_("deferred amount")),
    ("days_past_due", N_("days past due")),
    ("status_code", N_("status code")),
    ("total_paid", N_("total paid")),
    ("total_waived", N_("total waived")),
    ("credit_balance", N_("credit balance")),
)


def simulation_tables(simulation: Simulation, console: Console) -> None:
    data = simulation_json(simulation)
    state = simulation.state
    title = _("Loan %(loan)s as of %(on)s (%(currency)s)") % {
        "loan": state.loan_id,
        "on": state.as_of,
        "currency": state.currency,
    }
    summary = Table(title=title, show_header=False)
    summary.add_column("item")
    summary.add_column("value", justify="right")
    for key, label in SUMMARY_ROWS:
        summary.add_row(_(label), str(data[key]))
    cost = data["cost_check"]
    summary.add_section()
    summary.add_row(_("annualised cost (APR)"), str(cost["annualised_cost"]))
    summary.add_row(_("legal cap"), cost["cap"])
    summary.add_row(_("amount above cap"), cost["amount_above_cap"])
    console.print(summary)
    statements_table(simulation, console)
    if data["allocations"]:
        table = Table(title=_("Payments and where they went"))
        for name in (N_("on"), N_("amount"), N_("fees"), N_("penalty"), N_("interest"),
                     N_("principal"), N_("unapplied")):  # fmt: skip
            table.add_column(_(name), justify="right")
        for row in data["allocations"]:
            table.add_row(
                row["on"],
                row["amount"],
                row["fees"],
                row["penalty"],
                row["interest"],
                row["principal"],
                row["unapplied"],
            )
        console.print(table)
    failed = [a for a in data["deduction_attempts"] if not a["succeeded"]]
    for attempt in failed:
        note = (
            " " + _("(the card held enough: worth an objection)")
            if attempt["balance_was_sufficient"]
            else ""
        )
        failed_on = _("auto-debit failed on %(on)s: %(reason)s") % {
            "on": attempt["on"],
            "reason": attempt["reason"],
        }
        console.print(failed_on + note)
    grid = " ".join(f"{m['month']}:{m['code']}" for m in data["monthly_status"])
    console.print(_("monthly status: %(grid)s") % {"grid": grid})
