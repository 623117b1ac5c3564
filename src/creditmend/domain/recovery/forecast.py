"""The score month by month under a plan, and what a new loan would do to it.

A counsellor's promise ("pay like this and by March your score is back in C") is only as good as
the file it is computed from, so the forecast builds the very file the bureau would hold: each
loan's month ends as its platform would furnish them (`candidates.furnished_months`: the
ledger's month-end figures, read the way the synthetic furnisher reads them), then the report's
own pipeline reads that file on each month end (`visible_file` with the profile's retention
rules and the dated policies, `person_indicators`, `from_indicators`, `score`). Nothing here
scores by rules of its own, so the forecast can never disagree with the report the borrower
will get.

Conventions:
- A loan is furnished from its disbursement month to the month it closes (platforms stop
  furnishing a settled account; the grid repeats its closing code), or to the horizon's end.
- A revolving account is furnished as CMF takes a credit line (docs/bureau.md, "Revolving
  accounts"): its credit limit, no principal, each month the balance and minimum due of the
  statement cut in it (`loan_sim.furnished_figures`), so the report's utilisation is read from
  the statements; paid off, it stays open and furnished to the horizon's end. (The balance,
  past due and days past due held to the simulation's month ends are an instalment loan's;
  the simulation's balance of a line is what is owed, unbilled purchases included.)
- The plan's payments are those of the exact simulation (`LoanOutcome.months`: pay day and
  amount), applied after the loan's own history, as `simulate` applies them; a test holds the
  furnished balance, past due and days past due to the simulation's month ends.
- The file at a month end knows only the months up to it: its negative records are the overdue
  episodes of those months, so an overdue cured later in the plan is still "not until cured".
- "Now" is the file of the last month end before the plan's date (the latest furnished month).
- Accounts are the plan's loans only; the service may add the person's inquiries. A loan whose
  furnisher code and account number are not known (a self-entered loan) is filed under its
  platform's name and its own id (`AccountRef.known` is False).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Generic, NamedTuple, TypeVar

from creditmend.domain.calendar import BusinessCalendar, month_end
from creditmend.domain.creditfile.retention import overdue_episodes, retention_rules
from creditmend.domain.loan.contract import Contract, RepaymentMethod, validate_contract
from creditmend.domain.loan.cost import DAYS_PER_YEAR_FOR_APR
from creditmend.domain.loan.schedule import build_schedule
from creditmend.domain.money import ZERO, Money
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.rate import Rate, RatePeriod
from creditmend.domain.recovery.best_plan import NOTHING, SETTLE, Intents, intents_from_outcome
from creditmend.domain.recovery.budget import monthly_budget
from creditmend.domain.recovery.candidates import (
    AccountRef,
    FurnishedMonth,
    account_refs,
    furnished_months,
    planned_payments,
)
from creditmend.domain.recovery.plan_input import AssetSale, PlanInput, PlanLoan
from creditmend.domain.recovery.proposals import PlanCost, Replan, plan_cost
from creditmend.domain.recovery.simulate import Outcome, simulate
from creditmend.domain.report.build import HIGH_DEBT_TO_INCOME, MANY_INSTITUTIONS_90D
from creditmend.domain.report.file import (
    AccountFacts,
    CreditFileFacts,
    FurnisherFacts,
    InquiryFacts,
    visible_file,
)
from creditmend.domain.report.indicators import Value, person_indicators, ratio
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.scoring.features import score_indicators
from creditmend.domain.scoring.scorecard import Contribution, Scorecard, ScoreResult

ACCOUNT_TYPE = "online_consumer_loan"
T = TypeVar("T")


# ---------------------------------------------------------------- the planned file
@dataclass(frozen=True, slots=True)
class PlannedFile:
    """The plan's loans as the bureau would hold them by the horizon's end."""

    currency: str
    accounts: tuple[AccountFacts, ...]
    furnished: Mapping[str, tuple[FurnishedMonth, ...]]  # loan id -> its months
    furnishers: Mapping[str, FurnisherFacts]
    inquiries: tuple[InquiryFacts, ...] = ()

    def at(self, as_of: date) -> CreditFileFacts:
        """The facts as known on `as_of`: negative records from the months up to it only."""
        negative = tuple(
            fact
            for account in self.accounts
            for fact in overdue_episodes(
                [row for row in account.history if row.period <= as_of], account.key
            )
        )
        return CreditFileFacts(
            "", "", self.accounts, self.inquiries, (), (), negative, self.furnishers
        )


def planned_file(
    plan_input: PlanInput,
    outcome: Outcome,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    *,
    refs: Mapping[str, AccountRef] | None = None,
    inquiries: Sequence[InquiryFacts] = (),
) -> PlannedFile:
    """Every loan furnished month by month under the outcome's payments."""
    chosen = account_refs(plan_input, refs)
    accounts: list[AccountFacts] = []
    furnished: dict[str, tuple[FurnishedMonth, ...]] = {}
    furnishers: dict[str, FurnisherFacts] = {}
    results = {loan.loan_id: loan for loan in outcome.loans}
    for loan in plan_input.loans:
        ref = chosen[loan.id]
        months = furnished_months(
            loan, planned_payments(results[loan.id]), outcome.horizon.end, profile, calendar
        )
        furnished[loan.id] = months
        contract = loan.contract
        # A revolving account as CMF furnishes it: its limit, no principal (its months carry
        # the statement balances and minimums, `furnished_figures`).
        line = contract.is_revolving
        accounts.append(
            AccountFacts(
                furnisher=ref.furnisher,
                account_id=ref.account_id,
                account_type=ACCOUNT_TYPE,
                currency=contract.currency,
                opened_on=contract.disbursed_on,
                principal=None if line else contract.principal.amount,
                credit_limit=contract.principal.amount if line else None,
                months={m.period: m.facts() for m in months},
                balances={m.period: m.balance for m in months},
                key=loan.id,
                history=tuple(m.row() for m in months),
            )
        )
        name = contract.platform or ref.furnisher
        furnishers.setdefault(
            ref.furnisher, FurnisherFacts(ref.furnisher, name, ref.furnisher_kind)
        )
    return PlannedFile(
        plan_input.currency, tuple(accounts), furnished, furnishers, tuple(inquiries)
    )


def indicators_at(
    file: PlannedFile,
    as_of: date,
    profile: JurisdictionProfile,
) -> dict[str, Value] | None:
    """The report's indicator row of the file on `as_of`; None while it holds no account."""
    view = visible_file(
        file.at(as_of), as_of, profile, profile.dated_policies, retention_rules(profile)
    )
    if view.is_empty:
        return None
    return person_indicators(view, file.currency, profile)


# ---------------------------------------------------------------- the forecast
@dataclass(frozen=True, slots=True)
class ForecastMonth:
    month: str  # YYYY-MM
    as_of: date  # the month end the score is for
    score: int
    band: str
    reasons: tuple[str, ...]  # what costs the most points, in plain words
    overdue_accounts: int
    negative_records: int  # shown on that day
    # Every feature's points that month (`forecast_why` compares two months by them).
    contributions: tuple[Contribution, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ScoreFall:
    """The score falling after the debts are repaid, and why (`forecast_why`)."""

    peak_month: str  # the best month at or after the debt-free day
    peak: int
    month: str  # the first month after the peak below it
    score: int
    band: str
    debt_free_on: date
    reasons: tuple[str, ...]  # the features that lost points since the peak, in plain words
    features: tuple[str, ...] = ()  # their names, in the same order


@dataclass(frozen=True, slots=True)
class ActiveAccount:
    """One account kept active after the plan: a small monthly purchase repaid in full."""

    platform: str
    spend_monthly: Money
    from_month: str  # YYYY-MM


@dataclass(frozen=True, slots=True)
class ScoreForecast:
    target_band: str
    now: ForecastMonth | None  # the latest furnished month before the plan; None: no file yet
    months: tuple[ForecastMonth, ...]
    reaches_target: str | None  # the first month at the target band or better
    stays_from: str | None  # the month from which it stays there to the horizon's end
    fall: ScoreFall | None = None  # the score falls after the debts are repaid (why, when)
    active: ScoreForecast | None = None  # the same plan with one account kept active
    active_account: ActiveAccount | None = None  # how `active` keeps it active


def target_band_of(card: Scorecard, wanted: str | None) -> str:
    """The band asked for, else the scorecard's second best (the best is rarely within reach of
    someone recovering from overdue debt)."""
    names = [band.name for band in card.bands]
    if wanted is None:
        return names[1] if len(names) > 1 else names[0]
    if wanted not in names:
        message = f"{wanted!r} is not a band of the scorecard ({', '.join(names)})"
        raise ProblemsError((Problem("preferences.target_band", message),))
    return wanted


def _count(row: Mapping[str, Value], name: str) -> int:
    value = row.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _month(label: str, as_of: date, row: Mapping[str, Value], card: Scorecard) -> ForecastMonth:
    result: ScoreResult = score_indicators(card, row)
    return ForecastMonth(
        label,
        as_of,
        result.score,
        result.band,
        tuple(text for _, text in result.reasons),
        _count(row, "current_overdue_accounts"),
        _count(row, "negative_records"),
        result.contributions,
    )


def forecast_file(
    file: PlannedFile,
    outcome: Outcome,
    card: Scorecard,
    profile: JurisdictionProfile,
    *,
    target_band: str,
) -> ScoreForecast:
    """The forecast of an already built file (the service may build it once for several uses)."""
    ranks = {band.name: index for index, band in enumerate(card.bands)}
    horizon = outcome.horizon
    before = horizon.months[0] - timedelta(days=1)
    row = indicators_at(file, before, profile)
    now = None if row is None else _month(f"{before:%Y-%m}", before, row, card)
    months: list[ForecastMonth] = []
    for label, first in zip(horizon.labels, horizon.months, strict=True):
        end = month_end(first)
        row = indicators_at(file, end, profile)
        if row is not None:
            months.append(_month(label, end, row, card))
    good = [ranks[m.band] <= ranks[target_band] for m in months]
    reaches = next((m.month for m, ok in zip(months, good, strict=True) if ok), None)
    stays = None
    for index in range(len(months) - 1, -1, -1):
        if not good[index]:
            break
        stays = months[index].month
    return ScoreForecast(target_band, now, tuple(months), reaches, stays)


def score_forecast(
    plan_input: PlanInput,
    outcome: Outcome,
    card: Scorecard,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    *,
    target_band: str | None = None,
    refs: Mapping[str, AccountRef] | None = None,
    inquiries: Sequence[InquiryFacts] = (),
) -> ScoreForecast:
    """Score and band at every month end of the horizon under the outcome's plan. The target is
    `target_band`, else the plan's preference, else the scorecard's second-best band."""
    target = target_band_of(card, target_band or plan_input.preferences.target_band)
    file = planned_file(plan_input, outcome, profile, calendar, refs=refs, inquiries=inquiries)
    return forecast_file(file, outcome, card, profile, target_band=target)


# ---------------------------------------------------------------- a new loan
@dataclass(frozen=True, slots=True)
class NewLoanOffer:
    """A loan the borrower is weighing: taken on the plan's date, paid as its contract says."""

    amount: Money
    rate: Rate
    term_months: int
    lender_kind: str = "licensed"  # licensed | private: selects the legal cap
    platform: str = "new-lender"
    method: RepaymentMethod = RepaymentMethod.EQUAL_INSTALLMENT
    furnisher_kind: str = "non_bank"
    id: str = "new-loan"


class Pair(NamedTuple, Generic[T]):
    """A figure without the new loan and with it."""

    before: T
    after: T


@dataclass(frozen=True, slots=True)
class NewLoanEffect:
    offer: NewLoanOffer
    on: date
    hard_inquiries_90d: Pair[int]
    institutions_90d: Pair[int]
    platforms_open: Pair[int]
    monthly_obligations: Pair[Money]  # the report's now; then plus the first instalment
    monthly_income: Money
    debt_to_income: Pair[Decimal | None]  # four places, half up; None without income
    score: Pair[int | None]  # at the end of the loan's month
    band: Pair[str | None]
    reaches_target: Pair[str | None]  # YYYY-MM
    cost: Pair[PlanCost]
    cap: Decimal  # the legal cap on the offer's all-in annual cost
    cap_source: str
    outcome: Outcome  # the plan re-made with the new loan, simulated exactly
    warnings: tuple[str, ...]


def _offer_contract(offer: NewLoanOffer, on: date, currency: str) -> Contract:
    contract = Contract(
        id=offer.id,
        principal=offer.amount,
        rate=offer.rate,
        term_months=offer.term_months,
        method=offer.method,
        disbursed_on=on,
        platform=offer.platform,
        lender_kind=offer.lender_kind,
    )
    problems = [
        replace(problem, field=problem.field.replace("contract.", "new_loan.", 1))
        for problem in validate_contract(contract)
    ]
    if offer.amount.currency != currency:
        problems.append(Problem("new_loan.amount", f"must be in the plan's currency {currency}"))
    if problems:
        raise ProblemsError(tuple(problems))
    return contract


def with_new_loan(plan_input: PlanInput, offer: NewLoanOffer, on: date) -> PlanInput:
    """The plan's loans with `offer` taken on `on` (the last loan), its proceeds cash that day."""
    contract = _offer_contract(offer, on, plan_input.currency)
    if any(loan.id == offer.id for loan in plan_input.loans):
        raise ProblemsError((Problem("new_loan.id", f"{offer.id!r} is a loan of the plan"),))
    return replace(
        plan_input,
        loans=(*plan_input.loans, PlanLoan(contract, (), "new_loan")),
        one_off=(*plan_input.one_off, AssetSale(on, offer.amount)),
    )


def new_loan_effect(
    plan_input: PlanInput,
    baseline: Outcome,
    offer: NewLoanOffer,
    card: Scorecard,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    replan: Replan,
    *,
    target_band: str | None = None,
    refs: Mapping[str, AccountRef] | None = None,
    inquiries: Sequence[InquiryFacts] = (),
) -> NewLoanEffect:
    """What taking `offer` on the plan's date does: a hard inquiry, one more platform, the
    monthly obligations against income, the score, and the plan re-made by `replan` (the
    service's optimiser, or a classic strategy) with the loan's proceeds as cash in that month
    and its instalments among the debts. `baseline` is the plan without it, made by the same
    planner, so the two costs compare like with like."""
    horizon = baseline.horizon
    on = horizon.as_of
    with_loan = with_new_loan(plan_input, offer, on)
    budget = monthly_budget(with_loan, horizon)
    # The plan as it was, and the new loan paid back at once from its own proceeds: a planner
    # re-making the plan from scratch may not find it, and without it the loan's harm shows
    # larger than the borrower can make it.
    as_it_was = intents_from_outcome(baseline)
    repaid_at_once = Intents(
        (*as_it_was.codes, SETTLE + NOTHING * (len(horizon.months) - 1)),
        (*as_it_was.amounts, (offer.amount.amount,) + (ZERO,) * (len(horizon.months) - 1)),
    )
    plan = replan(
        with_loan, budget, profile, calendar, seeds={"repay_new_loan_at_once": repaid_at_once}
    )
    outcome = simulate(with_loan, plan, horizon, profile, calendar, name="with new loan")
    target = target_band_of(card, target_band or plan_input.preferences.target_band)
    given = dict(refs or {})
    ref = given.get(offer.id) or account_refs(with_loan, given)[offer.id]
    given[offer.id] = replace(ref, furnisher_kind=offer.furnisher_kind)
    ask = InquiryFacts(
        on,
        given[offer.id].furnisher,
        "loan_approval",
        True,
        "inquiry:new-loan",
        offer.furnisher_kind,
    )
    files = (
        planned_file(plan_input, baseline, profile, calendar, refs=refs, inquiries=inquiries),
        planned_file(
            with_loan, outcome, profile, calendar, refs=given, inquiries=(*inquiries, ask)
        ),
    )
    first = month_end(horizon.months[0])
    rows = [indicators_at(file, first, profile) or {} for file in files]
    forecasts = [
        forecast_file(f, o, card, profile, target_band=target)
        for f, o in zip(files, (baseline, outcome), strict=True)
    ]
    # Monthly obligations as the report shows them now, then with the new loan's instalment.
    currency = plan_input.currency
    now = Money(Decimal(_count(rows[0], "monthly_obligations_fen")).scaleb(-2), currency)
    offered = with_loan.loans[-1].contract
    schedule = build_schedule(offered, calendar, int(profile.days_in_year.value))
    after = Money(now.amount + schedule.installments[0].total, currency)
    income = budget.months[0].income
    dti = [ratio(int(m.amount.scaleb(2)), int(income.amount.scaleb(2))) for m in (now, after)]
    cap, source = profile.annual_cap(offer.lender_kind, on)
    costs = Pair(plan_cost(baseline), plan_cost(outcome))
    firsts = [f.months[0] if f.months else None for f in forecasts]
    effect = NewLoanEffect(
        offer=offer,
        on=on,
        hard_inquiries_90d=Pair(*(_count(row, "hard_inquiries_90d") for row in rows)),
        institutions_90d=Pair(*(_count(row, "institutions_90d") for row in rows)),
        platforms_open=Pair(*(_count(row, "platforms_open") for row in rows)),
        monthly_obligations=Pair(now, after),
        monthly_income=income,
        debt_to_income=Pair(*dti),
        score=Pair(*(m.score if m else None for m in firsts)),
        band=Pair(*(m.band if m else None for m in firsts)),
        reaches_target=Pair(*(f.reaches_target for f in forecasts)),
        cost=costs,
        cap=cap,
        cap_source=source,
        outcome=outcome,
        warnings=(),
    )
    return replace(effect, warnings=_warnings(effect, _nominal_apr(offer.rate, profile)))


def _nominal_apr(rate: Rate, profile: JurisdictionProfile) -> Decimal:
    """A quoted rate as the nominal APR the caps are compared with (a daily rate x 365)."""
    if rate.period is RatePeriod.DAILY:
        return rate.value * DAYS_PER_YEAR_FOR_APR
    return rate.per_year(int(profile.days_in_year.value))


def _warnings(effect: NewLoanEffect, annual: Decimal) -> tuple[str, ...]:
    """What a counsellor would say out loud before the client signs."""
    found: list[str] = []
    if annual > effect.cap:
        found.append(
            f"the quoted rate {annual:.2%} a year is above the legal cap of {effect.cap:.2%} "
            f"({effect.cap_source})"
        )
    asked = effect.institutions_90d.after
    found.append(
        f"a hard inquiry: {effect.hard_inquiries_90d.after} in 90 days from {asked} "
        f"institution(s), and {effect.platforms_open.after} platforms with an open loan; lenders "
        "read both in the report's multi-head section (the shipped score does not count them)"
    )
    if asked >= MANY_INSTITUTIONS_90D:
        found.append(
            f"{asked} institutions asking in 90 days reads as borrowing from many platforms"
        )
    dti = effect.debt_to_income.after
    if dti is not None and dti > HIGH_DEBT_TO_INCOME:
        found.append(f"monthly debt payments would take {dti:.0%} of income")
    before, after = effect.cost
    if after.charges.amount > before.charges.amount:
        more = after.charges.amount - before.charges.amount
        found.append(f"the plan would cost {more:,.2f} more in interest, penalty and fees")
    if _later(after.clean_on, before.clean_on):
        found.append("the credit file would be clean later")
    return tuple(found)


def _later(after: date | None, before: date | None) -> bool:
    if after is None:
        return before is not None
    return before is not None and after > before


# ---------------------------------------------------------------- JSON


def _month_json(month: ForecastMonth) -> dict[str, Any]:
    return {
        "month": month.month,
        "as_of": month.as_of.isoformat(),
        "score": month.score,
        "band": month.band,
        "reasons": list(month.reasons),
        "overdue_accounts": month.overdue_accounts,
        "negative_records": month.negative_records,
    }


def forecast_json(forecast: ScoreForecast) -> dict[str, Any]:
    """The `score_forecast` key of the plan's JSON."""
    return {
        "target_band": forecast.target_band,
        "now": None if forecast.now is None else _month_json(forecast.now),
        "months": [_month_json(month) for month in forecast.months],
        "reaches_target": forecast.reaches_target,
        "stays_from": forecast.stays_from,
    }


def _plain(value: object) -> object:
    if isinstance(value, Money):
        return str(value.amount)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, PlanCost):
        return value.to_json()
    return value


def new_loan_json(effect: NewLoanEffect) -> dict[str, Any]:
    """The `new_loan` key of the plan's JSON: each figure as {before, after}."""
    offer = effect.offer
    pairs = {
        name: getattr(effect, name)
        for name in (
            "hard_inquiries_90d",
            "institutions_90d",
            "platforms_open",
            "monthly_obligations",
            "debt_to_income",
            "score",
            "band",
            "reaches_target",
            "cost",
        )
    }
    return {
        "offer": {
            "amount": str(offer.amount.amount),
            "rate": str(offer.rate.value),
            "rate_period": offer.rate.period.value,
            "term_months": offer.term_months,
            "method": offer.method.value,
            "lender_kind": offer.lender_kind,
            "platform": offer.platform,
        },
        "on": effect.on.isoformat(),
        **{
            name: {"before": _plain(pair.before), "after": _plain(pair.after)}
            for name, pair in pairs.items()
        },
        "monthly_income": _plain(effect.monthly_income),
        "cap": str(effect.cap),
        "cap_source": effect.cap_source,
        "warnings": list(effect.warnings),
    }
