"""Negotiation proposals: what to ask each platform for, in amounts the budget provably carries.

A counsellor does not ask a platform for "more time"; she asks for a schedule the client can
keep, shows why it can be kept, and says what it is worth to the platform and to the client. So
for every loan that is overdue now or that the plan cannot keep current:

- **What is owed** on the plan's date, from the loan's own ledger (overdue principal and
  interest, penalty with compound interest, fees, the payoff, credit already held).
- **Two asks**, each the shortest that fits: a re-instalment (个性化分期) of everything owed over
  N new months, and an extension (展期) of the remaining term by N months, both with the penalty
  waiver asked for. Each is the ledger's own `Restructure` event applied on the plan's date, and
  the instalments are what that ledger then asks for on each due date, paid exactly (not a
  formula beside the ledger): the loan is walked month by month and pays what is due.
- **The budget's proof**, month by month: the cash the budget makes available, less the other
  loans' payments under the plan, less the instalment, carried over as the budget module carries
  cash (`budget.cash_left`). An ask fits when no month with an instalment runs short, and no
  month ends with a deficit the plan itself did not already have.
- **The effect of acceptance**: the loan walked with the restructure among its events, paying
  its new instalments, the other loans paid as planned (loans share nothing but the budget, so
  this is the plan simulated again; a test holds the two equal), or the whole plan re-made and
  simulated by the service's planner when one is passed: total cost, the loan's and the file's
  clean date, against the plan as it is.
- **When nothing fits**: the longest ask tried, with its shortfall month by month, and the level
  amount the budget does carry from the first month it can (`affordable_monthly`).
- **The legal cap**: the contract's all-in cost to the plan's date against the profile's cap
  (`loan.cost`), and the amount above it, which the borrower may refuse to pay.

Each proposal is computed against the plan alone: accepting one does not assume any other.
N is at most `max_months` and every instalment must fall within the horizon (the budget is not
known beyond it). A loan already charged off cannot be restructured by the ledger; it gets no ask.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any, NamedTuple, Protocol

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.creditfile.retention import retention_rules
from creditmend.domain.loan.cost import CostCheck, RootFinder, amount_above_cap, check_cost
from creditmend.domain.loan.events import Restructure, RestructureKind
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.ledger import Ledger
from creditmend.domain.loan.view import loan_state
from creditmend.domain.money import ZERO, Money, minor_unit
from creditmend.domain.recovery.best_plan import Intents
from creditmend.domain.recovery.budget import Budget, Horizon, cash_left
from creditmend.domain.recovery.json_form import iso
from creditmend.domain.recovery.plan_input import PlanInput, PlanLoan
from creditmend.domain.recovery.simulate import (
    LoanOutcome,
    LoanTrack,
    Outcome,
    PaymentPlan,
    simulate,
)
from creditmend.domain.rules.profile import JurisdictionProfile

DEFAULT_MAX_MONTHS = 36
# How far below the schedule's estimate an instalment could still be asked by the ledger; far
# more than rounding ever makes, so the screen never drops an N the exact walk would accept.
SCREEN_MARGIN = Decimal("1.00")


class Replan(Protocol):
    """Re-makes a plan for changed loans (an accepted proposal, a new loan). `seeds` are
    intents the planner must also weigh, by name (a plan it might not find by itself)."""

    def __call__(
        self,
        plan_input: PlanInput,
        budget: Budget,
        profile: JurisdictionProfile,
        calendar: BusinessCalendar,
        *,
        seeds: Mapping[str, Intents] | None = None,
    ) -> PaymentPlan: ...


# ---------------------------------------------------------------- costs of a plan
@dataclass(frozen=True, slots=True)
class PlanCost:
    """What a plan costs and when it ends, in the figures a client compares."""

    total_paid: Money
    charges: Money  # interest + penalty (compound interest included) + fees
    debt_left: Money  # what would still settle every loan at the horizon's end
    overdue_account_months: int
    debt_free_on: date | None
    clean_on: date | None

    def to_json(self) -> dict[str, Any]:
        return {
            "total_paid": str(self.total_paid.amount),
            "charges": str(self.charges.amount),
            "debt_left": str(self.debt_left.amount),
            "overdue_account_months": self.overdue_account_months,
            "debt_free_on": iso(self.debt_free_on),
            "clean_on": iso(self.clean_on),
        }


def plan_cost(outcome: Outcome) -> PlanCost:
    return loans_cost(outcome.loans, outcome.currency)


def loans_cost(loans: Sequence[LoanOutcome], currency: str) -> PlanCost:
    """A plan's cost from its loans' outcomes, summed as `simulate.outcome_of` sums them."""

    def total(pick: Callable[[LoanOutcome], Money]) -> Money:
        return Money(sum((pick(loan).amount for loan in loans), ZERO), currency)

    closed = [loan.closed_on for loan in loans]
    cleans = [loan.clean_on for loan in loans]
    return PlanCost(
        total(lambda loan: loan.total_paid),
        total(lambda loan: loan.interest_paid + loan.penalty_paid + loan.fees_paid),
        total(lambda loan: loan.final.payoff_amount),
        sum(loan.overdue_months for loan in loans),
        None if None in closed else max(day for day in closed if day is not None),
        None if None in cleans else max(day for day in cleans if day is not None),
    )


@dataclass(frozen=True, slots=True)
class LoanCost:
    total_paid: Money
    charges: Money
    payoff_left: Money
    overdue_months: int
    closed_on: date | None
    clean_on: date | None

    @classmethod
    def of(cls, loan: LoanOutcome) -> LoanCost:
        return cls(
            loan.total_paid,
            loan.interest_paid + loan.penalty_paid + loan.fees_paid,
            loan.final.payoff_amount,
            loan.overdue_months,
            loan.closed_on,
            loan.clean_on,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "total_paid": str(self.total_paid.amount),
            "charges": str(self.charges.amount),
            "payoff_left": str(self.payoff_left.amount),
            "overdue_months": self.overdue_months,
            "closed_on": iso(self.closed_on),
            "clean_on": iso(self.clean_on),
        }


# ---------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class Owed:
    """The loan on the proposal's day, from its ledger."""

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
    """One month of the budget's proof (amounts are the month's, `cash_left` carried)."""

    month: str
    income: Money
    expenses: Money
    available: Money  # the budget's cash of the month (one-offs and the opening included)
    others: Money  # the other loans' payments under the plan
    instalment: Money  # what this loan asks for in the month under the proposal
    cash_left: Money  # after everything, carried over from the months before


@dataclass(frozen=True, slots=True)
class ProposalOption:
    kind: RestructureKind
    months: int  # N: the new instalments (re-instalment) or the months added (extension)
    waive_penalty: bool  # asked for
    instalments: tuple[tuple[date, Money], ...]  # due date and amount, paid as the ledger asks
    monthly: Money  # the largest instalment
    total: Money  # the instalments summed
    penalty_waived: Money  # what the waiver removes on the day
    carried: bool  # the budget carries every instalment
    budget: tuple[BudgetLine, ...]  # from the plan's first month to the last instalment
    without: LoanCost  # the loan under the plan as it is
    accepted: LoanCost  # the loan once the proposal is accepted
    plan_without: PlanCost
    plan_accepted: PlanCost

    @property
    def tightest(self) -> BudgetLine | None:
        """The month with an instalment and the least cash left after it."""
        paying = [line for line in self.budget if line.instalment.amount > ZERO]
        return min(paying, key=lambda line: line.cash_left.amount, default=None)


@dataclass(frozen=True, slots=True)
class Proposal:
    loan_id: str
    platform: str
    principal: Money
    disbursed_on: date
    owed: Owed
    cost: CostCheck  # the contract's all-in cost to the plan's date against the legal cap
    options: tuple[ProposalOption, ...]  # re-instalment, then extension (when the term remains)
    recommended: RestructureKind | None  # the cheapest ask the budget carries; None: none fits
    affordable_monthly: Money  # a level amount a month the budget carries (`_affordable`)
    affordable_from: str | None  # YYYY-MM, the month it can start; None: nothing is left

    @property
    def chosen(self) -> ProposalOption | None:
        return next((o for o in self.options if o.kind is self.recommended), None)


# ---------------------------------------------------------------- the proposals
def negotiation_proposals(
    plan_input: PlanInput,
    outcome: Outcome,
    budget: Budget,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    *,
    solver: RootFinder | None = None,
    max_months: int = DEFAULT_MAX_MONTHS,
    ask_waiver: bool = True,
    replan: Replan | None = None,
) -> tuple[Proposal, ...]:
    """A proposal for every loan overdue on the plan's date or overdue under the plan, against
    `outcome` (the plan the client will follow) and its `budget`. `solver` is the IRR port for
    the annualised cost (without it the amount above the cap is still computed); `replan`, when
    given, re-makes the whole plan once a proposal is accepted instead of keeping the other
    loans' payments."""
    horizon = outcome.horizon
    results = {loan.loan_id: loan for loan in outcome.loans}
    found: list[Proposal] = []
    for loan in plan_input.loans:
        result = results[loan.id]
        ledger = run(loan.contract, loan.events, horizon.as_of, profile, calendar)
        state = loan_state(ledger, horizon.as_of)
        if state.closed_on is not None or state.charged_off_on is not None:
            continue
        if not (state.days_past_due or result.overdue_months):
            continue
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
        contract = loan.contract
        cap, source = profile.annual_cap(contract.lender_kind, contract.disbursed_on)
        if solver is not None:
            cost = check_cost(state.cash_flows, cap, source, horizon.as_of, solver)
        else:
            excess = amount_above_cap(state.cash_flows, cap, horizon.as_of)
            cost = CostCheck(None, cap, source, excess.amount > ZERO, excess)
        room = _room(outcome, budget, loan.id)
        options = []
        remaining = len(ledger.dues) - ledger.next_due  # instalments not yet due
        for kind in (RestructureKind.REINSTALMENT, RestructureKind.EXTENSION):
            if kind is RestructureKind.EXTENSION and remaining == 0:
                continue  # matured: an extension would be a re-instalment
            option = _search(
                plan_input, loan, kind, outcome, budget, room, profile, calendar,
                max_months, ask_waiver, ledger.waived, replan,
            )  # fmt: skip
            if option is not None:
                options.append(option)
        carried = [o for o in options if o.carried]
        # The cheapest for the client; on a tie the fewer instalments (the re-instalment first).
        best = min(
            carried,
            key=lambda o: (o.accepted.charges.amount, len(o.instalments)),
            default=None,
        )
        found.append(
            Proposal(
                loan.id,
                contract.platform or loan.id,
                contract.principal,
                contract.disbursed_on,
                owed,
                cost,
                tuple(options),
                None if best is None else best.kind,
                *_affordable(room, horizon.labels, budget.currency),
            )
        )
    return tuple(found)


def _room(outcome: Outcome, budget: Budget, loan_id: str) -> list[Decimal]:
    """Each month's budget less what the plan pays the other loans."""
    return [
        month.available.amount - planned.total + planned.paid_to(loan_id)
        for month, planned in zip(budget.months, outcome.plan.months, strict=True)
    ]


def _affordable(
    room: Sequence[Decimal], labels: Sequence[str], currency: str
) -> tuple[Money, str | None]:
    """The level amount this loan could get every month from the first month it can get
    anything, to the horizon's end, with the other loans paid as planned and cash carried as
    the budget carries it (rounded down to the fen, so it provably fits): what to offer when
    no restructure fits. Months before the plan's first are not offered (the ask starts next
    month at the earliest); (0, None) when the plan leaves this loan nothing at all."""
    quantum = minor_unit(currency)
    cumulative = [sum(room[: index + 1], ZERO) for index in range(len(room))]
    for start in range(1, len(room)):
        level = min(
            cumulative[end] / (end - start + 1) for end in range(start, len(room))
        ).quantize(quantum, rounding=ROUND_DOWN)
        if level > ZERO:
            return Money(level, currency), labels[start]
    return Money.zero(currency), None


def _fits(room: Sequence[Decimal], baseline: Sequence[Decimal], amounts: Sequence[Decimal]) -> bool:
    """No month with an instalment runs short, and no month ends with a deficit the plan did
    not already have (a month whose budget is negative may eat into earlier savings)."""
    left = ZERO
    for space, before, amount in zip(room, baseline, amounts, strict=True):
        left += space - amount
        if (amount > ZERO and left < ZERO) or left < min(before, ZERO):
            return False
    return True


def _estimate(ledger: Ledger, horizon: Horizon) -> list[Decimal] | None:
    """The new instalments as the schedule prices them, by month of the horizon (None when one
    falls beyond it: the budget ends there). Paid on their dates they are what the ledger asks,
    but a screen needs only to be close: `_search` walks exactly what passes it."""
    amounts = [ZERO] * len(horizon.months)
    for due in ledger.dues[ledger.next_due :]:
        index = horizon.index_of(due.due_on)
        if index is None:
            return None
        amounts[index] += (
            due.principal
            + due.scheduled_interest
            + due.fee
            + due.carried_interest
            + due.carried_penalty
            + due.carried_fee
        )
    return amounts


def _walk(track: LoanTrack) -> list[Decimal]:
    """Pay what the ledger asks on every payment day: the instalments, to the fen."""
    amounts = []
    for index in range(len(track.horizon.months)):
        quote = track.open_month(index)
        track.pay(quote.due)
        track.close_month(index)
        amounts.append(quote.due)
    return amounts


def _search(
    plan_input: PlanInput,
    loan: PlanLoan,
    kind: RestructureKind,
    outcome: Outcome,
    budget: Budget,
    room: Sequence[Decimal],
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    max_months: int,
    ask_waiver: bool,
    waived_before: Decimal,
    replan: Replan | None,
) -> ProposalOption | None:
    """The shortest N the budget carries; when none does, the longest tried, not carried, to
    show the shortfall month by month. What decides is the exact walk (a fen decides whether a
    month runs short); the schedule's estimate, less a margin, only screens out the N that
    cannot fit, so a long search walks the ledger a few times, not once per N."""
    horizon = outcome.horizon
    baseline = cash_left(budget, outcome.plan.totals())
    tried: tuple[PlanLoan, int, Decimal] | None = None
    walked: tuple[LoanTrack, list[Decimal]] | None = None
    for months in range(1, max_months + 1):
        event = Restructure(horizon.as_of, kind, months, waive_penalty=ask_waiver)
        restructured = replace(loan, events=(*loan.events, event))
        ledger = run(loan.contract, restructured.events, horizon.as_of, profile, calendar)
        estimate = _estimate(ledger, horizon)
        if estimate is None:
            break  # a longer N only reaches further
        tried, walked = (restructured, months, ledger.waived - waived_before), None
        screened = [max(amount - SCREEN_MARGIN, ZERO) for amount in estimate]
        if not _fits(room, baseline, screened):
            continue
        track = LoanTrack(restructured, horizon, profile, calendar)
        walked = (track, _walk(track))
        if _fits(room, baseline, walked[1]):
            break
    if tried is None:
        return None
    restructured, months, waived = tried
    if walked is None:
        track = LoanTrack(restructured, horizon, profile, calendar)
        walked = (track, _walk(track))
    track, amounts = walked
    return _option(
        plan_input, loan, restructured, kind, months, track, waived,
        _fits(room, baseline, amounts), outcome, budget, profile, calendar,
        ask_waiver, replan,
    )  # fmt: skip


def _option(
    plan_input: PlanInput,
    loan: PlanLoan,
    restructured: PlanLoan,
    kind: RestructureKind,
    months: int,
    track: LoanTrack,
    waived: Decimal,
    carried: bool,
    outcome: Outcome,
    budget: Budget,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    ask_waiver: bool,
    replan: Replan | None,
) -> ProposalOption:
    """The ask, its budget lines and the plan once it is accepted. With the other loans paid as
    planned their outcomes do not change (loans share nothing but the budget), so the walked
    track of this loan is the accepted plan's exact outcome for it; a `replan` re-makes and
    simulates the whole plan."""
    currency = budget.currency
    if replan is None:
        after = track.outcome(profile, retention_rules(profile))
        loans = [after if result.loan_id == loan.id else result for result in outcome.loans]
        planned = outcome.plan
    else:
        accepted_input = replace(
            plan_input,
            loans=tuple(restructured if item.id == loan.id else item for item in plan_input.loans),
        )
        planned = replan(accepted_input, budget, profile, calendar)
        accepted = simulate(
            accepted_input,
            planned,
            outcome.horizon,
            profile,
            calendar,
            name=f"{loan.id}: {kind.value} {months}",
        )
        loans = list(accepted.loans)
        after = next(result for result in loans if result.loan_id == loan.id)
    before = next(result for result in outcome.loans if result.loan_id == loan.id)
    paid = [month.paid.amount for month in after.months]
    last = max((index for index, amount in enumerate(paid) if amount > ZERO), default=0)
    lines = []
    left = ZERO
    for month, planned_month, amount in zip(
        budget.months[: last + 1], planned.months, paid, strict=False
    ):
        others = planned_month.total - planned_month.paid_to(loan.id)
        left += month.available.amount - others - amount
        lines.append(
            BudgetLine(
                month.month,
                month.income,
                month.expenses,
                month.available,
                Money(others, currency),
                Money(amount, currency),
                Money(left, currency),
            )
        )
    return ProposalOption(
        kind=kind,
        months=months,
        waive_penalty=ask_waiver,
        instalments=tuple((m.pay_day, m.paid) for m in after.months if m.paid.amount > ZERO),
        monthly=Money(max(paid, default=ZERO), currency),
        total=Money(sum(paid, ZERO), currency),
        penalty_waived=Money(waived, currency),
        carried=carried,
        budget=tuple(lines),
        without=LoanCost.of(before),
        accepted=LoanCost.of(after),
        plan_without=plan_cost(outcome),
        plan_accepted=loans_cost(loans, currency),
    )


# ---------------------------------------------------------------- JSON


def _money(value: Money) -> str:
    return str(value.amount)


def _option_json(option: ProposalOption) -> dict[str, Any]:
    tightest = option.tightest
    return {
        "kind": option.kind.value,
        "months": option.months,
        "waive_penalty": option.waive_penalty,
        "monthly": _money(option.monthly),
        "total": _money(option.total),
        "penalty_waived": _money(option.penalty_waived),
        "carried": option.carried,
        "instalments": [
            {"due_on": d.isoformat(), "amount": _money(a)} for d, a in option.instalments
        ],
        "budget": [
            {
                "month": line.month,
                "income": _money(line.income),
                "expenses": _money(line.expenses),
                "available": _money(line.available),
                "others": _money(line.others),
                "instalment": _money(line.instalment),
                "cash_left": _money(line.cash_left),
            }
            for line in option.budget
        ],
        "tightest_month": None if tightest is None else tightest.month,
        "effect": {
            "loan": {"without": option.without.to_json(), "accepted": option.accepted.to_json()},
            "plan": {
                "without": option.plan_without.to_json(),
                "accepted": option.plan_accepted.to_json(),
            },
        },
    }


def proposals_json(proposals: Sequence[Proposal]) -> list[dict[str, Any]]:
    """The `proposals` key of the plan's JSON: one entry per loan, amounts as decimal strings."""
    return [
        {
            "loan_id": p.loan_id,
            "platform": p.platform,
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
            "cost_check": {
                "annualised_cost": None
                if p.cost.annualised_cost is None
                else str(p.cost.annualised_cost),
                "cap": str(p.cost.cap),
                "cap_source": p.cost.cap_source,
                "above_cap": p.cost.above_cap,
                "amount_above_cap": _money(p.cost.amount_above_cap),
            },
            "options": [_option_json(option) for option in p.options],
            "recommended": None if p.recommended is None else p.recommended.value,
            "affordable_monthly": _money(p.affordable_monthly),
            "affordable_from": p.affordable_from,
        }
        for p in proposals
    ]
