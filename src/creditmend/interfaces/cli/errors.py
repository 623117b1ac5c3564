"""Bad input ends with one line per problem on stderr and exit status 2, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from creditmend.domain.money import MoneyError
from creditmend.domain.problems import Problem, ProblemsError

INPUT_ERROR = 2
_stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(problems: tuple[Problem, ...] | list[Problem]) -> typer.Exit:
    for problem in problems:
        _stderr.print(f"error: {problem}", markup=False)
    return typer.Exit(INPUT_ERROR)


@contextmanager
def input_errors() -> Iterator[None]:
    try:
        yield
    except ProblemsError as error:
        raise fail(error.problems) from None
    except MoneyError as error:
        field, _, message = str(error).partition(": ")
        raise fail([Problem(field, message)]) from None
