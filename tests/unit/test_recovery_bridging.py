"""Bridging money: each suggestion is the plan re-made with exactly that source added to the file.

The re-plan here is made from the plan's *document* (the YAML a borrower writes, as a mapping):
the suggestion's JSON entry is written into it as the borrower would (`one_off` for money that
comes now, `cash_flow.months` for an income rise), read by the plan's own reader and planned by
the service, then compared with the suggestion's `effect`. Borrowers are small (one or two loans
behind by months, horizons of 6 to 9 months). The solver's binding limit is a node limit (one
thread, a fixed seed), so a plan made twice is the same plan whatever the machine's load.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.adapters.solver_highs import HighsSolver
from creditmend.domain.calendar import WeekdayCalendar, add_months
from creditmend.domain.money import Money
from creditmend.domain.problems import ProblemsError
from creditmend.domain.recovery.bridging import (
    EXACT_TRIES,
    STEP,
    BridgeGoal,
    BridgeKind,
    BridgeSearch,
    Replanned,
    bridge_json,
    bridges,
    reaches,
    with_bridge,
)
from creditmend.domain.recovery.budget import Horizon
from creditmend.domain.recovery.plan_input import FamilyLoan, read_plan
from creditmend.domain.rules.cn import CN
from creditmend.services.advise import Advice, AdviseService

AS_OF = date(2026, 12, 7)


# The service's own solver and limits: its binding limit is a node limit, so a plan made twice
# is the same plan under any load (no test-only patience needed).
SERVICE = AdviseService(CN, WeekdayCalendar(), read_yaml_with_lines, HighsSolver())


def _loan(index: int, principal: int, rate: str, paid: int, missed: int) -> dict[str, Any]:
    """An equal-instalment loan of 12 months whose first `paid` instalments were debited and
    the next `missed` were not (so it is `missed` instalments behind on AS_OF)."""
    disbursed = add_months(AS_OF, -(paid + missed)) - (AS_OF - AS_OF.replace(day=3))
    contract = {
        "id": f"loan-{index}",
        "platform": f"P{index}",
        "principal": f"{principal}.00",
        "annual_rate": rate,
        "term_months": 12,
        "method": "equal_installment",
        "disbursed_on": disbursed.isoformat(),
        "penalty": {"multiplier": "1.5"},
    }
    # The instalment of 12 equal payments, rounded: the loan's history is approximate on
    # purpose (a few fen left over are arrears like any other).
    monthly = Decimal(principal) / 12 * Decimal("1.05")
    events = [
        {
            "on": add_months(disbursed, k).isoformat(),
            "type": "payment",
            "amount": str(monthly.quantize(Decimal("0.01"))),
        }
        for k in range(1, paid + 1)
    ]
    return {"contract": contract, "events": events}


def _document(
    loans: list[dict[str, Any]], income: int, expenses: int, cash: int, months: int
) -> dict[str, Any]:
    return {
        "currency": "CNY",
        "loans": loans,
        "cash_flow": {
            "monthly_income": f"{income}.00",
            "monthly_essential_expenses": f"{expenses}.00",
            "cash_on_hand": f"{cash}.00",
        },
        "preferences": {"horizon_months": months},
    }


def _plan(document: dict[str, Any]) -> Advice:
    """The plan of the file as `SERVICE.bridges` re-plans it: without the comparisons at the cap
    and without good faith (`compare_cap=False`), which no bridge's effect reads."""
    return SERVICE.advise(read_plan(document, CN), AS_OF, compare_cap=False)


def _with_entry(document: dict[str, Any], entry: dict[str, Any], amount: str) -> dict[str, Any]:
    """The document with the suggestion written in as a borrower would write it."""
    changed = copy.deepcopy(document)
    if entry["kind"] == "income_rise":
        first = date.fromisoformat(entry["on"])
        income = Decimal(changed["cash_flow"]["monthly_income"]) + Decimal(amount)
        labels = [
            f"{add_months(first, k):%Y-%m}"
            for k in range(changed["preferences"]["horizon_months"] - 1)
        ]
        changed["cash_flow"]["months"] = [{"month": m, "income": str(income)} for m in labels]
        return changed
    line = {"on": entry["on"], "type": entry["kind"], "amount": amount}
    if entry["kind"] == "family_loan":
        monthly = Decimal(amount) * Decimal("0.10")
        line |= {"repay_monthly": str(monthly), "repay_from": entry["repay_from"]}
    changed["one_off"] = [*changed.get("one_off", []), line]
    return changed


def _effect(advice: Advice) -> dict[str, Any]:
    outcome, value = advice.strategies["optimal"], advice.values["optimal"]
    return {
        "overdue_account_months": outcome.overdue_account_months,
        "serious_account_months": value.serious_months,
        "cost": str(value.cost.quantize(Decimal("0.01"))),
        "clean_on": None if outcome.clean_on is None else outcome.clean_on.isoformat(),
    }


def _check(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every suggestion equals the re-plan of the file with it; a claimed least amount is the
    least up to the step. Returns the suggestions' JSON."""
    advice = _plan(document)
    found = [bridge_json(b) for b in SERVICE.bridges(advice)]
    base_cost = advice.values["optimal"].cost
    for entry in found:
        again = _plan(_with_entry(document, entry, entry["amount"]))
        effect = dict(entry["effect"])
        saving = Decimal(effect.pop("saving"))
        assert effect == _effect(again), entry
        assert saving == (base_cost - again.values["optimal"].cost).quantize(Decimal("0.01"))
        start = 1 if entry["kind"] == "income_rise" else 0
        goal = BridgeGoal(entry["goal"])
        assert reaches(goal, again.strategies["optimal"], start)
        amount = Decimal(entry["amount"])
        assert amount % STEP == 0
        if entry["minimal"] and amount > STEP:
            less = _plan(_with_entry(document, entry, str(amount - STEP)))
            assert not reaches(goal, less.strategies["optimal"], start), entry
    return found


@pytest.mark.slow  # the bridging search, then every bridge and a bridge one step less re-planned
def test_a_borrower_months_behind_gets_each_bridge_as_its_re_plan() -> None:
    document = _document(
        [_loan(0, 9000, "0.18", 3, 3), _loan(1, 4000, "0.24", 5, 2)],
        income=6000,
        expenses=5200,
        cash=300,
        months=6,
    )
    found = _check(document)
    kinds = {(entry["kind"], entry["goal"]) for entry in found}
    assert ("family_loan", "cure_all") in kinds and ("asset_sale", "cure_all") in kinds
    family = next(e for e in found if e["kind"] == "family_loan")
    assert family["on"] == "2026-12-07" and family["repay_from"] == "2027-07-01"
    assert Decimal(family["repay_monthly"]) == Decimal(family["amount"]) / 10
    asset = next(e for e in found if e["kind"] == "asset_sale" and e["goal"] == "cure_all")
    assert asset["effect"]["overdue_account_months"] == 0
    assert "repay_from" not in asset


@st.composite
def borrowers(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 2))
    loans = [
        _loan(
            index,
            draw(st.integers(20, 120)) * 100,
            draw(st.sampled_from(["0.12", "0.18", "0.24"])),
            draw(st.integers(1, 5)),
            draw(st.integers(2, 4)),
        )
        for index in range(count)
    ]
    expenses = 5000
    return _document(
        loans,
        income=expenses + draw(st.integers(2, 15)) * 100,
        expenses=expenses,
        cash=draw(st.integers(0, 10)) * 100,
        months=draw(st.integers(6, 9)),
    )


@pytest.mark.slow  # as above, for each borrower drawn
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(borrowers())
def test_bridging_effects_equal_a_re_plan_with_that_one_off_added(
    document: dict[str, Any],
) -> None:
    _check(document)


def test_no_bridging_when_no_loan_stays_overdue_beyond_a_month() -> None:
    document = _document([_loan(0, 6000, "0.12", 4, 1)], 9000, 5000, 3000, 6)
    advice = _plan(document)
    assert all(loan.overdue_months <= 1 for loan in advice.strategies["optimal"].loans)

    def never(_: object) -> Replanned:
        raise AssertionError("no re-plan is needed")

    baseline = Replanned(advice.strategies["optimal"], advice.values["optimal"])
    assert bridges(advice.plan_input, advice.horizon, baseline, never, never) == ()  # type: ignore[arg-type]


def test_the_bridge_added_to_the_plan() -> None:
    document = _document([_loan(0, 6000, "0.12", 4, 2)], 9000, 5000, 0, 6)
    document["cash_flow"]["months"] = [{"month": "2027-02", "expenses": "6000.00"}]
    document["preferences"]["family_loan_repay_monthly"] = "0.25"
    plan = read_plan(document, CN)
    horizon = Horizon.of(AS_OF, 6)
    family = with_bridge(plan, BridgeKind.FAMILY_LOAN, Decimal(3000), horizon).one_off[-1]
    assert isinstance(family, FamilyLoan)
    assert (family.on, family.amount.amount, family.repay_monthly.amount) == (
        AS_OF,
        Decimal(3000),
        Decimal(750),
    )
    assert family.repay_from == date(2027, 7, 1)
    risen = with_bridge(plan, BridgeKind.INCOME_RISE, Decimal(500), horizon).cash_flow
    assert [m.month for m in risen.months] == [
        "2027-01",
        "2027-02",
        "2027-03",
        "2027-04",
        "2027-05",
    ]
    february = risen.month("2027-02")
    assert february is not None and february.expenses is not None
    assert (february.income.amount, february.expenses.amount) == (Decimal(9500), Decimal(6000))  # type: ignore[union-attr]


@pytest.mark.parametrize("share", ["0", "1.5", "a tenth"])
def test_the_repayment_share_is_a_share_of_the_loan(share: str) -> None:
    document = _document([_loan(0, 6000, "0.12", 4, 2)], 9000, 5000, 0, 6)
    document["preferences"]["family_loan_repay_monthly"] = share
    with pytest.raises(ProblemsError) as caught:
        read_plan(document, CN)
    assert [p.field for p in caught.value.problems] == ["preferences.family_loan_repay_monthly"]


# ---------------------------------------------------------------- the search alone
def _fake(reached: bool, debt: Decimal = Decimal(10_000)) -> Replanned:
    """An outcome as the search reads it: one loan, one month overdue and beyond 90 days
    unless `reached`, owing `debt` on the first pay day."""
    month = SimpleNamespace(overdue=not reached, serious=not reached, owed=Money.of(debt, "CNY"))
    loan = SimpleNamespace(
        months=(month, month),
        overdue_months=0 if reached else 2,
        total_paid=Money.of(debt, "CNY"),
    )
    outcome = SimpleNamespace(loans=(loan,), overdue_account_months=0, clean_on=None)
    value = SimpleNamespace(cost=Decimal(0), serious_months=0)
    return Replanned(outcome, value)  # type: ignore[arg-type]


@given(
    st.integers(1, 250).map(lambda n: Decimal(n) * STEP),
    st.integers(-5, 5),
    st.sampled_from(list(BridgeKind)),
)
def test_the_search_finds_the_least_amount_or_says_it_did_not_prove_it(
    exact_threshold: Decimal, off: int, kind: BridgeKind
) -> None:
    """The exact planner reaches the goal from `exact_threshold`, the cheap one `off` steps
    from it. The amount found always reaches the goal; `minimal` only when it is the threshold;
    the cheap planner a step or two off still gives the least amount; the exact re-plans are
    bounded; beyond the cap (twice the debt) nothing is suggested."""
    quick_threshold = max(exact_threshold + off * STEP, STEP)
    calls: list[Decimal] = []
    horizon = Horizon.of(AS_OF, 2)
    plan = read_plan(_document([_loan(0, 6000, "0.12", 4, 2)], 9000, 5000, 0, 2), CN)

    def amount_of(bridged: Any) -> Decimal:
        if kind is BridgeKind.INCOME_RISE:
            return bridged.cash_flow.months[-1].income.amount - Decimal(9000)
        return bridged.one_off[-1].amount.amount

    def exact(bridged: Any) -> Replanned:
        calls.append(amount_of(bridged))
        return _fake(amount_of(bridged) >= exact_threshold)

    def quick(bridged: Any) -> list[Any]:
        return [_fake(amount_of(bridged) >= quick_threshold).outcome]

    found = BridgeSearch(plan, horizon, _fake(False), exact, quick, {}).find(
        kind, BridgeGoal.NO_SERIOUS
    )
    cap = Decimal(20_100)
    if quick_threshold > cap:
        assert found is None and calls == []
        return
    assert len(calls) <= 1 + EXACT_TRIES
    if found is None:  # the exact planner still missed after its tries
        assert max(calls) < exact_threshold
        return
    assert found.amount.amount >= exact_threshold
    if found.minimal:  # claimed: the least amount up to the step
        assert found.amount.amount == exact_threshold
    if abs(off) <= 2:
        assert found.minimal
