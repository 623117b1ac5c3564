"""The overlay: points for what no public data set labels, from published relative risks.

No openly licensed data set with real outcomes holds hard inquiries, multi-head counts, court
records or blacklist entries, so the trained scorecard cannot learn their weight. The overlay
(`models/overlay.json`, schema `creditmend.overlay/v1`) states it instead, as data a reader can
check: for each component (a feature of the contract, e.g. `hard_inquiries_90d`) its bins, each
bin's relative risk against the reference bin (the first, relative risk 1) and where the figure
comes from (a source key, and `basis`: `reference`, `measured` for a published figure, or
`judgement` for a figure this project chose); and knock-out rules (`knockouts.py`).

`apply_overlay` adds the components to a model as features marked `source: overlay`, their
points from the model's own scaling:

    points = -pdo * log2(relative_risk), rounded half up to 0.01

so a bin twice as risky as the reference loses `pdo` points, exactly what doubling the odds
costs in the trained part (a relative risk of bad rates read as an odds ratio: close while bad
rates are low). The reference bin, the missing bin and the `other` bin carry 0 points, so the
overlay never moves a file without the facts it scores. It refuses a feature the model already
has (trained points and overlay points for the same fact would count it twice).

Validated at load, each error one line naming the field: bins cover 0..inf without gap or
overlap, and the relative risk never falls as the count rises, so one more inquiry, institution,
platform or record never raises the score.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from creditmend.domain.scoring.knockouts import Knockout
from creditmend.domain.scoring.scorecard import Bin, Feature, Scorecard

SCHEMA = "creditmend.overlay/v1"
CENT = Decimal("0.01")
LN2 = Decimal(2).ln()
BASES = ("reference", "measured", "judgement")


class OverlayError(ValueError):
    """An overlay that cannot be used: the message names the field, in one line."""


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    title: str
    publisher: str
    url: str
    year: int | None  # None: the source states none
    figure: str  # the published figure the overlay leans on, in the source's words


@dataclass(frozen=True, slots=True)
class OverlayBin:
    lower: Decimal
    upper: Decimal | None  # None: open end
    relative_risk: Decimal
    basis: str  # reference | measured | judgement

    @property
    def label(self) -> str:
        top = "inf" if self.upper is None else f"{self.upper.normalize():f}"
        return f"[{self.lower.normalize():f}, {top})"


@dataclass(frozen=True, slots=True)
class Component:
    feature: str
    description: str
    reason: str
    reason_zh: str
    sources: tuple[str, ...]
    note: str  # how the figures were turned into bins: what is measured, what is judgement
    bins: tuple[OverlayBin, ...]


@dataclass(frozen=True, slots=True)
class KnockoutRule:
    feature: str
    at_least: Decimal
    band_from_worst: int  # 0: the model's worst band, 1: the second-worst, ...
    reason: str  # may use {band}
    reason_zh: str
    source: str
    note: str


@dataclass(frozen=True, slots=True)
class Overlay:
    name: str
    description: str
    sources: Mapping[str, Source]
    components: tuple[Component, ...]
    knockouts: tuple[KnockoutRule, ...]
    digest: str  # sha256 of the overlay's canonical JSON, recorded in the model


def points(relative_risk: Decimal, pdo: int) -> Decimal:
    """A bin's points from its relative risk: -pdo * log2(RR), rounded half up to 0.01."""
    value = (-pdo * relative_risk.ln() / LN2).quantize(CENT, ROUND_HALF_UP)
    return value if value != 0 else Decimal("0.00")  # never "-0.00"


# ---------------------------------------------------------------- reading
def _text(raw: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
    value = raw.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise OverlayError(f"{where}.{key}: give a non-empty text")
    return value


def _number(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise OverlayError(f"{where}: {value!r} is not a number")
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        raise OverlayError(f"{where}: {value!r} is not a number") from None
    if not parsed.is_finite():
        raise OverlayError(f"{where}: {value!r} is not a finite number")
    return parsed


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise OverlayError(f"{where}: not an object")
    return value


def _list(value: object, where: str, empty: bool = False) -> list[Any]:
    if not isinstance(value, list) or (not empty and not value):
        raise OverlayError(f"{where}: give a {'' if empty else 'non-empty '}list")
    return value


def _source(key: str, raw: object) -> Source:
    where = f"sources.{key}"
    entry = _object(raw, where)
    year = entry.get("year")
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100
    ):
        raise OverlayError(f"{where}.year: {year!r} is not a year (or null: not stated)")
    return Source(
        key,
        _text(entry, "title", where),
        _text(entry, "publisher", where),
        _text(entry, "url", where),
        year,
        _text(entry, "figure", where),
    )


def _bins(raw: object, where: str) -> tuple[OverlayBin, ...]:
    bins: list[OverlayBin] = []
    for i, item in enumerate(_list(raw, where)):
        at = f"{where}[{i}]"
        entry = _object(item, at)
        upper = entry.get("upper")
        basis = entry.get("basis")
        if basis not in BASES:
            raise OverlayError(f"{at}.basis: {basis!r} is not one of {', '.join(BASES)}")
        found = OverlayBin(
            _number(entry.get("lower"), f"{at}.lower"),
            None if upper is None else _number(upper, f"{at}.upper"),
            _number(entry.get("relative_risk"), f"{at}.relative_risk"),
            basis,
        )
        if found.relative_risk <= 0:
            raise OverlayError(f"{at}.relative_risk: must be more than 0")
        if found.upper is not None and found.upper <= found.lower:
            raise OverlayError(f"{at}.upper: must be more than its lower end {found.lower}")
        if i == 0:
            if found.lower != 0:
                raise OverlayError(f"{at}.lower: the bins must start at 0, not {found.lower}")
            if found.relative_risk != 1 or basis != "reference":
                raise OverlayError(f"{at}: the first bin is the reference: relative risk 1")
        else:
            before = bins[-1]
            if before.upper != found.lower:
                raise OverlayError(
                    f"{at}.lower: {found.lower} does not start where the bin before ends "
                    f"({before.upper})"
                )
            if found.relative_risk < before.relative_risk:
                raise OverlayError(
                    f"{at}.relative_risk: {found.relative_risk} is below the bin before's "
                    f"{before.relative_risk}: the overlay must not reward a higher count"
                )
        bins.append(found)
    if bins[-1].upper is not None:
        raise OverlayError(f"{where}[{len(bins) - 1}].upper: the last bin must be open (null)")
    return tuple(bins)


def _component(raw: object, index: int, sources: Mapping[str, Source]) -> Component:
    where = f"components[{index}]"
    entry = _object(raw, where)
    keys = tuple(_list(entry.get("sources"), f"{where}.sources"))
    for key in keys:
        if key not in sources:
            raise OverlayError(f"{where}.sources: {key!r} is not in sources")
    return Component(
        feature=_text(entry, "feature", where),
        description=_text(entry, "description", where),
        reason=_text(entry, "reason", where),
        reason_zh=_text(entry, "reason_zh", where, required=False),
        sources=keys,
        note=_text(entry, "note", where),
        bins=_bins(entry.get("bins"), f"{where}.bins"),
    )


def _knockout(raw: object, index: int, sources: Mapping[str, Source]) -> KnockoutRule:
    where = f"knockouts[{index}]"
    entry = _object(raw, where)
    at_least = _number(entry.get("at_least"), f"{where}.at_least")
    if at_least <= 0:
        raise OverlayError(f"{where}.at_least: must be more than 0 (0 would fire on every file)")
    step = entry.get("band_from_worst")
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise OverlayError(f"{where}.band_from_worst: {step!r} is not a whole number >= 0")
    source = _text(entry, "source", where)
    if source not in sources:
        raise OverlayError(f"{where}.source: {source!r} is not in sources")
    return KnockoutRule(
        _text(entry, "feature", where),
        at_least,
        step,
        _text(entry, "reason", where),
        _text(entry, "reason_zh", where, required=False),
        source,
        _text(entry, "note", where),
    )


def parse_overlay(text: str) -> Overlay:
    """Read and check an overlay file (see the module's docstring for what is checked)."""
    try:
        document = json.loads(text, parse_float=Decimal)  # no float on the way in
    except json.JSONDecodeError as error:
        raise OverlayError(f"not JSON ({error.msg} at line {error.lineno})") from None
    document = _object(document, "overlay")
    if document.get("schema") != SCHEMA:
        raise OverlayError(f"schema: {document.get('schema')!r} is not {SCHEMA!r}")
    sources = {
        str(key): _source(str(key), value)
        for key, value in _object(document.get("sources"), "sources").items()
    }
    components = tuple(
        _component(raw, i, sources)
        for i, raw in enumerate(_list(document.get("components"), "components"))
    )
    seen: set[str] = set()
    for i, component in enumerate(components):
        if component.feature in seen:
            raise OverlayError(f"components[{i}].feature: {component.feature!r} given twice")
        seen.add(component.feature)
    knockouts = tuple(
        _knockout(raw, i, sources)
        for i, raw in enumerate(_list(document.get("knockouts", []), "knockouts", empty=True))
    )
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return Overlay(
        _text(document, "name", "overlay"),
        _text(document, "description", "overlay"),
        sources,
        components,
        knockouts,
        hashlib.sha256(canonical.encode()).hexdigest(),
    )


# ---------------------------------------------------------------- applying
def _feature(component: Component, pdo: int) -> Feature:
    bins = tuple(
        Bin(b.label, points(b.relative_risk, pdo), lower=b.lower, upper=b.upper)
        for b in component.bins
    )
    # A count not on file, or one no bin holds, is scored as the reference: never a reason.
    zero = Decimal("0.00")
    return Feature(
        name=component.feature,
        kind="numeric",
        description=component.description,
        reason=component.reason,
        bins=(*bins, Bin("missing", zero, missing=True), Bin("other", zero, other=True)),
        reason_zh=component.reason_zh,
        source="overlay",
    )


def _record(overlay: Overlay, pdo: int, bands: Sequence[str]) -> dict[str, Any]:
    """What the model's metadata says about the overlay: every figure, its source, its points."""
    return {
        "schema": SCHEMA,
        "name": overlay.name,
        "sha256": overlay.digest,
        "points": f"-{pdo} * log2(relative_risk), rounded half up to 0.01",
        "sources": {
            key: {
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url,
                "year": s.year,
                "figure": s.figure,
            }
            for key, s in overlay.sources.items()
        },
        "components": [
            {
                "feature": c.feature,
                "sources": list(c.sources),
                "note": c.note,
                "bins": [
                    {
                        "bin": b.label,
                        "relative_risk": str(b.relative_risk),
                        "basis": b.basis,
                        "points": str(points(b.relative_risk, pdo)),
                    }
                    for b in c.bins
                ],
            }
            for c in overlay.components
        ],
        "knockouts": [
            {
                "feature": k.feature,
                "at_least": str(k.at_least),
                "band": bands[-1 - k.band_from_worst],
                "source": k.source,
                "note": k.note,
            }
            for k in overlay.knockouts
        ],
    }


def apply_overlay(card: Scorecard, overlay: Overlay) -> Scorecard:
    """The model with the overlay's features and knock-outs added (checksummed when written)."""
    have = {f.name for f in card.features}
    for i, component in enumerate(overlay.components):
        if component.feature in have:
            raise OverlayError(
                f"components[{i}].feature: the model already has {component.feature!r}"
            )
    bands = [b.name for b in card.bands]
    rules = []
    for i, rule in enumerate(overlay.knockouts):
        if rule.band_from_worst >= len(bands):
            raise OverlayError(
                f"knockouts[{i}].band_from_worst: the model has only {len(bands)} band(s)"
            )
        band = bands[-1 - rule.band_from_worst]
        if any(k.feature == rule.feature for k in card.knockouts):
            raise OverlayError(f"knockouts[{i}].feature: the model already has a rule on it")
        rules.append(
            Knockout(
                rule.feature,
                rule.at_least,
                band,
                rule.reason.replace("{band}", band),
                rule.reason_zh.replace("{band}", band),
                overlay.sources[rule.source].title,
            )
        )
    pdo = card.scaling.pdo
    return replace(
        card,
        features=(*card.features, *(_feature(c, pdo) for c in overlay.components)),
        knockouts=(*card.knockouts, *rules),
        metadata={**card.metadata, "overlay": _record(overlay, pdo, bands)},
    )
