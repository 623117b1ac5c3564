"""Loan use cases: print a schedule, simulate a loan file as of a date, check its cost."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from creditmend.domain.loan.contract import Contract, validate_contract
from creditmend.domain.loan.cost import CostCheck, check_cost
from creditmend.domain.loan.document import read_loan
from creditmend.domain.loan.events import LoanEvent
from creditmend.domain.loan.fold import run
from creditmend.domain.loan.schedule import Schedule, build_schedule
from creditmend.domain.loan.state import LoanState
from creditmend.domain.loan.view import loan_state
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.services.ports import BusinessCalendar, DocumentReader, RootFinder


@dataclass(frozen=True, slots=True)
class Simulation:
    contract: Contract
    state: LoanState
    cost: CostCheck


@dataclass(frozen=True, slots=True)
class LoanService:
    profile: JurisdictionProfile
    calendar: BusinessCalendar
    root_finder: RootFinder
    read_document: DocumentReader

    def schedule_of(self, terms: Mapping[str, Any]) -> Schedule:
        """The schedule of contract terms given as a loan file's `contract:` mapping."""
        contract, _ = read_loan({"contract": terms}, self.profile)
        return self.schedule(contract)

    def schedule(self, contract: Contract) -> Schedule:
        problems = validate_contract(contract)
        if problems:
            raise ProblemsError(problems)
        return build_schedule(contract, self.calendar, int(self.profile.days_in_year.value))

    def simulate(
        self, contract: Contract, events: tuple[LoanEvent, ...], as_of: date
    ) -> Simulation:
        if as_of < contract.disbursed_on:
            raise ProblemsError(
                (Problem("as_of", f"{as_of} is before disbursed_on {contract.disbursed_on}"),)
            )
        ledger = run(contract, events, as_of, self.profile, self.calendar)
        state = loan_state(ledger, as_of)
        cap, source = self.profile.annual_cap(contract.lender_kind, contract.disbursed_on)
        cost = check_cost(state.cash_flows, cap, source, as_of, self.root_finder)
        return Simulation(contract, state, cost)

    def simulate_file(self, path: Path, as_of: date) -> Simulation:
        document, lines = self.read_document(path)
        contract, events = read_loan(document, self.profile, lines)
        try:
            return self.simulate(contract, events, as_of)
        except ProblemsError as error:
            raise ProblemsError(
                tuple(
                    p if p.line is not None else replace(p, line=_line_of(p.field, lines))
                    for p in error.problems
                )
            ) from None


def _line_of(field: str, lines: dict[str, int]) -> int | None:
    """The line of a field, or of the nearest enclosing one (`events[3].on` -> `events[3]`)."""
    while field:
        if field in lines:
            return lines[field]
        field = field.rpartition(".")[0]
    return None
