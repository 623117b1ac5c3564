"""Objection candidates: the bureau's own check on the months a failed debit made overdue.

The golden case is `examples/jiebei-overdue.yaml`: 12000.00 at 18 % over 12 equal instalments of
1100.16 from 2026-02-10; the third debit (2026-04-10) failed for `platform_error` while the card
held 5000.00; 300.00 was paid on 2026-04-25 and 500.00 on 2026-05-20, not enough. April's month
end is 20 days past due (first overdue day 2026-04-11), so the bureau reads the due day as
2026-04-10 with 1100.16 due, and both the failure's reason and the balance ground it.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.creditfile.evidence import DueDay, deduction_finding, parse_evidence
from creditmend.domain.creditfile.retention import overdue_episodes
from creditmend.domain.loan.contract import Contract, RepaymentMethod
from creditmend.domain.loan.events import (
    DeductionFailed,
    DeductionFailure,
    DeductionSucceeded,
    LoanEvent,
    Payment,
)
from creditmend.domain.money import Money
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.budget import Horizon, monthly_budget
from creditmend.domain.recovery.candidates import (
    AccountRef,
    candidates_json,
    furnished_months,
    objection_candidates,
    planned_payments,
)
from creditmend.domain.recovery.plan_input import CashFlow, PlanInput, PlanLoan, read_plan
from creditmend.domain.recovery.simulate import Outcome, PaymentPlan, simulate
from creditmend.domain.recovery.strategies import classic_outcomes, minimum
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
ROOT = Path(__file__).parents[2]
AS_OF = date(2026, 7, 1)
D = Decimal


def _plan_with(loan_documents: list[Any], income: str = "8000.00") -> PlanInput:
    document = {
        "loans": loan_documents,
        "cash_flow": {
            "monthly_income": income,
            "monthly_essential_expenses": "4500.00",
            "cash_on_hand": "0.00",
            "buffer": "0.00",
        },
    }
    return read_plan(document, CN)


def _jiebei() -> Any:
    document, _ = read_yaml_with_lines(ROOT / "examples" / "jiebei-overdue.yaml")
    return document


def _minimum_outcome(plan_input: PlanInput, horizon: Horizon) -> Outcome:
    budget = monthly_budget(plan_input, horizon)
    plan = minimum(plan_input, budget, CN, CAL)
    return simulate(plan_input, plan, horizon, CN, CAL)


def test_the_jiebei_platform_error_with_5000_on_the_card_is_a_candidate() -> None:
    plan_input = _plan_with([_jiebei()])
    outcome = _minimum_outcome(plan_input, Horizon.of(AS_OF, 12))
    (candidate,) = objection_candidates(plan_input, outcome, CN, CAL)

    assert candidate.record == "account:Jiebei:jiebei-1:2026-04"
    assert candidate.reference_known is False  # a self-entered loan: the platform's name
    assert candidate.reason == "deduction_failed_not_my_fault"
    assert candidate.month == "2026-04"
    assert candidate.amount_due == Money.of("1100.16", "CNY")
    assert candidate.evidence.to_json() == {
        "bank_balances": [{"on": "2026-04-10", "amount": "5000.00"}],
        "payments": [{"on": "2026-04-25", "amount": "300.00"}],
        "deduction_attempts": [
            {"on": "2026-04-10", "result": "failed", "reason": "platform_error"}
        ],
        "files": [],
    }
    assert candidate.finding == (
        "the debit on 2026-04-10 failed for platform_error",
        "the bank balance on 2026-04-10 was 5000.00, at least the 1100.16 due",
    )
    # The finding is the bureau's check on the due day it reads from the furnished month.
    bureau = deduction_finding(
        DueDay(date(2026, 4, 10), date(2026, 4, 1), D("1100.16")), candidate.evidence
    )
    assert bureau.grounded and bureau.summary == candidate.finding
    assert candidate.evidence_file == "evidence-jiebei-1-2026-04.json"
    assert candidate.command == (
        "creditmend object file ID_TYPE ID_NUMBER --record account:Jiebei:jiebei-1:2026-04 "
        "--reason deduction_failed_not_my_fault --evidence evidence-jiebei-1-2026-04.json"
    )
    # Upheld, April goes; May and June stay overdue (the borrower did not pay them in full).
    assert candidate.months_cleared == ("2026-04",)
    assert candidate.months_still_overdue[:2] == ("2026-05", "2026-06")
    assert candidate.record_removed is False
    # The evidence file is one the bureau reads without a problem.
    form = candidates_json((candidate,))
    json.dumps(form)
    evidence, problems = parse_evidence(form[0]["evidence"])
    assert problems == () and evidence == candidate.evidence


def test_a_failure_for_insufficient_funds_is_not_a_candidate() -> None:
    # examples/plan.yaml: Weilidai's debit of 2026-04-05 failed for insufficient funds, 120.00
    # on the card against 983.33 due.
    document, lines = read_yaml_with_lines(ROOT / "examples" / "plan.yaml")
    plan_input = read_plan(document, CN, lines)
    horizon = Horizon.of(AS_OF, 6)
    outcome = classic_outcomes(plan_input, monthly_budget(plan_input, horizon), CN, CAL)["minimum"]
    found = objection_candidates(plan_input, outcome, CN, CAL)
    assert [c.loan_id for c in found] == ["jiebei-1"]
    weilidai = next(loan for loan in outcome.loans if loan.loan_id == "weilidai-1")
    (attempt,) = weilidai.final.deduction_attempts
    assert attempt.reason == "insufficient_funds" and attempt.balance_was_sufficient is False


def _loan(events: tuple[LoanEvent, ...]) -> PlanLoan:
    contract = Contract(
        id="loan-a",
        platform="Some Platform",
        principal=Money.of("12000.00", "CNY"),
        rate=Rate.annual("0.18"),
        term_months=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        disbursed_on=date(2026, 1, 10),
    )
    return PlanLoan(contract, events, "loans[0]")


def _single(loan: PlanLoan) -> PlanInput:
    cash = CashFlow(
        Money.of("8000.00", "CNY"), Money.of("4500.00", "CNY"), Money.zero("CNY"), Money.zero("CNY")
    )
    return PlanInput("CNY", (loan,), cash)


PAID = (
    DeductionSucceeded(date(2026, 2, 10), D("1100.16")),
    DeductionSucceeded(date(2026, 3, 10), D("1100.16")),
)


def test_a_sufficient_balance_grounds_any_reason_and_the_known_reference_is_used() -> None:
    # "Insufficient funds" says the platform; the card held 2000.00 against 1100.16 due.
    failed = DeductionFailed(date(2026, 4, 10), DeductionFailure.INSUFFICIENT_FUNDS, D("2000.00"))
    plan_input = _single(_loan((*PAID, failed)))
    outcome = _minimum_outcome(plan_input, Horizon.of(AS_OF, 3))
    refs = {"loan-a": AccountRef("NB0016", "NB00160000041911")}
    (candidate,) = objection_candidates(
        plan_input, outcome, CN, CAL, refs=refs, id_type="cn_ric", id_number="110101199001011234"
    )
    assert candidate.record == "account:NB0016:NB00160000041911:2026-04"
    assert candidate.reference_known is True
    assert candidate.finding == (
        "the bank balance on 2026-04-10 was 2000.00, at least the 1100.16 due",
    )
    assert candidate.command.startswith(
        "creditmend object file cn_ric 110101199001011234 --record "
        "account:NB0016:NB00160000041911:2026-04 "
    )


def test_a_failure_cured_before_the_month_end_leaves_nothing_to_object_to() -> None:
    failed = DeductionFailed(date(2026, 4, 10), DeductionFailure.PLATFORM_ERROR, D("5000.00"))
    cured = Payment(date(2026, 4, 12), D("1102.00"))  # 1100.16 and two days of penalty
    plan_input = _single(_loan((*PAID, failed, cured)))
    outcome = _minimum_outcome(plan_input, Horizon.of(date(2026, 4, 20), 3))
    april = outcome.loans[0].months[0]
    assert (april.month, april.days_past_due) == ("2026-04", 0)
    assert objection_candidates(plan_input, outcome, CN, CAL) == ()


def test_a_failure_this_month_is_a_candidate_only_if_the_plan_leaves_the_month_overdue() -> None:
    # The debit of 2026-07-10 fails on the platform's side; the plan starts on 2026-07-15.
    paid = tuple(DeductionSucceeded(date(2026, month, 10), D("1100.16")) for month in range(2, 7))
    failed = DeductionFailed(date(2026, 7, 10), DeductionFailure.PLATFORM_ERROR, None)
    plan_input = _single(_loan((*paid, failed)))
    horizon = Horizon.of(date(2026, 7, 15), 2)
    # Paying in July (the minimum strategy) leaves no overdue month: nothing to object to.
    assert objection_candidates(plan_input, _minimum_outcome(plan_input, horizon), CN, CAL) == ()
    # Paying nothing until August leaves July overdue: the failed debit grounds it.
    nothing = PaymentPlan.of(horizon.labels, ["loan-a"], [[D(0)], [D(0)]], "CNY")
    outcome = simulate(plan_input, nothing, horizon, CN, CAL)
    (candidate,) = objection_candidates(plan_input, outcome, CN, CAL)
    assert candidate.record == "account:Some-Platform:loan-a:2026-07"
    assert candidate.finding == ("the debit on 2026-07-10 failed for platform_error",)
    assert candidate.evidence.bank_balances == ()


def test_the_furnished_months_are_the_simulations_month_ends_and_records() -> None:
    document, lines = read_yaml_with_lines(ROOT / "examples" / "plan.yaml")
    plan_input = read_plan(document, CN, lines)
    horizon = Horizon.of(AS_OF, 18)
    outcomes = classic_outcomes(plan_input, monthly_budget(plan_input, horizon), CN, CAL)
    for outcome in outcomes.values():
        for loan, result in zip(plan_input.loans, outcome.loans, strict=True):
            months = furnished_months(loan, planned_payments(result), horizon.end, CN, CAL)
            assert months[0].period == loan.contract.disbursed_on.replace(day=1)
            by_label = {m.label: m for m in months}
            for month in result.months:
                furnished = by_label.get(month.month)
                if furnished is None:  # after the closing month nothing is furnished
                    assert month.status in "CDZ" and month.balance == Money.zero("CNY")
                    continue
                assert (furnished.balance, furnished.past_due, furnished.days_past_due) == (
                    month.balance.amount,
                    month.past_due.amount,
                    month.days_past_due,
                )
                assert furnished.paid == month.paid.amount
            # The same negative records as the simulation derives.
            rows = [m.row() for m in months]
            assert overdue_episodes(rows, loan.id) == result.negative_records
