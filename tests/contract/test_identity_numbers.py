"""The identity-number check never raises: python-stdnum's resident-id validator raises
`KeyError` for a region it holds without a county list (about half of all prefixes), which used
to refuse a whole furnishing file with a traceback."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from creditmend.adapters.identity_numbers import id_is_valid


def _with_check_digit(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def test_a_region_without_a_county_list_is_judged_on_the_rest() -> None:
    number = _with_check_digit("44010819800101001")
    assert number == "440108198001010011"
    assert id_is_valid("cn_ric", number)
    wrong = number[:-1] + ("2" if number[-1] != "2" else "3")
    assert not id_is_valid("cn_ric", wrong)  # the check digit still counts
    assert not id_is_valid("cn_ric", _with_check_digit("44010819801301001"))  # month 13


@settings(max_examples=300, deadline=None)
@given(
    st.integers(110000, 659999),
    st.dates(date(1920, 1, 1), date(2020, 12, 31)),
    st.integers(0, 999),
    st.sampled_from("0123456789X"),
)
def test_the_resident_id_check_never_raises(region: int, born: date, order: int, last: str) -> None:
    """Real-looking numbers (a region prefix, a birth date, an order code): judged, never raised."""
    first17 = f"{region:06d}{born:%Y%m%d}{order:03d}"
    assert id_is_valid("cn_ric", first17 + last) in (True, False)
    assert id_is_valid("cn_ric", _with_check_digit(first17)) in (True, False)
