"""`ScoreService`: scoring a file and deriving features, called in process (no command line)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import pytest

from creditmend.domain.problems import ProblemsError
from creditmend.domain.scoring import sources
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
    source = io.StringIO("id,worst_status_12m,utilisation,score\na,0,0.1,old\nb,4,0.95,old\n")
    target = _Target()
    scored = SERVICE.score_file(default_scorecard(), source, "in.csv", target)
    rows = list(csv.reader(io.StringIO(target.text.getvalue())))
    assert rows[0] == ["id", "worst_status_12m", "utilisation", "score", "reasons"]
    assert [row[0] for row in rows[1:]] == ["a", "b"]
    assert int(rows[1][3]) > int(rows[2][3])  # the clean row scores higher
    assert rows[2][4]  # and the late one says why
    assert scored.rows == 2 and sum(scored.bands.values()) == 2
    assert list(scored.bands) == ["A", "B", "C", "D", "E"]
    assert "late_3_24m" in scored.absent and "utilisation" not in scored.absent


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
    row = dict.fromkeys(sources.TAIWAN_NUMBERS, "1000") | dict.fromkeys(sources.TAIWAN_STATUS, "0")
    row |= {sources.TAIWAN_TARGET: "0"} | dict.fromkeys(sources.TAIWAN_PROTECTED, "1")
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
    assert SERVICE.derive_features("taiwan", _csv(_taiwan_row()), "data/t.csv", out).rows == 1
    header, row = list(csv.reader(io.StringIO(out.getvalue())))
    assert header == [
        "ID", *sources.TAIWAN_FEATURES, sources.TAIWAN_TARGET, *sources.TAIWAN_PROTECTED,
    ]  # fmt: skip
    # months_since_overdue 60: none seen in the 6 months; months_since_activity 0: paid in September
    assert row == ["7", "0", "0", "0", "60", "0", "1.0000", "0", "0", "1", "1", "1", "1"]
    bad = _csv(_taiwan_row(), _taiwan_row(PAY_0="late"))
    with pytest.raises(ProblemsError) as refused:
        SERVICE.derive_features("taiwan", bad, "data/t.csv", io.StringIO())
    assert [str(p) for p in refused.value.problems] == [
        "line 3: scoring.data: PAY_0: 'late' is not a number"
    ]


HISTORY = """ID,MONTHS_BALANCE,STATUS
20,0,C
20,-1,2
20,-13,1
20,-14,X
10,-14,C
10,-13,0
10,0,C
30,-12,C
30,0,C
40,-20,C
40,-13,C
"""
APPLICATIONS = """ID,CODE_GENDER,DAYS_BIRTH,AMT_INCOME_TOTAL
10,F,-12005,1
10,M,-20000,1
20,M,-9000,1
"""


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_history_keeps_the_population_and_joins_the_protected_columns() -> None:
    out = io.StringIO()
    derived = SERVICE.derive_features(
        "history", io.StringIO(HISTORY), "credit_record.csv", out,
        io.StringIO(APPLICATIONS), "data/application_record.csv",
    )  # fmt: skip
    rows = _rows(out.getvalue())
    assert rows[0] == ["ID", *sources.HISTORY_FEATURES, sources.HISTORY_TARGET, "gender", "age"]
    # ID 30 opened after -13, ID 40 has no month in -12..0; IDs in numeric order
    assert [r[0] for r in rows[1:]] == ["10", "20"]
    assert rows[1] == [
        "10", "0", "0", "0", "0", "0", "1", "1", "1", "1", "1", "1", "2", "0", "0", "F", "32",
    ]  # fmt: skip
    assert rows[2][-3:] == ["1", "M", "24"] and rows[2][1] == "1"  # 30-59 days at -13
    assert derived.rows == 2
    assert list(derived.notes.values()) == [1, 1, 0]
    plain = io.StringIO()
    SERVICE.derive_features("history", io.StringIO(HISTORY), "credit_record.csv", plain)
    assert _rows(plain.getvalue())[0][-1] == sources.HISTORY_TARGET  # no protected columns


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ID,MONTHS_BALANCE\n1,0\n", "credit_record.csv: no column 'STATUS'"),
        ("ID,MONTHS_BALANCE,STATUS\n1,0,C\n1,-1,7\n", "line 3: scoring.data: STATUS: '7'"),
        ("ID,MONTHS_BALANCE,STATUS\n1,0,C\n1,0,X\n", "line 3: scoring.data: ID 1: month 0"),
        ("ID,MONTHS_BALANCE,STATUS\n1,3,C\n", "line 2: scoring.data: MONTHS_BALANCE: '3'"),
        ("ID,MONTHS_BALANCE,STATUS\n1,-1.5,C\n", "MONTHS_BALANCE: '-1.5' is not a month"),
    ],
)
def test_a_bad_history_is_named_with_its_line(text: str, message: str) -> None:
    with pytest.raises(ProblemsError) as refused:
        SERVICE.derive_features("history", io.StringIO(text), "d/credit_record.csv", io.StringIO())
    assert message in str(refused.value.problems[0])


def test_bad_applications_are_said_as_such() -> None:
    with pytest.raises(ProblemsError) as refused:
        SERVICE.derive_features(
            "history", io.StringIO(HISTORY), "c.csv", io.StringIO(),
            io.StringIO("ID,CODE_GENDER,DAYS_BIRTH\n10,F,old\n"), "a.csv",
        )  # fmt: skip
    assert str(refused.value.problems[0]) == (
        "line 2: scoring.applications: DAYS_BIRTH: 'old' is not a number of days before the "
        "application"
    )
    with pytest.raises(ProblemsError, match=r"scoring\.applications: only the history"):
        SERVICE.derive_features("gmsc", io.StringIO(""), "g.csv", io.StringIO(), io.StringIO(""))


GMSC = (
    ",SeriousDlqin2yrs,RevolvingUtilizationOfUnsecuredLines,age,"
    "NumberOfTime30-59DaysPastDueNotWorse,DebtRatio,MonthlyIncome,"
    "NumberOfOpenCreditLinesAndLoans,NumberOfTimes90DaysLate,NumberRealEstateLoansOrLines,"
    "NumberOfTime60-89DaysPastDueNotWorse,NumberOfDependents\n"
    "1,1,0.766126609,45,2,0.802982129,9120,13,0,6,0,2\n"
    "2,0,0.957151019,40,98,0.121876201,NA,4,98,0,98,NA\n"
)


def test_gmsc_features_are_derived_and_a_bad_number_is_named() -> None:
    out = io.StringIO()
    assert SERVICE.derive_features("gmsc", io.StringIO(GMSC), "cs-training.csv", out).rows == 2
    assert _rows(out.getvalue()) == [
        ["ID", *sources.GMSC_FEATURES, sources.GMSC_TARGET, "age"],
        ["1", "2", "0", "0", "2", "0.7661", "13", "6", "1", "45"],
        ["2", "", "", "", "", "0.9572", "4", "0", "0", "40"],
    ]
    with pytest.raises(ProblemsError) as refused:
        SERVICE.derive_features(
            "gmsc", io.StringIO(GMSC.replace("0.957151019", "1e400")), "g.csv", io.StringIO()
        )
    assert str(refused.value.problems[0]) == (
        "line 3: scoring.data: RevolvingUtilizationOfUnsecuredLines: '1e400' is out of range"
    )
    renamed = GMSC.replace(",SeriousDlqin2yrs,", ",Target,")
    with pytest.raises(ProblemsError, match=r"g.csv: no column 'SeriousDlqin2yrs' \(the Give"):
        SERVICE.derive_features("gmsc", io.StringIO(renamed), "g.csv", io.StringIO())
