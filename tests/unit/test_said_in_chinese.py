"""The domain's sentences (`Said`) said in Chinese by the catalogues, their phrases too, and the
words a scorecard gives in both languages (`Worded`): English as before for the JSON and the
golden tests, Chinese where a Chinese reader reads them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from creditmend.adapters.i18n import translations
from creditmend.domain.creditfile.evidence import Attempt, DueDay, Evidence, deduction_finding
from creditmend.domain.i18n import CHINESE, ENGLISH, N_, Said, Worded, month_named, told
from creditmend.domain.recovery.from_bureau_revolving import revolving_note
from creditmend.domain.rules import profile

ZH = translations(CHINESE).gettext
EN = translations(ENGLISH).gettext
DUE = DueDay(date(2026, 4, 10), date(2026, 4, 1), Decimal("1100.16"))


def test_a_phrase_inside_a_sentence_is_said_in_its_language_too() -> None:
    cure = Said(N_("kept overdue until %(month)s (%(n)s month ends)"), month="2026-11", n=5)
    line = Said(N_("- %(loan)s: %(cure)s%(settled)s."), loan="Jiebei", cure=cure, settled="")
    assert line == "- Jiebei: kept overdue until 2026-11 (5 month ends)."
    assert told(line, EN) == line
    assert told(line, ZH) == "- Jiebei：逾期持续到 2026-11（共 5 个月末处于逾期）。"


def test_a_month_is_named_the_languages_way() -> None:
    month = month_named(date(2026, 12, 7))
    assert month == "December 2026" and told(month, ZH) == "2026年12月"


def test_words_in_both_languages_follow_the_language_asked() -> None:
    reason = Worded("3 months 31 to 60 days late", "近2年有3个月逾期31-60天")
    why = Said(N_("a repaid file shows no recent payments, which the score reads as risk: %(why)s"),
               why=reason)  # fmt: skip
    assert told(why, ZH, CHINESE).endswith("：近2年有3个月逾期31-60天")
    assert told(why, EN, ENGLISH).endswith("risk: 3 months 31 to 60 days late")
    assert told(Worded("only English"), ZH, CHINESE) == "only English"


def test_a_finding_is_said_in_chinese() -> None:
    failed = Evidence(deduction_attempts=(Attempt(date(2026, 4, 10), False, "platform_error"),))
    (line,) = deduction_finding(DUE, failed).summary
    assert line == "the debit on 2026-04-10 failed for platform_error"
    assert told(line, ZH) == "2026-04-10 的扣款因平台系统故障而失败"
    (missing,) = deduction_finding(DUE, Evidence()).summary
    assert told(missing, ZH).startswith("2026-04-10 既没有因平台一方原因导致的扣款失败")


def test_a_plans_note_is_said_in_chinese() -> None:
    note = revolving_note(profile("cn"))
    assert note.startswith("Revolving accounts are rebuilt from their statements")
    chinese = told(note, ZH)
    assert chinese.startswith("循环信用账户根据账单重建") and "%" in chinese
    assert "%%" not in chinese and "%(" not in chinese
