"""optbinning's fitted scorecard as the domain's `Scorecard` (the model file's content).

Per feature, in optbinning's bin order:

- numeric bins `lower <= x < upper` from optbinning's splits (the first bin open below, the last
  open above). optbinning puts a split between two training values (often as a float32
  midpoint, 0.1456499993801117); the file holds the shortest decimal in the same gap, above the
  largest training value below the split and at most the smallest one from it (0.1457; 1 between
  the counts 0 and 1; 50000 between the limits 40000 and 50000). Every training row stays in its
  bin, so the counts, rates and points are optbinning's, and the bins read as people write them;
  a value inside the gap, never seen in training, falls on the side the shorter split gives it;
- categorical bins with their categories, in the scorer's spelling;
- the `missing` bin with optbinning's Missing row: its count, event rate, weight of evidence and
  points (with no missing value in training its weight of evidence is 0: the points of an
  average applicant);
- the `other` bin (a value no bin holds: an unseen category, text in a numeric feature) with the
  Missing row's points too. That is what optbinning's own `Scorecard.score` gives an unseen
  category, and it treats a value the model cannot read like a value it does not have. The
  Special row is not used: training declares no special codes.

Points are optbinning's scaled points rounded half up to `POINTS` (two places); event rates and
weights of evidence to four. The plain-words reason and the description come from
`creditmend.domain.scoring.features` when the feature is one of the bureau's, else a generic
"{name} = {value}".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from creditmend.adapters.training.table import Floats
from creditmend.domain.scoring.features import SPECS
from creditmend.domain.scoring.scorecard import Bin, Feature

POINTS = Decimal("0.01")
RATES = Decimal("0.0001")
SPEC_OF = {spec.name: spec for spec in SPECS}


def readable_split(split: float, below: float | None, above: float | None) -> Decimal:
    """The shortest decimal `s` with `below < s <= above` (the training values either side of
    optbinning's split); the split itself when a side is unknown or nothing shorter fits."""
    exact = decimal(split)
    if below is None or above is None or not below < above:
        return exact
    low, high = decimal(below), decimal(above)
    top = max(abs(low), abs(high))
    start = -(top.adjusted() + 1) if top else 0
    for places in range(start, 13):
        step = Decimal(1).scaleb(-places)
        candidate = ((low / step).to_integral_value(ROUND_FLOOR) + 1) * step
        if candidate <= high:
            return candidate.quantize(Decimal(1)) if places <= 0 else candidate
    return exact


def _gap(values: Floats, split: float) -> tuple[float | None, float | None]:
    below = values[values < split]
    above = values[values >= split]
    return (
        float(below.max()) if len(below) else None,
        float(above.min()) if len(above) else None,
    )


def decimal(value: float, places: Decimal | None = None) -> Decimal:
    """A float as the shortest decimal that reads back as it, optionally rounded half up."""
    exact = Decimal(repr(float(value)))
    return exact if places is None else exact.quantize(places, ROUND_HALF_UP)


def _optional(value: Any, places: Decimal) -> Decimal | None:
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else decimal(number, places)


def _shown(value: Decimal | None, open_end: str) -> str:
    return open_end if value is None else f"{value.normalize():f}"


def _row_bin(row: Mapping[str, Any], **fields: Any) -> Bin:
    count = int(row["Count"])
    return Bin(
        points=decimal(row["Points"], POINTS),
        count=count,
        event_rate=_optional(row["Event rate"], RATES) if count else None,
        woe=_optional(row["WoE"], RATES),
        **fields,
    )


def words(name: str) -> tuple[str, str, str]:
    """(description, reason, reason in Chinese) of a feature."""
    spec = SPEC_OF.get(name)
    if spec is not None:
        return spec.description, spec.reason, spec.reason_zh
    return name, f"{name} = {{value}}", ""


def feature(
    name: str,
    kind: str,
    splits: Any,
    rows: Sequence[Mapping[str, Any]],
    values: Floats | None = None,
) -> Feature:
    """One feature from optbinning's splits and its scorecard rows (bins, Special, Missing);
    `values` are the feature's training values (numeric), to place the splits readably."""
    missing_row = rows[-1]
    bins: list[Bin] = []
    if kind == "numeric":
        present = None if values is None else values[~np.isnan(values)]
        edges: list[Decimal | None] = [
            None,
            *(
                decimal(s) if present is None else readable_split(s, *_gap(present, s))
                for s in splits
            ),
            None,
        ]
        for index, row in enumerate(rows[: len(edges) - 1]):
            lower, upper = edges[index], edges[index + 1]
            label = f"[{_shown(lower, '-inf')}, {_shown(upper, 'inf')})"
            bins.append(_row_bin(row, label=label, lower=lower, upper=upper))
    else:
        for categories, row in zip(splits, rows, strict=False):
            names = tuple(str(c) for c in categories)
            bins.append(_row_bin(row, label=", ".join(names), categories=names))
    bins.append(_row_bin(missing_row, label="missing", missing=True))
    bins.append(
        Bin(
            label="other",
            points=decimal(missing_row["Points"], POINTS),
            other=True,
        )
    )
    description, reason, reason_zh = words(name)
    return Feature(name, kind, description, reason, tuple(bins), reason_zh)


def features(
    model: Any,
    names: Sequence[str],
    kinds: Mapping[str, str],
    training: Mapping[str, Any],
) -> tuple[Feature, ...]:
    """The domain's features of a fitted optbinning scorecard; `training` maps each feature to
    its training values."""
    table = model.table(style="detailed")
    result = []
    for name in names:
        rows = table[table["Variable"] == name].to_dict("records")
        splits = model.binning_process_.get_binned_variable(name).splits
        values = np.asarray(training[name], dtype=np.float64) if kinds[name] == "numeric" else None
        result.append(feature(name, kinds[name], splits, rows, values))
    return tuple(result)
