"""The plan shown to the borrower: the programme's plan made exact, never worse than the classics.

The programme (`optimise`) decides, per loan and month, whether to settle the loan, keep it
current, or pay part of its arrears, on an approximation of the ledger. Its plan is *realised*
on the real ledgers month by month (`realise`): on each money day the exact arrears, amount due
or payoff is read from the ledger and paid (on the days `simulate` says), good-faith amounts
first, as far as the month's cash goes (the programme's cash rule: never spend money a later
month needs), so a month meant to be current is current to the fen. The result is simulated
exactly like any other plan.

Then every candidate is simulated exactly and judged by the same objective: the programme's
plan, the three classic strategies (minimum, avalanche, snowball), two counsellor's orders
(`cure_first`: smallest amount due first, so as many loans as possible are kept current;
`penalty_first`: highest penalty rate first), and a local improvement of the best of them
(cure a loan one month sooner, settle it one month sooner or later: each move simulated exactly,
kept only when the objective falls). The lowest objective wins, so the plan shown is never
worse than the best classic strategy on the optimiser's own objective, whatever the programme
found within its work limit; `Optimised.winner` names the candidate that won.

A revolving account's open statement may be converted into instalments (账单分期,
`conversion.py`): for each convertible statement and each of the profile's usual terms, the
same candidates (the programme's intents realised, the classics, the counsellor's orders) are
simulated on the plan with the conversion, named e.g. `avalanche, convert huabei 6m`, and
judged alike; `Optimised.plan_input` is the input the plan shown was simulated on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from creditmend.domain.calendar import BusinessCalendar
from creditmend.domain.money import ZERO
from creditmend.domain.recovery.budget import Budget
from creditmend.domain.recovery.conversion import conversion_inputs, honoured
from creditmend.domain.recovery.good_faith import good_faith_shares
from creditmend.domain.recovery.linear import LoanFigures, estimate_loan, plan_figures
from creditmend.domain.recovery.objective import ObjectiveValue, RecoveryObjective
from creditmend.domain.recovery.optimise import (
    Formulation,
    LoanDecision,
    MilpSolution,
    MilpSolver,
    SolveLimits,
    SolveStatus,
    StopReason,
    decode,
    formulate,
    prudent_caps,
)
from creditmend.domain.recovery.plan_input import PlanInput
from creditmend.domain.recovery.simulate import (
    LoanTrack,
    Outcome,
    PaymentPlan,
    Quote,
    open_tracks,
    outcome_of,
    simulate,
)
from creditmend.domain.recovery.strategies import build_plan, classic_outcomes
from creditmend.domain.rules.profile import JurisdictionProfile

SETTLE, CURRENT, PARTIAL, NOTHING = "S", "C", "P", "-"


@dataclass(frozen=True, slots=True)
class Intents:
    """Per loan and month what a plan means to do: settle (S), keep current (C), pay part of
    what is due (P, `amounts`), or nothing (-)."""

    codes: tuple[str, ...]  # one string per loan, one letter per month
    amounts: tuple[tuple[Decimal, ...], ...]

    def with_code(self, loan: int, month: int, code: str) -> Intents:
        codes = list(self.codes)
        row = codes[loan]
        codes[loan] = row[:month] + code + row[month + 1 :]
        return Intents(tuple(codes), self.amounts)


def intents_of(decisions: Sequence[LoanDecision | None], months: int) -> Intents:
    codes: list[str] = []
    amounts: list[tuple[Decimal, ...]] = []
    for decision in decisions:
        if decision is None:
            codes.append(NOTHING * months)
            amounts.append((ZERO,) * months)
            continue
        row = ""
        for k in range(months):
            if decision.settled[k]:
                row += SETTLE
            elif decision.overdue[k]:
                row += PARTIAL
            else:
                row += CURRENT
        codes.append(row)
        amounts.append(decision.payments)
    return Intents(tuple(codes), tuple(amounts))


def intents_from_outcome(outcome: Outcome) -> Intents:
    """What an exactly simulated plan did, read back as intents (for local improvement)."""
    codes: list[str] = []
    amounts: list[tuple[Decimal, ...]] = []
    for loan in outcome.loans:
        row = ""
        for month in loan.months:
            if month.owed.amount == ZERO:
                row += NOTHING
            elif month.paid.amount >= month.owed.amount:
                row += SETTLE
            elif month.overdue:
                row += PARTIAL
            else:
                row += CURRENT
        codes.append(row)
        amounts.append(tuple(m.paid.amount for m in loan.months))
    return Intents(tuple(codes), tuple(amounts))


def _target(code: str, amount: Decimal, quote: Quote) -> Decimal:
    if code == SETTLE:
        return quote.owed
    if code == CURRENT:
        return quote.due
    if code == PARTIAL:
        return min(amount, quote.due)
    return ZERO


def realise(
    name: str,
    plan_input: PlanInput,
    budget: Budget,
    intents: Intents,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> Outcome:
    """The intents paid on the real ledgers, month by month, within the prudent cash caps."""
    horizon = budget.horizon
    caps = prudent_caps(budget)
    tracks = open_tracks(plan_input, horizon, profile, calendar)
    spent = ZERO
    table: list[list[Decimal]] = []
    for k in range(len(horizon.months)):
        cash = max(caps[k] - spent, ZERO)
        quotes = [track.open_month(k) for track in tracks]
        targets = [
            _target(intents.codes[i][k], intents.amounts[i][k], quote)
            for i, quote in enumerate(quotes)
        ]
        # Good faith first in a month that pays (every loan overdue at the start gets its
        # minimum, or a proportional share); then whole intents (settle, keep current), the
        # smallest first; then the partial ones.
        pays = cash > ZERO and any(target > ZERO for target in targets)
        amounts = (
            good_faith_shares([q.good_faith for q in quotes], cash, plan_input.currency)
            if pays
            else [ZERO] * len(tracks)
        )
        cash -= sum(amounts, ZERO)
        order = sorted(
            range(len(tracks)),
            key=lambda i: (intents.codes[i][k] == PARTIAL, targets[i], i),
        )
        for i in order:
            take = min(max(targets[i] - amounts[i], ZERO), cash)
            amounts[i] += take
            cash -= take
        for track, amount in zip(tracks, amounts, strict=True):
            track.pay(amount)
            track.close_month(k)
        spent += sum(amounts, ZERO)
        table.append(amounts)
    loan_ids = [loan.id for loan in plan_input.loans]
    plan = PaymentPlan.of(horizon.labels, loan_ids, table, plan_input.currency)
    return outcome_of(name, plan, plan_input.currency, tracks, profile)


def _smallest_due(quotes: Sequence[Quote], tracks: Sequence[LoanTrack]) -> list[int]:
    return sorted(range(len(quotes)), key=lambda i: (quotes[i].due, quotes[i].owed, i))


def _highest_penalty(quotes: Sequence[Quote], tracks: Sequence[LoanTrack]) -> list[int]:
    return sorted(range(len(quotes)), key=lambda i: (-tracks[i].ledger.penalty_rate, i))


COUNSELLOR_ORDERS = {"cure_first": _smallest_due, "penalty_first": _highest_penalty}


@dataclass(frozen=True, slots=True)
class Optimised:
    """The optimiser's answer: the winning plan simulated exactly, and how it was found."""

    outcome: Outcome  # the plan shown, named "optimal"
    winner: str  # "milp" when the programme's own plan won; else the candidate that did
    value: ObjectiveValue  # the winner's objective on the exact simulation
    values: dict[str, ObjectiveValue]  # every candidate's, exact
    estimate: ObjectiveValue  # the linear model's objective of the winning plan
    milp_status: SolveStatus
    milp_estimate: ObjectiveValue | None  # the programme's own estimate of its own plan
    milp_gap: Decimal | None
    milp_stopped_by: StopReason | None  # the limit that stopped the search, if one did
    problem_size: tuple[int, int, int]  # variables, integer variables, rows
    figures: tuple[LoanFigures, ...]
    moves_tried: int
    moves_kept: int
    plan_input: PlanInput | None = None  # what the plan shown was simulated on (conversions)
    # The objective saved by the plan's conversion against the best candidate without one.
    conversion_saving: Decimal | None = None

    @property
    def cost_error(self) -> Decimal:
        """The linear estimate of the plan's cost less its exact cost."""
        return self.estimate.cost - self.value.cost


@dataclass(frozen=True, slots=True)
class Programme:
    """The programme's own answer, before any candidate is compared with it: what it decided,
    and the linear model's objective of that decision (which the programme minimises)."""

    figures: tuple[LoanFigures, ...]
    formulation: Formulation
    solution: MilpSolution
    decisions: tuple[LoanDecision | None, ...] | None  # None: no plan within the limits
    intents: Intents | None  # the decisions as intents, to be realised on the ledgers
    estimate: ObjectiveValue | None  # the linear model's objective of the decisions


# The solver's work limit by the problem's size: branch-and-bound nodes per loan-month, within
# bounds (calibrated with benchmarks/plan_bench.py: docs/advisor.md, "The optimiser").
NODES_PER_LOAN_MONTH = Decimal("0.5")
NODES_FEWEST = 20
NODES_MOST = 400
# The wall-clock safety net: far above what the node limit takes (seconds).
SAFETY_SECONDS = Decimal(60)


class Optimiser:
    """Finds the plan of least objective. Hyperparameters as scikit-learn's: set in `__init__`,
    read with `get_params`, changed with `set_params`.

    `node_limit` (branch-and-bound nodes) is the solver's binding limit, a limit of work: the
    same plan file gives the same plan on any machine under any load. None sizes it by the
    problem (`NODES_PER_LOAN_MONTH` a loan-month, `NODES_FEWEST`..`NODES_MOST`). `time_limit`
    (seconds, default `SAFETY_SECONDS`) is only a wall-clock safety net, reached by pathological
    programmes alone; it is the one source of non-determinism and the solver's status says
    when it was reached. (Before the node limit, `time_limit` was the binding limit; a caller
    that passes it now sets the safety net.) `relative_gap` stops the search once the plan is
    proven that close to the optimum. `local_moves` bounds the exact simulations the local
    improvement may spend.
    """

    def __init__(
        self,
        solver: MilpSolver,
        objective: RecoveryObjective | None = None,
        *,
        node_limit: int | None = None,
        time_limit: Decimal = SAFETY_SECONDS,
        relative_gap: Decimal = Decimal("0.01"),
        local_moves: int = 12,
    ) -> None:
        self.solver = solver
        self.objective = objective if objective is not None else RecoveryObjective()
        self.node_limit = node_limit
        self.time_limit = time_limit
        self.relative_gap = relative_gap
        self.local_moves = local_moves

    def get_params(self) -> dict[str, object]:
        return {
            "solver": self.solver,
            "objective": self.objective,
            "node_limit": self.node_limit,
            "time_limit": self.time_limit,
            "relative_gap": self.relative_gap,
            "local_moves": self.local_moves,
        }

    def set_params(self, **params: object) -> Optimiser:
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(f"{name}: not a parameter of Optimiser")
            setattr(self, name, value)
        return self

    def limit_for(self, loans: int, months: int) -> SolveLimits:
        """The solver's limits for a programme of `loans` open loans over `months` months."""
        nodes = self.node_limit
        if nodes is None:
            sized = int(Decimal(loans * months) * NODES_PER_LOAN_MONTH)
            nodes = min(max(sized, NODES_FEWEST), NODES_MOST)
        return SolveLimits(nodes, self.time_limit, self.relative_gap)

    def optimise(
        self,
        plan_input: PlanInput,
        budget: Budget,
        profile: JurisdictionProfile,
        calendar: BusinessCalendar,
        *,
        classics: dict[str, Outcome] | None = None,
        seeds: Mapping[str, Intents] | None = None,
    ) -> Optimised:
        """The best of the candidates (module docstring); `seeds` are more candidates, given by
        name as intents (e.g. "repay a new loan from its own proceeds")."""
        horizon = budget.horizon
        objective = self.objective
        programme = self.programme(plan_input, budget, profile, calendar)
        figures, formulation, solution = (
            programme.figures,
            programme.formulation,
            programme.solution,
        )

        def judge(outcome: Outcome) -> ObjectiveValue:
            return objective.evaluate(outcome, figures)

        candidates: dict[str, tuple[Outcome, Intents | None]] = {}
        inputs: dict[str, PlanInput] = {}
        intents = programme.intents
        for suffix, given in (
            ("", plan_input),
            *self._conversions(plan_input, budget, profile, calendar),
        ):
            label = f", {suffix}" if suffix else ""
            if intents is not None:
                milp = realise("milp", given, budget, intents, profile, calendar)
                candidates[f"milp{label}"] = (milp, intents)
            if not suffix and classics is not None:
                found = classics
            else:
                found = classic_outcomes(given, budget, profile, calendar)
            for name, outcome in found.items():
                candidates[f"{name}{label}"] = (outcome, None)
            for name, order in COUNSELLOR_ORDERS.items():
                plan = build_plan(given, budget, profile, calendar, order, extra=True)
                outcome = simulate(given, plan, horizon, profile, calendar, name=name)
                candidates[f"{name}{label}"] = (outcome, None)
            if not suffix:
                for name, seed in (seeds or {}).items():
                    seeded = realise(name, given, budget, seed, profile, calendar)
                    candidates[name] = (seeded, seed)
            for name in candidates:
                inputs.setdefault(name, given)
        candidates = {
            name: pair
            for name, pair in candidates.items()
            if not inputs[name].conversions or honoured(pair[0], inputs[name])
        }
        values = {name: judge(outcome) for name, (outcome, _) in candidates.items()}
        best = min(values, key=lambda name: (values[name].total, name != "milp"))
        outcome, chosen = candidates[best]
        value = values[best]
        chosen_input = inputs[best]
        tried = kept = 0
        if self.local_moves > 0:
            start = chosen if chosen is not None else intents_from_outcome(outcome)
            improved, improved_value, tried, kept = self._improve(
                start, value, chosen_input, budget, profile, calendar, judge
            )
            if (
                improved is not None
                and improved_value.total < value.total
                and honoured(improved, chosen_input)
            ):
                best = f"{best}, improved"
                outcome, value = improved, improved_value
                values[best] = value
        saving = None
        if chosen_input.conversions:
            unconverted = [
                v.total for n, v in values.items() if n in inputs and not inputs[n].conversions
            ]
            if unconverted:
                saving = min(unconverted) - value.total
        shown = replace(outcome, name="optimal")
        return Optimised(
            outcome=shown,
            winner=best,
            value=value,
            values=values,
            estimate=estimate_outcome(objective, figures, shown),
            milp_status=solution.status,
            milp_estimate=programme.estimate,
            milp_gap=solution.gap,
            milp_stopped_by=solution.stopped_by,
            problem_size=formulation.problem.size,
            figures=figures,
            moves_tried=tried,
            moves_kept=kept,
            plan_input=chosen_input,
            conversion_saving=saving,
        )

    def _conversions(
        self,
        plan_input: PlanInput,
        budget: Budget,
        profile: JurisdictionProfile,
        calendar: BusinessCalendar,
    ) -> list[tuple[str, PlanInput]]:
        """The plan with each convertible statement converted, for each usual term."""
        return list(conversion_inputs(plan_input, budget.horizon.as_of, profile, calendar))

    def programme(
        self,
        plan_input: PlanInput,
        budget: Budget,
        profile: JurisdictionProfile,
        calendar: BusinessCalendar,
    ) -> Programme:
        """The programme solved on its own: the plan the mixed-integer programme finds within
        the limits and its linear estimate, before it is realised on the ledgers and compared
        with the other candidates (`optimise` does both)."""
        months = len(budget.horizon.months)
        figures = plan_figures(plan_input, budget.horizon, profile, calendar)
        formulation = formulate(figures, budget, self.objective)
        active = sum(1 for f in figures if f.active)
        solution = self.solver.solve(
            formulation.problem, limits=self.limit_for(max(active, 1), months)
        )
        if solution.values is None:
            return Programme(figures, formulation, solution, None, None, None)
        decisions = decode(formulation, solution.values, plan_input.currency)
        estimates = [
            estimate_loan(f, d.payments, overdue=d.overdue, serious=d.serious, settled=d.settled)
            if d is not None
            else estimate_loan(f, (ZERO,) * months)
            for f, d in zip(figures, decisions, strict=True)
        ]
        estimate = self.objective.estimated(estimates, figures)
        intents = intents_of(decisions, months)
        return Programme(figures, formulation, solution, decisions, intents, estimate)

    def _improve(
        self,
        intents: Intents,
        value: ObjectiveValue,
        plan_input: PlanInput,
        budget: Budget,
        profile: JurisdictionProfile,
        calendar: BusinessCalendar,
        judge: Callable[[Outcome], ObjectiveValue],
    ) -> tuple[Outcome | None, ObjectiveValue, int, int]:
        """First-improvement search over single moves, each simulated exactly."""
        best: Outcome | None = None
        tried = kept = 0
        current = intents
        improved = True
        while improved and tried < self.local_moves:
            improved = False
            for move in _moves(current):
                if tried >= self.local_moves:
                    break
                tried += 1
                outcome = realise("local", plan_input, budget, move, profile, calendar)
                candidate = judge(outcome)
                if candidate.total < value.total:
                    best, value, current = outcome, candidate, move
                    kept += 1
                    improved = True
                    break
        return best, value, tried, kept


def _moves(intents: Intents) -> list[Intents]:
    """Single changes worth trying, the likeliest first: cure the first month a loan is left
    overdue, settle a loan a month sooner, settle it a month later."""
    cures: list[Intents] = []
    sooner: list[Intents] = []
    later: list[Intents] = []
    for loan, row in enumerate(intents.codes):
        partial = row.find(PARTIAL)
        if partial >= 0:
            cures.append(intents.with_code(loan, partial, CURRENT))
        settle = row.find(SETTLE)
        if settle > 0 and row[settle - 1] != SETTLE:
            sooner.append(intents.with_code(loan, settle - 1, SETTLE))
        if 0 <= settle < len(row) - 1:
            later.append(intents.with_code(loan, settle, CURRENT))
    return cures + sooner + later


def estimate_outcome(
    objective: RecoveryObjective, figures: Sequence[LoanFigures], outcome: Outcome
) -> ObjectiveValue:
    """The linear model's objective of an exactly simulated plan: its payments, and the months
    the simulation reported overdue, more than 90 days late and settled."""
    estimates = []
    for facts, loan in zip(figures, outcome.loans, strict=True):
        closed = loan.closed_on
        estimates.append(
            estimate_loan(
                facts,
                [m.paid.amount for m in loan.months],
                overdue=[m.overdue for m in loan.months],
                serious=[m.serious for m in loan.months],
                settled=[closed is not None and closed <= day for day in facts.pay_days],
            )
        )
    return objective.estimated(estimates, figures)
