"""The list of common passwords a new password is checked against (NIST SP 800-63B 5.1.1.2):
the 30,000 most common passwords of the zxcvbn project's frequency lists (zxcvbn-python,
dwolfhub/zxcvbn-python, MIT licence; the list is Dropbox's zxcvbn `passwords` list, drawn from
leaked password sets). Loaded once, on first use, and compared case-insensitively."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]  # noqa: PLC0415

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    return password.lower() in _common()
