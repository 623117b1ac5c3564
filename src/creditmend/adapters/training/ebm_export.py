"""A fitted EBM as the domain's points tables: the same model file the scorecard's scorer reads.

The EBM's log-odds of bad is `intercept_` plus one looked-up score per term
(`term_scores_[t]`, at the bin of each of its features: index 0 missing, 1..k the value bins
between `bins_` cut points, the last index unseen). Points scale log-odds as the scorecard does:
with `factor = pdo / ln 2` and `offset = base_points - factor x ln(base_odds)` a score is
`offset - factor x log-odds(bad)`. So:

- a main effect's bin gets `-factor x score + (offset - factor x intercept) / n`, the intercept
  spread evenly over the n main effects as the scorecard spreads its intercept; its `missing`
  bin is the EBM's index 0, its `other` bin the last index (EBM scores an unseen value 0);
- a pair's cell gets `-factor x score` (`domain/scoring/interactions.py`), its axes on the EBM's
  coarser pair bins (`bins_[f][1]` where interpret keeps one).

Points are rounded half up to 0.01 (`POINTS`), so a total differs from the scaled log-odds by at
most 0.005 per term before the score is rounded to a whole point. Adjacent numeric bins of a main
effect with the same rounded points are merged (the scores cannot tell them apart). A cut point is
written as the shortest decimal within a billionth (relative) of the EBM's float cut and between
the training values either side (`near`: 0.43715 for 0.43715000000000004; 1.5 between the counts
1 and 2): every training row stays in the EBM's bin, and any other value too unless it lies
within that billionth of a cut. Unlike the scorecard's splits, not moved to a rounder number in
the gap: the table reproduces the model on new rows as well. Counts and bad rates are the
training part's.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from creditmend.adapters.training.convert import POINTS, RATES, decimal, words
from creditmend.adapters.training.ebm_fit import EbmFitted
from creditmend.domain.scoring.interactions import Axis, Interaction
from creditmend.domain.scoring.scorecard import Bin, Feature, Scaling

Floats = npt.NDArray[np.float64]
CUT_TOLERANCE = Decimal("1e-9")  # a cut written within this share of the EBM's
MAX_PLACES = 20


def scale(scaling: Scaling) -> tuple[float, float]:
    """(factor, offset): points = offset - factor x log-odds of bad."""
    factor = scaling.pdo / math.log(2)
    return factor, scaling.base_points - factor * math.log(float(scaling.base_odds))


def _points(values: Floats) -> list[Decimal]:
    """Points rounded to `POINTS`; a zero is written 0.00, never -0.00 (what -factor x 0 or a
    tiny negative gives)."""
    rounded = (decimal(float(v), POINTS) for v in values)
    return [abs(p) if p == 0 else p for p in rounded]


def near(cut: float, below: float | None = None, above: float | None = None) -> Decimal:
    """The shortest decimal within a billionth (relative) of `cut`, kept in the gap
    `below < s <= above` between the training values either side when they are known; `cut`
    itself when none is."""
    exact = decimal(cut)
    tolerance = abs(exact) * CUT_TOLERANCE
    low = None if below is None else decimal(below)
    high = None if above is None else decimal(above)
    for places in range(-exact.adjusted(), MAX_PLACES + 1):
        candidate = exact.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
        if (
            abs(candidate - exact) <= tolerance
            and (low is None or low < candidate)
            and (high is None or candidate <= high)
        ):
            return candidate
    return exact


def _cuts(cuts: Floats, values: Floats) -> tuple[Decimal, ...]:
    """Each cut as `near` writes it, between the training values either side of it."""
    present = np.unique(values[~np.isnan(values)])
    result: list[Decimal] = []
    for cut in cuts.tolist():
        at = int(np.searchsorted(present, cut, side="left"))
        below = float(present[at - 1]) if at > 0 else None
        above = float(present[at]) if at < len(present) else None
        result.append(near(cut, below, above))
    if any(a >= b for a, b in itertools.pairwise(result)):
        raise ValueError("the EBM's cut points are not in ascending order")
    return tuple(result)


def _label(lower: Decimal | None, upper: Decimal | None) -> str:
    low = "-inf" if lower is None else f"{lower.normalize():f}"
    high = "inf" if upper is None else f"{upper.normalize():f}"
    return f"[{low}, {high})"


def _rate(bads: float, count: int) -> Decimal | None:
    return decimal(bads / count, RATES) if count else None


def _numeric_bins(
    cuts: Floats, points: list[Decimal], values: Floats, y: npt.NDArray[np.int8]
) -> list[Bin]:
    index = np.where(np.isnan(values), 0, np.searchsorted(cuts, values, side="right") + 1)
    counts = np.bincount(index, minlength=len(points))
    bads = np.bincount(index, weights=y.astype(np.float64), minlength=len(points))
    # value bins 1..k+1; a run of equal points is one bin
    kept = [j for j in range(1, len(cuts) + 1) if points[j] != points[j + 1]]
    edges: list[Decimal | None] = [None, *_cuts(cuts[[j - 1 for j in kept]], values), None]
    starts = [1, *(j + 1 for j in kept)]
    ends = [*kept, len(cuts) + 1]
    bins = []
    for position, (start, end) in enumerate(zip(starts, ends, strict=True)):
        count = int(counts[start : end + 1].sum())
        lower, upper = edges[position], edges[position + 1]
        bins.append(
            Bin(
                label=_label(lower, upper),
                points=points[start],
                lower=lower,
                upper=upper,
                count=count,
                event_rate=_rate(float(bads[start : end + 1].sum()), count),
            )
        )
    bins.append(_missing_bin(points, counts, bads))
    return bins


def _missing_bin(points: list[Decimal], counts: Any, bads: Any) -> Bin:
    """EBM's index 0: the rows without a value."""
    return Bin(
        label="missing",
        points=points[0],
        missing=True,
        count=int(counts[0]),
        event_rate=_rate(float(bads[0]), int(counts[0])),
    )


def _categorical_bins(
    mapping: Mapping[str, int], points: list[Decimal], values: Sequence[Any], y: npt.NDArray[Any]
) -> list[Bin]:
    other = len(points) - 1
    index = np.array(
        [0 if v is None else mapping.get(str(v), other) for v in values], dtype=np.int64
    )
    counts = np.bincount(index, minlength=len(points))
    bads = np.bincount(index, weights=y.astype(np.float64), minlength=len(points))
    bins = []
    for position in range(1, other):
        names = tuple(sorted(name for name, at in mapping.items() if at == position))
        bins.append(
            Bin(
                label=", ".join(names),
                points=points[position],
                categories=names,
                count=int(counts[position]),
                event_rate=_rate(float(bads[position]), int(counts[position])),
            )
        )
    bins.append(_missing_bin(points, counts, bads))
    return bins


def _axis(name: str, kind: str, level: Any, values: Any) -> Axis:
    if kind == "numeric":
        return Axis(name, kind, cuts=_cuts(np.asarray(level, dtype=np.float64), values))
    positions = sorted(set(level.values()))
    return Axis(
        name,
        kind,
        categories=tuple(
            tuple(sorted(c for c, at in level.items() if at == position)) for position in positions
        ),
    )


def export(
    fitted: EbmFitted,
    scaling: Scaling,
    kinds: Mapping[str, str],
    training: Mapping[str, Any],
    y: npt.NDArray[np.int8],
) -> tuple[tuple[Feature, ...], tuple[Interaction, ...]]:
    """The domain's features and pair tables of a fitted EBM; `training` maps each feature to
    its training values, `y` the training part's target (1 = bad)."""
    model = fitted.model
    factor, offset = scale(scaling)
    names = list(model.feature_names_in_)
    terms = [tuple(int(i) for i in t) for t in model.term_features_]
    mains = [t for t, members in enumerate(terms) if len(members) == 1]
    share = (offset - factor * float(model.intercept_[0])) / len(mains)
    features = []
    for t in mains:
        name = names[terms[t][0]]
        points = _points(-factor * np.asarray(model.term_scores_[t], dtype=np.float64) + share)
        level = model.bins_[terms[t][0]][0]
        if kinds[name] == "numeric":
            values = np.asarray(training[name], dtype=np.float64)
            bins = _numeric_bins(np.asarray(level, dtype=np.float64), points, values, y)
        else:
            bins = _categorical_bins(level, points, list(training[name]), y)
        bins.append(Bin(label="other", points=points[-1], other=True))
        description, reason, reason_zh = words(name)
        features.append(Feature(name, kinds[name], description, reason, tuple(bins), reason_zh))
    pairs = []
    for t, members in enumerate(terms):
        if len(members) == 1:
            continue
        if len(members) != 2:
            raise ValueError(f"the EBM term {model.term_names_[t]!r} joins more than two features")
        axes = []
        for i in members:
            name = names[i]
            levels = model.bins_[i]
            values = training[name]
            if kinds[name] == "numeric":
                values = np.asarray(values, dtype=np.float64)
            axes.append(_axis(name, kinds[name], levels[min(2, len(levels)) - 1], values))
        table = -factor * np.asarray(model.term_scores_[t], dtype=np.float64)
        pairs.append(
            Interaction(
                str(model.term_names_[t]),
                axes[0],
                axes[1],
                tuple(tuple(_points(row)) for row in table),
            )
        )
    return tuple(features), tuple(pairs)
