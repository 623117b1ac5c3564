"""`creditmend plan` shows bridging money and the score's active path in every output: JSON
`bridging[]` and `score_forecast.fall`/`active_path`, the terminal's table and words, the HTML
section and the PDF; `--no-bridging` skips the search. The outputs with bridging are made once
(the `example_plan` fixture, tests/e2e/conftest.py) and shared with tests/e2e/test_cli_plan.py."""

from __future__ import annotations

import json
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from in_process import ExamplePlan, cli  # the e2e folder is on the path (prepend mode)
from pypdf import PdfReader

EXAMPLE = Path(__file__).parents[2] / "examples" / "plan.yaml"
EFFECT = {
    "overdue_account_months",
    "serious_account_months",
    "cost",
    "clean_on",
    "saving",
}


def test_the_json_and_the_terminal_show_the_bridges_and_the_active_path(
    example_plan: ExamplePlan,
) -> None:
    data = json.loads(example_plan.json)  # `--format json`, exit 0 (the fixture checks)
    bridging = data["bridging"]
    assert bridging, "the example's plan leaves loans overdue for months"
    for entry in bridging:
        assert entry["kind"] in {"family_loan", "asset_sale", "income_rise"}
        assert entry["goal"] in {"no_serious", "cure_all"}
        assert set(entry["effect"]) == EFFECT
        assert Decimal(entry["amount"]) % 100 == 0
        assert ("repay_from" in entry) == (entry["kind"] == "family_loan")
    assert any("from relatives" in line for line in data["summary"])
    forecast = data["score_forecast"]
    assert {"fall", "active_path"} <= set(forecast)
    if forecast["fall"] is not None:
        assert forecast["active_path"]["months"]
        assert any(line.startswith("The score falls") for line in data["summary"])
    skipped = cli(
        "plan", str(EXAMPLE), "--as-of", "2026-07-01", "--format", "json", "--no-bridging"
    )
    assert json.loads(skipped.stdout)["bridging"] == []
    assert "Bridging money, each re-planned exactly" in example_plan.terminal


def test_html_and_pdf_have_the_bridging_section(example_plan: ExamplePlan) -> None:
    html, pdf = example_plan.html, example_plan.pdf  # `--format html|pdf --out`, exit 0
    page = html.read_text("utf-8")
    assert "Bridging money" in page and "from relatives" in page
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.read_bytes())).pages)
    assert "Bridging money" in text
