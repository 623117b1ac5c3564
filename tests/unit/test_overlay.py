"""The overlay: points from relative risks, the checks at load, and the shipped overlay applied
to the shipped model is monotone in every inquiry and institution count."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditmend.domain.report.indicators import DAY_WINDOWS
from creditmend.domain.scoring.overlay import (
    OverlayError,
    apply_overlay,
    parse_overlay,
    points,
)
from creditmend.domain.scoring.scorecard import parse_scorecard, score, scorecard_text
from creditmend.models import default_scorecard

OVERLAY = resources.files("creditmend.models").joinpath("overlay.json").read_text("utf-8")


def _document() -> dict[str, Any]:
    return copy.deepcopy(json.loads(OVERLAY))


def _refused(document: dict[str, Any]) -> str:
    with pytest.raises(OverlayError) as refused:
        parse_overlay(json.dumps(document))
    message = str(refused.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("relative_risk", "pdo", "expected"),
    [("1", 20, "0.00"), ("2", 20, "-20.00"), ("4", 20, "-40.00"), ("8", 20, "-60.00"),
     ("1.5", 20, "-11.70"), ("3", 20, "-31.70"), ("2.5", 50, "-66.10"), ("0.5", 20, "20.00")],
)  # fmt: skip
def test_points_are_minus_pdo_times_log2_of_the_relative_risk(
    relative_risk: str, pdo: int, expected: str
) -> None:
    assert str(points(Decimal(relative_risk), pdo)) == expected


def test_the_shipped_overlay_reads_and_every_figure_has_a_source() -> None:
    overlay = parse_overlay(OVERLAY)
    features = [c.feature for c in overlay.components]
    assert features == [
        "hard_inquiries_180d", "institutions_90d", "open_platforms_non_bank", "court_records",
        "blacklist_entries",
    ]  # fmt: skip
    for component in overlay.components:
        assert component.sources and component.note
        assert component.bins[0].basis == "reference"
    (rule,) = overlay.knockouts
    assert (rule.feature, rule.at_least, rule.band_from_worst) == ("dishonest_debtor", 1, 1)


def test_applied_to_the_shipped_model_the_file_round_trips_with_its_checksum() -> None:
    card = default_scorecard()
    combined = apply_overlay(card, parse_overlay(OVERLAY))
    again = parse_scorecard(scorecard_text(combined))
    assert again == combined
    added = again.features[len(card.features) :]
    assert [f.source for f in added] == ["overlay"] * 5
    assert {f.source for f in card.features} == {"trained"}
    by_name = {f.name: f for f in added}
    assert [str(b.points) for b in by_name["hard_inquiries_180d"].bins] == [
        "0.00", "-8.00", "-16.00", "-24.00", "-32.00", "-40.00", "0.00", "0.00"
    ]  # fmt: skip
    assert [str(b.points) for b in by_name["institutions_90d"].bins] == [
        "0.00", "-5.26", "-11.70", "-20.00", "0.00", "0.00"
    ]  # fmt: skip
    (rule,) = again.knockouts
    assert (rule.band, rule.reason) == ("D", "an active dishonest-debtor record: band capped at D")
    record = again.metadata["overlay"]
    assert record["points"] == "-20 * log2(relative_risk), rounded half up to 0.01"
    assert record["sources"]["fico_booklet"]["year"] == 2005
    # a trained file's bytes do not change: `source` and `knockouts` are written only when used
    assert '"source"' not in scorecard_text(card) and '"knockouts"' not in scorecard_text(card)


def test_an_overlay_feature_the_model_has_is_refused() -> None:
    combined = apply_overlay(default_scorecard(), parse_overlay(OVERLAY))
    with pytest.raises(OverlayError, match=r"components\[0\].feature: the model already has"):
        apply_overlay(combined, parse_overlay(OVERLAY))


def test_the_clean_file_keeps_its_score_and_six_inquiries_from_four_lenders_cost_60() -> None:
    card = default_scorecard()
    combined = apply_overlay(card, parse_overlay(OVERLAY))
    clean = {"worst_status_6m": 0, "overdue_months_3m": 0, "utilisation": "0.1"}
    assert score(combined, clean).score == score(card, clean).score
    asked = {**clean, "hard_inquiries_180d": 6, "institutions_90d": 4}
    assert score(combined, asked).score == score(card, clean).score - 60


def _bins(document: dict[str, Any], index: int = 0) -> list[dict[str, Any]]:
    bins: list[dict[str, Any]] = document["components"][index]["bins"]
    return bins


def test_bad_overlays_are_refused_in_one_line_naming_the_field() -> None:
    cases: list[tuple[str, Any]] = []

    def case(pattern: str, change: Any) -> None:
        cases.append((pattern, change))

    case("schema: ", lambda d: d.update(schema="creditmend.overlay/v9"))
    case(r"components\[0\].bins\[0\].lower: the bins must start at 0",
         lambda d: _bins(d)[0].update(lower=1))  # fmt: skip
    case(r"components\[0\].bins\[2\].lower: 3 does not start where the bin before ends \(4\)",
         lambda d: _bins(d)[1].update(upper=4))  # fmt: skip
    case(r"components\[0\].bins\[3\].relative_risk: 1.5 is below the bin before's 1.7411",
         lambda d: _bins(d)[3].update(relative_risk="1.5"))  # fmt: skip
    case(r"components\[0\].bins\[5\].upper: the last bin must be open",
         lambda d: _bins(d)[5].update(upper=99))  # fmt: skip
    case(r"components\[0\].bins\[0\]: the first bin is the reference",
         lambda d: _bins(d)[0].update(relative_risk="1.1"))  # fmt: skip
    case(r"components\[1\].bins\[1\].relative_risk: 'x' is not a number",
         lambda d: _bins(d, 1)[1].update(relative_risk="x"))  # fmt: skip
    case(r"components\[1\].bins\[1\].relative_risk: must be more than 0",
         lambda d: _bins(d, 1)[1].update(relative_risk="-1"))  # fmt: skip
    case(r"components\[1\].bins\[1\].basis: 'guess' is not one of",
         lambda d: _bins(d, 1)[1].update(basis="guess"))  # fmt: skip
    case(r"components\[2\].sources: 'nowhere' is not in sources",
         lambda d: d["components"][2].update(sources=["nowhere"]))  # fmt: skip
    case(r"components\[1\].feature: 'hard_inquiries_180d' given twice",
         lambda d: d["components"][1].update(feature="hard_inquiries_180d"))  # fmt: skip
    case(r"sources.fico_booklet.year: 'old' is not a year",
         lambda d: d["sources"]["fico_booklet"].update(year="old"))  # fmt: skip
    case(r"knockouts\[0\].band_from_worst: -1 is not a whole number",
         lambda d: d["knockouts"][0].update(band_from_worst=-1))  # fmt: skip
    case(r"knockouts\[0\].at_least: must be more than 0",
         lambda d: d["knockouts"][0].update(at_least=0))  # fmt: skip
    case(r"components\[3\].note: give a non-empty text",
         lambda d: d["components"][3].pop("note"))  # fmt: skip
    for pattern, change in cases:
        document = _document()
        change(document)
        message = _refused(document)
        assert re.match(pattern, message), message
    with pytest.raises(OverlayError, match=r"^not JSON"):
        parse_overlay("{")


def test_a_knockout_below_the_models_bands_is_refused() -> None:
    document = _document()
    document["knockouts"][0]["band_from_worst"] = 5  # the shipped model has five bands
    with pytest.raises(OverlayError, match=r"knockouts\[0\].band_from_worst: the model has only"):
        apply_overlay(default_scorecard(), parse_overlay(json.dumps(document)))


# ---------------------------------------------------------------- monotone
@dataclass(frozen=True)
class Asked:
    age: int  # days before the as-of day
    by: int  # the institution
    bank: bool


def _counts(inquiries: list[Asked]) -> dict[str, int]:
    """The inquiry features as the indicators define them: within W days, distinct askers."""
    row: dict[str, int] = {}
    for window in DAY_WINDOWS:
        hard = [i for i in inquiries if i.age < window]
        row[f"hard_inquiries_{window}d"] = len(hard)
        row[f"institutions_{window}d"] = len({i.by for i in hard})
        for kind, bank in (("bank", True), ("non_bank", False)):
            mine = [i for i in hard if i.bank == bank]
            row[f"hard_inquiries_{kind}_{window}d"] = len(mine)
            row[f"institutions_{kind}_{window}d"] = len({i.by for i in mine})
    return row


ASKED = st.builds(Asked, st.integers(0, 200), st.integers(0, 12), st.just(False))
FILES = st.fixed_dictionaries(
    {
        "worst_status_6m": st.integers(0, 8),
        "overdue_months_3m": st.integers(0, 6),
        "overdue_months_older": st.integers(0, 6),
        "utilisation": st.one_of(st.none(), st.decimals("0", "1.5", places=2)),
        "payment_ratio_6m": st.one_of(st.none(), st.decimals("0", "2", places=2)),
        "credit_limit": st.one_of(st.none(), st.integers(0, 500000)),
        "active_months_6m": st.integers(0, 6),
        "open_platforms_non_bank": st.integers(0, 9),
        "court_records": st.integers(0, 3),
        "blacklist_entries": st.integers(0, 3),
        "dishonest_debtor": st.integers(0, 2),
    }
)


def _kinded(asked: Asked) -> Asked:
    return Asked(asked.age, asked.by, asked.by % 3 == 0)  # one kind per institution


@settings(max_examples=300, deadline=None)
@given(FILES, st.lists(ASKED, max_size=14), ASKED)
def test_one_more_inquiry_or_institution_never_raises_the_score(
    file: dict[str, object], inquiries: list[Asked], more: Asked
) -> None:
    card = apply_overlay(default_scorecard(), parse_overlay(OVERLAY))
    before = [_kinded(i) for i in inquiries]
    after = [*before, _kinded(more)]  # one more inquiry; a new institution when `by` is new
    first = score(card, {**file, **_counts(before)})
    then = score(card, {**file, **_counts(after)})
    assert then.score <= first.score
    bands = [b.name for b in card.bands]
    assert bands.index(then.band) >= bands.index(first.band)


@settings(max_examples=200, deadline=None)
@given(FILES, st.sampled_from(["open_platforms_non_bank", "court_records", "blacklist_entries"]))
def test_one_more_platform_or_record_never_raises_the_score(
    file: dict[str, object], name: str
) -> None:
    card = apply_overlay(default_scorecard(), parse_overlay(OVERLAY))
    value = file[name]
    assert isinstance(value, int)
    assert score(card, {**file, name: value + 1}).score <= score(card, file).score
