"""The training sources' mappings (`domain/scoring/sources.py`) on hand-made rows: golden values,
the windows' edges, the population, and rules that hold for every grid."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditmend.adapters.training.settings import BinningSettings
from creditmend.domain.scoring import sources
from creditmend.domain.scoring.features import RISK_OF

D = Decimal


def _grid(first: int, last: int = 0, fill: str = "C", **at: str) -> dict[int, str]:
    """A grid from `first` to `last` filled with `fill`; `m19="3"` puts 3 at month -19."""
    grid = dict.fromkeys(range(first, last + 1), fill)
    grid.update({-int(key[1:]): status for key, status in at.items()})
    return grid


# ---------------------------------------------------------------- history
def test_a_history_reads_every_feature_at_month_minus_13() -> None:
    grid = _grid(-40, m29="1", m28="2", m27="5", m26="0", m19="3", m13="X", m5="2")
    assert sources.from_history(grid) == {
        "late_2_24m": D(1),  # -29: 30-59 days
        "late_3_24m": D(1),  # -28: 60-89 days
        "late_4plus_24m": D(1),  # -19: 90-119 days
        "bad_debt_24m": D(1),  # -27: over 150 days or written off
        "months_since_overdue": D(6),  # -19 to -13
        "worst_status_12m": D(4),  # -24..-13 holds -19
        "worst_status_24m": D(8),  # B ranks 8
        "open_accounts": D(0),  # X at -13: no loan that month
        "opened_6m": D(0),
        "opened_12m": D(0),
        "oldest_account_months": D(27),
        # -36..-13 less -29, -28, -27 and -19 (late) and -13 (X); `0` at -26 is current
        "current_24m": D(19),
        "months_since_activity": D(1),  # C at -14, X at -13
    }
    assert sources.history_outcome(grid) == D(1)  # 60-89 days at -5


def test_the_windows_end_where_the_contract_says() -> None:
    grid = _grid(-50, m37="1", m36="1", m25="3", m12="5")
    values = sources.from_history(grid)
    assert values["late_2_24m"] == D(1)  # -36 in, -37 out
    assert values["late_4plus_24m"] == D(1)  # -25
    assert values["worst_status_12m"] == D(0)  # -25 is 13 months before -12's window
    assert values["worst_status_24m"] == D(4)
    assert values["months_since_overdue"] == D(12)  # -25; -12 is after the as-of month
    assert values["open_accounts"] == D(1)  # C at -13: an account paid off that month
    assert sources.history_outcome(grid) == D(1)
    clean = _grid(-30, m40="0")
    assert sources.from_history(_grid(-30))["months_since_overdue"] == D(60)  # none seen
    assert sources.from_history(clean)["months_since_overdue"] == D(27)  # any month up to -13
    assert sources.from_history(clean)["worst_status_24m"] == D(0)


@pytest.mark.parametrize(
    ("first", "six", "twelve", "oldest"),
    [(-13, 1, 1, 0), (-18, 1, 1, 5), (-19, 0, 1, 6), (-24, 0, 1, 11), (-25, 0, 0, 12)],
)
def test_the_opening_is_the_first_month_on_record(
    first: int, six: int, twelve: int, oldest: int
) -> None:
    values = sources.from_history(_grid(first))
    assert (values["opened_6m"], values["opened_12m"]) == (D(six), D(twelve))
    assert values["oldest_account_months"] == D(oldest)


@pytest.mark.parametrize(
    ("grid", "since"),
    [
        (_grid(-30), 0),  # C at -13: paid off that month is activity
        (_grid(-30, m13="X", m14="X", m15="0"), 2),  # late at -15 is activity
        (_grid(-30, fill="X", m20="C"), 7),  # the latest non-X month, -20
        (_grid(-30, fill="X", m12="C"), 17),  # all X up to -13: since the opening, -30
        (_grid(-13, fill="X"), 0),  # opened at the as-of month, no loan yet
    ],
)
def test_months_since_activity_counts_from_the_latest_month_not_x(
    grid: dict[int, str], since: int
) -> None:
    """A month not `X` has a loan on the books; a grid all `X` up to -13 reads the months since
    its opening (censored, equal to `oldest_account_months`), never missing."""
    values = sources.from_history(grid)
    assert values["months_since_activity"] == D(since)
    assert values["months_since_activity"] <= values["oldest_account_months"]  # type: ignore[operator]


def test_the_population_needs_a_month_before_and_a_month_after_the_cut() -> None:
    assert sources.history_outcome(_grid(-12)) is None  # opened after the as-of month
    assert sources.history_outcome(_grid(-30, -13)) is None  # no observed outcome
    assert sources.history_outcome(_grid(-30, -12)) == D(0)  # judged on the month it has
    assert sources.history_outcome(_grid(-30, -12, m12="2")) == D(1)
    assert sources.history_outcome(_grid(-30, m0="1")) == D(0)  # 30-59 days is not the outcome
    assert sources.history_outcome(_grid(-30, m13="5")) == D(0)  # -13 is before the window
    with pytest.raises(ValueError, match="no month on record"):
        sources.from_history(_grid(-12))


_statuses = st.sampled_from(sorted(sources.HISTORY_STATUSES))


@given(
    st.integers(min_value=-60, max_value=-13),
    st.lists(_statuses, min_size=48, max_size=48),
)
def test_history_features_agree_with_each_other(first: int, statuses: list[str]) -> None:
    grid = {m: statuses[-m - 13] for m in range(first, -12)}  # -13 .. first
    values = sources.from_history(grid)
    counts = sum(
        values[n] or 0 for n in ("late_2_24m", "late_3_24m", "late_4plus_24m", "bad_debt_24m")
    )
    assert counts <= min(24, -12 - first)
    assert (values["worst_status_12m"] or 0) <= (values["worst_status_24m"] or 0)
    overdue = any(s in sources.HISTORY_STATUS_RANK for s in grid.values())
    since = values["months_since_overdue"]
    assert since is not None and (since == D(60)) == (not overdue)
    assert not overdue or since <= min(47, -13 - first)  # a real value: inside the grid
    assert values["oldest_account_months"] == D(-13 - first)
    active = [m for m, s in grid.items() if s != "X"]
    assert values["months_since_activity"] == D(-13 - max(active, default=first))
    worse = {**grid, -13: "5"}  # written off at the as-of month
    assert sources.from_history(worse)["worst_status_12m"] == D(8)
    assert sources.from_history(worse)["months_since_overdue"] == D(0)


def test_age_is_whole_years_from_days_birth() -> None:
    assert sources.age_in_years("-12005") == D(32)
    assert sources.age_in_years("-365") == D(0)
    with pytest.raises(ValueError, match="not a day before"):
        sources.age_in_years("100")


# ---------------------------------------------------------------- gmsc
def _gmsc(late: tuple[str, str, str], **changes: str) -> dict[str, str]:
    return {
        "": "1",
        "SeriousDlqin2yrs": "1",
        "RevolvingUtilizationOfUnsecuredLines": "0.766126609",
        "age": "45",
        **dict(zip(sources.GMSC_LATE, late, strict=True)),
        "DebtRatio": "0.802982129",
        "MonthlyIncome": "9120",
        "NumberOfOpenCreditLinesAndLoans": "13",
        "NumberRealEstateLoansOrLines": "6",
        "NumberOfDependents": "2",
        **changes,
    }


def test_gmsc_maps_what_carries() -> None:
    assert sources.from_gmsc(_gmsc(("2", "0", "1"))) == {
        "late_2_24m": D(2),
        "late_3_24m": D(0),
        "late_4plus_24m": D(1),
        "worst_status_24m": D(4),
        "utilisation": D("0.7661"),
        "open_accounts": D(13),
        "open_accounts_bank": D(6),
    }
    assert sources.from_gmsc(_gmsc(("2", "1", "0")))["worst_status_24m"] == D(3)
    assert sources.from_gmsc(_gmsc(("2", "0", "0")))["worst_status_24m"] == D(2)
    assert sources.from_gmsc(_gmsc(("0", "0", "0")))["worst_status_24m"] == D(0)


def test_gmsc_codes_96_and_98_are_missing_not_counts() -> None:
    values = sources.from_gmsc(_gmsc(("98", "98", "98"), RevolvingUtilizationOfUnsecuredLines=""))
    assert [values[n] for n in ("late_2_24m", "late_3_24m", "late_4plus_24m")] == [None] * 3
    assert values["worst_status_24m"] is None and values["utilisation"] is None
    assert sources.from_gmsc(_gmsc(("96", "0", "0")))["late_3_24m"] is None
    assert set(values) == set(sources.GMSC_FEATURES)  # income, debt, dependents do not carry


# ---------------------------------------------------------------- taiwan
def _taiwan(
    status: tuple[int, ...], bill: str, limit: str = "20000", paid: tuple[int, ...] = (0,) * 6
) -> dict[str, str]:
    return {
        "LIMIT_BAL": limit,
        "BILL_AMT1": bill,
        **{column: str(s) for column, s in zip(sources.TAIWAN_STATUS, status, strict=True)},
        **{column: str(p) for column, p in zip(sources.TAIWAN_PAID, paid, strict=True)},
    }


def test_taiwan_maps_what_carries() -> None:
    # the data's first row (PAY_AMT2 = 689: a payment in August)
    first = _taiwan((2, 2, -1, -1, -2, -2), "3913", paid=(0, 689, 0, 0, 0, 0))
    assert sources.from_taiwan(first) == {
        "late_2_24m": D(2),
        "late_3_24m": D(0),
        "late_4plus_24m": D(0),
        "months_since_overdue": D(0),
        "worst_status_12m": D(2),
        "utilisation": D("0.1957"),
        "months_since_activity": D(1),
    }
    assert sources.from_taiwan(_taiwan((0, -1, 9, 4, 3, 1), "-500", paid=(5, 0, 0, 0, 0, 9))) == {
        "late_2_24m": D(0),
        "late_3_24m": D(1),
        "late_4plus_24m": D(2),  # 9 months late and 4 months late
        "months_since_overdue": D(2),  # July
        "worst_status_12m": D(7),  # 9 or more reads the grid's last bucket
        "utilisation": D(0),  # a credit balance owes nothing
        "months_since_activity": D(0),  # paid in September
    }
    quiet = sources.from_taiwan(_taiwan((0, 0, -1, -2, 0, 0), "100", limit="0"))
    assert quiet["months_since_overdue"] == D(60)  # none seen in the 6 months
    assert quiet["utilisation"] is None
    assert quiet["months_since_activity"] == D(6)  # no payment in the 6 months: censored
    only_april = _taiwan((0,) * 6, "0", paid=(0, 0, 0, 0, 0, 1))
    assert sources.from_taiwan(only_april)["months_since_activity"] == D(5)
    assert set(quiet) == set(sources.TAIWAN_FEATURES)


# ---------------------------------------------------------------- the contract's names
CONTRACT = {  # the trained features' names and their risk (docs/score.md)
    **dict.fromkeys(
        ("late_2_24m", "late_3_24m", "late_4plus_24m", "bad_debt_24m", "worst_status_12m",
         "worst_status_24m", "open_accounts", "open_accounts_bank",
         "open_accounts_non_bank", "opened_6m", "opened_12m", "overdue_share"),
        "rises",
    ),
    "months_since_overdue": "falls",
    "oldest_account_months": "falls",
    "current_24m": "falls",
    "utilisation": "valley",
    "months_since_activity": "valley",
}  # fmt: skip


def test_every_source_writes_contract_names_trained_the_contracts_way() -> None:
    written = {*sources.HISTORY_FEATURES, *sources.GMSC_FEATURES, *sources.TAIWAN_FEATURES}
    assert written <= set(CONTRACT)
    for name in written:
        assert RISK_OF[name] == CONTRACT[name], name
        assert (
            BinningSettings().trend_of(name)
            == {
                "rises": "ascending",
                "falls": "descending",
                "valley": BinningSettings().monotonic_trend,
            }[CONTRACT[name]]
        ), name
    assert BinningSettings(trends={"utilisation": "peak"}).trend_of("utilisation") == "peak"
    assert BinningSettings().trend_of("DebtRatio") == BinningSettings().monotonic_trend
