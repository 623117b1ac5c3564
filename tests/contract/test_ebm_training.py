"""The EBM (`score train --model ebm`) against interpret and the domain: the exported points
tables reproduce the fitted model's scores, the same seed gives the same file byte for byte,
features whose meaning says so are monotone and kept out of pairs, and bad settings are refused.

Export parity, the bound: every main effect's bin and every pair's cell holds
`-factor x term score (+ the intercept's share)` rounded half up to 0.01 points, so the sum of a
row's points is within 0.005 x (number of terms) of `offset - factor x decision_function`, and
the whole-point score within 0.5 more (the rounding to a whole point), clipping aside.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_scorecard_training import synthetic_csv  # this folder is on the path

from creditmend.adapters.scorecard_training import TrainingOptions, TrainingResult, train
from creditmend.adapters.training import ebm_fit
from creditmend.adapters.training.ebm_export import near, scale
from creditmend.adapters.training.report import render_report
from creditmend.adapters.training.settings import EbmSettings
from creditmend.domain.problems import ProblemsError
from creditmend.domain.scoring.features import FALLS, RISES, RISK_OF, VALLEY
from creditmend.domain.scoring.scorecard import parse_scorecard, score, scorecard_text

pytestmark = pytest.mark.slow  # fits EBMs: a minute or two

DAY = date(2026, 1, 1)
QUICK = EbmSettings(interactions=3, outer_bags=2, max_bins=64, max_interaction_bins=8)
ROUNDING = Decimal("0.005")


def options(data: Path, **changes: object) -> TrainingOptions:
    chosen: dict[str, object] = {
        "data": data,
        "target": "default",
        "bad": "yes",
        "trained_on": DAY,
        "protected": ("gender",),
        "model": "ebm",
        "ebm": QUICK,
        "baselines": False,
    }
    chosen.update(changes)
    return TrainingOptions(**chosen)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_csv(tmp_path_factory.mktemp("ebm") / "synthetic.csv")


@pytest.fixture(scope="module")
def trained(data: Path) -> TrainingResult:
    return train(options(data))


def test_the_exported_tables_reproduce_the_models_scores(trained: TrainingResult) -> None:
    card = parse_scorecard(scorecard_text(trained.card))
    model, table = trained.fitted.model, trained.table
    assert len(card.interactions) == 3 and card.metadata["model"]["kind"] == "ebm"
    terms = len(card.features) + len(card.interactions)
    assert terms == len(model.term_names_)
    frame = pd.DataFrame({name: table.values[name] for name in table.features})
    factor, offset = scale(card.scaling)
    exact = offset - factor * np.asarray(model.decision_function(frame))
    bound = float(ROUNDING * terms)
    worst = 0.0
    for row in range(len(table.y)):  # training and hold-out rows alike
        result = score(card, {name: table.raw[name][row] for name in table.features})
        total = sum(c.points for c in result.contributions) + sum(p.points for p in result.pairs)
        worst = max(worst, abs(float(total) - exact[row]))
        if card.scaling.min_score < exact[row] < card.scaling.max_score:
            assert abs(result.score - exact[row]) <= 0.5 + bound
    assert worst <= bound, (worst, bound)


def test_the_same_file_options_and_seed_give_the_same_bytes(
    data: Path, trained: TrainingResult
) -> None:
    again = train(options(data))
    assert scorecard_text(again.card) == scorecard_text(trained.card)
    other_seed = train(options(data, seed=7))
    assert scorecard_text(other_seed.card) != scorecard_text(trained.card)


def test_a_feature_whose_meaning_says_so_is_monotone_and_in_no_pair(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`rises` and `falls` are imposed; `valley` (the bureau's `months_since_activity`) is not:
    the data decide its shape and it may enter a pair."""
    for name, risk in RISK_OF.items():
        assert ebm_fit.direction(name) == (risk if risk in (RISES, FALLS) else None), name
    assert RISK_OF["months_since_activity"] == VALLEY
    assert ebm_fit.direction("months_since_activity") is None
    monkeypatch.setattr(ebm_fit, "RISK_OF", {"late": RISES, "income": FALLS, "util": VALLEY})
    card = train(options(data, ebm=replace(QUICK, interactions=6))).card
    assert card.metadata["model"]["monotone"] == {"income": "falls", "late": "rises"}
    for name, sign in (("late", -1), ("income", 1)):  # points fall as risk rises
        feature = next(f for f in card.features if f.name == name)
        points = [b.points for b in feature.bins if not (b.missing or b.other)]
        assert len(points) > 1
        assert all(sign * (b - a) >= 0 for a, b in itertools.pairwise(points))
    assert card.interactions
    assert all(not {"late", "income"} & set(p.features) for p in card.interactions)


def test_the_report_shows_the_pair_tables(trained: TrainingResult) -> None:
    html = render_report(trained.card)
    assert "EBM training report" in html and "Pair tables" in html
    for pair in trained.card.interactions:
        assert pair.name.replace("&", "&amp;") in html


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"model": "foo"}, "training.model"),
        ({"ebm": replace(QUICK, interactions=-1)}, "training.interactions"),
        ({"ebm": replace(QUICK, max_bins=2)}, "training.max_bins"),
        ({"ebm": replace(QUICK, outer_bags=0)}, "training.outer_bags"),
        ({"ebm": replace(QUICK, validation_size=1.0)}, "training.validation_size"),
    ],
)
def test_bad_settings_are_refused_before_any_work(
    data: Path, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ProblemsError) as caught:
        train(options(data, **changes))
    assert [p.field for p in caught.value.problems] == [field]


@pytest.mark.parametrize(
    ("cut", "below", "above", "written"),
    [
        (0.43715000000000004, 0.4371, 0.4372, "0.43715"),
        (1.5, 1.0, 2.0, "1.5"),
        (4739.5, 4739.0, 4740.0, "4739.5"),
        (0.1 + 0.2, None, None, "0.3"),
        (0.3000001, 0.3, 0.3000002, "0.3000001"),  # never moved beyond a billionth
    ],
)
def test_a_cut_is_written_short_but_where_the_ebm_put_it(
    cut: float, below: float | None, above: float | None, written: str
) -> None:
    assert str(near(cut, below, above)) == written
