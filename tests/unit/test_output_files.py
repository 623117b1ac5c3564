"""The one way the product writes a file (`services/output_files.py`): a temporary file in the
same folder, owner-only, renamed into place; a symbolic link at the target refused; a failure
removes the temporary file and leaves the previous file whole."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from creditmend.domain.problems import ProblemsError
from creditmend.services.output_files import make_folder, staging, write_file, writing


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_a_file_is_written_owner_only_and_replaces_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    write_file(target, "new", "--out")
    assert target.read_text(encoding="utf-8") == "new"
    assert _mode(target) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_symbolic_link_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    theirs = tmp_path / "theirs.txt"
    theirs.write_text("theirs", encoding="utf-8")
    link = tmp_path / "report.txt"
    link.symlink_to(theirs)
    with pytest.raises(ProblemsError, match="is a symbolic link") as refused:
        write_file(link, "mine", "--out")
    assert refused.value.problems[0].field == "--out"
    assert theirs.read_text(encoding="utf-8") == "theirs"
    assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt", "theirs.txt"]


def test_a_failure_while_writing_leaves_the_previous_file_and_no_temporary(
    tmp_path: Path,
) -> None:
    target = tmp_path / "features.csv"
    target.write_text("good\n", encoding="utf-8")

    def fill_the_disk() -> None:
        with writing(target, "--out") as handle:
            handle.write("half")
            raise OSError(28, "No space left on device")

    with pytest.raises(ProblemsError) as failed:
        fill_the_disk()
    assert str(failed.value) == f"--out: cannot write {target}: No space left on device"
    assert target.read_text(encoding="utf-8") == "good\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["features.csv"]


def test_a_missing_folder_is_one_problem_naming_the_path(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "report.pdf"
    with pytest.raises(ProblemsError, match=f"cannot write {target}: No such file"):
        write_file(target, b"%PDF", "--out")


def test_folders_are_made_owner_only(tmp_path: Path) -> None:
    make_folder(tmp_path / "a" / "b", "--letters")
    assert _mode(tmp_path / "a") == 0o700
    assert _mode(tmp_path / "a" / "b") == 0o700


def test_a_staged_run_is_published_whole_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "population"
    with staging(out, "synth.out") as stage:
        (stage / "cmf" / "F1").mkdir(parents=True)
        (stage / "cmf" / "F1" / "2024-01.jsonl").write_text("one\n", encoding="utf-8")
        (stage / "manifest.json").write_text("{}\n", encoding="utf-8")
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [
        "cmf", "cmf/F1", "cmf/F1/2024-01.jsonl", "manifest.json",
    ]  # fmt: skip
    assert {_mode(p) for p in out.rglob("*") if p.is_file()} == {0o600}
    assert {_mode(p) for p in (out, out / "cmf", out / "cmf" / "F1")} == {0o700}

    def fail_midway() -> None:
        with staging(out, "synth.out") as stage:
            (stage / "manifest.json").write_text("{half", encoding="utf-8")
            raise OSError(27, "File too large")

    with pytest.raises(ProblemsError, match=f"cannot write {out}: File too large"):
        fail_midway()
    assert (out / "manifest.json").read_text(encoding="utf-8") == "{}\n"
    assert sorted(p.name for p in out.iterdir()) == ["cmf", "manifest.json"]


def test_a_staged_run_refuses_a_link_among_its_targets_before_moving_any(tmp_path: Path) -> None:
    out = tmp_path / "batch"
    out.mkdir()
    theirs = tmp_path / "theirs.parquet"
    theirs.write_text("theirs", encoding="utf-8")
    (out / "platforms.parquet").symlink_to(theirs)

    def publish_over_the_link() -> None:
        with staging(out, "batch.out") as stage:
            (stage / "indicators.parquet").write_text("new", encoding="utf-8")
            (stage / "platforms.parquet").write_text("new", encoding="utf-8")

    with pytest.raises(ProblemsError, match="is a symbolic link"):
        publish_over_the_link()
    assert theirs.read_text(encoding="utf-8") == "theirs"
    assert sorted(p.name for p in out.iterdir()) == ["platforms.parquet"]
