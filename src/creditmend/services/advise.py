"""The recovery advisor's use case: a PLAN file in, the plans a counsellor would compare out.

Read the plan (the loan file's YAML reader, injected as a port), simulate the classic
strategies exactly, find the optimal plan (the optimiser's programme solved by an injected
`MilpSolver`, realised on the ledgers, never worse than the best classic on its objective),
and say whether it cures every overdue within the horizon, and if not by how much the budget
falls short. `Advice` is one record for every output (terminal, JSON, later HTML and PDF);
later parts of the advisor add their fields (proposals, objection candidates, the expiry
timeline, the score forecast) with defaults, so existing callers keep working.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

from creditmend.domain.loan.cost import amount_above_cap
from creditmend.domain.loan.view import loan_state
from creditmend.domain.money import ACCRUAL_CONTEXT
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.recovery.best_plan import Optimised, Optimiser
from creditmend.domain.recovery.budget import Budget, Horizon, horizon_for, monthly_budget
from creditmend.domain.recovery.objective import ObjectiveValue, RecoveryObjective
from creditmend.domain.recovery.optimise import MilpSolver
from creditmend.domain.recovery.plan_input import MAX_HORIZON_MONTHS, PlanInput, read_plan
from creditmend.domain.recovery.shortfall import Shortfall, shortfall
from creditmend.domain.recovery.simulate import Outcome, open_tracks
from creditmend.domain.recovery.strategies import classic_outcomes
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.services.ports import BusinessCalendar, DocumentReader
from creditmend.services.retain import POLICIES

STRATEGY_NAMES = ("optimal", "minimum", "avalanche", "snowball")


@dataclass(frozen=True, slots=True)
class Negotiable:
    """A loan whose cost so far is above the legal cap: the excess is there to negotiate
    (the plan still pays what the contract asks; nothing is assumed away)."""

    loan_id: str
    platform: str
    cap: Decimal
    cap_source: str
    amount_above_cap: Decimal  # paid and owed on as_of beyond a loan at exactly the cap


@dataclass(frozen=True, slots=True)
class Advice:
    plan_input: PlanInput
    horizon: Horizon
    budget: Budget
    strategies: dict[str, Outcome]  # optimal, minimum, avalanche, snowball: exact simulations
    objective: RecoveryObjective
    values: dict[str, ObjectiveValue]  # each strategy's objective, exact
    optimised: Optimised
    shortfall: Shortfall
    negotiable: tuple[Negotiable, ...] = ()
    extras: dict[str, Any] = field(default_factory=dict)  # room for later parts of the advisor

    @property
    def feasible(self) -> bool:
        return self.shortfall.feasible

    @property
    def winner(self) -> str:
        return self.optimised.winner


@dataclass(frozen=True, slots=True)
class AdviseService:
    profile: JurisdictionProfile
    calendar: BusinessCalendar
    read_document: DocumentReader
    solver: MilpSolver
    objective: RecoveryObjective | None = None

    def read(self, path: Path) -> PlanInput:
        document, lines = self.read_document(path)
        return read_plan(document, self.profile, lines)

    def advise_file(self, path: Path, as_of: date, horizon_months: int | None = None) -> Advice:
        return self.advise(self.read(path), as_of, horizon_months)

    def advise(
        self, plan_input: PlanInput, as_of: date, horizon_months: int | None = None
    ) -> Advice:
        if horizon_months is not None and not 1 <= horizon_months <= MAX_HORIZON_MONTHS:
            raise ProblemsError(
                (
                    Problem(
                        "--horizon-months",
                        f"{horizon_months} must be between 1 and {MAX_HORIZON_MONTHS}",
                    ),
                )
            )
        horizon = horizon_for(plan_input, as_of, horizon_months)
        budget = monthly_budget(plan_input, horizon)
        policies = POLICIES.get(self.profile.code, ())
        objective = self.objective or RecoveryObjective(priority=plan_input.preferences.priority)
        classics = classic_outcomes(
            plan_input, budget, self.profile, self.calendar, policies=policies
        )
        optimiser = Optimiser(self.solver, objective)
        optimised = optimiser.optimise(
            plan_input, budget, self.profile, self.calendar, policies=policies, classics=classics
        )
        strategies = {"optimal": optimised.outcome, **classics}
        values = {
            "optimal": optimised.value,
            **{name: optimised.values[name] for name in classics},
        }
        return Advice(
            plan_input=plan_input,
            horizon=horizon,
            budget=budget,
            strategies=strategies,
            objective=objective,
            values=values,
            optimised=optimised,
            shortfall=shortfall(optimised.figures, budget, optimised.outcome),
            negotiable=self._negotiable(plan_input, horizon),
        )

    def _negotiable(self, plan_input: PlanInput, horizon: Horizon) -> tuple[Negotiable, ...]:
        found: list[Negotiable] = []
        as_of = horizon.as_of
        for track in open_tracks(plan_input, horizon, self.profile, self.calendar):
            contract = track.loan.contract
            with localcontext(ACCRUAL_CONTEXT):
                track.ledger.advance_to(as_of)
            state = loan_state(track.ledger, as_of)
            cap, source = self.profile.annual_cap(contract.lender_kind, contract.disbursed_on)
            above = amount_above_cap(state.cash_flows, cap, as_of).amount
            if above > 0:
                found.append(Negotiable(contract.id, contract.platform, cap, source, above))
        return tuple(found)


def with_extras(advice: Advice, **extras: Any) -> Advice:
    """The advice with more named results (a later part of the advisor adds its own)."""
    return replace(advice, extras={**advice.extras, **extras})
