"""Ports the services need from the outside world; adapters implement them structurally."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.loan.cost import RootFinder


class DocumentReader(Protocol):
    def __call__(self, path: Path) -> tuple[Any, dict[str, int]]:
        """A file's plain content and the line of each dotted field path."""


__all__ = ["BusinessCalendar", "DocumentReader", "RootFinder"]
