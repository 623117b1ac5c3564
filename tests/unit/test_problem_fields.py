"""Problems name domain fields below the interfaces; the command line says them as its options.

The services are shared by the command line, the API and the portal: a problem that named
`--reason` would be wrong on the two others. Only `interfaces/cli/errors.py` knows the options.
"""

from __future__ import annotations

import ast
from pathlib import Path

from creditmend.domain.problems import FieldError, Problem
from creditmend.interfaces.cli.errors import OPTION_OF, as_typed

SOURCE = Path(__file__).parents[2] / "src" / "creditmend"
NAMED = ("Problem", "MoneyError", "LedgerError", "WhatIfError", "FieldError", "_fail")


def _field_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """The first argument of every call that names a field, where it is a literal."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        first = node.args[0]
        if name in NAMED and isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.append((node.lineno, first.value))
        elif name in NAMED and isinstance(first, ast.JoinedStr) and first.values:
            head = first.values[0]
            if isinstance(head, ast.Constant):
                found.append((node.lineno, str(head.value)))
    return found


def test_no_problem_below_the_interfaces_names_an_option() -> None:
    offenders = [
        f"{path.relative_to(SOURCE)}:{line}: {field}"
        for path in SOURCE.rglob("*.py")
        if "interfaces" not in path.parts
        for line, field in _field_literals(ast.parse(path.read_text(encoding="utf-8")))
        if field.startswith("-")
    ]
    assert offenders == []


def test_the_command_line_says_a_domain_field_as_its_option() -> None:
    assert str(as_typed(Problem("objection.reason", "no", 3))) == "line 3: --reason: no"
    assert as_typed(Problem("contract.principal", "no")).field == "contract.principal"
    assert all(option.startswith("--") or option.isupper() for option in OPTION_OF.values())
    assert all(not field.startswith("-") for field in OPTION_OF)


def test_a_field_error_keeps_its_field_apart_from_its_words() -> None:
    error = FieldError("amount", "'x: y' is not a decimal number")
    assert (error.field, error.message) == ("amount", "'x: y' is not a decimal number")
    assert error.problem("events[2].") == Problem("events[2].amount", error.message)
    assert str(error) == "amount: 'x: y' is not a decimal number"
