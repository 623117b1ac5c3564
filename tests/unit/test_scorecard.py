"""The scorecard file and scoring: bins, points, clipping, reasons, integrity."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditmend.domain.scoring.features import NAMES, from_indicators
from creditmend.domain.scoring.scorecard import (
    Band,
    Bin,
    Feature,
    Scaling,
    Scorecard,
    ScorecardError,
    parse_scorecard,
    score,
    scorecard_text,
)
from creditmend.models import default_scorecard

D = Decimal


def _card() -> Scorecard:
    overdue = Feature(
        "overdue_months_6m",
        "numeric",
        "months overdue in the last 6",
        "{value} overdue account-month(s) in the last 6 months",
        (
            Bin("[-inf, 1)", D("300"), None, D(1)),
            Bin("[1, 3)", D("250"), D(1), D(3)),
            Bin("[3, inf)", D("180"), D(3), None),
            Bin("missing", D("240"), missing=True),
            Bin("other", D("240"), other=True),
        ),
    )
    kind = Feature(
        "kind",
        "categorical",
        "kind of borrower",
        "a {value} borrower",
        (
            Bin("prime", D("320.5"), categories=("prime",)),
            Bin("subprime, thin", D("290"), categories=("subprime", "thin")),
            Bin("missing", D("300"), missing=True),
            Bin("other", D("295"), other=True),
        ),
    )
    bands = (Band("A", 600), Band("B", 520), Band("C", 0))
    return Scorecard((overdue, kind), Scaling(), bands, {"data": "test"})


def test_points_add_up_round_half_up_and_give_a_band() -> None:
    card = _card()
    best = score(card, {"overdue_months_6m": "0", "kind": "prime"})
    assert (best.score, best.band, best.reasons) == (621, "A", ())  # 620.5 rounds up
    worse = score(card, {"overdue_months_6m": 4, "kind": "thin"})
    assert (worse.score, worse.band) == (470, "C")
    assert worse.reasons == (
        ("overdue_months_6m", "4 overdue account-month(s) in the last 6 months"),
        ("kind", "a thin borrower"),
    )


def test_missing_and_unexpected_values_are_scored_never_dropped() -> None:
    card = _card()
    missing = score(card, {})
    assert missing.score == 540 and missing.unexpected == 0
    odd = score(card, {"overdue_months_6m": "lots", "kind": "alien"})
    assert odd.score == 535 and odd.unexpected == 2
    assert [c.bin for c in odd.contributions] == ["other", "other"]


def test_scores_are_clipped_to_the_range() -> None:
    card = _card()
    tight = Scorecard(card.features, Scaling(min_score=500, max_score=560), card.bands)
    assert score(tight, {"overdue_months_6m": 0, "kind": "prime"}).score == 560
    assert score(tight, {"overdue_months_6m": 9, "kind": "thin"}).score == 500


def test_the_file_round_trips_and_refuses_tampering_and_other_versions() -> None:
    text = scorecard_text(_card())
    assert parse_scorecard(text) == _card()
    document = json.loads(text)
    document["features"][0]["bins"][2]["points"] = "300"
    with pytest.raises(ScorecardError, match="checksum: the file was changed"):
        parse_scorecard(json.dumps(document))
    document = json.loads(text)
    document["schema"] = "creditmend.scorecard/v0"
    with pytest.raises(ScorecardError, match="schema"):
        parse_scorecard(json.dumps(document))
    with pytest.raises(ScorecardError, match="not JSON"):
        parse_scorecard("{")


@given(st.integers(min_value=-5, max_value=50), st.sampled_from(["prime", "thin", "x", ""]))
def test_more_overdue_months_never_score_higher(months: int, kind: str) -> None:
    card = _card()
    here = score(card, {"overdue_months_6m": months, "kind": kind}).score
    assert score(card, {"overdue_months_6m": months + 1, "kind": kind}).score <= here


def test_the_features_of_the_indicator_row() -> None:
    bureau = {
        "worst_bucket_6m": 2,
        "months_overdue_6m": 2,
        "months_overdue_3m": 2,
        "revolving_balance_fen": 391300,
        "revolving_limit_fen": 2000000,
        "paid_fen_6m": 68900,
        "scheduled_fen_6m": 770400,
        "credit_limit_fen": 2000000,
        "active_months_6m": 1,
    }
    legacy = {name: value for name, value in from_indicators(bureau).items() if name in NAMES}
    assert legacy == {
        "worst_status_6m": D(2),
        "overdue_months_6m": D(2),
        "overdue_months_3m": D(2),
        "overdue_months_older": D(0),
        "utilisation": D("0.1957"),
        "payment_ratio_6m": D("0.0894"),
        "credit_limit": D(20000),
        "active_months_6m": D(1),
    }
    assert from_indicators({})["credit_limit"] is None  # loans only: no limit, not a limit of 0


def test_a_bad_debt_month_is_said_to_be_bad_debt_not_eight_months_late() -> None:
    result = score(default_scorecard(), from_indicators({"worst_bucket_6m": 8}))
    (said,) = [text for name, text in result.reasons if name == "worst_status_6m"]
    assert "M8" in said and "bad debt" in said
    assert "8 month" not in said
