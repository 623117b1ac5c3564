"""Knock-out rules in the scorecard: the cap never raises a band, score and band agree, the
rule's words come first, and the rules travel in the model file."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditmend.domain.scoring.knockouts import Knockout
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

RULE = Knockout(
    "dishonest_debtor", Decimal(1), "D", "an active dishonest-debtor record: band capped at D",
    "有失信被执行人记录:评级最高为D", "SPC",
)  # fmt: skip


def _card(*rules: Knockout) -> Scorecard:
    """One feature worth 0..400 points on top of a 400 base: every band is reachable."""
    late = Feature(
        "late",
        "numeric",
        "late months",
        "{value} late months",
        (
            Bin("[0, 1)", Decimal(400), Decimal(0), Decimal(1)),
            Bin("[1, 2)", Decimal(250), Decimal(1), Decimal(2)),
            Bin("[2, 3)", Decimal(150), Decimal(2), Decimal(3)),
            Bin("[3, inf)", Decimal(0), Decimal(3), None),
            Bin("missing", Decimal(200), missing=True),
            Bin("other", Decimal(200), other=True),
        ),
    )
    base = Feature(
        "base", "numeric", "base", "base",
        (Bin("any", Decimal(300)), Bin("missing", Decimal(300), missing=True),
         Bin("other", Decimal(300), other=True)),
    )  # fmt: skip
    bands = (Band("A", 680), Band("B", 640), Band("C", 600), Band("D", 550), Band("E", 300))
    return Scorecard((base, late), Scaling(), bands, {}, knockouts=rules)


def test_a_fired_rule_caps_band_and_score_and_says_so_first() -> None:
    card = _card(RULE)
    clean = score(card, {"late": 0})
    assert (clean.score, clean.band, clean.reasons) == (700, "A", ())
    listed = score(card, {"late": 0, "dishonest_debtor": 1})
    assert (listed.score, listed.band) == (599, "D")  # the top of D: just below C's 600
    assert listed.reasons[0] == ("dishonest_debtor", RULE.reason)
    assert listed.reasons_zh[0] == ("dishonest_debtor", RULE.reason_zh)
    worse = score(card, {"late": 5, "dishonest_debtor": 2})
    assert (worse.score, worse.band) == (300, "E")  # already below the cap: left as it is
    assert [f for f, _ in worse.reasons] == ["dishonest_debtor", "late"]
    assert score(card, {"late": 0, "dishonest_debtor": 0}).band == "A"
    assert score(card, {"late": 0, "dishonest_debtor": None}).band == "A"


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.integers(0, 9)), st.integers(0, 3), st.sampled_from("ABCDE"))
def test_a_knockout_never_raises_a_band_and_score_and_band_agree(
    late: int | None, listed: int, band: str
) -> None:
    rule = replace(RULE, band=band)
    free, capped = _card(), _card(rule)
    values = {"late": late, "dishonest_debtor": listed}
    before, after = score(free, values), score(capped, values)
    order = [b.name for b in capped.bands]
    assert order.index(after.band) >= order.index(before.band)
    assert after.score <= before.score
    assert capped.band_of(after.score) == after.band
    assert order.index(after.band) >= (order.index(band) if listed else 0)


def test_the_rules_travel_in_the_model_file_and_a_bad_one_is_refused() -> None:
    card = _card(RULE)
    assert parse_scorecard(scorecard_text(card)) == card
    document = scorecard_document(card)
    assert document["knockouts"][0]["band"] == "D"
    document["knockouts"][0]["band"] = "Z"
    document["checksum"] = checksum(document)
    with pytest.raises(ScorecardError, match=r"^knockouts\[0\].band: 'Z' is not one of"):
        parse_scorecard(json.dumps(document))
    document["knockouts"] = [{"feature": "x", "at_least": "many", "band": "E", "reason": "r"}]
    document["checksum"] = checksum(document)
    with pytest.raises(ScorecardError, match=r"^knockouts\[0\].at_least: 'many' is not a number"):
        parse_scorecard(json.dumps(document))
    document["features"][0]["source"] = "guessed"
    document.pop("knockouts")
    document["checksum"] = checksum(document)
    with pytest.raises(ScorecardError, match=r"^features\[0\].source: 'guessed' is neither"):
        parse_scorecard(json.dumps(document))
