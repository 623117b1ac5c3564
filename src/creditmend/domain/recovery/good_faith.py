"""The good-faith minimum: one definition for the plan, the optimiser and the letters.

The seed article's counsel, when many loans are overdue, is to repay bit by bit so that every
platform sees the will to repay (docs/advisor.md "Good faith"). A loan overdue at the start of
a month that pays any debt gets at least `min(arrears, max(rate x regular instalment, floor))`,
rounded up to the minor unit; the regular instalment is the contract's first instalment as its
schedule asks it (principal, interest, fee). The plan quotes it (`simulate.LoanTrack`), the
strategies and the realisation pay it (`good_faith_shares`), the programme holds it as a row
(`linear.py`), and a letter never offers less (`proposals.py`): all through these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from creditmend.domain.loan.ledger import Ledger
from creditmend.domain.money import ZERO, minor_unit
from creditmend.domain.recovery.plan_input import GoodFaithMinimum, PlanInput


def good_faith_terms(plan_input: PlanInput) -> GoodFaithMinimum | None:
    """The plan's terms, None when the client turned good faith off."""
    preferences = plan_input.preferences
    return preferences.good_faith_minimum if preferences.good_faith else None


def regular_instalment(ledger: Ledger) -> Decimal:
    """The contract's first instalment (principal, interest and fee), as the schedule asks it."""
    if not ledger.dues:
        return ZERO
    due = ledger.dues[0]
    return due.principal + (due.interest if due.posted else due.scheduled_interest) + due.fee


def good_faith_base(terms: GoodFaithMinimum, regular: Decimal, currency: str) -> Decimal:
    """`max(rate x regular instalment, floor)`, rounded up to the minor unit: the good-faith
    payment before it is capped by the arrears."""
    fen = minor_unit(currency)
    return max(terms.rate * regular, terms.floor).quantize(fen, rounding=ROUND_UP)


def good_faith_minimum(
    terms: GoodFaithMinimum, regular: Decimal, arrears: Decimal, currency: str
) -> Decimal:
    """The least a month's payment to a loan with these arrears may be (zero without arrears);
    the same as `min(arrears, base)` since arrears are whole minor units."""
    return max(min(arrears, good_faith_base(terms, regular, currency)), ZERO)


def good_faith_shares(wanted: Sequence[Decimal], cash: Decimal, currency: str) -> list[Decimal]:
    """The good-faith minimums of a month that pays: each loan's in full when `cash` covers
    them all; otherwise `cash` shared in proportion to them (each gets the same fraction of its
    minimum, to the fen rounded down, the fen left over one by one in the plan's order), so
    every platform sees a payment and none is favoured. Nothing when `cash` is not positive."""
    total = sum(wanted, ZERO)
    if cash <= ZERO or total <= ZERO:
        return [ZERO] * len(wanted)
    if cash >= total:
        return list(wanted)
    fen = minor_unit(currency)
    shares = [(cash * w / total).quantize(fen, rounding=ROUND_DOWN) for w in wanted]
    left = cash - sum(shares, ZERO)
    for index, w in enumerate(wanted):
        if left < fen:
            break
        if shares[index] < w:
            shares[index] += fen
            left -= fen
    return shares


__all__ = [
    "good_faith_base",
    "good_faith_minimum",
    "good_faith_shares",
    "good_faith_terms",
    "regular_instalment",
]
