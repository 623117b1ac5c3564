"""Golden penalty, allocation and delinquency cases, each worked out by hand in the test.

The loan throughout: 12000.00 at 18 %/yr, equal instalments over 12 months, profile cn
(annual / 360). Monthly rate 0.015, level payment 1100.16; instalment 1 is principal 920.16 +
interest 180.00, instalment 2 is principal 933.96 + interest 166.20. The penalty rate with the
default multiplier is 0.18 / 360 x 1.5 = 0.0005 x 1.5 = 0.00075 a day.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.loan.contract import (
    Contract,
    LateFee,
    PenaltyBasis,
    PenaltyTerms,
    RepaymentMethod,
    validate_contract,
)
from creditmend.domain.loan.events import (
    DeductionFailed,
    DeductionFailure,
    DeductionSucceeded,
    LoanEvent,
    Payment,
)
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.schedule import build_schedule
from creditmend.domain.loan.state import LoanState
from creditmend.domain.loan.view import loan_state
from creditmend.domain.money import Money
from creditmend.domain.rate import Rate
from creditmend.domain.rules.cn import CN

CAL = WeekdayCalendar()
D = Decimal

# Disbursed 2026-07-10: instalment 1 due 2026-08-10, instalment 2 due 2026-09-10 (31 days later),
# so 30 days past the first due date (2026-09-09) nothing else has fallen due yet.
DISBURSED = date(2026, 7, 10)
DUE_1 = date(2026, 8, 10)
DUE_2 = date(2026, 9, 10)
DAY_30 = date(2026, 9, 9)


def _contract(
    penalty: PenaltyTerms | None = None,
    grace_days: int = 0,
    disbursed_on: date = DISBURSED,
) -> Contract:
    contract = Contract(
        id="golden-penalty",
        principal=Money.of("12000.00", "CNY"),
        rate=Rate.annual("0.18"),
        term_months=12,
        method=RepaymentMethod.EQUAL_INSTALLMENT,
        disbursed_on=disbursed_on,
        grace_days=grace_days,
        penalty=penalty or PenaltyTerms(),
    )
    assert validate_contract(contract) == ()
    return contract


def _state(contract: Contract, events: list[LoanEvent], as_of: date) -> LoanState:
    return loan_state(run(contract, events, as_of, CN, CAL), as_of)


def _m(value: str) -> Money:
    return Money.of(value, "CNY")


def _codes(state: LoanState) -> list[tuple[str, str]]:
    return [(s.month, s.code) for s in state.monthly_status]


def test_schedule_assumed_by_these_cases() -> None:
    rows = build_schedule(_contract(), CAL, days_in_year=360).installments
    assert [(i.due_on, i.principal, i.interest) for i in rows[:2]] == [
        (DUE_1, D("920.16"), D("180.00")),
        (DUE_2, D("933.96"), D("166.20")),
    ]


def test_penalty_on_overdue_principal_30_days() -> None:
    # 920.16 x 0.18 / 360 x 1.5 x 30 = 920.16 x 0.00075 x 30 = 20.7036 -> 20.70
    state = _state(_contract(), [], DAY_30)
    assert state.penalty_accrued == _m("20.70")
    assert state.compound_interest_accrued == _m("0.00")
    assert state.overdue_principal == _m("920.16")
    assert state.overdue_interest == _m("180.00")
    assert state.days_past_due == 30
    # The interest on the overdue 180.00 bears no penalty without compound_interest.


def test_penalty_on_the_due_date_itself_is_zero() -> None:
    state = _state(_contract(), [], DUE_1)
    assert state.penalty_accrued == _m("0.00")
    assert state.days_past_due == 0
    assert state.due_today == _m("1100.16")
    # One day later: 920.16 x 0.00075 x 1 = 0.69012 -> 0.69
    state = _state(_contract(), [], date(2026, 8, 11))
    assert state.penalty_accrued == _m("0.69")
    assert state.days_past_due == 1


def test_compound_interest_on_overdue_interest() -> None:
    # penalty:  920.16 x 0.00075 x 30 = 20.7036 -> 20.70
    # compound: 180.00 x 0.00075 x 30 =  4.05
    # penalty_accrued includes the compound part: 20.70 + 4.05 = 24.75
    contract = _contract(PenaltyTerms(compound_interest=True))
    state = _state(contract, [], DAY_30)
    assert state.compound_interest_accrued == _m("4.05")
    assert state.penalty_accrued == _m("24.75")


def test_basis_overdue_installment() -> None:
    # (920.16 + 180.00) x 0.00075 x 30 = 1100.16 x 0.0225 = 24.7536 -> 24.75, none of it compound
    contract = _contract(PenaltyTerms(basis=PenaltyBasis.OVERDUE_INSTALLMENT))
    state = _state(contract, [], DAY_30)
    assert state.penalty_accrued == _m("24.75")
    assert state.compound_interest_accrued == _m("0.00")


def test_explicit_daily_penalty_rate() -> None:
    # 920.16 x 0.0008 x 30 = 22.08384 -> 22.08
    contract = _contract(PenaltyTerms(multiplier=None, daily_rate=D("0.0008")))
    state = _state(contract, [], DAY_30)
    assert state.penalty_accrued == _m("22.08")


def test_explicit_daily_penalty_rate_with_compound() -> None:
    # penalty 920.16 x 0.0008 x 30 = 22.08384 -> 22.08; compound 180.00 x 0.0008 x 30 = 4.32
    contract = _contract(
        PenaltyTerms(multiplier=None, daily_rate=D("0.0008"), compound_interest=True)
    )
    state = _state(contract, [], DAY_30)
    assert state.compound_interest_accrued == _m("4.32")
    assert state.penalty_accrued == _m("26.40")


def test_grace_days_no_penalty_within_grace_then_counted_from_due_plus_grace() -> None:
    contract = _contract(grace_days=3)
    # Within grace (due + 3 = 2026-08-13): no penalty; days past due still count from the due date,
    # but the month is not reported late while within grace.
    state = _state(contract, [], date(2026, 8, 13))
    assert state.penalty_accrued == _m("0.00")
    assert state.days_past_due == 3
    assert state.status_code == "N"
    # Ten days after grace ended (2026-08-23): 920.16 x 0.00075 x 10 = 6.9012 -> 6.90
    state = _state(contract, [], date(2026, 8, 23))
    assert state.penalty_accrued == _m("6.90")
    assert state.days_past_due == 13
    assert state.status_code == "1"
    # 30 days past due (2026-09-09) is 27 days of penalty: 920.16 x 0.00075 x 27 = 18.63324 -> 18.63
    state = _state(contract, [], DAY_30)
    assert state.penalty_accrued == _m("18.63")


def test_late_fee_flat_is_charged_once_on_the_first_late_day() -> None:
    contract = _contract(PenaltyTerms(late_fee=LateFee(amount=_m("20.00"))))
    assert _state(contract, [], DUE_1).fees_due == _m("0.00")
    assert _state(contract, [], date(2026, 8, 11)).fees_due == _m("20.00")
    # Still one fee 30 days later (only instalment 1 is late), next to the penalty 20.70.
    state = _state(contract, [], DAY_30)
    assert state.fees_due == _m("20.00")
    assert state.penalty_accrued == _m("20.70")


def test_late_fee_flat_after_grace() -> None:
    # grace 5: the first late day is due + 6 = 2026-08-16
    contract = _contract(PenaltyTerms(late_fee=LateFee(amount=_m("20.00"))), grace_days=5)
    assert _state(contract, [], date(2026, 8, 15)).fees_due == _m("0.00")
    assert _state(contract, [], date(2026, 8, 16)).fees_due == _m("20.00")


def test_late_fee_percentage_of_the_overdue_instalment() -> None:
    # 5 % of what is overdue (principal + interest): 1100.16 x 0.05 = 55.008 -> 55.01
    contract = _contract(PenaltyTerms(late_fee=LateFee(rate=D("0.05"))))
    assert _state(contract, [], date(2026, 8, 11)).fees_due == _m("55.01")


def test_partial_payment_allocated_fees_penalty_interest_principal_oldest_first() -> None:
    contract = _contract(PenaltyTerms(compound_interest=True, late_fee=LateFee(amount=_m("20.00"))))
    # Payment of 500.00 on 2026-09-09, 30 days after instalment 1 fell due:
    #   late fee (charged 2026-08-11)                  20.00
    #   penalty 920.16 x 0.00075 x 30 = 20.7036 ->     20.70
    #   compound 180.00 x 0.00075 x 30 =                4.05   -> penalty part 24.75
    #   past-due interest                              180.00
    #   past-due principal 500 - 20 - 24.75 - 180 =    275.25
    first = Payment(DAY_30, D("500.00"))
    state = _state(contract, [first], DAY_30)
    (allocation,) = state.allocations
    assert allocation.fees == _m("20.00")
    assert allocation.penalty == _m("24.75")
    assert allocation.interest == _m("180.00")
    assert allocation.principal == _m("275.25")
    assert allocation.unapplied == _m("0.00")
    # Left of instalment 1: principal 920.16 - 275.25 = 644.91, nothing else.
    assert state.overdue_principal == _m("644.91")
    assert state.overdue_interest == _m("0.00")
    assert state.penalty_accrued == _m("0.00")
    assert state.fees_due == _m("0.00")
    assert state.outstanding_principal == _m("11724.75")  # 12000.00 - 275.25
    assert state.days_past_due == 30

    # Payment of 1000.00 on 2026-09-20. Since the first payment:
    #   instalment 1: 644.91 overdue for 11 days (09-09 .. 09-20)
    #   instalment 2: fell due 2026-09-10, 933.96 + 166.20 overdue for 10 days; late fee 20.00
    #   penalty  (644.91 x 11 + 933.96 x 10) x 0.00075 = 16433.61 x 0.00075 = 12.3252075 -> 12.33
    #   compound 166.20 x 10 x 0.00075 = 1.2465 -> 1.25   -> penalty part 13.58
    # Allocation: fees 20.00, penalty 13.58, past-due interest 166.20 (instalment 2; instalment 1
    # has none left), then past-due principal oldest first: 644.91 of instalment 1 and the rest,
    # 1000 - 20 - 13.58 - 166.20 - 644.91 = 155.31, of instalment 2.
    second = Payment(date(2026, 9, 20), D("1000.00"))
    state = _state(contract, [first, second], date(2026, 9, 20))
    allocation = state.allocations[1]
    assert allocation.fees == _m("20.00")
    assert allocation.penalty == _m("13.58")
    assert allocation.interest == _m("166.20")
    assert allocation.principal == _m("800.22")  # 644.91 + 155.31
    assert allocation.unapplied == _m("0.00")
    first_row, second_row = state.installments[:2]
    assert first_row.paid_off_on == date(2026, 9, 20)
    assert first_row.outstanding == _m("0.00")
    assert second_row.paid_off_on is None
    assert second_row.outstanding == _m("778.65")  # 933.96 - 155.31
    assert state.overdue_principal == _m("778.65")
    assert state.outstanding_principal == _m("10924.53")  # 12000 - 275.25 - 800.22
    # Instalment 1 is paid off, the oldest unpaid is instalment 2 (due 2026-09-10): 10 days.
    assert state.days_past_due == 10


def test_payment_on_the_due_date_is_due_not_past_due() -> None:
    # 1100.16 on the due date pays instalment 1 exactly: interest 180.00, principal 920.16.
    state = _state(_contract(), [Payment(DUE_1, D("1100.16"))], DUE_1)
    (allocation,) = state.allocations
    assert (allocation.penalty, allocation.interest, allocation.principal) == (
        _m("0.00"),
        _m("180.00"),
        _m("920.16"),
    )
    assert state.installments[0].paid_off_on == DUE_1
    assert state.days_past_due == 0
    assert state.status_code == "N"


def test_monthly_status_codes_n_m_and_buckets_1_to_7() -> None:
    # Disbursed 2026-01-10; instalments due on the 10th from 2026-02-10.
    contract = _contract(disbursed_on=date(2026, 1, 10))
    events: list[LoanEvent] = [
        # Instalment 1 on time: February is N.
        DeductionSucceeded(date(2026, 2, 10), D("1100.16")),
        # Instalment 2 (933.96 + 166.20) five days late, within March: penalty
        # 933.96 x 0.00075 x 5 = 3.50235 -> 3.50, so 1100.16 + 3.50 = 1103.66 pays it off: M.
        Payment(date(2026, 3, 15), D("1103.66")),
        # Nothing more: instalment 3 (due 2026-04-10) stays unpaid.
    ]
    state = _state(contract, events, date(2026, 3, 15))
    assert state.allocations[1].penalty == _m("3.50")
    assert state.allocations[1].unapplied == _m("0.00")
    assert state.installments[1].paid_off_on == date(2026, 3, 15)
    assert state.days_past_due == 0

    state = _state(contract, events, date(2026, 10, 31))
    # Days past due at each month end, counted from 2026-04-10:
    # 04-30: 20 -> 1; 05-31: 51 -> 2; 06-30: 81 -> 3; 07-31: 112 -> 4; 08-31: 143 -> 5;
    # 09-30: 173 -> 6; 10-31: 204 -> 7
    assert _codes(state) == [
        ("2026-01", "*"),
        ("2026-02", "N"),
        ("2026-03", "M"),
        ("2026-04", "1"),
        ("2026-05", "2"),
        ("2026-06", "3"),
        ("2026-07", "4"),
        ("2026-08", "5"),
        ("2026-09", "6"),
        ("2026-10", "7"),
    ]
    assert state.days_past_due == 204
    assert state.status_code == "7"


def test_bucket_edges_30_and_31_days() -> None:
    # 30 days past due is still bucket 1; 31 days is bucket 2.
    state = _state(_contract(), [], DAY_30)
    assert state.status_code == "1"
    assert _codes(state)[-2:] == [("2026-08", "1"), ("2026-09", "1")]
    state = _state(_contract(), [], DUE_2)  # 31 days after DUE_1
    assert state.days_past_due == 31
    assert state.status_code == "2"


def test_failed_deduction_with_enough_in_the_bank_is_flagged() -> None:
    # On the due date 1100.16 is due; the card held 5000.00 >= 1100.16.
    events: list[LoanEvent] = [
        DeductionFailed(DUE_1, DeductionFailure.PLATFORM_ERROR, bank_balance=D("5000.00")),
    ]
    state = _state(_contract(), events, DUE_1)
    (attempt,) = state.deduction_attempts
    assert not attempt.succeeded
    assert attempt.reason == "platform_error"
    assert attempt.amount_due == _m("1100.16")
    assert attempt.bank_balance == _m("5000.00")
    assert attempt.balance_was_sufficient is True


def test_failed_deduction_balance_exactly_the_amount_due_is_sufficient() -> None:
    events: list[LoanEvent] = [
        DeductionFailed(DUE_1, DeductionFailure.BANK_ERROR, bank_balance=D("1100.16")),
    ]
    (attempt,) = _state(_contract(), events, DUE_1).deduction_attempts
    assert attempt.balance_was_sufficient is True


def test_failed_deduction_with_too_little_in_the_bank_is_not_flagged() -> None:
    events: list[LoanEvent] = [
        DeductionFailed(DUE_1, DeductionFailure.INSUFFICIENT_FUNDS, bank_balance=D("1100.15")),
    ]
    (attempt,) = _state(_contract(), events, DUE_1).deduction_attempts
    assert attempt.balance_was_sufficient is False


def test_failed_deduction_later_includes_penalty_in_the_amount_due() -> None:
    # 30 days late the amount due is 1100.16 + penalty 20.70 = 1120.86; 1120.00 is not enough.
    events: list[LoanEvent] = [
        DeductionFailed(DAY_30, DeductionFailure.PLATFORM_ERROR, bank_balance=D("1120.00")),
    ]
    (attempt,) = _state(_contract(), events, DAY_30).deduction_attempts
    assert attempt.amount_due == _m("1120.86")
    assert attempt.balance_was_sufficient is False


def test_example_loan_file_story() -> None:
    # examples/jiebei-overdue.yaml: two instalments by auto-debit on time, a failed debit with
    # 5000.00 on the card on 2026-04-10 when instalment 3 (1100.16) fell due.
    contract = _contract(PenaltyTerms(compound_interest=True), disbursed_on=date(2026, 1, 10))
    events: list[LoanEvent] = [
        DeductionSucceeded(date(2026, 2, 10), D("1100.16")),
        DeductionSucceeded(date(2026, 3, 10), D("1100.16")),
        DeductionFailed(
            date(2026, 4, 10), DeductionFailure.PLATFORM_ERROR, bank_balance=D("5000.00")
        ),
    ]
    state = _state(contract, events, date(2026, 4, 10))
    failed = state.deduction_attempts[-1]
    assert failed.amount_due == _m("1100.16")
    assert failed.balance_was_sufficient is True
    assert [a.succeeded for a in state.deduction_attempts] == [True, True, False]
    assert _codes(state)[:3] == [("2026-01", "*"), ("2026-02", "N"), ("2026-03", "N")]


def test_penalty_of_exactly_half_a_fen_rounds_up() -> None:
    # 904.50 at 4 %/yr for one month (interest first), penalty at 1 x the contract rate, whose
    # daily rate 0.04 / 360 = 0.000111... does not terminate.
    # interest 904.50 x 0.04 / 12 = 3.015 -> 3.02; penalty 10 days after 2026-02-10:
    # 904.50 x 0.04 / 360 x 10 = 361.80 / 360 = 1.005 -> 1.01
    contract = Contract(
        id="golden-half-fen",
        principal=Money.of("904.50", "CNY"),
        rate=Rate.annual("0.04"),
        term_months=1,
        method=RepaymentMethod.INTEREST_FIRST,
        disbursed_on=date(2026, 1, 10),
        penalty=PenaltyTerms(multiplier=D(1)),
    )
    state = _state(contract, [], date(2026, 2, 20))
    assert state.installments[0].interest == _m("3.02")
    assert state.overdue_interest == _m("3.02")
    assert state.penalty_accrued == _m("1.01")
