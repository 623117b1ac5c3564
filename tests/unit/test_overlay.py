"""The overlay: points from relative risks, the checks at load, the shipped model is its trained
part with the shipped overlay applied, and it is monotone in every inquiry and institution count,
non-bank platform, court record and blacklist entry."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, replace
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
from creditmend.domain.scoring.scorecard import (
    Scorecard,
    parse_scorecard,
    score,
    scorecard_document,
    scorecard_text,
)
from creditmend.models import default_scorecard, default_scorecard_text

OVERLAY = resources.files("creditmend.models").joinpath("overlay.json").read_text("utf-8")


def trained_part(card: Scorecard) -> Scorecard:
    """The shipped model as `score overlay` found it: without the overlay's features, knock-outs
    and record (`make model` adds them last)."""
    return replace(
        card,
        features=tuple(f for f in card.features if f.source != "overlay"),
        knockouts=(),
        metadata={k: v for k, v in card.metadata.items() if k != "overlay"},
    )


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
        "hard_inquiries_90d", "institutions_90d", "open_platforms_non_bank", "court_records",
        "blacklist_entries",
    ]  # fmt: skip
    for component in overlay.components:
        assert component.sources and component.note
        assert component.bins[0].basis == "reference"
    (rule,) = overlay.knockouts
    assert (rule.feature, rule.at_least, rule.band_from_worst) == ("dishonest_debtor", 1, 1)


def test_the_shipped_model_is_its_trained_part_with_the_overlay_and_round_trips() -> None:
    card = trained_part(default_scorecard())
    combined = apply_overlay(card, parse_overlay(OVERLAY))
    assert combined == default_scorecard()
    assert scorecard_text(combined) == default_scorecard_text()  # byte for byte, checksum too
    again = parse_scorecard(scorecard_text(combined))
    assert again == combined
    added = again.features[len(card.features) :]
    assert [f.source for f in added] == ["overlay"] * 5
    assert "overlay" not in {f.source for f in card.features}
    by_name = {f.name: f for f in added}
    assert [str(b.points) for b in by_name["hard_inquiries_90d"].bins] == [
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
    document = scorecard_document(card)
    assert "knockouts" not in document
    written = {f["name"]: f.get("source") for f in document["features"]}
    assert written == {f.name: None if f.source == "trained" else f.source for f in card.features}
    assert None in written.values()


def test_an_overlay_feature_the_model_has_is_refused() -> None:
    with pytest.raises(OverlayError, match=r"components\[0\].feature: the model already has"):
        apply_overlay(default_scorecard(), parse_overlay(OVERLAY))


# A file with no late month in the 60 shown, one account opened four years ago, 10 % used.
CLEAN: dict[str, object] = {
    "late_2_24m": 0, "late_3_24m": 0, "late_4plus_24m": 0, "bad_debt_24m": 0,
    "months_since_overdue": 60, "worst_status_12m": 0, "worst_status_24m": 0,
    "open_accounts": 1, "opened_6m": 0, "opened_12m": 0, "oldest_account_months": 47,
    "utilisation": "0.1",
}  # fmt: skip


def test_the_clean_file_keeps_its_score_and_six_inquiries_from_four_lenders_cost_60() -> None:
    shipped = default_scorecard()
    card = trained_part(shipped)
    clean = score(card, CLEAN)
    assert shipped.scaling.min_score + 60 <= clean.score < shipped.scaling.max_score
    assert score(shipped, CLEAN).score == clean.score
    none_asked = {**CLEAN, "hard_inquiries_90d": 0, "institutions_90d": 0}
    assert score(shipped, none_asked).score == clean.score
    asked = {**CLEAN, "hard_inquiries_90d": 6, "institutions_90d": 4}
    assert score(shipped, asked).score == clean.score - 60
    assert score(card, asked).score == clean.score  # the trained part does not read them


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
    case(r"components\[1\].feature: 'hard_inquiries_90d' given twice",
         lambda d: d["components"][1].update(feature="hard_inquiries_90d"))  # fmt: skip
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
        apply_overlay(trained_part(default_scorecard()), parse_overlay(json.dumps(document)))


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
COUNT_24M = st.integers(0, 24)
FILE_VALUES: dict[str, st.SearchStrategy[object]] = {
    "late_2_24m": COUNT_24M,
    "late_3_24m": COUNT_24M,
    "late_4plus_24m": COUNT_24M,
    "bad_debt_24m": COUNT_24M,
    "months_since_overdue": st.one_of(st.none(), st.integers(0, 60)),
    "worst_status_12m": st.integers(0, 8),
    "worst_status_24m": st.integers(0, 8),
    "open_accounts": st.integers(0, 9),
    "opened_6m": st.integers(0, 6),
    "opened_12m": st.integers(0, 9),
    "oldest_account_months": st.one_of(st.none(), st.integers(0, 120)),
    "current_24m": st.integers(0, 72),
    "utilisation": st.one_of(st.none(), st.decimals("0", "1.5", places=2)),
    "open_platforms_non_bank": st.integers(0, 9),
    "court_records": st.integers(0, 3),
    "blacklist_entries": st.integers(0, 3),
    "dishonest_debtor": st.integers(0, 2),
}
FILES = st.fixed_dictionaries(FILE_VALUES)


def test_the_generated_files_give_every_feature_the_shipped_model_reads() -> None:
    """So the properties below move every other feature of the shipped model too."""
    inquiries = set(_counts([]))
    read = {f.name for f in default_scorecard().features}
    assert read - inquiries <= set(FILE_VALUES)
    assert {k.feature for k in default_scorecard().knockouts} <= set(FILE_VALUES)


def _kinded(asked: Asked) -> Asked:
    return Asked(asked.age, asked.by, asked.by % 3 == 0)  # one kind per institution


@settings(max_examples=300, deadline=None)
@given(FILES, st.lists(ASKED, max_size=14), ASKED)
def test_one_more_inquiry_or_institution_never_raises_the_score(
    file: dict[str, object], inquiries: list[Asked], more: Asked
) -> None:
    card = default_scorecard()  # the shipped overlay as it stands
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
    card = default_scorecard()
    value = file[name]
    assert isinstance(value, int)
    assert score(card, {**file, name: value + 1}).score <= score(card, file).score
