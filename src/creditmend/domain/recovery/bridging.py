"""Bridging money: the least a loan from relatives, an asset sold or a rise in income must bring
for the plan to keep every loan under 90 days, or to cure every loan at once.

A counsellor asks early whether family could lend, something could be sold, or income could
rise, because a little money now can spare months of overdue records. Each suggestion here is a
re-plan: the borrower's plan with exactly one more source of cash (`with_bridge`), planned by the
caller's own planner (`Exact`: the service's optimiser, the very path that makes the plan shown),
so the effect shown is what the borrower gets by adding that line to the plan file.

Conventions (docs/advisor.md, "Bridging money"):
- Bridging is looked for when the plan shown leaves a loan reported overdue at more than one
  month end (`needs_bridging`).
- Money that comes now comes on the plan's date (`as_of`). A family loan is repaid at the
  preference `family_loan_repay_monthly` (default 10 % of it a month, rounded half up to the
  currency's minor unit) from the first day of the 7th month after the plan's month (a December
  loan is repaid from 1 July). An income rise is a monthly amount from the first day of the next
  month to the horizon's end (`cash_flow.months` entries: that month's income plus the rise).
- Goals: `no_serious`: no month end more than 90 days late (the profile's serious codes);
  `cure_all`: no month end overdue at all. Both are counted from the month the money comes (an
  income rise cannot change the plan's first month). A goal the plan already meets is skipped.
- Amounts are whole multiples of `STEP` (100 of the plan's currency: small against the debts a
  bridge is for, large enough that the borrower can ask for it). The search doubles the amount
  until a cheap planner (`Quick`: the classic strategies and the counsellor's orders, no
  programme) reaches the goal, bisects between the last miss and the first hit, then re-plans
  the amount exactly; when the exact plan misses, it steps up, and when it hits it goes down
  1, 2, 4 ... steps until a miss, then halves the bracket between the largest exact miss (at
  least the plan itself, 0) and the least exact hit. `Bridge.minimal` is True only when the
  exact plan one step below the amount was made and misses the goal (or one step below is
  nothing, the plan itself). The search is bounded: at most `EXACT_TRIES` exact re-plans per
  suggestion beyond the first, amounts at most `cap_for`; a goal the cheap planner misses even
  at the cap is not suggested (no exact re-plan is made).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any

from creditmend.domain.calendar import BusinessCalendar, add_months
from creditmend.domain.i18n import N_, Said, month_named
from creditmend.domain.money import ZERO, Money, minor_unit
from creditmend.domain.recovery.best_plan import COUNSELLOR_ORDERS
from creditmend.domain.recovery.budget import Horizon, monthly_budget
from creditmend.domain.recovery.objective import ObjectiveValue
from creditmend.domain.recovery.plan_input import (
    AssetSale,
    FamilyLoan,
    MonthCash,
    PlanInput,
)
from creditmend.domain.recovery.simulate import Outcome, simulate
from creditmend.domain.recovery.strategies import build_plan, classic_outcomes
from creditmend.domain.rules.profile import JurisdictionProfile

STEP = Decimal(100)
REPAY_AFTER_MONTHS = 7  # a family loan is repaid from the 7th month after the plan's month
EXACT_TRIES = 4
CENT = Decimal("0.01")


class BridgeKind(Enum):
    FAMILY_LOAN = "family_loan"
    ASSET_SALE = "asset_sale"
    INCOME_RISE = "income_rise"


class BridgeGoal(Enum):
    NO_SERIOUS = "no_serious"  # no month end beyond 90 days late
    CURE_ALL = "cure_all"  # no month end overdue


@dataclass(frozen=True, slots=True)
class Replanned:
    """A plan as the planner made it: the exact simulation and its objective."""

    outcome: Outcome
    value: ObjectiveValue


Exact = Callable[[PlanInput], Replanned]  # the service's plan, exactly as `plan` makes it
Quick = Callable[[PlanInput], Sequence[Outcome]]  # cheap candidates: a hint for the search


@dataclass(frozen=True, slots=True)
class BridgeEffect:
    overdue_account_months: int
    serious_account_months: int
    cost: Decimal  # interest, penalty and fees incl. unpaid at the end (the objective's cost)
    clean_on: date | None
    saving: Decimal  # the plan's cost without the bridge less this one's


@dataclass(frozen=True, slots=True)
class Bridge:
    kind: BridgeKind
    goal: BridgeGoal
    amount: Money  # for an income rise: a month
    on: date  # the day the money comes; an income rise: its first month's first day
    repay_monthly: Money | None  # family loan only
    repay_from: date | None  # family loan only
    effect: BridgeEffect
    minimal: bool  # the exact plan one step less misses the goal (module docstring)


def needs_bridging(outcome: Outcome) -> bool:
    """Whether the plan leaves a loan reported overdue at more than one month end."""
    return any(loan.overdue_months > 1 for loan in outcome.loans)


def money_on(kind: BridgeKind, horizon: Horizon) -> date:
    """The day the money of a bridge comes: the plan's date, or next month for an income."""
    return horizon.months[1] if kind is BridgeKind.INCOME_RISE else horizon.as_of


def repay_from(as_of: date) -> date:
    """A suggested family loan's first repayment: the 7th month after the plan's month."""
    return add_months(as_of.replace(day=1), REPAY_AFTER_MONTHS)


def repay_monthly(amount: Decimal, share: Decimal, currency: str) -> Decimal:
    return (amount * share).quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def with_bridge(
    plan_input: PlanInput, kind: BridgeKind, amount: Decimal, horizon: Horizon
) -> PlanInput:
    """The plan with exactly one more source of cash: what adding it to the file gives."""
    currency = plan_input.currency
    money = Money(amount, currency)
    as_of = horizon.as_of
    if kind is BridgeKind.ASSET_SALE:
        return replace(plan_input, one_off=(*plan_input.one_off, AssetSale(as_of, money)))
    if kind is BridgeKind.FAMILY_LOAN:
        share = plan_input.preferences.family_loan_repay_monthly
        monthly = Money(repay_monthly(amount, share, currency), currency)
        loan = FamilyLoan(as_of, money, monthly, repay_from(as_of))
        return replace(plan_input, one_off=(*plan_input.one_off, loan))
    flow = plan_input.cash_flow
    risen = {label: _risen(plan_input, label, money) for label in horizon.labels[1:]}
    kept = tuple(m for m in flow.months if m.month not in risen)
    months = tuple(sorted((*kept, *risen.values()), key=lambda m: m.month))
    return replace(plan_input, cash_flow=replace(flow, months=months))


def _risen(plan_input: PlanInput, label: str, rise: Money) -> MonthCash:
    flow = plan_input.cash_flow
    own = flow.month(label)
    income = own.income if own is not None and own.income is not None else flow.monthly_income
    base = income.amount if income is not None else ZERO
    return MonthCash(
        label, Money(base + rise.amount, rise.currency), None if own is None else own.expenses
    )


def reaches(goal: BridgeGoal, outcome: Outcome, start: int = 0) -> bool:
    """Whether the plan meets the goal at every month end from month `start`."""
    months = [m for loan in outcome.loans for m in loan.months[start:]]
    if goal is BridgeGoal.NO_SERIOUS:
        return not any(m.serious for m in months)
    return not any(m.overdue for m in months)


def effect_of(plan: Replanned, baseline: Replanned) -> BridgeEffect:
    return BridgeEffect(
        overdue_account_months=plan.outcome.overdue_account_months,
        serious_account_months=plan.value.serious_months,
        cost=plan.value.cost.quantize(CENT, rounding=ROUND_HALF_UP),
        clean_on=plan.outcome.clean_on,
        saving=(baseline.value.cost - plan.value.cost).quantize(CENT, rounding=ROUND_HALF_UP),
    )


def _steps(amount: Decimal) -> Decimal:
    """`amount` rounded up to a whole number of steps."""
    return (amount / STEP).to_integral_value(rounding=ROUND_CEILING) * STEP


def cap_for(baseline: Outcome) -> Decimal:
    """The largest amount searched: twice everything owed on the plan's first pay day or paid
    under the plan, whichever is more (settling every loan at once costs less than that; a
    planner that still misses the goal needs more than money)."""
    owed = sum((loan.months[0].owed.amount for loan in baseline.loans), ZERO)
    paid = sum((loan.total_paid.amount for loan in baseline.loans), ZERO)
    return _steps(2 * max(owed, paid) + STEP)


@dataclass(slots=True)
class BridgeSearch:
    """The search for one plan's bridges (module docstring); `exact` results are kept, so a
    goal found at an amount another goal already re-planned costs nothing more."""

    plan_input: PlanInput
    horizon: Horizon
    baseline: Replanned
    exact: Exact
    quick: Quick
    cache: dict[tuple[BridgeKind, Decimal], Replanned]

    def replan(self, kind: BridgeKind, amount: Decimal) -> Replanned:
        key = (kind, amount)
        if key not in self.cache:
            self.cache[key] = self.exact(with_bridge(self.plan_input, kind, amount, self.horizon))
        return self.cache[key]

    def cheap(self, kind: BridgeKind, goal: BridgeGoal, amount: Decimal, start: int) -> bool:
        if (kind, amount) in self.cache:
            return reaches(goal, self.cache[(kind, amount)].outcome, start)
        bridged = with_bridge(self.plan_input, kind, amount, self.horizon)
        return any(reaches(goal, outcome, start) for outcome in self.quick(bridged))

    def find(self, kind: BridgeKind, goal: BridgeGoal) -> Bridge | None:
        start = 1 if kind is BridgeKind.INCOME_RISE else 0
        if reaches(goal, self.baseline.outcome, start):
            return None  # the plan meets it without help
        cap = cap_for(self.baseline.outcome)
        low, high = ZERO, STEP
        while not self.cheap(kind, goal, high, start):
            if high >= cap:
                return None  # not even twice the debt gets there: more than money is needed
            low, high = high, min(high * 2, cap)
        while high - low > STEP:
            middle = _steps((low + high) / 2)
            if middle >= high:
                middle = high - STEP
            if self.cheap(kind, goal, middle, start):
                high = middle
            else:
                low = middle
        return self._exactly(kind, goal, high, start, cap)

    def _exactly(
        self, kind: BridgeKind, goal: BridgeGoal, amount: Decimal, start: int, cap: Decimal
    ) -> Bridge | None:
        """The cheap search's `amount` re-planned exactly, then the bracket between the largest
        exact miss (the plan itself, at 0) and the least exact hit narrowed: first one step
        below the hit (the cheap answer is usually right), then by halves; up when it misses."""
        miss, hit = ZERO, None  # the plan itself misses (`find` checked it)
        best: Replanned | None = None
        probe, tries, down = amount, 0, 0
        while True:
            plan = self.replan(kind, probe)
            if reaches(goal, plan.outcome, start):
                hit, best = probe, plan
            else:
                miss = max(miss, probe)
            if (hit is not None and hit - miss <= STEP) or tries >= EXACT_TRIES:
                break
            tries += 1
            if hit is None:
                if probe >= cap:
                    return None
                probe = min(probe + STEP * 2 ** (tries - 1), cap)
            elif miss == ZERO:  # no exact miss yet: down from the hit, 1, 2, 4 ... steps
                probe = max(hit - STEP * 2**down, STEP)
                down += 1
            else:
                probe = min(max(_steps((miss + hit) / 2), miss + STEP), hit - STEP)
        if hit is None or best is None:
            return None
        return self._bridge(kind, goal, hit, best, minimal=hit - miss <= STEP)

    def _bridge(
        self, kind: BridgeKind, goal: BridgeGoal, amount: Decimal, plan: Replanned, *, minimal: bool
    ) -> Bridge:
        currency = self.plan_input.currency
        monthly = when = None
        if kind is BridgeKind.FAMILY_LOAN:
            share = self.plan_input.preferences.family_loan_repay_monthly
            monthly = Money(repay_monthly(amount, share, currency), currency)
            when = repay_from(self.horizon.as_of)
        return Bridge(
            kind,
            goal,
            Money(amount, currency),
            money_on(kind, self.horizon),
            monthly,
            when,
            effect_of(plan, self.baseline),
            minimal,
        )


def bridges(
    plan_input: PlanInput,
    horizon: Horizon,
    baseline: Replanned,
    exact: Exact,
    quick: Quick,
) -> tuple[Bridge, ...]:
    """Every bridge worth showing for the plan `baseline` (made by `exact` from `plan_input`):
    for each kind, the least amount for each goal the plan misses; () when it needs none."""
    if not needs_bridging(baseline.outcome) or len(horizon.months) < 2:
        return ()
    search = BridgeSearch(plan_input, horizon, baseline, exact, quick, {})
    found: list[Bridge] = []
    for kind in (BridgeKind.FAMILY_LOAN, BridgeKind.ASSET_SALE, BridgeKind.INCOME_RISE):
        for goal in (BridgeGoal.NO_SERIOUS, BridgeGoal.CURE_ALL):
            bridge = search.find(kind, goal)
            if bridge is not None:
                found.append(bridge)
    return tuple(found)


# ---------------------------------------------------------------- words and JSON
def bridge_json(bridge: Bridge) -> dict[str, Any]:
    """One entry of the plan's `bridging[]`."""
    effect = bridge.effect
    form: dict[str, Any] = {
        "kind": bridge.kind.value,
        "amount": str(bridge.amount.amount),
        "on": bridge.on.isoformat(),
        "goal": bridge.goal.value,
        "minimal": bridge.minimal,
    }
    if bridge.repay_monthly is not None and bridge.repay_from is not None:
        form["repay_monthly"] = str(bridge.repay_monthly.amount)
        form["repay_from"] = bridge.repay_from.isoformat()
    form["effect"] = {
        "overdue_account_months": effect.overdue_account_months,
        "serious_account_months": effect.serious_account_months,
        "cost": str(effect.cost),
        "clean_on": None if effect.clean_on is None else effect.clean_on.isoformat(),
        "saving": str(effect.saving),
    }
    return form


def bridge_words(bridge: Bridge, baseline: Replanned) -> str:
    """The bridge as the summary's list item ("- 8,000 from relatives in December 2026 ... and
    save 1,159.22: ..."), said in the renderer's language (`Said`)."""
    amount = f"{bridge.amount.amount:,.0f}"
    month = month_named(bridge.on)
    source: Said
    if bridge.kind is BridgeKind.FAMILY_LOAN:
        assert bridge.repay_monthly is not None and bridge.repay_from is not None
        source = Said(
            N_("%(amount)s from relatives in %(month)s (repaid %(repay)s a month from %(from)s)"),
            amount=amount,
            month=month,
            repay=f"{bridge.repay_monthly.amount:,.2f}",
            **{"from": bridge.repay_from.isoformat()},
        )
    elif bridge.kind is BridgeKind.ASSET_SALE:
        source = Said(N_("%(amount)s from selling something in %(month)s"), amount=amount,
                      month=month)  # fmt: skip
    else:
        source = Said(N_("%(amount)s more income a month from %(month)s"), amount=amount,
                      month=month)  # fmt: skip
    if bridge.goal is BridgeGoal.NO_SERIOUS and bridge.kind is BridgeKind.INCOME_RISE:
        aim = Said(N_("would keep every loan under 90 days from %(month)s"), month=month)
    elif bridge.goal is BridgeGoal.NO_SERIOUS:
        aim = Said(N_("would keep every loan under 90 days"))
    elif bridge.kind is BridgeKind.INCOME_RISE:
        aim = Said(N_("would cure every loan by the end of %(month)s"), month=month)
    else:
        aim = Said(N_("would cure every loan at once"))
    effect = bridge.effect
    saving = effect.saving
    money = (
        Said(N_("save %(amount)s"), amount=f"{saving:,.2f}")
        if saving >= 0
        else Said(N_("cost %(amount)s more"), amount=f"{-saving:,.2f}")
    )
    least = "" if bridge.minimal else Said(N_(" (the least found, not proven least)"))
    return Said(
        N_(
            "- %(source)s %(aim)s and %(money)s: %(before)s -> %(after)s loan-months overdue, "
            "%(serious_before)s -> %(serious_after)s beyond 90 days%(least)s."
        ),
        source=source,
        aim=aim,
        money=money,
        before=baseline.outcome.overdue_account_months,
        after=effect.overdue_account_months,
        serious_before=baseline.value.serious_months,
        serious_after=effect.serious_account_months,
        least=least,
    )


def quick_candidates(
    plan_input: PlanInput,
    horizon: Horizon,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> tuple[Outcome, ...]:
    """The search's cheap planner: the optimiser's candidates that need no programme (the
    classic strategies and the counsellor's orders), each simulated exactly."""
    budget = monthly_budget(plan_input, horizon)
    found = list(classic_outcomes(plan_input, budget, profile, calendar).values())
    for name, order in COUNSELLOR_ORDERS.items():
        plan = build_plan(plan_input, budget, profile, calendar, order, extra=True)
        found.append(simulate(plan_input, plan, horizon, profile, calendar, name=name))
    return tuple(found)
