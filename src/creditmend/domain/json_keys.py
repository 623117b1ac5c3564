"""JSON objects read from files with every key once.

The standard library (and orjson) keep the last of two equal keys without a word; in a
furnishing record, a correction or a piece of evidence that silently picks one of two values
(`{"days_past_due": 0, "days_past_due": 45}`) is worse than a refusal. Readers pass
`unique_keys` as `object_pairs_hook` and report `DuplicateKeyError` as the field's problem, as
the YAML reader reports a key that appears twice.
"""

from __future__ import annotations

from typing import Any


class DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"{key} appears twice")
        self.key = key


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An `object_pairs_hook` for `json.loads`: the object, or `DuplicateKeyError`."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKeyError(key)
        found[key] = value
    return found
