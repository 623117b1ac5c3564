"""The CLI in Chinese or English: `--lang`, else the locale variables; the report and the plan
in the terminal, HTML and PDF follow it, amounts the locale's way."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from in_process import cli, one_advice_per_request  # the e2e folder is on the path
from pypdf import PdfReader

EXAMPLE = Path(__file__).parents[2] / "examples" / "plan.yaml"
AS_OF = "2025-02-28"
PLAN = ("plan", str(EXAMPLE), "--as-of", "2026-07-01", "--horizon-months", "24", "--no-bridging")


@pytest.fixture(scope="module")
def bureau(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, str | None], list[str]]:
    """A small synthetic bureau; its environment and a person with a file."""
    folder = tmp_path_factory.mktemp("bureau")
    env = {"CREDITMEND_DB": f"sqlite:///{folder / 'bureau.db'}", "CREDITMEND_KEY": None}
    population = folder / "population"
    steps = [
        ("synth", "--persons", "6", "--platforms", "3", "--months", "14", "--start", "2024-01",
         "--seed", "3", "--out", str(population)),
        ("furnisher", "import", str(population / "furnishers.jsonl")),
        ("ingest", str(population / "cmf"), "--as-of", AS_OF),
    ]  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for step in steps:
            done = cli(*step, env=env)
            assert done.returncode == 0, (step, done.stderr)
        picked = cli("synth-pick", str(population), env=env)
    assert picked.returncode == 0, picked.stderr
    return env, picked.stdout.split()


def _report(env: dict[str, str | None], person: list[str], *args: str) -> str:
    done = cli(*args, "report", *person, "--as-of", AS_OF, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_terminal_report_is_english_by_default_and_chinese_when_asked(
    bureau: tuple[dict[str, str | None], list[str]],
) -> None:
    env, person = bureau
    english = _report(env, person)
    chinese = _report(env, person, "--lang", "zh_CN")
    assert "Online-loan big-data report" in english and "网贷大数据报告" not in english
    assert "网贷大数据报告" in chinese and "Online-loan big-data report" not in chinese
    assert "1 Report information" in english and "1 报告信息" in chinese
    assert re.search(r"[\d,]+\.\d\d CNY", english) and re.search(r"¥[\d,]+\.\d\d", chinese)
    same = _report(env, person, "--lang", "en")
    assert "1 Report information" in same and "网贷大数据报告" not in same


@pytest.mark.parametrize(("variable", "value"), [("LANG", "zh_CN.UTF-8"), ("LC_ALL", "zh_CN")])
def test_the_locale_variables_choose_chinese(
    bureau: tuple[dict[str, str | None], list[str]], variable: str, value: str
) -> None:
    env, person = bureau
    assert "网贷大数据报告" in _report({**env, variable: value}, person)
    assert "Online-loan big-data report" in _report({**env, "LANG": "C"}, person)
    assert "网贷大数据报告" not in _report({**env, "LANG": "fr_FR.UTF-8"}, person)


def test_the_html_and_pdf_report_follow_the_language(
    bureau: tuple[dict[str, str | None], list[str]], tmp_path: Path
) -> None:
    env, person = bureau
    pages = {}
    for lang in ("en", "zh_CN"):
        page, pdf = tmp_path / f"{lang}.html", tmp_path / f"{lang}.pdf"
        for fmt, out in (("html", page), ("pdf", pdf)):
            done = cli("--lang", lang, "report", *person, "--as-of", AS_OF, "--format", fmt,
                       "--out", str(out), env=env)  # fmt: skip
            assert done.returncode == 0, done.stderr
        pages[lang] = (
            page.read_text("utf-8"),
            "".join(p.extract_text() for p in PdfReader(pdf).pages),
        )
    (en_html, en_pdf), (zh_html, zh_pdf) = pages["en"], pages["zh_CN"]
    assert '<html lang="en">' in en_html and '<html lang="zh-CN">' in zh_html
    assert "Report information" in en_html and "报告信息" in zh_html
    assert "Report information" not in zh_html
    assert "Online-loan big-data report" in en_pdf and "网贷大数据报告" in zh_pdf  # the CJK font
    assert re.search(r"[\d,]+\.\d\d CNY", en_html) and re.search(r"¥[\d,]+\.\d\d", zh_html)


def test_the_plan_follows_the_language(tmp_path: Path) -> None:
    with one_advice_per_request():  # one plan, rendered in each language and format
        english = cli(*PLAN)
        chinese = cli("--lang", "zh_CN", *PLAN)
        page = tmp_path / "plan.html"
        html = cli("--lang", "zh_CN", *PLAN, "--format", "html", "--out", str(page))
    for done in (english, chinese, html):
        assert done.returncode == 0, done.stderr
    assert "Four ways to repay" in english.stdout and "四种还款方式" not in english.stdout
    assert "四种还款方式" in chinese.stdout and "最优方案，逐月安排" in chinese.stdout
    assert "Four ways to repay" not in chinese.stdout
    text = page.read_text("utf-8")
    assert '<html lang="zh-CN">' in text and "每月债务总额" in text  # a chart's title


@pytest.mark.parametrize("value", ["fr", "xx_YY", ""])
def test_a_bad_lang_is_a_one_line_error_naming_the_option(value: str) -> None:
    done = cli("--lang", value, "plan", str(EXAMPLE), "--as-of", "2026-07-01")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--lang" in lines[0] and "Traceback" not in done.stderr


def test_the_environment_is_english_when_nothing_is_set() -> None:
    assert "LC_ALL" not in os.environ or not os.environ["LC_ALL"].startswith("zh")
    done = cli("--help")
    assert done.returncode == 0 and "--lang" in done.stdout


def test_the_loan_tables_and_the_status_lines_follow_the_language(tmp_path: Path) -> None:
    schedule = (
        "loan", "schedule", "--principal", "5000", "--daily-rate", "0.0005", "--months", "6",
        "--method", "equal_principal", "--disbursed-on", "2026-03-01",
    )  # fmt: skip
    english, chinese = cli(*schedule), cli("--lang", "zh_CN", *schedule)
    assert english.returncode == chinese.returncode == 0, (english.stderr, chinese.stderr)
    assert "Repayment schedule" in english.stdout and "还款计划" not in english.stdout
    assert "还款计划" in chinese.stdout and "到期日" in chinese.stdout
    assert "Repayment schedule" not in chinese.stdout
    out = tmp_path / "plan.json"
    with one_advice_per_request():
        written = cli("--lang", "zh_CN", *PLAN, "--format", "json", "--out", str(out))
    assert written.returncode == 0, written.stderr
    assert "方案已写入" in written.stderr  # the command's own words
