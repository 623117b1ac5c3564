"""`creditmend plan` shows bridging money and the score's active path in every output: JSON
`bridging[]` and `score_forecast.fall`/`active_path`, the terminal's table and words, the HTML
section and the PDF; `--no-bridging` skips the search."""

from __future__ import annotations

import json
from decimal import Decimal
from io import BytesIO
from pathlib import Path

from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from pypdf import PdfReader

EXAMPLE = Path(__file__).parents[2] / "examples" / "plan.yaml"
EFFECT = {
    "overdue_account_months",
    "serious_account_months",
    "cost",
    "clean_on",
    "saving",
}


def test_the_json_and_the_terminal_show_the_bridges_and_the_active_path() -> None:
    done = cli("plan", str(EXAMPLE), "--as-of", "2026-07-01", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
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
    terminal = cli("plan", str(EXAMPLE), "--as-of", "2026-07-01")
    assert "Bridging money, each re-planned exactly" in terminal.stdout


def test_html_and_pdf_have_the_bridging_section(tmp_path: Path) -> None:
    html, pdf = tmp_path / "plan.html", tmp_path / "plan.pdf"
    for fmt, out in (("html", html), ("pdf", pdf)):
        done = cli(
            "plan", str(EXAMPLE), "--as-of", "2026-07-01", "--format", fmt, "--out", str(out)
        )
        assert done.returncode == 0, done.stderr
    page = html.read_text("utf-8")
    assert "Bridging money" in page and "from relatives" in page
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.read_bytes())).pages)
    assert "Bridging money" in text
