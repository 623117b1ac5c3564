"""The classic repayment strategies a counsellor compares any better plan against.

- `minimum`: each loan gets what is due on its payment day (arrears, penalty and fees first, as
  the contract allocates them), loan by loan in the plan file's order, as far as the month's
  cash goes. Nothing is paid ahead: the baseline of "keep the platforms quiet".
- `avalanche`: what is due first, then everything left to the loan with the highest contract
  rate, then the next (least interest paid, in theory).
- `snowball`: what is due first, then everything left to the loan with the smallest payoff,
  then the next (a loan closed soonest, the encouragement of a quick win).

When the month's cash does not cover every minimum, avalanche and snowball serve the minimums
in their own order too (the highest rate, or the smallest balance, is kept current first).

Good faith (`preferences.good_faith`, on by default) comes before any order: in a month that
pays anything, every loan overdue at the start of the month first gets its good-faith minimum
(`good_faith.good_faith_shares`: in full, or the month's cash shared in proportion when it does
not cover them all), then the strategy serves minimums and extra in its own order.

Dates: each month's amounts are paid as `simulate` says (arrears on the money day, the
instalment on its due day), so a strategy reads its quotes on the money day.

The amounts come from the ledger itself: every loan is walked month by month (`LoanTrack`) and
the strategy reads what is due and what would settle each loan on its payment day, so a
strategy pays exactly what the contract asks, never more than a loan's payoff. Cash not spent
in a month (everything due is paid, or every loan is settled) carries over to the next; a month
whose budget is negative eats into what earlier months left. The plan a strategy returns is
then simulated like any other (`simulate.simulate`), which gives the same ledgers again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.money import ZERO
from creditmend.domain.recovery.budget import Budget
from creditmend.domain.recovery.good_faith import good_faith_shares
from creditmend.domain.recovery.plan_input import PlanInput
from creditmend.domain.recovery.simulate import (
    LoanTrack,
    Outcome,
    PaymentPlan,
    Quote,
    open_tracks,
    outcome_of,
)
from creditmend.domain.rules.profile import JurisdictionProfile

# Given the month's quotes and the tracks, the order in which loans are served.
Order = Callable[[Sequence[Quote], Sequence[LoanTrack]], list[int]]


def _file_order(quotes: Sequence[Quote], tracks: Sequence[LoanTrack]) -> list[int]:
    return list(range(len(quotes)))


def _highest_rate(quotes: Sequence[Quote], tracks: Sequence[LoanTrack]) -> list[int]:
    def key(index: int) -> tuple[Decimal, Decimal, int]:
        ledger = tracks[index].ledger
        rate = ledger.contract.rate.per_day(ledger.days_in_year)
        return (-rate, quotes[index].owed, index)

    return sorted(range(len(quotes)), key=key)


def _smallest_balance(quotes: Sequence[Quote], tracks: Sequence[LoanTrack]) -> list[int]:
    return sorted(range(len(quotes)), key=lambda index: (quotes[index].owed, index))


def share(
    quotes: Sequence[Quote], order: Sequence[int], cash: Decimal, extra: bool, currency: str
) -> list[Decimal]:
    """Good-faith minimums first, then minimums in `order` as far as `cash` goes, then (with
    `extra`) the rest in the same order, each loan at most up to its payoff."""
    amounts = good_faith_shares([q.good_faith for q in quotes], cash, currency)
    left = max(cash, ZERO) - sum(amounts, ZERO)
    for index in order:
        take = min(max(quotes[index].due - amounts[index], ZERO), left)
        amounts[index] += take
        left -= take
    if extra:
        for index in order:
            if left <= ZERO:
                break
            take = min(quotes[index].owed - amounts[index], left)
            if take > ZERO:
                amounts[index] += take
                left -= take
    return amounts


def _walk(
    plan_input: PlanInput,
    budget: Budget,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    order: Order,
    extra: bool,
) -> tuple[PaymentPlan, list[LoanTrack]]:
    horizon = budget.horizon
    tracks = open_tracks(plan_input, horizon, profile, calendar)
    cash = ZERO
    table: list[list[Decimal]] = []
    for index, month in enumerate(budget.months):
        cash += month.available.amount
        quotes = [track.open_month(index) for track in tracks]
        amounts = share(quotes, order(quotes, tracks), cash, extra, plan_input.currency)
        for track, amount in zip(tracks, amounts, strict=True):
            track.pay(amount)
            track.close_month(index)
        cash -= sum(amounts, ZERO)
        table.append(amounts)
    loan_ids = [loan.id for loan in plan_input.loans]
    return PaymentPlan.of(horizon.labels, loan_ids, table, plan_input.currency), tracks


def build_plan(
    plan_input: PlanInput,
    budget: Budget,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    order: Order,
    extra: bool,
) -> PaymentPlan:
    """Walk every loan month by month, sharing each month's cash (with what earlier months left)
    in `order`: minimums first, then, with `extra`, everything left."""
    return _walk(plan_input, budget, profile, calendar, order, extra)[0]


def minimum(
    plan_input: PlanInput, budget: Budget, profile: JurisdictionProfile, calendar: BusinessCalendar
) -> PaymentPlan:
    return build_plan(plan_input, budget, profile, calendar, _file_order, extra=False)


def avalanche(
    plan_input: PlanInput, budget: Budget, profile: JurisdictionProfile, calendar: BusinessCalendar
) -> PaymentPlan:
    return build_plan(plan_input, budget, profile, calendar, _highest_rate, extra=True)


def snowball(
    plan_input: PlanInput, budget: Budget, profile: JurisdictionProfile, calendar: BusinessCalendar
) -> PaymentPlan:
    return build_plan(plan_input, budget, profile, calendar, _smallest_balance, extra=True)


Strategy = Callable[[PlanInput, Budget, JurisdictionProfile, BusinessCalendar], PaymentPlan]

STRATEGIES: dict[str, Strategy] = {
    "minimum": minimum,
    "avalanche": avalanche,
    "snowball": snowball,
}
_RULES: dict[str, tuple[Order, bool]] = {
    "minimum": (_file_order, False),
    "avalanche": (_highest_rate, True),
    "snowball": (_smallest_balance, True),
}


def classic_outcomes(
    plan_input: PlanInput,
    budget: Budget,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> dict[str, Outcome]:
    """Every classic strategy's plan and its exact outcome. The walk that chose the payments
    already holds the ledgers the plan's simulation would fold again (a test checks that they
    agree), so each strategy costs one fold per loan."""
    outcomes: dict[str, Outcome] = {}
    for name, (order, extra) in _RULES.items():
        plan, tracks = _walk(plan_input, budget, profile, calendar, order, extra)
        outcomes[name] = outcome_of(name, plan, plan_input.currency, tracks, profile)
    return outcomes
