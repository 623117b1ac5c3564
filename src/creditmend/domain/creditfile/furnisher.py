"""Furnishers (lenders and platforms) and how identities are shown to people who are not entitled
to see them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from creditmend.domain.problems import Problem
from creditmend.domain.text import NAME_MAX_CHARS, text_problem


class FurnisherKind(Enum):
    """Bank or non-bank: multi-head indicators count them apart (DESIGN.md, section 6)."""

    BANK = "bank"
    NON_BANK = "non_bank"


FURNISHER_SUBTYPES = (
    "commercial_bank",
    "online_bank",
    "online_microloan",
    "microloan",
    "consumer_finance",
    "p2p",
    "cash_instalment",
    "consumer_instalment",
    "auto_finance",
    "financial_leasing",
    "guarantee",
    "other",
)


@dataclass(frozen=True, slots=True)
class Furnisher:
    code: str
    name: str
    kind: FurnisherKind
    subtype: str | None = None


# Who answers an objection no furnisher can (inquiries without consent, court records, the
# blacklist): a name no furnisher may take.
BUREAU = "bureau"


def validate_furnisher(furnisher: Furnisher) -> tuple[Problem, ...]:
    problems = []
    code = furnisher.code
    if (
        not code
        or len(code) > 64
        or not all(c.isascii() and (c.isalnum() or c in "-_.") for c in code)
    ):
        problems.append(Problem("code", f"{code!r} must be 1-64 letters, digits, '-', '_' or '.'"))
    elif code.lower() == BUREAU:
        problems.append(Problem("code", f"{code!r} is reserved: it names the bureau itself"))
    if not furnisher.name.strip():
        problems.append(Problem("name", "must not be empty"))
    refused = text_problem("name", furnisher.name, NAME_MAX_CHARS)
    if refused is not None:  # printed in every report that names the furnisher
        problems.append(refused)
    if furnisher.subtype is not None and furnisher.subtype not in FURNISHER_SUBTYPES:
        problems.append(
            Problem(
                "subtype", f"unknown {furnisher.subtype!r}; one of {', '.join(FURNISHER_SUBTYPES)}"
            )
        )
    return tuple(problems)


def mask_id(number: str) -> str:
    """An 18-character resident id keeps its first 6 (region) and last 4 characters, as PBOC
    reports do; any other number keeps only its last 4 (an SSN shows ***-**-1234)."""
    if len(number) == 18:
        return number[:6] + "*" * 8 + number[-4:]
    return "".join("*" if c.isalnum() else c for c in number[:-4]) + number[-4:]


def mask_name(name: str) -> str:
    """张三丰 -> 张**: the family name only."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name
