"""Proposals made from the plan: worked by hand, then "the letter's schedule is the plan's
payments" for every strategy (the optimiser's plan and the classics) over random borrowers, read
back from the letter's text too.

The hand case: 6000.00 interest-free over 6 months of 1000.00 principal (equal principal) from
2026-01-15, penalty 0.05 % a day on overdue principal, nothing ever paid. On 2026-07-01 five
instalments are overdue (due the 15th of February..June). The budget leaves 1000.00 a month
(income 3000, expenses 2000) and the plan (the minimum strategy) spends it all on this loan: it
cannot keep the loan current, so the proposal is a re-instalment of exactly those payments, or,
when the horizon ends before the loan is cured, a hardship instalment.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_recovery_properties import SETTINGS, borrowers  # the same random borrowers

from creditmend.adapters.solver_highs import HighsSolver
from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.loan.contract import (
    Contract,
    PenaltyTerms,
    RepaymentMethod,
    RevolvingTerms,
)
from creditmend.domain.loan.events import (
    DeductionFailed,
    DeductionFailure,
    LoanEvent,
    Payment,
    Purchase,
)
from creditmend.domain.money import Money
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.best_plan import Optimiser
from creditmend.domain.recovery.budget import Budget, Horizon, monthly_budget
from creditmend.domain.recovery.candidates import objection_candidates
from creditmend.domain.recovery.good_faith import good_faith_minimum
from creditmend.domain.recovery.letters import proposal_letter
from creditmend.domain.recovery.plan_input import (
    CashFlow,
    GoodFaithMinimum,
    PlanInput,
    PlanLoan,
    Preferences,
)
from creditmend.domain.recovery.proposals import (
    Ground,
    Proposal,
    ProposalKind,
    plan_proposals,
    proposals_json,
)
from creditmend.domain.recovery.simulate import Outcome, simulate
from creditmend.domain.recovery.strategies import classic_outcomes, minimum
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
AS_OF = date(2026, 7, 1)
D = Decimal


def _zero_loan(loan_id: str = "loan-z", platform: str = "Zero") -> PlanLoan:
    contract = Contract(
        id=loan_id,
        platform=platform,
        principal=Money.of("6000.00", "CNY"),
        rate=Rate.annual("0"),
        term_months=6,
        method=RepaymentMethod.EQUAL_PRINCIPAL,
        disbursed_on=date(2026, 1, 15),
        penalty=PenaltyTerms(daily_rate=D("0.0005")),
    )
    return PlanLoan(contract, (), "loans[0]")


def _current_loan() -> PlanLoan:
    """1200.00 interest-free over 12 months from 2026-06-20: nothing due before the plan."""
    contract = Contract(
        id="loan-c",
        platform="Current",
        principal=Money.of("1200.00", "CNY"),
        rate=Rate.annual("0"),
        term_months=12,
        method=RepaymentMethod.EQUAL_PRINCIPAL,
        disbursed_on=date(2026, 6, 20),
    )
    return PlanLoan(contract, (), "loans[1]")


def _plan(
    *loans: PlanLoan, income: str = "3000.00", months: int = 12
) -> tuple[PlanInput, Budget, Outcome]:
    cash = CashFlow(
        Money.of(income, "CNY"), Money.of("2000.00", "CNY"), Money.zero("CNY"), Money.zero("CNY")
    )
    plan_input = PlanInput("CNY", loans, cash)
    horizon = Horizon.of(AS_OF, months)
    budget = monthly_budget(plan_input, horizon)
    plan = minimum(plan_input, budget, CN, CAL)
    return plan_input, budget, simulate(plan_input, plan, horizon, CN, CAL)


_PAYMENT_LINE = re.compile(r"^    (\d{4}-\d{2}-\d{2})  ([\d,]+\.\d{2}) CNY$", re.MULTILINE)


def letter_schedule(text: str) -> list[tuple[str, Decimal]]:
    """The payments a letter promises, read back from its text."""
    return [(on, D(amount.replace(",", ""))) for on, amount in _PAYMENT_LINE.findall(text)]


def _schedule_is_the_plan(proposals: tuple[Proposal, ...], outcome: Outcome) -> None:
    paid = {loan.loan_id: loan.payments for loan in outcome.loans}
    for proposal in proposals:
        assert proposal.schedule == paid[proposal.loan_id], proposal.loan_id
        # The letter promises exactly these, in its text.
        text = proposal_letter(proposal, borrower="B", on=outcome.horizon.as_of)
        assert letter_schedule(text) == [
            (on.isoformat(), amount.amount) for on, amount in paid[proposal.loan_id]
        ]
        form = next(p for p in proposals_json(proposals) if p["loan_id"] == proposal.loan_id)
        assert [(s["on"], s["amount"]) for s in form["schedule"]] == [
            (on.isoformat(), str(amount.amount)) for on, amount in paid[proposal.loan_id]
        ]
        assert proposal.total.amount == sum((a.amount for _, a in proposal.schedule), D(0))


def test_the_hand_case_asks_to_re_instal_exactly_what_the_plan_pays() -> None:
    plan_input, budget, outcome = _plan(_zero_loan())
    (proposal,) = plan_proposals(plan_input, outcome, budget, CN, CAL)
    _schedule_is_the_plan((proposal,), outcome)
    assert proposal.kind is ProposalKind.REINSTALMENT
    assert proposal.grounds == (Ground.SHORTFALL,)
    # 5000 overdue + 192.00 penalty, paid from 1000 a month less what the current loan takes.
    assert proposal.owed.overdue_principal == Money.of("5000.00", "CNY")
    assert proposal.owed.penalty == Money.of("192.00", "CNY")
    assert proposal.settled_on is not None and proposal.current_from is not None
    assert proposal.budget and all(line.payment.amount > 0 for line in proposal.budget)
    # Each month's payment under the plan is in the budget's proof, with the others' share.
    loan = next(result for result in outcome.loans if result.loan_id == "loan-z")
    assert [line.payment for line in proposal.budget] == [
        m.paid for m in loan.months if m.paid.amount > 0
    ]
    # The waiver asked: the 192.00 owed now and what accrues while the arrears are paid.
    assert proposal.penalty_waiver == loan.penalty_paid + loan.final.penalty_accrued
    assert proposal.penalty_waiver.amount > D("192.00")
    json.dumps(proposals_json((proposal,)))


def test_a_loan_the_plan_keeps_current_gets_no_proposal() -> None:
    plan_input, budget, outcome = _plan(_current_loan())
    assert not any(m.overdue for m in outcome.loans[0].months)
    assert plan_proposals(plan_input, outcome, budget, CN, CAL) == ()


def test_a_loan_not_cured_in_the_horizon_gets_a_hardship_instalment() -> None:
    plan_input, budget, outcome = _plan(_zero_loan(), income="2100.00", months=4)
    (proposal,) = plan_proposals(plan_input, outcome, budget, CN, CAL)
    assert proposal.kind is ProposalKind.HARDSHIP_INSTALMENT
    assert proposal.grounds == (Ground.SHORTFALL, Ground.NOT_CURED)
    assert proposal.current_from is None and proposal.settled_on is None
    _schedule_is_the_plan((proposal,), outcome)
    assert proposal.starts_on == proposal.schedule[0][0]


def test_a_failed_debit_with_money_in_the_bank_asks_for_correction_and_waiver() -> None:
    loan = _zero_loan()
    failed = DeductionFailed(date(2026, 6, 15), DeductionFailure.PLATFORM_ERROR, D("9000.00"))
    loan = PlanLoan(loan.contract, (failed,), loan.field)
    plan_input, budget, outcome = _plan(loan)
    candidates = objection_candidates(plan_input, outcome, CN, CAL)
    assert candidates
    (proposal,) = plan_proposals(plan_input, outcome, budget, CN, CAL, candidates=candidates)
    assert proposal.kind is ProposalKind.CORRECTION_AND_WAIVER
    assert proposal.grounds[0] is Ground.FAILED_DEBIT
    assert proposal.objections == candidates
    assert "debit failed" in proposal.reason


def test_good_faith_minimum_is_the_smaller_of_the_arrears_and_a_tenth_at_least_fifty() -> None:
    prefs = Preferences().good_faith_minimum
    assert good_faith_minimum(prefs, D("1000.00"), D("5000.00"), "CNY") == D("100.00")
    assert good_faith_minimum(prefs, D("300.00"), D("5000.00"), "CNY") == D("50.00")
    assert good_faith_minimum(prefs, D("300.00"), D("20.00"), "CNY") == D("20.00")
    assert good_faith_minimum(prefs, D("1234.56"), D("5000.00"), "CNY") == D("123.46")  # up
    assert good_faith_minimum(prefs, D("300.00"), D("0"), "CNY") == D("0.00")


def test_the_plans_own_good_faith_terms_are_read_when_the_file_has_them() -> None:
    terms = GoodFaithMinimum(rate=D("0.2"), floor=D("10"))
    assert good_faith_minimum(terms, D("1000.00"), D("5000.00"), "CNY") == D("200.00")
    assert good_faith_minimum(terms, D("30.00"), D("5000.00"), "CNY") == D("10.00")


def test_a_plan_paying_less_than_good_faith_is_named_and_asks_for_hardship() -> None:
    # 30.00 a month for a loan 5,192.00 overdue, whose regular instalment is 1,000.00: the
    # good-faith minimum is 100.00, so no month's 30.00 is offered as good faith.
    plan_input, budget, outcome = _plan(_zero_loan(), income="2030.00", months=6)
    (proposal,) = plan_proposals(plan_input, outcome, budget, CN, CAL)
    assert proposal.good_faith_minimum == Money.of("100.00", "CNY")
    assert proposal.below_good_faith == outcome.horizon.labels
    assert proposal.kind is ProposalKind.HARDSHIP_INSTALMENT
    _schedule_is_the_plan((proposal,), outcome)
    text = proposal_letter(proposal, borrower="B", on=AS_OF)
    assert "the payment is below 100.00 CNY: it is all my budget carries that month." in text


@SETTINGS
@given(borrowers())
def test_every_proposal_of_every_strategy_promises_exactly_the_plans_payments(
    borrower: tuple[PlanInput, Horizon],
) -> None:
    _every_proposal_is_the_plan(*borrower)


@st.composite
def revolving_borrowers(draw: st.DrawFn) -> tuple[PlanInput, Horizon]:
    """A random borrower with a Huabei-like account added: a random limit, statement and due
    days (the plan's date sometimes between a statement and its due day, so the optimiser may
    convert it), purchases within the limit and a few payments, some months late or short."""
    plan_input, horizon = draw(borrowers())
    limit = draw(st.integers(1_000, 20_000))
    opened = horizon.as_of - timedelta(days=draw(st.integers(40, 300)))
    statement_day = draw(st.sampled_from([1, 5, 10, 12, 14, 20]))
    contract = Contract(
        id="huabei",
        platform="Huabei",
        principal=Money(D(limit), "CNY"),
        rate=Rate.daily(D("0.0005")),
        term_months=1,
        method=RepaymentMethod.REVOLVING,
        disbursed_on=opened,
        due_day=statement_day + draw(st.integers(5, 9)),
        revolving=RevolvingTerms(statement_day, D("0.10"), D("0.006")),
    )
    days = (horizon.as_of - opened).days
    # A purchase in the last cycle, so that a statement is open on the plan's date.
    last = D(limit) * draw(st.integers(5, 40)) / 100
    events: list[LoanEvent] = [Purchase(horizon.as_of - timedelta(days=25), last.quantize(D("1")))]
    spent = last
    for offset, share, paid in draw(
        st.lists(
            st.tuples(st.integers(0, days), st.integers(1, 30), st.integers(0, 3000)),
            min_size=1,
            max_size=6,
        )
    ):
        on = opened + timedelta(days=offset)
        amount = (D(limit) * share / 100).quantize(D("0.01"))
        if spent + amount <= limit:
            events.append(Purchase(on, amount))
            spent += amount
        if paid:
            events.append(Payment(on + timedelta(days=1), D(paid)))
    events = [e for e in events if e.on <= horizon.as_of]
    loan = PlanLoan(contract, tuple(sorted(events, key=lambda e: e.on)), "loans[9]")
    return replace(plan_input, loans=(*plan_input.loans, loan)), horizon


@pytest.mark.slow  # a whole optimised plan of several loans for each borrower drawn
@SETTINGS
@given(revolving_borrowers())
def test_a_revolving_accounts_proposal_promises_exactly_the_plans_payments(
    borrower: tuple[PlanInput, Horizon],
) -> None:
    """The same property with a revolving account among the loans: minimum, full or converted,
    its letter (a conversion asked of the platform, or a negotiation) promises the plan's
    payments."""
    _every_proposal_is_the_plan(*borrower)


def _every_proposal_is_the_plan(plan_input: PlanInput, horizon: Horizon) -> None:
    budget = monthly_budget(plan_input, horizon)
    classics = classic_outcomes(plan_input, budget, CN, CAL)
    optimal = Optimiser(HighsSolver()).optimise(plan_input, budget, CN, CAL, classics=classics)
    # The optimal plan is paid on the input it was made on (with any conversion it chose).
    paid_on = optimal.plan_input or plan_input
    for given_input, outcome in (
        (paid_on, optimal.outcome),
        *((plan_input, classic) for classic in classics.values()),
    ):
        candidates = objection_candidates(given_input, outcome, CN, CAL)
        proposals = plan_proposals(given_input, outcome, budget, CN, CAL, candidates=candidates)
        _schedule_is_the_plan(proposals, outcome)
        for proposal in proposals:
            loan = next(r for r in outcome.loans if r.loan_id == proposal.loan_id)
            # A proposal only where there is something to ask.
            assert any(m.overdue for m in loan.months) or proposal.objections
            assert (Ground.SHORTFALL in proposal.grounds) == any(m.overdue for m in loan.months)
            assert (proposal.kind is ProposalKind.HARDSHIP_INSTALMENT) >= (
                Ground.NOT_CURED in proposal.grounds and not proposal.objections
            )
            revolving = given_input.loan(proposal.loan_id).contract.is_revolving
            if proposal.kind is ProposalKind.CONVERSION:
                assert revolving and proposal.instalments >= 1
                text = proposal_letter(proposal, borrower="B", on=horizon.as_of)
                assert f"into {proposal.instalments} instalments (账单分期)" in text
            elif revolving and proposal.kind is ProposalKind.REINSTALMENT:
                raise AssertionError("a revolving account is asked for a conversion instead")
        asked = {p.loan_id for p in proposals}
        for loan in outcome.loans:
            if loan.loan_id not in asked and loan.final.closed_on is None:
                assert not any(m.overdue for m in loan.months)
        json.dumps(proposals_json(proposals))


def _huabei_unpaid() -> PlanLoan:
    """A Huabei-like account: 6000.00 bought on 2026-04-15, statements on the 1st, due on the
    10th, nothing paid: on 2026-07-01 two minimums are overdue (since 05-11 and 06-11)."""
    contract = Contract(
        id="huabei",
        platform="Huabei",
        principal=Money.of("8000.00", "CNY"),
        rate=Rate.daily(D("0.0005")),
        term_months=1,
        method=RepaymentMethod.REVOLVING,
        disbursed_on=date(2026, 4, 10),
        due_day=10,
        revolving=RevolvingTerms(1, D("0.10"), D("0.006")),
    )
    return PlanLoan(contract, (Purchase(date(2026, 4, 15), D("6000.00")),), "loans[0]")


def test_a_revolving_account_the_plan_leaves_overdue_is_asked_for_a_conversion() -> None:
    plan_input, budget, outcome = _plan(_huabei_unpaid())
    (proposal,) = plan_proposals(plan_input, outcome, budget, CN, CAL)
    huabei = outcome.loans[0]
    assert huabei.months[0].overdue and not huabei.months[-1].overdue
    assert proposal.kind is ProposalKind.CONVERSION
    assert proposal.instalments == len({(on.year, on.month) for on, _ in huabei.payments})
    _schedule_is_the_plan((proposal,), outcome)
    text = proposal_letter(proposal, borrower="B", on=AS_OF)
    assert f"into {proposal.instalments} instalments (账单分期)" in text
    assert f"转为 {proposal.instalments} 期分期" in text
    (form,) = proposals_json((proposal,))
    assert (form["kind"], form["instalments"]) == ("conversion", proposal.instalments)
