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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from creditmend.domain.creditfile.retention import retention_rules
from creditmend.domain.i18n import N_
from creditmend.domain.loan.cost import RootFinder
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.recovery.above_cap import AboveCap, above_cap_loans, at_cap, planned_input
from creditmend.domain.recovery.best_plan import Intents, Optimised, Optimiser
from creditmend.domain.recovery.bridging import Bridge, Replanned, bridges, quick_candidates
from creditmend.domain.recovery.budget import Budget, Horizon, horizon_for, monthly_budget
from creditmend.domain.recovery.candidates import (
    AccountRef,
    ObjectionCandidate,
    objection_candidates,
)
from creditmend.domain.recovery.file_candidates import FileCandidate, file_candidates
from creditmend.domain.recovery.forecast import (
    NewLoanEffect,
    NewLoanOffer,
    ScoreForecast,
    new_loan_effect,
    score_forecast,
)
from creditmend.domain.recovery.forecast_why import explained
from creditmend.domain.recovery.from_bureau import loan_id_of, loans_from_file
from creditmend.domain.recovery.letters import Letter, proposal_letters
from creditmend.domain.recovery.objective import ObjectiveValue, RecoveryObjective
from creditmend.domain.recovery.optimise import MilpSolver
from creditmend.domain.recovery.plan_cost import PlanCost, Replan, plan_cost
from creditmend.domain.recovery.plan_input import AboveCapChoice, PlanInput, read_plan
from creditmend.domain.recovery.proposals import Proposal, plan_proposals
from creditmend.domain.recovery.shortfall import Shortfall, shortfall
from creditmend.domain.recovery.simulate import Outcome, PaymentPlan
from creditmend.domain.recovery.strategies import classic_outcomes
from creditmend.domain.recovery.timeline import ExpiryRow, expiry_timeline
from creditmend.domain.report.file import CreditFileFacts, InquiryFacts, visible_file
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.scoring.scorecard import Scorecard
from creditmend.services.plan import PlanRequest, horizon_problem, new_loan_offer, plan_problems
from creditmend.services.ports import BusinessCalendar, DocumentReader

STRATEGY_NAMES = ("optimal", "minimum", "avalanche", "snowball")


@dataclass(frozen=True, slots=True)
class CapTotals:
    """The plan's figures under each `preferences.above_cap` choice, when a loan is above the
    cap: the plan shown is made under the file's choice, the other is re-made to compare."""

    dispute: PlanCost  # the loans above the cap paid at the cap
    pay: PlanCost  # every contract paid as written


@dataclass(frozen=True, slots=True)
class GoodFaithEffect:
    """What good faith costs: the winning plan's cost (the objective's cost term, exact) less
    that of the plan made the same way with `preferences.good_faith` off (None when it is off:
    no second plan is made)."""

    enabled: bool
    cost_of_it: Decimal | None = None
    without: ObjectiveValue | None = None  # the plan without good faith, exact


@dataclass(frozen=True, slots=True)
class Advice:
    plan_input: PlanInput  # as the plan pays it: under `above_cap: dispute`, loans at the cap
    horizon: Horizon
    budget: Budget
    strategies: dict[str, Outcome]  # optimal, minimum, avalanche, snowball: exact simulations
    objective: RecoveryObjective
    values: dict[str, ObjectiveValue]  # each strategy's objective, exact
    optimised: Optimised
    shortfall: Shortfall
    above_cap: tuple[AboveCap, ...] = ()  # loans above the legal cap (disputed or paid)
    cap_totals: CapTotals | None = None
    # What a counsellor adds to the plan (`AdviseService.counsel`).
    candidates: tuple[ObjectionCandidate, ...] = ()
    timeline: tuple[ExpiryRow, ...] = ()
    forecast: ScoreForecast | None = None
    proposals: tuple[Proposal, ...] = ()
    letters: tuple[Letter, ...] = ()
    new_loan: NewLoanEffect | None = None
    bridging: tuple[Bridge, ...] = ()  # money from outside that would help (`bridges`)
    notes: tuple[str, ...] = ()  # assumptions (e.g. loans rebuilt from the bureau's data)
    good_faith: GoodFaithEffect = GoodFaithEffect(False)
    # Months of the bureau's file worth an objection (a plan from the bureau's data).
    file_candidates: tuple[FileCandidate, ...] = ()

    @property
    def feasible(self) -> bool:
        return self.shortfall.feasible

    @property
    def winner(self) -> str:
        return self.optimised.winner


@dataclass(frozen=True, slots=True)
class Subject:
    """Whose plan it is, when the bureau knows them: for the objection commands and letters."""

    id_type: str
    id_number: str
    refs: Mapping[str, AccountRef]  # loan id -> where the bureau files it
    inquiries: tuple[InquiryFacts, ...] = ()
    candidates: tuple[FileCandidate, ...] = ()  # months of the file worth an objection


@dataclass(frozen=True, slots=True)
class PersonRead:
    """What a plan from the bureau's data read (the request's document checked, the file
    looked at), before the loans are rebuilt from it (which takes seconds for a credit line)."""

    id_type: str
    id_number: str
    document: dict[str, Any]  # the PLAN file's keys, the cash flow given merged in
    lines: dict[str, int]
    facts: CreditFileFacts
    as_of: date


@dataclass(frozen=True, slots=True)
class Gathered:
    """What a plan is made of: a PLAN file's plan as read, or a person's file as read."""

    plan_input: PlanInput | None = None
    person: PersonRead | None = None


OwnFile = Callable[[str, str, date, datetime], CreditFileFacts]


@dataclass(frozen=True, slots=True)
class AdviseService:
    profile: JurisdictionProfile
    calendar: BusinessCalendar
    read_document: DocumentReader
    solver: MilpSolver
    objective: RecoveryObjective | None = None
    # Loaded when a forecast is made; None: no scorecard installed (no forecast).
    scorecard: Callable[[], Scorecard | None] = lambda: None
    root_finder: RootFinder | None = None  # the annualised cost of a loan above the cap
    own_file: OwnFile | None = None  # the bureau's logged self-inquiry, for `--person`
    # The letters' English lines: the English catalogue's gettext (its ids are its words).
    english: Callable[[str], str] = N_

    def read(self, path: Path) -> PlanInput:
        document, lines = self.read_document(path)
        return read_plan(document, self.profile, lines)

    # ------------------------------------------------------------ the `plan` use case
    def check(self, request: PlanRequest) -> tuple[Problem, ...]:
        """The request's own problems, without reading a file or asking the bureau (a face
        reports them with its own in one go)."""
        problems = plan_problems(request, self.profile.currency)
        if request.person is not None and self.own_file is None:
            problems += (Problem("plan.subject", "this advisor has no bureau to read"),)
        return problems

    def plan(self, request: PlanRequest, at: datetime) -> Advice:
        """The whole advice a borrower asked for: the plan read (from the file, the bureau's
        data or both), the strategies compared, then what a counsellor adds. `at` is when the
        bureau's file is looked at (the self-inquiry's log)."""
        return self.plan_from(request, self.gather(request, at))

    def gather(self, request: PlanRequest, at: datetime) -> Gathered:
        """What the plan is made of, read now (the request checked, then the file or the
        bureau's data): quick, so a face can answer at once and make the plan later, keyed by
        what was read (the portal's jobs)."""
        problems = self.check(request)
        if problems:
            raise ProblemsError(problems)
        if request.person is not None:
            read = self.read_person(
                request.person.id_type,
                request.person.id_number,
                request.plan_file,
                dict(request.cash_flow) or None,
                request.as_of,
                at,
            )
            return Gathered(person=read)
        assert request.plan_file is not None  # checked: a file or a person
        return Gathered(plan_input=self.read(request.plan_file))

    def plan_from(self, request: PlanRequest, gathered: Gathered) -> Advice:
        """The advice for what `gather` read (seconds: the loans rebuilt from the bureau's
        data, the optimiser and its re-plans)."""
        subject: Subject | None = None
        notes: tuple[str, ...] = ()
        if gathered.person is not None:
            plan_input, subject, notes = self.rebuild(gathered.person)
        else:
            assert gathered.plan_input is not None  # gathered: a file or a person
            plan_input = gathered.plan_input
        offer = (
            None
            if request.new_loan is None
            else new_loan_offer(request.new_loan, plan_input.currency)
        )
        advice = self.advise(plan_input, request.as_of, request.horizon_months)
        advice = self.counsel(
            advice,
            subject=subject,
            borrower=request.signature,
            new_loan=offer,
            bridging=request.bridging,
        )
        return replace(
            advice,
            notes=notes,
            file_candidates=() if subject is None else subject.candidates,
        )

    def advise_file(self, path: Path, as_of: date, horizon_months: int | None = None) -> Advice:
        return self.advise(self.read(path), as_of, horizon_months)

    def advise(
        self,
        plan_input: PlanInput,
        as_of: date,
        horizon_months: int | None = None,
        *,
        compare_cap: bool = True,
    ) -> Advice:
        """The strategies and the optimal plan, loans above the cap planned as
        `preferences.above_cap` says. `compare_cap=False` skips re-making the plan under the
        other choice (`cap_totals`) and without good faith (`good_faith.cost_of_it`), for
        callers that only re-plan (`plan_input` already at the cap, as `Advice.plan_input` is,
        needs no comparison either)."""
        problem = horizon_problem(horizon_months)
        if problem is not None:
            raise ProblemsError((problem,))
        horizon = horizon_for(plan_input, as_of, horizon_months)
        budget = monthly_budget(plan_input, horizon)
        objective = self.objective or RecoveryObjective(priority=plan_input.preferences.priority)
        above = above_cap_loans(plan_input, as_of, self.profile, self.calendar, self.root_finder)
        written, plan_input = plan_input, planned_input(plan_input, above, self.profile)
        optimised, classics = self._optimise(plan_input, budget, objective)
        strategies = {"optimal": optimised.outcome, **classics}
        values = {
            "optimal": optimised.value,
            **{name: optimised.values[name] for name in classics},
        }
        return Advice(
            # With the plan's own choices (a statement converted into instalments) as events.
            plan_input=optimised.plan_input or plan_input,
            horizon=horizon,
            budget=budget,
            strategies=strategies,
            objective=objective,
            values=values,
            optimised=optimised,
            shortfall=shortfall(optimised.figures, budget, optimised.outcome),
            above_cap=above,
            cap_totals=self._cap_totals(written, above, budget, objective, optimised.outcome)
            if compare_cap
            else None,
            good_faith=self._good_faith(plan_input, budget, objective, optimised)
            if compare_cap
            else GoodFaithEffect(plan_input.preferences.good_faith),
        )

    def _good_faith(
        self,
        plan_input: PlanInput,
        budget: Budget,
        objective: RecoveryObjective,
        optimised: Optimised,
    ) -> GoodFaithEffect:
        """The plan re-made with good faith off, only when it is on (both simulated exactly)."""
        preferences = plan_input.preferences
        if not preferences.good_faith:
            return GoodFaithEffect(False)
        without = replace(plan_input, preferences=replace(preferences, good_faith=False))
        other = self._optimise(without, budget, objective)[0]
        return GoodFaithEffect(True, optimised.value.cost - other.value.cost, other.value)

    def _optimise(
        self, plan_input: PlanInput, budget: Budget, objective: RecoveryObjective
    ) -> tuple[Optimised, dict[str, Outcome]]:
        classics = classic_outcomes(plan_input, budget, self.profile, self.calendar)
        optimiser = Optimiser(self.solver, objective)
        optimised = optimiser.optimise(
            plan_input, budget, self.profile, self.calendar, classics=classics
        )
        return optimised, classics

    def _cap_totals(
        self,
        written: PlanInput,
        above: Sequence[AboveCap],
        budget: Budget,
        objective: RecoveryObjective,
        shown: Outcome,
    ) -> CapTotals | None:
        """Both totals when a loan is above the cap: the plan shown, and the plan re-made
        under the other `above_cap` choice (the same budget, objective and optimiser)."""
        if not above:
            return None
        disputing = written.preferences.above_cap is AboveCapChoice.DISPUTE
        other = written if disputing else at_cap(written, above, self.profile)
        other_outcome = self._optimise(other, budget, objective)[0].outcome
        if disputing:
            return CapTotals(plan_cost(shown), plan_cost(other_outcome))
        return CapTotals(plan_cost(other_outcome), plan_cost(shown))

    # ------------------------------------------------------------ the counsellor's additions
    def counsel(
        self,
        advice: Advice,
        *,
        subject: Subject | None = None,
        borrower: str = "",
        new_loan: NewLoanOffer | None = None,
        bridging: bool = False,
    ) -> Advice:
        """Objection candidates, the expiry timeline, the score forecast, the proposals with
        their letters and, when asked, what a new loan would do and the bridging money that
        would help (`bridging`: a few exact re-plans): all under the plan shown."""
        plan_input, outcome = advice.plan_input, advice.strategies["optimal"]
        refs = None if subject is None else subject.refs
        inquiries: Sequence[InquiryFacts] = () if subject is None else subject.inquiries
        ids = (
            {} if subject is None else {"id_type": subject.id_type, "id_number": subject.id_number}
        )
        candidates = objection_candidates(
            plan_input, outcome, self.profile, self.calendar, refs=refs, **ids
        )
        proposals = plan_proposals(
            plan_input,
            outcome,
            advice.budget,
            self.profile,
            self.calendar,
            candidates=candidates,
            above_cap=advice.above_cap,
        )
        card = self.scorecard()
        forecast = effect = None
        if card is not None:
            forecast = score_forecast(
                plan_input,
                outcome,
                card,
                self.profile,
                self.calendar,
                refs=refs,
                inquiries=inquiries,
            )
            forecast = explained(
                forecast,
                plan_input,
                outcome,
                card,
                self.profile,
                self.calendar,
                refs=refs,
                inquiries=inquiries,
            )
            if new_loan is not None:
                effect = new_loan_effect(
                    plan_input,
                    outcome,
                    new_loan,
                    card,
                    self.profile,
                    self.calendar,
                    self._replan(advice.objective),
                    refs=refs,
                    inquiries=inquiries,
                )
        return replace(
            advice,
            candidates=candidates,
            timeline=expiry_timeline(plan_input, outcome, self.profile, refs=refs),
            forecast=forecast,
            proposals=proposals,
            letters=proposal_letters(
                proposals, borrower=borrower, on=advice.horizon.as_of, en=self.english
            ),
            new_loan=effect,
            bridging=self.bridges(advice) if bridging else (),
        )

    def bridges(self, advice: Advice) -> tuple[Bridge, ...]:
        """The bridging money for the plan shown, each re-planned exactly as `advise` plans
        (the same horizon, objective and optimiser) with the bridge added to the plan."""
        horizon = advice.horizon
        months = len(horizon.months)

        def exact(plan_input: PlanInput) -> Replanned:
            # The bridge's effect is the plan alone: no cap or good-faith comparison re-made.
            again = self.advise(plan_input, horizon.as_of, months, compare_cap=False)
            return Replanned(again.strategies["optimal"], again.values["optimal"])

        def quick(plan_input: PlanInput) -> Sequence[Outcome]:
            return quick_candidates(plan_input, horizon, self.profile, self.calendar)

        baseline = Replanned(advice.strategies["optimal"], advice.values["optimal"])
        return bridges(advice.plan_input, horizon, baseline, exact, quick)

    def _replan(self, objective: RecoveryObjective) -> Replan:

        def replan(
            plan_input: PlanInput,
            budget: Budget,
            profile: JurisdictionProfile,
            calendar: BusinessCalendar,
            *,
            seeds: Mapping[str, Intents] | None = None,
        ) -> PaymentPlan:
            optimiser = Optimiser(self.solver, objective)
            return optimiser.optimise(
                plan_input, budget, profile, calendar, seeds=seeds
            ).outcome.plan

        return replan

    # ------------------------------------------------------------ a plan from the bureau's data
    def person_plan(
        self,
        id_type: str,
        id_number: str,
        plan_file: Path | None,
        cash_flow: Mapping[str, str] | None,
        as_of: date,
        at: datetime,
    ) -> tuple[PlanInput, Subject, tuple[str, ...]]:
        """The subject's open loans as the bureau knows them (a logged self-inquiry), with the
        cash flow, one-off sources and preferences from `plan_file` (whose own loans are added)
        or from `cash_flow`. Returns the plan, the subject and the notes on what was assumed."""
        return self.rebuild(self.read_person(id_type, id_number, plan_file, cash_flow, as_of, at))

    def read_person(
        self,
        id_type: str,
        id_number: str,
        plan_file: Path | None,
        cash_flow: Mapping[str, str] | None,
        as_of: date,
        at: datetime,
    ) -> PersonRead:
        """`person_plan`'s checks of what the borrower gave, then the look at the file."""
        if self.own_file is None:
            raise ProblemsError((Problem("plan.subject", "this advisor has no bureau to read"),))
        # Everything the borrower gave is checked before the bureau is asked: a refused
        # command leaves no inquiry in the file.
        document: dict[str, Any] = {}
        lines: dict[str, int] = {}
        if plan_file is not None:
            read, lines = self.read_document(plan_file)
            if not isinstance(read, dict):
                raise ProblemsError((Problem("PLAN", "must be a mapping of plan keys", 1),))
            document = dict(read)
        own = document.get("loans") or []
        given_cash = document.get("cash_flow")
        shapes = [
            Problem(
                key, "must be a list" if key == "loans" else "must be a mapping", lines.get(key)
            )
            for key, value, kind in (("loans", own, list), ("cash_flow", given_cash, dict))
            if value is not None and not isinstance(value, kind)
        ]
        if shapes:
            raise ProblemsError(tuple(shapes))
        if cash_flow is not None:
            document["cash_flow"] = {**(given_cash or {}), **cash_flow}
        if "cash_flow" not in document:
            raise ProblemsError(
                (
                    Problem(
                        "plan.cash_flow",
                        "a plan from the bureau needs the cash flow: give --monthly-income and "
                        "--monthly-expenses, or a PLAN file with `cash_flow:`",
                    ),
                )
            )
        try:  # the cash flow, the one-off sources, the preferences and the file's own loans
            read_plan({**document, "loans": own}, self.profile, lines)
        except ProblemsError as error:
            problems = tuple(p for p in error.problems if own or p.field != "loans")
            if problems:
                raise ProblemsError(problems) from None
        facts = self.own_file(id_type, id_number, as_of, at)
        return PersonRead(id_type, id_number, document, lines, facts, as_of)

    def rebuild(self, read: PersonRead) -> tuple[PlanInput, Subject, tuple[str, ...]]:
        """The plan from what `read_person` read: the bureau's loans rebuilt and added to the
        document's own, the account references, the file's objection candidates."""
        id_type, id_number, facts, as_of = read.id_type, read.id_number, read.facts, read.as_of
        document, lines = dict(read.document), read.lines
        own = document.get("loans") or []
        currency = str(document.get("currency") or self.profile.currency)
        rebuilt = loans_from_file(facts.accounts, facts.furnishers, as_of, self.profile, currency)
        # The file's own loans keep their lines; the bureau's come after them.
        document["loans"] = own + list(rebuilt.loans)
        if not document["loans"]:
            raise ProblemsError(
                (Problem("plan.subject", "no open loan in the credit file to plan"),)
            )
        plan_input = read_plan(document, self.profile, lines)
        kinds = {code: f.kind for code, f in facts.furnishers.items()}
        refs = {
            loan_id_of(account): AccountRef(
                account.furnisher, account.account_id, kinds.get(account.furnisher, "non_bank")
            )
            for account in facts.accounts
        }
        view = visible_file(
            facts, as_of, self.profile, self.profile.dated_policies, retention_rules(self.profile)
        )
        candidates = file_candidates(facts, view, self.profile, id_type, id_number)
        subject = Subject(id_type, id_number, refs, facts.inquiries, candidates)
        return plan_input, subject, rebuilt.notes
