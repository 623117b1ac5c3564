"""Why the forecast score falls after the debts are repaid, and the path that keeps it up.

A borrower who repays everything expects the score to rise and stay up. A scorecard that reads
recent repayments (the shipped model's `current_24m`: account-months kept current in the last
24 months) or recent activity (`months_since_activity`: months since the latest opening or
payment) loses points once the file has been dormant for a while, so the score falls some time
after the last repayment, as the repaid months leave the 24-month window. A counsellor says
so, and says what keeps it up; the seed article's fifth point is "Keep your account active"
(shared seed 000_d904af16fc521bf4.txt, lines 11-12: "in addition to maintaining timely
repayment, they also need to keep their accounts active"). The shipped model
leaves `months_since_activity` out (`make model`, docs/score.md) but reads `current_24m`, so a
file repaid early in the horizon falls with it too; a card that loses no points after
debt-free says nothing.

Conventions (docs/advisor.md, "The score forecast"):
- A fall: the best score at a month end on or after the plan's debt-free day (`peak`), then a
  later month below it; the first such month is shown. Its reasons are the scorecard features
  whose points are lower in the last month of the horizon than at the peak, in the scorecard's
  own words for the last month's values (so the words say what the file will read).
- The active path: the same plan, and one account kept active from the month after the
  debt-free day to the horizon's end: a purchase of `ACTIVE_SPEND` (200 of the plan's currency:
  a phone bill or groceries) each month on a credit line of the plan (Huabei, Baitiao, a card:
  the account such spending is made on) or, without one, on the platform repaid last, billed
  and repaid in full
  by its due day. It is furnished like the plan's loans (an online consumer account without a
  credit limit, never overdue, balance 0 at the month end). It is a separate account opened
  the month after debt-free, so besides the activity it reads as one more open account and,
  for 12 months, as a new opening (`open_accounts`, `opened_6m`, `opened_12m`): with the
  shipped model's points it scores up to 25 below the plain path in that first year (on
  examples/five-platforms.yaml with a card reading activity). Its score path is forecast by the
  same pipeline as the plan's (`forecast_file`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from creditmend.domain.calendar import BusinessCalendar, add_months
from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.retention import MonthRow
from creditmend.domain.i18n import N_, Said, Worded
from creditmend.domain.money import ZERO, Money
from creditmend.domain.recovery.candidates import AccountRef, account_refs
from creditmend.domain.recovery.forecast import (
    ACCOUNT_TYPE,
    ActiveAccount,
    ForecastMonth,
    PlannedFile,
    ScoreFall,
    ScoreForecast,
    forecast_file,
    planned_file,
)
from creditmend.domain.recovery.plan_input import PlanInput
from creditmend.domain.recovery.simulate import Outcome
from creditmend.domain.report.file import AccountFacts, InquiryFacts
from creditmend.domain.rules.profile import JurisdictionProfile
from creditmend.domain.scoring.scorecard import Scorecard, feature_words

ACTIVE_SPEND = Decimal(200)
ACTIVITY = frozenset({"months_since_activity", "current_24m"})  # what a dormant file may lose
SEED = "shared seed 000_d904af16fc521bf4.txt, point 5 (lines 11-12): keep your account active"


def score_fall(
    forecast: ScoreForecast, debt_free_on: date | None, card: Scorecard
) -> ScoreFall | None:
    """The first fall below the best score after the debts are repaid, with the features that
    lost points by the horizon's end; None when the score never falls after debt-free."""
    if debt_free_on is None:
        return None
    after = [m for m in forecast.months if m.as_of >= debt_free_on]
    if len(after) < 2:
        return None
    peak_at = max(range(len(after)), key=lambda i: (after[i].score, -i))
    peak = after[peak_at]
    fallen = next((m for m in after[peak_at + 1 :] if m.score < peak.score), None)
    if fallen is None:
        return None
    return ScoreFall(
        peak.month,
        peak.score,
        fallen.month,
        fallen.score,
        fallen.band,
        debt_free_on,
        *_lost(peak, after[-1], card),
    )


def _lost(
    before: ForecastMonth, after: ForecastMonth, card: Scorecard
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The features with fewer points in `after` than in `before`, most points lost first: in
    plain words, and their names."""
    features = {f.name: f for f in card.features}
    points = {c.feature: c.points for c in before.contributions}
    lost = sorted(
        (c for c in after.contributions if c.points < points.get(c.feature, c.points)),
        key=lambda c: (c.points - points[c.feature], c.feature),
    )
    words = tuple(
        Worded(
            feature_words(features[c.feature], c.value),
            feature_words(features[c.feature], c.value, "zh"),
        )
        for c in lost
    )
    return words, tuple(c.feature for c in lost)


def active_file(
    file: PlannedFile, outcome: Outcome, ref: AccountRef, platform: str, first: date
) -> tuple[PlannedFile, ActiveAccount]:
    """The planned file with one account kept active from the month of `first` to the
    horizon's end (module docstring): a purchase billed and repaid in full every month."""
    currency = file.currency
    periods: list[date] = []
    period = first.replace(day=1)
    while period <= outcome.horizon.months[-1]:
        periods.append(period)
        period = add_months(period, 1)
    facts = {
        p: MonthFacts(AccountStatus.OPEN, 0, ACTIVE_SPEND, ACTIVE_SPEND, ZERO) for p in periods
    }
    history = tuple(MonthRow(p, 0, ZERO, AccountStatus.OPEN.value, p, None) for p in periods)
    account = AccountFacts(
        furnisher=ref.furnisher,
        account_id=f"{ref.account_id}-active",
        account_type=ACCOUNT_TYPE,
        currency=currency,
        opened_on=first,
        principal=ACTIVE_SPEND,
        credit_limit=None,
        months=facts,
        balances=dict.fromkeys(periods, ZERO),
        key="kept-active",
        history=history,
    )
    kept = ActiveAccount(platform, Money(ACTIVE_SPEND, currency), f"{first:%Y-%m}")
    return replace(file, accounts=(*file.accounts, account)), kept


def explained(
    forecast: ScoreForecast,
    plan_input: PlanInput,
    outcome: Outcome,
    card: Scorecard,
    profile: JurisdictionProfile,
    calendar: BusinessCalendar,
    *,
    refs: Mapping[str, AccountRef] | None = None,
    inquiries: Sequence[InquiryFacts] = (),
) -> ScoreForecast:
    """The forecast with its fall explained and the active path beside it, when the score
    falls after the debts are repaid; else the forecast as it was."""
    fall = score_fall(forecast, outcome.debt_free_on, card)
    if fall is None or outcome.debt_free_on is None:
        return forecast
    revolving = {loan.id for loan in plan_input.loans if loan.contract.is_revolving}
    lines = [loan for loan in outcome.loans if loan.loan_id in revolving]
    last = max(
        lines or [loan for loan in outcome.loans if loan.closed_on is not None],
        key=lambda loan: (loan.closed_on or date.min, loan.loan_id),
        default=outcome.loans[-1],
    )
    ref = account_refs(plan_input, refs)[last.loan_id]
    file = planned_file(plan_input, outcome, profile, calendar, refs=refs, inquiries=inquiries)
    first = add_months(outcome.debt_free_on.replace(day=1), 1)
    platform = last.platform or last.loan_id
    kept_file, kept = active_file(file, outcome, ref, platform, first)
    active = forecast_file(kept_file, outcome, card, profile, target_band=forecast.target_band)
    return replace(forecast, fall=fall, active=active, active_account=kept)


def why_words(forecast: ScoreForecast) -> list[str]:
    """The summary's lines on the fall and the path that keeps the score up (`Said`: each
    renderer says them in its language, the score's reasons in the scorecard's words for it)."""
    fall = forecast.fall
    if fall is None:
        return []
    why: str = (
        Worded("; ".join(fall.reasons), "；".join(_chinese(r) for r in fall.reasons))
        if fall.reasons
        else Said(N_("no feature lost points by the horizon's end"))
    )
    if ACTIVITY & set(fall.features):
        why = Said(
            N_("a repaid file shows no recent payments, which the score reads as risk: %(why)s"),
            why=why,
        )
    last = forecast.months[-1]
    band = next(
        (
            Said(N_(" (%(band)s)"), band=m.band)
            for m in forecast.months
            if m.month == fall.peak_month
        ),
        "",
    )
    lines: list[str] = [
        Said(
            N_(
                "The score falls after the debts are repaid (%(on)s): from %(peak)s%(band)s in "
                "%(peak_month)s to %(score)s (%(fallen_band)s) in %(month)s and %(last)s "
                "(%(last_band)s) by %(last_month)s, because by then %(why)s."
            ),
            on=fall.debt_free_on,
            peak=fall.peak,
            band=band,
            peak_month=fall.peak_month,
            score=fall.score,
            fallen_band=fall.band,
            month=fall.month,
            last=last.score,
            last_band=last.band,
            last_month=last.month,
            why=why,
        )
    ]
    active, kept = forecast.active, forecast.active_account
    if active is not None and kept is not None and active.months:
        same = next((m for m in active.months if m.month == fall.month), active.months[-1])
        end = active.months[-1]
        path = Said(
            N_("%(amount)s a month on %(platform)s from %(month)s, repaid in full by its due day"),
            amount=f"{kept.spend_monthly.amount:,.0f}",
            platform=kept.platform,
            month=kept.from_month,
        )
        if same.score > fall.score:
            lines.append(
                Said(
                    N_(
                        "What keeps it up: keep one account active with small spending repaid "
                        "in full (the article's advice, 'Keep your account active'): %(path)s, "
                        "gives %(score)s (%(band)s) in %(month)s and %(end)s (%(end_band)s) in "
                        "%(end_month)s."
                    ),
                    path=path,
                    score=same.score,
                    band=same.band,
                    month=fall.month,
                    end=end.score,
                    end_band=end.band,
                    end_month=end.month,
                )
            )
        else:
            lines.append(
                Said(
                    N_(
                        "Keeping one account active (%(path)s) would not change it: %(score)s "
                        "(%(band)s) in %(month)s."
                    ),
                    path=path,
                    score=same.score,
                    band=same.band,
                    month=fall.month,
                )
            )
    return lines


def _chinese(reason: str) -> str:
    """A reason's Chinese words, when the scorecard gives them (`Worded`)."""
    return reason.chinese if isinstance(reason, Worded) else reason


def why_json(forecast: ScoreForecast) -> dict[str, Any]:
    """The `fall` and `active_path` keys of the plan's `score_forecast`."""
    fall, active, kept = forecast.fall, forecast.active, forecast.active_account
    form: dict[str, Any] = {"fall": None, "active_path": None}
    if fall is not None:
        form["fall"] = {
            "debt_free_on": fall.debt_free_on.isoformat(),
            "peak_month": fall.peak_month,
            "peak": fall.peak,
            "month": fall.month,
            "score": fall.score,
            "band": fall.band,
            "reasons": list(fall.reasons),
        }
    if active is not None and kept is not None:
        form["active_path"] = {
            "platform": kept.platform,
            "spend_monthly": str(kept.spend_monthly.amount),
            "from": kept.from_month,
            "source": SEED,
            "months": [
                {"month": m.month, "score": m.score, "band": m.band, "reasons": list(m.reasons)}
                for m in active.months
            ],
            "reaches_target": active.reaches_target,
            "stays_from": active.stays_from,
        }
    return form
