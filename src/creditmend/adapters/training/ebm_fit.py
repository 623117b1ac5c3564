"""Fitting an Explainable Boosting Machine (InterpretML's `ExplainableBoostingClassifier`).

- Features as the training table holds them: numeric columns `continuous` (NaN: missing),
  categorical ones `nominal` (None: missing); missing values get EBM's separate bin.
- Monotone where the feature's meaning says so: a feature the bureau knows
  (`domain/scoring/features.py`) whose `risk` rises gets +1 (its term's log-odds of bad never
  falls as the value rises), one whose risk falls -1, any other none. interpret keeps a
  constrained feature out of every pair, so the whole score is monotone in it; `monotonize`
  (isotonic regression) afterwards makes each constrained term monotone to the last digit, which
  the bagged average of monotone fits already is, so it changes nothing in practice.
- Seeded (`random_state`), so the same rows, settings and seed give the same model.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from interpret.glassbox import ExplainableBoostingClassifier  # type: ignore[import-untyped]

from creditmend.adapters.training.settings import EbmSettings
from creditmend.adapters.training.table import Exclusion
from creditmend.domain.scoring.features import FALLS, RISES, RISK_OF

DIRECTIONS = {RISES: 1, FALLS: -1}


@dataclass(frozen=True, slots=True)
class EbmFitted:
    model: Any  # ExplainableBoostingClassifier, fitted
    features: tuple[str, ...]
    monotone: dict[str, str]  # feature -> "rises" | "falls"
    dropped: tuple[Exclusion, ...] = ()


def direction(name: str) -> str | None:
    """`rises` or `falls` when the feature's meaning says how risk moves with it."""
    risk = RISK_OF.get(name)
    return risk if risk in DIRECTIONS else None


def fit_ebm(
    frame: pd.DataFrame,
    y: npt.NDArray[np.int8],
    kinds: Mapping[str, str],
    settings: EbmSettings,
    seed: int,
) -> EbmFitted:
    names = list(frame.columns)
    monotone = {
        name: risk
        for name in names
        if kinds[name] == "numeric" and (risk := direction(name)) is not None
    }
    model = ExplainableBoostingClassifier(
        feature_names=names,
        feature_types=["continuous" if kinds[n] == "numeric" else "nominal" for n in names],
        max_bins=settings.max_bins,
        max_interaction_bins=settings.max_interaction_bins,
        interactions=settings.interactions,
        validation_size=settings.validation_size,
        outer_bags=settings.outer_bags,
        learning_rate=settings.learning_rate,
        monotone_constraints=[DIRECTIONS.get(monotone.get(n, ""), 0) for n in names]
        if monotone
        else None,
        n_jobs=settings.n_jobs,
        random_state=seed,
    )
    with warnings.catch_warnings():
        # "Missing values detected. Our visualizations do not currently display missing
        # values": the export shows the missing bin, so the warning is not the user's.
        warnings.filterwarnings("ignore", message="Missing values detected")
        model.fit(frame, y)
    for name, risk in monotone.items():
        model.monotonize(name, increasing=risk == "rises")
    return EbmFitted(model=model, features=tuple(names), monotone=monotone)
