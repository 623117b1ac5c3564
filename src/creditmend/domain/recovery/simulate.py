"""A payment plan run through the real ledger: what every loan costs and how it reports, to the fen.

What the borrower is shown is never an estimate: each loan's contract and past events are folded
by the ledger engine (daily accrual, penalty and compound interest, late fees, the allocation
order), and the plan's payments are applied to the same ledger as ordinary payments.

Conventions, the same for every plan (the strategies and the optimiser rely on them):
- Payment day: a month's payment to a loan is made on the first due date of that loan falling
  in the month (on or after `as_of`), so the instalment falling due then is paid on time; in a
  month where nothing of it falls due (a matured or charged-off loan, a bullet loan mid-term)
  on the first day of the month, the earliest day the month's cash exists. Never before
  `as_of`: in the first month a due date already passed moves to `as_of`. One payment per loan
  per month.
- A payment beyond what is due is what the contract says: held by the lender as credit for the
  next due dates, prepaid principal where the contract's allocation order allows it, or, when
  it covers the payoff, the loan is settled at once and the excess is a refund due.
- The loans' own events must all lie on or before `as_of` (the plan starts where the history
  ends) and every loan must be disbursed by then.
- Totals count only the plan's payments, never the history: `total_paid` = interest + penalty
  (compound interest included) + fees + principal + `unapplied` (held as credit at the
  horizon's end, or paid beyond the debt), to the fen.
- Month-end figures per loan (balance, payoff, past due, days past due) are read from the ledger
  at each month's end; the status code is the ledger's monthly code (`N`, `M`, `*`, `1`..`7`,
  `B`, and the closing code `C`/`D`/`Z`, repeated after closing as the bureau's grid does).
- `overdue_account_months` counts the (loan, month) pairs of the horizon whose code is an
  overdue bucket or bad debt (the profile's `overdue_codes`; cn: `1`..`7`, `B`).
- `debt_free_on`: the day the last loan closed; None when a loan is still open at the
  horizon's end.
- `clean_on`: the first day, from `as_of` on, on which no negative record of any loan is shown
  any more. The records are what the bureau would derive from the loans' month-end figures
  (`retention.overdue_episodes`), and each one's last day is decided by the profile's
  retention rules and the dated policies given (`retention.decide`). The date may lie past the
  horizon (five years after the last cure, under `cn`): once every overdue is cured the law
  fixes it. None when an overdue is still not cured at the horizon's end (Art. 16: it never
  expires).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from typing import NamedTuple

from creditmend.domain.calendar import BusinessCalendar, add_months, month_end
from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.retention import (
    Decision,
    MonthRow,
    NegativeFact,
    RetentionRules,
    decide,
    overdue_episodes,
    retention_rules,
)
from creditmend.domain.loan.events import LoanEvent, Payment
from creditmend.domain.loan.fold import new_ledger
from creditmend.domain.loan.ledger import Ledger, LedgerError
from creditmend.domain.loan.state import LoanState
from creditmend.domain.loan.view import loan_state
from creditmend.domain.money import ACCRUAL_CONTEXT, ZERO, Money, shared_money
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.recovery.budget import Horizon
from creditmend.domain.recovery.plan_input import PlanInput, PlanLoan
from creditmend.domain.rules.profile import Component, JurisdictionProfile
from creditmend.domain.synth.loan_sim import month_figures


@dataclass(frozen=True, slots=True)
class PlannedMonth:
    """The payments of one month: (loan id, amount) for each loan paid, amounts above zero."""

    month: str  # YYYY-MM
    payments: tuple[tuple[str, Money], ...]

    def paid_to(self, loan_id: str) -> Decimal:
        for paid_id, amount in self.payments:
            if paid_id == loan_id:
                return amount.amount
        return ZERO

    @property
    def total(self) -> Decimal:
        return sum((amount.amount for _, amount in self.payments), ZERO)


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    """For each month of the horizon, what is paid to each loan."""

    months: tuple[PlannedMonth, ...]

    @classmethod
    def of(
        cls,
        labels: Sequence[str],
        loan_ids: Sequence[str],
        amounts: Sequence[Sequence[Decimal]],
        currency: str,
    ) -> PaymentPlan:
        """A plan from a table, `amounts[month][loan]` in the order of `loan_ids`; every amount
        must be whole fen (Money refuses finer ones rather than round them)."""
        return cls(
            tuple(
                PlannedMonth(
                    label,
                    tuple(
                        (loan_id, Money(amount, currency))
                        for loan_id, amount in zip(loan_ids, row, strict=True)
                        if amount > ZERO
                    ),
                )
                for label, row in zip(labels, amounts, strict=True)
            )
        )

    def totals(self) -> tuple[Decimal, ...]:
        return tuple(month.total for month in self.months)


class Quote(NamedTuple):
    """A loan on this month's payment day, before the month's payment."""

    day: date
    due: Decimal  # past due and due that day: what keeps the loan current (the minimum)
    owed: Decimal  # the payoff: what settles the loan that day


class LoanMonth(NamedTuple):
    month: str  # YYYY-MM
    pay_day: date
    due: Money  # before paying, on the pay day
    owed: Money  # before paying, on the pay day
    paid: Money
    balance: Money  # month end: principal outstanding + overdue interest + penalty + fees
    payoff: Money  # month end: what would settle the loan
    past_due: Money  # month end
    days_past_due: int  # month end
    status: str  # month end: the monthly code; after closing the closing code, as the grid
    overdue: bool  # the status is one of the profile's overdue codes
    serious: bool  # ... and one of its serious codes (past `serious_days`, or bad debt)


@dataclass(frozen=True, slots=True)
class LoanOutcome:
    loan_id: str
    platform: str
    total_paid: Money
    interest_paid: Money
    penalty_paid: Money  # penalty and compound interest
    fees_paid: Money
    principal_paid: Money
    unapplied: Money  # held as credit at the horizon's end, or paid beyond the debt
    refund_due: Money  # the part of `unapplied` paid beyond the whole debt
    overdue_months: int
    closed_on: date | None
    clean_on: date | None  # see the module docstring
    months: tuple[LoanMonth, ...]
    payments: tuple[tuple[date, Money], ...]  # the plan's payments as the ledger took them
    negative_records: tuple[NegativeFact, ...]  # from disbursement to the horizon's end
    expiries: tuple[Decision, ...]  # one per negative record, in the same order
    final: LoanState  # the loan at the horizon's end


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str  # the strategy or plan that was simulated
    plan: PaymentPlan
    horizon: Horizon
    currency: str
    total_paid: Money
    interest_paid: Money
    penalty_paid: Money
    fees_paid: Money
    principal_paid: Money
    unapplied: Money
    overdue_account_months: int
    debt_free_on: date | None
    clean_on: date | None
    loans: tuple[LoanOutcome, ...]


def _status(ledger: Ledger) -> str:
    """The account status a furnisher would report (as the synthetic furnisher does)."""
    if ledger.closed_on is not None:
        return AccountStatus.SETTLED.value
    if ledger.charged_off_on is not None:
        return AccountStatus.CHARGED_OFF.value
    if ledger.restructured_on:
        return AccountStatus.RESTRUCTURED.value
    return AccountStatus.OPEN.value


class LoanTrack:
    """One loan's ledger walked forward once, history first, then month by month.

    A plan is applied by `open_month` (to the payment day: read what is due), `pay` and
    `close_month` (to the month's end: the figures) for each month in turn; a strategy opens the
    month of every loan before deciding who gets what. The ledger is never copied: a walk costs
    one fold.

    Decimal contexts as in `fold.run` and `LoanService`: the ledger is built in the caller's
    context and every step runs in `ACCRUAL_CONTEXT`; month-end figures and the final
    `LoanState` are read in the caller's context, so each reads to the fen what `creditmend loan
    simulate` prints for the same events on that day (the penalty's daily rate and the rounding
    of a penalty not yet posted depend on the precision they are computed in). What a month's
    quote says is due is read in `ACCRUAL_CONTEXT`, as the payment that follows is allocated.
    """

    def __init__(
        self,
        loan: PlanLoan,
        horizon: Horizon,
        profile: JurisdictionProfile,
        calendar: BusinessCalendar,
    ) -> None:
        self.loan = loan
        self.horizon = horizon
        contract = loan.contract
        self.currency = contract.currency
        if contract.disbursed_on > horizon.as_of:
            raise ProblemsError(
                (
                    Problem(
                        f"{loan.field}.contract.disbursed_on",
                        f"{contract.disbursed_on} is after the plan's date {horizon.as_of}; "
                        "a plan covers loans already taken",
                        loan.line,
                    ),
                )
            )
        self.ledger = new_ledger(contract, profile, calendar)
        self.rows: list[MonthRow] = []
        self.quotes: list[Quote] = []
        self.paid: list[Decimal] = []
        self.figures: list[tuple[Decimal, Decimal, Decimal, int]] = []
        self.planned: list[int] = []  # indices of the plan's payments in ledger.payments
        self._history()

    def _apply(self, index: int, event: LoanEvent) -> None:
        try:
            with localcontext(ACCRUAL_CONTEXT):
                self.ledger.apply(event)
        except LedgerError as error:
            raise ProblemsError((error.problem(f"{self.loan.field}.events[{index}]."),)) from None

    def _history(self) -> None:
        """Fold the events so far, with the month ends before the horizon (the records)."""
        as_of = self.horizon.as_of
        ordered = sorted(enumerate(self.loan.events), key=lambda pair: pair[1].on)
        late = [(i, e) for i, e in ordered if e.on > as_of]
        if late:
            raise ProblemsError(
                tuple(
                    Problem(
                        f"{self.loan.field}.events[{i}].on",
                        f"{e.on} is after the plan's date {as_of}; list only what has happened",
                    )
                    for i, e in late
                )
            )
        month = self.loan.contract.disbursed_on.replace(day=1)
        start = self.horizon.months[0]
        position = 0
        while month < start:
            end = month_end(month)
            while position < len(ordered) and ordered[position][1].on <= end:
                self._apply(*ordered[position])
                position += 1
            self._month_end(month)
            month = add_months(month, 1)
        for index, event in ordered[position:]:
            self._apply(index, event)

    def _month_end(self, month: date) -> tuple[Decimal, Decimal, int]:
        """Advance to the month's end and keep the month as a furnisher would report it:
        balance, past due amount and days past due (a closed loan owes nothing any more)."""
        ledger = self.ledger
        end = month_end(month)
        with localcontext(ACCRUAL_CONTEXT):
            ledger.advance_to(end)
        if ledger.closed_on is not None:
            balance, past_due, dpd = ZERO, ZERO, 0
        else:
            figures = month_figures(ledger, end)
            balance, past_due, dpd = figures.balance, figures.past_due, figures.days_past_due
        last_payment = ledger.payments[-1].on if ledger.payments else None
        status = _status(ledger)
        self.rows.append(MonthRow(month, dpd, past_due, status, last_payment, ledger.closed_on))
        return balance, past_due, dpd

    def pay_day(self, index: int) -> date:
        first = self.horizon.months[index]
        end = month_end(first)
        lower = max(first, self.horizon.as_of)
        ledger = self.ledger
        for due in ledger.dues[ledger.next_due :]:
            if due.due_on > end:
                break
            if due.due_on >= lower:
                return due.due_on
        return lower

    def open_month(self, index: int) -> Quote:
        """Advance to the month's payment day; what is due and what settles the loan then."""
        ledger = self.ledger
        day = self.pay_day(index)
        with localcontext(ACCRUAL_CONTEXT):
            ledger.advance_to(day)
            owed = ledger.payoff()
            due = min(ledger.amount_due(), owed) if ledger.closed_on is None else ZERO
        quote = Quote(day, due, owed)
        self.quotes.append(quote)
        return quote

    def pay(self, amount: Decimal) -> None:
        """This month's payment, on the day `open_month` chose (nothing when zero)."""
        if amount < ZERO:
            raise ValueError(f"amount: {amount} is negative")
        if amount > ZERO:
            with localcontext(ACCRUAL_CONTEXT):
                self.ledger.apply(Payment(self.quotes[-1].day, amount))
            self.planned.append(len(self.ledger.payments) - 1)
        self.paid.append(amount)

    def close_month(self, index: int) -> None:
        balance, past_due, dpd = self._month_end(self.horizon.months[index])
        self.figures.append((balance, self.ledger.payoff(), past_due, dpd))

    def outcome(
        self,
        profile: JurisdictionProfile,
        rules: RetentionRules,
    ) -> LoanOutcome:
        """The loan once every month of the horizon is closed."""
        ledger = self.ledger
        horizon = self.horizon
        final = loan_state(ledger, horizon.end)
        codes = {m.month: m.code for m in final.monthly_status}
        after_close = ledger.close_code or profile.grid_codes.settled
        parts = dict.fromkeys(Component, ZERO)
        paid = unapplied = refund = ZERO
        money = shared_money(self.currency)
        payments: list[tuple[date, Money]] = []
        for position in self.planned:
            record = ledger.payments[position]
            payments.append((record.on, money(record.amount)))
            paid += record.amount
            for component, value in record.parts.items():
                parts[component] += value
            unapplied += record.amount - sum(record.parts.values(), ZERO)
            refund += record.excess

        months: list[LoanMonth] = []
        for label, quote, amount, (balance, payoff, past_due, dpd) in zip(
            horizon.labels, self.quotes, self.paid, self.figures, strict=True
        ):
            code = codes.get(label, after_close)
            months.append(
                LoanMonth(
                    label,
                    quote.day,
                    money(quote.due),
                    money(quote.owed),
                    money(amount),
                    money(balance),
                    money(payoff),
                    money(past_due),
                    dpd,
                    code,
                    code in profile.overdue_codes,
                    code in profile.serious_codes,
                )
            )
        facts = overdue_episodes(self.rows, self.loan.id)
        expiries = tuple(
            decide(fact, horizon.as_of, profile.dated_policies, rules) for fact in facts
        )
        return LoanOutcome(
            loan_id=self.loan.id,
            platform=self.loan.contract.platform,
            total_paid=money(paid),
            interest_paid=money(parts[Component.INTEREST]),
            penalty_paid=money(parts[Component.PENALTY]),
            fees_paid=money(parts[Component.FEE]),
            principal_paid=money(parts[Component.PRINCIPAL]),
            unapplied=money(unapplied),
            refund_due=money(refund),
            overdue_months=sum(1 for m in months if m.overdue),
            closed_on=ledger.closed_on,
            clean_on=_clean_on(expiries, horizon.as_of),
            months=tuple(months),
            payments=tuple(payments),
            negative_records=facts,
            expiries=expiries,
            final=final,
        )


def _clean_on(expiries: Iterable[Decision], as_of: date) -> date | None:
    """The first day from `as_of` on which none of these records is shown; None while one is
    not cured (it is shown until it is, and then for the retention period)."""
    clean = as_of
    for decision in expiries:
        if decision.visible_until is None:
            return None
        clean = max(clean, decision.visible_until)
    return clean


def open_tracks(
    plan_input: PlanInput,
    horizon: Horizon,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> list[LoanTrack]:
    """A track per loan, history folded; every problem of every loan's history at once."""
    tracks: list[LoanTrack] = []
    problems: list[Problem] = []
    for loan in plan_input.loans:
        try:
            tracks.append(LoanTrack(loan, horizon, profile, calendar))
        except ProblemsError as error:
            problems.extend(error.problems)
    if problems:
        raise ProblemsError(tuple(problems))
    return tracks


def check_plan(plan_input: PlanInput, plan: PaymentPlan, horizon: Horizon) -> tuple[Problem, ...]:
    """Whether the plan fits the horizon and names only the plan's loans, as problems."""
    problems: list[Problem] = []
    labels = horizon.labels
    if tuple(m.month for m in plan.months) != labels:
        problems.append(
            Problem("plan.months", f"must be the horizon's months {labels[0]}..{labels[-1]}")
        )
    known = {loan.id for loan in plan_input.loans}
    for index, month in enumerate(plan.months):
        for loan_id, amount in month.payments:
            where = f"plan.months[{index}].payments.{loan_id}"
            if loan_id not in known:
                problems.append(Problem(where, "is not a loan of the plan"))
            elif amount.currency != plan_input.currency or amount.amount < ZERO:
                problems.append(Problem(where, f"{amount} is not a payment in the plan's currency"))
    return tuple(problems)


def simulate(
    plan_input: PlanInput,
    plan: PaymentPlan,
    horizon: Horizon,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    *,
    name: str = "plan",
) -> Outcome:
    """The exact outcome of a plan. Its records are decided by the profile's retention and
    dated policies, so `clean_on` is what the bureau will do."""
    problems = check_plan(plan_input, plan, horizon)
    if problems:
        raise ProblemsError(problems)
    tracks = open_tracks(plan_input, horizon, profile, calendar)
    for track in tracks:
        loan_id = track.loan.id
        for index, month in enumerate(plan.months):
            track.open_month(index)
            track.pay(month.paid_to(loan_id))
            track.close_month(index)
    return outcome_of(name, plan, plan_input.currency, tracks, profile)


def outcome_of(
    name: str,
    plan: PaymentPlan,
    currency: str,
    tracks: Sequence[LoanTrack],
    profile: JurisdictionProfile,
) -> Outcome:
    """The outcome of tracks walked to the horizon's end (by `simulate` or by a strategy)."""
    rules = retention_rules(profile)
    loans = tuple(track.outcome(profile, rules) for track in tracks)
    horizon = tracks[0].horizon

    def total(pick: str) -> Money:
        return Money(sum((getattr(loan, pick).amount for loan in loans), ZERO), currency)

    closed = [loan.closed_on for loan in loans]
    cleans = [loan.clean_on for loan in loans]
    return Outcome(
        name=name,
        plan=plan,
        horizon=horizon,
        currency=currency,
        total_paid=total("total_paid"),
        interest_paid=total("interest_paid"),
        penalty_paid=total("penalty_paid"),
        fees_paid=total("fees_paid"),
        principal_paid=total("principal_paid"),
        unapplied=total("unapplied"),
        overdue_account_months=sum(loan.overdue_months for loan in loans),
        debt_free_on=None if None in closed else max(d for d in closed if d is not None),
        clean_on=None if None in cleans else max(d for d in cleans if d is not None),
        loans=loans,
    )


__all__ = [
    "LoanMonth",
    "LoanOutcome",
    "LoanTrack",
    "Outcome",
    "PaymentPlan",
    "PlannedMonth",
    "Quote",
    "check_plan",
    "open_tracks",
    "outcome_of",
    "simulate",
]
