"""Components: features a core scorecard lacks, taken from a scorecard trained on another data set.

The shipped core is trained on the `history` source (repayment histories, CC0), which holds no
revolving utilisation and no severity of late months beyond what its status grid says; the
Taiwan card data (CC BY 4.0) holds them. `take_components` adds the named features of such a
second model to the core, each marked `source: component:<the other model's data file name>`.

A feature's points in the other model are its log-odds (times pdo / ln 2) relative to an
arbitrary origin that its intercept share absorbs. To add them to a model whose intercept was
fitted elsewhere they are centred on the other model's own population:

    shift = -(sum(count * points) / sum(count)) over the bins that hold a value,
            rounded half up to 0.01
    points' = points + shift

so the other population's average applicant (with a value) gets no change, and a component
carries only its feature's effect relative to that population, net of the other model's features
(it was fitted jointly with them). The missing and other bins get 0: no value, no information,
no change (an applicant of the other population without a value is not in the centring).

Refused, each in one line naming the field: an empty list, a name given twice, a name the other
model does not have, a name the core already has, a feature whose value bins hold no training
counts (nothing to centre on), and two models of different scaling (pdo, base_odds, base_points:
otherwise the points are not in the same units).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from creditmend.domain.scoring.scorecard import (
    COMPONENT,
    Bin,
    Feature,
    Scorecard,
    ScorecardError,
    scorecard_document,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
RULE = (
    "the other model's bin points plus the shift: minus their training-count-weighted mean over "
    "the bins holding a value, rounded half up to 0.01; missing and other bins 0"
)


class ComponentError(ScorecardError):
    """Components that cannot be taken; `field` is `names` (the features asked for) or
    `scaling` (the two models' units differ), so an interface can name its own option."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _valued(feature: Feature) -> list[Bin]:
    return [b for b in feature.bins if not (b.missing or b.other)]


def shift_of(feature: Feature) -> Decimal:
    """What centres a feature's points on its training population: minus the count-weighted
    mean of its value bins' points, rounded half up to 0.01."""
    bins = _valued(feature)
    total = sum(b.count for b in bins)
    if total <= 0:
        raise ComponentError(
            "names", f"{feature.name}: its bins hold no training counts; nothing to centre on"
        )
    mean = sum((b.points * b.count for b in bins), Decimal(0)) / total
    shift = (-mean).quantize(CENT, ROUND_HALF_UP)
    return shift if shift != 0 else ZERO  # never "-0.00"


def _component(feature: Feature, shift: Decimal, source: str) -> Feature:
    bins = tuple(
        replace(b, points=ZERO) if b.missing or b.other else replace(b, points=b.points + shift)
        for b in feature.bins
    )
    return replace(feature, bins=bins, source=source)


def _check_scaling(core: Scorecard, other: Scorecard) -> None:
    for name in ("pdo", "base_odds", "base_points"):
        mine, theirs = getattr(core.scaling, name), getattr(other.scaling, name)
        if mine != theirs:
            raise ComponentError(
                "scaling",
                f"scaling.{name}: {theirs} in the other model, {mine} in the core: the points "
                "are not in the same units",
            )


def _check_names(core: Scorecard, other: Scorecard, names: Sequence[str]) -> None:
    if not names:
        raise ComponentError("names", "give at least one feature of the other model")
    have = {f.name for f in core.features}
    offered = [f.name for f in other.features]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ComponentError("names", f"{name!r} given twice")
        seen.add(name)
        if name not in offered:
            raise ComponentError(
                "names",
                f"{name!r} is not a feature of the other model (it has {', '.join(offered)})",
            )
        if name in have:
            raise ComponentError("names", f"{name!r}: the core already has it")


def take_components(core: Scorecard, other: Scorecard, names: Sequence[str]) -> Scorecard:
    """The core with the named features of `other` added, centred (see the module's docstring);
    the metadata's `components` list records from which model and the shift of each."""
    _check_scaling(core, other)
    _check_names(core, other, names)
    by_name = {f.name: f for f in other.features}
    data = other.metadata.get("data") or {}
    file = str(data.get("name") or "unnamed")
    source = f"{COMPONENT}{file}"
    shifts = {name: shift_of(by_name[name]) for name in names}
    added = tuple(_component(by_name[name], shifts[name], source) for name in names)
    record: dict[str, Any] = {
        "source": source,
        "model_checksum": scorecard_document(other)["checksum"],
        "data": {
            "name": file,
            "sha256": data.get("sha256"),
        },
        "trained_on": other.metadata.get("trained_on"),
        "points": RULE,
        "features": [
            {
                "feature": name,
                "shift": str(shifts[name]),
                "centred_on": sum(b.count for b in _valued(by_name[name])),
            }
            for name in names
        ],
    }
    taken = [*(core.metadata.get("components") or ()), record]
    return replace(
        core,
        features=(*core.features, *added),
        metadata={**core.metadata, "components": taken},
    )
