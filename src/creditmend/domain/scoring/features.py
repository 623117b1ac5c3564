"""The score's features, and where each comes from: the one place the training data's columns
and the bureau's indicators are mapped to the same definitions.

- `worst_status_6m`, the worst delay in the last 6 months in months (0: none). Taiwan: the largest
  of PAY_0, PAY_2..PAY_6, below 1 read as 0. Bureau: `worst_bucket_6m` (bucket k is at most k*30
  days late; `B` reads 8).
- `overdue_months_6m`, months overdue in the last 6. Taiwan: PAY_* >= 1. Bureau:
  `months_overdue_6m`.
- `overdue_months_3m` (recent) and `overdue_months_older` (months 4..6): Taiwan: PAY_0, PAY_2,
  PAY_3 >= 1, and the rest; bureau: `months_overdue_3m` and the difference.
- `utilisation`, balance over limit in the latest month. Taiwan: BILL_AMT1 / LIMIT_BAL. Bureau:
  `revolving_balance_fen / revolving_limit_fen`, missing without a revolving limit.
- `payment_ratio_6m`, paid over billed in 6 months. Taiwan: sum PAY_AMT1..6 / sum BILL_AMT1..6,
  missing when nothing was billed. Bureau: `paid_fen_6m / scheduled_fen_6m`.
- `credit_limit`. Taiwan: LIMIT_BAL. Bureau: `credit_limit_fen / 100`, missing when none was
  granted (loans only).
- `active_months_6m`, months with a payment of the last 6. Taiwan: PAY_AMT* > 0. Bureau:
  `active_months_6m`.

Not used, on purpose: sex, marital status, education and age (the Taiwan data has them; a score
that decides on people must not). Known limits of the mapping: the Taiwan data is one card per
person over April..September 2005 in NT$, the bureau's rows are every account of a person (a
borrower with several accounts counts account-months, so counts can exceed 6) in CNY; a limit in
NT$ is about 4.4 times the same limit in CNY. The bins keep open ends, so larger counts fall in the
worst bin rather than outside the card.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FEATURES: tuple[tuple[str, str, str], ...] = (
    # (name, description, what lost points, in plain words)
    (
        "worst_status_6m",
        "worst delay in the last 6 months (months)",
        # a stage, not a count: M2 is 31 to 60 days late, and the bureau's bad debt reads M8
        "a payment at overdue stage M{value} in the last 6 months (M8: bad debt)",
    ),
    (
        "overdue_months_6m",
        "months overdue in the last 6",
        "{value} overdue account-month(s) in the last 6 months",
    ),
    (
        "overdue_months_3m",
        "months overdue in the last 3",
        "{value} overdue account-month(s) in the last 3 months",
    ),
    (
        "overdue_months_older",
        "months overdue 4 to 6 months ago",
        "{value} overdue account-month(s) 4 to 6 months ago",
    ),
    ("utilisation", "balance over credit limit", "credit used: {value} of the limit"),
    (
        "payment_ratio_6m",
        "paid over billed in 6 months",
        "paid {value} of what was billed in 6 months",
    ),
    ("credit_limit", "credit limit", "a credit limit of {value}"),
    (
        "active_months_6m",
        "months with a payment, of the last 6",
        "payments in only {value} of the last 6 months",
    ),
)
NAMES = tuple(name for name, _, _ in FEATURES)
PLACES = Decimal("0.0001")

Values = dict[str, Decimal | None]


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    name: str
    description: str
    reason: str
    reason_zh: str = ""


SPECS = tuple(FeatureSpec(*entry) for entry in FEATURES)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if denominator <= 0:
        return None
    return (numerator / denominator).quantize(PLACES, ROUND_HALF_UP)


def from_indicators(row: Mapping[str, object]) -> Values:
    """The features of one person from the bureau's indicator row (a report's or the batch's)."""

    def count(name: str) -> int:
        value = row.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    six, three = count("months_overdue_6m"), count("months_overdue_3m")
    return {
        "worst_status_6m": Decimal(count("worst_bucket_6m")),
        "overdue_months_6m": Decimal(six),
        "overdue_months_3m": Decimal(three),
        "overdue_months_older": Decimal(six - three),
        "utilisation": _ratio(
            Decimal(count("revolving_balance_fen")), Decimal(count("revolving_limit_fen"))
        ),
        "payment_ratio_6m": _ratio(
            Decimal(count("paid_fen_6m")), Decimal(count("scheduled_fen_6m"))
        ),
        # No limit ever granted (loans only) is missing, not a limit of 0.
        "credit_limit": Decimal(count("credit_limit_fen")).scaleb(-2) or None,
        "active_months_6m": Decimal(count("active_months_6m")),
    }
