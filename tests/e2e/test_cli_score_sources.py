"""`creditmend score features --source history | gmsc | taiwan` through the command: hand-made
files (gzipped as the public ones are), one-line errors, and the real data sets (slow)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from in_process import cli as run

from creditmend.domain.scoring import sources
from shared_data import data_file  # tests/ is on the path (pytest's prepend mode)

HISTORY = (
    "ID,MONTHS_BALANCE,STATUS\n"
    + "".join(f"1,{-m},{'2' if m == 3 else 'C'}\n" for m in range(0, 30))  # bad at -3
    + "".join(f"2,{-m},{'1' if m == 20 else '0'}\n" for m in range(0, 40))
    + "3,0,X\n3,-5,C\n"  # opened after -13: left out
)
APPLICATIONS = "ID,CODE_GENDER,DAYS_BIRTH\n1,F,-10958\n"
GMSC = (
    ",SeriousDlqin2yrs,RevolvingUtilizationOfUnsecuredLines,age,"
    "NumberOfTime30-59DaysPastDueNotWorse,DebtRatio,MonthlyIncome,"
    "NumberOfOpenCreditLinesAndLoans,NumberOfTimes90DaysLate,NumberRealEstateLoansOrLines,"
    "NumberOfTime60-89DaysPastDueNotWorse,NumberOfDependents\n"
    "1,1,0.766126609,45,2,0.802982129,9120,13,0,6,0,2\n"
    "2,0,0.957151019,40,0,0.121876201,NA,4,1,0,0,1\n"
)


def _gz(path: Path, text: str) -> Path:
    path.write_bytes(gzip.compress(text.encode(), mtime=0))
    return path


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def test_history_features_from_gzipped_files(tmp_path: Path) -> None:
    data = _gz(tmp_path / "credit_record.csv.gz", HISTORY)
    people = _gz(tmp_path / "application_record.csv.gz", APPLICATIONS)
    out = tmp_path / "history.csv"
    done = run(
        "score", "features", "--source", "history", "--data", str(data),
        "--applications", str(people), "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 rows of features written" in done.stdout
    assert "no month on record at or before -13: 1" in done.stdout
    rows = _rows(out)
    assert rows[0] == ["ID", *sources.HISTORY_FEATURES, sources.HISTORY_TARGET, "gender", "age"]
    by_name = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [(r["ID"], r[sources.HISTORY_TARGET], r["gender"], r["age"]) for r in by_name] == [
        ("1", "1", "F", "30"),
        ("2", "0", "", ""),
    ]
    assert by_name[1]["late_2_24m"] == "1" and by_name[1]["months_since_overdue"] == "0"
    assert by_name[0]["oldest_account_months"] == "16"
    assert by_name[0]["months_since_overdue"] == "60"  # none seen up to -13


def test_gmsc_features_from_a_plain_file(tmp_path: Path) -> None:
    data, out = tmp_path / "cs-training.csv", tmp_path / "gmsc.csv"
    data.write_text(GMSC)
    done = run("score", "features", "--source", "gmsc", "--data", str(data), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert _rows(out)[1:] == [
        ["1", "2", "0", "0", "2", "0.7661", "13", "6", "1", "45"],
        ["2", "0", "0", "1", "4", "0.9572", "4", "0", "0", "40"],
    ]


@pytest.mark.parametrize(
    ("source", "text", "extra", "expected"),
    [
        ("history", "ID,MONTHS_BALANCE,STATUS\n1,0,Q\n", (),
         "error: line 2: --data: STATUS: 'Q' is not one of 0, 1, 2, 3, 4, 5, C, X"),
        ("gmsc", GMSC.replace("0.766126609", "high"), (),
         "error: line 2: --data: RevolvingUtilizationOfUnsecuredLines: 'high' is not a number"),
        ("gmsc", GMSC, ("--applications", "a.csv"),
         "error: --applications: only --source history joins applications"),
        ("history", HISTORY, ("--applications", "missing.csv"),
         "error: --applications: {tmp}/missing.csv: no such file"),
        ("history", HISTORY, ("--applications", "data.csv.gz"),
         "error: --applications: application_record.csv: no column 'CODE_GENDER' "
         "(the application_record layout)"),
    ],
)  # fmt: skip
def test_bad_files_are_one_line(
    tmp_path: Path, source: str, text: str, extra: tuple[str, ...], expected: str
) -> None:
    data = _gz(tmp_path / "data.csv.gz", text)
    if extra and extra[1] == "data.csv.gz":  # the history itself given as applications
        extra = ("--applications", str(_gz(tmp_path / "application_record.csv", HISTORY)))
    elif extra:
        extra = (extra[0], str(tmp_path / extra[1]))
    out = tmp_path / "f.csv"
    done = run("score", "features", "--source", source, "--data", str(data), *extra,
               "--out", str(out))  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == expected.format(tmp=tmp_path) + "\n"
    assert not out.exists()


def test_a_damaged_gzip_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "credit_record.csv.gz"
    data.write_bytes(gzip.compress(HISTORY.encode())[:60])
    out = tmp_path / "f.csv"
    done = run("score", "features", "--source", "history", "--data", str(data), "--out", str(out))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"error: --data: {data}: not a readable CSV file")
    assert not out.exists()


# ---------------------------------------------------------------- the real data sets
@pytest.mark.slow
@pytest.mark.parametrize(
    ("source", "files", "rows", "target", "bads", "none_seen", "latest"),
    [
        ("history", ("credit_record.csv.gz", "application_record.csv.gz"), 27454,
         sources.HISTORY_TARGET, 191, 4342, 47),
        ("gmsc", ("cs-training.csv.gz",), 150000, sources.GMSC_TARGET, 10026, None, None),
        ("taiwan", ("default_of_credit_card_clients.csv",), 30000, sources.TAIWAN_TARGET, 6636,
         19931, 5),
    ],
)  # fmt: skip
def test_the_real_data_sets(
    tmp_path: Path,
    source: str,
    files: tuple[str, ...],
    rows: int,
    target: str,
    bads: int,
    none_seen: int | None,
    latest: int | None,
) -> None:
    """Rows, bad rows, and months_since_overdue: 60 where no overdue month is seen (never
    empty), any other value at most the latest month the source shows."""
    paths = [data_file(name) for name in files]
    out = tmp_path / "features.csv"
    joined = ("--applications", str(paths[1])) if len(paths) > 1 else ()
    done = run("score", "features", "--source", source, "--data", str(paths[0]), *joined,
               "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = _rows(out)
    assert len(table) == rows + 1
    at = table[0].index(target)
    assert sum(row[at] == "1" for row in table[1:]) == bads
    assert len({len(row) for row in table}) == 1
    if none_seen is not None and latest is not None:
        since = [row[table[0].index("months_since_overdue")] for row in table[1:]]
        assert since.count("60") == none_seen
        assert max(int(value) for value in since if value != "60") == latest
