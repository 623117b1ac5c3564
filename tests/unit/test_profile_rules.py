"""The jurisdiction profile holds the rules the code reads: its own checks, the overdue
pattern as data, and no rule left at a default when a profile is made."""

from __future__ import annotations

import dataclasses
from itertools import product

import pytest

from creditmend.domain.rules import CN
from creditmend.domain.rules.profile import JurisdictionProfile, OverduePattern


def test_cn_rules_carry_their_values_and_sources() -> None:
    assert CN.time_zone.value == "Asia/Shanghai" and CN.business_calendar.value == "CN"
    assert CN.currency == "CNY" and CN.grid_months.value == 60
    assert CN.overdue_codes == frozenset("1234567B")
    assert CN.serious_days.value == 90 and CN.serious_codes == frozenset("4567B")
    assert (CN.overdue_pattern.consecutive, CN.overdue_pattern.cumulative) == (3, 6)
    assert CN.overdue_pattern.window == 24 and CN.dormant_months.value == 6
    assert [p.id for p in CN.dated_policies] == ["cn-pboc-credit-repair-2025"]
    for value in (CN.time_zone, CN.serious_days, CN.grid_months, CN.dormant_months):
        assert value.source


def test_serious_codes_must_agree_with_the_buckets() -> None:
    with pytest.raises(ValueError, match="serious_codes disagree"):
        dataclasses.replace(CN, serious_codes=frozenset("567B"))
    with pytest.raises(ValueError, match="are not status codes"):
        dataclasses.replace(CN, overdue_codes=frozenset("12X"))


def test_a_profile_cannot_be_made_without_its_dated_policies() -> None:
    fields = {f.name: getattr(CN, f.name) for f in dataclasses.fields(JurisdictionProfile)}
    del fields["dated_policies"]
    with pytest.raises(TypeError, match="dated_policies"):
        JurisdictionProfile(**fields)


def _by_definition(flags: tuple[bool, ...], pattern: OverduePattern) -> bool:
    recent = flags[-pattern.window :]
    runs = any(
        all(recent[i : i + pattern.consecutive])
        for i in range(len(recent) - pattern.consecutive + 1)
    )
    return runs or sum(recent) >= pattern.cumulative


@pytest.mark.parametrize("pattern", [CN.overdue_pattern, OverduePattern(2, 4, 6, "test")])
def test_the_overdue_pattern_is_a_run_or_a_count_within_its_window(
    pattern: OverduePattern,
) -> None:
    for flags in product((False, True), repeat=8):
        assert pattern.shown(flags) is _by_definition(flags, pattern), flags
