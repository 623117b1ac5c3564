"""The letter cites the proposal's own numbers, in Chinese and in English: the plan's payments,
the reason from the loan's facts, the cap's computation and the failed debit."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.loan.contract import Contract, PenaltyTerms, RepaymentMethod
from creditmend.domain.loan.events import DeductionFailed, DeductionFailure, DeductionSucceeded
from creditmend.domain.money import Money
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.above_cap import above_cap_loans, planned_input
from creditmend.domain.recovery.budget import Horizon, monthly_budget
from creditmend.domain.recovery.candidates import objection_candidates
from creditmend.domain.recovery.letters import letters_json, proposal_letter, proposal_letters
from creditmend.domain.recovery.plan_input import CashFlow, PlanInput, PlanLoan
from creditmend.domain.recovery.proposals import Proposal, plan_proposals
from creditmend.domain.recovery.simulate import simulate
from creditmend.domain.recovery.strategies import minimum
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
AS_OF = date(2026, 7, 1)
D = Decimal


def _loan(loan_id: str, platform: str, rate: str = "0", lender_kind: str = "licensed") -> PlanLoan:
    """6000.00 over 6 months from 2026-01-15, never paid (see the proposals' hand case)."""
    contract = Contract(
        id=loan_id,
        platform=platform,
        principal=Money.of("6000.00", "CNY"),
        rate=Rate.annual(rate),
        term_months=6,
        method=RepaymentMethod.EQUAL_PRINCIPAL,
        disbursed_on=date(2026, 1, 15),
        penalty=PenaltyTerms(daily_rate=D("0.0005")),
        lender_kind=lender_kind,
    )
    return PlanLoan(contract, (), "loans[0]")


def _proposals(*loans: PlanLoan, income: str = "3000.00", months: int = 12) -> tuple[Proposal, ...]:
    """The minimum strategy's plan and its proposals, loans above the cap disputed."""
    cash = CashFlow(
        Money.of(income, "CNY"), Money.of("2000.00", "CNY"), Money.zero("CNY"), Money.zero("CNY")
    )
    written = PlanInput("CNY", loans, cash)
    above = above_cap_loans(written, AS_OF, CN, CAL)
    plan_input = planned_input(written, above, CN)
    horizon = Horizon.of(AS_OF, months)
    budget = monthly_budget(plan_input, horizon)
    outcome = simulate(plan_input, minimum(plan_input, budget, CN, CAL), horizon, CN, CAL)
    candidates = objection_candidates(plan_input, outcome, CN, CAL)
    return plan_proposals(
        plan_input, outcome, budget, CN, CAL, candidates=candidates, above_cap=above
    )


def test_the_letter_cites_what_is_owed_the_plans_payments_the_waiver_and_the_budget() -> None:
    (proposal,) = _proposals(_loan("loan-z", "Zero"))
    text = proposal_letter(proposal, borrower="张三 Zhang San", on=AS_OF)
    for needle in (
        "还款协商申请 / Request to renegotiate repayment",
        "致 / To: Zero",
        "借款人 / Borrower: 张三 Zhang San",
        "日期 / Date: 2026-07-01",
        "一、欠款情况（截至 2026-07-01，逾期 136 天）",
        "1. What I owe on 2026-07-01 (136 days past due)",
        "逾期本金 / Overdue principal: 5,000.00 CNY",
        "罚息及复利 / Penalty and compound interest: 192.00 CNY",
        "逾期合计 / Overdue in all: 5,192.00 CNY",
        "今日结清金额 / To settle in full today: 6,192.00 CNY",
        "请同意我按下列日期和金额偿还（个性化分期）",
        "Please accept a re-instalment: the payments below, on their dates",
        "income 3,000.00, essential expenses 2,000.00, 1,000.00 for debts",
        "My income is 3,000.00 a month and my essential expenses 2,000.00",
        "此致 / Sincerely, 张三 Zhang San",
    ):
        assert needle in text, needle
    # Every payment the plan makes, on its date, and nothing else is promised.
    for on, amount in proposal.schedule:
        assert f"    {on}  {amount.amount:,.2f} CNY" in text
    assert text.count(" CNY\n") >= len(proposal.schedule)
    assert f"合计 / In all: {proposal.total.amount:,.2f} CNY" in text
    assert "legal cap" not in text and "代扣失败" not in text and "income fell" not in text


def test_the_amount_above_the_cap_is_disputed_with_its_computation_and_source() -> None:
    (proposal,) = _proposals(_loan("loan-p", "Lender", rate="0.24", lender_kind="private"))
    cap = proposal.above_cap
    assert cap is not None and cap.cap == D("0.12")  # 4 x the one-year LPR at signing
    text = proposal_letter(proposal, borrower="Li Si", on=AS_OF)
    above = f"{cap.excess.amount:,.2f}"
    assert f"我对超出法定上限的 {above} CNY 提出异议" in text
    assert f"I dispute the {above} CNY above the legal cap" in text
    assert f"so a loan at the cap would owe {cap.owed_at_cap.amount:,.2f}" in text
    assert f"the contract asks {cap.contract_owes.amount:,.2f}, {above} CNY more." in text
    assert f"依据 / Source: {cap.cap_source}" in text
    # The computation adds up: what the contract asks less what a loan at the cap owes.
    assert cap.contract_owes - cap.owed_at_cap == cap.excess
    assert cap.proceeds_at_cap - cap.paid_at_cap == cap.owed_at_cap


def test_the_failed_debit_is_the_reason_and_no_hardship_is_pleaded_without_a_shortfall() -> None:
    contract = Contract(
        id="jiebei-1",
        platform="Jiebei",
        principal=Money.of("12000.00", "CNY"),
        rate=Rate.annual("0.18"),
        term_months=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        disbursed_on=date(2026, 1, 10),
    )
    events = (
        DeductionSucceeded(date(2026, 2, 10), D("1100.16")),
        DeductionSucceeded(date(2026, 3, 10), D("1100.16")),
        DeductionFailed(date(2026, 4, 10), DeductionFailure.PLATFORM_ERROR, D("5000.00")),
    )
    cash = CashFlow(
        Money.of("80000.00", "CNY"),
        Money.of("4500.00", "CNY"),
        Money.zero("CNY"),
        Money.zero("CNY"),
    )
    plan_input = PlanInput("CNY", (PlanLoan(contract, events, "loans[0]"),), cash)
    horizon = Horizon.of(AS_OF, 12)
    budget = monthly_budget(plan_input, horizon)
    outcome = simulate(plan_input, minimum(plan_input, budget, CN, CAL), horizon, CN, CAL)
    candidates = objection_candidates(plan_input, outcome, CN, CAL)
    (proposal,) = plan_proposals(plan_input, outcome, budget, CN, CAL, candidates=candidates)
    text = proposal_letter(proposal, borrower="Wang Wu", on=AS_OF)
    assert "贵方于 2026-04-10 代扣失败（platform_error），当日我的银行卡余额 5,000.00 CNY" in text
    assert (
        "Your debit on 2026-04-10 failed (platform_error) while my card held 5,000.00 CNY, "
        "enough for the 1,100.16 CNY due" in text
    )
    assert "请更正 2026-04 的逾期记录" in text
    assert "I have objected to the overdue record of 2026-04" in text
    # The budget keeps the loan current once the arrears are paid: no hardship pleaded.
    assert not any(m.overdue for m in outcome.loans[0].months)
    assert "My income is" not in text and "cannot clear" not in text


def test_when_no_plan_cures_the_letter_asks_for_a_hardship_instalment_and_says_from_when() -> None:
    (proposal,) = _proposals(_loan("loan-z", "Zero"), income="2100.00", months=4)
    text = proposal_letter(proposal, borrower="Zhao Liu", on=AS_OF)
    start = proposal.schedule[0][0]
    assert f"困难分期：我的预算自 {start} 起能够承担下列还款" in text
    assert f"A hardship instalment: from {start} my budget carries the payments below." in text
    assert f"Until {proposal.horizon_end} my budget cannot clear this loan." in text


def test_a_loan_the_plan_cures_at_once_gets_no_letter() -> None:
    # 30,000 a month: every arrear is paid on the plan's date, nothing is left to ask.
    assert _proposals(_loan("a-1", "Same"), income="30000.00") == ()


def test_one_letter_per_platform() -> None:
    first, second = _loan("a-1", "Same"), _loan("a-2", "Same")
    other = _loan("b-1", "Other")
    proposals = _proposals(first, second, other, income="3500.00")
    letters = proposal_letters(proposals, borrower="Sun Qi", on=AS_OF)
    assert [(letter.platform, letter.loan_ids) for letter in letters] == [
        ("Same", ("a-1", "a-2")),
        ("Other", ("b-1",)),
    ]
    assert letters[0].text.count("致 / To: Same") == 2
    json.dumps(letters_json(letters))
