"""`creditmend score features | train | apply` through the real command: files written, rows
never dropped, one-line errors with exit status 2, tampered models refused."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from in_process import Done  # the e2e folder is on the path (pytest's prepend mode)
from in_process import cli as run

from creditmend.domain.scoring import sources
from creditmend.domain.scoring.scorecard import parse_scorecard

TARGET = sources.TAIWAN_TARGET
BILLS = tuple(f"BILL_AMT{i}" for i in range(1, 7))
PAID = tuple(f"PAY_AMT{i}" for i in range(1, 7))


def cli(
    *args: str, python: tuple[str, ...] = ("-m", "creditmend")
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *python, *args], capture_output=True, text=True, check=False
    )


def taiwan_layout(path: Path, rows: int = 1200, seed: int = 1) -> Path:
    """Rows in the UCI Taiwan data's layout with a planted signal: late payments and high
    utilisation lead to default."""
    rng = np.random.default_rng(seed)
    header = [
        "ID", "LIMIT_BAL", "SEX", "EDUCATION", "MARRIAGE", "AGE",
        *sources.TAIWAN_STATUS, *BILLS, *PAID, TARGET,
    ]  # fmt: skip
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(rows):
            limit = int(rng.choice([20000, 50000, 100000, 200000, 400000]))
            habit = rng.uniform()
            status = [
                int(rng.choice([-2, -1, 0, 1, 2, 3], p=[0.1, 0.3, 0.4, 0.1, 0.07, 0.03]))
                if rng.uniform() < habit
                else -1
                for _ in range(6)
            ]
            bills = [int(limit * rng.uniform(0, 1.05)) for _ in range(6)]
            paid = [int(b * rng.uniform(0, 0.3)) if rng.uniform() < 0.8 else 0 for b in bills]
            late = sum(s >= 1 for s in status)
            risk = -2.5 + 1.2 * late + 1.5 * bills[0] / limit
            default = int(rng.uniform() < 1 / (1 + np.exp(-risk)))
            writer.writerow(
                [
                    i + 1, limit, int(rng.choice([1, 2])), int(rng.choice([1, 2, 3])),
                    int(rng.choice([1, 2])), int(rng.integers(21, 70)),
                    *status, *bills, *paid, default,
                ]
            )  # fmt: skip
    return path


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("score")
    raw = taiwan_layout(folder / "taiwan.csv")
    features = folder / "features.csv"
    derived = cli(
        "score", "features", "--source", "taiwan", "--data", str(raw), "--out", str(features)
    )
    assert derived.returncode == 0, derived.stderr
    model, report = folder / "model.json", folder / "report.html"
    result = cli(
        "score", "train", "--data", str(features), "--target", TARGET, "--bad", "1",
        "--protected", "SEX", "--protected", "AGE,MARRIAGE", "--protected", "EDUCATION",
        "--seed", "3",
        "--trained-on", "2026-02-01", "--out", str(model), "--report", str(report),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (folder / "train.stdout").write_text(result.stdout)
    return {"raw": raw, "features": features, "model": model, "report": report, "folder": folder}


def test_features_then_train_writes_the_model_and_the_report(trained: dict[str, Path]) -> None:
    rows = read_csv(trained["features"])
    assert rows[0] == [
        "ID", *sources.TAIWAN_FEATURES, TARGET, *sources.TAIWAN_PROTECTED,
    ]  # fmt: skip
    assert len(rows) == 1201
    card = parse_scorecard(trained["model"].read_text())
    names = {f.name for f in card.features}
    assert names <= set(sources.TAIWAN_FEATURES)
    assert card.metadata["trained_on"] == "2026-02-01" and card.metadata["seed"] == 3
    assert card.metadata["metrics"]["holdout"]["auc"] > 0.65
    assert set(card.metadata["metrics"]["baselines"]) == {"logistic_regression", "lightgbm"}
    assert [c["column"] for c in card.metadata["fairness"]["checks"]] == [
        "SEX", "AGE", "MARRIAGE", "EDUCATION",
    ]  # fmt: skip
    printed = (trained["folder"] / "train.stdout").read_text()
    for shown in ("AUC", "LightGBM", "PSI", "Score bands", "Approval by SEX", "model written"):
        assert shown in printed
    html = trained["report"].read_text()
    assert html.startswith("<!DOCTYPE html>") and "Fairness" in html and "LightGBM" in html
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")


def test_apply_scores_every_row_with_score_and_reasons(trained: dict[str, Path]) -> None:
    scored = trained["folder"] / "scored.csv"
    result = cli(
        "score", "apply", "--model", str(trained["model"]), "--data", str(trained["features"]),
        "--out", str(scored),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    original, rows = read_csv(trained["features"]), read_csv(scored)
    assert rows[0] == [*original[0], "score", "reasons"]
    assert len(rows) == len(original)
    assert [r[:-2] for r in rows] == original
    scores = [int(r[-2]) for r in rows[1:]]
    assert all(300 <= s <= 900 for s in scores)
    assert any(r[-1] for r in rows[1:]) and all(r[-1].count("; ") <= 3 for r in rows[1:])
    assert "warning" not in result.stderr


def test_apply_never_drops_a_row_and_counts_unexpected_values(
    trained: dict[str, Path], tmp_path: Path
) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text(
        "worst_status_12m,utilisation,late_2_24m,note\n"
        "1,0.5,0,plain\n"
        ",lots,0,text in a number\n"
        ",,,all missing\n"
        "2,0.3,,\n"
    )
    scored = tmp_path / "scored.csv"
    result = cli(
        "score", "apply", "--model", str(trained["model"]), "--data", str(odd), "--out", str(scored)
    )
    assert result.returncode == 0, result.stderr
    rows = read_csv(scored)
    assert len(rows) == 5
    assert rows[0] == [
        "worst_status_12m", "utilisation", "late_2_24m", "note", "score", "reasons",
    ]  # fmt: skip
    assert all(r[4].isdigit() for r in rows[1:])
    assert rows[4][:4] == ["2", "0.3", "", ""]
    assert "1 of 4 rows had a value no bin holds" in result.stderr
    assert "absent from odd.csv" in result.stderr


def test_a_tampered_or_other_version_model_is_refused(
    trained: dict[str, Path], tmp_path: Path
) -> None:
    document = json.loads(trained["model"].read_text())
    document["features"][0]["bins"][0]["points"] = "999"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    other = json.loads(trained["model"].read_text())
    other["schema"] = "creditmend.scorecard/v0"
    version = tmp_path / "version.json"
    version.write_text(json.dumps(other))
    for model, message in ((tampered, "checksum"), (version, "schema")):
        out = tmp_path / "out.csv"
        result = cli(
            "score", "apply", "--model", str(model), "--data", str(trained["features"]),
            "--out", str(out),
        )  # fmt: skip
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: --model:")
        assert message in result.stderr
        assert not out.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"--data": "missing.csv"}, "--data"),
        ({"--target": "nope"}, "--target"),
        ({"--bad": "7"}, "--bad"),
        ({"--data": "one_class.csv"}, "--target"),
        ({"--data": "model.json"}, "--data"),
        ({"--data": "binary.csv"}, "--data"),
        ({"--features": "SEX,utilisation"}, "--features"),
        ({"--features": "utilisation,nope"}, "--features"),
        ({"--test-size": "1.5"}, "--test-size"),
        ({"--seed": "x"}, "--seed"),
        ({"--trained-on": "2026-02-30"}, "--trained-on"),
        ({"--bands": "A=500,B=600,C"}, "--bands"),
    ],
)
def test_bad_input_is_one_line_naming_the_field(
    trained: dict[str, Path], change: dict[str, str], field: str
) -> None:
    folder = trained["folder"]
    rows = read_csv(trained["features"])
    with (folder / "one_class.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([rows[0], *(r for r in rows[1:] if r[-5] == "1")])
    (folder / "binary.csv").write_bytes(bytes(range(256)) * 4)
    options = {
        "--data": str(trained["features"]),
        "--target": TARGET,
        "--bad": "1",
        "--protected": "SEX",
        "--out": str(folder / "never.json"),
    }
    options.update({k: str(folder / v) if k == "--data" else v for k, v in change.items()})
    result = cli("score", "train", *(part for item in options.items() for part in item))
    assert result.returncode == 2, result.stdout
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: {field}: ")
    assert not (folder / "never.json").exists()


def test_features_refuses_another_layout_and_bad_numbers(
    trained: dict[str, Path], tmp_path: Path
) -> None:
    result = cli("score", "features", "--source", "taiwan", "--data", str(trained["features"]),
                 "--out", str(tmp_path / "f.csv"))  # fmt: skip
    assert result.returncode == 2 and "no column 'LIMIT_BAL'" in result.stderr
    rows = read_csv(trained["raw"])
    rows[3][rows[0].index("PAY_0")] = "late"
    broken = tmp_path / "broken.csv"
    with broken.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = cli("score", "features", "--source", "taiwan", "--data", str(broken),
                 "--out", str(tmp_path / "f.csv"))  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == "error: line 4: --data: PAY_0: 'late' is not a number"
    assert not (tmp_path / "f.csv").exists()
    result = cli("score", "features", "--source", "german", "--data", str(broken),
                 "--out", str(tmp_path / "f.csv"))  # fmt: skip
    assert result.returncode == 2 and result.stderr.startswith("error: --source:")


BLOCK_TRAINING = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("optbinning", "sklearn"):
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Block())
from creditmend.interfaces.cli.app import app
app(sys.argv[1:])
"""


def test_without_the_train_extra_the_error_names_it(trained: dict[str, Path]) -> None:
    result = cli(
        "score", "train", "--data", str(trained["features"]), "--target", TARGET, "--bad", "1",
        "--out", str(trained["folder"] / "never.json"), python=("-c", BLOCK_TRAINING),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: creditmend[train]: scorecard training needs optbinning, scikit-learn: "
        "pip install 'creditmend[train]'"
    )


# ---------------------------------------------------------------- refused before any work
def plain_table(path: Path, extra: dict[str, list[str]] | None = None, rows: int = 600) -> Path:
    """`id,x1,x2,c,sex,y` with random values, y bad or good; `extra` adds columns."""
    rng = np.random.default_rng(5)
    extra = extra or {}
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "x1", "x2", "c", "sex", "y", *extra])
        for i in range(rows):
            x1 = float(rng.normal())
            writer.writerow(
                [
                    i, f"{x1:.3f}", f"{rng.uniform(0, 100):.1f}", str(rng.choice(["a", "b", "c"])),
                    str(rng.choice(["M", "F"])), "bad" if rng.uniform() < 1 / (1 + np.exp(1 - x1))
                    else "good", *(cells[i % len(cells)] for cells in extra.values()),
                ]
            )  # fmt: skip
    return path


def train_args(data: Path, out: Path, *more: str) -> list[str]:
    return [
        "score", "train", "--data", str(data), "--target", "y", "--bad", "bad", "--protected",
        "sex", "--no-baselines", "--out", str(out), *more,
    ]  # fmt: skip


def one_line(result: Done, field: str) -> str:
    assert result.returncode == 2, result.stdout
    stderr = result.stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    assert re.match(rf"error: (line \d+: )?{field}: ", stderr), stderr
    return stderr


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--max-prebins", "0"),
        ("--max-prebins", "1"),
        ("--min-prebin-size", "0"),
        ("--min-prebin-size", "2"),
        ("--min-prebin-size", "0.51"),
        ("--min-bin-size", "0.9"),
        ("--min-bin-size", "-1"),
        ("--min-bin-size", "0"),
        ("--seed", "-1"),
        ("--seed", "99999999999999999999"),
        ("--seed", str(2**32)),
    ],
)
def test_train_options_out_of_range_name_the_option(
    tmp_path: Path, option: str, value: str
) -> None:
    data, out = plain_table(tmp_path / "train.csv"), tmp_path / "o.json"
    one_line(run(*train_args(data, out, option, value)), option)
    assert not out.exists()


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ([""], "'x3' holds no value in any row"),
        (["nan", ""], "'x3' holds no value in any row"),
        (["1e308", "-1e308"], "'x3' holds '1e308', beyond the training's range"),
        (["5", "1e400"], "'x3' holds '1e400', beyond the training's range"),
    ],
)
def test_train_refuses_a_column_it_cannot_train_on(
    tmp_path: Path, cells: list[str], message: str
) -> None:
    data, out = plain_table(tmp_path / "train.csv", {"x3": cells}), tmp_path / "o.json"
    assert message in one_line(run(*train_args(data, out)), "--data")
    assert not out.exists()


def test_a_training_library_value_error_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from creditmend.adapters.training import fit  # noqa: PLC0415

    def broken(*_: object, **__: object) -> None:
        raise ValueError("Input X contains infinity\nsecond line")

    monkeypatch.setattr(fit, "fit", broken)
    data, out = plain_table(tmp_path / "train.csv"), tmp_path / "o.json"
    stderr = one_line(run(*train_args(data, out)), "--data")
    assert stderr == "error: --data: train.csv: Input X contains infinity\n"


def test_out_that_is_a_folder_or_in_no_folder_is_refused_first(
    trained: dict[str, Path], tmp_path: Path
) -> None:
    data = plain_table(tmp_path / "train.csv")
    folder = tmp_path / "folder"
    folder.mkdir()
    for out, said in ((folder, "is a folder"), (tmp_path / "none" / "o.json", "no such folder")):
        for args in (
            train_args(data, out),
            ["score", "apply", "--model", str(trained["model"]), "--data",
             str(trained["features"]), "--out", str(out)],
            ["score", "features", "--source", "taiwan", "--data", str(trained["raw"]),
             "--out", str(out)],
        ):  # fmt: skip
            assert said in one_line(run(*args), "--out")
    # checked before the data is read: a missing file is not what is said
    result = run(*train_args(tmp_path / "missing.csv", folder))
    assert "is a folder" in one_line(result, "--out")
    report = train_args(data, tmp_path / "o.json", "--report", str(folder))
    assert "is a folder" in one_line(run(*report), "--report")
    assert not (tmp_path / "o.json").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("worst_status_12m,utilisation,worst_status_12m\n1,0.5,2\n", "appears twice"),
        ("worst_status_12m,utilisation\n1,0.5\n2\n", "a different number of fields"),
        ('worst_status_12m,utilisation\n1,"0.5\n2,0.3\n', "unexpected end of data"),
    ],
)
def test_apply_refuses_what_train_refuses(
    trained: dict[str, Path], tmp_path: Path, text: str, message: str
) -> None:
    data, out = tmp_path / "odd.csv", tmp_path / "scored.csv"
    data.write_text(text)
    result = run(
        "score", "apply", "--model", str(trained["model"]), "--data", str(data), "--out", str(out)
    )
    assert message in one_line(result, "--data")
    assert not out.exists()


def test_features_names_the_column_out_of_range(trained: dict[str, Path], tmp_path: Path) -> None:
    rows = read_csv(trained["raw"])
    for value in ("1e400", "1e-400"):
        rows[5][rows[0].index("LIMIT_BAL")] = value
        broken = tmp_path / "broken.csv"
        with broken.open("w", newline="") as handle:
            csv.writer(handle).writerows(rows)
        result = run("score", "features", "--source", "taiwan", "--data", str(broken),
                     "--out", str(tmp_path / "f.csv"))  # fmt: skip
        assert result.returncode == 2
        assert result.stderr == f"error: line 6: --data: LIMIT_BAL: '{value}' is out of range\n"
        assert not (tmp_path / "f.csv").exists()


def test_the_training_datas_names_are_shown_never_obeyed(
    trained: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column, a group or the data's name comes from the training file: printed as written
    (escaped where it holds controls), never read as Rich markup or sent to the terminal raw."""
    from rich.console import Console  # noqa: PLC0415

    from creditmend.interfaces.cli import score  # noqa: PLC0415

    card = parse_scorecard(trained["model"].read_text())
    meta = card.metadata
    meta["data"]["name"] = "[bold red]data\x1b]0;pwned\x07"
    meta["fairness"]["checks"][0]["column"] = "[blink]SEX"
    meta["fairness"]["checks"][0]["groups"][0]["group"] = "[red]g\x1b[2J"
    meta["problems"] = ["[green]fine\u202e"]
    shown = Console(record=True, width=400, highlight=False)
    monkeypatch.setattr(score, "_out", shown)
    score._print_evaluation(card)
    text = shown.export_text()
    for written in (
        "[bold red]data\\x1b]0;pwned\\x07",
        "Approval by [blink]SEX",
        "[red]g\\x1b[2J",
        "problem: [green]fine\\u202e",
    ):
        assert written in text
    assert not {"\x1b", "\x07", "\u202e"} & set(text)
