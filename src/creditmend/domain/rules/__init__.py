"""Jurisdiction profiles: the law's numbers as data, each with its source."""

from creditmend.domain.rules.cn import CN
from creditmend.domain.rules.profile import JurisdictionProfile

PROFILES: dict[str, JurisdictionProfile] = {CN.code: CN}


def profile(code: str) -> JurisdictionProfile:
    try:
        return PROFILES[code]
    except KeyError:
        raise KeyError(
            f"profile: unknown jurisdiction {code!r}; known: {sorted(PROFILES)}"
        ) from None


__all__ = ["PROFILES", "JurisdictionProfile", "profile"]
