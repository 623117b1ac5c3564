"""Each loan's months as a linear model sees them, read from the loan's own ledger on `as_of`.

The optimiser cannot fold a ledger inside a mixed-integer programme, so it works on a per-loan,
per-month approximation built from the ledger's own figures (nothing is re-derived from the
contract by a second set of formulas):

- the days of `simulate`: each month's money day (arrears are paid then: `money_days`) and its
  payment day (the loan's due day after the money day in the month, else the money day:
  `pay_days`);
- what falls due by each month's payment day: the instalments
  the ledger holds, split into the part that is owed whatever happens (principal and what a
  restructure carried) and the part a settlement saves (scheduled interest, instalment fees);
- what is past due on `as_of` (`Ledger.amount_due`, penalty accrued so far included) and which
  part of it is not principal (interest, penalty and fees already owed: a cost of any plan);
- penalty: the ledger's daily penalty rate x the days from one money day to the next x the
  share of arrears that bears it, applied to the arrears left after the earlier month's
  payments (the first money day is `as_of`: arrears paid then bear no more penalty).
  The share is that of the arrears as they would stand with nothing paid (everything fallen
  due, arrears of `as_of` included, with the penalty and late fees that would have accrued on
  them): principal, and interest too with compound interest or the `overdue_installment`
  basis. (An
  interest-first loan's arrears are interest until its principal falls due, so they bear no
  penalty under the `overdue_principal` basis; an equal-instalment loan's are mostly principal);
- a late fee per instalment left unpaid on its payment day (flat, or its rate on the instalment);
- settling on a money day: the principal not yet due and carried amounts, plus the interest
  of the running period accrued to that day (by days, as the ledger accrues it); a settled loan
  owes no later interest or instalment fees;
- at the horizon's end, the interest of the running period accrued so far and the penalty on
  arrears from the last money day, so that a plan that leaves debts unpaid is charged for them;
- the age of arrears: under the allocation order (costs, then interest, then principal, oldest
  instalment first) the oldest instalment stays unpaid while arrears exceed the principal of
  the instalments younger than 90 days at the month's end, so "more than 90 days past due" is
  "arrears above that principal";
- the months before the horizon (23 of them, for the 3-consecutive / 6-in-24 pattern) and the
  records already on file (`record_months`: months from `as_of` until they stop being shown,
  an overdue not yet cured counted as cured on `as_of`).

`estimate` runs the same recursion forward for given payments (and, optionally, given months
overdue and settlement months), so the optimiser's estimate of any plan, its own or a classic
one, comes from one set of formulas; the programme in `optimise` encodes exactly this recursion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext

from creditmend.domain.calendar import BusinessCalendar, add_months, month_end
from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.retention import decide, overdue_episodes, retention_rules
from creditmend.domain.loan.contract import PenaltyBasis
from creditmend.domain.loan.records import Due
from creditmend.domain.money import ACCRUAL_CONTEXT, ONE, ZERO
from creditmend.domain.recovery.budget import Horizon
from creditmend.domain.recovery.plan_input import PlanInput
from creditmend.domain.recovery.simulate import LoanTrack, open_tracks
from creditmend.domain.rules.profile import JurisdictionProfile, OverduePattern

DAYS_PER_MONTH = Decimal(365) / Decimal(12)


def months_between(start: date, end: date) -> Decimal:
    """Months from `start` to `end` by days (365 / 12 a month), never negative."""
    return max(Decimal((end - start).days), ZERO) / DAYS_PER_MONTH


@dataclass(frozen=True, slots=True)
class LoanFigures:
    """One loan as the linear model sees it; every tuple has one entry per horizon month."""

    loan_id: str
    active: bool  # False: closed before the plan, nothing to pay
    charged_off: bool
    start_arrears: Decimal  # past due and due on as_of, accrued penalty included
    start_cost: Decimal  # the non-principal part of it (a cost of every plan)
    pay_days: tuple[date, ...]  # each month's last payment day (the due day, or the money day)
    fixed_due: tuple[Decimal, ...]  # principal and carried amounts falling due at the pay day
    saved_due: tuple[Decimal, ...]  # scheduled interest and instalment fees: not after settling
    penalty_factor: tuple[Decimal, ...]  # penalty per unit of arrears left at the last pay day
    end_penalty_factor: Decimal  # the same from the last pay day to the horizon's end
    late_fee: tuple[Decimal, ...]  # charged when the month's instalment is left unpaid
    settle_rest: tuple[Decimal, ...]  # principal not yet due and carried amounts after the pay day
    settle_accrued: tuple[Decimal, ...]  # running period's interest to the pay day (on settling)
    end_accrued: Decimal  # interest accrued but not yet due at the horizon's end
    young_principal: tuple[Decimal, ...]  # principal of instalments <= 90 days old at month end
    history_overdue: tuple[bool, ...]  # the pattern's window - 1 month ends before the horizon
    record_months: Decimal  # months until the records already on file stop being shown
    retention_months: Decimal  # how long a record cured now is kept
    month_time: tuple[Decimal, ...]  # months from as_of to the money day after month k
    pattern: OverduePattern  # the profile's overdue pattern (cn: 3 in a row or 6 in 24)
    money_days: tuple[date, ...] = ()  # the day each month's money is there (arrears paid)
    start_overdue: bool = False  # overdue on as_of (past grace, or charged off)
    good_faith: Decimal = ZERO  # max(rate x regular instalment, floor); zero: good faith off
    start_payoff: Decimal = ZERO  # what settles the loan on as_of
    monthly_rate: Decimal = ZERO  # the contract's rate a month
    remaining_dues: int = 0  # instalments not yet due on as_of

    @property
    def count(self) -> int:
        return len(self.pay_days)

    def bound(self, month: int) -> Decimal:
        """An upper bound of the arrears after month `month`'s payment (the big M): everything
        that can fall due by then, grown by the penalty compounded month on month (arrears
        left unpaid bear penalty, and that penalty is arrears the next month)."""
        owed = self.start_arrears + sum(
            (
                f + s + late
                for f, s, late in zip(
                    self.fixed_due[: month + 1],
                    self.saved_due[: month + 1],
                    self.late_fee[: month + 1],
                    strict=True,
                )
            ),
            ZERO,
        )
        growth = ONE
        for factor in self.penalty_factor[: month + 1]:
            growth *= ONE + factor
        return owed * growth + ONE


def _history(track: LoanTrack, as_of: date, window: int) -> tuple[bool, ...]:
    """Month ends before the horizon reported overdue, the last `window` - 1 of them."""
    grace = track.loan.contract.grace_days
    charged = AccountStatus.CHARGED_OFF.value
    flags = {
        (row.period.year, row.period.month): row.days_past_due > grace or row.status == charged
        for row in track.rows
    }
    first = as_of.replace(day=1)
    months = [add_months(first, -k) for k in range(window - 1, 0, -1)]
    return tuple(flags.get((m.year, m.month), False) for m in months)


def _record_months(
    track: LoanTrack,
    as_of: date,
    profile: JurisdictionProfile,
) -> Decimal:
    rules = retention_rules(profile)
    retention = Decimal(12 * rules.years)
    longest = ZERO
    for fact in overdue_episodes(track.rows, track.loan.id):
        if fact.ended_on is None:
            longest = max(longest, retention)
            continue
        until = decide(fact, as_of, profile.dated_policies, rules).visible_until
        if until is not None:
            longest = max(longest, months_between(as_of, until))
    return longest


def loan_figures(
    track: LoanTrack,
    profile: JurisdictionProfile,
) -> LoanFigures:
    """Read one loan's figures from a track whose history is folded (the ledger is advanced
    to `as_of`; the track is not used for walking afterwards)."""
    horizon = track.horizon
    as_of = horizon.as_of
    ledger = track.ledger
    count = len(horizon.months)
    retention = Decimal(12 * retention_rules(profile).years)
    with localcontext(ACCRUAL_CONTEXT):
        ledger.advance_to(as_of)
        arrears = ledger.amount_due() if ledger.closed_on is None else ZERO
        payoff = ledger.payoff()
    pay_days = tuple(track.pay_day(k) for k in range(count))
    money_days = tuple(track.money_day(k) for k in range(count))
    month_time = tuple(
        months_between(as_of, money_days[k + 1] if k + 1 < count else horizon.end)
        for k in range(count)
    )
    start_overdue = track.overdue_at_start(0)
    zeros = (ZERO,) * count
    if ledger.closed_on is not None:
        return LoanFigures(
            loan_id=track.loan.id,
            active=False,
            charged_off=False,
            start_arrears=ZERO,
            start_cost=ZERO,
            pay_days=pay_days,
            fixed_due=zeros,
            saved_due=zeros,
            penalty_factor=zeros,
            end_penalty_factor=ZERO,
            late_fee=zeros,
            settle_rest=zeros,
            settle_accrued=zeros,
            end_accrued=ZERO,
            young_principal=zeros,
            history_overdue=_history(track, as_of, profile.overdue_pattern.window),
            record_months=_record_months(track, as_of, profile),
            retention_months=retention,
            month_time=month_time,
            pattern=profile.overdue_pattern,
            money_days=money_days,
        )
    open_dues = [
        d for d in ledger.dues[ledger.first_open : ledger.next_due] if d.paid_off_on is None
    ]
    principal_open = sum((d.principal_out for d in open_dues), ZERO)
    start_cost = max(arrears - principal_open, ZERO)
    charged_off = ledger.charged_off_on is not None
    fixed = [ZERO] * count
    saved = [ZERO] * count
    late = [ZERO] * count
    rest_after = [ZERO] * count
    accrued = [ZERO] * count
    end_accrued = ZERO
    # Instalments by age: (due day, principal); the open ones first, then those to come.
    dated: list[tuple[date, Decimal]] = [(d.due_on, d.principal_out) for d in open_dues]
    late_terms = ledger.contract.penalty.late_fee
    terms = ledger.contract.penalty
    with_interest = terms.basis is PenaltyBasis.OVERDUE_INSTALLMENT or terms.compound_interest
    bearing = [ZERO] * count  # what falls due in the month and bears penalty once overdue
    bearing_start = principal_open + (
        sum((d.interest_out for d in open_dues), ZERO) if with_interest else ZERO
    )
    future = [] if charged_off else ledger.dues[ledger.next_due :]
    end = horizon.end
    for due in future:
        month = next((k for k, day in enumerate(pay_days) if day >= due.due_on), None)
        fixed_part = due.principal + due.carried_interest + due.carried_penalty + due.carried_fee
        saved_part = due.scheduled_interest + due.fee
        for k in range(count):
            if month is None or month > k:
                rest_after[k] += fixed_part
        if month is None:
            if due.due_on <= end:
                end_accrued += saved_part  # falls due after the last pay day, within the horizon
            continue
        fixed[month] += fixed_part
        saved[month] += saved_part
        interest_part = due.scheduled_interest + due.carried_interest
        bearing[month] += due.principal + (interest_part if with_interest else ZERO)
        dated.append((due.due_on, due.principal))
        if late_terms is not None:
            if late_terms.amount is not None:
                late[month] += late_terms.amount.amount
            else:
                rate = late_terms.rate or ZERO
                late[month] += (due.principal + due.scheduled_interest) * rate
    for k, day in enumerate(money_days):
        accrued[k] = _accrued(future, day)
    end_accrued += _accrued(future, end)
    rate = ZERO if charged_off else ledger.penalty_rate
    previous = as_of
    factors: list[Decimal] = []
    # The share is taken of the arrears as they would stand with nothing paid: what fell due
    # plus the penalty and late fees that would have accrued on it (penalty bears none).
    borne, fallen = bearing_start, arrears
    for k, day in enumerate(money_days):
        share = borne / fallen if fallen > ZERO else ONE
        factors.append(rate * (day - previous).days * share)
        fallen += factors[-1] * fallen + fixed[k] + saved[k] + late[k]
        previous = day
        borne += bearing[k]
    end_share = borne / fallen if fallen > ZERO else ONE
    young: list[Decimal] = []
    for k, day in enumerate(pay_days):
        cutoff = month_end(horizon.months[k]) - timedelta(days=int(profile.serious_days.value))
        young.append(
            ZERO if charged_off else sum((p for on, p in dated if cutoff <= on <= day), ZERO)
        )
    return LoanFigures(
        loan_id=track.loan.id,
        active=True,
        charged_off=charged_off,
        start_arrears=arrears,
        start_cost=start_cost,
        pay_days=pay_days,
        fixed_due=tuple(fixed),
        saved_due=tuple(saved),
        penalty_factor=tuple(factors),
        end_penalty_factor=rate * (end - money_days[-1]).days * end_share,
        late_fee=tuple(late),
        settle_rest=tuple(rest_after),
        settle_accrued=tuple(accrued),
        end_accrued=end_accrued,
        young_principal=tuple(young),
        history_overdue=_history(track, as_of, profile.overdue_pattern.window),
        pattern=profile.overdue_pattern,
        record_months=_record_months(track, as_of, profile),
        retention_months=retention,
        month_time=month_time,
        money_days=money_days,
        start_overdue=start_overdue,
        good_faith=track.good_faith_base,
        start_payoff=payoff,
        monthly_rate=ledger.contract.rate.per_month(ledger.days_in_year),
        remaining_dues=len(future),
    )


def _accrued(future: Sequence[Due], day: date) -> Decimal:
    """Interest of the running period accrued to `day`: the first instalment not yet due on
    `day`, its scheduled interest pro rata by days of its period."""
    for due in future:
        if due.due_on <= day:
            continue
        start = due.period.start
        length = (due.due_on - start).days
        if day <= start or length <= 0:
            return ZERO
        return due.scheduled_interest * (day - start).days / length
    return ZERO


def plan_figures(
    plan_input: PlanInput,
    horizon: Horizon,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
) -> tuple[LoanFigures, ...]:
    """Every loan's figures, in the plan's order."""
    tracks = open_tracks(plan_input, horizon, profile, calendar)
    return tuple(loan_figures(track, profile) for track in tracks)


@dataclass(frozen=True, slots=True)
class LoanEstimate:
    """What the linear model says one loan costs and how it reports under given payments."""

    interest: Decimal
    penalty: Decimal
    fees: Decimal
    start_cost: Decimal
    arrears: tuple[Decimal, ...]  # after each pay day (negative: credit held)
    overdue: tuple[bool, ...]
    serious: tuple[bool, ...]
    settled: tuple[bool, ...]

    @property
    def cost(self) -> Decimal:
        return self.start_cost + self.interest + self.penalty + self.fees


def estimate_loan(
    figures: LoanFigures,
    payments: Sequence[Decimal],
    *,
    overdue: Sequence[bool] | None = None,
    serious: Sequence[bool] | None = None,
    settled: Sequence[bool] | None = None,
    tolerance: Decimal = ZERO,
) -> LoanEstimate:
    """Run the recursion forward. Without `overdue` / `settled` they follow from the arrears
    (overdue above `tolerance`; settled once the payments cover the estimated payoff less
    `tolerance`); given, they are taken as they are (the programme's own binaries, or the
    months an exact simulation reported)."""
    count = figures.count
    if not figures.active:
        empty = (False,) * count
        return LoanEstimate(ZERO, ZERO, ZERO, ZERO, (ZERO,) * count, empty, empty, empty)
    position = figures.start_arrears
    interest = penalty = fees = ZERO
    done = False
    rows: list[Decimal] = []
    late_rows: list[bool] = []
    serious_rows: list[bool] = []
    settled_rows: list[bool] = []
    late_fee = ZERO
    for k in range(count):
        pen = figures.penalty_factor[k] * max(position, ZERO)
        penalty += pen
        position += pen + late_fee + figures.fixed_due[k]
        if not done:
            position += figures.saved_due[k]
            interest += figures.saved_due[k]
        position -= payments[k]
        if not done:
            due_now = position + figures.settle_accrued[k] + figures.settle_rest[k]
            if settled[k] if settled is not None else due_now <= tolerance:
                interest += figures.settle_accrued[k]
                position += figures.settle_accrued[k]
                done = True
        late_now = overdue[k] if overdue is not None else position > tolerance
        late_fee = figures.late_fee[k] if late_now and not done else ZERO
        fees += late_fee
        rows.append(position)
        late_rows.append(bool(late_now))
        if serious is not None:
            serious_rows.append(bool(serious[k]))
        else:
            serious_rows.append(
                bool(late_now) and position > figures.young_principal[k] + tolerance
            )
        settled_rows.append(done)
    if not done:
        interest += figures.end_accrued
        pen = figures.end_penalty_factor * max(position, ZERO)
        penalty += pen
    return LoanEstimate(
        interest,
        penalty,
        fees,
        figures.start_cost,
        tuple(rows),
        tuple(late_rows),
        tuple(serious_rows),
        tuple(settled_rows),
    )
