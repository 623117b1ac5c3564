"""The forecast says why the score falls after the debts are repaid, and shows the path with one
account kept active: exactly when the score, once at its best after the debt-free day, does not
stay there."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.adapters.solver_highs import HighsSolver
from creditmend.domain.calendar import WeekdayCalendar, add_months, month_end
from creditmend.domain.recovery.forecast import ForecastMonth, ScoreForecast
from creditmend.domain.recovery.forecast_why import score_fall, why_json, why_words
from creditmend.domain.rules.cn import CN
from creditmend.domain.scoring.features import SPECS
from creditmend.domain.scoring.scorecard import Bin, Feature, Scorecard, score
from creditmend.interfaces.cli.plan_form import summary
from creditmend.models import default_scorecard
from creditmend.services.advise import Advice, AdviseService

SHIPPED = default_scorecard()
D = Decimal


def _reading_activity(card: Scorecard) -> Scorecard:
    """The shipped card plus `months_since_activity`, dormancy costing 10 points from 6 months and
    40 from 2 years: the shipped model leaves activity out (`make model`), and every feature it
    reads holds or improves once nothing is owed, so a repaid file's score does not fall with it
    (`test_the_shipped_model_keeps_a_repaid_files_score`); a model that reads activity is what
    the fall and the account kept active are for."""
    spec = next(spec for spec in SPECS if spec.name == "months_since_activity")
    activity = Feature(
        spec.name,
        "numeric",
        spec.description,
        spec.reason,
        (
            Bin("[-inf, 6)", D(0), None, D(6)),
            Bin("[6, 24)", D(-10), D(6), D(24)),
            Bin("[24, inf)", D(-40), D(24), None),
            Bin("missing", D(0), missing=True),
            Bin("other", D(0), other=True),
        ),
        spec.reason_zh,
    )
    return replace(card, features=(*card.features, activity))


CARD = _reading_activity(SHIPPED)
ROOT = Path(__file__).parents[2]
FIRST = date(2027, 1, 1)
# Two files as the scorecard reads them: active (a payment this month) and repaid six months
# ago (no opening or payment since): only the activity feature differs.
ACTIVE = {"months_since_activity": 5, "months_since_overdue": 60, "late_2_24m": 0}
REPAID = {"months_since_activity": 24, "months_since_overdue": 60, "late_2_24m": 0}


def _month(k: int, points: int, values: dict[str, object]) -> ForecastMonth:
    result = score(CARD, values)
    day = add_months(FIRST, k)
    return ForecastMonth(
        f"{day:%Y-%m}", month_end(day), points, "C", (), 0, 0, result.contributions
    )


def _forecast(scores: list[int], repaid_from: int) -> ScoreForecast:
    months = tuple(
        _month(k, s, REPAID if k >= repaid_from else ACTIVE) for k, s in enumerate(scores)
    )
    return ScoreForecast("C", None, months, None, None)


@given(
    st.lists(st.integers(400, 700), min_size=1, max_size=14),
    st.integers(0, 14),
    st.integers(0, 14),
)
def test_a_fall_is_explained_exactly_when_the_best_score_after_debt_free_is_not_kept(
    scores: list[int], debt_free_month: int, repaid_from: int
) -> None:
    forecast = _forecast(scores, repaid_from)
    debt_free = add_months(FIRST, debt_free_month) + timedelta(days=4)
    after = [m.score for m in forecast.months if m.as_of >= debt_free]
    best = max(after, default=0)
    falls = bool(after) and any(s != best for s in after[after.index(best) :])
    fall = score_fall(forecast, debt_free, CARD)
    assert (fall is not None) == falls
    if fall is not None:
        assert fall.peak == best and fall.score < best
        assert fall.month > fall.peak_month
        assert why_words(fall_in(forecast, fall))[0].startswith("The score falls")
    assert score_fall(forecast, None, CARD) is None  # never debt-free: nothing to explain


def fall_in(forecast: ScoreForecast, fall: object) -> ScoreForecast:
    return replace(forecast, fall=fall)


def test_the_reasons_are_the_features_that_lost_points_in_the_cards_words() -> None:
    forecast = _forecast([540, 545, 532, 532], repaid_from=2)
    fall = score_fall(forecast, FIRST, CARD)
    assert fall is not None
    assert fall.features == ("months_since_activity",)
    assert fall.reasons == ("last credit activity 24 months ago",)
    assert (fall.peak_month, fall.month) == ("2027-02", "2027-03")
    said = why_words(replace(forecast, fall=fall))[0]
    assert "a repaid file shows no recent payments" in said
    assert said.endswith("because by then a repaid file shows no recent payments, which the "
                         "score reads as risk: last credit activity 24 months ago.")  # fmt: skip


def _service(card: Scorecard = CARD) -> AdviseService:
    return AdviseService(
        CN, WeekdayCalendar(), read_yaml_with_lines, HighsSolver(), scorecard=lambda: card
    )


def _counselled(horizon_months: int | None = None, card: Scorecard = CARD) -> Advice:
    """examples/five-platforms.yaml planned and counselled. The forecast reads the plan shown
    only: the comparisons at the cap and without good faith are skipped (`compare_cap`)."""
    service = _service(card)
    plan_input = service.read(ROOT / "examples" / "five-platforms.yaml")
    advised = service.advise(plan_input, date(2026, 12, 7), horizon_months, compare_cap=False)
    return service.counsel(advised)


@pytest.mark.slow  # a whole plan of five loans over 36 months
def test_five_platforms_says_why_and_shows_the_account_kept_active() -> None:
    advice = _counselled()
    forecast = advice.forecast
    assert forecast is not None
    words = [line for line in summary(advice) if line.startswith("The score falls")]
    assert (forecast.fall is not None) == bool(words)
    assert forecast.fall is not None  # debt-free within 36 months, then nothing is paid
    assert forecast.active is not None and forecast.active_account is not None
    assert {"months_since_activity", "current_24m"} <= set(forecast.fall.features)
    kept = {m.month: m.score for m in forecast.active.months}
    assert kept[forecast.fall.month] > forecast.fall.score
    assert [m.month for m in forecast.active.months] == [m.month for m in forecast.months]
    form = why_json(forecast)
    assert form["fall"]["month"] == forecast.fall.month
    assert form["active_path"]["spend_monthly"] == "200.00"
    assert "Keep your account active" in " ".join(summary(advice))
    assert forecast.active_account.platform == "Weilidai"  # no credit line: the last repaid


@pytest.mark.slow  # a whole plan of five loans over 36 months
def test_the_shipped_model_falls_as_the_repaid_months_leave_two_years() -> None:
    """The shipped model reads `current_24m`: once the five platforms are repaid the score
    rises, then falls as the repaid months leave the 24-month window, and the summary says
    why and shows the account kept active, which keeps the score up."""
    advice = _counselled(card=SHIPPED)
    forecast = advice.forecast
    assert forecast is not None and advice.strategies["optimal"].debt_free_on is not None
    fall = forecast.fall
    assert fall is not None and fall.features == ("current_24m",)
    assert fall.month > f"{fall.debt_free_on:%Y-%m}" and fall.score < fall.peak
    assert forecast.active is not None
    kept = {m.month: m.score for m in forecast.active.months}
    assert kept[forecast.months[-1].month] > forecast.months[-1].score
    words = " ".join(line for line in summary(advice) if line.startswith("The score falls"))
    assert "a repaid file shows no recent payments" in words and "kept current" in words


def test_the_account_kept_active_is_a_credit_line_when_the_plan_has_one() -> None:
    """Small spending is made on Huabei, not on an instalment loan repaid later."""
    service = _service()
    example = ROOT / "examples" / "six-accounts.yaml"
    advice = service.advise(service.read(example), date(2026, 12, 7), compare_cap=False)
    forecast = service.counsel(advice).forecast
    assert forecast is not None and forecast.fall is not None
    assert forecast.active_account is not None
    assert forecast.active_account.platform == "Huabei"


def test_no_explanation_while_the_debts_are_not_repaid() -> None:
    advice = _counselled(4)
    assert advice.strategies["optimal"].debt_free_on is None
    assert advice.forecast is not None and advice.forecast.fall is None
    assert advice.forecast.active is None
    assert not any(line.startswith("The score falls") for line in summary(advice))
    assert why_json(advice.forecast) == {"fall": None, "active_path": None}
