"""`ScoreService`: scoring a file and deriving features, called in process (no command line)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import pytest

from creditmend.domain.problems import ProblemsError
from creditmend.domain.scoring import features as feature_map
from creditmend.models import default_scorecard
from creditmend.services.score import ScoreService

SERVICE = ScoreService()


class _Target:
    """An output opened on demand: whether it was opened, and what was written."""

    def __init__(self) -> None:
        self.opened = False
        self.text = io.StringIO()

    @contextmanager
    def __call__(self) -> Iterator[IO[str]]:
        self.opened = True
        yield self.text


def test_every_row_is_written_with_its_score_and_reasons() -> None:
    source = io.StringIO("id,worst_status_6m,utilisation,score\na,0,0.1,old\nb,4,0.95,old\n")
    target = _Target()
    scored = SERVICE.score_file(default_scorecard(), source, "in.csv", target)
    rows = list(csv.reader(io.StringIO(target.text.getvalue())))
    assert rows[0] == ["id", "worst_status_6m", "utilisation", "score", "reasons"]
    assert [row[0] for row in rows[1:]] == ["a", "b"]
    assert int(rows[1][3]) > int(rows[2][3])  # the clean row scores higher
    assert rows[2][4]  # and the late one says why
    assert scored.rows == 2 and sum(scored.bands.values()) == 2
    assert list(scored.bands) == ["A", "B", "C", "D", "E"]
    assert "overdue_months_3m" in scored.absent and "utilisation" not in scored.absent


def test_a_file_without_any_feature_opens_no_target() -> None:
    target = _Target()
    with pytest.raises(ProblemsError, match=r"scoring\.data: in\.csv: none of the model's"):
        SERVICE.score_file(default_scorecard(), io.StringIO("x,y\n1,2\n"), "in.csv", target)
    assert not target.opened


def test_an_unknown_layout_is_refused_before_the_data_is_read() -> None:
    source = io.StringIO("not read")
    with pytest.raises(ProblemsError, match=r"scoring\.source: unknown 'german'"):
        SERVICE.derive_features("german", source, "data/german.csv", io.StringIO())
    assert source.tell() == 0


def _taiwan_row(**changes: str) -> dict[str, str]:
    numbers = [
        "LIMIT_BAL",
        *feature_map.TAIWAN_STATUS,
        *feature_map.TAIWAN_BILLS,
        *feature_map.TAIWAN_PAID,
    ]
    row = dict.fromkeys(numbers, "1000") | dict.fromkeys(feature_map.TAIWAN_STATUS, "0")
    row |= {feature_map.TAIWAN_TARGET: "0"} | dict.fromkeys(feature_map.TAIWAN_PROTECTED, "1")
    return {"ID": "7", **row, **changes}


def _csv(*rows: dict[str, str]) -> io.StringIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    text.seek(0)
    return text


def test_features_are_derived_and_a_bad_number_is_named_with_its_line() -> None:
    out = io.StringIO()
    assert SERVICE.derive_features("taiwan", _csv(_taiwan_row()), "data/t.csv", out) == 1
    header, row = list(csv.reader(io.StringIO(out.getvalue())))
    assert header[: 1 + len(feature_map.NAMES)] == ["ID", *feature_map.NAMES]
    assert row[0] == "7"
    bad = _csv(_taiwan_row(), _taiwan_row(PAY_0="late"))
    with pytest.raises(ProblemsError) as refused:
        SERVICE.derive_features("taiwan", bad, "data/t.csv", io.StringIO())
    assert [str(p) for p in refused.value.problems] == [
        "line 3: scoring.data: PAY_0: 'late' is not a number"
    ]
