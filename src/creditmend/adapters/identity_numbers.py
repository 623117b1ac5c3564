"""Identity-number checksums from python-stdnum (GB 11643 for resident ids, SSA rules for SSNs)."""

from __future__ import annotations

from functools import lru_cache

from stdnum.cn import ric
from stdnum.us import ssn


@lru_cache(maxsize=1 << 16)
def id_is_valid(id_type: str, id_number: str) -> bool:
    """Cached: a furnishing file repeats each person once per account and month."""
    if id_type == "cn_ric":
        return _resident_id_is_valid(id_number)
    if id_type == "us_ssn":
        return bool(ssn.is_valid(id_number))
    if id_type == "passport":
        return 5 <= len(id_number) <= 20 and id_number.isalnum()
    return False


def _resident_id_is_valid(number: str) -> bool:
    """GB 11643: length, digits, check digit, birth date, then the birth place in python-stdnum's
    region table. The library raises `KeyError` (not a validation error) for a region it holds
    without a county list, about half of all six-digit prefixes: such a number has passed every
    other check by then (`ric.validate` checks the place last), so it is accepted on them."""
    try:
        return bool(ric.is_valid(number))
    except KeyError:
        return True
