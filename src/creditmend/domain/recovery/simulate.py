"""A payment plan run through the real ledger: what every loan costs and how it reports, to the fen.

What the borrower is shown is never an estimate: each loan's contract and past events are folded
by the ledger engine (daily accrual, penalty and compound interest, late fees, the allocation
order), and the plan's payments are applied to the same ledger as ordinary payments.

The records (`PaymentPlan`, `LoanMonth`, `LoanOutcome`, `Outcome`) live in `outcomes.py` and
are re-exported here.

Conventions, the same for every plan (the strategies and the optimiser rely on them):
- Payment days: the money of month 0 (cash on hand and the month's budget) is there on `as_of`,
  that of a later month on its pay day (`Horizon.money_day`: `cash_flow.pay_day`, clamped).
  A month's amount to a loan is paid as the ledger would see a counsellor pay it: what the loan
  has past due on the money day (arrears, penalty, fees: what cures it) is paid that day, which
  stops its penalty; the rest on the loan's next due day within the month after the money day
  (the instalment paid on time, never before its money exists), or on the money day when none
  falls due after it in the month. An amount that covers the payoff on the money day settles the
  loan that day. So a month's amount is at most two ledger payments (`LoanOutcome.payments`).
- Good faith (`preferences.good_faith`, docs/advisor.md "Good faith"): a loan overdue at the
  start of a month (on `as_of` for the first month, else at the previous month end: past grace,
  or charged off) is quoted a good-faith
  amount `min(arrears on the money day, max(rate x regular instalment, floor))`, the least
  every strategy pays it in a month that pays any debt (`good_faith.py`).
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
  The month's payment date the records read (when an overdue ended) is the day the month's
  payments paid every arrear (the money day), not a later instalment's due day.
- `overdue_account_months` counts the (loan, month) pairs of the horizon whose code is an
  overdue bucket or bad debt (the profile's `overdue_codes`; cn: `1`..`7`, `B`);
  `serious_account_months` those whose code is one of the profile's `serious_codes` (past
  `serious_days`, cn: more than 90 days, or bad debt).
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
from datetime import date
from decimal import Decimal, localcontext
from typing import NamedTuple

from creditmend.domain.calendar import BusinessCalendar, add_months, month_end
from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.retention import (
    Decision,
    MonthRow,
    RetentionRules,
    decide,
    overdue_episodes,
    retention_rules,
)
from creditmend.domain.i18n import N_, Said
from creditmend.domain.loan.delinquency import days_past_due
from creditmend.domain.loan.events import LoanEvent, Payment
from creditmend.domain.loan.fold import new_ledger
from creditmend.domain.loan.ledger import Ledger, LedgerError
from creditmend.domain.loan.revolving import RevolvingLedger
from creditmend.domain.loan.view import loan_state
from creditmend.domain.money import ACCRUAL_CONTEXT, ZERO, Money, shared_money
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.recovery.budget import Horizon
from creditmend.domain.recovery.good_faith import (
    good_faith_base,
    good_faith_terms,
    regular_instalment,
)
from creditmend.domain.recovery.outcomes import (
    ConversionMade,
    LoanMonth,
    LoanOutcome,
    Outcome,
    PaymentPlan,
    PlannedMonth,
)
from creditmend.domain.recovery.plan_input import GoodFaithMinimum, PlanInput, PlanLoan
from creditmend.domain.rules.profile import Component, JurisdictionProfile
from creditmend.domain.synth.loan_sim import month_figures


class Quote(NamedTuple):
    """A loan on this month's money day, before the month's payment."""

    day: date  # the money day: arrears are paid then
    due: Decimal  # past due, and what falls due by `due_day`: what keeps the loan current
    owed: Decimal  # the payoff: what settles the loan on the money day
    arrears: Decimal = ZERO  # past due (and due) on the money day: what cures the loan then
    due_day: date | None = None  # the next due day in the month after the money day, if any
    good_faith: Decimal = ZERO  # the least a month that pays any debt pays this loan


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
        good_faith: GoodFaithMinimum | None = None,
    ) -> None:
        self.loan = loan
        self.horizon = horizon
        self.good_faith_terms = good_faith
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
        self.cured_on: date | None = None  # this month's payment of every arrear, if any
        self._history()
        self.good_faith_base = self._good_faith_base()

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
                        Said(
                            N_(
                                "%(on)s is after the plan's date %(as_of)s; list only what has "
                                "happened"
                            ),
                            on=e.on,
                            as_of=as_of,
                        ),
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
        if self.cured_on is not None and last_payment is not None and month <= self.cured_on:
            # The month's payment that paid every arrear: the day the overdue ended (a later
            # instalment paid on its due day does not move the cure).
            last_payment = self.cured_on
        self.cured_on = None
        status = _status(ledger)
        self.rows.append(MonthRow(month, dpd, past_due, status, last_payment, ledger.closed_on))
        return balance, past_due, dpd

    def _good_faith_base(self) -> Decimal:
        """The good-faith payment before the arrears cap (`good_faith.py`); zero when off."""
        terms = self.good_faith_terms
        if terms is None:
            return ZERO
        return good_faith_base(terms, regular_instalment(self.ledger), self.currency)

    def overdue_at_start(self, index: int) -> bool:
        """Whether the loan is overdue at the start of month `index`, before its payments: on
        `as_of` for the first month (days past due beyond grace, or charged off), else at the
        previous month's end as reported (call before `open_month(index)`)."""
        grace = self.loan.contract.grace_days
        charged = AccountStatus.CHARGED_OFF.value
        if index == 0:
            ledger = self.ledger
            as_of = self.horizon.as_of
            with localcontext(ACCRUAL_CONTEXT):
                ledger.advance_to(as_of)
            if ledger.closed_on is not None:
                return False
            return ledger.charged_off_on is not None or days_past_due(ledger.dues, as_of) > grace
        if not self.rows:
            return False
        row = self.rows[-1]
        return row.days_past_due > grace or row.status == charged

    def money_day(self, index: int) -> date:
        return self.horizon.money_day(index)

    def due_day(self, index: int) -> date | None:
        """The loan's first due day in month `index` after its money day (None: none)."""
        day = self.money_day(index)
        end = month_end(self.horizon.months[index])
        ledger = self.ledger
        for due in ledger.dues[ledger.next_due :]:
            if due.due_on > end:
                return None
            if due.due_on > day:
                return due.due_on
        return None

    def pay_day(self, index: int) -> date:
        """The month's last payment day: the due day after the money day, else the money day."""
        return self.due_day(index) or self.money_day(index)

    def _falling_due(self, day: date) -> Decimal:
        """What the instalments due on `day` (after the ledger's date) will ask, read as the
        ledger will post them: principal, fees, carried amounts and the running period's
        interest accrued to `day` on the principal performing now (exact when nothing else is
        paid before `day`)."""
        ledger = self.ledger
        if isinstance(ledger, RevolvingLedger):
            return _revolving_falling_due(ledger, day)
        total = ZERO
        first = True
        for due in ledger.dues[ledger.next_due :]:
            if due.due_on != day:
                break
            if first:
                period = due.period
                length = (period.due_on - period.start).days or 1
                basis = ledger.interest_basis + ledger.performing * (day - ledger.cursor).days
                accrued = ledger.rounding.round(
                    basis * period.rate_numerator / (period.rate_denominator * length),
                    self.currency,
                )
                interest = max(accrued - ledger.interest_prepaid, ZERO)
                first = False
            else:
                interest = due.scheduled_interest
            total += (
                due.principal
                + interest
                + due.carried_interest
                + due.fee
                + due.carried_fee
                + due.carried_penalty
            )
        return total

    def open_month(self, index: int) -> Quote:
        """Advance to the month's money day; what is past due then, what keeps the loan current
        through the month's due day, what settles it, and its good-faith minimum."""
        ledger = self.ledger
        day = self.money_day(index)
        overdue = self.overdue_at_start(index)
        with localcontext(ACCRUAL_CONTEXT):
            ledger.advance_to(day)
            owed = ledger.payoff()
            if ledger.closed_on is None:
                arrears = min(ledger.amount_due(), owed)
                due_day = self.due_day(index)
                coming = self._falling_due(due_day) if due_day is not None else ZERO
                due = min(arrears + coming, owed)
            else:
                arrears = due = ZERO
                due_day = None
        good_faith = min(arrears, self.good_faith_base) if overdue else ZERO
        quote = Quote(day, due, owed, arrears, due_day, good_faith)
        self.quotes.append(quote)
        return quote

    def _pay_on(self, day: date, amount: Decimal) -> None:
        with localcontext(ACCRUAL_CONTEXT):
            self.ledger.apply(Payment(day, amount))
        self.planned.append(len(self.ledger.payments) - 1)

    def pay(self, amount: Decimal) -> None:
        """This month's amount (nothing when zero): the arrears on the money day, the rest on
        the due day (module docstring); the whole on the money day when it settles the loan or
        nothing falls due after it in the month."""
        if amount < ZERO:
            raise ValueError(f"amount: {amount} is negative")
        quote = self.quotes[-1]
        if amount > ZERO:
            if quote.due_day is None or amount >= quote.owed:
                self._pay_on(quote.day, amount)
            else:
                now = min(amount, quote.arrears)
                if now > ZERO:
                    self._pay_on(quote.day, now)
                    if now == quote.arrears:
                        self.cured_on = quote.day
                if amount > now and self.ledger.closed_on is None:
                    self._pay_on(quote.due_day, amount - now)
                elif amount > now:  # closed by the first part: the rest is paid beyond the debt
                    self._pay_on(quote.day, amount - now)
        self.paid.append(amount)

    def close_month(self, index: int) -> None:
        balance, past_due, dpd = self._month_end(self.horizon.months[index])
        self.figures.append((balance, self.ledger.payoff(), past_due, dpd))

    def _conversions(self) -> tuple[ConversionMade, ...]:
        """The statements converted on or after the plan's date, as the ledger made them."""
        ledger = self.ledger
        if not isinstance(ledger, RevolvingLedger):
            return ()
        money = shared_money(self.currency)
        made = []
        for c in ledger.conversions:
            if c.on < self.horizon.as_of or c.months == 0:  # 0: a restructure's shares
                continue
            cut = max(s.statement_on for s in ledger.statements if s.statement_on <= c.on)
            made.append(ConversionMade(c.on, cut, money(c.amount), c.months, money(c.fee_each)))
        return tuple(made)

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
                    quote.due_day or quote.day,
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
                    quote.day,
                    money(quote.arrears),
                    money(quote.good_faith),
                )
            )
        facts = overdue_episodes(self.rows, self.loan.id)
        expiries = tuple(
            decide(fact, horizon.as_of, profile.dated_policies, rules) for fact in facts
        )
        return LoanOutcome(
            conversions=self._conversions(),
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


def _revolving_falling_due(ledger: RevolvingLedger, day: date) -> Decimal:
    """What a revolving account's minimums due on `day` ask: a cut statement's minimum less what
    was paid towards it (its interest is billed, not accruing), a projected one as projected."""
    total = ZERO
    for due in ledger.dues[ledger.next_due :]:
        if due.due_on != day:
            break
        statement = next((s for s in reversed(ledger.statements) if s.due is due), None)
        if statement is not None:
            total += max(statement.minimum - statement.paid, ZERO)
        else:
            total += due.principal + due.scheduled_interest + due.fee
    return total


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
    """A track per loan, history folded; every problem of every loan's history at once. The
    good-faith terms are the plan's preferences (none when `good_faith` is off)."""
    tracks: list[LoanTrack] = []
    problems: list[Problem] = []
    terms = good_faith_terms(plan_input)
    for loan in plan_input.loans:
        try:
            tracks.append(LoanTrack(loan, horizon, profile, calendar, terms))
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
