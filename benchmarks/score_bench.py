"""Benchmark: how well the scorecard pipeline ranks risk, next to LightGBM on the same split.

(a) Give Me Some Credit (`$CREDITMEND_DATA_DIR/cs-training.csv.gz`, 150,000 rows, target
    `SeriousDlqin2yrs`): the training pipeline (`creditmend.adapters.scorecard_training.train`,
    what `creditmend score train` runs) on one stratified 70/30 split, the hold-out AUC of the
    scorecard next to LightGBM's and the plain logistic regression's on the same split and the
    same ten columns. Goal (issue 5): scorecard hold-out AUC >= 0.86 and within 0.01 of
    LightGBM. Anchor: the competition's best private leaderboard AUC was about 0.870 (on its own
    test set, with ensembles; not this split).
    Rows: `defaults` (`score train` with no tuning option: 50 prebins of 2 %, every trend
    `auto_heuristic`; issue 16 made the settings found here the defaults), `tuned`
    (finer prebins for 105,000 training rows; peak or valley shapes allowed where GMSC's risk is
    known not to be monotone: DebtRatio holds a debt amount, not a ratio, when the income is
    missing; no credit line and many credit lines are both risky; likewise real-estate loans,
    income and dependents) and, as an experiment outside the pipeline, `tuned + derived` (five
    columns a modeller would add: the three past-due counts summed, monthly debt = DebtRatio x
    income, income per household member, DebtRatio split by whether the income is known).
    The split's seed (20260110) is not the one the settings were tried on (42).
(b) The shipped model (`creditmend.models.default_scorecard`) on the Taiwan hold-out: the same
    split its training used (seed and test size from its metadata), AUC and KS of the domain's
    scores next to LightGBM on all 23 columns of the data (protected ones included: a ceiling,
    not a candidate) and the baselines recorded in the model. The model's own scores need its
    features from the Taiwan mapping (`domain/scoring/sources.py`); a model with features the
    mapping does not carry (the one `make model` ships since issue 16, trained on the history
    source) is reported as not scored and without its recorded baselines (they are on its own
    source: `score report` shows them); LightGBM on all 23 columns still runs on the model's
    seed and test size.
(c) The training sources (issue 16): each source's features (`creditmend score features
    --source history | gmsc | taiwan`) trained with `score train`'s defaults plus each source's
    `SOURCE_SETTINGS`, and the EBM (`--model ebm`, its defaults), each one's hold-out AUC next
    to LightGBM's on the same features and split. Goals: within 0.01 of LightGBM on each source
    (met by a glass-box model the bureau can ship: the scorecard or the EBM, `gap_met_by`); at
    least 0.85 on the GMSC mapping.
(d) The glass-box boosting model (`score train --model ebm`, `benchmarks/score_ebm.py`) on the
    reported split and the further ones, next to LightGBM (`--no-ebm` skips it).

Run: `.venv/bin/python -m benchmarks.score_bench [--seed S] [--no-derived] [--no-ebm]`.
Writes `benchmarks/results/score.json`. Exits 0 whether or not the goal is met.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import platform
import subprocess
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks.score_ebm import gmsc_ebm, print_ebm
from creditmend.adapters.scorecard_training import TrainingOptions, holdout_split, train
from creditmend.adapters.training import evaluate
from creditmend.adapters.training.settings import BinningSettings
from creditmend.adapters.training.table import read_table
from creditmend.domain.scoring.scorecard import score
from creditmend.domain.scoring.sources import (
    GMSC_PROTECTED,
    GMSC_TARGET,
    HISTORY_PROTECTED,
    HISTORY_TARGET,
    TAIWAN_FEATURES,
    TAIWAN_PROTECTED,
    TAIWAN_TARGET,
    from_taiwan,
)
from creditmend.models import default_scorecard
from creditmend.services.score import ScoreService

RESULTS = Path(__file__).resolve().parent / "results"
GMSC = "cs-training.csv.gz"
TAIWAN = "default_of_credit_card_clients.csv"
HISTORY = ("credit_record.csv.gz", "application_record.csv.gz")
SOURCES: dict[str, dict[str, Any]] = {
    "history": {"files": HISTORY, "target": HISTORY_TARGET, "protected": HISTORY_PROTECTED},
    "gmsc": {"files": (GMSC,), "target": GMSC_TARGET, "protected": GMSC_PROTECTED},
    "taiwan": {"files": (TAIWAN,), "target": TAIWAN_TARGET, "protected": TAIWAN_PROTECTED},
}
SOURCE_AUC_GOALS = {"gmsc": 0.85}
# What the shipped model leaves out (the Makefile's `model`): the history grids' months without a
# loan are not the bureau's months without a payment (docs/score.md, "The shipped model").
SOURCE_EXCLUDE = {"history": ("months_since_activity",)}
# Per source, chosen on the split of seed 42 (not the reported one): the contract's trends
# (risk rises or falls) where they did not cost AUC, finer prebins for the history's rare counts
# (0.7 % bad, 60+ days late in 0.1 % of account-months: 100 of 0.5 %).
SOURCE_SETTINGS: dict[str, BinningSettings] = {
    "history": BinningSettings(max_n_prebins=100, min_prebin_size=0.005),
    "gmsc": BinningSettings(),
    "taiwan": BinningSettings(),
}
GOAL_AUC = 0.86
GOAL_GAP = 0.01
KAGGLE_BEST = 0.870
DAY = date(2026, 11, 28)
NOT_MONOTONE = (
    "DebtRatio",
    "MonthlyIncome",
    "NumberOfOpenCreditLinesAndLoans",
    "NumberRealEstateLoansOrLines",
    "NumberOfDependents",
)
TUNED = BinningSettings(
    max_n_prebins=50,
    min_prebin_size=0.02,
    trends=dict.fromkeys(NOT_MONOTONE, "auto_heuristic"),
)
LATE = (
    "NumberOfTime30-59DaysPastDueNotWorse",
    "NumberOfTime60-89DaysPastDueNotWorse",
    "NumberOfTimes90DaysLate",
)
DERIVED = ("TotalPastDue", "MonthlyDebt", "IncomePerPerson", "DebtRatioWithIncome", "DebtNoIncome")
_out = Console(highlight=False, soft_wrap=True)


def _commit() -> dict[str, Any]:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "src"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None}
    return {"commit": head, "src_modified": bool(dirty)}


def _number(text: str) -> float | None:
    try:
        return float(text) if text.strip() else None
    except ValueError:
        return None


def derived_csv(source: Path, target: Path) -> Path:
    """GMSC with five derived columns (an experiment: the pipeline takes columns as given)."""
    with gzip.open(source, "rt", newline="") as handle, target.open("w", newline="") as out:
        reader = csv.reader(handle)
        header = next(reader)
        at = {name: i for i, name in enumerate(header)}
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*header, *DERIVED])
        for row in reader:
            late = [_number(row[at[n]]) for n in LATE]
            ratio = _number(row[at["DebtRatio"]])
            income = _number(row[at["MonthlyIncome"]])
            dependents = _number(row[at["NumberOfDependents"]]) or 0.0
            # 96 and 98 in the past-due counts are codes, not counts: the sum is left missing.
            total = (
                sum(x for x in late if x is not None)
                if all(x is not None and x < 90 for x in late)
                else None
            )
            extra = [
                total,
                None if ratio is None or income is None else round(ratio * income, 2),
                None if income is None else round(income / (dependents + 1), 2),
                ratio if income is not None else None,
                ratio if income is None else None,
            ]
            writer.writerow([*row, *("" if x is None else x for x in extra)])
    return target


def _row(name: str, result: Any, seconds: float) -> dict[str, Any]:
    meta = result.card.metadata
    return {
        "name": name,
        "features": meta["features"],
        "dropped": [e for e in meta["exclusions"] if e["reason"].startswith(("coef", "one bin"))],
        "train": meta["metrics"]["train"],
        "holdout": meta["metrics"]["holdout"],
        "psi": meta["metrics"]["psi"],
        "baselines": meta["metrics"]["baselines"],
        "binning": meta["binning"],
        "seconds": round(seconds, 1),
    }


def gmsc(folder: Path, seed: int, derived: bool) -> dict[str, Any]:
    path = folder / GMSC
    runs: list[dict[str, Any]] = []
    configurations: list[tuple[str, Path, BinningSettings, bool]] = [
        ("defaults", path, BinningSettings(), True),
        ("tuned", path, TUNED, False),
    ]
    scratch = tempfile.TemporaryDirectory()
    if derived:
        configurations.append(
            ("tuned + derived", derived_csv(path, Path(scratch.name) / "gmsc_derived.csv"),
             BinningSettings(max_n_prebins=50, min_prebin_size=0.02,
                             trends=dict.fromkeys((*NOT_MONOTONE, *DERIVED[1:]), "auto_heuristic")),
             True)
        )  # fmt: skip
    with scratch:
        for name, data, settings, baselines in configurations:
            _out.print(f"GMSC: training the {name!r} scorecard ...")
            started = time.perf_counter()
            result = train(
                TrainingOptions(
                    data=data, target=GMSC_TARGET, bad="1", trained_on=DAY, seed=seed,
                    binning=settings, baselines=baselines,
                )
            )  # fmt: skip
            runs.append(_row(name, result, time.perf_counter() - started))
    lightgbm = runs[0]["baselines"]["lightgbm"]
    tuned = runs[1]
    met_auc = tuned["holdout"]["auc"] >= GOAL_AUC
    gap = round(lightgbm["auc"] - tuned["holdout"]["auc"], 4)
    return {
        "data": GMSC,
        "runs": runs,
        "lightgbm": lightgbm,
        "logistic_regression": runs[0]["baselines"]["logistic_regression"],
        "goal": {"auc_at_least": GOAL_AUC, "within_lightgbm": GOAL_GAP},
        "verdict": {
            "scorecard": "tuned",
            "auc": tuned["holdout"]["auc"],
            "lightgbm_auc": lightgbm["auc"],
            "gap_to_lightgbm": gap,
            "auc_met": met_auc,
            "gap_met": gap <= GOAL_GAP,
            "met": met_auc and gap <= GOAL_GAP,
        },
        "kaggle_best_private_auc": KAGGLE_BEST,
    }


def other_splits(folder: Path, seeds: list[int]) -> dict[str, Any]:
    """The tuned scorecard and LightGBM on further splits: how much one split's verdict is luck."""
    runs = []
    for seed in seeds:
        _out.print(f"GMSC: split {seed} ...")
        result = train(
            TrainingOptions(
                data=folder / GMSC, target=GMSC_TARGET, bad="1", trained_on=DAY, seed=seed,
                binning=TUNED, baselines=False,
            )
        )  # fmt: skip
        lightgbm = evaluate.lightgbm_metrics(
            result.table, result.train_rows, result.test_rows, seed
        )
        auc = result.card.metadata["metrics"]["holdout"]["auc"]
        runs.append({"seed": seed, "auc": auc, "lightgbm_auc": lightgbm["auc"]})
    aucs = [r["auc"] for r in runs]
    gaps = [r["lightgbm_auc"] - r["auc"] for r in runs]
    return {
        "runs": runs,
        "auc_mean": round(float(np.mean(aucs)), 4),
        "auc_min": min(aucs),
        "auc_max": max(aucs),
        "gap_mean": round(float(np.mean(gaps)), 4),
        "gap_max": round(max(gaps), 4),
        "auc_met_on": sum(a >= GOAL_AUC for a in aucs),
        "gap_met_on": sum(g <= GOAL_GAP for g in gaps),
    }


def taiwan(folder: Path) -> dict[str, Any]:
    card = default_scorecard()
    meta = card.metadata
    path = folder / TAIWAN
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    y = np.array([int(Decimal(r[TAIWAN_TARGET])) for r in rows], dtype=np.int8)
    train_rows, test_rows = holdout_split(y, meta["split"]["test_size"], meta["seed"])
    shipped: dict[str, Any] = {"features": meta["features"]}
    if set(meta["features"]) <= set(TAIWAN_FEATURES):
        started = time.perf_counter()
        scores = np.array([score(card, from_taiwan(rows[i])).score for i in test_rows])
        shipped |= {
            **evaluate.metrics(y[test_rows], -scores),
            "scoring_seconds": round(time.perf_counter() - started, 2),
        }
        shipped["matches_model_metadata"] = shipped["auc"] == meta["metrics"]["holdout"]["auc"]
    else:
        shipped["not_scored"] = (
            f"trained on {meta['data']['name']}: its features are not all the Taiwan mapping's"
        )
    _out.print("Taiwan: LightGBM on all columns ...")
    table = read_table(path, TAIWAN_TARGET, "1")  # every column but ID (an identifier)
    started = time.perf_counter()
    everything = evaluate.lightgbm_metrics(table, train_rows, test_rows, meta["seed"])
    return {
        "data": TAIWAN,
        "model": {"trained_on": meta["trained_on"], "sha256_training_file": meta["data"]["sha256"]},
        "split": {"seed": meta["seed"], "test_size": meta["split"]["test_size"]},
        "shipped_scorecard": shipped,
        "lightgbm_all_columns": {
            **everything,
            "columns": list(table.features),
            "seconds": round(time.perf_counter() - started, 1),
        },
        # The model's baselines are on its own training data: shown only when that is Taiwan's.
        "recorded_baselines": meta["metrics"]["baselines"] if "auc" in shipped else {},
    }


def _text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def derive(source: str, folder: Path, target: Path) -> Path:
    """What `creditmend score features --source SOURCE` writes, into `target`."""
    data, *joined = (folder / name for name in SOURCES[source]["files"])
    with ExitStack() as files:
        handle = files.enter_context(_text(data))
        applications = files.enter_context(_text(joined[0])) if joined else None
        out = files.enter_context(target.open("w", newline=""))
        ScoreService().derive_features(
            source, handle, str(data), out, applications, str(joined[0]) if joined else ""
        )
    return target


def header_of(path: Path) -> list[str]:
    with path.open(newline="") as handle:
        return next(csv.reader(handle))


def training_sources(folder: Path, seed: int) -> dict[str, Any]:
    """Each source's features trained with the defaults and its trends, next to LightGBM."""
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for source, spec in SOURCES.items():
            _out.print(f"source {source}: features and training ...")
            data = derive(source, folder, Path(scratch) / f"{source}_features.csv")
            started = time.perf_counter()
            settings = SOURCE_SETTINGS[source]
            names = set(header_of(data))
            settings = replace(
                settings, trends={k: v for k, v in settings.trends.items() if k in names}
            )
            result = train(
                TrainingOptions(
                    data=data, target=spec["target"], bad="1", trained_on=DAY, seed=seed,
                    protected=spec["protected"], binning=settings,
                    exclude=SOURCE_EXCLUDE.get(source, ()),
                )
            )  # fmt: skip
            row = _row(source, result, time.perf_counter() - started)
            auc, lightgbm = row["holdout"]["auc"], row["baselines"]["lightgbm"]["auc"]
            row |= {
                "candidates": result.card.metadata["candidates"],
                "rows": result.card.metadata["data"]["rows_used"],
                "bad_rate": result.card.metadata["data"]["bad_rate"],
                "gap_to_lightgbm": round(lightgbm - auc, 4),
                "gap_met": lightgbm - auc <= GOAL_GAP,
                "auc_goal": SOURCE_AUC_GOALS.get(source),
                "auc_met": auc >= SOURCE_AUC_GOALS.get(source, 0.0),
            }
            row["ebm"] = _source_ebm(data, spec, source, seed)
            # The goal is the score's: met when either glass-box kind the bureau ships is
            # within the gap (the shipped model is an EBM).
            kinds = (("scorecard", row["gap_met"]), ("ebm", row["ebm"]["gap_met"]))
            row["gap_met_by"] = [kind for kind, met in kinds if met]
            found[source] = row
    return found


def _source_ebm(data: Path, spec: dict[str, Any], source: str, seed: int) -> dict[str, Any]:
    """`score train --model ebm` with its defaults on one source's features, same split and
    exclusions as the scorecard's row, next to LightGBM on the same features."""
    started = time.perf_counter()
    result = train(
        TrainingOptions(
            data=data, target=spec["target"], bad="1", trained_on=DAY, seed=seed,
            protected=spec["protected"], model="ebm", exclude=SOURCE_EXCLUDE.get(source, ()),
        )
    )  # fmt: skip
    metrics = result.card.metadata["metrics"]
    auc, lightgbm = metrics["holdout"]["auc"], metrics["baselines"]["lightgbm"]["auc"]
    return {
        "features": list(result.card.metadata["features"]),
        "holdout": metrics["holdout"],
        "lightgbm_auc": lightgbm,
        "gap_to_lightgbm": round(lightgbm - auc, 4),
        "gap_met": lightgbm - auc <= GOAL_GAP,
        "pairs": [pair.name for pair in result.card.interactions],
        "seconds": round(time.perf_counter() - started, 1),
    }


def _print(result: dict[str, Any]) -> None:
    g = result["gmsc"]
    table = Table(title=f"Give Me Some Credit: hold-out of {g['lightgbm']['rows']:,} rows")
    for column in ("model", "features", "AUC", "Gini", "KS", "train AUC", "seconds"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for run in g["runs"]:
        h = run["holdout"]
        table.add_row(
            f"scorecard, {run['name']}", str(len(run["features"])), f"{h['auc']:.4f}",
            f"{h['gini']:.4f}", f"{h['ks']:.4f}", f"{run['train']['auc']:.4f}",
            f"{run['seconds']:.0f}",
        )  # fmt: skip
        if run["name"] == "tuned + derived":
            lgb = run["baselines"]["lightgbm"]
            table.add_row(
                "LightGBM, + derived", str(len(run["features"])), f"{lgb['auc']:.4f}",
                f"{lgb['gini']:.4f}", f"{lgb['ks']:.4f}", "", "",
            )  # fmt: skip
    for name, row in (
        ("LightGBM", g["lightgbm"]),
        ("logistic regression, raw", g["logistic_regression"]),
    ):
        table.add_row(
            name, "10", f"{row['auc']:.4f}", f"{row['gini']:.4f}", f"{row['ks']:.4f}", "", ""
        )
    table.add_row(
        "Kaggle best private LB (own test set)",
        "",
        f"{g['kaggle_best_private_auc']:.3f}",
        "",
        "",
        "",
        "",
    )
    _out.print(table)
    v = g["verdict"]
    _out.print(
        f"goal: AUC >= {GOAL_AUC} {'met' if v['auc_met'] else 'NOT met'} ({v['auc']:.4f}); "
        f"within {GOAL_GAP} of LightGBM {'met' if v['gap_met'] else 'NOT met'} "
        f"(gap {v['gap_to_lightgbm']:.4f})"
    )
    f = result["gmsc_further_splits"]
    if f["runs"]:
        _out.print(
            f"{len(f['runs'])} further splits, tuned scorecard: AUC {f['auc_mean']:.4f} on average "
            f"({f['auc_min']:.4f}..{f['auc_max']:.4f}), >= {GOAL_AUC} on {f['auc_met_on']}; "
            f"gap to LightGBM {f['gap_mean']:.4f} on average, within {GOAL_GAP} on "
            f"{f['gap_met_on']}"
        )
    table = Table(title="The training sources: scorecard and EBM (defaults) and LightGBM")
    columns = ("source", "rows", "bad rate", "features", "scorecard", "gap", "EBM", "gap",
               "LightGBM", f"within {GOAL_GAP}")  # fmt: skip
    for column in columns:
        table.add_column(column, justify="left" if column == "source" else "right")
    for name, run in result["sources"].items():
        ebm = run["ebm"]
        table.add_row(
            name, f"{run['rows']:,}", f"{run['bad_rate']:.2%}",
            f"{len(run['features'])} of {len(run['candidates'])}",
            f"{run['holdout']['auc']:.4f}", f"{run['gap_to_lightgbm']:.4f}",
            f"{ebm['holdout']['auc']:.4f}", f"{ebm['gap_to_lightgbm']:.4f}",
            f"{run['baselines']['lightgbm']['auc']:.4f}", ", ".join(run["gap_met_by"]) or "no",
        )  # fmt: skip
    _out.print(table)
    t = result["taiwan"]
    table = Table(title="The shipped model on its Taiwan hold-out")
    for column in ("model", "features", "AUC", "Gini", "KS"):
        table.add_column(column, justify="left" if column == "model" else "right")
    s = t["shipped_scorecard"]
    if "auc" in s:
        table.add_row(
            "shipped scorecard",
            str(len(s["features"])),
            f"{s['auc']:.4f}",
            f"{s['gini']:.4f}",
            f"{s['ks']:.4f}",
        )
    else:
        table.add_row("shipped scorecard: not scored", str(len(s["features"])), "", "", "")
    a = t["lightgbm_all_columns"]
    table.add_row(
        "LightGBM, all 23 columns",
        str(len(a["columns"])),
        f"{a['auc']:.4f}",
        f"{a['gini']:.4f}",
        f"{a['ks']:.4f}",
    )
    for key, name in (
        ("lightgbm", "LightGBM, 8 bureau features"),
        ("logistic_regression", "logistic regression, 8 features"),
    ):
        r = t["recorded_baselines"].get(key)
        if r is None:
            continue
        table.add_row(name, "8", f"{r['auc']:.4f}", f"{r['gini']:.4f}", f"{r['ks']:.4f}")
    _out.print(table)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=20260110)
    parser.add_argument("--no-derived", action="store_true", help="skip the derived-columns row")
    parser.add_argument(
        "--splits", type=int, default=4, help="further GMSC splits for the tuned scorecard"
    )
    parser.add_argument("--no-ebm", action="store_true", help="skip the EBM rows")
    parser.add_argument("--output", type=Path, default=RESULTS / "score.json")
    args = parser.parse_args(argv)
    folder = Path(os.environ.get("CREDITMEND_DATA_DIR", "../shared/data"))
    started = time.perf_counter()
    result: dict[str, Any] = {
        "benchmark": "score",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "revision": _commit(),
        "parameters": {
            "seed": args.seed,
            "test_size": 0.3,
            "derived": not args.no_derived,
            "further_splits": args.splits,
        },
        "gmsc": gmsc(folder, args.seed, not args.no_derived),
        "gmsc_further_splits": other_splits(
            folder, [args.seed + k for k in range(1, args.splits + 1)]
        ),
        "taiwan": taiwan(folder),
        "sources": training_sources(folder, args.seed),
    }
    if not args.no_ebm:
        seeds = [args.seed + k for k in range(args.splits + 1)]
        result["gmsc_ebm"] = gmsc_ebm(folder, seeds, _out)
    result["seconds"] = round(time.perf_counter() - started, 1)
    _print(result)
    if "gmsc_ebm" in result:
        print_ebm(result["gmsc_ebm"], _out)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    _out.print(f"written to {args.output}")
    return result


if __name__ == "__main__":
    main()
