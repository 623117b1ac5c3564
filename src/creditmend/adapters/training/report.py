"""The model's report: one self-contained HTML page (Jinja2, `templates/training.html.j2`).

Everything it shows is in the model file: the card's features and bins, and the evaluation
`train` put in its metadata (metrics next to the baselines, PSI, the band table, the fairness
check, exclusions, problems, settings, versions). So the report of a shipped model can be
rendered again from the JSON alone. An EBM's file shows its pair tables too (rows: the first
feature's bins, columns: the second's, cells: points). Inline CSS, no script, font or image;
autoescaped (column names and categories come from the training file).

A model built in steps (`score combine`, `score overlay`) says where each feature's points come
from (`provenance.py`): "what was trained on what" at the top, each feature's source, an overlay
bin's relative risk and basis, the sources cited and the knock-out rules; and that the evaluation
is the trained part's. A file without the training's evaluation (hand-built) renders the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from creditmend.adapters.training.provenance import provenance
from creditmend.domain.scoring.interactions import Interaction
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


def _models(metrics: Mapping[str, Any], title: str) -> list[tuple[str, Mapping[str, Any]]]:
    rows: list[tuple[str, Mapping[str, Any]]] = [
        (f"{title}, training part", metrics["train"]),
        (f"{title}, hold-out", metrics["holdout"]),
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


def _pair_table(pair: Interaction) -> dict[str, Any]:
    """A pair table with its axes' bin labels, for the page."""
    return {
        "name": pair.name,
        "rows": pair.rows.feature,
        "columns": pair.columns.feature,
        "column_labels": [pair.columns.label(i) for i in range(pair.columns.size)],
        "cells": [(pair.rows.label(i), list(points)) for i, points in enumerate(pair.points)],
    }


# What `score train` writes for the evaluation sections; a file lacking any shows the rest.
EVALUATION = ("data", "split", "metrics", "bands", "fairness")


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def render_report(card: Scorecard) -> str:
    meta = card.metadata
    model = _mapping(meta.get("model"))
    title = "EBM" if model.get("kind") == "ebm" else "Scorecard"
    origin = provenance(card)
    evaluated = all(key in meta for key in EVALUATION)
    return (
        _environment()
        .get_template("training.html.j2")
        .render(
            card=card,
            meta=meta,
            title=title,
            heading=f"{title} {'model' if origin.added else 'training'} report",
            data_name=_mapping(meta.get("data")).get("name") or "unnamed data",
            trained_on=meta.get("trained_on"),
            seed=meta.get("seed"),
            overlay_points=_mapping(meta.get("overlay")).get("points"),
            evaluated=evaluated,
            models=_models(meta["metrics"], title) if evaluated else [],
            coefficients=_mapping(model.get("coefficients")),
            intercept=model.get("intercept"),
            binning=_mapping(meta.get("binning")),
            versions=_mapping(meta.get("versions")),
            exclusions=meta.get("exclusions") or [],
            pairs=[_pair_table(pair) for pair in card.interactions],
            origin=origin,
        )
    )
