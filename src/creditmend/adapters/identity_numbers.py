"""Identity-number checksums from python-stdnum (GB 11643 for resident ids, SSA rules for SSNs)."""

from __future__ import annotations

from functools import lru_cache

from stdnum.cn import ric
from stdnum.us import ssn


@lru_cache(maxsize=1 << 16)
def id_is_valid(id_type: str, id_number: str) -> bool:
    """Cached: a furnishing file repeats each person once per account and month."""
    if id_type == "cn_ric":
        return bool(ric.is_valid(id_number))
    if id_type == "us_ssn":
        return bool(ssn.is_valid(id_number))
    if id_type == "passport":
        return 5 <= len(id_number) <= 20 and id_number.isalnum()
    return False
