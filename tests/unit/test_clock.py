"""The one clock (domain/clock.py, made in bootstrap) and the calendar chosen by the profile."""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from creditmend import bootstrap
from creditmend.adapters.holidays_cn import ChinaCalendar
from creditmend.domain.clock import FixedClock, ZonedClock
from creditmend.domain.problems import ProblemsError
from creditmend.domain.rules import CN
from creditmend.domain.rules.profile import SourcedText

BEIJING = ZoneInfo("Asia/Shanghai")
SRC = Path(__file__).parents[2] / "src" / "creditmend"


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 12, 7, 1, 0, tzinfo=BEIJING),
        datetime(2026, 12, 6, 17, 0, tzinfo=UTC),
        datetime(2026, 12, 6, 12, 0, tzinfo=ZoneInfo("America/New_York")),
    ],
)
def test_the_business_date_is_the_zones_whatever_offset_the_instant_is_written_in(
    at: datetime,
) -> None:
    clock = FixedClock(at, BEIJING)
    assert clock.today() == date(2026, 12, 7)
    assert clock.now() == datetime(2026, 12, 6, 17, 0, tzinfo=UTC)
    assert clock.now().utcoffset() == timedelta(0)  # stored instants stay UTC, as before


def test_a_fixed_clock_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        FixedClock(datetime(2026, 12, 7, 1, 0), BEIJING)


def test_the_system_clock_gives_a_utc_instant_and_the_zones_date() -> None:
    clock = ZonedClock(BEIJING)
    before = datetime.now(BEIJING).date()
    now, today = clock.now(), clock.today()
    assert now.utcoffset() == timedelta(0)
    assert today in (before, datetime.now(BEIJING).date())  # midnight may pass in between


def test_bootstrap_freezes_the_clock_from_creditmend_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDITMEND_NOW", "2026-12-07T01:00:00+08:00")
    assert bootstrap.clock().today() == date(2026, 12, 7)
    monkeypatch.setenv("CREDITMEND_NOW", "2026-12-07T00:59:00+09:00")  # Tokyo: 23:59 in Beijing
    assert bootstrap.clock().today() == date(2026, 12, 6)
    monkeypatch.setenv("CREDITMEND_NOW", "")
    assert isinstance(bootstrap.clock(), ZonedClock)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2026-12-07T01:00:00", "CREDITMEND_NOW: '2026-12-07T01:00:00' has no UTC offset"),
        ("2026-12-07", "CREDITMEND_NOW: '2026-12-07' has no UTC offset"),
        ("07/12/2026 01:00", "CREDITMEND_NOW: '07/12/2026 01:00' is not an ISO 8601 date"),
        ("9999-12-31T23:00:00+00:00", "CREDITMEND_NOW: '9999-12-31T23:00:00+00:00' is out of"),
    ],
)
def test_a_naive_or_malformed_creditmend_now_is_refused(
    monkeypatch: pytest.MonkeyPatch, value: str, says: str
) -> None:
    monkeypatch.setenv("CREDITMEND_NOW", value)
    with pytest.raises(ProblemsError) as refused:
        bootstrap.clock()
    assert str(refused.value).startswith(says)


def test_the_calendar_is_the_one_the_profile_names() -> None:
    assert isinstance(bootstrap.business_calendar(CN), ChinaCalendar)
    elsewhere = replace(CN, business_calendar=SourcedText("XX", "a calendar nobody answers for"))
    with pytest.raises(LookupError, match="business_calendar: profile 'cn' names 'XX'"):
        bootstrap.business_calendar(elsewhere)


def test_nothing_below_bootstrap_reads_the_system_clock_but_the_clock() -> None:
    """`datetime.now()`, `date.today()`, `datetime.utcnow()`: only domain/clock.py asks."""
    readers = []
    for path in SRC.rglob("*.py"):
        if path == SRC / "domain" / "clock.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("now", "today", "utcnow")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in ("datetime", "date")
            ):
                readers.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert readers == []
