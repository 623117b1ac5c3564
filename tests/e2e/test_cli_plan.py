"""`creditmend plan` end to end, in process (Typer's runner): JSON with the issue's keys, the
terminal's tables and plain words, and bad input as one line per problem with exit status 2."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from in_process import (  # the e2e folder is on the path (pytest's prepend mode)
    ExamplePlan,
    cli,
    one_advice_per_request,
)
from pypdf import PdfReader

EXAMPLE = Path(__file__).parents[2] / "examples" / "plan.yaml"
KEYS = {
    "total_paid",
    "interest_paid",
    "penalty_paid",
    "fees_paid",
    "overdue_account_months",
    "serious_account_months",
    "debt_free_on",
    "clean_on",
    "monthly",
    "payments",
}


def test_json_has_every_strategy_with_the_issue_keys(example_plan: ExamplePlan) -> None:
    data = json.loads(example_plan.json)  # `--format json`, exit 0 (the fixture checks)
    assert set(data["strategies"]) == {"optimal", "minimum", "avalanche", "snowball"}
    for form in data["strategies"].values():
        assert set(form) >= KEYS
        assert len(form["monthly"]) == 36
        Decimal(form["total_paid"])  # amounts are decimal strings
        assert set(form["monthly"][0]["payments"]) == {"jiebei-1", "weilidai-1", "fenqile-1"}
        # Every ledger payment, dated: together they are the monthly amounts.
        by_month: dict[tuple[str, str], Decimal] = {}
        for payment in form["payments"]:
            assert set(payment) == {"loan_id", "on", "amount"}
            key = (payment["on"][:7], payment["loan_id"])
            by_month[key] = by_month.get(key, Decimal(0)) + Decimal(payment["amount"])
        for month in form["monthly"]:
            for loan_id, amount in month["payments"].items():
                assert by_month.get((month["month"], loan_id), Decimal(0)) == Decimal(amount)
    assert data["good_faith"]["enabled"] is True
    Decimal(data["good_faith"]["cost_of_it"])
    assert any(line.startswith("Good faith") for line in data["summary"])
    assert data["feasible"] is True
    assert data["shortfall"] == []
    objective = data["objective"]
    best = min(Decimal(objective[n]["total"]) for n in ("minimum", "avalanche", "snowball"))
    assert Decimal(objective["optimal"]["total"]) <= best
    assert data["winner"]
    # The solver stops at its gap or its node limit, never at the wall-clock safety net here.
    assert data["solver"]["stopped_by"] in {None, "work_limit"}
    assert {"cost_estimated", "cost_exact", "difference"} <= set(data["estimate"])


def test_terminal_shows_the_table_the_plan_and_the_words() -> None:
    done = cli(
        "plan", str(EXAMPLE), "--as-of", "2026-07-01", "--horizon-months", "24", "--no-bridging"
    )
    assert done.returncode == 0, done.stderr
    assert "Four ways to repay" in done.stdout
    assert "The optimal plan, month by month" in done.stdout
    assert "Why this order" in done.stdout
    for name in ("optimal", "minimum", "avalanche", "snowball", "Jiebei", "Weilidai"):
        assert name in done.stdout


def test_a_budget_too_small_is_said_plainly(tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8").replace(
        'monthly_income: "8000.00"', 'monthly_income: "4700.00"'
    )
    plan = tmp_path / "poor.yaml"
    plan.write_text(text, "utf-8")
    done = cli(
        "plan", str(plan), "--as-of", "2026-07-01", "--horizon-months", "6", "--format", "json",
        "--no-bridging",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["feasible"] is False
    assert data["shortfall"] and all(Decimal(m["short"]) > 0 for m in data["shortfall"])
    assert data["overdue_at_end"]
    words = cli(
        "plan", str(plan), "--as-of", "2026-07-01", "--horizon-months", "6", "--no-bridging"
    )
    assert "No plan cures every overdue within 6 months" in words.stdout
    page = tmp_path / "poor.html"
    html = cli(
        "plan", str(plan), "--as-of", "2026-07-01", "--horizon-months", "6",
        "--format", "html", "--out", str(page), "--no-bridging",
    )  # fmt: skip
    assert html.returncode == 0, html.stderr
    text = page.read_text("utf-8")
    assert "No plan cures the overdue within the horizon" in text
    assert f"{Decimal(data['shortfall'][0]['short']):,.2f}" in text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("method: equal_installment", "method: balloon"), "loans[0].contract.method"),
        (('monthly_income: "8000.00"', 'monthly_income: "-8000.00"'), "cash_flow.monthly_income"),
        ((', repay_monthly: "500.00", repay_from: 2027-06-01', ""), "one_off[1]"),
        (
            (
                "- {on: 2026-02-10, type: deduction_succeeded",
                "- {on: 2025-02-10, type: deduction_succeeded",
            ),
            "loans[0].events[0]",
        ),
    ],
)
def test_bad_plan_files_name_field_and_line(
    tmp_path: Path, change: tuple[str, str], field: str
) -> None:
    text = EXAMPLE.read_text("utf-8")
    assert change[0] in text
    plan = tmp_path / "plan.yaml"
    plan.write_text(text.replace(change[0], change[1]), "utf-8")
    done = cli("plan", str(plan), "--as-of", "2026-07-01")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines)
    assert any(field in line and "line" in line for line in lines), lines


def test_as_of_before_a_disbursement_and_bad_options() -> None:
    done = cli("plan", str(EXAMPLE), "--as-of", "2026-01-01")
    assert done.returncode == 2
    assert "disbursed_on" in done.stderr and "Traceback" not in done.stderr
    missing = cli("plan", "no-such-plan.yaml", "--as-of", "2026-07-01")
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
    bad = cli(
        "plan", str(EXAMPLE), "--as-of", "2026-07-01", "--horizon-months", "abc", "--format", "docx"
    )
    assert bad.returncode == 2
    assert "--horizon-months" in bad.stderr and "--format" in bad.stderr
    zero = cli("plan", str(EXAMPLE), "--as-of", "2026-07-01", "--horizon-months", "0")
    assert zero.returncode == 2


def test_odd_inputs_are_refused_before_any_work(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("loans: " + "[" * 3000 + "]" * 3000 + "\n", "utf-8")
    folder_is_a_file = tmp_path / "letters"
    folder_is_a_file.write_text("", "utf-8")
    cases = [
        ((str(deep),), "error: file: nested too deeply to be a loan or plan file"),
        ((str(EXAMPLE), "--new-loan", "0", "0.1", "12"), "error: --new-loan AMOUNT: must be"),
        ((str(EXAMPLE), "--letters", str(folder_is_a_file)), "error: --letters: "),
        ((str(EXAMPLE), "--new-loan-lender", "private"), "error: --new-loan-lender: goes with"),
        ((str(EXAMPLE), "--cash-on-hand", "5000"), "error: --cash-on-hand: cash-flow options"),
    ]
    for args, message in cases:
        done = cli("plan", *args, "--as-of", "2026-07-01")
        assert done.returncode == 2, done.stdout
        assert done.stderr.startswith(message), done.stderr


def test_help_lists_the_formats() -> None:
    done = cli("plan", "--help")
    assert done.returncode == 0
    for name in ("terminal", "json", "html", "pdf", "--person", "--new-loan"):
        assert name in done.stdout


def test_the_counsellors_additions_are_in_the_json() -> None:
    done = cli(
        "plan", str(EXAMPLE), "--as-of", "2026-07-01", "--format", "json",
        "--new-loan", "10000", "0.24", "12", "--no-bridging",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    (candidate,) = data["objection_candidates"]
    assert candidate["record"] == "account:Jiebei:jiebei-1:2026-04"
    assert candidate["command"].startswith("creditmend object file ID_TYPE ID_NUMBER --record")
    assert {row["loan_id"] for row in data["expiry_timeline"]} <= {
        "jiebei-1", "weilidai-1", "fenqile-1",
    }  # fmt: skip
    assert data["expiry_timeline"] and all(r["expires_on"] for r in data["expiry_timeline"])
    forecast = data["score_forecast"]
    assert len(forecast["months"]) == 36 and forecast["target_band"]
    assert data["proposals"] and all(p["letter"] for p in data["proposals"])
    assert "还款协商申请" in data["proposals"][0]["letter"]
    new = data["new_loan"]
    assert new["hard_inquiries_90d"]["after"] == new["hard_inquiries_90d"]["before"] + 1
    assert new["offer"]["amount"] == "10000.00"
    assert data["summary"] and data["notes"] == []


def test_html_and_pdf_carry_the_charts_and_the_letters(example_plan: ExamplePlan) -> None:
    html, pdf = example_plan.html, example_plan.pdf  # `--format html|pdf --out`, exit 0
    page = html.read_text("utf-8")
    for title in ("Total debt by month", "What each strategy costs", "Score under the plan"):
        assert title in page
    assert "还款协商申请" in page and "creditmend object file" in page
    assert pdf.read_bytes().startswith(b"%PDF")
    no_out = cli("plan", str(EXAMPLE), "--as-of", "2026-07-01", "--format", "pdf")
    assert (no_out.returncode, no_out.stderr.strip()) == (
        2, "error: --out: a PDF is written to a file: give --out FILE",
    )  # fmt: skip


RIC = "11010519491231002X"


def test_a_plan_from_the_bureaus_data(tmp_path: Path) -> None:
    env = {"CREDITMEND_DB": f"sqlite:///{tmp_path / 'bureau.db'}", "CREDITMEND_KEY": ""}
    base = {
        "furnisher_id": "LENDER1", "account_id": "A-1", "id_type": "cn_ric", "id_number": RIC,
        "name": "张三", "account_type": "online_consumer_loan", "opened_on": "2026-01-10",
        "principal": "12000.00", "term_months": 12, "scheduled_amount": "1100.16",
        "balance": "9000.00", "status": "open",
    }  # fmt: skip
    months = [
        {**base, "period": "2026-02", "paid_amount": "1100.16", "past_due_amount": "0.00",
         "days_past_due": 0, "last_payment_on": "2026-02-10"},
        {**base, "period": "2026-03", "paid_amount": "0.00", "past_due_amount": "1100.16",
         "days_past_due": 21, "last_payment_on": "2026-02-10",
         "first_delinquency_on": "2026-03-11", "negative_notice_on": "2026-03-12"},
    ]  # fmt: skip
    # A second lender uses the same account number; a third account is in dollars.
    other = {**months[0], "furnisher_id": "LENDER2"}
    dollars = {**months[0], "furnisher_id": "LENDER2", "account_id": "U-1", "currency": "USD"}
    cmf = tmp_path / "cmf.jsonl"
    rows = [*months, other, dollars]
    cmf.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in rows), "utf-8")
    for step in (
        ("furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank"),
        ("furnisher", "add", "LENDER2", "--name", "Lender Two", "--kind", "bank"),
        ("ingest", str(cmf), "--as-of", "2026-04-01"),
    ):
        done = cli(*step, env=env)
        assert done.returncode == 0, done.stderr
    done = cli(
        "plan", "--person", "cn_ric", RIC, "--monthly-income", "6000", "--monthly-expenses",
        "3500", "--as-of", "2026-04-01", "--format", "json", "--no-bridging", env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    payments = data["strategies"]["optimal"]["monthly"][0]["payments"]
    assert set(payments) == {"LENDER1:A-1", "LENDER2:A-1"}
    assert any("implied by the instalments" in note for note in data["notes"])
    assert "LENDER2:U-1 is in USD: not planned with this plan's money" in data["notes"]
    assert data["expiry_timeline"][0]["record"] == "account:LENDER1:A-1:2026-03"
    assert data["strategies"]["optimal"]["debt_free_on"] is not None
    missing = cli("plan", "--person", "cn_ric", RIC, "--as-of", "2026-04-01", env=env)
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: --monthly-income: a plan from the bureau needs")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("loans: 5\ncash_flow: [1, 2]\n", "utf-8")
    shaped = cli("plan", str(wrong), "--person", "cn_ric", RIC, "--as-of", "2026-04-01", env=env)
    assert shaped.returncode == 2
    assert shaped.stderr.splitlines() == [
        "error: line 1: loans: must be a list",
        "error: line 2: cash_flow: must be a mapping",
    ]


def test_each_platforms_letter_is_written_as_text_and_pdf(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    done = cli(
        "plan", str(EXAMPLE), "--as-of", "2026-07-01", "--format", "json",
        "--name", "张三", "--letters", str(folder), "--no-bridging",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert "letter(s) written to" in done.stderr
    texts = sorted(path.name for path in folder.glob("*.txt"))
    assert texts == [f"{i:02d}-{p['loan_id']}.txt" for i, p in enumerate(data["proposals"], 1)]
    (jiebei,) = folder.glob("*-jiebei-1.txt")
    letter = jiebei.read_text("utf-8")
    assert "借款人 / Borrower: 张三" in letter
    assert letter == next(p["letter"] for p in data["proposals"] if p["loan_id"] == "jiebei-1")
    pdf = "".join(page.extract_text() for page in PdfReader(jiebei.with_suffix(".pdf")).pages)
    assert "还款协商申请" in pdf and "张三" in pdf


def test_yaml_anchors_and_aliases_are_refused_before_they_expand(tmp_path: Path) -> None:
    nest = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level, name in enumerate("bcdefgh"):
        alias = "*" + "abcdefgh"[level]
        nest.append(f"{name}: &{name} [{', '.join([alias] * 9)}]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join([*nest, "loans: *h"]) + "\n", "utf-8")
    done = cli("plan", str(bomb), "--as-of", "2026-07-01")
    assert done.returncode == 2
    assert done.stderr == "error: line 1: file: YAML anchors and aliases are not accepted\n"
    loans = tmp_path / "alias.yaml"
    loans.write_text(EXAMPLE.read_text("utf-8") + "extra: &mark 1\nagain: *mark\n", "utf-8")
    done = cli("plan", str(loans), "--as-of", "2026-07-01")
    assert done.returncode == 2
    assert done.stderr.startswith("error: line ") and "anchors and aliases" in done.stderr


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("A" * 40_000, "error: --name: has 40000 characters; at most 100\n"),
        ("张" * 101, "error: --name: has 101 characters; at most 100\n"),
        (
            "Zhang\nSan",
            "error: --name: holds a control character U+000A at character 6; "
            "write one line of plain text\n",
        ),
        (
            "Zhang\x1b[31mSan",
            "error: --name: holds a control character U+001B at character 6; "
            "write one line of plain text\n",
        ),
    ],
)
def test_the_name_is_short_and_plain_checked_before_any_work(
    tmp_path: Path, name: str, message: str
) -> None:
    folder = tmp_path / "letters"
    done = cli(
        "plan", str(EXAMPLE), "--as-of", "2026-07-01", "--name", name, "--letters", str(folder)
    )
    assert done.returncode == 2
    assert done.stderr == message
    assert done.stdout == ""
    assert not folder.exists()


def test_a_name_of_100_characters_signs_the_letters(tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    name = "张" * 100
    done = cli(
        "plan", str(EXAMPLE), "--as-of", "2026-07-01", "--name", name, "--letters", str(folder),
        "--no-bridging",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert any(name in path.read_text("utf-8") for path in folder.glob("*.txt"))


FIVE = EXAMPLE.parent / "five-platforms.yaml"


def test_five_platforms_letters_follow_the_plan_and_the_cap_is_disputed() -> None:
    # Neither output reads the bridging money: its search (a few exact re-plans) is skipped;
    # the plan is made once and shown twice (`one_advice_per_request`).
    with one_advice_per_request():
        done = cli("plan", str(FIVE), "--as-of", "2026-12-07", "--format", "json", "--no-bridging")
        words = cli("plan", str(FIVE), "--as-of", "2026-12-07", "--no-bridging")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    monthly = {m["month"]: m["payments"] for m in data["strategies"]["optimal"]["monthly"]}
    for proposal in data["proposals"]:
        assert {"loan_id", "kind", "reason", "schedule"} <= set(proposal)
        # The promised payments add up, month by month, to what the plan pays the loan.
        promised: dict[str, Decimal] = {}
        for payment in proposal["schedule"]:
            month = payment["on"][:7]
            promised[month] = promised.get(month, Decimal(0)) + Decimal(payment["amount"])
        planned = {
            month: Decimal(paid[proposal["loan_id"]])
            for month, paid in monthly.items()
            if Decimal(paid.get(proposal["loan_id"], "0")) > 0
        }
        assert promised == planned, proposal["loan_id"]
        assert proposal["letter"]
    kinds = {p["loan_id"]: p["kind"] for p in data["proposals"]}
    assert kinds["jiebei"] == "correction_and_waiver"  # its own debit failed
    assert kinds["xiaodai"] == "cap_dispute"
    assert "weilidai" not in kinds  # kept current throughout: nothing to ask
    (cap,) = data["above_cap"]
    assert (cap["loan_id"], cap["cap_rate"]) == ("xiaodai", "0.24")
    assert Decimal(cap["excess"]) > 0
    totals = data["above_cap_totals"]
    assert Decimal(totals["pay"]["total_paid"]) > Decimal(totals["dispute"]["total_paid"])
    xiaodai = next(p for p in data["proposals"] if p["loan_id"] == "xiaodai")
    assert "My income fell" not in xiaodai["letter"]
    assert f"{Decimal(cap['excess']):,.2f} CNY" in xiaodai["letter"]
    assert cap["cap_source"] in xiaodai["letter"]
    # The terminal names the platforms it writes to and counts exactly those letters.
    assert words.returncode == 0, words.stderr
    lines = words.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("What to ask each platform"))
    listed = []
    for line in lines[start + 1 :]:
        if not line.startswith("- "):
            break
        listed.append(line[2:].split(" (", 1)[0])
    platforms = list(dict.fromkeys(listed))
    (count,) = [line for line in lines if "letter(s)" in line]
    assert count.startswith(f"{len(platforms)} letter(s), one to each platform above")
    assert f"({', '.join(platforms)})" in count
