"""How good and how fair a scorecard is, measured on a stratified hold-out split.

- The scorecard's scores are the domain's (`creditmend.domain.scoring.scorecard.score` on each
  row's cells as written): the very numbers `score apply` gives, rounded and clipped.
- AUC (bad rows ranked riskier than good ones), Gini = 2 AUC - 1, KS = the largest gap between
  the cumulative shares of bad and good rows over the score.
- PSI between the training and the hold-out scores over ten buckets cut at the deciles of the
  training scores: sum of (hold-out share - training share) x ln(hold-out / training share), a
  share of 0 counted as 0.0001. Below 0.1 is stable, 0.1..0.25 a shift worth a look, above 0.25 a
  shift.
- Bands: hold-out rows and bad rate per band; a better band with a higher bad rate than a worse
  one is a problem ("not monotone in risk across bands").
- Baselines on the same split and the same candidate features:
  - logistic regression on the raw features: numeric columns imputed with the training median
    plus a missing-value indicator, then standardised; categorical ones imputed as "missing" and
    one-hot encoded (unseen categories ignored); `LogisticRegression(max_iter=1000)`;
  - LightGBM (`LIGHTGBM`): 5,000 rounds at most, stopped early after 100 rounds without a better
    AUC on a stratified 20 % of the training part, then refitted on the whole training part with
    the rounds found; seeded, `deterministic=True`, `force_row_wise=True`, two threads.
- Fairness, per protected column, on the hold-out: the approval rate at the cut-off (the lowest
  score of the approving band) of each group, and the ratio of the lowest group's rate to the
  highest's; below 0.8 fails the four-fifths rule. A numeric column with more than 10 values is
  grouped at its quintiles. Groups smaller than 1 % of the rows (at least 30) are shown but not
  counted in the ratio: their rates are noise.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import roc_auc_score, roc_curve  # type: ignore[import-untyped]

from creditmend.adapters.training.table import Floats, Objects, Table
from creditmend.domain.scoring.scorecard import Scorecard, score

Ints = npt.NDArray[np.int64]
PSI_BUCKETS = 10
PSI_FLOOR = 0.0001
PSI_SHIFT = 0.1
FOUR_FIFTHS = 0.8
GROUPED_AT = 10  # a numeric protected column with more distinct values is grouped
SMALL_GROUP = (0.01, 30)
LIGHTGBM: dict[str, Any] = {
    "n_estimators": 5000,
    "learning_rate": 0.03,
    "num_leaves": 31,
    "min_child_samples": 50,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbose": -1,
}
EARLY_STOPPING_ROUNDS = 100
VALIDATION_SHARE = 0.2


def rounded(value: float, places: int = 4) -> float | None:
    return None if math.isnan(value) else round(float(value), places)


def domain_scores(card: Scorecard, table: Table, rows: Sequence[int] | Ints) -> Ints:
    names = [f.name for f in card.features]
    columns = [table.raw[name] for name in names]
    return np.fromiter(
        (score(card, {n: c[i] for n, c in zip(names, columns, strict=True)}).score for i in rows),
        dtype=np.int64,
        count=len(rows),
    )


def metrics(y: npt.NDArray[np.int8], risk: npt.NDArray[Any]) -> dict[str, Any]:
    """AUC, Gini and KS of `risk` (higher = riskier) against `y` (1 = bad)."""
    auc = float(roc_auc_score(y, risk))
    fpr, tpr, _ = roc_curve(y, risk)
    return {
        "rows": len(y),
        "bads": int(y.sum()),
        "bad_rate": rounded(float(y.mean())),
        "auc": rounded(auc),
        "gini": rounded(2 * auc - 1),
        "ks": rounded(float(np.max(tpr - fpr))),
    }


def psi(expected: Ints, actual: Ints) -> float:
    edges = np.unique(np.quantile(expected, np.linspace(0, 1, PSI_BUCKETS + 1)[1:-1]))
    buckets = len(edges) + 1
    share_expected = np.bincount(np.searchsorted(edges, expected, side="right"), minlength=buckets)
    share_actual = np.bincount(np.searchsorted(edges, actual, side="right"), minlength=buckets)
    e = np.maximum(share_expected / len(expected), PSI_FLOOR)
    a = np.maximum(share_actual / len(actual), PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def band_table(
    card: Scorecard, y: npt.NDArray[np.int8], scores: Ints
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows and bad rate per band (best band first), and the problems they show."""
    names = np.array([card.band_of(int(s)) for s in scores], dtype=object)
    rows: list[dict[str, Any]] = []
    for band in card.bands:
        mask = names == band.name
        count = int(mask.sum())
        bads = int(y[mask].sum())
        rows.append(
            {
                "band": band.name,
                "min_score": band.min_score,
                "count": count,
                "share": rounded(count / len(y)),
                "bads": bads,
                "bad_rate": rounded(bads / count) if count else None,
            }
        )
    problems = []
    filled = [r for r in rows if r["count"]]
    for better, worse in itertools.pairwise(filled):
        if better["bad_rate"] > worse["bad_rate"]:
            problems.append(
                f"not monotone in risk across bands: band {better['band']} has a bad rate of "
                f"{better['bad_rate']:.2%}, the worse band {worse['band']} {worse['bad_rate']:.2%}"
            )
    empty = [r["band"] for r in rows if not r["count"]]
    if empty:
        problems.append(f"band(s) {', '.join(empty)} hold no hold-out row")
    return rows, problems


def _frame(table: Table, names: Sequence[str], rows: Ints) -> pd.DataFrame:
    return pd.DataFrame({name: table.values[name][rows] for name in names})


def logistic_baseline(
    table: Table, train: Ints, test: Ints, seed: int
) -> tuple[dict[str, Any], npt.NDArray[np.float64]]:
    from sklearn.compose import ColumnTransformer  # type: ignore[import-untyped]  # noqa: PLC0415
    from sklearn.impute import SimpleImputer  # type: ignore[import-untyped]  # noqa: PLC0415
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]  # noqa: PLC0415
    from sklearn.pipeline import Pipeline, make_pipeline  # type: ignore[import-untyped]  # noqa: PLC0415
    from sklearn.preprocessing import (  # type: ignore[import-untyped]  # noqa: PLC0415
        OneHotEncoder,
        StandardScaler,
    )

    names = list(table.features)
    numeric = [n for n in names if table.kinds[n] == "numeric"]
    categorical = [n for n in names if table.kinds[n] == "categorical"]
    parts = []
    if numeric:
        parts.append(
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
                ),
                numeric,
            )
        )
    if categorical:
        parts.append(
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categorical,
            )
        )
    model = Pipeline(
        [
            ("prepare", ColumnTransformer(parts)),
            ("model", LogisticRegression(max_iter=1000, random_state=seed)),
        ]
    )
    model.fit(_frame(table, names, train), table.y[train])
    risk = np.asarray(model.predict_proba(_frame(table, names, test)), dtype=np.float64)[:, 1]
    return {
        "name": "logistic regression on the raw features",
        **metrics(table.y[test], risk),
    }, risk


def lightgbm_baseline(
    frame_train: pd.DataFrame, y_train: npt.NDArray[Any], frame_test: pd.DataFrame, seed: int
) -> tuple[npt.NDArray[np.float64], int]:
    """LightGBM's probability of bad on `frame_test`, and the rounds it used."""
    import lightgbm  # noqa: PLC0415
    from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]  # noqa: PLC0415

    fit_part, stop_part = train_test_split(
        np.arange(len(y_train)), test_size=VALIDATION_SHARE, stratify=y_train, random_state=seed
    )
    finder = lightgbm.LGBMClassifier(**LIGHTGBM, random_state=seed)
    finder.fit(
        frame_train.iloc[fit_part],
        y_train[fit_part],
        eval_X=(frame_train.iloc[stop_part],),
        eval_y=(y_train[stop_part],),
        eval_metric="auc",
        callbacks=[lightgbm.early_stopping(EARLY_STOPPING_ROUNDS, verbose=False)],
    )
    rounds = max(int(finder.best_iteration_ or LIGHTGBM["n_estimators"]), 1)
    model = lightgbm.LGBMClassifier(**{**LIGHTGBM, "n_estimators": rounds}, random_state=seed)
    model.fit(frame_train, y_train)
    probabilities = np.asarray(model.predict_proba(frame_test), dtype=np.float64)
    return probabilities[:, 1], rounds


def lightgbm_frame(table: Table, names: Sequence[str], rows: Ints) -> pd.DataFrame:
    frame = _frame(table, names, rows)
    for name in names:
        if table.kinds.get(name) == "categorical":
            categories = sorted({v for v in table.values[name] if v is not None})
            frame[name] = pd.Categorical(frame[name], categories=categories)
    return frame


def lightgbm_metrics(table: Table, train: Ints, test: Ints, seed: int) -> dict[str, Any]:
    names = list(table.features)
    risk, rounds = lightgbm_baseline(
        lightgbm_frame(table, names, train),
        table.y[train],
        lightgbm_frame(table, names, test),
        seed,
    )
    return {"name": "LightGBM", "rounds": rounds, **metrics(table.y[test], risk)}


def _groups(values: Floats | Objects) -> tuple[list[str], list[Any]]:
    """Group labels, and each row's label (None: value missing)."""
    if values.dtype == np.float64:
        present = values[~np.isnan(values.astype(np.float64))]
        distinct = np.unique(present)
        if len(distinct) > GROUPED_AT:
            edges = np.unique(np.quantile(present, [0.2, 0.4, 0.6, 0.8]))
            bounds = [None, *edges.tolist(), None]

            def shown(x: float | None, end: str) -> str:
                return end if x is None else f"{x:g}"

            labels = [
                f"[{shown(bounds[i], '-inf')}, {shown(bounds[i + 1], 'inf')})"
                for i in range(len(bounds) - 1)
            ]
            which = np.searchsorted(edges, values, side="right")
            return labels, [
                None if math.isnan(v) else labels[w] for v, w in zip(values, which, strict=True)
            ]
        labels = [f"{x:g}" for x in distinct]
        return labels, [None if math.isnan(v) else f"{v:g}" for v in values]
    labels = sorted({v for v in values if v is not None})
    return labels, list(values)


def fairness(
    protected: Mapping[str, Floats | Objects],
    y: npt.NDArray[np.int8],
    scores: Ints,
    cutoff: int,
) -> tuple[list[dict[str, Any]], list[str]]:
    approved = scores >= cutoff
    smallest = max(SMALL_GROUP[1], math.ceil(SMALL_GROUP[0] * len(scores)))
    checks: list[dict[str, Any]] = []
    problems: list[str] = []
    for column, values in protected.items():
        labels, of_row = _groups(values)
        row_labels = np.array(["" if v is None else v for v in of_row], dtype=object)
        groups: list[dict[str, Any]] = []
        if any(v is None for v in of_row):
            labels = [*labels, ""]
        for label in labels:
            mask = row_labels == label
            count = int(mask.sum())
            if not count:
                continue
            groups.append(
                {
                    "group": label or "(missing)",
                    "count": count,
                    "approved": int(approved[mask].sum()),
                    "approval_rate": rounded(float(approved[mask].mean())),
                    "bad_rate": rounded(float(y[mask].mean())),
                    "counted": count >= smallest,
                }
            )
        counted = [g for g in groups if g["counted"]]
        rates = [g["approval_rate"] for g in counted]
        ratio = min(rates) / max(rates) if rates and max(rates) > 0 else None
        passes = ratio is not None and ratio >= FOUR_FIFTHS
        checks.append(
            {
                "column": column,
                "groups": groups,
                "ratio": None if ratio is None else rounded(ratio),
                "passes": passes,
            }
        )
        if ratio is None:
            problems.append(f"fairness: no {column} group is approved at the cut-off {cutoff}")
        elif not passes:
            low = min(counted, key=lambda g: g["approval_rate"])
            high = max(counted, key=lambda g: g["approval_rate"])
            problems.append(
                f"fairness: {column} fails the four-fifths rule: approval "
                f"{low['approval_rate']:.1%} for {low['group']} against "
                f"{high['approval_rate']:.1%} for {high['group']} "
                f"(ratio {ratio:.2f})"
            )
    return checks, problems
