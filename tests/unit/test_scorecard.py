"""The scorecard file and scoring: bins, points, clipping, reasons, integrity."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditmend.domain.scoring.features import from_indicators
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
WATCHED = ("late_2_24m", "late_3_24m", "late_4plus_24m", "worst_status_12m", "worst_status_24m",
           "utilisation", "open_accounts", "months_since_overdue")  # fmt: skip


def _card() -> Scorecard:
    overdue = Feature(
        "late_months",
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
    best = score(card, {"late_months": "0", "kind": "prime"})
    assert (best.score, best.band, best.reasons) == (621, "A", ())  # 620.5 rounds up
    worse = score(card, {"late_months": 4, "kind": "thin"})
    assert (worse.score, worse.band) == (470, "C")
    assert worse.reasons == (
        ("late_months", "4 overdue account-month(s) in the last 6 months"),
        ("kind", "a thin borrower"),
    )


def test_missing_and_unexpected_values_are_scored_never_dropped() -> None:
    card = _card()
    missing = score(card, {})
    assert missing.score == 540 and missing.unexpected == 0
    odd = score(card, {"late_months": "lots", "kind": "alien"})
    assert odd.score == 535 and odd.unexpected == 2
    assert [c.bin for c in odd.contributions] == ["other", "other"]


def test_scores_are_clipped_to_the_range() -> None:
    card = _card()
    tight = Scorecard(card.features, Scaling(min_score=500, max_score=560), card.bands)
    assert score(tight, {"late_months": 0, "kind": "prime"}).score == 560
    assert score(tight, {"late_months": 9, "kind": "thin"}).score == 500


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
    here = score(card, {"late_months": months, "kind": kind}).score
    assert score(card, {"late_months": months + 1, "kind": kind}).score <= here


def test_the_features_of_the_indicator_row() -> None:
    bureau = {
        "months_o2_24m": 2,
        "months_o5_24m": 1,
        "months_o7_24m": 1,
        "worst_bucket_12m": 2,
        "worst_bucket_24m": 7,
        "revolving_balance_fen": 391300,
        "revolving_limit_fen": 2000000,
        "accounts_open": 3,
        "accounts_ever": 4,
    }
    values = from_indicators(bureau)
    assert {name: values[name] for name in WATCHED} == {
        "late_2_24m": D(2),
        "late_3_24m": D(0),
        "late_4plus_24m": D(2),
        "worst_status_12m": D(2),
        "worst_status_24m": D(7),
        "utilisation": D("0.1957"),
        "open_accounts": D(3),
        "months_since_overdue": D(60),  # accounts, none overdue in the grid's indicator
    }
    assert from_indicators({})["utilisation"] is None  # loans only: no limit, not a use of 0


def test_a_bad_debt_month_is_said_to_be_bad_debt_not_eight_months_late() -> None:
    result = score(default_scorecard(), from_indicators({"worst_bucket_12m": 8}))
    (said,) = [text for name, text in result.reasons if name == "worst_status_12m"]
    assert "stage 8" in said and "8: bad debt" in said
    assert "8 month" not in said
