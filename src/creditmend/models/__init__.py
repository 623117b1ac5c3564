"""The shipped default scorecard and its model card.

- `default_scorecard.json`: the model file (`creditmend.domain.scoring.scorecard`), trained by
  `make model` on the UCI "default of credit card clients" data (Yeh & Lien 2009, CC BY 4.0)
  using only features the bureau computes itself; the same command reproduces it byte for byte.
- `default_scorecard_report.html`: its training report (metrics, baselines, bands, bins, the
  fairness check).
- `MODEL_CARD.md`: data source and licence, features, exclusions, metrics, fairness, limits.

Standard library and the domain only, so the runtime loads the model without the training stack.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from creditmend.domain.scoring.scorecard import Scorecard, parse_scorecard

DEFAULT_SCORECARD = "default_scorecard.json"


def default_scorecard_text() -> str:
    return resources.files(__name__).joinpath(DEFAULT_SCORECARD).read_text(encoding="utf-8")


@cache
def default_scorecard() -> Scorecard:
    """The shipped model, read once (its checksum and schema checked)."""
    return parse_scorecard(default_scorecard_text())
