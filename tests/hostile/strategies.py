"""Hypothesis strategies for hostile values: what an adversary (or a broken exporter) puts into
one field of an otherwise valid file.

Every value drawn here must be refused in the field it is planted in, so each strategy holds
only values that no field of its kind accepts: a zero is hostile for a principal but not for a
balance, so it is offered only where a test asks for it (`numbers(zero=True)`).

A value that JSON cannot spell as Python writes it (a number like `1e400`, which Python reads
as infinity, or a number of 400 digits) is a `Raw`: the planting helpers write its text into
the file as it is, unquoted.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st


class Raw(str):
    """JSON text written into the file as it is (an unquoted number such as `1e400`)."""

    __slots__ = ()


# --- text ----------------------------------------------------------------------------------
C0 = [chr(code) for code in range(0x00, 0x20)]
C1 = [chr(code) for code in range(0x80, 0xA0)]
DEL = "\x7f"
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
ESCAPES = ["\x1b]0;pwned\x07\x1b[2J", "\x1b[31m", "\u009b2J", "\r\n", "\x00"]
LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]


@st.composite
def _with_inside(draw: st.DrawFn, bad: st.SearchStrategy[str]) -> str:
    """Ordinary text with one hostile piece at its start, its end or inside."""
    before = draw(st.sampled_from(["", "A", "张三", "Lender "]))
    after = draw(st.sampled_from(["", "x", "1", " name"]))
    return before + draw(bad) + after


def hostile_text() -> st.SearchStrategy[str]:
    """Control characters (C0, C1, DEL), escape sequences, NUL, lone surrogates, bidirectional
    overrides and isolates, and values far longer than any field holds."""
    pieces = st.sampled_from([*C0, *C1, DEL, *ESCAPES, *LONE_SURROGATES, *BIDI])
    long = st.sampled_from(["x" * 300, "x" * 5_000, "张" * 3_000])
    return _with_inside(pieces) | long


def blank_text() -> st.SearchStrategy[str]:
    """Text with nothing in it: empty or only white space."""
    return st.sampled_from(["", " ", "\u3000"])


# --- structure -----------------------------------------------------------------------------
def wrong_shapes() -> st.SearchStrategy[object]:
    """A value of a kind no scalar field takes: a list, an object, a boolean."""
    return st.sampled_from([[], ["x"], {}, {"a": 1}, True, False, [[[[[]]]]]])


# --- numbers -------------------------------------------------------------------------------
NOT_FINITE = [
    Raw("NaN"),
    Raw("Infinity"),
    Raw("-Infinity"),
    Raw("1e400"),
    Raw("-1e400"),
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1e400",
    "sNaN",
]
NOT_NUMBERS = [
    "",
    "abc",
    "12,000.00",
    "12 000",
    "0x10",
    "1_000",
    "１２",
    "--1",
    "1.2.3",
    "1e",
    "1__0",
]


def _huge_integer_text() -> st.SearchStrategy[str]:
    return st.integers(16, 500).map(lambda digits: "9" * digits)


def amounts(*, zero: bool = False) -> st.SearchStrategy[object]:
    """Values a money field (a decimal string of at most 15 digits and 2 places, never negative)
    refuses: not finite, exponents, more places than a fen, negative, too large, floats (JSON
    numbers, which Python reads as binary floats), text that is no number."""
    strings = st.one_of(
        st.sampled_from([*NOT_FINITE, *NOT_NUMBERS]),
        _huge_integer_text(),
        st.decimals(min_value=0, max_value=10**6, places=3)
        .filter(lambda d: d != d.quantize(Decimal("0.01")))
        .map(str),
        st.integers(3, 40).map(lambda places: "1." + "0" * (places - 1) + "1"),
        st.decimals(min_value=-(10**6), max_value=Decimal("-0.01"), places=2).map(str),
    )
    json_numbers = st.one_of(
        st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=1e6),
        st.integers(0, 10**6),
        _huge_integer_text().map(Raw),
    )
    zeros = st.sampled_from(["0", "0.00", "-0.00"]) if zero else st.nothing()
    return strings | json_numbers | zeros | wrong_shapes()


def counts(*, least: int, most: int) -> st.SearchStrategy[object]:
    """Values a whole-number field (between `least` and `most`) refuses."""
    return st.one_of(
        st.integers(max_value=least - 1),
        st.integers(min_value=most + 1),
        st.integers(10**20, 10**30),
        st.sampled_from([Raw("1e400"), Raw("NaN"), Raw("Infinity"), Raw("1" + "0" * 5000)]),
        st.sampled_from([1.5, 12.0, 1e2, -0.5]),
        st.sampled_from(["12", "twelve", ""]),
        wrong_shapes(),
    )


# --- dates ---------------------------------------------------------------------------------
IMPOSSIBLE_DATES = [
    "0001-01-01",
    "0000-01-01",
    "9999-12-31",
    "1899-12-31",
    "2200-01-01",
    "2025-02-29",
    "2025-02-30",
    "2024-02-30",
    "2025-04-31",
    "2025-13-01",
    "2025-00-10",
    "2025-01-00",
    "2025-01-32",
]
WRONG_DATE_FORMATS = [
    "2025/01/10",
    "20250110",
    "2025-1-10",
    "10-01-2025",
    "2025-01-10T00:00:00",
    "2025-01",
    "２０２５-０１-１０",
    "+2025-01-10",
    "2025-W02-5",
    "yesterday",
]


def impossible_dates() -> st.SearchStrategy[object]:
    """Dates no field takes: before 1900 or after 2199, days a month does not have, months that
    do not exist, other formats, numbers and shapes."""
    return st.one_of(
        st.sampled_from(IMPOSSIBLE_DATES + WRONG_DATE_FORMATS),
        st.dates(max_value=date(1899, 12, 31)).map(date.isoformat),
        st.integers(13, 99).map(lambda month: f"2025-{month:02d}-01"),
        st.sampled_from([20250110, 2025.0110]),
        wrong_shapes(),
    )


def future_dates(after: date) -> st.SearchStrategy[str]:
    """Real dates after `after` (up to 2199): refused where a field says what already happened."""
    return st.dates(min_value=after + timedelta(days=1), max_value=date(2199, 12, 31)).map(
        date.isoformat
    )


def impossible_periods() -> st.SearchStrategy[object]:
    """Months (YYYY-MM) that do not exist or are written otherwise."""
    return st.one_of(
        st.sampled_from(
            ["0000-00", "2025-00", "2025-13", "2025-99", "99999-01", "2025-1", "202501", "2025/01"]
        ),
        st.sampled_from(
            ["2025-05-01", "May 2025", "0001-01", "1899-12", "9999-12", "２０２５-０５"]
        ),
        st.integers(13, 99).map(lambda month: f"2025-{month:02d}"),
        wrong_shapes(),
    )


def future_periods(after: date) -> st.SearchStrategy[str]:
    """Months after the one `after` is in, up to 2199."""
    first = date(after.year + after.month // 12, after.month % 12 + 1, 1)
    return st.dates(min_value=first, max_value=date(2199, 12, 1)).map(lambda d: f"{d:%Y-%m}")
