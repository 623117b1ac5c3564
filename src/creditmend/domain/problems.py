"""Problems as values: validations return every problem at once instead of stopping at the first."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, naming the field it is about."""

    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.field}: {self.message}"


class ProblemsError(ValueError):
    """Raised at a boundary when validation found problems; carries all of them."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class FieldError(ValueError):
    """One value refused, naming its field. The field and the message are kept apart so that
    whoever turns the error into a `Problem` (a path prefix, a line) never parses the text."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def problem(self, prefix: str = "", line: int | None = None) -> Problem:
        """The error as a problem, its field under `prefix` (e.g. `events[2].`)."""
        return Problem(f"{prefix}{self.field}", self.message, line)


class ConcurrentWriteError(Exception):
    """Another writer took the same rows first (a unique key made meanwhile, a deadlock, a
    serialisation failure): the store rolled the unit of work back whole, and it can be run
    again as it was."""
