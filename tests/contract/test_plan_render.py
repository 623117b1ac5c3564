"""The plan's HTML and PDF with their charts (Altair, vl-convert, WeasyPrint), from its JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from creditmend.adapters.holidays_cn import ChinaCalendar
from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.adapters.render.charts import debt_rows, plan_charts
from creditmend.adapters.render.letter import letter_pdf
from creditmend.adapters.render.pdf import render_pdf
from creditmend.adapters.render.plan_html import render_plan_html
from creditmend.domain.recovery.budget import horizon_for, monthly_budget
from creditmend.domain.recovery.json_form import outcome_json
from creditmend.domain.recovery.plan_input import read_plan
from creditmend.domain.recovery.strategies import classic_outcomes
from creditmend.domain.rules import profile
from pdf_spy import spy_on_fetches  # tests/ is on the path (pytest's prepend mode)

pytestmark = pytest.mark.slow  # charts and PDFs (make test runs it)

AS_OF = date(2026, 11, 28)
EXAMPLE = Path(__file__).parents[2] / "examples" / "plan.yaml"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The example plan's classic strategies in their JSON form, with each loan's months."""
    cn = profile("cn")
    document, lines = read_yaml_with_lines(EXAMPLE)
    plan = read_plan(document, cn, lines)
    horizon = horizon_for(plan, AS_OF)
    outcomes = classic_outcomes(plan, monthly_budget(plan, horizon), cn, ChinaCalendar())
    strategies = {name: outcome_json(o, detail=True) for name, o in outcomes.items()}
    return {"as_of": AS_OF.isoformat(), "feasible": True, "strategies": strategies}


def test_the_debt_chart_plots_the_documents_own_figures(document: dict[str, Any]) -> None:
    rows = debt_rows(document)
    minimum = document["strategies"]["minimum"]
    first = sum(Decimal(loan["months"][0]["payoff"]) for loan in minimum["loans"])
    assert rows[0] == {"strategy": "minimum", "month": "2026-11", "owed": float(first)}
    # The zero tail is cut two months after the last month any strategy owes.
    shown = [row["month"] for row in rows if row["strategy"] == "minimum"]
    owing = [row["month"] for row in rows if row["owed"] > 0]
    assert shown.index(max(owing)) == len(shown) - 3
    assert {row["strategy"] for row in rows} == set(document["strategies"])


def test_the_charts_are_svg_drawn_offline(document: dict[str, Any]) -> None:
    charts = plan_charts(document)
    assert set(charts) == {"debt", "cost"}  # no timeline or forecast in this document
    for svg in charts.values():
        assert svg.lstrip().startswith("<svg")
    assert "Total debt by month" in charts["debt"]


def test_the_plan_page_and_its_pdf_show_the_same_numbers(document: dict[str, Any]) -> None:
    html = render_plan_html(document, datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    minimum = document["strategies"]["minimum"]
    total = f"{Decimal(minimum['total_paid']):,f}"
    assert total in html
    assert html.count("<svg") == 2
    first = minimum["monthly"][1]["payments"]
    assert f"{Decimal(first['jiebei-1']):,.2f}" in html
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(render_pdf(html))).pages)
    assert "Recovery plan" in text and total in text and "还款方案" not in text


def test_the_plan_speaks_chinese_when_asked(document: dict[str, Any]) -> None:
    """Words, legends and the page's language in Chinese; the PDF prints them (the CJK font)."""
    html = render_plan_html(document, datetime(2026, 11, 28, 9, 0, tzinfo=UTC), lang="zh_CN")
    assert '<html lang="zh-CN">' in html
    words = ("各还款策略对比", "每月还款安排", "每月债务总额", "最低还款", '第 " counter(page)')
    for expected in words:
        assert expected in html, expected
    assert "The strategies side by side" not in html and "Total debt by month" not in html
    total = f"{Decimal(document['strategies']['minimum']['total_paid']):,f}"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(render_pdf(html))).pages)
    assert "还款方案" in text and total in text


def test_the_plan_and_a_letter_are_printed_without_fetching_anything(
    document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fetcher `render_pdf` hands WeasyPrint is spied on (tests/pdf_spy.py): the plan's
    page, its SVG charts included, and a letter ask for nothing beyond the page itself."""
    html = render_plan_html(document, datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    fetches = spy_on_fetches(monkeypatch)
    assert render_pdf(html).startswith(b"%PDF-")
    assert letter_pdf("还款协商申请\n\n借款人 / Borrower: 张三\n").startswith(b"%PDF-")
    assert fetches.made == 2
    assert fetches.beyond_the_page() == []


def test_values_from_the_plan_file_are_escaped(document: dict[str, Any]) -> None:
    hostile = {**document, "summary": ["<script>alert(1)</script>"]}
    html = render_plan_html(hostile, datetime(2026, 11, 28, tzinfo=UTC))
    assert "<script>alert" not in html and "&lt;script&gt;" in html
