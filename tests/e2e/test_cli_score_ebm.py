"""`creditmend score train --model ebm` then `score apply` through the command: the EBM's model
file is the points-table JSON the scorer reads, and bad model options are one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from test_cli_score import TARGET, read_csv, taiwan_layout

from creditmend.domain.scoring.scorecard import parse_scorecard


@pytest.fixture(scope="module")
def features(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ebm")
    out = folder / "features.csv"
    derived = cli(
        "score", "features", "--source", "taiwan",
        "--data", str(taiwan_layout(folder / "taiwan.csv")), "--out", str(out),
    )  # fmt: skip
    assert derived.returncode == 0, derived.stderr
    return out


@pytest.mark.slow
def test_train_an_ebm_then_apply_it(features: Path, tmp_path: Path) -> None:
    model, report, scored = tmp_path / "ebm.json", tmp_path / "ebm.html", tmp_path / "scored.csv"
    trained = cli(
        "score", "train", "--model", "ebm", "--data", str(features), "--target", TARGET,
        "--bad", "1", "--protected", "SEX", "--interactions", "2", "--outer-bags", "2",
        "--max-bins", "32", "--no-baselines", "--trained-on", "2026-02-01",
        "--out", str(model), "--report", str(report),
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    assert "EBM on features.csv" in trained.stdout and "EBM, hold-out" in trained.stdout
    card = parse_scorecard(model.read_text())
    assert card.metadata["model"]["kind"] == "ebm" and len(card.interactions) <= 2
    assert card.metadata["metrics"]["holdout"]["auc"] > 0.65
    assert "Pair tables" in report.read_text() or not card.interactions

    applied = cli(
        "score", "apply", "--model", str(model), "--data", str(features), "--out", str(scored)
    )
    assert applied.returncode == 0, applied.stderr
    original, rows = read_csv(features), read_csv(scored)
    assert rows[0] == [*original[0], "score", "reasons"] and len(rows) == len(original)
    assert all(300 <= int(r[-2]) <= 900 for r in rows[1:])
    assert any(r[-1] for r in rows[1:])


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--model", "foo"), "error: --model: 'foo' is not one of scorecard, ebm"),
        (("--interactions", "3"), "error: --interactions: applies to --model ebm only"),
        (("--model", "ebm", "--outer-bags", "x"), "error: --outer-bags: 'x' is not a whole number"),
        (("--model", "ebm", "--max-bins", "1"), "error: --max-bins: 1 is below 3"),
    ],
)
def test_bad_model_options_are_one_line_exit_2(
    features: Path, tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    out = tmp_path / "model.json"
    result = cli(
        "score", "train", "--data", str(features), "--target", TARGET, "--bad", "1",
        "--out", str(out), *args,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == said
    assert not out.exists()
