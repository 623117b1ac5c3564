"""The proposal letter cites the proposal's own numbers, in Chinese and in English."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.loan.contract import Contract, PenaltyTerms, RepaymentMethod
from creditmend.domain.loan.events import DeductionFailed, DeductionFailure, DeductionSucceeded
from creditmend.domain.money import Money
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.budget import Horizon, monthly_budget
from creditmend.domain.recovery.candidates import objection_candidates
from creditmend.domain.recovery.letters import letters_json, proposal_letter, proposal_letters
from creditmend.domain.recovery.plan_input import CashFlow, PlanInput, PlanLoan
from creditmend.domain.recovery.proposals import Proposal, negotiation_proposals
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


def _proposals(*loans: PlanLoan, income: str = "3000.00") -> tuple[Proposal, ...]:
    cash = CashFlow(
        Money.of(income, "CNY"), Money.of("2000.00", "CNY"), Money.zero("CNY"), Money.zero("CNY")
    )
    plan_input = PlanInput("CNY", loans, cash)
    horizon = Horizon.of(AS_OF, 12)
    budget = monthly_budget(plan_input, horizon)
    outcome = simulate(
        plan_input,
        minimum(plan_input, budget, CN, CAL),
        horizon,
        CN,
        CAL,
    )
    return negotiation_proposals(plan_input, outcome, budget, CN, CAL)


def test_the_letter_cites_what_is_owed_the_ask_the_waiver_and_the_budget() -> None:
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
        "将全部欠款重新分 5 期偿还（个性化分期）",
        "A re-instalment of everything owed over 5 months: 1,200.00 CNY on 2026-08-01",
        "同时恳请减免截至 2026-07-01 的罚息及复利 192.00 CNY。",
        "I also ask you to waive the penalty and compound interest of 192.00 CNY",
        "或 / Or:",
        "An extension of the remaining term by 4 months, 5 instalments",
        "2026-08: income 3,000.00, essential expenses 2,000.00, 1,000.00 for debts, 0.00 to "
        "my other loans as planned, 1,000.00 saved from earlier months; after this instalment "
        "of 1,200.00, 800.00 CNY is left.",
        "In the tightest month, 2026-12, 0.00 CNY is left after the instalment of 1,200.00.",
        "此致 / Sincerely, 张三 Zhang San",
    ):
        assert needle in text, needle
    assert "legal cap" not in text and "代扣失败" not in text


def test_the_amount_above_the_cap_is_cited_with_its_source() -> None:
    (proposal,) = _proposals(_loan("loan-p", "Lender", rate="0.24", lender_kind="private"))
    cost = proposal.cost
    assert cost.above_cap
    text = proposal_letter(proposal, borrower="Li Si", on=AS_OF)
    above = f"{cost.amount_above_cap.amount:,.2f}"
    assert f"超出部分折合 {above} CNY，请予减免。" in text
    assert f"the amount above it is {above} CNY, which I ask you to waive." in text
    assert "above the cap of 12.00%" in text
    assert f"依据 / Source: {cost.cap_source}" in text


def test_the_failed_debit_is_cited_when_it_is_an_objection_candidate() -> None:
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
        Money.of("8000.00", "CNY"), Money.of("4500.00", "CNY"), Money.zero("CNY"), Money.zero("CNY")
    )
    plan_input = PlanInput("CNY", (PlanLoan(contract, events, "loans[0]"),), cash)
    horizon = Horizon.of(AS_OF, 12)
    budget = monthly_budget(plan_input, horizon)
    outcome = simulate(plan_input, minimum(plan_input, budget, CN, CAL), horizon, CN, CAL)
    candidates = objection_candidates(plan_input, outcome, CN, CAL)
    (proposal,) = negotiation_proposals(plan_input, outcome, budget, CN, CAL)
    text = proposal_letter(proposal, borrower="Wang Wu", on=AS_OF, candidates=candidates)
    assert "2026-04-10 贵方代扣失败（platform_error），当日银行卡余额 5,000.00 CNY" in text
    assert (
        "On 2026-04-10 your debit failed (platform_error) while my card held 5,000.00 CNY, "
        "for 1,100.16 CNY due; I am objecting to the overdue record of 2026-04" in text
    )


def test_without_a_fitting_ask_the_letter_offers_what_the_budget_carries() -> None:
    # 400.00 a month makes 4800.00 in the twelve months, short of the 6000.00 owed: no ask
    # fits. A level 4800.00 / 11 = 436.36 from August does.
    (proposal,) = _proposals(_loan("loan-z", "Zero"), income="2400.00")
    assert proposal.recommended is None
    assert proposal.affordable_monthly == Money.of("436.36", "CNY")
    text = proposal_letter(proposal, borrower="Zhao Liu", on=AS_OF)
    assert "我恳请贵方停止计收罚息，并接受我自 2026-08 起每月偿还 436.36 CNY，直至还清。" in text
    assert "I ask you to stop the penalty and to accept 436.36 CNY a month from 2026-08" in text
    assert "fits my budget" in text


def test_one_letter_per_platform() -> None:
    first, second = _loan("a-1", "Same"), _loan("a-2", "Same")
    other = _loan("b-1", "Other")
    proposals = _proposals(first, second, other, income="30000.00")
    letters = proposal_letters(proposals, borrower="Sun Qi", on=AS_OF)
    assert [(letter.platform, letter.loan_ids) for letter in letters] == [
        ("Same", ("a-1", "a-2")),
        ("Other", ("b-1",)),
    ]
    assert letters[0].text.count("致 / To: Same") == 2
    json.dumps(letters_json(letters))
