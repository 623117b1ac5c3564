from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditmend.domain.rules import CN, profile
from creditmend.domain.rules.profile import AllocationRule, Component, DueState


def test_status_buckets_follow_pboc_codes() -> None:
    expected = {
        0: "N",
        1: "1",
        30: "1",
        31: "2",
        60: "2",
        61: "3",
        90: "3",
        91: "4",
        120: "4",
        121: "5",
        150: "5",
        151: "6",
        180: "6",
        181: "7",
        2000: "7",
    }
    assert {days: CN.bucket_code(days) for days in expected} == expected
    assert set("NM1234567*/#CGDZB") <= set(CN.status_codes)


def test_lpr_history_and_private_lending_cap() -> None:
    assert CN.lpr_on(date(2019, 8, 20)).one_year == Decimal("0.0425")
    assert CN.lpr_on(date(2024, 10, 20)).one_year == Decimal("0.0335")
    assert CN.lpr_on(date(2025, 5, 20)).one_year == Decimal("0.0300")
    assert CN.lpr_on(date(2026, 11, 28)).five_year == Decimal("0.0350")
    assert CN.annual_cap("private", date(2026, 1, 1))[0] == Decimal("0.1200")
    assert CN.annual_cap("private", date(2025, 1, 1))[0] == Decimal("0.1240")
    assert CN.annual_cap("private", date(2018, 1, 10)) == (
        Decimal("0.24"),
        CN.caps.private_lending_before_lpr.source,
    )
    cap, source = CN.annual_cap("licensed", date(2026, 1, 1))
    assert cap == Decimal("0.24")
    assert "24 %" in source
    dates = [f.effective_on for f in CN.lpr_history]
    assert dates == sorted(dates)


def test_default_allocation_is_civil_code_561() -> None:
    order = CN.default_allocation
    assert order[0] == AllocationRule(DueState.PAST_DUE, Component.FEE)
    components = [rule.component for rule in order if rule.due is DueState.PAST_DUE]
    assert components == [Component.FEE, Component.PENALTY, Component.INTEREST, Component.PRINCIPAL]
    assert AllocationRule.parse("due.interest") == AllocationRule(DueState.DUE, Component.INTEREST)


def test_every_rule_names_its_source() -> None:
    assert profile("cn") is CN
    for sourced in (
        CN.days_in_year,
        CN.retention_years,
        CN.objection_reply_days,
        CN.complaint_reply_days,
        CN.caps.licensed_all_in_annual,
        CN.caps.private_lending_lpr_multiple,
        CN.penalty_multiplier,
    ):
        assert sourced.source
    assert CN.retention_years.value == 5
    assert CN.objection_reply_days.value == 20
    assert CN.days_in_year.value == 360
