"""Loans above the legal cap: what is above it, and the loan a plan pays when it is disputed.

Chinese courts do not enforce a financial loan's interest, compound interest, penalty, fees and
other charges beyond 24 % a year all in (法发〔2017〕22号, art. 2(2): the borrower may ask for the
part above 24 % a year to be reduced); private lending is protected up to 4 x the one-year LPR
at signing (最高人民法院民间借贷规定, 2020 rev., art. 25). The profile carries the cap and its
source (`profile.annual_cap`). So when a loan's all-in cost so far is above the cap
(`loan.cost.amount_above_cap` > 0), a counsellor plans it at the cap and disputes the rest:

- **What is above the cap** (`AboveCap`), to the fen, on the plan's date: the proceeds and every
  payment carried to that day at the cap's daily rate (1 + cap / 365 per day, as the APR the
  rules compare is annualised x 365) give what a loan at exactly the cap would still owe; the
  contract's payoff on that day less that amount is the excess. The same computation as
  `amount_above_cap`, with its parts kept so a letter can show it.
- **The loan at the cap** (`capped_contract`), which the plan pays under `preferences.above_cap:
  dispute`: interest at no more than the cap, penalty at no more than the cap a day on its own
  basis and no compound interest, and no fees or late fees (the cap bounds them all together;
  the interest already uses it). Its history is folded again under these terms, so what was paid
  beyond the cap counts towards principal (as credit or prepayment, by the contract's
  allocation order), as a court reducing the charges would count it.
- `above_cap: pay` plans the contract as written; the excess is still shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_DOWN, Decimal, localcontext
from typing import Any

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.loan.contract import Contract, PenaltyTerms
from creditmend.domain.loan.cost import (
    DAYS_PER_YEAR_FOR_APR,
    RootFinder,
    amount_above_cap,
    check_cost,
)
from creditmend.domain.loan.view import loan_state
from creditmend.domain.money import ACCRUAL_CONTEXT, HALF_UP, ONE, ZERO, Money
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.budget import Horizon
from creditmend.domain.recovery.plan_input import AboveCapChoice, PlanInput
from creditmend.domain.recovery.simulate import open_tracks
from creditmend.domain.rules.profile import JurisdictionProfile

_RATE_STEP = Decimal("0.000001")  # an annual rate's last digit, rounded down (never above the cap)
_DAILY_STEP = Decimal("0.0000000001")


@dataclass(frozen=True, slots=True)
class AboveCap:
    """A loan whose all-in cost to `on` is above the cap, with the computation of the excess."""

    loan_id: str
    platform: str
    on: date
    cap: Decimal  # the annual rate, e.g. 0.24
    cap_source: str
    proceeds: Money  # what the borrower received (net of upfront fees)
    proceeds_at_cap: Money  # carried to `on` at the cap
    paid: Money  # every payment so far
    paid_at_cap: Money  # carried to `on` at the cap
    owed_at_cap: Money  # what a loan at exactly the cap would still owe on `on`
    contract_owes: Money  # the contract's payoff on `on`
    excess: Money  # paid and owed beyond the cap: contract_owes - owed_at_cap (>= 0)
    disputed: bool  # preferences.above_cap is dispute: the plan pays the loan at the cap
    annualised_cost: Decimal | None = None  # the contract's all-in APR to `on`, when computed

    def to_json(self) -> dict[str, Any]:
        return {
            "loan_id": self.loan_id,
            "platform": self.platform,
            "on": self.on.isoformat(),
            "cap_rate": str(self.cap),
            "cap_source": self.cap_source,
            "excess": str(self.excess.amount),
            "disputed": self.disputed,
            "annualised_cost": None if self.annualised_cost is None else str(self.annualised_cost),
            "computation": {
                "proceeds": str(self.proceeds.amount),
                "proceeds_at_cap": str(self.proceeds_at_cap.amount),
                "paid": str(self.paid.amount),
                "paid_at_cap": str(self.paid_at_cap.amount),
                "owed_at_cap": str(self.owed_at_cap.amount),
                "contract_owes": str(self.contract_owes.amount),
            },
        }


def above_cap_loans(
    plan_input: PlanInput,
    as_of: date,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    solver: RootFinder | None = None,
) -> tuple[AboveCap, ...]:
    """Every loan of the plan (as written) whose all-in cost to `as_of` is above its cap;
    `solver` (the IRR port), when given, adds the annualised cost."""
    disputed = plan_input.preferences.above_cap is AboveCapChoice.DISPUTE
    found: list[AboveCap] = []
    # The planner's own tracks: a loan disbursed after `as_of` or a bad event is refused here
    # with its field and line, as the plan itself would refuse it.
    for track in open_tracks(plan_input, Horizon.of(as_of, 1), profile, calendar):
        contract = track.loan.contract
        with localcontext(ACCRUAL_CONTEXT):
            track.ledger.advance_to(as_of)
        state = loan_state(track.ledger, as_of)
        flows = state.cash_flows
        cap, source = profile.annual_cap(contract.lender_kind, contract.disbursed_on)
        excess = amount_above_cap(flows, cap, as_of)
        if excess.amount <= ZERO:
            continue
        currency = contract.currency
        payoff = state.payoff_amount.amount if state.closed_on is None else ZERO
        with localcontext(ACCRUAL_CONTEXT):
            daily = ONE + cap / DAYS_PER_YEAR_FOR_APR
            carried = [
                (f.amount.amount, f.amount.amount * daily ** (as_of - f.on).days) for f in flows
            ]
        # The payoff is the last flow of an open loan (dated `as_of`, carried by nothing).
        history = carried[:-1] if payoff > ZERO else carried
        proceeds = sum((a for a, _ in history if a > ZERO), ZERO)
        proceeds_at = sum((c for a, c in history if a > ZERO), ZERO)
        paid = -sum((a for a, _ in history if a < ZERO), ZERO)
        paid_at = -sum((c for a, c in history if a < ZERO), ZERO)
        money = HALF_UP.money
        at_cap = money(proceeds_at - paid_at, currency)
        found.append(
            AboveCap(
                loan_id=contract.id,
                platform=contract.platform,
                on=as_of,
                cap=cap,
                cap_source=source,
                proceeds=Money(proceeds, currency),
                proceeds_at_cap=money(proceeds_at, currency),
                paid=Money(paid, currency),
                paid_at_cap=money(paid_at, currency),
                owed_at_cap=at_cap,
                contract_owes=Money(payoff, currency),
                excess=excess,
                disputed=disputed,
                annualised_cost=None
                if solver is None
                else check_cost(flows, cap, source, as_of, solver).annualised_cost,
            )
        )
    return tuple(found)


def capped_contract(contract: Contract, cap: Decimal, profile: JurisdictionProfile) -> Contract:
    """The contract priced at no more than the cap: see the module docstring."""
    days_in_year = int(profile.days_in_year.value)
    per_day_cap = cap / DAYS_PER_YEAR_FOR_APR
    annual = min(contract.rate.per_day(days_in_year), per_day_cap) * days_in_year
    penalty = contract.penalty.per_day(
        contract.rate, days_in_year, Decimal(profile.penalty_multiplier.value)
    )
    return replace(
        contract,
        rate=Rate.annual(annual.quantize(_RATE_STEP, rounding=ROUND_DOWN)),
        fees=(),
        penalty=PenaltyTerms(
            basis=contract.penalty.basis,
            daily_rate=min(penalty, per_day_cap).quantize(_DAILY_STEP, rounding=ROUND_DOWN),
        ),
    )


def at_cap(
    plan_input: PlanInput, above: Sequence[AboveCap], profile: JurisdictionProfile
) -> PlanInput:
    """The plan as it is paid under dispute: each loan above the cap priced at the cap (its
    events unchanged, so the ledger folds its history again at the cap); the rest as written."""
    caps = {item.loan_id: item.cap for item in above}
    if not caps:
        return plan_input
    return replace(
        plan_input,
        loans=tuple(
            replace(loan, contract=capped_contract(loan.contract, caps[loan.id], profile))
            if loan.id in caps
            else loan
            for loan in plan_input.loans
        ),
    )


def planned_input(
    plan_input: PlanInput, above: Sequence[AboveCap], profile: JurisdictionProfile
) -> PlanInput:
    """The loans the plan pays: at the cap under `dispute` (the default), as written under `pay`."""
    if plan_input.preferences.above_cap is AboveCapChoice.PAY:
        return plan_input
    return at_cap(plan_input, above, profile)


def above_cap_json(above: Sequence[AboveCap]) -> list[dict[str, Any]]:
    """The plan JSON's `above_cap` key: `{loan_id, cap_rate, excess}` and the computation."""
    return [item.to_json() for item in above]
