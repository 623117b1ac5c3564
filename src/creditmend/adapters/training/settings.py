"""Binning and estimator settings, and their checks: light, so that options are checked before
the training stack loads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.scoring.features import FALLS, RISES, RISK_OF

TRENDS = (
    "auto",
    "auto_heuristic",
    "auto_asc_desc",
    "ascending",
    "descending",
    "concave",
    "convex",
    "peak",
    "valley",
    "peak_heuristic",
    "valley_heuristic",
)
# optbinning's trend of event rate for each feature whose meaning fixes its direction.
MEANING_TRENDS: Mapping[str, str] = {
    name: {RISES: "ascending", FALLS: "descending"}[risk]
    for name, risk in RISK_OF.items()
    if risk in (RISES, FALLS)
}
MAX_ITER = 1000  # LogisticRegression
MAX_SHARE = 0.5  # optbinning's largest min_prebin_size and min_bin_size


@dataclass(frozen=True, slots=True)
class BinningSettings:
    """optbinning's parameters (their meaning is optbinning's). The defaults are the settings
    the score benchmark found on Give Me Some Credit (issue 16, chosen on the split of seed 42,
    not the reported one): 50 prebins of at least 2 % (optbinning's own are 20 of 5 %, too
    coarse for a count that is non-zero in 3 % of rows) and `auto_heuristic` (a peak or a
    valley where the data show one, else monotone); a feature whose meaning fixes its
    direction takes it per feature (`trends`, else `MEANING_TRENDS`)."""

    monotonic_trend: str = "auto_heuristic"
    trends: Mapping[str, str] = field(default_factory=dict)  # per feature
    max_n_prebins: int = 50
    min_prebin_size: float = 0.02
    min_bin_size: float | None = None
    max_n_bins: int | None = None
    regularisation: float = 1.0  # LogisticRegression's C

    def trend_of(self, name: str) -> str:
        """A trend asked for the feature; else the one its meaning fixes (a bureau feature:
        more late months are riskier, an older account safer); else the global one."""
        return self.trends.get(name) or MEANING_TRENDS.get(name) or self.monotonic_trend

    def as_json(self) -> dict[str, Any]:
        return {
            "monotonic_trend": self.monotonic_trend,
            "trends": dict(sorted(self.trends.items())),
            "max_n_prebins": self.max_n_prebins,
            "min_prebin_size": self.min_prebin_size,
            "min_bin_size": self.min_bin_size,
            "max_n_bins": self.max_n_bins,
            "missing": "own bin, empirical weight of evidence",
            "estimator": f"LogisticRegression(C={self.regularisation}, lbfgs, L2)",
        }


def check_trends(settings: BinningSettings, features: Sequence[str]) -> None:
    for name, trend in [("", settings.monotonic_trend), *settings.trends.items()]:
        if trend not in TRENDS:
            option = "training.trend" if not name else "training.feature_trends"
            raise ProblemsError(
                (Problem(option, f"unknown trend {trend!r}; one of {', '.join(TRENDS)}"),)
            )
        if name and name not in features:
            raise ProblemsError((Problem("training.feature_trends", f"{name!r} is not a feature"),))


def check_binning(settings: BinningSettings) -> None:
    """The ranges optbinning accepts (`optbinning.binning.binning._check_parameters`), said as
    the option's problem before any work."""
    problem = None
    if settings.max_n_prebins <= 1:
        problem = Problem("training.max_n_prebins", f"{settings.max_n_prebins} is not above 1")
    elif not 0 < settings.min_prebin_size <= MAX_SHARE:
        problem = Problem(
            "training.min_prebin_size",
            f"{settings.min_prebin_size} is not in (0, {MAX_SHARE}]: a share of the rows",
        )
    elif settings.min_bin_size is not None and not 0 < settings.min_bin_size <= MAX_SHARE:
        problem = Problem(
            "training.min_bin_size",
            f"{settings.min_bin_size} is not in (0, {MAX_SHARE}]: a share of the rows",
        )
    if problem is not None:
        raise ProblemsError((problem,))


MODELS = ("scorecard", "ebm")


@dataclass(frozen=True, slots=True)
class EbmSettings:
    """InterpretML's ExplainableBoostingClassifier parameters (their meaning is interpret's).

    Defaults chosen on Give Me Some Credit on a split other than the benchmark's reported one
    (`benchmarks/score_ebm.py`): a few pairs, coarse enough bins for a readable file, a fit of
    a few minutes on two cores."""

    interactions: int = 10  # pairwise terms allowed (never with a monotone feature)
    max_bins: int = 256  # main effects
    max_interaction_bins: int = 32  # each axis of a pair table
    learning_rate: float = 0.015
    outer_bags: int = 8
    validation_size: float = 0.15  # of the training part, for early stopping
    n_jobs: int = 2

    def as_json(self) -> dict[str, Any]:
        return {
            "estimator": "interpret ExplainableBoostingClassifier",
            "interactions": self.interactions,
            "max_bins": self.max_bins,
            "max_interaction_bins": self.max_interaction_bins,
            "learning_rate": self.learning_rate,
            "outer_bags": self.outer_bags,
            "validation_size": self.validation_size,
            "missing": "own bin (EBM's index 0); unseen values: the other bin (its last index)",
            "monotone": "features whose meaning says so (FeatureSpec.risk), never in a pair",
        }


def check_ebm(settings: EbmSettings) -> None:
    """The ranges interpret accepts, said as the option's problem before any work."""
    problem = None
    if settings.interactions < 0:
        problem = Problem("training.interactions", f"{settings.interactions} is negative")
    elif settings.max_bins < 3:
        problem = Problem("training.max_bins", f"{settings.max_bins} is below 3")
    elif settings.max_interaction_bins < 3:
        problem = Problem(
            "training.max_interaction_bins", f"{settings.max_interaction_bins} is below 3"
        )
    elif not 0 < settings.learning_rate <= 1:
        problem = Problem("training.learning_rate", f"{settings.learning_rate} is not in (0, 1]")
    elif settings.outer_bags < 1:
        problem = Problem("training.outer_bags", f"{settings.outer_bags} is below 1")
    elif not 0 < settings.validation_size < 1:
        problem = Problem(
            "training.validation_size", f"{settings.validation_size} is not between 0 and 1"
        )
    if problem is not None:
        raise ProblemsError((problem,))
