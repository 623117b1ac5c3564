"""The domain's sentences (`Said`) said in Chinese by the catalogues, their phrases too, and the
words a scorecard gives in both languages (`Worded`): English as before for the JSON and the
golden tests, Chinese where a Chinese reader reads them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from test_report_render import GENERATED, _terminal, full_facts, make_report
from test_whatif import _view as whatif_view

from creditmend.adapters.i18n import translations
from creditmend.adapters.render.html import render_html
from creditmend.bootstrap import load_scorecard
from creditmend.domain.creditfile.evidence import Attempt, DueDay, Evidence, deduction_finding
from creditmend.domain.i18n import CHINESE, ENGLISH, N_, Said, Worded, month_named, told
from creditmend.domain.recovery.from_bureau_revolving import revolving_note
from creditmend.domain.rules import profile
from creditmend.domain.scoring.whatif import MonthsOnTime, what_if

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


def test_a_what_ifs_reasons_carry_the_scorecards_chinese() -> None:
    card = load_scorecard()
    later = what_if(card, whatif_view(), MonthsOnTime(24), profile("cn"), "CNY")
    chinese = dict(later.before.reasons_zh)
    gone = dict(zip((f for f, _ in later.before.reasons), later.before.worded(), strict=True))
    assert later.reasons_gone and all(isinstance(text, Worded) for text in later.reasons_gone)
    for text in later.reasons_gone:  # English as before, the card's Chinese in Chinese
        (feature,) = (f for f, words in gone.items() if words == text)
        assert text == dict(later.before.reasons)[feature]
        assert told(text, ZH, CHINESE) == chinese[feature] != text
        assert told(text, EN, ENGLISH) == text


def test_an_expiry_reason_is_said_in_chinese_and_the_same_in_english() -> None:
    report = make_report(full_facts())
    reasons = [line.reason for line in report.expiry_timeline]
    assert "retention: not until cured" in reasons
    assert any(re.fullmatch(r"retention: 5 years after \d{4}-\d\d-\d\d", r) for r in reasons)
    chinese = [told(reason, ZH, CHINESE) for reason in reasons]
    assert "保存期限：结清之前一直展示" in chinese
    assert any(re.fullmatch(r"保存期限：自 \d{4}-\d\d-\d\d 起 5 年", r) for r in chinese)
    english = _terminal(report, 160, "en")
    assert "retention: not until cured" in english and "保存期限" not in english
    zh = _terminal(report, 160, "zh_CN")
    assert "保存期限：结清之前一直展示" in zh and "retention: not until cured" not in zh
    page = render_html(report, GENERATED, profile=profile("cn"), lang=CHINESE)
    assert "保存期限：结清之前一直展示" in page and "retention: not until" not in page
