"""Money and rates as exact decimals.

Money is cent-exact by construction: an amount with more places than the currency's minor unit
is refused instead of silently rounded, and every rounding goes through a named `RoundingPolicy`.
Unrounded intermediate values (daily accruals) are plain `Decimal` inside the engines that make
them and become `Money` only through `RoundingPolicy.money`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import NoReturn

from creditmend.domain.problems import FieldError

ZERO = Decimal(0)
MAX_DIGITS = 15  # integer digits an input number may have: a quadrillion is no loan
ONE = Decimal(1)
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

# Places of the minor unit per ISO 4217 code; currencies not listed use 2.
MINOR_UNIT_PLACES: dict[str, int] = {"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2, "JPY": 0, "KRW": 0}

# Precision for accruals: wide enough that rate x balance x days never rounds, so that the
# sum of accruals over split periods equals the accrual over the whole period.
ACCRUAL_CONTEXT = Context(prec=60)


class MoneyError(FieldError):
    """A value that cannot be money: float, not a number, wrong places, mixed currencies."""


def decimal_of(value: str | int | Decimal, field: str = "amount") -> Decimal:
    """Parse an exact decimal; floats are refused because they are not exact."""
    if isinstance(value, bool | float):
        raise MoneyError(field, f'{value!r} is a float; give a decimal string such as "12.34"')
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        # ASCII digits only (an exponent is read, and refused below when too large): Decimal
        # itself also reads "1_000", "１２" and "NaN", none of which is an amount as written.
        if not _PLAIN_DECIMAL.fullmatch(value.strip()):
            raise MoneyError(field, f"{value!r} is not a decimal number")
        number = Decimal(value.strip())
    else:
        raise MoneyError(field, f"{value!r} is not a decimal number")
    if not number.is_finite():
        raise MoneyError(field, f"{value!r} is not a finite number")
    if number and number.adjusted() >= MAX_DIGITS:
        raise MoneyError(field, f"{value!r} is too large")
    return number


_QUANTA: dict[str, Decimal] = {}


def minor_unit(currency: str) -> Decimal:
    """The currency's smallest unit (0.01 for CNY), computed once per currency."""
    quantum = _QUANTA.get(currency)
    if quantum is None:
        if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
            raise MoneyError("currency", f"{currency!r} is not an ISO 4217 code")
        quantum = _QUANTA[currency] = Decimal(1).scaleb(-MINOR_UNIT_PLACES.get(currency, 2))
    return quantum


class Money:
    """An exact amount in one currency, never finer than the currency's minor unit.

    Immutable and hashable. Written by hand rather than as a frozen dataclass because a ledger
    state publishes hundreds of amounts and a frozen dataclass costs twice as much to build.
    """

    __slots__ = ("amount", "currency")
    amount: Decimal
    currency: str

    def __init__(self, amount: Decimal, currency: str) -> None:
        if not isinstance(amount, Decimal) or not amount.is_finite():
            raise MoneyError("amount", f"{amount!r} is not a finite Decimal")
        shown = amount.quantize(_QUANTA.get(currency) or minor_unit(currency))
        if shown != amount:
            raise MoneyError(
                "amount", f"{amount} has more places than {currency} allows; round it first"
            )
        # Lossless (checked above): every Money shows the currency's places, 0 as 0.00.
        _set_amount(self, shown)
        _set_currency(self, currency)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Money is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("Money is immutable")

    def __reduce__(self) -> tuple[type[Money], tuple[Decimal, str]]:
        return (Money, (self.amount, self.currency))

    def __copy__(self) -> Money:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Money:
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.amount == other.amount and self.currency == other.currency

    def __hash__(self) -> int:
        return hash((self.amount, self.currency))

    def __repr__(self) -> str:
        return f"Money({str(self.amount)!r}, {self.currency!r})"

    @classmethod
    def of(cls, value: str | int | Decimal, currency: str, field: str = "amount") -> Money:
        """The one constructor from outside data: exact parse, no rounding."""
        number = decimal_of(value, field)
        if not _is_exact(number, currency):
            raise MoneyError(field, f"{value} has more places than {currency} allows")
        return cls(number.quantize(minor_unit(currency)), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(ZERO.quantize(minor_unit(currency)), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError("currency", f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def is_zero(self) -> bool:
        return self.amount == ZERO

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


# The slots' own setters (Money refuses `__setattr__`): cheaper than `object.__setattr__`,
# which looks the slot up by name, for the hundreds of amounts a loan's state makes.
_set_amount = Money.__dict__["amount"].__set__
_set_currency = Money.__dict__["currency"].__set__


def _is_exact(number: Decimal, currency: str) -> bool:
    return number == number.quantize(minor_unit(currency))


@dataclass(frozen=True, slots=True)
class RoundingPolicy:
    """How an unrounded amount becomes money: to the minor unit, half up (banks' 四舍五入)."""

    mode: str = ROUND_HALF_UP

    def round(self, value: Decimal, currency: str) -> Decimal:
        return value.quantize(_QUANTA.get(currency) or minor_unit(currency), rounding=self.mode)

    def money(self, value: Decimal, currency: str) -> Money:
        return Money(self.round(value, currency), currency)


HALF_UP = RoundingPolicy()


def shared_money(currency: str) -> Callable[[Decimal], Money]:
    """Money in `currency`, each distinct amount made once and shared: a loan's state or a
    plan's months repeat few amounts (0.00, the instalment), and Money is immutable."""
    made: dict[Decimal, Money] = {}

    def money(value: Decimal) -> Money:
        found = made.get(value)
        if found is None:
            found = made[value] = Money(value, currency)
        return found

    return money
