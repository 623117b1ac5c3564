"""The issue's JSON form of a simulated plan: amounts as decimal strings, dates ISO or null.

One place builds it so the terminal, JSON, HTML and PDF outputs of the advisor show the same
numbers; `detail` adds the per-loan months (balances, status codes) charts and forecasts use.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from creditmend.domain.recovery.simulate import LoanOutcome, Outcome


def iso(day: date | None) -> str | None:
    """A date in the plan's JSON: ISO 8601, or null when it is not reached."""
    return None if day is None else day.isoformat()


def outcome_json(outcome: Outcome, *, detail: bool = False) -> dict[str, Any]:
    """The issue's JSON form of one strategy: amounts as decimal strings, dates ISO or null.
    `detail` adds each loan's months (balances, status codes) for charts and forecasts."""
    labels = outcome.horizon.labels
    form: dict[str, Any] = {
        "total_paid": str(outcome.total_paid.amount),
        "interest_paid": str(outcome.interest_paid.amount),
        "penalty_paid": str(outcome.penalty_paid.amount),
        "fees_paid": str(outcome.fees_paid.amount),
        "overdue_account_months": outcome.overdue_account_months,
        "serious_account_months": outcome.serious_account_months,
        "debt_free_on": iso(outcome.debt_free_on),
        "clean_on": iso(outcome.clean_on),
        "monthly": [
            {
                "month": label,
                "payments": {
                    loan.loan_id: str(loan.months[index].paid.amount) for loan in outcome.loans
                },
            }
            for index, label in enumerate(labels)
        ],
        # Every payment as the ledger took it: a month's amount is up to two payments (the
        # arrears on the money day, the rest on the due day), by day, then in the plan's order.
        "payments": [
            {"loan_id": loan_id, "on": on.isoformat(), "amount": str(amount.amount)}
            for on, _, loan_id, amount in sorted(
                (
                    (on, index, loan.loan_id, amount)
                    for index, loan in enumerate(outcome.loans)
                    for on, amount in loan.payments
                ),
                key=lambda row: (row[0], row[1]),
            )
        ],
    }
    if detail:
        form["loans"] = [_loan_json(loan) for loan in outcome.loans]
    return form


def _loan_json(loan: LoanOutcome) -> Mapping[str, Any]:
    return {
        "loan_id": loan.loan_id,
        "platform": loan.platform,
        "total_paid": str(loan.total_paid.amount),
        "interest_paid": str(loan.interest_paid.amount),
        "penalty_paid": str(loan.penalty_paid.amount),
        "fees_paid": str(loan.fees_paid.amount),
        "principal_paid": str(loan.principal_paid.amount),
        "unapplied": str(loan.unapplied.amount),
        "overdue_months": loan.overdue_months,
        "closed_on": iso(loan.closed_on),
        "clean_on": iso(loan.clean_on),
        "months": [
            {
                "month": m.month,
                "money_day": m.money_day.isoformat(),
                "pay_day": m.pay_day.isoformat(),
                "due": str(m.due.amount),
                "paid": str(m.paid.amount),
                "balance": str(m.balance.amount),
                "payoff": str(m.payoff.amount),
                "past_due": str(m.past_due.amount),
                "days_past_due": m.days_past_due,
                "status": m.status,
            }
            for m in loan.months
        ],
    }
