"""Pairwise terms of a points model: a 2-D table of points over two features' bins.

A glass-box boosting model (an Explainable Boosting Machine, `adapters/training/ebm_export.py`)
adds to the main effects a few terms that depend on two features at once. In the model file each
is a table: the first feature's bins are the rows, the second's the columns, every cell has its
points, and a score adds the points of the one cell the applicant's two values fall in.

Each axis numbers its bins as the EBM does: 0 is the `missing` bin (value absent), 1..k the value
bins, k+1 the `other` bin (a value no bin holds: an unseen category, text in a numeric feature).
A numeric axis has cut points `c1 < c2 < ...`: bin 1 holds `x < c1`, bin i holds
`c(i-1) <= x < c(i)`, the last value bin `x >= c(k-1)` (both ends open). A categorical axis lists
the categories of each value bin.

Reasons: a pair's points are what the combination adds to or takes from the two features' own
points (an EBM's pairs are purified: zero on average along each row and column). A cell below 0
loses that many points: the combination is riskier than its two features say on their own. A
pair is a reason only then, and only when both values are on file (a value not on file is never
a reason on its own); its words are both features' words joined ("credit used: 0.95 of the
limit, together with 2 overdue account-months in the last 6 months"). Not against its best
cell, as a feature's bin: few rows reach a pair's best cell, so nearly every row would have
a pair among its reasons for unremarkable values (91 % of GMSC rows, against 4 %).

Standard library only. In the file (key `interactions` of the scorecard JSON, present only when
the model has pairs, so that a file without pairs is the same as before):

    {"name": "a & b",
     "axes": [{"feature": "a", "kind": "numeric", "cuts": ["0.5", "3"], "categories": []},
              {"feature": "b", "kind": "categorical", "cuts": [], "categories": [["x"], ["y"]]}],
     "points": [["1.25", ...], ...]}      # rows: a's bins 0..k+1; columns: b's bins
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

PAIR_JOIN = {"en": ", together with ", "zh": "，同时"}


class InteractionError(ValueError):
    """A pair table that cannot be used: the message says where and why, in one line."""


@dataclass(frozen=True, slots=True)
class Axis:
    """One feature's bins along a side of a pair table."""

    feature: str
    kind: str  # numeric | categorical
    cuts: tuple[Decimal, ...] = ()
    categories: tuple[tuple[str, ...], ...] = ()

    @property
    def size(self) -> int:
        """Bins along the axis, missing and other included."""
        values = len(self.cuts) + 1 if self.kind == "numeric" else len(self.categories)
        return values + 2

    def index(self, value: Decimal | str | None) -> tuple[int, bool]:
        """The bin of `value` (as `scorecard.number` reads a cell), and whether it was
        unexpected (fell to `other`)."""
        other = self.size - 1
        if value is None:
            return 0, False
        if self.kind == "numeric":
            if not isinstance(value, Decimal):
                return other, True
            return bisect.bisect_right(self.cuts, value) + 1, False
        text = f"{value.normalize():f}" if isinstance(value, Decimal) else value
        for position, names in enumerate(self.categories, start=1):
            if text in names:
                return position, False
        return other, True

    def label(self, index: int) -> str:
        if index == 0:
            return "missing"
        if index == self.size - 1:
            return "other"
        if self.kind == "categorical":
            return ", ".join(self.categories[index - 1])
        lower = "-inf" if index == 1 else f"{self.cuts[index - 2].normalize():f}"
        upper = "inf" if index == len(self.cuts) + 1 else f"{self.cuts[index - 1].normalize():f}"
        return f"[{lower}, {upper})"


@dataclass(frozen=True, slots=True)
class PairContribution:
    name: str
    features: tuple[str, str]
    values: tuple[Decimal | str | None, Decimal | str | None]
    cell: tuple[str, str]  # the two bins' labels
    points: Decimal
    loss: Decimal  # the points the cell takes away (0 when it adds points)
    unexpected: bool

    @property
    def on_file(self) -> bool:
        return all(value is not None for value in self.values)


@dataclass(frozen=True, slots=True)
class Interaction:
    name: str
    rows: Axis
    columns: Axis
    points: tuple[tuple[Decimal, ...], ...]  # [row bin][column bin]

    @property
    def features(self) -> tuple[str, str]:
        return self.rows.feature, self.columns.feature

    def contribution(self, values: Mapping[str, Decimal | str | None]) -> PairContribution:
        """The cell of an applicant whose features read `values` (missing keys: missing)."""
        first, second = values.get(self.rows.feature), values.get(self.columns.feature)
        row, row_unexpected = self.rows.index(first)
        column, column_unexpected = self.columns.index(second)
        points = self.points[row][column]
        return PairContribution(
            self.name,
            self.features,
            (first, second),
            (self.rows.label(row), self.columns.label(column)),
            points,
            max(-points, Decimal(0)),
            row_unexpected or column_unexpected,
        )


def pair_words(first: str, second: str, lang: str = "en") -> str:
    """A pair's reason: both features' plain words, joined."""
    return first + PAIR_JOIN.get(lang, PAIR_JOIN["en"]) + second


# ---------------------------------------------------------------- the file
def _decimal(value: object, where: str) -> Decimal:
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        raise InteractionError(f"{where}: {value!r} is not a number") from None
    if not parsed.is_finite():
        raise InteractionError(f"{where}: {value!r} is not a finite number")
    return parsed


def interaction_json(pair: Interaction) -> dict[str, Any]:
    return {
        "name": pair.name,
        "axes": [
            {
                "feature": axis.feature,
                "kind": axis.kind,
                "cuts": [str(c) for c in axis.cuts],
                "categories": [list(names) for names in axis.categories],
            }
            for axis in (pair.rows, pair.columns)
        ],
        "points": [[str(p) for p in row] for row in pair.points],
    }


def _read_axis(raw: Mapping[str, Any], where: str) -> Axis:
    kind = str(raw["kind"])
    if kind not in {"numeric", "categorical"}:
        raise InteractionError(f"{where}.kind: {kind!r} is neither numeric nor categorical")
    cuts = tuple(_decimal(c, f"{where}.cuts[{i}]") for i, c in enumerate(raw.get("cuts") or ()))
    if any(a >= b for a, b in itertools.pairwise(cuts)):
        raise InteractionError(f"{where}.cuts: not in ascending order")
    categories = tuple(tuple(str(c) for c in names) for names in raw.get("categories") or ())
    if kind == "numeric" and categories:
        raise InteractionError(f"{where}: a numeric axis lists no categories")
    if kind == "categorical" and cuts:
        raise InteractionError(f"{where}: a categorical axis has no cut points")
    return Axis(str(raw["feature"]), kind, cuts, categories)


def read_interaction(raw: Mapping[str, Any], index: int) -> Interaction:
    """One pair table of the file; `InteractionError` when its shape or numbers are wrong."""
    where = f"interactions[{index}]"
    try:
        axes = raw["axes"]
        if len(axes) != 2:
            raise InteractionError(f"{where}.axes: a pair table has two axes, not {len(axes)}")
        rows, columns = (_read_axis(a, f"{where}.axes[{i}]") for i, a in enumerate(axes))
        if rows.feature == columns.feature:
            raise InteractionError(f"{where}.axes: both axes are {rows.feature!r}")
        points = tuple(
            tuple(_decimal(p, f"{where}.points[{r}][{c}]") for c, p in enumerate(row))
            for r, row in enumerate(raw["points"])
        )
        name = str(raw["name"])
    except (KeyError, TypeError) as error:
        raise InteractionError(f"{where}: {type(error).__name__}: {error}") from None
    if len(points) != rows.size or any(len(row) != columns.size for row in points):
        raise InteractionError(
            f"{where}.points: need {rows.size} rows of {columns.size} cells "
            "(each axis: missing, its value bins, other)"
        )
    return Interaction(name, rows, columns, points)
