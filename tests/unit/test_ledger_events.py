"""Events beyond plain payments, with the arithmetic written out.

Loan: 12,000.00 at 18 %/yr, 12 months, equal instalments of 1,100.16 (first: interest 180.00,
principal 920.16), disbursed 2026-01-10. Monthly rate 0.015; penalty 1.5 x 0.18 / 360 = 0.00075/day.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.loan.contract import Contract, RepaymentMethod
from creditmend.domain.loan.events import (
    ChargeOff,
    EarlySettlement,
    LoanEvent,
    Payment,
    PaymentSource,
    Restructure,
    RestructureKind,
    WaivedComponent,
    Waiver,
)
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.state import LoanState
from creditmend.domain.loan.view import loan_state
from creditmend.domain.money import Money
from creditmend.domain.problems import ProblemsError
from creditmend.domain.rate import Rate
from creditmend.domain.rules import CN

LOAN = Contract(
    "t",
    Money.of("12000", "CNY"),
    Rate.annual("0.18"),
    12,
    RepaymentMethod.EQUAL_INSTALLMENT,
    date(2026, 1, 10),
)
D = Decimal


def state(events: list[LoanEvent], as_of: date) -> LoanState:
    return loan_state(run(LOAN, events, as_of, CN, WeekdayCalendar()), as_of)


def test_payment_before_the_due_date_is_held_and_applied_on_the_due_date() -> None:
    early = [Payment(date(2026, 2, 5), D("1100.16"))]
    held = state(early, date(2026, 2, 5))
    assert held.credit_balance.amount == D("1100.16")
    assert held.allocations[0].unapplied.amount == D("1100.16")
    applied = state(early, date(2026, 2, 10))
    assert applied.credit_balance.amount == 0
    assert (applied.allocations[0].interest.amount, applied.allocations[0].principal.amount) == (
        D("180.00"),
        D("920.16"),
    )
    assert applied.status_code == "N"


def test_early_settlement_pays_interest_to_date_only() -> None:
    # After instalment 1 the balance is 11,079.84. Period 2026-02-10..03-10 has 28 days;
    # settling on 02-25 (15 days): 11,079.84 x 0.015 x 15 / 28 = 89.0344 -> 89.03.
    events: list[LoanEvent] = [
        Payment(date(2026, 2, 10), D("1100.16")),
        EarlySettlement(date(2026, 2, 25)),
    ]
    settled = state(events, date(2026, 3, 31))
    assert settled.allocations[1].amount.amount == D("11168.87")
    assert settled.allocations[1].interest.amount == D("89.03")
    assert settled.closed_on == date(2026, 2, 25)
    assert [m.code for m in settled.monthly_status] == ["*", "C"]
    assert settled.payoff_amount.amount == 0


def test_waiver_of_penalty() -> None:
    # Overdue principal x days up to 04-20: 920.16 x 69 + 933.96 x 41 + 947.97 x 10
    # = 63,491.04 + 38,292.36 + 9,479.70 = 111,263.10; x 0.00075 = 83.447 -> 83.45 waived.
    waived = state([Waiver(date(2026, 4, 20), WaivedComponent.PENALTY)], date(2026, 4, 20))
    basis = D("920.16") * 69 + D("933.96") * 41 + D("947.97") * 10
    assert waived.total_waived.amount == (basis * D("0.00075")).quantize(D("0.01"))
    assert waived.total_waived.amount == D("83.45")
    assert waived.penalty_accrued.amount == 0
    assert waived.days_past_due == 69


def test_reinstalment_spreads_the_debt_and_resets_delinquency() -> None:
    events: list[LoanEvent] = [
        Restructure(date(2026, 4, 20), RestructureKind.REINSTALMENT, 6, waive_penalty=True)
    ]
    after = state(events, date(2026, 4, 20))
    assert after.days_past_due == 0
    assert after.restructured_on == (date(2026, 4, 20),)
    new = [i for i in after.installments if not i.restructured and i.number > 3]
    assert len(new) == 6
    assert sum(i.principal.amount for i in new) == D("12000.00")
    assert new[0].due_on == date(2026, 5, 20)
    # Overdue interest of instalments 1-3 (180.00 + 166.20 + 152.19) and 10 days of the current
    # period (12000 - 2802.09 = 9197.91 x 0.015 x 10/30 = 45.99) are carried, not waived.
    assert after.payoff_amount.amount == D("12000.00") + D("498.39") + D("45.99")
    assert [m.code for m in after.monthly_status] == ["*", "1", "2", "N"]


def test_extension_lengthens_the_remaining_term() -> None:
    after = state([Restructure(date(2026, 4, 20), RestructureKind.EXTENSION, 3)], date(2026, 4, 21))
    # 9 instalments were not yet due; 9 + 3 = 12 new ones after the 3 restructured.
    assert len(after.installments) == 15
    assert after.installments[-1].due_on == date(2027, 4, 20)


def test_charge_off_stops_accrual_and_reports_bad_debt() -> None:
    first = state([ChargeOff(date(2026, 6, 1))], date(2026, 6, 1))
    later = state([ChargeOff(date(2026, 6, 1))], date(2026, 8, 1))
    assert first.penalty_accrued == later.penalty_accrued
    assert later.overdue_principal.amount == D("12000.00")
    assert later.status_code == "B"
    assert [m.code for m in later.monthly_status][-3:] == ["B", "B", "B"]


def test_payment_covering_the_whole_debt_settles_and_keeps_the_excess_apart() -> None:
    # On 02-20 instalment 1 is 10 days late. Owed: interest 180.00 + principal 920.16,
    # penalty 920.16 x 10 x 0.00075 = 6.90, principal not yet due 11,079.84, and interest of the
    # current period 11,079.84 x 0.015 x 10 / 28 = 59.36; payoff 12,246.26.
    events: list[LoanEvent] = [Payment(date(2026, 2, 20), D("20000"), PaymentSource.GUARANTOR)]
    settled = state(events, date(2026, 3, 31))
    assert settled.closed_on == date(2026, 2, 20)
    assert settled.monthly_status[-1].code == "D"
    allocation = settled.allocations[0]
    assert allocation.unapplied.amount == D("20000") - D("12246.26")
    assert allocation.penalty.amount == D("6.90")
    assert allocation.interest.amount == D("180.00") + D("59.36")
    assert settled.cash_flows[-1].amount.amount == D("-12246.26")


def test_partial_payments_pay_penalty_then_interest_then_principal_oldest_first() -> None:
    # On 03-15: instalment 1 is 33 days late, instalment 2 is 5 days late.
    # penalty = (920.16 x 33 + 933.96 x 5) x 0.00075 = (30,365.28 + 4,669.80) x 0.00075
    #         = 26.2763 -> 26.28; interest 180.00 + 166.20 = 346.20;
    # principal = 1,100.16 - 26.28 - 346.20 = 727.68 (all to instalment 1's 920.16 first).
    paid = state([Payment(date(2026, 3, 15), D("1100.16"))], date(2026, 3, 15))
    allocation = paid.allocations[0]
    assert allocation.penalty.amount == D("26.28")
    assert allocation.interest.amount == D("346.20")
    assert allocation.principal.amount == D("727.68")
    assert paid.overdue_principal.amount == D("920.16") - D("727.68") + D("933.96")
    assert paid.days_past_due == 33


def test_a_second_restructure_keeps_what_the_first_carried() -> None:
    # After the first reinstalment on 04-20 the carried amounts are 498.39 overdue interest
    # + 45.99 interest to date + 83.45 penalty = 627.83. Five more days of interest on 12,000
    # at 0.18 / 360 (the new period's first 5 of 30 days: 12,000 x 0.015 x 5 / 30 = 30.00)
    # are owed on 04-25: 657.83 in all, whatever the second restructure does with them.
    first = Restructure(date(2026, 4, 20), RestructureKind.REINSTALMENT, 6)
    once = state([first], date(2026, 4, 25))
    twice = state(
        [first, Restructure(date(2026, 4, 25), RestructureKind.REINSTALMENT, 6)], date(2026, 4, 25)
    )
    assert once.payoff_amount.amount == D("12657.83")
    assert twice.payoff_amount.amount == D("12657.83")
    assert twice.deferred_amount.amount == D("657.83")


def test_paying_each_published_instalment_of_a_restructured_plan_stays_current() -> None:
    first = Restructure(date(2026, 4, 20), RestructureKind.REINSTALMENT, 6)
    plan = state([first], date(2026, 4, 20))
    payments: list[LoanEvent] = [
        Payment(i.due_on, i.outstanding.amount) for i in plan.installments if i.number > 3
    ]
    after = state([first, *payments], date(2026, 11, 30))
    assert [m.code for m in after.monthly_status] == [
        "*",
        "1",
        "2",
        "N",
        "N",
        "N",
        "N",
        "N",
        "N",
        "C",
    ]
    assert after.closed_on == date(2026, 10, 20)
    # The 83.45 of penalty carried into the plan is shown on its instalments.
    assert sum(i.penalty.amount for i in plan.installments) == D("83.45")


def test_a_second_charge_off_is_refused() -> None:
    with pytest.raises(ProblemsError, match=r"events\[1\]\.on: the loan was already charged off"):
        state([ChargeOff(date(2026, 3, 1)), ChargeOff(date(2026, 4, 2))], date(2026, 5, 1))


def test_held_credit_counts_toward_a_settling_payment() -> None:
    # 1,000.00 at 12 %/yr over 3 months, disbursed 01-10. 500.00 on 01-20 is held (nothing due);
    # 600.00 on 01-25 with the held 500.00 covers the payoff: principal 1,000.00 + interest
    # 1,000 x 0.01 x 15 / 31 = 4.84; 95.16 is left over as a refund due.
    contract = Contract(
        "h",
        Money.of("1000", "CNY"),
        Rate.annual("0.12"),
        3,
        RepaymentMethod.EQUAL_INSTALLMENT,
        date(2026, 1, 10),
    )
    events: list[LoanEvent] = [
        Payment(date(2026, 1, 20), D("500")),
        Payment(date(2026, 1, 25), D("600")),
    ]
    settled = loan_state(
        run(contract, events, date(2026, 1, 25), CN, WeekdayCalendar()), date(2026, 1, 25)
    )
    assert settled.closed_on == date(2026, 1, 25)
    first, second = settled.allocations
    assert (first.interest.amount, first.principal.amount) == (D("4.84"), D("495.16"))
    assert (second.principal.amount, second.unapplied.amount) == (D("504.84"), D("95.16"))


def test_a_month_keeps_the_code_its_end_saw_when_its_instalment_is_paid_next_month() -> None:
    """Due on the month's last day and paid the next day: at that month's end it was due that
    day and not yet late (`N`); reading the month again later must not make it `M` ("paid late
    within the month"), which a furnisher reporting at the month's end never saw. Found by the
    recovery property test that steps month by month against one fold."""
    loan = Contract(
        "t",
        Money.of("12000", "CNY"),
        Rate.annual("0.18"),
        12,
        RepaymentMethod.EQUAL_INSTALLMENT,
        date(2026, 1, 31),
    )

    def seen(events: list[LoanEvent], day: date) -> LoanState:
        return loan_state(run(loan, events, day, CN, WeekdayCalendar()), day)

    # the first instalment is due on 28 February: unpaid, it is 1 day late on 1 March
    assert (
        seen([], date(2026, 2, 28)).days_past_due,
        seen([], date(2026, 3, 1)).days_past_due,
    ) == (0, 1)
    paid_next_day: list[LoanEvent] = [Payment(date(2026, 3, 1), D("1101.00"))]
    assert seen(paid_next_day, date(2026, 2, 28)).status_code == "N"
    later = seen(paid_next_day, date(2026, 3, 20))
    assert {m.month: m.code for m in later.monthly_status}["2026-02"] == "N"
    assert later.days_past_due == 0
