"""Pair tables (an EBM's pairwise terms) in the domain: lookup at the edges, the file's round
trip, refusals, reasons in both features' words, and what-if on a card with a pair."""

from __future__ import annotations

import bisect
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditmend.domain.scoring.interactions import Axis, Interaction
from creditmend.domain.scoring.scorecard import (
    Band,
    Bin,
    Feature,
    Scaling,
    Scorecard,
    ScorecardError,
    checksum,
    parse_scorecard,
    score,
    scorecard_document,
    scorecard_text,
)

D = Decimal
UTIL = Axis("util", "numeric", cuts=(D("0.5"), D("0.9")))
REGION = Axis("region", "categorical", categories=(("north",), ("east", "south")))
REGION_JSON = {
    "feature": "region",
    "kind": "categorical",
    "categories": [["north"], ["east", "south"]],
}
# rows: util missing, < 0.5, [0.5, 0.9), >= 0.9, other; columns: region missing, north,
# east/south, other
PAIR = Interaction(
    "util & region",
    UTIL,
    REGION,
    tuple(
        tuple(D(p) for p in row)
        for row in (
            ("0", "1", "-1", "0"),
            ("0", "4", "2", "0"),
            ("0", "1", "-3", "0"),
            ("0", "-2", "-9", "0"),
            ("0", "0", "0", "0"),
        )
    ),
)


def _numeric(name: str, points: tuple[str, str, str]) -> Feature:
    low, high, missing = (D(p) for p in points)
    return Feature(
        name, "numeric", name, f"{name} is {{value}}",
        (Bin("[-inf, 0.5)", low, upper=D("0.5")), Bin("[0.5, inf)", high, lower=D("0.5")),
         Bin("missing", missing, missing=True), Bin("other", missing, other=True)),
        f"{name}为{{value}}",
    )  # fmt: skip


def _card(*pairs: Interaction) -> Scorecard:
    region = Feature(
        "region", "categorical", "region", "lives in {value}",
        (Bin("north", D(300), categories=("north",)),
         Bin("east, south", D(300), categories=("east", "south")),
         Bin("missing", D(300), missing=True), Bin("other", D(300), other=True)),
    )  # fmt: skip
    return Scorecard(
        (_numeric("util", ("300", "290", "300")), region),
        Scaling(),
        (Band("A", 620), Band("B", 300)),
        {"kind": "test"},
        interactions=pairs,
    )


@pytest.mark.parametrize(
    ("value", "index", "unexpected"),
    [
        (None, 0, False),
        (D("-1e9"), 1, False),  # the open lower end
        (D("0.4999"), 1, False),
        (D("0.5"), 2, False),  # on a cut: the upper bin, as the EBM bins
        (D("0.8999"), 2, False),
        (D("0.9"), 3, False),
        (D("1e12"), 3, False),  # the open upper end
        ("lots", 4, True),  # text in a numeric feature: other
    ],
)
def test_a_numeric_axis_finds_the_ebms_bin(
    value: Decimal | str | None, index: int, unexpected: bool
) -> None:
    assert UTIL.index(value) == (index, unexpected)


@pytest.mark.parametrize(
    ("value", "index", "unexpected"),
    [(None, 0, False), ("north", 1, False), ("south", 2, False), ("east", 2, False),
     ("west", 3, True), (D(7), 3, True)],
)  # fmt: skip
def test_a_categorical_axis_finds_its_category_or_other(
    value: Decimal | str | None, index: int, unexpected: bool
) -> None:
    assert REGION.index(value) == (index, unexpected)


def test_labels_name_the_bins_with_open_ends() -> None:
    assert [UTIL.label(i) for i in range(UTIL.size)] == [
        "missing", "[-inf, 0.5)", "[0.5, 0.9)", "[0.9, inf)", "other",
    ]  # fmt: skip
    assert [REGION.label(i) for i in range(REGION.size)] == [
        "missing", "north", "east, south", "other",
    ]  # fmt: skip


@given(
    st.lists(st.decimals(-1000, 1000, places=3), min_size=1, max_size=8, unique=True),
    st.decimals(-2000, 2000, places=4),
)
def test_every_number_falls_in_the_one_bin_that_holds_it(
    cuts: list[Decimal], value: Decimal
) -> None:
    axis = Axis("x", "numeric", cuts=tuple(sorted(cuts)))
    index, unexpected = axis.index(value)
    bounds = [None, *axis.cuts, None]
    lower, upper = bounds[index - 1], bounds[index]
    assert not unexpected and 1 <= index <= len(cuts) + 1
    assert (lower is None or lower <= value) and (upper is None or value < upper)
    assert index == bisect.bisect_right(axis.cuts, value) + 1


def test_a_card_with_a_pair_adds_the_cells_points() -> None:
    plain, paired = _card(), _card(PAIR)
    values = {"util": "0.95", "region": "south"}
    assert score(plain, values).score == 590
    result = score(paired, values)
    assert result.score == 581  # 590 - 9
    (pair,) = result.pairs
    assert pair.cell == ("[0.9, inf)", "east, south")
    assert pair.points == D(-9) and pair.loss == D(9)  # the combination takes 9 points
    assert score(paired, {"util": "0.2", "region": "north"}).pairs[0].loss == 0  # it adds 4
    assert score(paired, {"util": "0.2", "region": "north"}).score == 604


def test_a_pair_is_a_reason_in_both_features_words_only_with_both_on_file() -> None:
    card = _card(PAIR)
    result = score(card, {"util": "0.95", "region": "south"})
    assert result.reasons == (  # util lost 10 points against its best bin, the pair 9
        ("util", "util is 0.95"),
        ("util & region", "util is 0.95, together with lives in south"),
    )
    assert result.reasons_zh[1] == ("util & region", "util为0.95，同时lives in south")
    assert score(card, {"util": "0.6", "region": "north"}).reasons == (("util", "util is 0.6"),)
    missing_region = score(card, {"util": "0.95"})
    assert [name for name, _ in missing_region.reasons] == ["util"]
    unseen = score(card, {"util": "0.95", "region": "west"})
    assert unseen.unexpected == 1 and unseen.pairs[0].unexpected
    assert unseen.pairs[0].points == 0


def test_the_file_round_trips_with_its_pair_tables() -> None:
    card = _card(PAIR)
    text = scorecard_text(card)
    assert parse_scorecard(text) == card
    assert json.loads(text)["interactions"][0]["axes"][1]["categories"] == [
        ["north"], ["east", "south"],
    ]  # fmt: skip


def test_a_file_without_pairs_has_no_interactions_key() -> None:
    assert "interactions" not in scorecard_document(_card())
    assert parse_scorecard(scorecard_text(_card())).interactions == ()


def _tampered(change: dict[str, object]) -> str:
    document = scorecard_document(_card(PAIR))
    document["interactions"][0].update(change)
    document["checksum"] = checksum(document)
    return json.dumps(document)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"points": [["1"]]}, "interactions[0].points: need 5 rows of 4 cells"),
        (
            {"axes": [{"feature": "util", "kind": "numeric", "cuts": ["0.9", "0.5"]},
                      {"feature": "region", "kind": "categorical", "categories": [["a"]]}]},
            "interactions[0].axes[0].cuts: not in ascending order",
        ),
        (
            {"axes": [{"feature": "income", "kind": "numeric", "cuts": ["1", "2"]},
                      REGION_JSON]},
            "interactions[0]: 'income' is not a numeric feature of the card",
        ),
        (
            {"axes": [{"feature": "util", "kind": "categorical", "categories": [["a"], ["b"],
                                                                                ["c"]]},
                      REGION_JSON]},
            "interactions[0]: 'util' is not a categorical feature of the card",
        ),
        ({"axes": [REGION_JSON]}, "interactions[0].axes: a pair table has two axes, not 1"),
        ({"points": [["x"] * 4] * 5}, "interactions[0].points[0][0]: 'x' is not a number"),
    ],
)  # fmt: skip
def test_a_broken_pair_table_is_refused_in_one_line(change: dict[str, object], said: str) -> None:
    with pytest.raises(ScorecardError) as caught:
        parse_scorecard(_tampered(change))
    assert str(caught.value).startswith(said), str(caught.value)
    assert "\n" not in str(caught.value)


def test_what_if_works_on_a_card_with_a_pair() -> None:
    """The shipped card plus a pair of two of its features: what-if scores both sides with the
    pair, unchanged."""
    from test_whatif import _view  # noqa: PLC0415  # this folder is on the path

    from creditmend.bootstrap import load_scorecard  # noqa: PLC0415
    from creditmend.domain.rules.cn import CN  # noqa: PLC0415
    from creditmend.domain.scoring.whatif import MonthsOnTime, what_if  # noqa: PLC0415

    shipped = load_scorecard()
    first, second = [f.name for f in shipped.features if f.kind == "numeric"][:2]
    # every cell a different number of points, so that any change of cell shows
    cells = tuple(tuple(D(row * 4 + column - 8) for column in range(4)) for row in range(4))
    pair = Interaction(
        f"{first} & {second}",
        Axis(first, "numeric", cuts=(D(1),)),
        Axis(second, "numeric", cuts=(D(1),)),
        cells,
    )
    card = replace(shipped, interactions=(pair,))
    card = parse_scorecard(scorecard_text(card))
    plain = what_if(shipped, _view(), MonthsOnTime(6), CN, "CNY")
    paired = what_if(card, _view(), MonthsOnTime(6), CN, "CNY")
    before = {p.name: p.points for p in paired.before.pairs}
    after = {p.name: p.points for p in paired.after.pairs}
    assert paired.before.score - plain.before.score == before[pair.name]
    assert paired.after.score - plain.after.score == after[pair.name]
