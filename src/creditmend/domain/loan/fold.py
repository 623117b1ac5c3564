"""The fold from outside: immutable snapshots in, new snapshots out.

`run` is the fast path (one fold, no copies); `open_ledger`, `fold` and `advance` copy the
working ledger so that a caller can stop on any date and continue later with the same result.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import localcontext

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.loan.contract import Contract
from creditmend.domain.loan.events import LoanEvent
from creditmend.domain.loan.ledger import Ledger, LedgerError
from creditmend.domain.loan.revolving import RevolvingLedger
from creditmend.domain.money import ACCRUAL_CONTEXT, HALF_UP, RoundingPolicy
from creditmend.domain.problems import ProblemsError
from creditmend.domain.rules.profile import JurisdictionProfile


@dataclass(frozen=True, slots=True)
class LedgerState:
    """An immutable snapshot of a ledger on a date; fold and advance return new snapshots."""

    ledger: Ledger

    @property
    def as_of(self) -> date:
        return self.ledger.cursor


def _copy(ledger: Ledger) -> Ledger:
    """A working copy that shares what never changes (contract, profile, calendar)."""
    shared = (ledger.contract, ledger.profile, ledger.calendar, ledger.rounding)
    return copy.deepcopy(ledger, memo={id(item): item for item in shared})


def new_ledger(
    contract: Contract,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    rounding: RoundingPolicy = HALF_UP,
) -> Ledger:
    """The working ledger for a contract: the revolving one for `method: revolving`, the
    instalment one otherwise. Every place that opens a ledger goes through here."""
    if contract.is_revolving:
        return RevolvingLedger(contract, profile, calendar, rounding)
    return Ledger(contract, profile, calendar, rounding)


def open_ledger(
    contract: Contract,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    rounding: RoundingPolicy = HALF_UP,
) -> LedgerState:
    return LedgerState(new_ledger(contract, profile, calendar, rounding))


def fold(state: LedgerState, events: tuple[LoanEvent, ...] | list[LoanEvent]) -> LedgerState:
    """Apply events (in date order, stable for the same day) to a copy of the state."""
    ledger = _copy(state.ledger)
    with localcontext(ACCRUAL_CONTEXT):
        for event in sorted(events, key=lambda e: e.on):
            ledger.apply(event)
    return LedgerState(ledger)


def advance(state: LedgerState, as_of: date) -> LedgerState:
    ledger = _copy(state.ledger)
    with localcontext(ACCRUAL_CONTEXT):
        ledger.advance_to(as_of)
    return LedgerState(ledger)


def run(
    contract: Contract,
    events: tuple[LoanEvent, ...] | list[LoanEvent],
    as_of: date,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> Ledger:
    """One fold from disbursement to `as_of` without intermediate copies (the fast path)."""
    ledger = new_ledger(contract, profile, calendar)
    with localcontext(ACCRUAL_CONTEXT):
        for index, event in sorted(enumerate(events), key=lambda pair: pair[1].on):
            if event.on > as_of:
                break
            try:
                ledger.apply(event)
            except LedgerError as error:
                raise ProblemsError((error.problem(f"events[{index}]."),)) from None
        ledger.advance_to(as_of)
    return ledger
