"""Knock-out rules: a fact on file that caps the band whatever the points say.

Points add evidence up; some facts are not a matter of degree. An active dishonest-judgment-debtor
record (失信被执行人: a court found the person able to pay a judgment and refusing to) is one:
the overlay (`overlay.py`, `models/overlay.json`) caps such a file at the second-worst band.

A rule is data in the model file (`knockouts[]`): `feature`, `at_least` (the rule fires when the
feature's value is at least this), `band` (the best band the file may have), `reason` and
`reason_zh` (plain words, shown first among the reasons), `source` (where the rule comes from).

Applying the rules never raises a band: the band is the worse of the points' band and every
fired rule's band, and the score is lowered to the top of that band (the band's highest score)
so that score and band always agree (`band_of(score) == band`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


class KnockoutError(ValueError):
    """A rule that cannot be used: the message names the field, in one line."""


@dataclass(frozen=True, slots=True)
class Knockout:
    feature: str
    at_least: Decimal
    band: str  # the best band a file the rule fires on may have
    reason: str
    reason_zh: str = ""
    source: str = ""

    def fires(self, value: object) -> bool:
        return isinstance(value, Decimal) and value >= self.at_least

    def words(self, lang: str = "en") -> str:
        return self.reason_zh if lang == "zh" and self.reason_zh else self.reason


@dataclass(frozen=True, slots=True)
class Cap:
    """The rules that fired and the band they leave: the worst of their bands."""

    band: str
    fired: tuple[Knockout, ...]


def knockout_json(rule: Knockout) -> dict[str, Any]:
    return {
        "feature": rule.feature,
        "at_least": str(rule.at_least),
        "band": rule.band,
        "reason": rule.reason,
        "reason_zh": rule.reason_zh,
        "source": rule.source,
    }


def _text(raw: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise KnockoutError(f"{where}.{key}: give a non-empty text")
    return value


def read_knockout(raw: object, where: str, bands: Sequence[str]) -> Knockout:
    """One rule from the model file; `bands` are the model's band names, best first."""
    if not isinstance(raw, Mapping):
        raise KnockoutError(f"{where}: not an object")
    try:
        at_least = Decimal(str(raw.get("at_least")))
    except InvalidOperation:
        raise KnockoutError(f"{where}.at_least: {raw.get('at_least')!r} is not a number") from None
    if not at_least.is_finite():
        raise KnockoutError(f"{where}.at_least: {raw.get('at_least')!r} is not a number")
    band = _text(raw, "band", where)
    if band not in bands:
        raise KnockoutError(f"{where}.band: {band!r} is not one of the model's bands")
    return Knockout(
        feature=_text(raw, "feature", where),
        at_least=at_least,
        band=band,
        reason=_text(raw, "reason", where),
        reason_zh=_text(raw, "reason_zh", where, required=False),
        source=_text(raw, "source", where, required=False),
    )


def read_knockouts(raw: object, bands: Sequence[str]) -> tuple[Knockout, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise KnockoutError("knockouts: not a list")
    return tuple(read_knockout(rule, f"knockouts[{i}]", bands) for i, rule in enumerate(raw))


def cap(
    rules: Sequence[Knockout], values: Mapping[str, Decimal | str | None], bands: Sequence[str]
) -> Cap | None:
    """The cap the rules put on a file with these feature values (None: no rule fires).
    `bands` are the model's band names, best first."""
    fired = tuple(rule for rule in rules if rule.fires(values.get(rule.feature)))
    if not fired:
        return None
    worst = max(fired, key=lambda rule: bands.index(rule.band))
    return Cap(worst.band, fired)


def capped_band(band: str, limit: str, bands: Sequence[str]) -> str:
    """The worse of two bands (never the better one)."""
    return bands[max(bands.index(band), bands.index(limit))]
