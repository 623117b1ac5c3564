"""`creditmend score report` through the command: a model built by `score combine` and `score
overlay` rendered from its file alone, naming each feature's source, the knock-out rule and the
overlay's sources; a missing or tampered model is a one-line error naming --model, exit 2, and
nothing is written."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources
from pathlib import Path

from in_process import cli

from creditmend.domain.scoring.scorecard import (
    Band,
    Bin,
    Feature,
    Scaling,
    Scorecard,
    scorecard_text,
)

D = Decimal
OVERLAY = str(resources.files("creditmend.models").joinpath("overlay.json"))


def _card(name: str, points: tuple[str, str], data: str) -> Scorecard:
    feature = Feature(
        name,
        "numeric",
        f"the {name}",
        f"{name} is {{value}}",
        (
            Bin("[-inf, 1)", D(points[0]), None, D(1), count=3),
            Bin("[1, inf)", D(points[1]), D(1), None, count=1),
            Bin("missing", D(0), missing=True),
            Bin("other", D(0), other=True),
        ),
    )
    bands = (Band("A", 650), Band("B", 600), Band("C", 300))
    return Scorecard((feature,), Scaling(), bands, {"data": {"name": data, "sha256": "0" * 64}})


def _built(folder: Path) -> Path:
    """core (h.csv) + utilisation from t.csv + the shipped overlay, through the commands."""
    core, other = folder / "core.json", folder / "t.json"
    core.write_text(scorecard_text(_card("late", ("700", "600"), "h.csv")), "utf-8")
    other.write_text(scorecard_text(_card("utilisation", ("140", "120"), "t.csv")), "utf-8")
    combined, final = folder / "c.json", folder / "final.json"
    steps = (
        ("combine", "--model", str(core), "--from", str(other), "--features", "utilisation",
         "--out", str(combined)),
        ("overlay", "--model", str(combined), "--overlay", OVERLAY, "--out", str(final)),
    )  # fmt: skip
    for step in steps:
        done = cli("score", *step)
        assert done.returncode == 0, done.stderr
    return final


def test_the_report_names_each_source_the_rule_and_the_overlay_sources(tmp_path: Path) -> None:
    model, out = _built(tmp_path), tmp_path / "report.html"
    done = cli("score", "report", "--model", str(model), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"report written to {out}\n"
    html = out.read_text("utf-8")
    assert '<h3 id="feature-late">late <span class="src trained">trained</span>' in html
    assert 'utilisation <span class="src component">component</span>' in html
    assert "<strong>t.csv</strong>: that model's points plus a shift of <strong>-135.00" in html
    for name in ("hard_inquiries_90d", "institutions_90d", "court_records"):
        assert f'{name} <span class="src overlay">overlay</span>' in html
    assert "If <strong>dishonest_debtor</strong>" in html
    assert "no better than <strong>B</strong>" in html  # the second-worst of A, B, C
    shipped = json.loads(Path(OVERLAY).read_text("utf-8"))["sources"]
    for key, source in shipped.items():
        assert f'id="source-{key}"' in html
        assert source["title"].replace("'", "&#39;") in html
    assert "<script" not in html


def test_a_missing_or_tampered_model_is_one_line_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    absent = tmp_path / "none.json"
    missing = cli("score", "report", "--model", str(absent), "--out", str(out))
    assert (missing.returncode, missing.stderr) == (2, f"error: --model: {absent}: no such file\n")
    model = _built(tmp_path)
    document = json.loads(model.read_text("utf-8"))
    document["metadata"]["overlay"]["sources"]["fico_booklet"]["figure"] = "twice as likely"
    model.write_text(json.dumps(document), "utf-8")
    tampered = cli("score", "report", "--model", str(model), "--out", str(out))
    assert tampered.returncode == 2
    assert tampered.stderr == (
        f"error: --model: {model}: checksum: the file was changed after training; "
        "retrain or restore it\n"
    )
    assert not out.exists()
