"""Golden repayment schedules: numpy-financial for equal instalments, hand arithmetic for the rest.

Every expected amount below is worked out in a comment next to it, so a failing case can be
checked with a pencil. Rates are annual / 12 a month (profile cn, 360 days) unless stated.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy_financial as npf
import pytest

from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.loan.contract import INSTALMENT_METHODS, Contract, RepaymentMethod
from creditmend.domain.loan.schedule import Schedule, build_schedule
from creditmend.domain.money import Money
from creditmend.domain.rate import Rate

CAL = WeekdayCalendar()
CENT = Decimal("0.01")
D = Decimal


def _schedule(
    principal: str,
    rate: Rate,
    term: int,
    method: RepaymentMethod,
    disbursed_on: date = date(2026, 1, 10),
    first_due_on: date | None = None,
) -> Schedule:
    contract = Contract(
        id="golden",
        principal=Money.of(principal, "CNY"),
        rate=rate,
        term_months=term,
        method=method,
        disbursed_on=disbursed_on,
        first_due_on=first_due_on,
    )
    return build_schedule(contract, CAL, days_in_year=360)


def _rows(schedule: Schedule) -> list[tuple[date, Decimal, Decimal]]:
    return [(i.due_on, i.principal, i.interest) for i in schedule.installments]


def _pmt_cents(annual: str, term: int, principal: str) -> Decimal:
    """numpy-financial's level payment, rounded half up to the fen.

    The float is turned into a Decimal through its shortest repr, which is exact enough for the
    cases here (none of them sits within 1e-9 of a half cent).
    """
    value = npf.pmt(float(annual) / 12, term, -float(principal))
    return Decimal(repr(float(value))).quantize(CENT, rounding=ROUND_HALF_UP)


EQUAL_INSTALLMENT_CASES = [
    ("12000.00", "0.18", 12, "1100.16"),
    ("50000.00", "0.12", 36, "1660.72"),
    ("3000.00", "0.24", 6, "535.58"),
    ("100000.00", "0.0435", 24, "4358.09"),
    ("8888.88", "0.156", 18, "557.04"),
    ("1000.00", "0.36", 3, None),
    ("250000.00", "0.049", 60, None),
]


@pytest.mark.parametrize(("principal", "annual", "term", "known"), EQUAL_INSTALLMENT_CASES)
def test_equal_installment_matches_numpy_financial_pmt(
    principal: str, annual: str, term: int, known: str | None
) -> None:
    payment = _pmt_cents(annual, term, principal)
    if known is not None:
        assert payment == D(known)  # the oracle itself, pinned
    schedule = _schedule(principal, Rate.annual(annual), term, RepaymentMethod.EQUAL_INSTALLMENT)
    rows = schedule.installments
    assert len(rows) == term
    # Every instalment but the last is exactly the level payment ...
    for row in rows[:-1]:
        assert row.principal + row.interest == payment, row
        assert row.fees == 0
    # ... and each interest is the balance before it x the monthly rate, rounded half up.
    monthly = D(annual) / 12
    balance = D(principal)
    for row in rows:
        assert row.interest == (balance * monthly).quantize(CENT, rounding=ROUND_HALF_UP)
        balance -= row.principal
    # The last instalment takes the rounding difference: it repays what is left, so it may differ
    # from the level payment by at most the accumulated half-fen roundings (< 1 fen a period).
    last = rows[-1]
    assert abs(last.principal + last.interest - payment) <= CENT * term
    assert schedule.total_principal == Money.of(principal, "CNY")


def test_equal_installment_12000_at_18_percent_first_rows() -> None:
    # monthly rate 0.18 / 12 = 0.015; payment 1100.16 (numpy-financial: 1100.1599...)
    # 1: interest 12000.00 x 0.015 = 180.00;                principal 1100.16 - 180.00 = 920.16
    # 2: balance 11079.84, interest x 0.015 = 166.1976 -> 166.20; principal 933.96
    # 3: balance 10145.88, interest x 0.015 = 152.1882 -> 152.19; principal 947.97
    schedule = _schedule("12000.00", Rate.annual("0.18"), 12, RepaymentMethod.EQUAL_INSTALLMENT)
    assert _rows(schedule)[:3] == [
        (date(2026, 2, 10), D("920.16"), D("180.00")),
        (date(2026, 3, 10), D("933.96"), D("166.20")),
        (date(2026, 4, 10), D("947.97"), D("152.19")),
    ]
    # 12: what is left, 1083.93, with interest 1083.93 x 0.015 = 16.25895 -> 16.26: 1100.19
    assert _rows(schedule)[-1] == (date(2027, 1, 10), D("1083.93"), D("16.26"))


PRINCIPAL_SUM_CASES = [
    (method, principal, annual, term)
    for method in INSTALMENT_METHODS
    for principal, annual, term in (
        ("12000.00", "0.18", 12),
        ("1000.00", "0.12", 3),
        ("9999.99", "0.2399", 7),
        ("50000.01", "0.0435", 36),
        ("0.05", "0.18", 12),
        ("777.77", "0", 11),
    )
]


@pytest.mark.parametrize(("method", "principal", "annual", "term"), PRINCIPAL_SUM_CASES)
def test_principals_sum_exactly_to_the_principal(
    method: RepaymentMethod, principal: str, annual: str, term: int
) -> None:
    schedule = _schedule(principal, Rate.annual(annual), term, method)
    assert sum((i.principal for i in schedule.installments), D(0)) == D(principal)
    assert schedule.total_principal == Money.of(principal, "CNY")
    for row in schedule.installments:
        assert row.principal >= 0
        assert row.interest >= 0
        assert row.principal == row.principal.quantize(CENT)
        assert row.interest == row.interest.quantize(CENT)
    expected_rows = 1 if method is RepaymentMethod.BULLET else term
    assert len(schedule.installments) == expected_rows


def test_equal_principal_small_case() -> None:
    # 1200.00 at 12 %/yr over 3 months: principal 1200 / 3 = 400.00 each, monthly rate 0.01.
    # 1: 1200.00 x 0.01 = 12.00;  2: 800.00 x 0.01 = 8.00;  3: 400.00 x 0.01 = 4.00
    schedule = _schedule("1200.00", Rate.annual("0.12"), 3, RepaymentMethod.EQUAL_PRINCIPAL)
    assert _rows(schedule) == [
        (date(2026, 2, 10), D("400.00"), D("12.00")),
        (date(2026, 3, 10), D("400.00"), D("8.00")),
        (date(2026, 4, 10), D("400.00"), D("4.00")),
    ]
    assert schedule.total_interest == Money.of("24.00", "CNY")


def test_equal_principal_rounding_goes_to_the_last_instalment() -> None:
    # 1000.00 / 3 = 333.333... -> 333.33, 333.33, and the last takes 1000 - 666.66 = 333.34.
    # 1: 1000.00 x 0.01 = 10.00
    # 2:  666.67 x 0.01 = 6.6667 -> 6.67
    # 3:  333.34 x 0.01 = 3.3334 -> 3.33
    schedule = _schedule("1000.00", Rate.annual("0.12"), 3, RepaymentMethod.EQUAL_PRINCIPAL)
    assert _rows(schedule) == [
        (date(2026, 2, 10), D("333.33"), D("10.00")),
        (date(2026, 3, 10), D("333.33"), D("6.67")),
        (date(2026, 4, 10), D("333.34"), D("3.33")),
    ]


def test_interest_first_small_case() -> None:
    # 1000.00 at 12 %/yr, 3 months, interest first: 1000.00 x 0.01 = 10.00 every month,
    # the whole principal with the last instalment.
    schedule = _schedule("1000.00", Rate.annual("0.12"), 3, RepaymentMethod.INTEREST_FIRST)
    assert _rows(schedule) == [
        (date(2026, 2, 10), D("0"), D("10.00")),
        (date(2026, 3, 10), D("0"), D("10.00")),
        (date(2026, 4, 10), D("1000.00"), D("10.00")),
    ]


def test_interest_of_exactly_half_a_fen_rounds_up() -> None:
    # 1050.60 at 10 %/yr: 1050.60 x 0.10 / 12 = 105.06 / 12 = 8.755 exactly -> 8.76 (half up),
    # although 0.10 / 12 = 0.008333... does not terminate.
    schedule = _schedule("1050.60", Rate.annual("0.10"), 2, RepaymentMethod.INTEREST_FIRST)
    assert _rows(schedule) == [
        (date(2026, 2, 10), D("0"), D("8.76")),
        (date(2026, 3, 10), D("1050.60"), D("8.76")),
    ]


def test_bullet_small_case() -> None:
    # 1000.00 at 12 %/yr for 3 months in one payment: rate for the period 0.01 x 3 = 0.03,
    # interest 1000.00 x 0.03 = 30.00, due 3 months after 2026-01-10.
    schedule = _schedule("1000.00", Rate.annual("0.12"), 3, RepaymentMethod.BULLET)
    assert _rows(schedule) == [(date(2026, 4, 10), D("1000.00"), D("30.00"))]
    assert schedule.installments[0].period.start == date(2026, 1, 10)


def test_irregular_first_period_is_counted_by_actual_days() -> None:
    # 1000.00 at 12 %/yr, interest first, disbursed 2026-01-10, first due 2026-02-25 (46 days):
    # 1: 1000.00 x 0.12 x 46 / 360 = 15.3333... -> 15.33
    # 2: a regular month 2026-02-25 .. 2026-03-25: 1000.00 x 0.01 = 10.00
    schedule = _schedule(
        "1000.00",
        Rate.annual("0.12"),
        2,
        RepaymentMethod.INTEREST_FIRST,
        first_due_on=date(2026, 2, 25),
    )
    assert _rows(schedule) == [
        (date(2026, 2, 25), D("0"), D("15.33")),
        (date(2026, 3, 25), D("1000.00"), D("10.00")),
    ]


def test_daily_rate_equal_principal_uses_actual_days() -> None:
    # 3000.00 at 0.05 % a day, equal principal 1000.00 a month, from 2026-01-10:
    # 1: 01-10 .. 02-10, 31 days: 3000.00 x 0.0005 x 31 = 46.50
    # 2: 02-10 .. 03-10, 28 days: 2000.00 x 0.0005 x 28 = 28.00
    # 3: 03-10 .. 04-10, 31 days: 1000.00 x 0.0005 x 31 = 15.50
    schedule = _schedule("3000.00", Rate.daily("0.0005"), 3, RepaymentMethod.EQUAL_PRINCIPAL)
    assert _rows(schedule) == [
        (date(2026, 2, 10), D("1000.00"), D("46.50")),
        (date(2026, 3, 10), D("1000.00"), D("28.00")),
        (date(2026, 4, 10), D("1000.00"), D("15.50")),
    ]


def test_daily_rate_equal_installment_priced_monthly_interest_by_days() -> None:
    # The level payment is priced at the equivalent monthly rate 0.0005 x 360 / 12 = 0.015:
    # pmt(0.015, 3, -3000) = 1030.1488... -> 1030.15 (numpy-financial agrees).
    assert _pmt_cents("0.18", 3, "3000.00") == D("1030.15")
    # Interest is balance x daily x actual days:
    # 1: 3000.00 x 0.0005 x 31 = 46.50;                   principal 1030.15 - 46.50 = 983.65
    # 2: 2016.35 x 0.0005 x 28 = 28.2289 -> 28.23;        principal 1030.15 - 28.23 = 1001.92
    # 3: what is left, 1014.43; 1014.43 x 0.0005 x 31 = 15.723665 -> 15.72
    schedule = _schedule("3000.00", Rate.daily("0.0005"), 3, RepaymentMethod.EQUAL_INSTALLMENT)
    assert _rows(schedule) == [
        (date(2026, 2, 10), D("983.65"), D("46.50")),
        (date(2026, 3, 10), D("1001.92"), D("28.23")),
        (date(2026, 4, 10), D("1014.43"), D("15.72")),
    ]
    balance = D("3000.00")
    for row in schedule.installments:
        days = (row.period.due_on - row.period.start).days
        expected = (balance * D("0.0005") * days).quantize(CENT, rounding=ROUND_HALF_UP)
        assert row.interest == expected
        balance -= row.principal
    assert balance == 0
