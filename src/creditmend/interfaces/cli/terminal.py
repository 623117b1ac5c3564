"""Stored text on the terminal: shown, never obeyed.

What the bureau stores came from outside (a furnisher's name, an account number, a consent
reference, a court's name, a reason). The door (`domain/text.py`) refuses control characters
and direction marks in it today, but a store can hold text from before the door, or written by
other means. Every command prints such text through this module: each character the door
refuses is shown as a visible escape (`\\x1b`, `\\u202e`), and the text is a Rich `Text`, never
markup, so `[bold]` in a name is printed as it is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar, cast

from rich.text import Text

from creditmend.domain.text import escaped, json_escaped

T = TypeVar("T")


def plain(value: object, style: str = "") -> Text:
    """A value as terminal text: escaped (`domain.text.escaped`), never read as markup."""
    return Text(escaped(str(value)), style)


def json_text(data: object, indent: int | None = None) -> str:
    """`data` as JSON for the terminal or a file a person may print: Chinese kept readable,
    every character the door refuses as a `\\uXXXX` escape (`domain.text.json_escaped`)."""
    return json_escaped(json.dumps(data, ensure_ascii=False, indent=indent))


def plain_lines(text: str) -> str:
    """A multi-line text made here (a letter, a summary) that quotes stored text: each line
    escaped, the line ends kept. Printed with `print` or `markup=False`."""
    return "\n".join(escaped(line) for line in text.split("\n"))


def plain_model(model: T) -> T:
    """A view model (dataclasses, tuples, mappings) with every text in it escaped, so that a
    renderer that prints its fields as `Text` shows them safely. Enumerations, numbers and
    dates are left as they are."""
    return cast(T, _escaped(model))


def _escaped(value: Any) -> Any:
    if type(value) is str:  # not a StrEnum member: those are the program's own words
        return escaped(value)
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_escaped(item) for item in value)
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    if isinstance(value, Mapping):
        return {_escaped(key): _escaped(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _escaped(getattr(value, f.name)) for f in fields(value) if f.init}
        return replace(value, **changes)
    return value
