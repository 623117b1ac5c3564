"""A misspelt key in a loan or plan file stops the command: one line naming the key, its line and
the key it was probably meant to be, exit status 2 (in process, Typer's runner)."""

from __future__ import annotations

from pathlib import Path

from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_a_misspelt_key_in_a_loan_file(tmp_path: Path) -> None:
    text = (EXAMPLES / "jiebei-overdue.yaml").read_text("utf-8")
    path = tmp_path / "loan.yaml"
    path.write_text(text.replace("    multiplier:", "    multipler:"), "utf-8")
    done = cli("loan", "simulate", str(path), "--as-of", "2026-06-30")
    assert done.returncode == 2
    assert done.stderr == (
        "error: line 23: contract.penalty.multipler: unknown key; did you mean multiplier?\n"
    )


def test_a_misspelt_key_in_a_plan_file(tmp_path: Path) -> None:
    text = (EXAMPLES / "plan.yaml").read_text("utf-8")
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace("  keep_buffer: true", "  keep_bufer: true"), "utf-8")
    line = text[: text.index("  keep_buffer: true")].count("\n") + 1
    done = cli("plan", str(path), "--as-of", "2026-07-01", "--no-bridging")
    assert done.returncode == 2
    assert done.stderr == (
        f"error: line {line}: preferences.keep_bufer: unknown key; did you mean keep_buffer?\n"
    )
