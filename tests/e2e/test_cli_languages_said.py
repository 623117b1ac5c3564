"""The sentences the domain composes (`Said`) in the CLI's language: the plan's summary and the
findings of an objection candidate in Chinese under `--lang zh_CN`, as they were under
`--lang en`, and the JSON the same English whatever the language."""

from __future__ import annotations

import json
from pathlib import Path

from in_process import cli, one_advice_per_request  # the e2e folder is on the path

EXAMPLE = Path(__file__).parents[2] / "examples" / "plan.yaml"
PLAN = ("plan", str(EXAMPLE), "--as-of", "2026-07-01", "--horizon-months", "24", "--no-bridging")


def test_the_plan_summary_and_findings_follow_the_language(tmp_path: Path) -> None:
    out = {lang: tmp_path / f"{lang}.json" for lang in ("en", "zh_CN")}
    with one_advice_per_request():  # one plan, said in each language
        english, chinese = cli("--lang", "en", *PLAN), cli("--lang", "zh_CN", *PLAN)
        page = tmp_path / "plan.html"
        html = cli("--lang", "zh_CN", *PLAN, "--format", "html", "--out", str(page))
        written = [
            cli("--lang", lang, *PLAN, "--format", "json", "--out", str(path))
            for lang, path in out.items()
        ]
    for done in (english, chinese, html, *written):
        assert done.returncode == 0, done.stderr
    said = " ".join(chinese.stdout.split())  # Rich wraps long lines
    assert "本方案需支付利息、罚息和费用共" in said and "为什么按这个顺序" in said
    assert "逾期持续到 2026-11" in said and "体现还款诚意" in said
    assert "的扣款因平台系统故障而失败；" in chinese.stdout.replace("\n", "")  # a finding
    assert "The plan costs" not in said and "Why this order" not in said
    plain = " ".join(english.stdout.split())
    assert "The plan costs 2,899.59 CNY in interest, penalty and fees" in plain
    assert "- Jiebei: kept overdue until 2026-11 (5 month ends), settled 2027-01-01." in plain
    assert "the debit on 2026-04-10 failed for platform_error; the bank balance" in plain
    assert "本方案" not in plain
    text = page.read_text("utf-8")
    assert "本方案需支付利息、罚息和费用共" in text and "The plan costs" not in text
    assert "预算不足以让这笔借款保持正常" in text  # a proposal's reason
    assert "the budget cannot keep this loan current" not in text
    en, zh = (path.read_bytes() for path in out.values())
    assert en == zh  # the JSON is the program's English, whatever the language
    summary = json.loads(en)["summary"]
    assert summary[0].startswith("The plan costs 2,899.59 CNY in interest, penalty and fees")
    reasons = [p["reason"] for p in json.loads(en)["proposals"]]
    assert "the budget cannot keep this loan current: its arrears are paid as scheduled" in reasons


def test_a_bad_input_is_said_in_the_chosen_language() -> None:
    """The one-line error of a bad option: Chinese words under `--lang zh_CN`, the same
    English line as before under `--lang en`; the option is named as typed in both."""
    bad = ("plan", str(EXAMPLE), "--as-of", "2026-13-01", "--horizon-months", "x")
    english, chinese = cli("--lang", "en", *bad), cli("--lang", "zh_CN", *bad)
    assert english.returncode == chinese.returncode == 2
    assert english.stderr.splitlines() == [
        "error: --as-of: '2026-13-01' is not a date (YYYY-MM-DD)",
        "error: --horizon-months: 'x': a whole number 1..120",
    ]
    assert chinese.stderr.splitlines() == [
        "错误：--as-of: '2026-13-01' 不是日期（格式为 YYYY-MM-DD）",
        "错误：--horizon-months: 'x'：应为 1 到 120 之间的整数",
    ]
    future = cli("--lang", "zh_CN", "report", "cn_ric", "110105199001010011", "--as-of",
                 "2199-01-01")  # fmt: skip
    assert future.returncode == 2
    assert future.stderr.strip() == (
        "错误：--as-of: 2199-01-01 是将来的日期：查询只能在今天或过去的某一天进行"
    )


def test_a_plan_files_problems_are_said_in_chinese(tmp_path: Path) -> None:
    """A plan file's unknown key, a missing value and a date it cannot read: Chinese words
    after the key's path, which is the same in both languages."""
    file = tmp_path / "plan.yaml"
    file.write_text("currency: CNY\nloanz: []\ncash_flow:\n  monthly_incom: 9000\n", "utf-8")
    english = cli("--lang", "en", "plan", str(file), "--as-of", "2026-07-01")
    chinese = cli("--lang", "zh_CN", "plan", str(file), "--as-of", "2026-07-01")
    assert english.returncode == chinese.returncode == 2
    assert "error: line 2: loanz: unknown key; did you mean loans?" in english.stderr
    assert "错误：line 2: loanz: 无法识别的键；您是想写 loans 吗？" in chinese.stderr
    assert "cash_flow.monthly_income: 必须填写（或在 cash_flow.months 中逐月给出）" in (
        chinese.stderr
    )
    assert "unknown key" not in chinese.stderr and "is required" not in chinese.stderr
