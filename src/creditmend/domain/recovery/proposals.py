"""Proposals to the platforms, made from the plan: each promises exactly the plan's payments.

A letter that asks a platform for something the plan does not do is worse than no letter: the
borrower either breaks the promise or the plan. So a proposal is read from the winning plan's
simulation, never computed beside it:

- **The schedule** is the loan's `LoanOutcome.payments`: every payment the ledger took under the
  plan, with its date and amount, from the first after the plan's date until the loan is settled
  or the horizon ends. A test holds the two equal for every strategy of every scenario.
- **Whether to write at all.** A loan gets a proposal when there is something to ask: the plan
  cannot keep it current (a month end reported overdue under the plan), its overdue record was
  the platform's own failed debit (an objection candidate), or its all-in cost is above the
  legal cap and the plan disputes the excess (`above_cap.py`). A loan the plan keeps current
  throughout, or settles before its next due day, with nothing to ask, gets none.
- **What is asked** (`ProposalKind`, a closed set, in this order of precedence):
  - `correction_and_waiver`: a failed debit with enough money in the bank (the bureau's own check,
    `candidates.deduction_finding`): correct the overdue record, waive the penalty it caused;
    the letter points to the objection filed with the bureau.
  - `cap_dispute`: the all-in cost is above the cap: the excess is disputed with its computation
    and source; the schedule is the plan's, which pays the loan priced at the cap.
  - `conversion`: a revolving account (Huabei, Baitiao, a card) the plan leaves overdue but
    cures within the horizon: the platform is asked to convert what is overdue and the open
    statement into instalments (账单分期) with the fee and the interest on the overdue waived,
    the instalments being exactly the plan's payments (as many as the months they fall in).
  - `hardship_instalment`: no plan cures the loan within the horizon: the schedule is what the
    budget carries, and the letter says plainly from when (or that nothing can be paid).
  - `reinstalment`: the plan cures the loan, but not at once: its arrears are paid as scheduled,
    with the penalty waiver asked for.
- **Why** (`Ground`) comes from the loan's facts, each one only when it is true: the failed debit,
  the cap, the shortfall (the plan cannot keep the loan current: hardship wording is used only
  then), and the loan not cured within the horizon.
- **Good faith.** A month's payment below the good-faith minimum (`good_faith_minimum`: the
  smaller of the arrears and max(10 % of the regular instalment, 50)) is never offered as a
  promise: the plan's good-faith rule keeps payments above it, and a proposal whose plan falls
  below it in some month names those months (`below_good_faith`) and is a hardship instalment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, NamedTuple

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.i18n import N_, Joined, Said
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.view import loan_state
from creditmend.domain.money import ZERO, Money
from creditmend.domain.recovery.above_cap import AboveCap
from creditmend.domain.recovery.budget import Budget, cash_left
from creditmend.domain.recovery.candidates import ObjectionCandidate
from creditmend.domain.recovery.good_faith import good_faith_minimum, regular_instalment
from creditmend.domain.recovery.json_form import iso
from creditmend.domain.recovery.plan_cost import (
    LoanCost,
    PlanCost,
    Replan,
    loans_cost,
    plan_cost,
)
from creditmend.domain.recovery.plan_input import PlanInput, Preferences
from creditmend.domain.recovery.simulate import LoanOutcome, Outcome
from creditmend.domain.rules.profile import JurisdictionProfile

__all__ = [  # the plan's costs stay importable from here, where they used to live
    "Ground",
    "LoanCost",
    "Owed",
    "PlanCost",
    "Proposal",
    "ProposalKind",
    "Replan",
    "loans_cost",
    "plan_cost",
    "plan_proposals",
    "proposals_json",
]


class ProposalKind(Enum):
    """What a proposal asks; see the module docstring for when each is chosen."""

    CORRECTION_AND_WAIVER = "correction_and_waiver"
    CAP_DISPUTE = "cap_dispute"
    CONVERSION = "conversion"
    HARDSHIP_INSTALMENT = "hardship_instalment"
    REINSTALMENT = "reinstalment"


class Ground(Enum):
    """A fact of the loan that a proposal's reason states."""

    FAILED_DEBIT = "failed_debit"  # the platform's debit failed with enough money in the bank
    ABOVE_CAP = "above_cap"  # the all-in cost is above the legal cap (disputed)
    SHORTFALL = "shortfall"  # the budget cannot keep this loan current (a month end overdue)
    NOT_CURED = "not_cured"  # ... and no plan cures it within the horizon


@dataclass(frozen=True, slots=True)
class Owed:
    """The loan on the proposal's day, from its ledger (as the plan pays it)."""

    on: date
    outstanding_principal: Money  # all principal not yet repaid
    overdue_principal: Money
    overdue_interest: Money
    penalty: Money  # penalty and compound interest, unpaid
    fees: Money
    payoff: Money  # what settles the loan that day
    days_past_due: int
    credit: Money  # paid ahead and held by the lender for the next due dates

    @property
    def overdue(self) -> Money:
        """What is past due: overdue principal and interest, penalty and fees."""
        return self.overdue_principal + self.overdue_interest + self.penalty + self.fees


class BudgetLine(NamedTuple):
    """One month with a scheduled payment: the budget's proof that the plan carries it."""

    month: str
    income: Money
    expenses: Money
    available: Money  # the budget's cash of the month (one-offs and the opening included)
    others: Money  # the other loans' payments under the plan
    payment: Money  # this loan's payments in the month under the plan
    cash_left: Money  # after everything, carried over from the months before


@dataclass(frozen=True, slots=True)
class Proposal:
    loan_id: str
    platform: str
    principal: Money
    disbursed_on: date
    kind: ProposalKind
    grounds: tuple[Ground, ...]
    reason: str  # the grounds in one English sentence (the letter words them in full)
    owed: Owed
    schedule: tuple[tuple[date, Money], ...]  # exactly the plan's payments to this loan
    settled_on: date | None  # the plan settles the loan that day
    current_from: str | None  # YYYY-MM: the first month end from which it stays current
    penalty_waiver: Money  # the penalty the plan pays, and any still owed at its end
    regular_instalment: Money
    good_faith_minimum: Money  # on the plan's date (the arrears then)
    below_good_faith: tuple[str, ...]  # months the plan pays less than the minimum (YYYY-MM)
    objections: tuple[ObjectionCandidate, ...]  # the failed debits' records to correct
    above_cap: AboveCap | None  # disputed
    budget: tuple[BudgetLine, ...]  # each month with a payment
    loan_cost: LoanCost  # the loan under the plan
    horizon_end: date

    @property
    def total(self) -> Money:
        return Money(
            sum((amount.amount for _, amount in self.schedule), ZERO), self.owed.payoff.currency
        )

    @property
    def starts_on(self) -> date | None:
        return self.schedule[0][0] if self.schedule else None

    @property
    def instalments(self) -> int:
        """The months the schedule's payments fall in (a conversion's number of instalments)."""
        return len({(on.year, on.month) for on, _ in self.schedule})

    @property
    def tightest(self) -> BudgetLine | None:
        return min(self.budget, key=lambda line: line.cash_left.amount, default=None)


def plan_proposals(
    plan_input: PlanInput,
    outcome: Outcome,
    budget: Budget,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    *,
    candidates: Sequence[ObjectionCandidate] = (),
    above_cap: Sequence[AboveCap] = (),
) -> tuple[Proposal, ...]:
    """A proposal for each loan with something to ask, under `outcome` (the plan the borrower
    follows; `plan_input` is the plan as it pays the loans, at the cap where disputed)."""
    horizon = outcome.horizon
    results = {loan.loan_id: loan for loan in outcome.loans}
    disputed: Mapping[str, AboveCap] = {a.loan_id: a for a in above_cap if a.disputed}
    left = cash_left(budget, outcome.plan.totals())
    found: list[Proposal] = []
    for loan in plan_input.loans:
        result = results[loan.id]
        ledger = run(loan.contract, loan.events, horizon.as_of, profile, calendar)
        state = loan_state(ledger, horizon.as_of)
        if state.closed_on is not None:
            continue
        debits = tuple(c for c in candidates if c.loan_id == loan.id)
        cap = disputed.get(loan.id)
        overdue = [m for m in result.months if m.overdue]
        if not (overdue or debits or cap):
            continue  # kept current throughout (or settled at once) with nothing to ask
        currency = loan.contract.currency
        instalment = regular_instalment(ledger)
        owed = Owed(
            horizon.as_of,
            state.outstanding_principal,
            state.overdue_principal,
            state.overdue_interest,
            state.penalty_accrued,
            state.fees_due,
            state.payoff_amount,
            state.days_past_due,
            state.credit_balance,
        )
        below = _below_good_faith(plan_input.preferences, result, owed, instalment)
        not_cured = bool(result.months) and result.months[-1].overdue
        grounds = tuple(
            ground
            for ground, holds in (
                (Ground.FAILED_DEBIT, bool(debits)),
                (Ground.ABOVE_CAP, cap is not None),
                (Ground.SHORTFALL, bool(overdue)),
                (Ground.NOT_CURED, not_cured),
            )
            if holds
        )
        if debits:
            kind = ProposalKind.CORRECTION_AND_WAIVER
        elif cap is not None:
            kind = ProposalKind.CAP_DISPUTE
        elif not_cured or below:
            kind = ProposalKind.HARDSHIP_INSTALMENT
        elif loan.contract.is_revolving and overdue and result.payments:
            kind = ProposalKind.CONVERSION
        else:
            kind = ProposalKind.REINSTALMENT
        found.append(
            Proposal(
                loan_id=loan.id,
                platform=loan.contract.platform or loan.id,
                principal=loan.contract.principal,
                disbursed_on=loan.contract.disbursed_on,
                kind=kind,
                grounds=grounds,
                reason=_reason(grounds, debits, cap, len(horizon.months), kind),
                owed=owed,
                schedule=result.payments,
                settled_on=result.closed_on,
                current_from=_current_from(result),
                # Owed on the plan's date or accrued later: paid under the plan or still owed.
                penalty_waiver=result.penalty_paid + result.final.penalty_accrued,
                regular_instalment=Money(instalment, currency),
                good_faith_minimum=Money(
                    good_faith_minimum(
                        plan_input.preferences.good_faith_minimum,
                        instalment,
                        owed.overdue.amount,
                        currency,
                    ),
                    currency,
                ),
                below_good_faith=below,
                objections=debits,
                above_cap=cap,
                budget=_budget_lines(budget, outcome, result, left),
                loan_cost=LoanCost.of(result),
                horizon_end=horizon.end,
            )
        )
    return tuple(found)


def _below_good_faith(
    preferences: Preferences, result: LoanOutcome, owed: Owed, instalment: Decimal
) -> tuple[str, ...]:
    """The months the plan pays this loan less than the good-faith minimum while it is overdue
    at the month's start (the arrears then: on the plan's date, or the month end before). With
    the plan's good faith on, the minimum is the one the plan itself was made with
    (`LoanMonth.good_faith`, the arrears on the month's money day), so plan and letter agree."""
    if preferences.good_faith:
        return tuple(m.month for m in result.months if ZERO < m.paid.amount < m.good_faith.amount)
    currency = owed.payoff.currency
    below: list[str] = []
    arrears = owed.overdue.amount if owed.days_past_due else ZERO
    for month in result.months:
        paid = month.paid.amount
        least = good_faith_minimum(preferences.good_faith_minimum, instalment, arrears, currency)
        if arrears > ZERO and ZERO < paid < least:
            below.append(month.month)
        arrears = month.past_due.amount if month.days_past_due else ZERO
    return tuple(below)


def _current_from(result: LoanOutcome) -> str | None:
    """The month from which every month end is current (None: overdue at the horizon's end)."""
    months = result.months
    if not months or months[-1].overdue:
        return None
    last = max((i for i, m in enumerate(months) if m.overdue), default=-1)
    return months[last + 1].month


def _reason(
    grounds: Sequence[Ground],
    debits: Sequence[ObjectionCandidate],
    cap: AboveCap | None,
    horizon_months: int,
    kind: ProposalKind | None = None,
) -> str:
    parts: list[str] = []
    for ground in grounds:
        if ground is Ground.FAILED_DEBIT:
            parts.append(
                Said(
                    N_(
                        "the platform's debit failed with enough money in the bank (%(months)s): "
                        "the overdue record is to be corrected and its penalty waived"
                    ),
                    months=", ".join(c.month for c in debits),
                )
            )
        elif ground is Ground.ABOVE_CAP and cap is not None:
            parts.append(
                Said(
                    N_(
                        "the all-in cost is above the legal cap of %(cap)s (%(source)s): "
                        "%(excess)s above it is disputed"
                    ),
                    cap=f"{cap.cap:.0%}",
                    source=cap.cap_source,
                    excess=cap.excess.amount,
                )
            )
        elif ground is Ground.SHORTFALL:
            parts.append(
                Said(
                    N_(
                        "the budget cannot keep this loan current: its arrears are paid as "
                        "scheduled"
                    )
                )
            )
        elif ground is Ground.NOT_CURED:
            parts.append(
                Said(
                    N_("no plan within the budget cures it in %(months)s months"),
                    months=horizon_months,
                )
            )
    if kind is ProposalKind.CONVERSION:
        parts.append(
            Said(
                N_(
                    "the overdue balance is asked to be converted into instalments (账单分期) "
                    "with the fee waived, paid as scheduled"
                )
            )
        )
    return Joined(parts)  # each renderer says it in its language (`domain/i18n.py`)


def _budget_lines(
    budget: Budget, outcome: Outcome, result: LoanOutcome, left: Sequence[Decimal]
) -> tuple[BudgetLine, ...]:
    currency = budget.currency
    lines = []
    for month, planned, loan_month, after in zip(
        budget.months, outcome.plan.months, result.months, left, strict=True
    ):
        paid = loan_month.paid.amount
        if paid <= ZERO:
            continue
        lines.append(
            BudgetLine(
                month.month,
                month.income,
                month.expenses,
                month.available,
                Money(planned.total - planned.paid_to(result.loan_id), currency),
                Money(paid, currency),
                Money(after, currency),
            )
        )
    return tuple(lines)


# ---------------------------------------------------------------- JSON
def _money(value: Money) -> str:
    return str(value.amount)


def proposals_json(proposals: Sequence[Proposal]) -> list[dict[str, Any]]:
    """The plan JSON's `proposals`: `loan_id`, `kind`, `reason` and `schedule: [{on, amount}]`
    (the promised payments, exactly the plan's), with what backs them."""
    return [
        {
            "loan_id": p.loan_id,
            "platform": p.platform,
            "kind": p.kind.value,
            "reason": p.reason,
            "instalments": p.instalments if p.kind is ProposalKind.CONVERSION else None,
            "grounds": [g.value for g in p.grounds],
            "schedule": [{"on": on.isoformat(), "amount": _money(a)} for on, a in p.schedule],
            "total": _money(p.total),
            "starts_on": iso(p.starts_on),
            "settled_on": iso(p.settled_on),
            "current_from": p.current_from,
            "penalty_waiver": _money(p.penalty_waiver),
            "regular_instalment": _money(p.regular_instalment),
            "good_faith_minimum": _money(p.good_faith_minimum),
            "below_good_faith": list(p.below_good_faith),
            "objection_records": [c.record for c in p.objections],
            "above_cap": None if p.above_cap is None else p.above_cap.to_json(),
            "owed": {
                "on": p.owed.on.isoformat(),
                "outstanding_principal": _money(p.owed.outstanding_principal),
                "overdue_principal": _money(p.owed.overdue_principal),
                "overdue_interest": _money(p.owed.overdue_interest),
                "penalty": _money(p.owed.penalty),
                "fees": _money(p.owed.fees),
                "overdue": _money(p.owed.overdue),
                "payoff": _money(p.owed.payoff),
                "days_past_due": p.owed.days_past_due,
                "credit": _money(p.owed.credit),
            },
            "budget": [
                {
                    "month": line.month,
                    "income": _money(line.income),
                    "expenses": _money(line.expenses),
                    "available": _money(line.available),
                    "others": _money(line.others),
                    "payment": _money(line.payment),
                    "cash_left": _money(line.cash_left),
                }
                for line in p.budget
            ],
            "loan_cost": p.loan_cost.to_json(),
        }
        for p in proposals
    ]
