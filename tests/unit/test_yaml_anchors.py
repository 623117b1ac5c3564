"""Loan and plan files are data, not object graphs: the YAML reader refuses anchors and aliases
(a nest of aliases, the "billion laughs", would otherwise expand into a tree too big to walk)
at the line of the first one, and the examples use none."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.domain.problems import ProblemsError

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))
MESSAGE = "YAML anchors and aliases are not accepted"


def bomb(levels: int) -> str:
    """`a: &a [x x 9 times]`, then each level a list of 9 aliases of the one before."""
    lines = ["a: &a [" + ", ".join(['"x"'] * 9) + "]"]
    names = "abcdefghij"
    for level in range(1, levels):
        previous = names[level - 1]
        lines.append(f"{names[level]}: &{names[level]} [" + ", ".join([f"*{previous}"] * 9) + "]")
    lines.append(f"loans: *{names[levels - 1]}")
    return "\n".join(lines) + "\n"


def _problem(tmp_path: Path, text: str) -> str:
    path = tmp_path / "plan.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ProblemsError) as caught:
        read_yaml_with_lines(path)
    (problem,) = caught.value.problems
    return str(problem)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("loans:\n  - &first {id: a}\n  - *first\n", 2),  # an anchor on line 2, used on line 3
        ("x: 1\ny: *undefined\n", 2),  # an alias alone (PyYAML would say "undefined alias")
        ("x: 1\n\ny: &lonely 5\n", 3),  # an anchor never used is refused as well
        ("? &k key\n: value\n", 1),  # on a key
        ("--- &doc\nloans: []\n", 1),  # on the document's root
    ],
)
def test_anchors_and_aliases_are_refused_at_their_line(
    tmp_path: Path, text: str, line: int
) -> None:
    assert _problem(tmp_path, text) == f"line {line}: file: {MESSAGE}"


@pytest.mark.parametrize("levels", [3, 8])  # 9**8 leaves: before the check, killed after 90 s
def test_an_alias_bomb_is_refused_at_once(tmp_path: Path, levels: int) -> None:
    began = time.perf_counter()
    assert _problem(tmp_path, bomb(levels)) == f"line 1: file: {MESSAGE}"
    assert time.perf_counter() - began < 2


def test_ampersands_and_stars_in_text_are_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text('name: "&a *b"\nnote: A & B * C\n', "utf-8")
    document, lines = read_yaml_with_lines(path)
    assert document == {"name": "&a *b", "note": "A & B * C"}
    assert lines == {"name": 1, "note": 2}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_the_examples_use_no_anchors(example: Path) -> None:
    document, _ = read_yaml_with_lines(example)
    assert isinstance(document, dict)


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 2
