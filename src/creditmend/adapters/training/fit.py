"""Binning with optbinning, the logistic regression with scikit-learn, and the points.

- Binning: optbinning's `BinningProcess`, one `OptimalBinning` per feature (its constraint
  programming solver finds the bins; nothing here bins by hand). Numeric features get a
  monotonic trend in risk (`auto_asc_desc` by default: optbinning picks ascending or descending
  from the data), or the one named for them; categorical features are ordered by event rate.
  Missing values are a bin of their own with their own weight of evidence (`metric_missing`
  "empirical"); no special codes are used.
- Model: `LogisticRegression` on the weights of evidence (L2, C = 1.0 by default, lbfgs).
- Points: optbinning's `Scorecard` with `scaling_method="pdo_odds"`: `base_points` at odds
  `base_odds` (good:bad), `pdo` points to double the odds; the intercept is spread evenly over
  the features, so a score is the sum of its bins' points.
- Clean-up, refitting after each step: a feature left with a single bin carries no information
  and is dropped; a feature whose coefficient points against its weight of evidence (more risk,
  more points: a sign of collinearity with other features) is dropped, the worst first, so that
  every feature's points fall as its risk rises. Each drop is recorded with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from optbinning import BinningProcess  # type: ignore[import-untyped]
from optbinning import Scorecard as OptbScorecard
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from creditmend.adapters.training.settings import MAX_ITER, BinningSettings
from creditmend.adapters.training.table import Exclusion
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.scoring.scorecard import Scaling


@dataclass(frozen=True, slots=True)
class Fitted:
    model: Any  # optbinning.Scorecard, fitted
    features: tuple[str, ...]
    dropped: tuple[Exclusion, ...]
    coefficients: dict[str, float]
    intercept: float


def _fit_once(
    frame: pd.DataFrame,
    y: npt.NDArray[np.int8],
    names: Sequence[str],
    kinds: Mapping[str, str],
    settings: BinningSettings,
    scaling: Scaling,
) -> Any:
    numeric = [name for name in names if kinds[name] == "numeric"]
    process = BinningProcess(
        variable_names=list(names),
        categorical_variables=[name for name in names if kinds[name] == "categorical"] or None,
        max_n_prebins=settings.max_n_prebins,
        min_prebin_size=settings.min_prebin_size,
        min_bin_size=settings.min_bin_size,
        max_n_bins=settings.max_n_bins,
        binning_fit_params={name: {"monotonic_trend": settings.trend_of(name)} for name in numeric}
        or None,
    )
    model = OptbScorecard(
        binning_process=process,
        estimator=LogisticRegression(C=settings.regularisation, max_iter=MAX_ITER),
        scaling_method="pdo_odds",
        scaling_method_params={
            "pdo": scaling.pdo,
            "odds": float(scaling.base_odds),
            "scorecard_points": scaling.base_points,
        },
    )
    model.fit(frame[list(names)], y, metric_special="empirical", metric_missing="empirical")
    return model


def bins_of(model: Any, name: str) -> int:
    splits = model.binning_process_.get_binned_variable(name).splits
    return len(splits) if isinstance(splits, list) else len(splits) + 1


def fit(
    frame: pd.DataFrame,
    y: npt.NDArray[np.int8],
    kinds: Mapping[str, str],
    settings: BinningSettings,
    scaling: Scaling,
) -> Fitted:
    """Fit, dropping features without information or with a reversed coefficient."""
    names = list(frame.columns)
    dropped: list[Exclusion] = []
    while True:
        model = _fit_once(frame, y, names, kinds, settings, scaling)
        flat = [name for name in names if bins_of(model, name) < 2]
        if flat and len(flat) < len(names):
            dropped += [Exclusion(name, "one bin only: no information") for name in flat]
            names = [name for name in names if name not in flat]
            continue
        coefficients = dict(zip(names, model.estimator_.coef_.ravel().tolist(), strict=True))
        # optbinning's WoE rises as risk falls, so a bad-event model's coefficients are negative.
        reversed_ = {name: c for name, c in coefficients.items() if c > 0}
        if reversed_ and len(names) > 1:
            worst = max(reversed_, key=lambda name: (reversed_[name], name))
            dropped.append(
                Exclusion(
                    worst,
                    f"coefficient {reversed_[worst]:+.3f} against its weight of evidence "
                    "(collinear with other features): more risk would earn more points",
                )
            )
            names.remove(worst)
            continue
        break
    if flat or reversed_:
        raise ProblemsError(
            (Problem("training.features", "no feature separates bad from good rows in this data"),)
        )
    return Fitted(
        model=model,
        features=tuple(names),
        dropped=tuple(dropped),
        coefficients=coefficients,
        intercept=float(np.ravel(model.estimator_.intercept_)[0]),
    )
