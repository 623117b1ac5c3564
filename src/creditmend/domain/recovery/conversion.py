"""Instalment conversion (账单分期) as a plan's choice for a revolving account.

A revolving account can be paid three ways in a plan: the minimum (the rest revolves at the
daily rate), in full (no interest), or by converting the open statement into a few monthly
instalments, each with a fee a period. The first two are amounts the plan pays, between the
minimum and the payoff, so every strategy and the programme already reach them. The third
changes what falls due, so it is a different plan input: the same plan with an
`instalment_conversion` event on the plan's date (`with_conversion`), for each of the
profile's usual terms (`RevolvingDefaults.conversion_months`). The optimiser simulates its
candidates on each such input too and judges them by the same objective (`best_plan.py`), so a
conversion is chosen exactly when it lowers the objective: it keeps the account current at a
lower monthly cost than the minimum and its revolving interest, or frees cash for an overdue
loan.

A statement is convertible on the plan's date when it was cut on or before it and its due day
is still to come (the platforms allow 账单分期 between the statement day and the due day), it
bills principal and the plan does not convert it already. Platforms refuse 账单分期 while the
account is overdue, so a plan with a conversion counts only when it pays the account's arrears
on the plan's date (`honoured`): the conversion is the same day, once they are paid. (An account
the plan leaves overdue is asked for a conversion in a proposal instead, `proposals.py`.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.i18n import N_, Said
from creditmend.domain.loan.events import InstalmentConversion
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.revolving import RevolvingLedger
from creditmend.domain.money import ZERO
from creditmend.domain.problems import ProblemsError
from creditmend.domain.recovery.outcomes import Outcome
from creditmend.domain.recovery.plan_input import PlanInput, PlannedConversion
from creditmend.domain.rules.profile import JurisdictionProfile


def with_conversion(plan_input: PlanInput, loan_id: str, on: date, months: int) -> PlanInput:
    """The plan with the loan's open statement converted on `on` into `months` instalments:
    an event of the loan (so every simulation folds it) and a record of the plan's choice."""
    loans = tuple(
        replace(loan, events=(*loan.events, InstalmentConversion(on, months)))
        if loan.id == loan_id
        else loan
        for loan in plan_input.loans
    )
    made = PlannedConversion(loan_id, on, months)
    return replace(plan_input, loans=loans, conversions=(*plan_input.conversions, made))


def convertible(
    plan_input: PlanInput,
    as_of: date,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> tuple[str, ...]:
    """The revolving loans whose open statement the plan may convert on `as_of`."""
    found: list[str] = []
    planned = {c.loan_id for c in plan_input.conversions}
    for loan in plan_input.loans:
        if not loan.contract.is_revolving or loan.id in planned:
            continue
        try:
            ledger = run(loan.contract, loan.events, as_of, profile, calendar)
        except ProblemsError:
            continue  # the plan's own check names the problem
        if not isinstance(ledger, RevolvingLedger) or not ledger.statements:
            continue
        latest = ledger.statements[-1]
        if (
            ledger.closed_on is None
            and ledger.charged_off_on is None
            and latest.statement_on <= as_of < latest.due_on
            and not latest.posted
            and ledger.pools.billed > ZERO
        ):
            found.append(loan.id)
    return tuple(found)


def conversion_inputs(
    plan_input: PlanInput,
    as_of: date,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> Iterator[tuple[str, PlanInput]]:
    """Each convertible statement converted for each of the profile's usual terms, named
    `convert LOAN Nm`."""
    terms = profile.revolving.conversion_months if profile.revolving is not None else ()
    for loan_id in convertible(plan_input, as_of, profile, calendar):
        for months in terms:
            yield (
                f"convert {loan_id} {months}m",
                with_conversion(plan_input, loan_id, as_of, months),
            )


def honoured(outcome: Outcome, plan_input: PlanInput) -> bool:
    """Whether every conversion of the plan is one a platform would grant: the plan pays the
    account's arrears on the conversion's day (the first money day) in full."""
    loans = {loan.loan_id: loan for loan in outcome.loans}
    for made in plan_input.conversions:
        loan = loans.get(made.loan_id)
        if loan is None or not loan.months:
            return False
        first = loan.months[0]
        if first.money_day != made.on or first.paid.amount < first.arrears.amount:
            return False
    return True


def conversions_json(outcome: Outcome) -> list[dict[str, Any]]:
    """The plan's conversions as the ledger made them: `{loan_id, platform, on, statement_on,
    months, amount, fee_each, fee}` (amounts as strings)."""
    return [
        {
            "loan_id": loan.loan_id,
            "platform": loan.platform,
            "on": made.on.isoformat(),
            "statement_on": made.statement_on.isoformat(),
            "months": made.months,
            "amount": str(made.amount.amount),
            "fee_each": str(made.fee_each.amount),
            "fee": str(made.fee.amount),
        }
        for loan in outcome.loans
        for made in loan.conversions
    ]


def conversion_words(outcome: Outcome, saving: Decimal | None) -> list[str]:
    """The summary's line for each conversion the plan makes (`Said`: each renderer says it in
    its language)."""
    lines: list[str] = []
    for loan in outcome.loans:
        for made in loan.conversions:
            saves = (
                ""
                if saving is None
                else Said(
                    N_(
                        "; it lowers the plan's objective (cost and credit damage) by "
                        "%(saving)s against the best plan without it"
                    ),
                    saving=f"{saving:,.2f}",
                )
            )
            lines.append(
                Said(
                    N_(
                        "Convert the %(loan)s statement of %(statement)s (%(amount)s) into "
                        "%(months)s instalments on %(on)s (账单分期): fee %(fee_each)s a month, "
                        "%(fee)s in all, instead of paying the minimum with revolving interest "
                        "on the rest%(saves)s."
                    ),
                    loan=loan.platform or loan.loan_id,
                    statement=f"{made.statement_on:%Y-%m}",
                    amount=f"{made.amount.amount:,.2f}",
                    months=made.months,
                    on=made.on,
                    fee_each=f"{made.fee_each.amount:,.2f}",
                    fee=f"{made.fee.amount:,.2f}",
                    saves=saves,
                )
            )
    return lines
