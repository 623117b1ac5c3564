"""Loans above the legal cap: the excess computed in parts, the loan planned at the cap under
`preferences.above_cap: dispute` (the default) and as written under `pay`; and, for the shipped
scenarios, every strategy's proposals promise exactly that strategy's payments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from test_recovery_counsel_proposals import letter_schedule

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.loan.cost import amount_above_cap
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.view import loan_state
from creditmend.domain.problems import ProblemsError
from creditmend.domain.recovery.above_cap import (
    above_cap_loans,
    at_cap,
    capped_contract,
    planned_input,
)
from creditmend.domain.recovery.candidates import objection_candidates
from creditmend.domain.recovery.letters import proposal_letters
from creditmend.domain.recovery.plan_input import AboveCapChoice, PlanInput, read_plan
from creditmend.domain.recovery.proposals import ProposalKind, plan_proposals
from creditmend.domain.rules.cn import CN
from creditmend.services.advise import Advice, AdviseService
from creditmend.services.plan import PlanRequest

CAL = WeekdayCalendar()
EXAMPLES = Path(__file__).parents[2] / "examples"
FIVE = EXAMPLES / "five-platforms.yaml"
FIVE_AS_OF = date(2026, 12, 7)
D = Decimal


def _read(path: Path, **preferences: str) -> PlanInput:
    document, lines = read_yaml_with_lines(path)
    if preferences:
        document = {**document, "preferences": {**document["preferences"], **preferences}}
    return read_plan(document, CN, lines)


def _service() -> AdviseService:
    from creditmend.adapters.solver_highs import HighsSolver  # noqa: PLC0415

    return AdviseService(CN, WeekdayCalendar(), read_yaml_with_lines, HighsSolver())


@cache
def _advised(name: str, as_of: date) -> Advice:
    """The shipped example planned as written (the cap disputed, both comparisons made): a
    few seconds each, so made once and read by several tests (Advice is immutable)."""
    return _service().advise(_read(EXAMPLES / name), as_of)


def test_the_excess_is_what_the_contract_asks_beyond_a_loan_at_the_cap() -> None:
    plan_input = _read(FIVE)
    (xiaodai,) = above_cap_loans(plan_input, FIVE_AS_OF, CN, CAL)
    assert (xiaodai.loan_id, xiaodai.cap, xiaodai.disputed) == ("xiaodai", D("0.24"), True)
    loan = plan_input.loan("xiaodai")
    state = loan_state(run(loan.contract, loan.events, FIVE_AS_OF, CN, CAL), FIVE_AS_OF)
    assert xiaodai.excess == amount_above_cap(state.cash_flows, D("0.24"), FIVE_AS_OF)
    assert xiaodai.contract_owes == state.payoff_amount
    assert xiaodai.proceeds.amount == D("3000.00")
    assert xiaodai.paid.amount == D("553.79") * 3
    assert xiaodai.proceeds_at_cap - xiaodai.paid_at_cap == xiaodai.owed_at_cap
    assert xiaodai.contract_owes - xiaodai.owed_at_cap == xiaodai.excess
    assert xiaodai.excess.amount > 0


def test_the_loan_at_the_cap_charges_no_more_than_the_cap_and_counts_past_excess_to_principal() -> (
    None
):
    plan_input = _read(FIVE)
    above = above_cap_loans(plan_input, FIVE_AS_OF, CN, CAL)
    capped = at_cap(plan_input, above, CN)
    original, priced = plan_input.loan("xiaodai"), capped.loan("xiaodai")
    contract = priced.contract
    assert contract.rate.per_day(360) <= D("0.24") / 365
    assert (
        contract.penalty.daily_rate is not None and contract.penalty.daily_rate <= D("0.24") / 365
    )
    assert not contract.penalty.compound_interest and contract.fees == ()
    assert priced.events == original.events  # the same history, folded again at the cap
    before = loan_state(run(original.contract, original.events, FIVE_AS_OF, CN, CAL), FIVE_AS_OF)
    after = loan_state(run(contract, priced.events, FIVE_AS_OF, CN, CAL), FIVE_AS_OF)
    assert after.payoff_amount < before.payoff_amount
    assert after.outstanding_principal < before.outstanding_principal  # past excess to principal
    # Simple interest at the cap never asks more than the compounded cap computation allows.
    assert after.payoff_amount <= above[0].owed_at_cap
    # The other loans are not touched.
    for loan in plan_input.loans:
        if loan.id != "xiaodai":
            assert capped.loan(loan.id) == loan


def test_a_contract_below_the_cap_keeps_its_rate() -> None:
    loan = _read(FIVE).loan("weilidai")
    assert capped_contract(loan.contract, D("0.24"), CN).rate == loan.contract.rate


def test_above_cap_pay_plans_the_contract_as_written() -> None:
    plan_input = _read(FIVE, above_cap="pay")
    assert plan_input.preferences.above_cap is AboveCapChoice.PAY
    above = above_cap_loans(plan_input, FIVE_AS_OF, CN, CAL)
    assert above and not above[0].disputed
    assert planned_input(plan_input, above, CN) is plan_input
    assert _read(FIVE).preferences.above_cap is AboveCapChoice.DISPUTE  # the default


def test_an_unknown_above_cap_choice_is_named_with_its_line() -> None:
    document, lines = read_yaml_with_lines(FIVE)
    document = {**document, "preferences": {"above_cap": "haggle"}}
    with pytest.raises(ProblemsError) as error:
        read_plan(document, CN, lines)
    (problem,) = error.value.problems
    assert problem.field == "preferences.above_cap"
    assert "dispute, pay" in problem.message


@pytest.mark.slow  # whole plans of five loans, and the comparison at the cap
def test_five_platforms_the_36_percent_loan_is_no_longer_paid_as_its_contract_asks() -> None:
    service = _service()
    advice = service.plan(  # nothing here reads the bridging money: its search is skipped
        PlanRequest(FIVE_AS_OF, plan_file=FIVE, bridging=False),
        datetime(2026, 12, 7, 9, tzinfo=UTC),
    )
    (xiaodai,) = advice.above_cap
    outcome = advice.strategies["optimal"]
    paid = next(loan for loan in outcome.loans if loan.loan_id == "xiaodai")
    # Whatever the plan pays it, it never pays the contract's payoff: the excess is disputed.
    assert sum((a.amount for _, a in paid.payments), D(0)) <= xiaodai.owed_at_cap.amount
    (proposal,) = (p for p in advice.proposals if p.loan_id == "xiaodai")
    assert proposal.kind is ProposalKind.CAP_DISPUTE and proposal.above_cap == xiaodai
    assert proposal.schedule == paid.payments
    # Both totals: paying every contract as written costs more.
    totals = advice.cap_totals
    assert totals is not None
    assert totals.dispute.total_paid == outcome.total_paid
    assert totals.pay.total_paid.amount > totals.dispute.total_paid.amount
    # The terminal's letter count is the platforms written to.
    assert len(advice.letters) == len({p.platform for p in advice.proposals})
    # No letter for a loan the plan keeps current throughout (Weilidai).
    assert "weilidai" not in {p.loan_id for p in advice.proposals}


@pytest.mark.parametrize(
    ("name", "as_of"),
    [
        ("plan.yaml", date(2026, 7, 1)),
        pytest.param("five-platforms.yaml", FIVE_AS_OF, marks=pytest.mark.slow),
    ],
)
def test_every_strategys_proposals_promise_exactly_its_payments(name: str, as_of: date) -> None:
    advice = _advised(name, as_of)
    for strategy, outcome in advice.strategies.items():
        candidates = objection_candidates(advice.plan_input, outcome, CN, CAL)
        proposals = plan_proposals(
            advice.plan_input,
            outcome,
            advice.budget,
            CN,
            CAL,
            candidates=candidates,
            above_cap=advice.above_cap,
        )
        payments = {loan.loan_id: loan.payments for loan in outcome.loans}
        assert proposals, strategy
        for proposal in proposals:
            assert proposal.schedule == payments[proposal.loan_id], (strategy, proposal.loan_id)
        # Each platform's letter promises its loans' payments, in the plan's order.
        for letter in proposal_letters(proposals, borrower="B", on=as_of):
            promised = [
                (on.isoformat(), amount.amount)
                for loan_id in letter.loan_ids
                for on, amount in payments[loan_id]
            ]
            assert letter_schedule(letter.text) == promised, (strategy, letter.platform)


@pytest.mark.slow  # five whole plans of five loans
def test_a_plan_under_pay_keeps_the_contract_and_the_same_two_totals() -> None:
    service = _service()
    disputed = _advised(FIVE.name, FIVE_AS_OF)
    paid = service.advise(_read(FIVE, above_cap="pay"), FIVE_AS_OF)
    assert paid.plan_input.loan("xiaodai") == _read(FIVE).loan("xiaodai")
    assert disputed.plan_input.loan("xiaodai") != paid.plan_input.loan("xiaodai")
    assert disputed.cap_totals is not None and paid.cap_totals is not None
    assert paid.cap_totals.pay.total_paid == paid.strategies["optimal"].total_paid
    # A re-plan (bridging, a new loan) may skip the comparison; the plan at the cap needs none.
    again = service.advise(_read(FIVE), FIVE_AS_OF, compare_cap=False)
    assert again.cap_totals is None and again.above_cap == disputed.above_cap
    replanned = service.advise(disputed.plan_input, FIVE_AS_OF)
    assert replanned.above_cap == () and replanned.cap_totals is None
    assert replanned.plan_input == disputed.plan_input
