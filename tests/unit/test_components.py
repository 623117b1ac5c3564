"""Components from a second model: the centring shift (golden points), the refusals, the file
round trip, and that the combined score is the core's plus the components' shifted points."""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditmend.domain.scoring.components import ComponentError, shift_of, take_components
from creditmend.domain.scoring.scorecard import (
    Band,
    Bin,
    Feature,
    Scaling,
    Scorecard,
    ScorecardError,
    parse_scorecard,
    score,
    scorecard_document,
    scorecard_text,
)

D = Decimal


def _numeric(name: str, points: list[tuple[str, int]], missing: str = "0") -> Feature:
    """A numeric feature with bins [0, 1), [1, 2), ..., the last open; (points, count) each."""
    last = len(points) - 1
    bins = tuple(
        Bin(
            f"[{i}, {'inf' if i == last else i + 1})",
            D(p),
            D(i),
            None if i == last else D(i + 1),
            count=count,
        )
        for i, (p, count) in enumerate(points)
    )
    absent = Bin("missing", D(missing), missing=True, count=5)
    unheld = Bin("other", D(missing), other=True)
    return Feature(name, "numeric", f"the {name}", f"{name} is {{value}}", (*bins, absent, unheld))


def _core() -> Scorecard:
    late = _numeric("late", [("620", 80), ("550", 15), ("480", 5)], missing="540")
    bands = (Band("A", 600), Band("B", 520), Band("C", 300))
    return Scorecard((late,), Scaling(), bands, {"data": {"name": "core.csv"}})


def _other() -> Scorecard:
    utilisation = _numeric("utilisation", [("10", 3), ("4", 1)], missing="7")
    severe = _numeric("severe", [("1", 1), ("2", 2)])
    late = _numeric("late", [("130", 9), ("100", 1)])
    kind = Feature(
        "kind",
        "categorical",
        "kind of card",
        "a {value} card",
        (
            Bin("gold", D("0"), categories=("gold",), count=1),
            Bin("plain, student", D("0.01"), categories=("plain", "student"), count=1),
            Bin("missing", D("3"), missing=True),
            Bin("other", D("3"), other=True),
        ),
    )
    return Scorecard(
        (late, utilisation, severe, kind),
        Scaling(),
        (Band("A", 600), Band("B", 300)),
        {"data": {"name": "taiwan.csv", "sha256": "ab" * 32}, "trained_on": "2026-12-01"},
    )


def _points(card: Scorecard, name: str) -> list[str]:
    return [str(b.points) for b in next(f for f in card.features if f.name == name).bins]


def test_each_feature_is_centred_on_its_training_population_golden_points() -> None:
    combined = take_components(_core(), _other(), ["utilisation", "severe", "kind"])
    # utilisation: mean (10*3 + 4*1) / 4 = 8.5; missing (count 5, points 7) is not centred on
    assert _points(combined, "utilisation") == ["1.50", "-4.50", "0.00", "0.00"]
    # severe: mean (1 + 2*2) / 3 = 1.666..., shift -1.67 (rounded to 0.01)
    assert _points(combined, "severe") == ["-0.67", "0.33", "0.00", "0.00"]
    # kind: mean 0.005, shift rounded half up (away from zero) to -0.01
    assert _points(combined, "kind") == ["-0.01", "0.00", "0.00", "0.00"]
    assert [f.source for f in combined.features] == ["trained", *["component:taiwan.csv"] * 3]
    assert combined.features[0] == _core().features[0]
    (record,) = combined.metadata["components"]
    assert record["data"] == {"name": "taiwan.csv", "sha256": "ab" * 32}
    assert record["trained_on"] == "2026-12-01"
    assert record["model_checksum"] == scorecard_document(_other())["checksum"]
    assert record["features"] == [
        {"feature": "utilisation", "shift": "-8.50", "centred_on": 4},
        {"feature": "severe", "shift": "-1.67", "centred_on": 3},
        {"feature": "kind", "shift": "-0.01", "centred_on": 2},
    ]


def test_the_file_round_trips_re_checksummed_and_the_same_inputs_give_the_same_bytes() -> None:
    combined = take_components(_core(), _other(), ["utilisation"])
    text = scorecard_text(combined)
    assert parse_scorecard(text) == combined
    assert scorecard_text(take_components(_core(), _other(), ["utilisation"])) == text
    # a second combine appends its record; the first is kept
    twice = take_components(combined, _other(), ["severe"])
    assert [r["features"][0]["feature"] for r in twice.metadata["components"]] == [
        "utilisation",
        "severe",
    ]


def test_a_source_neither_trained_overlay_nor_component_is_refused() -> None:
    card = replace(_core(), features=(replace(_core().features[0], source="guessed"),))
    with pytest.raises(ScorecardError, match=r"features\[0\]\.source: 'guessed'"):
        parse_scorecard(scorecard_text(card))


@pytest.mark.parametrize(
    ("names", "field", "message"),
    [
        ([], "names", "give at least one feature of the other model"),
        (["utilisation", "utilisation"], "names", "'utilisation' given twice"),
        (["income"], "names", "'income' is not a feature of the other model (it has late, "
         "utilisation, severe, kind)"),
        (["late"], "names", "'late': the core already has it"),
    ],
)  # fmt: skip
def test_names_are_refused_in_one_line(names: list[str], field: str, message: str) -> None:
    with pytest.raises(ComponentError) as refused:
        take_components(_core(), _other(), names)
    assert (refused.value.field, str(refused.value)) == (field, message)


@pytest.mark.parametrize(
    ("scaling", "message"),
    [
        (Scaling(pdo=40), "scaling.pdo: 40 in the other model, 20 in the core"),
        (Scaling(base_odds=D(20)), "scaling.base_odds: 20 in the other model, 50 in the core"),
        (Scaling(base_points=500), "scaling.base_points: 500 in the other model, 600 in the core"),
    ],
)
def test_models_of_different_scaling_are_refused(scaling: Scaling, message: str) -> None:
    with pytest.raises(ComponentError) as refused:
        take_components(_core(), replace(_other(), scaling=scaling), ["utilisation"])
    assert refused.value.field == "scaling"
    assert str(refused.value) == f"{message}: the points are not in the same units"


def test_the_score_range_may_differ() -> None:
    other = replace(_other(), scaling=Scaling(min_score=0, max_score=1000))
    assert take_components(_core(), other, ["utilisation"]).scaling == Scaling()


def test_a_feature_without_training_counts_is_refused() -> None:
    bare = _numeric("bare", [("3", 0), ("5", 0)])
    with pytest.raises(ComponentError, match="bare: its bins hold no training counts"):
        shift_of(bare)


bins = st.lists(
    st.tuples(
        st.decimals(D("-200"), D("200"), places=2),
        st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=8,
).filter(lambda found: sum(count for _, count in found) > 0)


@given(bins)
def test_the_shifted_points_average_to_zero_over_the_training_population(
    found: list[tuple[Decimal, int]],
) -> None:
    feature = _numeric("f", [(str(p), count) for p, count in found], missing="55")
    other = replace(_other(), features=(feature,))
    (added,) = take_components(_core(), other, ["f"]).features[1:]
    valued = added.bins[:-2]
    mean = sum((b.points * b.count for b in valued), D(0)) / sum(b.count for b in valued)
    assert abs(mean) <= D("0.005")
    assert [b.points for b in added.bins[-2:]] == [0, 0]
    shift = shift_of(feature)
    assert all(a.points - b.points == shift for a, b in zip(valued, feature.bins, strict=False))


values = st.one_of(st.none(), st.integers(-1, 4).map(D), st.just("text"))


@given(values, values, values, st.sampled_from([None, "gold", "plain", "student", "silver"]))
def test_the_combined_score_is_the_cores_plus_the_shifted_component_points(
    late: Decimal | str | None,
    utilisation: Decimal | str | None,
    severe: Decimal | str | None,
    kind: str | None,
) -> None:
    other = _other()
    combined = take_components(_core(), other, ["utilisation", "severe", "kind"])
    applicant = {"late": late, "utilisation": utilisation, "severe": severe, "kind": kind}
    core = score(_core(), applicant)
    expected = sum((c.points for c in core.contributions), D(0))
    theirs = {c.feature: c for c in score(other, applicant).contributions}
    for name in ("utilisation", "severe", "kind"):
        feature = next(f for f in other.features if f.name == name)
        chosen, _ = feature.bin_for(theirs[name].value)
        if not (chosen.missing or chosen.other):
            expected += chosen.points + shift_of(feature)
    result = score(combined, applicant)
    assert sum((c.points for c in result.contributions), D(0)) == expected
    assert result.score == int(expected.quantize(D(1), ROUND_HALF_UP))
