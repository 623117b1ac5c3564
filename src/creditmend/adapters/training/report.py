"""The training report: one self-contained HTML page (Jinja2, `templates/training.html.j2`).

Everything it shows is in the model file: the card's features and bins, and the evaluation
`train` put in its metadata (metrics next to the baselines, PSI, the band table, the fairness
check, exclusions, problems, settings, versions). So the report of a shipped model can be
rendered again from the JSON alone. Inline CSS, no script, font or image; autoescaped (column
names and categories come from the training file).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from creditmend.domain.scoring.scorecard import Scorecard


def percent(value: object, places: int = 1) -> str:
    if value is None:
        return "—"
    return f"{float(str(value)):.{places}%}"


def number(value: object, places: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(str(value)):.{places}f}"


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("creditmend.adapters.training", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["percent"] = percent
    env.filters["number"] = number
    return env


def _models(metrics: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    rows: list[tuple[str, Mapping[str, Any]]] = [
        ("Scorecard, training part", metrics["train"]),
        ("Scorecard, hold-out", metrics["holdout"]),
    ]
    baselines = metrics.get("baselines") or {}
    if "logistic_regression" in baselines:
        rows.append(
            (
                "Baseline: logistic regression on raw features, hold-out",
                baselines["logistic_regression"],
            )
        )
    if "lightgbm" in baselines:
        lightgbm = baselines["lightgbm"]
        rows.append((f"Baseline: LightGBM ({lightgbm.get('rounds')} rounds), hold-out", lightgbm))
    return rows


def render_report(card: Scorecard) -> str:
    meta = card.metadata
    coefficients = meta.get("model", {}).get("coefficients", {})
    return (
        _environment()
        .get_template("training.html.j2")
        .render(
            card=card,
            meta=meta,
            models=_models(meta["metrics"]),
            coefficients=coefficients,
        )
    )
