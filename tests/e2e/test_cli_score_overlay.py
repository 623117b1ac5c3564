"""`creditmend score overlay` through the command: the shipped overlay added to the shipped
model's trained part gives the shipped model byte for byte, re-checksummed; a feature the model
has (the shipped model has the overlay already), or a bad overlay file, is a one-line error naming
the field, exit 2, and nothing is written."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources
from pathlib import Path

from in_process import cli

from creditmend.domain.scoring.scorecard import parse_scorecard, scorecard_text
from creditmend.models import default_scorecard

MODELS = resources.files("creditmend.models")
MODEL = str(MODELS.joinpath("default_scorecard.json"))
OVERLAY = str(MODELS.joinpath("overlay.json"))


def trained_part(path: Path) -> Path:
    """The shipped model as `make model`'s `score overlay` step read it: without the overlay's
    features, knock-outs and record, written checksummed."""
    card = default_scorecard()
    part = replace(
        card,
        features=tuple(f for f in card.features if f.source != "overlay"),
        knockouts=(),
        metadata={k: v for k, v in card.metadata.items() if k != "overlay"},
    )
    path.write_text(scorecard_text(part), "utf-8")
    return path


def test_the_overlay_is_added_and_a_second_time_refused(tmp_path: Path) -> None:
    part = trained_part(tmp_path / "combined.json")
    assert parse_scorecard(part.read_text("utf-8")).knockouts == ()
    out = tmp_path / "model.json"
    done = cli("score", "overlay", "--model", str(part), "--overlay", OVERLAY, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "5 overlay feature(s) and 1 knock-out rule(s) added" in done.stdout
    card = parse_scorecard(out.read_text("utf-8"))  # the checksum holds
    assert next(f.name for f in card.features if f.source == "overlay") == "hard_inquiries_90d"
    assert card.metadata["overlay"]["knockouts"][0]["band"] == "D"
    assert out.read_bytes() == Path(MODEL).read_bytes()  # what `make model` shipped
    again = tmp_path / "again.json"
    twice = cli("score", "overlay", "--model", MODEL, "--overlay", OVERLAY, "--out", str(again))
    assert twice.returncode == 2
    assert twice.stderr == (
        f"error: --overlay: {OVERLAY}: components[0].feature: the model already has "
        "'hard_inquiries_90d'\n"
    )
    assert not again.exists()


def test_a_bad_overlay_file_names_the_field(tmp_path: Path) -> None:
    document = json.loads(Path(OVERLAY).read_text("utf-8"))
    document["components"][1]["bins"][2]["relative_risk"] = "1.1"
    bad = tmp_path / "overlay.json"
    bad.write_text(json.dumps(document), "utf-8")
    out = tmp_path / "model.json"
    model = str(trained_part(tmp_path / "combined.json"))
    done = cli("score", "overlay", "--model", model, "--overlay", str(bad), "--out", str(out))
    assert done.returncode == 2
    assert done.stderr == (
        f"error: --overlay: {bad}: components[1].bins[2].relative_risk: 1.1 is below the bin "
        "before's 1.2: the overlay must not reward a higher count\n"
    )
    missing = cli("score", "overlay", "--model", model, "--overlay", str(tmp_path / "no.json"),
                  "--out", str(out))  # fmt: skip
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: --overlay: ") and "no such file" in missing.stderr
    assert not out.exists()
