"""`creditmend score combine` through the command: a feature of a second model added to the core,
centred, written re-checksummed (also over the core's own file); a name the other model lacks or
the core has, an empty list, or a model of other scaling is a one-line error naming the option,
exit 2, and nothing is written."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from in_process import Done, cli

from creditmend.domain.scoring.scorecard import (
    Band,
    Bin,
    Feature,
    Scaling,
    Scorecard,
    parse_scorecard,
    scorecard_text,
)

D = Decimal


def _card(name: str, points: tuple[str, str], counts: tuple[int, int], data: str) -> Scorecard:
    feature = Feature(
        name,
        "numeric",
        f"the {name}",
        f"{name} is {{value}}",
        (
            Bin("[-inf, 1)", D(points[0]), None, D(1), count=counts[0]),
            Bin("[1, inf)", D(points[1]), D(1), None, count=counts[1]),
            Bin("missing", D("9"), missing=True),
            Bin("other", D("9"), other=True),
        ),
    )
    bands = (Band("A", 650), Band("B", 300))
    return Scorecard((feature,), Scaling(), bands, {"data": {"name": data, "sha256": "0" * 64}})


def _files(tmp_path: Path, other_scaling: Scaling | None = None) -> tuple[Path, Path]:
    core = tmp_path / "core.json"
    core.write_text(scorecard_text(_card("late", ("700", "600"), (9, 1), "h.csv")), "utf-8")
    other = tmp_path / "taiwan.json"
    card = _card("utilisation", ("140", "120"), (3, 1), "t.csv")
    card = replace(card, scaling=other_scaling or Scaling())
    other.write_text(scorecard_text(card), "utf-8")
    return core, other


def _combine(core: Path, other: Path, features: str, out: Path) -> Done:
    return cli("score", "combine", "--model", str(core), "--from", str(other),
               "--features", features, "--out", str(out))  # fmt: skip


def test_a_component_is_added_centred_and_may_overwrite_the_core(tmp_path: Path) -> None:
    core, other = _files(tmp_path)
    out = tmp_path / "combined.json"
    done = _combine(core, other, "utilisation", out)
    assert done.returncode == 0, done.stderr
    # mean (140*3 + 120) / 4 = 135
    assert done.stdout.splitlines()[0] == "utilisation: shift -135.00 points"
    card = parse_scorecard(out.read_text("utf-8"))  # the checksum holds
    added = card.features[-1]
    assert (added.name, added.source) == ("utilisation", "component:t.csv")
    assert [str(b.points) for b in added.bins] == ["5.00", "-15.00", "0.00", "0.00"]
    assert card.metadata["components"][0]["features"][0]["shift"] == "-135.00"
    in_place = _combine(core, other, "utilisation", core)
    assert in_place.returncode == 0, in_place.stderr
    assert core.read_bytes() == out.read_bytes()  # the same inputs, the same bytes


def test_refusals_name_the_option_and_write_nothing(tmp_path: Path) -> None:
    core, other = _files(tmp_path)
    out = tmp_path / "combined.json"
    unknown = _combine(core, other, "income", out)
    assert (unknown.returncode, unknown.stderr) == (
        2,
        "error: --features: 'income' is not a feature of the other model (it has utilisation)\n",
    )
    own = _combine(core, core, "late", out)
    assert (own.returncode, own.stderr) == (
        2,
        "error: --features: 'late': the core already has it\n",
    )
    empty = _combine(core, other, " , ", out)
    assert (empty.returncode, empty.stderr) == (
        2,
        "error: --features: give at least one feature of the other model\n",
    )
    _, scaled = _files(tmp_path, Scaling(pdo=40))
    units = _combine(core, scaled, "utilisation", out)
    assert (units.returncode, units.stderr) == (
        2,
        "error: --from: scaling.pdo: 40 in the other model, 20 in the core: the points are not "
        "in the same units\n",
    )
    missing = _combine(core, tmp_path / "no.json", "utilisation", out)
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: --from: ") and "no such file" in missing.stderr
    other.write_text(other.read_text("utf-8").replace('"140"', '"141"'), "utf-8")
    changed = _combine(core, other, "utilisation", out)
    assert changed.returncode == 2
    assert changed.stderr.startswith("error: --from: ") and "checksum" in changed.stderr
    assert not out.exists()
