"""Negotiation proposals: worked by hand, then money properties over random borrowers.

The hand case: 6000.00 interest-free over 6 months of 1000.00 principal (equal principal) from
2026-01-15, penalty 0.05 % a day on overdue principal, nothing ever paid. On 2026-07-01 five
instalments are overdue (due the 15th of February..June): penalty = 1000 x 0.0005 x (136 + 108
+ 77 + 47 + 16) days = 192.00. The budget leaves 1000.00 a month (income 3000, expenses 2000)
and the plan (the minimum strategy) spends it all on this loan.

Re-instalment over N months from 2026-07-01 (penalty waived) asks 6000/N on the 1st of each
month from August; July's 1000 is carried. Month m of the instalments has 1000 (m + 1) in hand
against 6000 m / N paid: N = 4 fails in November (5000 < 6000), N = 5 fits with 0.00 left in
December. An extension keeps the one instalment not yet due (July 15) and adds N months: N = 4
gives the same five instalments of 1200.00.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.loan.contract import Contract, PenaltyTerms, RepaymentMethod
from creditmend.domain.loan.cost import amount_above_cap
from creditmend.domain.loan.events import (
    DeductionSucceeded,
    LoanEvent,
    Payment,
    Restructure,
    RestructureKind,
)
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.view import loan_state
from creditmend.domain.money import ZERO, Money
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.budget import Budget, Horizon, cash_left, monthly_budget
from creditmend.domain.recovery.plan_input import CashFlow, PlanInput, PlanLoan
from creditmend.domain.recovery.proposals import (
    LoanCost,
    PlanCost,
    Proposal,
    ProposalOption,
    negotiation_proposals,
    plan_cost,
    proposals_json,
)
from creditmend.domain.recovery.simulate import Outcome, PaymentPlan, simulate
from creditmend.domain.recovery.strategies import STRATEGIES, minimum
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
AS_OF = date(2026, 7, 1)
D = Decimal


class FixedRate:
    """A root finder for tests: a fixed daily rate (the adapter's SciPy is not needed here)."""

    def __init__(self, rate: str) -> None:
        self.rate = Decimal(rate)

    def daily_irr(self, flows: Sequence[tuple[int, Decimal]]) -> Decimal | None:
        return self.rate


def _hand_case(
    rate: str = "0", lender_kind: str = "licensed", income: str = "3000.00"
) -> tuple[PlanInput, Budget, Outcome]:
    contract = Contract(
        id="loan-z",
        platform="Zero",
        principal=Money.of("6000.00", "CNY"),
        rate=Rate.annual(rate),
        term_months=6,
        method=RepaymentMethod.EQUAL_PRINCIPAL,
        disbursed_on=date(2026, 1, 15),
        penalty=PenaltyTerms(daily_rate=D("0.0005")),
        lender_kind=lender_kind,
    )
    cash = CashFlow(
        Money.of(income, "CNY"), Money.of("2000.00", "CNY"), Money.zero("CNY"), Money.zero("CNY")
    )
    plan_input = PlanInput("CNY", (PlanLoan(contract, (), "loans[0]"),), cash)
    horizon = Horizon.of(AS_OF, 12)
    budget = monthly_budget(plan_input, horizon)
    plan = minimum(plan_input, budget, CN, CAL)
    return (
        plan_input,
        budget,
        simulate(plan_input, plan, horizon, CN, CAL),
    )


def test_the_hand_case_asks_five_instalments_of_1200_and_the_waiver_of_192() -> None:
    plan_input, budget, outcome = _hand_case()
    (proposal,) = negotiation_proposals(plan_input, outcome, budget, CN, CAL)
    owed = proposal.owed
    assert (owed.overdue_principal, owed.outstanding_principal) == (
        Money.of("5000.00", "CNY"),
        Money.of("6000.00", "CNY"),
    )
    assert owed.penalty == Money.of("192.00", "CNY") and owed.days_past_due == 136
    assert owed.overdue == Money.of("5192.00", "CNY") and owed.payoff == Money.of("6192.00", "CNY")
    reinstalment, extension = proposal.options
    assert (reinstalment.kind, reinstalment.months) == (RestructureKind.REINSTALMENT, 5)
    assert (extension.kind, extension.months) == (RestructureKind.EXTENSION, 4)
    for option in (reinstalment, extension):
        assert option.carried
        assert option.instalments == tuple(
            (date(2026, month, 1), Money.of("1200.00", "CNY")) for month in range(8, 13)
        )
        assert option.monthly == Money.of("1200.00", "CNY") and option.total == Money.of(
            "6000.00", "CNY"
        )
        assert option.penalty_waived == Money.of("192.00", "CNY")
        assert [line.cash_left.amount for line in option.budget] == [
            D(v) for v in ("1000", "800", "600", "400", "200", "0")
        ]
        assert option.tightest is not None and option.tightest.month == "2026-12"
        # Accepted: 6000.00 paid, nothing more; the overdue ends at once (no overdue month).
        assert option.accepted.total_paid == Money.of("6000.00", "CNY")
        assert option.accepted.charges == Money.zero("CNY") and option.accepted.overdue_months == 0
        assert option.accepted.closed_on == date(2026, 12, 1)
        assert option.without.charges.amount > ZERO and option.without.overdue_months == 6
    assert proposal.recommended is RestructureKind.REINSTALMENT
    assert proposal.chosen is reinstalment
    # A level amount from August to the horizon's end (June 2027) with July's cash carried:
    # 12 x 1000.00 over 11 months = 1090.909.. -> 1090.90, rounded down so that it fits.
    assert (proposal.affordable_monthly, proposal.affordable_from) == (
        Money.of("1090.90", "CNY"),
        "2026-08",
    )
    assert proposal.cost.above_cap is False
    form = proposals_json((proposal,))
    json.dumps(form)
    assert form[0]["options"][0]["instalments"][0] == {"due_on": "2026-08-01", "amount": "1200.00"}
    assert form[0]["options"][0]["budget"][1]["cash_left"] == "800.00"


def _accepted_by_simulation(
    plan_input: PlanInput, outcome: Outcome, proposal: Proposal, option: ProposalOption
) -> tuple[LoanCost, PlanCost]:
    """The option accepted, simulated from scratch: the restructure among the loan's events,
    its instalments in its column of the plan, the other loans as planned."""
    event = Restructure(AS_OF, option.kind, option.months, waive_penalty=option.waive_penalty)
    loans = tuple(
        replace(loan, events=(*loan.events, event)) if loan.id == proposal.loan_id else loan
        for loan in plan_input.loans
    )
    accepted_input = replace(plan_input, loans=loans)
    by_month = {f"{day:%Y-%m}": amount.amount for day, amount in option.instalments}
    ids = [loan.id for loan in loans]
    table = [
        [
            by_month.get(planned.month, ZERO)
            if loan_id == proposal.loan_id
            else planned.paid_to(loan_id)
            for loan_id in ids
        ]
        for planned in outcome.plan.months
    ]
    plan = PaymentPlan.of(outcome.horizon.labels, ids, table, "CNY")
    accepted = simulate(accepted_input, plan, outcome.horizon, CN, CAL)
    mine = next(loan for loan in accepted.loans if loan.loan_id == proposal.loan_id)
    return LoanCost.of(mine), plan_cost(accepted)


def test_the_accepted_plan_is_the_simulation_of_the_restructure_and_a_planner_may_remake_it() -> (
    None
):
    plan_input, budget, outcome = _hand_case()
    (proposal,) = negotiation_proposals(plan_input, outcome, budget, CN, CAL)
    for option in proposal.options:
        assert _accepted_by_simulation(plan_input, outcome, proposal, option) == (
            option.accepted,
            option.plan_accepted,
        )
    # Re-made by a planner (here the minimum strategy): it pays what the new schedule asks.
    (remade,) = negotiation_proposals(plan_input, outcome, budget, CN, CAL, replan=minimum)
    assert remade.options[0].accepted == proposal.options[0].accepted
    assert remade.options[0].budget == proposal.options[0].budget


def test_one_fen_short_a_month_makes_five_months_not_enough() -> None:
    # 999.99 a month: five instalments of 1200.00 need 6000.00 by December, 5999.94 is there.
    plan_input, budget, outcome = _hand_case(income="2999.99")
    (proposal,) = negotiation_proposals(plan_input, outcome, budget, CN, CAL)
    assert [(o.kind, o.months) for o in proposal.options] == [
        (RestructureKind.REINSTALMENT, 6),
        (RestructureKind.EXTENSION, 5),
    ]
    assert proposal.options[0].monthly == Money.of("1000.00", "CNY")


def test_nothing_fits_when_the_budget_carries_nothing() -> None:
    plan_input, budget, outcome = _hand_case(income="2000.00")
    (proposal,) = negotiation_proposals(plan_input, outcome, budget, CN, CAL, max_months=6)
    assert proposal.recommended is None and proposal.chosen is None
    assert all(not option.carried for option in proposal.options)
    # The longest ask tried, with its shortfall month by month.
    reinstalment = proposal.options[0]
    assert reinstalment.months == 6
    assert reinstalment.budget[1].cash_left == Money.of("-1000.00", "CNY")
    assert (proposal.affordable_monthly, proposal.affordable_from) == (Money.zero("CNY"), None)


def test_the_amount_above_the_legal_cap_is_the_cost_modules() -> None:
    # Private lending at 24 % a year signed in January 2026: the cap is 4 x LPR = 12 %.
    plan_input, budget, outcome = _hand_case(rate="0.24", lender_kind="private")
    (proposal,) = negotiation_proposals(
        plan_input, outcome, budget, CN, CAL, solver=FixedRate("0.0006")
    )
    loan = plan_input.loans[0]
    state = loan_state(run(loan.contract, loan.events, AS_OF, CN, CAL), AS_OF)
    cost = proposal.cost
    assert cost.cap == D("0.120")
    assert cost.amount_above_cap == amount_above_cap(state.cash_flows, D("0.120"), AS_OF)
    assert cost.amount_above_cap.amount > ZERO and cost.above_cap
    assert cost.annualised_cost == D("0.2190")  # 0.06 % a day x 365
    assert "above" in cost.cap_source or cost.cap_source


# ---------------------------------------------------------------- properties
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def borrowers(draw: st.DrawFn) -> tuple[PlanInput, Budget, Outcome]:
    loans = []
    for index in range(draw(st.integers(1, 2))):
        term = draw(st.integers(2, 12))
        disbursed_on = AS_OF - timedelta(days=draw(st.integers(40, 300)))
        contract = Contract(
            id=f"loan-{index}",
            platform=f"P{index}",
            principal=Money(draw(cents(100_000, 2_000_000)), "CNY"),
            rate=Rate.annual(Decimal(draw(st.integers(0, 3600))).scaleb(-4)),
            term_months=term,
            method=draw(
                st.sampled_from(
                    [RepaymentMethod.EQUAL_INSTALLMENT, RepaymentMethod.EQUAL_PRINCIPAL]
                )
            ),
            disbursed_on=disbursed_on,
            grace_days=draw(st.integers(0, 3)),
            penalty=PenaltyTerms(compound_interest=draw(st.booleans())),
        )
        events: list[LoanEvent] = []
        for offset, amount in draw(
            st.lists(
                st.tuples(st.integers(0, (AS_OF - disbursed_on).days), cents(1, 100_000)),
                max_size=3,
            )
        ):
            on = disbursed_on + timedelta(days=offset)
            events.append(Payment(on, amount) if offset % 2 else DeductionSucceeded(on, amount))
        loans.append(PlanLoan(contract, tuple(events), f"loans[{index}]"))
    cash = CashFlow(
        Money(draw(cents(200_000, 1_500_000)), "CNY"),
        Money(draw(cents(100_000, 600_000)), "CNY"),
        Money(draw(cents(0, 500_000)), "CNY"),
        Money.zero("CNY"),
    )
    plan_input = PlanInput("CNY", tuple(loans), cash)
    horizon = Horizon.of(AS_OF, draw(st.integers(4, 10)))
    budget = monthly_budget(plan_input, horizon)
    plan = STRATEGIES[draw(st.sampled_from(["minimum", "avalanche"]))](plan_input, budget, CN, CAL)
    return (
        plan_input,
        budget,
        simulate(plan_input, plan, horizon, CN, CAL),
    )


def _check(proposal: Proposal, budget: Budget, outcome: Outcome, plan_input: PlanInput) -> None:
    baseline = cash_left(budget, outcome.plan.totals())
    room = [
        month.available.amount - planned.total + planned.paid_to(proposal.loan_id)
        for month, planned in zip(budget.months, outcome.plan.months, strict=True)
    ]
    for option in proposal.options:
        amounts = [amount.amount for _, amount in option.instalments]
        # The instalments add up, and the largest times their number covers them.
        assert option.total.amount == sum(amounts, ZERO)
        assert option.monthly.amount == max(amounts)
        assert option.monthly.amount * len(amounts) >= option.total.amount
        # Paying them exactly settles the loan to the fen: no fen missing, none paid beyond.
        assert option.accepted.payoff_left == Money.zero("CNY")
        assert option.accepted.closed_on is not None
        assert option.accepted.total_paid == option.total
        assert option.accepted.overdue_months == 0
        assert _accepted_by_simulation(plan_input, outcome, proposal, option) == (
            option.accepted,
            option.plan_accepted,
        )
        # What they carry covers all principal and the overdue interest and fees (the penalty
        # too unless it was waived), less what the lender already holds as credit.
        owed = proposal.owed
        floor = owed.outstanding_principal + owed.overdue_interest + owed.fees - owed.credit
        if not option.waive_penalty:
            floor = floor + owed.penalty
        assert option.total.amount >= floor.amount
        # The budget's proof, recomputed from the budget and the instalments.
        paid = [line.instalment.amount for line in option.budget]
        paid += [ZERO] * (len(room) - len(paid))
        left = ZERO
        fits = True
        for month, (space, amount, before) in enumerate(zip(room, paid, baseline, strict=True)):
            in_hand = left + space  # the month's cash after the others, and what was left
            if option.carried and amount > ZERO:
                assert amount <= in_hand  # never more than the cash there is that month
            left = in_hand - amount
            if month < len(option.budget):
                assert option.budget[month].cash_left.amount == left
            if (amount > ZERO and left < ZERO) or left < min(before, ZERO):
                fits = False
        assert fits is option.carried
    # The level offer fits from its first month to the horizon's end.
    if proposal.affordable_from is not None:
        start = list(outcome.horizon.labels).index(proposal.affordable_from)
        left = sum(room[:start], ZERO)
        for space in room[start:]:
            left += space - proposal.affordable_monthly.amount
            assert left >= ZERO


@SETTINGS
@given(borrowers())
def test_every_proposal_adds_up_settles_to_the_fen_and_fits_where_it_says(
    borrower: tuple[PlanInput, Budget, Outcome],
) -> None:
    plan_input, budget, outcome = borrower
    proposals = negotiation_proposals(plan_input, outcome, budget, CN, CAL, max_months=8)
    for proposal in proposals:
        _check(proposal, budget, outcome, plan_input)
        if proposal.recommended is not None:
            chosen = proposal.chosen
            assert chosen is not None and chosen.carried
    json.dumps(proposals_json(proposals))
