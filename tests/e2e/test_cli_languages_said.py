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
    assert "的扣款因平台系统故障而失败" in said  # a candidate's finding
    assert "The plan costs" not in said and "Why this order" not in said
    plain = " ".join(english.stdout.split())
    assert "The plan costs 2,899.59 CNY in interest, penalty and fees" in plain
    assert "- Jiebei: kept overdue until 2026-11 (5 month ends), settled 2027-01-01." in plain
    assert "the debit on 2026-04-10 failed for platform_error" in plain
    assert "本方案" not in plain
    text = page.read_text("utf-8")
    assert "本方案需支付利息、罚息和费用共" in text and "The plan costs" not in text
    en, zh = (path.read_bytes() for path in out.values())
    assert en == zh  # the JSON is the program's English, whatever the language
    summary = json.loads(en)["summary"]
    assert summary[0].startswith("The plan costs 2,899.59 CNY in interest, penalty and fees")
