"""Mangled loan files end in problems, never in another exception (which would be a traceback)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditmend.bootstrap import build
from creditmend.domain.problems import Problem, ProblemsError

pytestmark = pytest.mark.slow  # hundreds of mangled files (make test runs it)

EXAMPLE = (Path(__file__).parents[2] / "examples" / "jiebei-overdue.yaml").read_text("utf-8")
LINES = EXAMPLE.splitlines()
HUABEI = (Path(__file__).parents[2] / "examples" / "huabei.yaml").read_text("utf-8").splitlines()
LOANS = build().loans

nasty = st.sampled_from(
    [
        "",
        "-",
        ":",
        "{",
        "[",
        "!!float x",
        "~",
        "null",
        "1e99999",
        "-0",
        "2026-02-30",
        "9999-12-31",
        '""',
        "'",
        "0x10",
        "1_000",
        "true",
        "*a",
        "&a x",
        "? x",
        "%",
        "\t",
        "   - 1",
        "on: yes",
    ]
) | st.text(max_size=12)


@st.composite
def mangled(draw: st.DrawFn, source: list[str] = LINES) -> str:
    lines = list(source)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "replace_value", "insert", "duplicate"]))
        if action == "drop":
            del lines[index]
        elif action == "replace_value" and ":" in lines[index]:
            key = lines[index].split(":", 1)[0]
            lines[index] = f"{key}: {draw(nasty)}"
        elif action == "insert":
            lines.insert(index, draw(nasty))
        else:
            lines.insert(index, lines[index])
        if not lines:
            lines = [""]
    return "\n".join(lines) + "\n"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=mangled())
def test_mangled_files_give_problems_or_a_state(tmp_path: Path, text: str) -> None:
    path = tmp_path / "loan.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    problems = _problems_of(path)
    assert all(p.field and p.message for p in problems)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=mangled(HUABEI))
def test_mangled_revolving_files_give_problems_or_a_state(tmp_path: Path, text: str) -> None:
    path = tmp_path / "huabei.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    problems = _problems_of(path, date(2026, 12, 7))
    assert all(p.field and p.message for p in problems)


def _problems_of(path: Path, as_of: date = date(2026, 6, 30)) -> tuple[Problem, ...]:
    """Nothing when the file simulates; its problems when it does not; anything else raises."""
    try:
        LOANS.simulate_file(path, as_of)
    except ProblemsError as error:
        return error.problems
    return ()
