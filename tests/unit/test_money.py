from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditmend.domain.money import HALF_UP, Money, MoneyError
from creditmend.domain.rate import Rate


def test_money_is_built_from_exact_text_and_shows_fen() -> None:
    assert Money.of("12.3", "CNY").amount == Decimal("12.30")
    assert str(Money.of(5, "CNY")) == "5.00 CNY"
    assert Money.of("1", "JPY").amount == Decimal("1")


@pytest.mark.parametrize("bad", [1.5, "abc", "NaN", "Infinity", True])
def test_money_refuses_floats_and_non_numbers(bad: object) -> None:
    with pytest.raises(MoneyError, match="amount"):
        Money.of(bad, "CNY")  # type: ignore[arg-type]  # deliberately the wrong type: it must be refused


def test_money_refuses_sub_fen_amounts_instead_of_rounding() -> None:
    with pytest.raises(MoneyError, match="more places"):
        Money.of("0.005", "CNY")
    assert HALF_UP.money(Decimal("0.005"), "CNY").amount == Decimal("0.01")
    assert HALF_UP.money(Decimal("0.0049"), "CNY").amount == Decimal("0.00")


def test_money_refuses_mixed_currencies() -> None:
    with pytest.raises(MoneyError, match="currency"):
        _ = Money.of("1", "CNY") + Money.of("1", "USD")


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
)
def test_money_addition_is_exact(a: Decimal, b: Decimal) -> None:
    total = Money.of(a, "CNY") + Money.of(b, "CNY")
    assert total.amount == a + b
    assert (total - Money.of(b, "CNY")).amount == a


def test_rate_conversions_use_the_day_count() -> None:
    daily = Rate.daily("0.0005")
    assert daily.per_year(360) == Decimal("0.18")
    assert daily.per_year(365) == Decimal("0.1825")
    assert daily.per_month(360) == Decimal("0.015")
    annual = Rate.annual("0.18")
    assert annual.per_day(360) == Decimal("0.0005")
    assert annual.per_month(360) == Decimal("0.015")
    assert Rate.monthly("0.01").per_year(360) == Decimal("0.12")
    with pytest.raises(MoneyError, match="annual_rate"):
        Rate.annual("-0.1")
