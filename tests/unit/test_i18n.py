"""The two languages' choice from a tag or the environment, and the documents' formats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from creditmend.adapters.i18n import speaker
from creditmend.domain.i18n import language_from_environment, language_of
from creditmend.domain.money import Money


@pytest.mark.parametrize(
    ("environ", "chosen"),
    [
        ({}, "en"),
        ({"LANG": "C"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "zh_TW.UTF-8"}, "zh_CN"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "en_GB.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh_CN"),  # LC_ALL wins
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "C"}, "en"),  # then LC_MESSAGES
        ({"LANG": "zh_CN.UTF-8", "LC_ALL": ""}, "zh_CN"),  # an empty variable is unset
    ],
)
def test_the_environment_chooses_chinese_only_when_it_says_zh(
    environ: dict[str, str], chosen: str
) -> None:
    assert language_from_environment(environ) == chosen


@pytest.mark.parametrize(
    ("tag", "chosen"),
    [("zh_CN", "zh_CN"), ("zh-cn", "zh_CN"), ("zh", "zh_CN"), ("en", "en"),
     ("en_US.UTF-8", "en"), ("fr", None), ("", None), ("zhx", None)],
)  # fmt: skip
def test_a_tag_names_one_of_the_two_languages_or_none(tag: str, chosen: str | None) -> None:
    assert language_of(tag) == chosen


def test_amounts_dates_and_percentages_follow_the_locale() -> None:
    en, zh = speaker("en"), speaker("zh_CN")
    amount = Money.of("1234567.8", "CNY")
    assert en.amount(amount) == "1,234,567.80 CNY"
    assert zh.amount(amount) == "¥1,234,567.80"
    assert en.figure(amount) == zh.figure(amount) == "1,234,567.80"
    assert en.percent(Decimal("0.4256")) == "42.56 %" and zh.percent(Decimal("0.4256")) == "42.56%"
    assert (
        en.day(date(2026, 1, 31)) == "2026-01-31" and zh.day(date(2026, 1, 31)) == "2026年1月31日"
    )
    assert en.month(date(2024, 3, 1)) == "2024-03" and zh.month(date(2024, 3, 1)) == "2024年3月"
    assert en.amount(None) == zh.day(None) == "—"
    assert en.html_lang == "en" and zh.html_lang == "zh-CN"
