"""The 60-month repayment grid: every code from furnished months, and the 连三累六 flag."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditmend.domain.creditfile.furnishing import AccountStatus, read_record
from creditmend.domain.creditfile.grid import (
    MonthCode,
    MonthFacts,
    month_code,
    overdue_pattern_shown,
    repayment_grid,
)
from creditmend.domain.rules.cn import CN

D0 = Decimal(0)
OPEN = AccountStatus.OPEN


def _facts(
    status: AccountStatus = OPEN,
    days: int = 0,
    scheduled: str = "100",
    past_due: str = "0",
    remarks: tuple[str, ...] = (),
) -> MonthFacts:
    return MonthFacts(
        status, days, Decimal(scheduled), Decimal(scheduled), Decimal(past_due), remarks
    )


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        (_facts(), "N"),
        (_facts(scheduled="0"), "*"),
        (_facts(scheduled="0", days=5, past_due="10"), "1"),
        (_facts(days=30, past_due="1"), "1"),
        (_facts(days=31, past_due="1"), "2"),
        (_facts(days=61, past_due="1"), "3"),
        (_facts(days=91, past_due="1"), "4"),
        (_facts(days=121, past_due="1"), "5"),
        (_facts(days=151, past_due="1"), "6"),
        (_facts(days=181, past_due="1"), "7"),
        (_facts(AccountStatus.RESTRUCTURED), "N"),
        (_facts(AccountStatus.SETTLED), "C"),
        (_facts(AccountStatus.CLOSED), "C"),
        (_facts(AccountStatus.CHARGED_OFF, days=400, past_due="9"), "B"),
        (_facts(AccountStatus.TRANSFERRED), "G"),
        (_facts(AccountStatus.SETTLED, remarks=("guarantor_paid",)), "D"),
        (_facts(AccountStatus.SETTLED, remarks=("asset_repaid",)), "Z"),
        (_facts(days=45, past_due="9", remarks=("fraud",)), "2"),
    ],
)
def test_month_code(facts: MonthFacts, code: str) -> None:
    assert month_code(facts, CN) == code


def test_grid_spans_length_months_ending_at_as_of_with_slash_and_hash() -> None:
    months = {date(2025, 3, 1): _facts(), date(2025, 5, 1): _facts(days=10, past_due="5")}
    grid = repayment_grid(months, date(2025, 3, 18), date(2025, 6, 10), CN)
    assert len(grid) == 60
    assert grid[0] == MonthCode(date(2020, 7, 1), "/")
    assert grid[-1].month == date(2025, 6, 1)
    assert "".join(entry.code for entry in grid[-5:]) == "/N#1#"
    assert all(entry.code == "/" for entry in grid[:-4])


def test_grid_repeats_the_ending_code_after_settlement_but_not_after_charge_off() -> None:
    settled = {date(2025, 1, 1): _facts(), date(2025, 2, 1): _facts(AccountStatus.SETTLED)}
    grid = repayment_grid(settled, date(2024, 12, 5), date(2025, 4, 30), CN, length=5)
    assert [entry.code for entry in grid] == ["#", "N", "C", "C", "C"]
    charged = {date(2025, 2, 1): _facts(AccountStatus.CHARGED_OFF, days=200, past_due="1")}
    grid = repayment_grid(charged, date(2024, 12, 5), date(2025, 4, 30), CN, length=5)
    assert [entry.code for entry in grid] == ["#", "#", "B", "#", "#"]


def test_grid_carries_an_ending_from_before_the_window() -> None:
    months = {date(2020, 1, 1): _facts(AccountStatus.TRANSFERRED)}
    grid = repayment_grid(months, date(2019, 6, 1), date(2025, 4, 30), CN, length=3)
    assert [entry.code for entry in grid] == ["G", "G", "G"]


def test_grid_reopens_after_a_later_furnished_month() -> None:
    months = {date(2025, 1, 1): _facts(AccountStatus.CLOSED), date(2025, 3, 1): _facts()}
    grid = repayment_grid(months, date(2024, 1, 1), date(2025, 4, 1), CN, length=4)
    assert [entry.code for entry in grid] == ["C", "C", "N", "#"]


def test_grid_keys_may_be_any_day_of_the_month_but_not_two_for_one_month() -> None:
    grid = repayment_grid({date(2025, 4, 30): _facts()}, date(2025, 4, 1), date(2025, 4, 1), CN, 1)
    assert grid == (MonthCode(date(2025, 4, 1), "N"),)
    with pytest.raises(ValueError, match="two entries"):
        repayment_grid({date(2025, 4, 1): _facts(), date(2025, 4, 2): _facts()},
                       date(2025, 4, 1), date(2025, 4, 1), CN)  # fmt: skip
    with pytest.raises(ValueError, match="length"):
        repayment_grid({}, date(2025, 4, 1), date(2025, 4, 1), CN, length=0)


def test_m_is_never_produced_from_cmf_v1() -> None:
    """A payment made late but cured by month end is not visible in CMF v1: it reads N."""
    codes = {month_code(_facts(status, days, past_due="1" if days else "0"), CN)
             for status in AccountStatus for days in (0, 1, 100)}  # fmt: skip
    assert "M" not in codes


def test_month_facts_of_a_furnished_record() -> None:
    record, _ = read_record(
        {
            "furnisher_id": "L", "account_id": "A", "period": "2025-05", "id_type": "passport",
            "id_number": "E1234567", "name": "X", "account_type": "microloan",
            "opened_on": "2025-01-01", "principal": "100", "scheduled_amount": "10",
            "paid_amount": "0", "balance": "50", "past_due_amount": "10", "days_past_due": 12,
            "status": "open", "remarks": ["disputed"],
        },
        2,
        default_currency="CNY",
    )  # fmt: skip
    assert record is not None
    facts = MonthFacts.of(record)
    assert facts == MonthFacts(OPEN, 12, Decimal(10), D0, Decimal(10), ("disputed",))
    assert month_code(facts, CN) == "1"


def _grid(codes: str) -> tuple[MonthCode, ...]:
    return tuple(MonthCode(date(2000 + i // 12, i % 12 + 1, 1), c) for i, c in enumerate(codes))


@pytest.mark.parametrize(
    ("codes", "flag"),
    [
        ("N" * 24, False),
        ("NN123NNN", True),  # three in a row
        ("N1N1N1N1N1N", False),  # five, never two in a row
        ("1N1N1N1N1N1N", True),  # six cumulative
        ("11N11N", False),
        ("NNBBBN", True),  # bad debt counts as overdue
        ("CCDZG*#/M" * 3, False),
        ("111" + "N" * 24, False),  # the run is older than 24 months
        ("N" * 6 + "1N1N1N" + "N" * 12 + "1N1N1N", True),  # six within the last 24
        ("N" * 5 + "1N1N1N" + "N" * 13 + "1N1N1N", False),  # the oldest one is 25 months back
    ],
)
def test_the_cn_overdue_pattern_is_3_consecutive_or_6_in_24(codes: str, flag: bool) -> None:
    assert overdue_pattern_shown(_grid(codes), CN) is flag
