"""The glass-box boosting model (`score train --model ebm`) on Give Me Some Credit, next to
LightGBM on the same split and features: the EBM's row of the score benchmark.

For each split (the reported one, then the further ones `score_bench.py` uses): the EBM with
the default settings (`EbmSettings`, chosen on split 42, not on these) trained on all ten
columns, its hold-out AUC / Gini / KS from the domain's integer scores of the exported file
(what `score apply` gives), the fitted model's own AUC (`decision_function`: what the export
costs), and LightGBM's AUC on the same split. Goal: AUC at least 0.865 and within 0.005 of
LightGBM.

Run alone: `.venv/bin/python -m benchmarks.score_ebm [--seed S] [--splits N]` (writes
`benchmarks/results/score_ebm.json`).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from creditmend.adapters.scorecard_training import TrainingOptions, train
from creditmend.adapters.training import evaluate
from creditmend.domain.scoring.scorecard import scorecard_text

RESULTS = Path(__file__).resolve().parent / "results"
GMSC = "cs-training.csv.gz"
GMSC_TARGET = "SeriousDlqin2yrs"
GOAL_AUC = 0.865
GOAL_GAP = 0.005
DAY = date(2026, 11, 28)


def ebm_split(folder: Path, seed: int, out: Console) -> dict[str, Any]:
    """The EBM and LightGBM on one split (`seed`) of GMSC."""
    out.print(f"GMSC: the EBM on split {seed} ...")
    started = time.perf_counter()
    result = train(
        TrainingOptions(
            data=folder / GMSC, target=GMSC_TARGET, bad="1", trained_on=DAY, seed=seed,
            model="ebm", baselines=False,
        )
    )  # fmt: skip
    seconds = time.perf_counter() - started
    card, table = result.card, result.table
    frame = pd.DataFrame({name: table.values[name][result.test_rows] for name in table.features})
    fitted = evaluate.metrics(
        table.y[result.test_rows], np.asarray(result.fitted.model.decision_function(frame))
    )
    lightgbm = evaluate.lightgbm_metrics(table, result.train_rows, result.test_rows, seed)
    holdout = card.metadata["metrics"]["holdout"]
    return {
        "seed": seed,
        "holdout": holdout,
        "train_auc": card.metadata["metrics"]["train"]["auc"],
        "psi": card.metadata["metrics"]["psi"],
        "model_auc": fitted["auc"],
        "lightgbm": lightgbm,
        "gap_to_lightgbm": round(lightgbm["auc"] - holdout["auc"], 4),
        "pairs": [pair.name for pair in card.interactions],
        "file_bytes": len(scorecard_text(card).encode()),
        "settings": card.metadata["binning"],
        "seconds": round(seconds, 1),
    }


def gmsc_ebm(folder: Path, seeds: list[int], out: Console) -> dict[str, Any]:
    """The EBM on each split; the first is the reported one."""
    runs = [ebm_split(folder, seed, out) for seed in seeds]
    reported = runs[0]
    aucs = [r["holdout"]["auc"] for r in runs]
    gaps = [r["gap_to_lightgbm"] for r in runs]
    return {
        "data": GMSC,
        "goal": {"auc_at_least": GOAL_AUC, "within_lightgbm": GOAL_GAP},
        "runs": runs,
        "verdict": {
            "auc": reported["holdout"]["auc"],
            "lightgbm_auc": reported["lightgbm"]["auc"],
            "gap_to_lightgbm": reported["gap_to_lightgbm"],
            "auc_met": reported["holdout"]["auc"] >= GOAL_AUC,
            "gap_met": reported["gap_to_lightgbm"] <= GOAL_GAP,
        },
        "all_splits": {
            "auc_mean": round(float(np.mean(aucs)), 4),
            "auc_min": min(aucs),
            "gap_mean": round(float(np.mean(gaps)), 4),
            "gap_max": max(gaps),
            "auc_met_on": sum(a >= GOAL_AUC for a in aucs),
            "gap_met_on": sum(g <= GOAL_GAP for g in gaps),
        },
    }


def print_ebm(result: dict[str, Any], out: Console) -> None:
    table = Table(
        title="GMSC: the EBM's exported file (AUC, Gini, KS), the fitted EBM's own AUC, LightGBM's"
    )
    for column in ("split", "AUC", "Gini", "KS", "fitted", "LightGBM", "gap", "pairs", "KB", "s"):
        table.add_column(column, justify="right")
    for run in result["runs"]:
        h = run["holdout"]
        table.add_row(
            str(run["seed"]), f"{h['auc']:.4f}", f"{h['gini']:.4f}", f"{h['ks']:.4f}",
            f"{run['model_auc']:.4f}", f"{run['lightgbm']['auc']:.4f}",
            f"{run['gap_to_lightgbm']:+.4f}", str(len(run["pairs"])),
            f"{run['file_bytes'] / 1024:.0f}", f"{run['seconds']:.0f}",
        )  # fmt: skip
    out.print(table)
    v, a = result["verdict"], result["all_splits"]
    out.print(
        f"EBM goal: AUC >= {GOAL_AUC} {'met' if v['auc_met'] else 'NOT met'} ({v['auc']:.4f}); "
        f"within {GOAL_GAP} of LightGBM {'met' if v['gap_met'] else 'NOT met'} "
        f"(gap {v['gap_to_lightgbm']:+.4f}); over {len(result['runs'])} splits AUC "
        f"{a['auc_mean']:.4f} on average, >= {GOAL_AUC} on {a['auc_met_on']}, within "
        f"{GOAL_GAP} of LightGBM on {a['gap_met_on']}"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=20260110)
    parser.add_argument("--splits", type=int, default=4)
    parser.add_argument("--output", type=Path, default=RESULTS / "score_ebm.json")
    args = parser.parse_args(argv)
    out = Console(highlight=False, soft_wrap=True)
    folder = Path(os.environ.get("CREDITMEND_DATA_DIR", "../shared/data"))
    seeds = [args.seed + k for k in range(args.splits + 1)]
    result = gmsc_ebm(folder, seeds, out)
    print_ebm(result, out)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    out.print(f"written to {args.output}")
    return result


if __name__ == "__main__":
    main()
