"""Training a points scorecard from a CSV file: `train(TrainingOptions(...))`.

The steps (each in `creditmend.adapters.training`):

1. `table.read_table`: read and check the file, choose the features, keep the protected columns
   apart (never features; used for the fairness check).
2. `holdout_split`: a stratified hold-out split (`test_size`, `seed`), rows kept in file order.
3. `fit.fit` on the training part: optbinning's binning process and scorecard (pdo/odds scaling
   from the domain's `Scaling`), features without information or with a reversed coefficient
   dropped. With `model="ebm"`: `ebm_fit.fit_ebm`, an Explainable Boosting Machine.
4. `convert.features`: the domain's `Feature`s, bins with their points (`ebm_export.export` for
   an EBM: its main effects as bins, its pairs as 2-D tables, on the same scaling).
5. `evaluate`: the domain's scores of every row, AUC / Gini / KS on both parts, PSI, the band
   table, the two baselines, the fairness check; problems collected as plain sentences.
6. The `Scorecard` with all of it in its metadata: data set name and sha256, `trained_on`, seed,
   split, features, exclusions, binning settings, coefficients, metrics, bands, fairness,
   problems and library versions. With the same file, options, seed and date (and the same
   library versions) `scorecard_text` of the result is byte for byte the same.

Default bands (`DEFAULT_BANDS`): A from 700, B from 650, C from 600, D from 550, E below; the
fairness check approves the band `approve_band` (C) and better.
"""

from __future__ import annotations

import itertools
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata as package_metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from creditmend.adapters.training.settings import (
    MODELS,
    BinningSettings,
    EbmSettings,
    check_binning,
    check_ebm,
    check_trends,
)
from creditmend.adapters.training.table import Table, read_table
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.scoring.scorecard import Band, Scaling, Scorecard

if TYPE_CHECKING:
    from creditmend.adapters.training.ebm_fit import EbmFitted
    from creditmend.adapters.training.fit import Fitted

DEFAULT_BANDS = (Band("A", 700), Band("B", 650), Band("C", 600), Band("D", 550), Band("E", 300))
DEFAULT_APPROVE_BAND = "C"
DEFAULT_TEST_SIZE = 0.3
DEFAULT_SEED = 42
OVERFIT_GAP = 0.05  # training AUC above hold-out AUC by more than this is reported
CLIPPED_SHARE = 0.01
MAX_SEED = 2**32 - 1  # NumPy's largest seed
LIBRARIES = ("creditmend", "optbinning", "scikit-learn", "lightgbm", "numpy", "pandas", "ortools")
Ints = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True, slots=True)
class TrainingOptions:
    data: Path
    target: str
    bad: str
    trained_on: date
    features: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    protected: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    test_size: float = DEFAULT_TEST_SIZE
    seed: int = DEFAULT_SEED
    scaling: Scaling = field(default_factory=Scaling)
    bands: tuple[Band, ...] = DEFAULT_BANDS
    approve_band: str = DEFAULT_APPROVE_BAND
    binning: BinningSettings = field(default_factory=BinningSettings)
    baselines: bool = True  # False skips the two baselines (quicker; tests)
    model: str = "scorecard"  # or "ebm": glass-box boosting, exported to the same points tables
    ebm: EbmSettings = field(default_factory=EbmSettings)


@dataclass(frozen=True, slots=True)
class TrainingResult:
    card: Scorecard
    fitted: Fitted | EbmFitted
    table: Table
    train_rows: Ints
    test_rows: Ints
    train_scores: Ints
    test_scores: Ints


def check_bands(bands: tuple[Band, ...], approve_band: str, scaling: Scaling) -> None:
    problems = []
    names = [b.name for b in bands]
    if len(bands) < 2:
        problems.append(Problem("training.bands", "give at least two bands"))
    if len(set(names)) != len(names):
        problems.append(Problem("training.bands", "a band name appears twice"))
    if any(a.min_score <= b.min_score for a, b in itertools.pairwise(bands)):
        problems.append(
            Problem("training.bands", "bands go from the best down: each lower than the one before")
        )
    if approve_band not in names:
        problems.append(
            Problem("training.approve_band", f"{approve_band!r} is not one of {', '.join(names)}")
        )
    if not scaling.min_score < scaling.max_score:
        problems.append(Problem("training.min_score", "must be below --max-score"))
    if scaling.pdo <= 0 or scaling.base_odds <= 0:
        problems.append(
            Problem("training.pdo", "points to double the odds and base odds must be positive")
        )
    if problems:
        raise ProblemsError(tuple(problems[:1]))


def check_seed(seed: int) -> None:
    if not 0 <= seed <= MAX_SEED:
        raise ProblemsError((Problem("training.seed", f"{seed} is not between 0 and {MAX_SEED}"),))


def holdout_split(y: np.ndarray[Any, Any], test_size: float, seed: int) -> tuple[Ints, Ints]:
    """Stratified (training, hold-out) row numbers, each in file order."""
    if not 0 < test_size < 1:
        raise ProblemsError((Problem("training.test_size", f"{test_size} is not between 0 and 1"),))
    from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]  # noqa: PLC0415

    try:
        train, test = train_test_split(
            np.arange(len(y)), test_size=test_size, stratify=y, random_state=seed
        )
    except ValueError as error:
        raise ProblemsError((Problem("training.test_size", str(error).splitlines()[0]),)) from None
    return np.sort(train).astype(np.int64), np.sort(test).astype(np.int64)


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def _sorted(mapping: Mapping[str, float], places: int = 6) -> dict[str, float]:
    return {name: round(value, places) for name, value in sorted(mapping.items())}


def train(options: TrainingOptions) -> TrainingResult:
    """Train, evaluate and describe a scorecard; bad input raises ProblemsError, and so does a
    ValueError of the training libraries (as a `--data` problem, its first line)."""
    if options.model not in MODELS:
        raise ProblemsError(
            (Problem("training.model", f"{options.model!r} is not one of {', '.join(MODELS)}"),)
        )
    check_binning(options.binning)
    check_ebm(options.ebm)
    check_seed(options.seed)
    table = read_table(
        options.data,
        options.target,
        options.bad,
        options.features,
        options.exclude,
        options.protected,
        options.categorical,
    )
    check_bands(options.bands, options.approve_band, options.scaling)
    check_trends(options.binning, table.features)
    train_rows, test_rows = holdout_split(table.y, options.test_size, options.seed)
    try:
        return _trained(options, table, train_rows, test_rows)
    except ProblemsError:
        raise
    except ValueError as error:  # the training libraries' last word on data they cannot use
        message = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ProblemsError((Problem("training.data", f"{table.name}: {message}"),)) from None


def _trained(
    options: TrainingOptions, table: Table, train_rows: Ints, test_rows: Ints
) -> TrainingResult:
    import pandas as pd  # noqa: PLC0415

    from creditmend.adapters.training import convert, evaluate  # noqa: PLC0415
    from creditmend.adapters.training.fit import fit  # noqa: PLC0415

    frame = pd.DataFrame({name: table.values[name][train_rows] for name in table.features})
    training = {name: table.values[name][train_rows] for name in table.features}
    fitted: Fitted | EbmFitted
    if options.model == "ebm":
        from creditmend.adapters.training.ebm_export import export  # noqa: PLC0415
        from creditmend.adapters.training.ebm_fit import fit_ebm  # noqa: PLC0415

        fitted = fit_ebm(frame, table.y[train_rows], table.kinds, options.ebm, options.seed)
        features, interactions = export(
            fitted, options.scaling, table.kinds, training, table.y[train_rows]
        )
        settings = options.ebm.as_json()
        model: dict[str, Any] = {
            "kind": "ebm",
            "intercept": round(float(fitted.model.intercept_[0]), 6),
            "terms": [str(t) for t in fitted.model.term_names_],
            "monotone": dict(sorted(fitted.monotone.items())),
        }
        library = {"interpret-core": package_metadata.version("interpret-core")}
    else:
        fitted = fit(frame, table.y[train_rows], table.kinds, options.binning, options.scaling)
        features = convert.features(fitted.model, fitted.features, table.kinds, training)
        interactions = ()
        settings = options.binning.as_json()
        model = {
            "coefficients": _sorted(fitted.coefficients),
            "intercept": round(fitted.intercept, 6),
        }
        library = {}
    bare = Scorecard(features, options.scaling, options.bands, interactions=interactions)
    train_scores = evaluate.domain_scores(bare, table, train_rows)
    test_scores = evaluate.domain_scores(bare, table, test_rows)
    y_train, y_test = table.y[train_rows], table.y[test_rows]

    problems = list(table.problems)
    train_metrics = evaluate.metrics(y_train, -train_scores)
    test_metrics = evaluate.metrics(y_test, -test_scores)
    if train_metrics["auc"] - test_metrics["auc"] > OVERFIT_GAP:
        problems.append(
            f"overfit: training AUC {train_metrics['auc']:.3f}, hold-out {test_metrics['auc']:.3f}"
        )
    stability = evaluate.psi(train_scores, test_scores)
    if stability > evaluate.PSI_SHIFT:
        problems.append(f"training and hold-out scores differ: PSI {stability:.3f}")
    s = options.scaling
    clipped = float(np.mean((test_scores <= s.min_score) | (test_scores >= s.max_score)))
    if clipped > CLIPPED_SHARE:
        problems.append(
            f"{clipped:.1%} of hold-out scores are clipped to {s.min_score}..{s.max_score}"
        )
    bands, band_problems = evaluate.band_table(bare, y_test, test_scores)
    problems += band_problems
    cutoff = next(b.min_score for b in options.bands if b.name == options.approve_band)
    checks, fairness_problems = evaluate.fairness(
        {name: values[test_rows] for name, values in table.protected.items()},
        y_test,
        test_scores,
        cutoff,
    )
    problems += fairness_problems
    baselines: dict[str, Any] = {}
    if options.baselines:
        baselines["logistic_regression"], _ = evaluate.logistic_baseline(
            table, train_rows, test_rows, options.seed
        )
        baselines["lightgbm"] = evaluate.lightgbm_metrics(
            table, train_rows, test_rows, options.seed
        )

    described: dict[str, Any] = {
        "data": {
            "name": table.name,
            "sha256": table.sha256,
            "rows": table.rows,
            "rows_used": len(table.y),
            "target": table.target,
            "bad": table.bad,
            "bad_rate": evaluate.rounded(float(table.y.mean())),
        },
        "trained_on": options.trained_on.isoformat(),
        "seed": options.seed,
        "split": {
            "method": "stratified hold-out",
            "test_size": options.test_size,
            "train_rows": len(train_rows),
            "holdout_rows": len(test_rows),
        },
        "features": list(fitted.features),
        "candidates": list(table.features),
        "exclusions": [
            {"column": e.column, "reason": e.reason} for e in (*table.exclusions, *fitted.dropped)
        ],
        "protected": list(options.protected),
        "binning": settings,
        "model": model,
        "metrics": {
            "train": train_metrics,
            "holdout": test_metrics,
            "psi": round(stability, 4),
            "baselines": baselines,
        },
        "bands": bands,
        "fairness": {
            "approve_band": options.approve_band,
            "cutoff": cutoff,
            "rule": "four-fifths: lowest group approval rate / highest >= 0.8, on the hold-out",
            "checks": checks,
        },
        "problems": problems,
        "versions": {**versions(), **library},
    }
    return TrainingResult(
        card=Scorecard(
            features, options.scaling, options.bands, described, interactions=interactions
        ),
        fitted=fitted,
        table=table,
        train_rows=train_rows,
        test_rows=test_rows,
        train_scores=train_scores,
        test_scores=test_scores,
    )
