"""The score's resolution on a generated population (issue 16, `score_resolution.py`).

The goals are checked on the issue's population (scaled to 3,000 persons in the suite: the
issue's 10,000 take minutes to make; `score_resolution.py` run alone measures them) with
the scorecard the bureau uses (the
shipped model or CREDITMEND_SCORECARD): every band holds persons, the best band holds most
persons with a clean long history and low utilisation, and no single score value holds more
than 3 % of the persons with a file. The shipped model meets the first two; the third is not
met yet (about 10 % share one score) and is a strict expected failure, so it says when it
passes. A small population checks the harness itself on every run of the slow tests.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from score_resolution import (
    Figures,
    Settings,
    figures,
    population_store,
    resolution,
    run_batch,
)

MOST_PERSONS_ON_ONE_SCORE = 0.03
SUITE_PERSONS = 3_000  # the same generator and seed as the issue's 10,000


@pytest.fixture(scope="module")
def issue_population(tmp_path_factory: pytest.TempPathFactory) -> Figures:
    """The issue's population batched with the bureau's scorecard (made once a module), scaled
    to `SUITE_PERSONS` so that `make test` stays under 8 minutes from a cold cache; the issue's
    10,000 are measured by running `score_resolution.py` (figures in docs/score.md)."""
    settings = Settings(persons=SUITE_PERSONS)
    return resolution(settings, tmp_path_factory.mktemp("resolution") / "batch")


@pytest.mark.slow
def test_every_band_holds_persons_and_a_clean_long_history_reaches_the_best(
    issue_population: Figures,
) -> None:
    result = issue_population
    assert result.with_file > 0
    assert all(result.bands.values()), result.bands
    best = next(iter(result.bands))
    assert result.clean_bands[best] > 0, result.clean_bands
    assert result.clean_bands[best] > result.clean_long_low_util / 2, result.clean_bands


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="issue 16 open: 4.3 % of the issue's 10,000 generated persons share one score (762): "
    "clean, active files of 2 to 3 years that every trained feature reads at its best (no "
    "public data set with outcomes tells one such file from another)",
)
def test_no_score_value_holds_more_than_3_percent(issue_population: Figures) -> None:
    result = issue_population
    assert result.top_score_share <= MOST_PERSONS_ON_ONE_SCORE, (result.top_score, result)


@pytest.mark.slow
def test_the_harness_counts_what_the_batch_wrote(tmp_path: Path) -> None:
    """On 200 persons: the figures agree with the files they are read from."""
    settings = Settings(persons=200, seed=3)
    out = run_batch(population_store(settings), settings, tmp_path / "batch")
    result = figures(out, settings)
    table = pq.read_table(out / "scores.parquet").to_pylist()
    scores = sorted(row["score"] for row in table if row["score"] is not None)
    assert (result.persons, result.rows_per_person) == (200, 1)
    assert result.with_file == len(scores) == sum(result.bands.values()) > 0
    assert result.top_score is not None
    assert result.top_score_share == round(scores.count(result.top_score) / len(scores), 4)
    assert all(scores.count(s) <= scores.count(result.top_score) for s in set(scores))
    shown = list(result.percentiles.values())
    assert shown == sorted(shown)
    assert (shown[0], shown[-1]) == (scores[0], scores[-1])
    assert sum(result.clean_bands.values()) == result.clean_long_low_util
    assert 0 < result.clean_long_low_util < result.with_file
    assert result.population["persons"] == 200
    assert result.population["with_non_bank_account"] > 0
