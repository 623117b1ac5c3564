"""The four renderings of the online-loan big-data report: JSON (against the shipped schema),
terminal (Rich), HTML (one self-contained file) and PDF (WeasyPrint, with a CJK font).

The reports are built through the real domain (`visible_file` + `build_report`) from hand-made
credit files: a full one (four platforms, one with a long Chinese name, an overdue now, a cured
overdue under objection with a personal statement, a court record, a blacklist entry, inquiries),
an empty one (no credit file) and a thin one (one young account).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from importlib import resources
from io import BytesIO, StringIO
from typing import Any

import jsonschema
import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from rich.cells import cell_len
from rich.console import Console

from creditmend.adapters.render import render_html, render_pdf
from creditmend.domain.calendar import add_months
from creditmend.domain.creditfile.furnishing import AccountStatus
from creditmend.domain.creditfile.grid import MonthFacts
from creditmend.domain.creditfile.retention import (
    MonthRow,
    NegativeFact,
    overdue_episodes,
    retention_rules,
)
from creditmend.domain.report.build import ReportRequest, build_report
from creditmend.domain.report.file import (
    AccountFacts,
    BlacklistFacts,
    CreditFileFacts,
    FurnisherFacts,
    InquiryFacts,
    ObjectionFacts,
    PublicRecordFacts,
    StatementFacts,
    visible_file,
)
from creditmend.domain.report.json_form import report_json
from creditmend.domain.report.model import Report
from creditmend.domain.report.present import words
from creditmend.domain.rules.cn import CN
from creditmend.domain.rules.policies import FactKind
from creditmend.domain.scoring.scorecard import Scorecard
from creditmend.interfaces.cli.report_view import print_report
from creditmend.models import default_scorecard
from pdf_spy import spy_on_fetches  # tests/ is on the path (pytest's prepend mode)

AS_OF = date(2026, 1, 31)
GENERATED = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
LONG_NAME = "蚂蚁借呗（重庆蚂蚁消费金融有限公司）网络小额贷款"
FURNISHERS = {
    "JIEBEI": FurnisherFacts("JIEBEI", LONG_NAME, "non_bank"),
    "ICBC": FurnisherFacts("ICBC", "中国工商银行信用卡中心", "bank"),
    "WELI": FurnisherFacts("WELI", "微粒贷", "non_bank"),
    "DXM": FurnisherFacts("DXM", "度小满金融", "non_bank"),
}
SECTIONS = (
    "header",
    "summary",
    "loan_history",
    "overdue",
    "liabilities",
    "multi_head",
    "untrustworthy",
    "blacklist",
    "objections",
    "expiry_timeline",
    "inquiries",
)
CHINESE_HEADINGS = ("报告信息", "概要", "借贷记录", "逾期详情", "负债", "多头借贷", "失信信息")
HEADINGS = (
    "Report information",
    "Summary",
    "Loan history",
    "Overdue details",
    "Liabilities",
    "Multi-head borrowing",
    "Untrustworthy information",
    "Blacklist",
    "Objections and statements",
    "Record expiry timeline",
    "Inquiries",
)


# ------------------------------------------------------------------ hand-made credit files
def _account(
    key: str,
    furnisher: str,
    account_id: str,
    account_type: str,
    opened_on: date,
    months: int,
    balance: Decimal,
    scheduled: Decimal,
    *,
    principal: Decimal | None = None,
    credit_limit: Decimal | None = None,
    overdue: dict[str, tuple[int, Decimal]] | None = None,
    settled_in: str | None = None,
) -> AccountFacts:
    """`months` furnished months from the opening month; `overdue` maps YYYY-MM to (days past
    due, past-due amount); `settled_in` is the month the account is settled (and furnishing
    stops)."""
    facts: dict[date, MonthFacts] = {}
    balances: dict[date, Decimal] = {}
    history: list[MonthRow] = []
    for index in range(months):
        period = add_months(opened_on.replace(day=1), index)
        if period > AS_OF:
            break
        label = f"{period:%Y-%m}"
        days, past_due = (overdue or {}).get(label, (0, Decimal(0)))
        status = AccountStatus.SETTLED if label == settled_in else AccountStatus.OPEN
        paid = Decimal(0) if days else scheduled
        month_balance = Decimal(0) if status is AccountStatus.SETTLED else balance
        facts[period] = MonthFacts(status, days, scheduled, paid, past_due)
        balances[period] = month_balance
        history.append(
            MonthRow(
                period,
                days,
                past_due,
                str(status),
                None if days else period.replace(day=15),
                period.replace(day=20) if status is AccountStatus.SETTLED else None,
            )
        )
        if label == settled_in:
            break
    return AccountFacts(
        furnisher=furnisher,
        account_id=account_id,
        account_type=account_type,
        currency="CNY",
        opened_on=opened_on,
        principal=principal,
        credit_limit=credit_limit,
        months=facts,
        balances=balances,
        key=key,
        history=tuple(history),
    )


def full_facts() -> CreditFileFacts:
    jiebei = _account(
        "account:1",
        "JIEBEI",
        "A-1",
        "online_consumer_loan",
        date(2023, 3, 10),
        40,
        Decimal("31250.00"),
        Decimal("2100.00"),
        principal=Decimal("50000.00"),
        overdue={
            "2024-05": (20, Decimal("12500.00")),
            "2024-06": (50, Decimal("14600.00")),
        },
    )
    icbc = _account(
        "account:2",
        "ICBC",
        "CC-7788",
        "credit_card",
        date(2019, 11, 15),
        80,
        Decimal("25000.00"),
        Decimal("1250.00"),
        credit_limit=Decimal("30000.00"),
    )
    weli = _account(
        "account:3",
        "WELI",
        "W-3",
        "online_consumer_loan",
        date(2022, 2, 8),
        13,
        Decimal("4000.00"),
        Decimal("900.00"),
        principal=Decimal("10000.00"),
        settled_in="2023-02",
    )
    dxm = _account(
        "account:4",
        "DXM",
        "D-9",
        "microloan",
        date(2025, 6, 1),
        8,
        Decimal("4200.00"),
        Decimal("480.00"),
        principal=Decimal("5000.00"),
        overdue={
            "2025-11": (15, Decimal("480.00")),
            "2025-12": (45, Decimal("976.40")),
            "2026-01": (75, Decimal("1478.25")),
        },
    )
    accounts = (jiebei, icbc, weli, dxm)
    court = PublicRecordFacts(
        "public_record:7",
        "enforced_debtor",
        "北京市朝阳区人民法院",
        "(2025)京0105执1234号",
        date(2025, 9, 1),
        Decimal("12000.00"),
        "active",
        None,
    )
    listed = BlacklistFacts(
        "blacklist:3",
        "nifa",
        "severe_overdue",
        date(2025, 12, 1),
        None,
        "逾期超过 90 天 (overdue more than 90 days)",
    )
    negative = (
        *(fact for a in accounts for fact in overdue_episodes(a.history, a.key)),
        NegativeFact(FactKind.PUBLIC_RECORD, court.ref, court.filed_on, None, court.amount),
        NegativeFact(FactKind.BLACKLIST, listed.ref, listed.listed_on, None),
    )
    inquiries = (
        InquiryFacts(date(2026, 1, 28), "XIAOMI", "loan_approval", True, "inquiry:1", "non_bank"),
        InquiryFacts(date(2026, 1, 20), "DXM", "loan_approval", True, "inquiry:2", "non_bank"),
        InquiryFacts(date(2026, 1, 5), "ICBC", "credit_card_approval", True, "inquiry:3", "bank"),
        InquiryFacts(date(2025, 11, 2), "JIEBEI", "post_loan_management", False, "inquiry:4"),
        InquiryFacts(date(2025, 3, 3), None, "self_inquiry", False, "inquiry:5"),
        InquiryFacts(date(2022, 3, 3), "WELI", "loan_approval", True, "inquiry:6", "non_bank"),
    )
    return CreditFileFacts(
        subject_id="110105********1234",
        subject_name="张**",
        accounts=accounts,
        inquiries=inquiries,
        public_records=(court,),
        blacklist=(listed,),
        negative=negative,
        furnishers=FURNISHERS,
        objections=(
            ObjectionFacts(
                "account:JIEBEI:A-1:2024-05",
                "open",
                date(2026, 1, 10),
                date(2026, 1, 30),
                "自动扣款失败，卡内余额充足 (the deduction failed though the balance sufficed)",
            ),
        ),
        statements=(
            StatementFacts(
                "account:JIEBEI:A-1:2024-05",
                "The bank's deduction failed on 2024-05-10; I repaid in full the same month.",
                date(2026, 1, 11),
            ),
        ),
    )


def empty_facts() -> CreditFileFacts:
    return CreditFileFacts("110105********0000", "", (), (), (), (), (), FURNISHERS)


def thin_facts() -> CreditFileFacts:
    only = _account(
        "account:9",
        "WELI",
        "W-100",
        "online_consumer_loan",
        date(2025, 11, 3),
        3,
        Decimal("2800.00"),
        Decimal("320.00"),
        principal=Decimal("3000.00"),
    )
    return CreditFileFacts("110105********5678", "李*", (only,), (), (), (), (), FURNISHERS)


def looked_at_facts() -> CreditFileFacts:
    """No credit data, but looked at: three lenders' hard inquiries (many lenders asked) and
    the subject's own look."""
    inquiries = (
        InquiryFacts(date(2026, 1, 28), "XIAOMI", "loan_approval", True, "inquiry:11", "non_bank"),
        InquiryFacts(date(2026, 1, 20), "DXM", "loan_approval", True, "inquiry:12", "non_bank"),
        InquiryFacts(date(2026, 1, 5), "ICBC", "credit_card_approval", True, "inquiry:13", "bank"),
        InquiryFacts(AS_OF, None, "self_inquiry", False, "inquiry:14"),
    )
    return CreditFileFacts("110105********0001", "", (), inquiries, (), (), (), FURNISHERS)


def make_report(
    facts: CreditFileFacts, income: Decimal | None = None, scorecard: Scorecard | None = None
) -> Report:
    view = visible_file(facts, AS_OF, CN, CN.dated_policies, retention_rules(CN))
    request = ReportRequest("R20260131-00000042", AS_OF, "self_inquiry", None, income)
    return build_report(facts, view, request, CN, scorecard)


def many_facts(count: int = 30) -> CreditFileFacts:
    """One subject with `count` small loans from as many platforms: long reports must hold."""
    furnishers = {
        f"P{n:02d}": FurnisherFacts(f"P{n:02d}", f"第{n}号网络小额贷款有限公司", "non_bank")
        for n in range(count)
    }
    accounts = tuple(
        _account(
            f"account:{100 + n}",
            f"P{n:02d}",
            f"L-{n}",
            "microloan",
            add_months(date(2021, 1, 5), n),
            36,
            Decimal("1000.00"),
            Decimal("100.00"),
            principal=Decimal("1200.00"),
            overdue={f"{add_months(date(2021, 1, 1), n + 3):%Y-%m}": (10, Decimal("100.00"))},
        )
        for n in range(count)
    )
    return CreditFileFacts("110105********9999", "王*", accounts, (), (), (), (), furnishers)


def hostile_facts() -> CreditFileFacts:
    """Names and statements that look like markup must be shown as text."""
    facts = thin_facts()
    furnishers = {
        "WELI": FurnisherFacts("WELI", '<script>alert("x")</script>[bold red]贷[/]', "non_bank")
    }
    return CreditFileFacts(
        facts.subject_id,
        facts.subject_name,
        facts.accounts,
        (),
        (),
        (),
        (),
        furnishers,
        statements=(StatementFacts("account:WELI:W-100", '<img src="http://x/">', AS_OF),),
    )


@pytest.fixture(scope="module")
def full() -> Report:
    return make_report(full_facts(), income=Decimal("9000.00"))


@pytest.fixture(scope="module")
def empty() -> Report:
    return make_report(empty_facts())


@pytest.fixture(scope="module")
def thin() -> Report:
    return make_report(thin_facts())


@pytest.fixture(scope="module")
def looked_at() -> Report:
    return make_report(looked_at_facts())


@pytest.fixture(scope="module")
def scored() -> Report:
    """The full file scored with the shipped scorecard: reasons and flags differ."""
    return make_report(full_facts(), income=Decimal("9000.00"), scorecard=default_scorecard())


def test_the_hand_made_file_has_what_the_renderings_must_show(full: Report) -> None:
    accounts = {a.account_id: a for a in full.overdue.accounts}
    assert full.header.has_file
    assert full.overdue.current_overdue_accounts == 1
    assert accounts["D-9"].grid[-3:] == ("1", "2", "3")
    assert accounts["A-1"].under_objection
    assert accounts["A-1"].grid.count("2") == 1
    assert accounts["W-3"].grid[-1] == "C"
    assert full.untrustworthy.records and full.blacklist.entries
    assert full.summary.score is None


# ------------------------------------------------------------------ JSON and its schema
def _schema() -> dict[str, Any]:
    text = resources.files("creditmend.schemas").joinpath("report_v1.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


def _validator() -> jsonschema.Draft202012Validator:
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _round_trip(report: Report) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(report_json(report), ensure_ascii=False))
    return document


@pytest.mark.parametrize("name", ["full", "empty", "thin"])
def test_json_validates_against_the_shipped_schema(
    name: str, request: pytest.FixtureRequest
) -> None:
    document = _round_trip(request.getfixturevalue(name))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(document)]
    assert errors == []
    assert tuple(document) == SECTIONS


def test_the_schema_requires_the_sections_and_nothing_else() -> None:
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) == set(SECTIONS)
    assert schema["additionalProperties"] is False


def _loose_keys(value: Any, schema: dict[str, Any], defs: dict[str, Any], path: str) -> list[str]:
    """The keys `value` holds that `schema` does not declare, or declares but not require."""
    while "$ref" in schema:
        schema = defs[schema["$ref"].rpartition("/")[2]]
    loose = []
    for branch in schema.get("anyOf", ()):
        if value is not None and branch.get("type") != "null":
            loose += _loose_keys(value, branch, defs, path)
    if isinstance(value, dict):
        declared = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            where = f"{path}.{key}"
            if declared is not None and key in declared:
                if key not in schema.get("required", ()):
                    loose.append(f"{where} is not required")
                loose += _loose_keys(item, declared[key], defs, where)
            elif isinstance(extra, dict):
                loose += _loose_keys(item, extra, defs, where)
            elif declared is not None:
                loose.append(f"{where} is not declared")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            loose += _loose_keys(item, schema["items"], defs, f"{path}[{index}]")
    return loose


def test_the_schema_requires_every_key_the_report_writes(full: Report) -> None:
    """docs/report.md: "every key the report writes today is required"."""
    schema = _schema()
    document = _round_trip(full)
    assert document["inquiries"] and document["expiry_timeline"]
    assert _loose_keys(document, schema, schema["$defs"], "$") == []
    loosened = json.loads(json.dumps(schema))  # a schema that forgot a key is caught
    loosened["properties"]["inquiries"]["items"]["required"].remove("record")
    assert _loose_keys(document, loosened, loosened["$defs"], "$")[0] == (
        "$.inquiries[0].record is not required"
    )


def _broken(document: dict[str, Any], how: str) -> dict[str, Any]:
    broken: dict[str, Any] = json.loads(json.dumps(document))
    if how == "grid of 59":
        broken["overdue"]["accounts"][0]["grid"] = broken["overdue"]["accounts"][0]["grid"][1:]
    elif how == "grid code":
        broken["overdue"]["accounts"][0]["grid"][0] = "X"
    elif how == "float amount":
        broken["liabilities"]["outstanding_balance"] = 123.45
    elif how == "amount with commas":
        broken["liabilities"]["outstanding_balance"] = "12,345.00"
    elif how == "date":
        broken["header"]["as_of"] = "31/01/2026"
    elif how == "window key":
        broken["multi_head"]["hard_inquiries"]["d60"] = 1
    elif how == "missing window":
        del broken["multi_head"]["institutions"]["d365"]
    elif how == "extra section":
        broken["indicators"] = {}
    elif how == "missing section":
        del broken["blacklist"]
    elif how == "missing fixed key":
        del broken["loan_history"]["first_loan_on"]
    elif how == "inquiry without hard":
        del broken["inquiries"][0]["hard"]
    elif how == "inquiry without record":
        del broken["inquiries"][0]["record"]
    elif how == "inquiry without objection mark":
        del broken["inquiries"][0]["under_objection"]
    elif how == "expiry without objection mark":
        del broken["expiry_timeline"][0]["under_objection"]
    elif how == "expiry objection mark not a boolean":
        broken["expiry_timeline"][0]["under_objection"] = "no"
    return broken


@pytest.mark.parametrize(
    "how",
    [
        "grid of 59",
        "grid code",
        "float amount",
        "amount with commas",
        "date",
        "window key",
        "missing window",
        "extra section",
        "missing section",
        "missing fixed key",
        "inquiry without hard",
        "inquiry without record",
        "inquiry without objection mark",
        "expiry without objection mark",
        "expiry objection mark not a boolean",
    ],
)
def test_the_schema_rejects_a_broken_document(how: str, full: Report) -> None:
    assert not _validator().is_valid(_broken(_round_trip(full), how))


# ------------------------------------------------------------------ terminal
def _terminal(report: Report, width: int, lang: str | None = None) -> str:
    console = Console(width=width, record=True, file=StringIO(), color_system="truecolor")
    print_report(report, console, profile=CN, lang=lang)
    return console.export_text()


@pytest.mark.parametrize("width", [60, 61, 72, 80, 100, 120, 160, 200])
@pytest.mark.parametrize("name", ["full", "empty", "thin", "looked_at", "scored"])
def test_the_terminal_rendering_fits_every_width(
    name: str, width: int, request: pytest.FixtureRequest
) -> None:
    text = _terminal(request.getfixturevalue(name), width)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    assert "…" not in text  # nothing cut short


def test_the_terminal_shows_the_key_numbers_and_the_grids(full: Report) -> None:
    text = _terminal(full, 120)
    for expected in (
        "R20260131-00000042",
        "4 / 3 / 1",  # platforms and accounts ever / open / settled
        "65,000.00 CNY",  # borrowed
        "1,478.25 CNY",  # overdue now
        "75",  # most days past due
        "60,450.00 CNY",  # outstanding
        "42.56 %",  # debt-to-income: 3,830 / 9,000
        "83.33 %",  # utilisation: 25,000 / 30,000
        "unscored",
        "3 in a row or 6 in 24",
        LONG_NAME,
        "北京市朝阳区人民法院",
        "not until cured",
        "     J F M A M J J A S O N D",
        "2024 N N N N 1 2 N N N N N N",  # 借呗: the cured overdue under objection
        "2025 / / / / / N N N N N 1 2",  # 度小满: overdue now
        "2026 3",
        "2023 N C C C C C C C C C C C",  # 微粒贷: settled, carried
        "paid on time",  # the legend
    ):
        assert expected in text, expected
    marks = text.count("under objection") - text.count("record(s) under objection")  # a notice
    assert marks == 2  # the account and its expiry line
    assert "异议中" not in text  # English only, unless Chinese is asked for


def test_the_terminal_speaks_chinese_when_asked(full: Report) -> None:
    text = _terminal(full, 120, lang="zh_CN")
    for expected in (
        "1 报告信息",
        "网贷大数据报告",
        "¥65,000.00",  # borrowed, the Chinese way
        "42.56%",  # debt-to-income
        "未评分",
        "连三累六",
        "结清后起算",  # not until cured
        "正常还款",  # the legend
        "2024 N N N N 1 2 N N N N N N",  # the codes are the PBOC's in both languages
    ):
        assert expected in text, expected
    assert text.count("异议中") == 2
    assert "条记录正在异议处理中" in text and "record(s) under objection" not in text  # a notice
    assert "Report information" not in text and "CNY 65,000.00" not in text


def test_the_terminal_colours_the_grid_by_status(full: Report) -> None:
    console = Console(width=100, record=True, file=StringIO(), color_system="truecolor")
    print_report(full, console, profile=CN)
    html = console.export_html(inline_styles=True)
    overdue_3 = re.search(r'<span style="([^"]*)">3</span>', html)
    paid = re.search(r'<span style="([^"]*)">N</span>', html)
    assert overdue_3 is not None and paid is not None
    assert overdue_3.group(1) != paid.group(1)


def test_the_terminal_says_no_credit_file(empty: Report) -> None:
    text = _terminal(empty, 80)
    assert "No credit file" in text
    assert "no loan or card account has been furnished" in text
    assert "Loan history" not in text


def _between(text: str, start: str, end: str) -> str:
    """The part of `text` from the heading `start` up to the heading `end` (or the end)."""
    begin = text.index(start)
    stop = text.find(end, begin)
    return text[begin : stop if stop >= 0 else len(text)]


def _flat(text: str) -> str:
    """The words of a rendering, panel borders left out: wrapped text reads as one line."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_the_terminal_summary_shows_the_risk_flags_beside_the_score(scored: Report) -> None:
    s = scored.summary
    assert s.score is not None and s.flags
    assert not {reason.code for reason in s.reasons} & set(s.flags)
    summary = _flat(_between(_terminal(scored, 80), "2 Summary", "3 Loan history"))
    assert f"Score: {s.score}" in summary
    for flag in s.flags:
        assert words(flag) in summary, flag
    for reason in s.reasons:
        assert reason.text in summary, reason.code


def test_each_reason_shows_its_chinese_words_in_chinese(scored: Report) -> None:
    """The shipped model's reasons have Chinese words, and the words shown are the card's own:
    a card with other Chinese words shows those in Chinese, the same English in English."""
    assert scored.summary.reasons and all(r.text_zh for r in scored.summary.reasons)
    card = default_scorecard()
    zh = {f.name: f.reason_zh for f in card.features}
    for reason in scored.summary.reasons:
        head = zh[reason.code].split("{value}")[0]
        assert reason.text_zh.startswith(head) and reason.text_zh != reason.text, reason.code
    chinese = replace(
        card,
        features=tuple(replace(f, reason_zh=f"理由{f.name}：{{value}}") for f in card.features),
    )
    report = make_report(full_facts(), income=Decimal("9000.00"), scorecard=chinese)
    reasons = report.summary.reasons
    assert [r.text for r in reasons] == [r.text for r in scored.summary.reasons]
    assert all(r.text_zh.startswith(f"理由{r.code}：") for r in reasons)
    written = report_json(report)["summary"]["reasons"]
    assert [r["text_zh"] for r in written] == [r.text_zh for r in reasons]
    summary = _flat(_between(_terminal(report, 100, "zh_CN"), "2 概要", "3 借贷记录"))
    page = _parse(render_html(report, GENERATED, profile=CN, lang="zh_CN"))
    html = _between(" ".join("".join(page.text).split()), "2 概要", "3 借贷记录")
    english = _flat(_between(_terminal(report, 100), "2 Summary", "3 Loan history"))
    for reason in reasons:
        assert reason.text_zh in summary.replace(" ", ""), reason.code  # wrapped: no spaces
        assert reason.text_zh in html, reason.code
        assert reason.text.replace(" ", "") in english.replace(" ", ""), reason.code
        assert reason.text_zh.replace(" ", "") not in english.replace(" ", ""), reason.code


def test_the_html_summary_shows_the_same_risk_flags(scored: Report) -> None:
    page = _parse(render_html(scored, GENERATED, profile=CN))
    text = " ".join("".join(page.text).split())
    summary = _between(text, "2 Summary", "3 Loan history")
    for flag in scored.summary.flags:
        assert words(flag) in summary, flag


def test_the_terminal_lists_the_inquiries_of_a_person_without_a_file(looked_at: Report) -> None:
    assert not looked_at.header.has_file and len(looked_at.inquiries) == 4
    text = _flat(_terminal(looked_at, 80))
    assert "No credit file" in text
    assert "inquiry, court record" not in text  # it would deny the inquiries listed below
    assert "Loan history" not in text and "Overdue details" not in text
    assert "many lenders asked" in _between(text, "2 Summary", "6 Multi-head")
    multi_head = _between(text, "6 Multi-head borrowing", "11 Inquiries")
    assert "Hard inquiries 1 2 3 3 3 3" in multi_head
    inquiries = _between(text, "11 Inquiries", "\n\n\n")
    for expected in ("XIAOMI", "度小满金融 DXM", "中国工商银行信用卡中心 ICBC", "the subject"):
        assert expected in inquiries, expected
    assert "No inquiry in the last 24 months" not in text
    for line in looked_at.inquiries:  # each with the reference an objection names
        assert line.record and line.record in inquiries, line.record


def test_the_html_lists_the_inquiries_of_a_person_without_a_file(looked_at: Report) -> None:
    page = _parse(render_html(looked_at, GENERATED, profile=CN))
    headings = page.headings
    assert any(h.startswith("No credit file") for h in headings)
    for heading in ("6 Multi-head borrowing", "11 Inquiries"):
        assert any(h.startswith(heading) for h in headings), heading
    assert not any(h.startswith("3 Loan history") for h in headings)
    text = " ".join("".join(page.text).split())
    assert "inquiry, court record" not in text
    assert "many lenders asked" in text
    for expected in ("XIAOMI", "度小满金融", "中国工商银行信用卡中心", "inquiry:14"):
        assert expected in _between(text, "11 Inquiries", "generated"), expected


def test_no_credit_file_without_inquiries_says_there_is_none(empty: Report) -> None:
    text = _flat(_terminal(empty, 80))
    assert "no inquiry" in text.lower()
    assert "Multi-head" not in text and "11 Inquiries" not in text
    html = " ".join("".join(_parse(render_html(empty, GENERATED, profile=CN)).text).split())
    assert "no inquiry" in html.lower()
    assert "Multi-head" not in html


@pytest.mark.parametrize("soft_wrap", [True, False])
@pytest.mark.parametrize("width", [60, 80])
@pytest.mark.parametrize("name", ["empty", "thin", "looked_at", "full"])
def test_the_terminal_wraps_panel_text_at_any_width(
    name: str, width: int, soft_wrap: bool, request: pytest.FixtureRequest
) -> None:
    """The CLI prints on a soft-wrapping console: panel text must wrap there too, not be cut."""
    report: Report = request.getfixturevalue(name)
    console = Console(width=width, record=True, file=StringIO(), soft_wrap=soft_wrap)
    print_report(report, console, profile=CN)
    text = console.export_text()
    assert max(cell_len(line) for line in text.splitlines()) <= width
    flat = _flat(text)
    for note in (*report.header.missing, *report.header.notices):
        assert note in flat, note
    if not report.header.has_file:
        assert "Having no file is not a negative record." in flat
    for account in report.overdue.accounts:
        if account.statement:
            assert " ".join(account.statement.split()) in flat


def test_the_terminal_lists_what_a_thin_file_lacks(thin: Report) -> None:
    text = _terminal(thin, 100)
    assert "What this report lacks" in text
    for note in thin.header.missing:
        assert note in " ".join(text.split()), note


def test_the_terminal_prints_names_as_text_not_markup() -> None:
    text = _terminal(make_report(hostile_facts()), 100)
    assert "[bold red]贷[/]" in text


def test_the_terminal_holds_many_accounts() -> None:
    report = make_report(many_facts())
    text = _terminal(report, 60)
    assert text.count("J F M A M J J A S O N D") == 30
    assert "…" not in text


# ------------------------------------------------------------------ HTML
class _Page(HTMLParser):
    """What the tests read from the HTML: headings, grid cells, text, external references."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.headings: list[str] = []
        self.grid_cells: list[tuple[str, str]] = []  # (class, code)
        self.external: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []
        self._heading: list[str] | None = None
        self._cell: str | None = None
        self._in_grid = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.add(tag)
        for name, value in attrs:
            if name in {"src", "href", "srcset", "action"} or (
                value and re.search(r"https?:|//", value) and name != "content"
            ):
                self.external.append(f"{tag} {name}={value}")
        if tag == "h2":
            self._heading = []
        if tag == "table" and "grid" in (values.get("class") or "").split():
            self._in_grid += 1
        if tag == "td" and self._in_grid:
            self._cell = values.get("class") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None
        if tag == "table" and self._in_grid:
            self._in_grid -= 1
        if tag == "td":
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)
        if self._cell is not None and self._cell != "out":
            self.grid_cells.append((self._cell, data))


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


@pytest.fixture(scope="module")
def full_html(full: Report) -> str:
    return render_html(full, GENERATED, profile=CN)


def test_the_html_has_every_section_with_its_heading(full_html: str) -> None:
    page = _parse(full_html)
    for number, heading in enumerate(HEADINGS, start=1):
        assert any(h.startswith(f"{number} {heading}") for h in page.headings), heading
    assert "Online-loan big-data report" in full_html and '<html lang="en">' in full_html
    assert "网贷大数据报告" not in full_html  # English only, unless Chinese is asked for


def test_the_html_speaks_chinese_when_asked(full: Report) -> None:
    html = render_html(full, GENERATED, profile=CN, lang="zh_CN")
    page = _parse(html)
    for number, heading in enumerate(CHINESE_HEADINGS, start=1):
        assert any(h.startswith(f"{number} {heading}") for h in page.headings), heading
    text = " ".join("".join(page.text).split())
    assert '<html lang="zh-CN">' in html and "网贷大数据报告" in text
    for expected in ("¥1,478.25", "¥25,000.00 / ¥30,000.00", "83.33%", "2026年1月31日", "异议中"):
        assert expected in text, expected
    assert '第 " counter(page) " 页' in html  # the PDF's page footer


def test_the_html_is_self_contained(full_html: str) -> None:
    page = _parse(full_html)
    assert page.external == []
    assert not re.search(r"https?://", full_html)
    assert not re.search(r"url\(|@import", full_html)
    assert page.tags.isdisjoint({"script", "link", "img", "iframe", "object"})
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in full_html


def test_the_html_shows_the_grids_coloured_with_a_legend(full: Report, full_html: str) -> None:
    page = _parse(full_html)
    assert len(page.grid_cells) == 60 * len(full.overdue.accounts)
    expected = [(f"g-{css}", code) for code, css in (("1", "o1"), ("2", "o2"), ("3", "o3"))]
    for cell in expected:
        assert cell in page.grid_cells
    assert ("g-ok", "N") in page.grid_cells
    assert ("g-settled", "C") in page.grid_cells
    for meaning in CN.status_codes.values():
        assert meaning in full_html  # the legend
    assert full_html.count('<th class="year">') == 6 * len(full.overdue.accounts)


def test_the_html_shows_names_amounts_and_objection_marks(full_html: str) -> None:
    text = " ".join("".join(_parse(full_html).text).split())
    for expected in (
        LONG_NAME,
        "1,478.25 CNY",
        "60,450.00 CNY",
        "25,000.00 CNY / 30,000.00 CNY",
        "83.33 %",
        "Unscored",
        "not until cured",
        "(2025)京0105执1234号",
        "The bank's deduction failed on 2024-05-10",
    ):
        assert expected in text, expected
    assert text.count("under objection") - text.count("record(s) under objection") == 2


def test_the_html_says_no_credit_file(empty: Report) -> None:
    html = render_html(empty, GENERATED, profile=CN)
    page = _parse(html)
    assert any(h.startswith("No credit file") for h in page.headings)
    assert "Loan history" not in html
    assert "no loan or card account has been furnished" in "".join(page.text)


def test_the_html_lists_what_a_thin_file_lacks(thin: Report) -> None:
    page = _parse(render_html(thin, GENERATED, profile=CN))
    assert any(h.startswith("What this report lacks") for h in page.headings)
    text = "".join(page.text)
    for note in thin.header.missing:
        assert note in text


def test_the_html_escapes_what_furnishers_and_subjects_wrote() -> None:
    html = render_html(make_report(hostile_facts()), GENERATED, profile=CN)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_the_html_holds_many_accounts() -> None:
    report = make_report(many_facts())
    page = _parse(render_html(report, GENERATED, profile=CN))
    assert len(page.grid_cells) == 60 * 30


# ------------------------------------------------------------------ PDF
CJK_FONT = re.compile(
    r"cjk|wenquanyi|wqy|sourcehan|droidsansfallback|uming|ukai|pingfang|yahei|simsun|simhei",
    re.IGNORECASE,
)


def _cjk_font_installed() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run(
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False
    )
    return bool(found.stdout.strip())


@pytest.fixture(scope="module")
def full_pdf(full_html: str) -> bytes:
    return render_pdf(full_html)


@pytest.mark.slow
def test_the_pdf_is_a_paginated_a4_document(full_pdf: bytes) -> None:
    assert full_pdf.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(full_pdf))
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    last = len(reader.pages)
    assert f"Page {last} of {last}" in reader.pages[-1].extract_text()


@pytest.mark.slow
def test_the_pdf_renders_chinese_names_with_a_cjk_font(full_pdf: bytes) -> None:
    if not _cjk_font_installed():
        message = "no CJK font installed (fc-list :lang=zh): run `make setup`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    reader = PdfReader(BytesIO(full_pdf))
    fonts: set[str] = set()
    cjk_runs: list[tuple[str, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if re.search(r"[\u4e00-\u9fff]", text):
            cjk_runs.append((text, str(font.get("/BaseFont", "")) if font else ""))

    pages = []
    for page in reader.pages:
        pages.append(page.extract_text(visitor_text=visit))
        page_resources = page["/Resources"].get_object()
        assert isinstance(page_resources, DictionaryObject)
        page_fonts = page_resources.get("/Font", DictionaryObject()).get_object()
        assert isinstance(page_fonts, DictionaryObject)
        for ref in page_fonts.values():
            fonts.add(str(ref.get_object()["/BaseFont"]))
    assert LONG_NAME in re.sub(r"\s", "", "".join(pages))
    assert any(CJK_FONT.search(name) for name in fonts), fonts
    assert cjk_runs
    assert all(CJK_FONT.search(font) for _, font in cjk_runs), cjk_runs


@pytest.mark.slow
def test_the_pdf_of_no_credit_file_is_one_page(empty: Report) -> None:
    reader = PdfReader(BytesIO(render_pdf(render_html(empty, GENERATED, profile=CN))))
    assert len(reader.pages) == 1
    assert "No credit file" in reader.pages[0].extract_text()


@pytest.mark.slow
def test_the_pdf_renderer_fetches_nothing(
    full_html: str, empty: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fetcher `render_pdf` hands WeasyPrint is spied on (tests/pdf_spy.py): a report asks
    for nothing beyond its own page, and what a hostile page asks for is refused by the
    renderer's own configuration (a plan and a letter: tests/contract/test_plan_render.py)."""
    fetches = spy_on_fetches(monkeypatch)
    render_pdf(full_html)
    render_pdf(render_html(empty, GENERATED, profile=CN))
    assert fetches.made == 2
    assert fetches.beyond_the_page() == []
    hostile = (
        '<html><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
        '<body><img src="file:///etc/passwd"><p>x</p></body></html>'
    )
    assert render_pdf(hostile).startswith(b"%PDF-")
    assert sorted(fetches.asked) == [
        ("file:///etc/passwd", False),
        ("http://127.0.0.1:9/x.css", False),
    ]


def test_a_statement_shows_next_to_a_court_record_a_blacklist_entry_and_an_inquiry() -> None:
    facts = full_facts()
    said = {
        ref: f"我的声明 statement on {ref}"
        for ref in ("public_record:7", "blacklist:3", "inquiry:1")
    }
    facts = replace(
        facts,
        statements=(
            *facts.statements,
            *(StatementFacts(ref, text, date(2026, 1, 12)) for ref, text in said.items()),
        ),
    )
    report = make_report(facts)
    form = report_json(report)
    lines = {
        **{r["record"]: r for r in form["untrustworthy"]["records"]},
        **{b["record"]: b for b in form["blacklist"]["entries"]},
        **{i["record"]: i for i in form["inquiries"]},
    }
    assert {ref: lines[ref]["statement"] for ref in said} == said
    assert lines["inquiry:2"]["statement"] is None
    _validator().validate(json.loads(json.dumps(form, ensure_ascii=False)))
    text = _flat(_terminal(report, 80))
    page = " ".join("".join(_parse(render_html(report, GENERATED, profile=CN)).text).split())
    for ref, statement in said.items():
        assert f"{ref}: {statement}" in text, ref
        assert statement in page, ref
