"""The score forecast is the report's own score of the file the plan would furnish, and what a
new loan would do.

The hand case: 12000.00 at 18 % over 12 equal instalments of 1100.16 from 2026-01-10; February
and March debited, April missed; the plan starts on 2026-05-01 and pays what is due on each due
date (the minimum strategy), so May's payment clears April and the loan is current from May on.
The file a report would read at each month end is built here by hand from those facts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.adapters.solver_highs import HighsSolver
from creditmend.domain.calendar import BusinessCalendar, WeekdayCalendar, add_months, month_end
from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts, repayment_grid
from creditmend.domain.loan.contract import Contract, RepaymentMethod
from creditmend.domain.loan.events import DeductionSucceeded
from creditmend.domain.money import Money
from creditmend.domain.problems import ProblemsError
from creditmend.domain.rate import Rate
from creditmend.domain.recovery.best_plan import Intents, Optimiser, intents_from_outcome, realise
from creditmend.domain.recovery.budget import Budget, Horizon, monthly_budget
from creditmend.domain.recovery.forecast import (
    NewLoanOffer,
    forecast_json,
    new_loan_effect,
    new_loan_json,
    score_forecast,
    target_band_of,
    with_new_loan,
)
from creditmend.domain.recovery.linear import plan_figures
from creditmend.domain.recovery.plan_input import (
    CashFlow,
    PlanInput,
    PlanLoan,
    Preferences,
    read_plan,
)
from creditmend.domain.recovery.proposals import Replan, plan_cost
from creditmend.domain.recovery.simulate import Outcome, PaymentPlan, simulate
from creditmend.domain.recovery.strategies import Strategy, avalanche, classic_outcomes, minimum
from creditmend.domain.report.file import AccountView, MonthLine, VisibleFile
from creditmend.domain.report.indicators import person_indicators, ratio
from creditmend.domain.rules.cn import CN
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.scoring.features import from_indicators
from creditmend.domain.scoring.scorecard import score
from creditmend.models import default_scorecard

CAL = WeekdayCalendar()
ROOT = Path(__file__).parents[2]
CARD = default_scorecard()
D = Decimal
INSTALMENT = D("1100.16")


def _case() -> tuple[PlanInput, Outcome]:
    contract = Contract(
        id="loan-a",
        platform="P",
        principal=Money.of("12000.00", "CNY"),
        rate=Rate.annual("0.18"),
        term_months=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        disbursed_on=date(2026, 1, 10),
    )
    events = (
        DeductionSucceeded(date(2026, 2, 10), INSTALMENT),
        DeductionSucceeded(date(2026, 3, 10), INSTALMENT),
    )
    cash = CashFlow(
        Money.of("8000.00", "CNY"), Money.of("4500.00", "CNY"), Money.zero("CNY"), Money.zero("CNY")
    )
    plan_input = PlanInput("CNY", (PlanLoan(contract, events, "loans[0]"),), cash)
    horizon = Horizon.of(date(2026, 5, 1), 6)
    plan = minimum(plan_input, monthly_budget(plan_input, horizon), CN, CAL)
    return plan_input, simulate(plan_input, plan, horizon, CN, CAL)


def _hand_view(as_of: date, may_paid: Decimal) -> VisibleFile:
    """The file on a month end, from the facts of the module docstring."""
    months: dict[date, MonthFacts] = {
        date(2026, 1, 1): MonthFacts(AccountStatus.OPEN, 0, D(0), D(0), D(0))
    }
    for month in (2, 3):
        months[date(2026, month, 1)] = MonthFacts(
            AccountStatus.OPEN, 0, INSTALMENT, INSTALMENT, D(0)
        )
    months[date(2026, 4, 1)] = MonthFacts(AccountStatus.OPEN, 20, INSTALMENT, D(0), INSTALMENT)
    months[date(2026, 5, 1)] = MonthFacts(AccountStatus.OPEN, 0, INSTALMENT, may_paid, D(0))
    for month in range(6, 11):
        months[date(2026, month, 1)] = MonthFacts(
            AccountStatus.OPEN, 0, INSTALMENT, INSTALMENT, D(0)
        )
    shown = {period: facts for period, facts in months.items() if period <= as_of}
    grid = repayment_grid(shown, date(2026, 1, 10), as_of, CN)
    codes = {entry.month: entry.code for entry in grid}
    lines = tuple(
        MonthLine(
            period,
            codes[period],
            str(f.status),
            f.days_past_due,
            f.scheduled_amount,
            f.paid_amount,
            D(0),
            f.past_due_amount,
        )
        for period, f in sorted(shown.items())
    )
    account = AccountView(
        "loan-a",
        "P",
        "non_bank",
        "loan-a",
        "online_consumer_loan",
        "CNY",
        date(2026, 1, 10),
        D("12000.00"),
        None,
        lines,
        grid,
    )
    return VisibleFile(as_of, (account,), (), (), (), (), 0)


def test_each_months_score_is_the_reports_score_of_the_same_file_by_hand() -> None:
    plan_input, outcome = _case()
    forecast = score_forecast(plan_input, outcome, CARD, CN, CAL)
    may_paid = outcome.loans[0].months[0].paid.amount
    assert may_paid > 2 * INSTALMENT  # April's instalment, its penalty and May's
    assert forecast.now is not None and forecast.now.month == "2026-04"
    for month in (forecast.now, *forecast.months):
        view = _hand_view(month.as_of, may_paid)
        row = person_indicators(view, "CNY", CN)
        expected = score(CARD, from_indicators(row))
        assert (month.score, month.band) == (expected.score, expected.band), month.month
        assert month.reasons == tuple(text for _, text in expected.reasons)
        assert month.overdue_accounts == row["current_overdue_accounts"]
    assert [m.month for m in forecast.months] == list(outcome.horizon.labels)
    assert [m.as_of for m in forecast.months] == [month_end(m) for m in outcome.horizon.months]
    # The grid the months were read from, by hand: nothing due in January, then N N 1 N N ...
    grid = _hand_view(date(2026, 10, 31), may_paid).accounts[0].grid
    assert "".join(entry.code for entry in grid[-10:]) == "*NN1NNNNNN"
    # April's overdue leaves the three- and then the six-month windows: the score recovers.
    assert forecast.months[-1].score > forecast.now.score


def test_the_target_band_and_the_month_it_is_reached() -> None:
    plan_input, outcome = _case()
    assert target_band_of(CARD, None) == CARD.bands[1].name == "B"
    forecast = score_forecast(plan_input, outcome, CARD, CN, CAL)
    assert forecast.target_band == "B"
    ranks = {band.name: index for index, band in enumerate(CARD.bands)}
    for wanted in ("A", "C", "E"):
        chosen = score_forecast(plan_input, outcome, CARD, CN, CAL, target_band=wanted)
        good = [ranks[m.band] <= ranks[wanted] for m in chosen.months]
        first = next((m.month for m, ok in zip(chosen.months, good, strict=True) if ok), None)
        assert chosen.reaches_target == first
        if chosen.stays_from is not None:
            start = [m.month for m in chosen.months].index(chosen.stays_from)
            assert all(good[start:]) and (start == 0 or not good[start - 1])
    assert score_forecast(plan_input, outcome, CARD, CN, CAL).reaches_target is not None
    # The client's own preference when the caller names none; a band the card lacks is refused.
    preferring = PlanInput(
        plan_input.currency,
        plan_input.loans,
        plan_input.cash_flow,
        preferences=Preferences(target_band="C"),
    )
    assert score_forecast(preferring, outcome, CARD, CN, CAL).target_band == "C"
    with pytest.raises(ProblemsError, match="target_band"):
        score_forecast(plan_input, outcome, CARD, CN, CAL, target_band="Z")
    form = forecast_json(forecast)
    json.dumps(form)
    assert form["months"][0].keys() == {
        "month",
        "as_of",
        "score",
        "band",
        "reasons",
        "overdue_accounts",
        "negative_records",
    }


def test_a_new_loan_adds_an_inquiry_a_platform_its_instalment_and_is_replanned() -> None:
    document, lines = read_yaml_with_lines(ROOT / "examples" / "plan.yaml")
    plan_input = read_plan(document, CN, lines)
    horizon = Horizon.of(date(2026, 7, 1), 12)
    budget = monthly_budget(plan_input, horizon)
    baseline = classic_outcomes(plan_input, budget, CN, CAL)["avalanche"]
    offer = NewLoanOffer(Money.of("5000.00", "CNY"), Rate.annual("0.24"), 12, platform="Quick Cash")
    effect = new_loan_effect(plan_input, baseline, offer, CARD, CN, CAL, _classic(avalanche))
    assert effect.on == date(2026, 7, 1)
    assert effect.hard_inquiries_90d == (0, 1)
    assert effect.institutions_90d == (0, 1)
    assert effect.platforms_open == (3, 4)
    # 5000.00 at 2 % a month over 12: 5000 x 0.02 / (1 - 1.02^-12) = 472.80 a month.
    before, after = effect.monthly_obligations
    assert after.amount - before.amount == D("472.80")
    assert effect.monthly_income == Money.of("8000.00", "CNY")
    assert effect.debt_to_income == (
        ratio(int(before.amount * 100), 800_000),
        ratio(int(after.amount * 100), 800_000),
    )
    # The plan re-made with the new loan: its proceeds are cash in July, its instalments debts.
    outcome = effect.outcome
    assert [loan.loan_id for loan in outcome.loans][-1] == "new-loan"
    assert outcome.plan.months[0].total <= budget.months[0].available.amount + D("5000.00")
    assert effect.cost == (plan_cost(baseline), plan_cost(outcome))
    assert effect.cost.after.total_paid.amount > effect.cost.before.total_paid.amount
    assert effect.cap == D("0.24")
    assert any("hard inquiry" in warning for warning in effect.warnings)
    form = new_loan_json(effect)
    json.dumps(form)
    assert form["platforms_open"] == {"before": 3, "after": 4}
    assert form["monthly_obligations"]["after"] == str(after.amount)
    assert form["cost"]["after"]["charges"] == str(effect.cost.after.charges.amount)


def _classic(strategy: Strategy) -> Replan:
    """A classic strategy as a planner: it follows its rule and weighs no seeds."""

    def replan(
        plan_input: PlanInput,
        budget: Budget,
        profile: JurisdictionProfile,
        calendar: BusinessCalendar,
        *,
        seeds: Mapping[str, Intents] | None = None,
    ) -> PaymentPlan:
        return strategy(plan_input, budget, profile, calendar)

    return replan


@pytest.mark.slow
def test_the_plan_with_a_new_loan_weighs_paying_it_back_from_its_proceeds() -> None:
    document, lines = read_yaml_with_lines(ROOT / "examples" / "plan.yaml")
    plan_input = read_plan(document, CN, lines)
    horizon = Horizon.of(date(2026, 7, 1), 12)
    budget = monthly_budget(plan_input, horizon)
    optimiser = Optimiser(HighsSolver(), local_moves=4)
    baseline = optimiser.optimise(plan_input, budget, CN, CAL).outcome
    seen: dict[str, Intents] = {}

    def replan(
        plan_input: PlanInput,
        budget: Budget,
        profile: JurisdictionProfile,
        calendar: BusinessCalendar,
        *,
        seeds: Mapping[str, Intents] | None = None,
    ) -> PaymentPlan:
        seen.update(seeds or {})
        found = optimiser.optimise(plan_input, budget, profile, calendar, seeds=seeds)
        return found.outcome.plan

    offer = NewLoanOffer(Money.of("10000.00", "CNY"), Rate.annual("0.24"), 12)
    effect = new_loan_effect(plan_input, baseline, offer, CARD, CN, CAL, replan)
    seed = seen["repay_new_loan_at_once"]
    assert seed.codes[-1] == "S" + "-" * 11  # the new loan (last) settled in the first month
    assert seed.codes[:-1] == intents_from_outcome(baseline).codes  # the rest as it was
    with_loan = with_new_loan(plan_input, offer, horizon.as_of)
    budget = monthly_budget(with_loan, horizon)
    repaid = realise("seed", with_loan, budget, seed, CN, CAL)
    assert repaid.loans[-1].months[0].paid >= offer.amount  # paid back in the first month
    figures = plan_figures(with_loan, horizon, CN, CAL)
    judged = [optimiser.objective.evaluate(o, figures).total for o in (effect.outcome, repaid)]
    assert judged[0] <= judged[1]  # the plan shown is never worse than paying it back at once


def test_a_rate_above_the_cap_and_a_clash_of_ids_are_said() -> None:
    plan_input, outcome = _case()
    offer = NewLoanOffer(Money.of("1000.00", "CNY"), Rate.daily("0.001"), 6, lender_kind="private")
    effect = new_loan_effect(plan_input, outcome, offer, CARD, CN, CAL, _classic(minimum))
    # 0.1 % a day is 36.5 % a year; private lending signed now is capped at 4 x LPR (3.0 %).
    assert effect.cap == D("0.120")
    assert any("above the legal cap" in warning for warning in effect.warnings)
    clash = NewLoanOffer(Money.of("1000.00", "CNY"), Rate.annual("0.1"), 6, id="loan-a")
    with pytest.raises(ProblemsError, match=r"new_loan\.id"):
        new_loan_effect(plan_input, outcome, clash, CARD, CN, CAL, _classic(minimum))
    bad = NewLoanOffer(Money.of("1000.00", "CNY"), Rate.annual("0.1"), 0)
    with pytest.raises(ProblemsError, match=r"new_loan\.term_months"):
        new_loan_effect(plan_input, outcome, bad, CARD, CN, CAL, _classic(minimum))


def test_the_file_at_a_month_end_knows_only_its_past() -> None:
    # Under the minimum plan April's overdue is cured in May: on 2026-04-30 it is "not until
    # cured", from May's end five years after the cure.
    plan_input, outcome = _case()
    forecast = score_forecast(plan_input, outcome, CARD, CN, CAL)
    assert forecast.now is not None
    assert forecast.now.negative_records == 1 and forecast.now.overdue_accounts == 1
    assert [m.overdue_accounts for m in forecast.months] == [0] * 6
    assert all(m.negative_records == 1 for m in forecast.months)
    assert forecast.now.as_of == date(2026, 5, 1) - timedelta(days=1)
    assert add_months(forecast.months[0].as_of, 0) == date(2026, 5, 31)
