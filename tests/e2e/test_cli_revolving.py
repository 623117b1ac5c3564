"""A revolving account through the real commands: loan simulate, loan schedule --file, plan.

In process (Typer's runner, tests/e2e/in_process.py): the same parsing, exit codes and output
streams as the installed command, without starting an interpreter per call (about 3 s each)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)

ROOT = Path(__file__).parents[2]
HUABEI = ROOT / "examples" / "huabei.yaml"


def test_simulate_json_keeps_its_keys_and_adds_statements() -> None:
    result = cli("loan", "simulate", str(HUABEI), "--as-of", "2026-12-07", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("days_past_due", "status_code", "interest_accrued", "outstanding_principal"):
        assert key in data
    statements = data["statements"]
    assert [s["statement_on"] for s in statements][:2] == ["2026-07-01", "2026-08-01"]
    assert set(statements[0]) >= {"statement_on", "due_on", "balance", "minimum_due"}
    # July: 1,200 + 300 bought in June, minimum 10 %, paid in full on 07-08.
    assert (statements[0]["balance"], statements[0]["minimum_due"]) == ("1500.00", "150.00")
    assert statements[0]["paid_in_full"] is True
    # October's minimum was paid in part and late: overdue since 10-11.
    assert data["status_code"] == "1"
    assert Decimal(data["credit_limit"]) == Decimal("8000.00")


def test_schedule_of_a_revolving_file_projects_the_minimums() -> None:
    result = cli("loan", "schedule", "--file", str(HUABEI), "--as-of", "2026-12-07", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["statements"][-1]["due_on"] == "2026-12-10"
    rows = data["projected_minimums"]
    assert rows[0]["due_on"] == "2027-01-10"
    assert all(Decimal(r["total"]) > 0 for r in rows)


def test_bad_revolving_file_is_one_line_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        HUABEI.read_text(encoding="utf-8").replace("statement_day: 1 ", "statement_day: 40 "),
        encoding="utf-8",
    )
    result = cli("loan", "simulate", str(bad), "--as-of", "2026-12-07")
    assert result.returncode == 2
    assert "contract.statement_day" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_plan_with_a_huabei_account_runs(tmp_path: Path) -> None:
    """examples/five-platforms.yaml with the Huabei account of examples/huabei.yaml added."""
    lines = HUABEI.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("contract:"))
    item = ["  - " + lines[start]] + [
        "    " + line if line else line for line in lines[start + 1 :]
    ]
    plan = (ROOT / "examples" / "five-platforms.yaml").read_text(encoding="utf-8")
    plan = plan.replace("loans:\n", "loans:\n" + "\n".join(item) + "\n\n", 1)
    path = tmp_path / "plan.yaml"
    path.write_text(plan, encoding="utf-8")
    # Twelve months hold every conversion term (3, 6, 12) and cost a third of the file's 36
    # (each plan here is made three times: shown, at the contract's rate, without good faith);
    # the optimiser's choice over the file's own horizon is tests/unit/test_recovery_conversion.py.
    result = cli(
        "plan", str(path), "--as-of", "2026-12-07", "--format", "json", "--no-bridging",
        "--horizon-months", "12",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for name, strategy in data["strategies"].items():
        months = [m for m in strategy["monthly"] if "huabei" in json.dumps(m)]
        assert months, name
    # The December statement (cut 12-01, due 12-10) converted into instalments (账单分期) beats
    # paying the minimum and revolving: the winner says so, the JSON and the summary too.
    (conversion,) = data["conversions"]
    assert conversion["loan_id"] == "huabei" and conversion["on"] == "2026-12-07"
    assert conversion["statement_on"] == "2026-12-01"
    assert f"convert huabei {conversion['months']}m" in data["winner"]
    assert Decimal(conversion["fee"]) == Decimal(conversion["fee_each"]) * conversion["months"]
    words = [line for line in data["summary"] if line.startswith("Convert the Huabei statement")]
    assert words and f"into {conversion['months']} instalments" in words[0]


RIC = "11010519491231002X"
# A Huabei-like account furnished by hand (statement on the 1st, due on the 10th): July paid in
# full, August the minimum, September 100 of its minimum ten days late, October cured.
HUABEI_BASE = {
    "furnisher_id": "ANT", "account_id": "HB-1", "id_type": "cn_ric", "id_number": RIC,
    "name": "张三", "account_type": "online_consumer_loan", "opened_on": "2026-06-15",
    "principal": None, "credit_limit": "8000.00", "term_months": None, "status": "open",
}  # fmt: skip
HUABEI_MONTHS = [
    {**HUABEI_BASE, "period": "2026-07", "balance": "1500.00", "scheduled_amount": "150.00",
     "paid_amount": "1500.00", "past_due_amount": "0.00", "days_past_due": 0,
     "last_payment_on": "2026-07-08"},
    {**HUABEI_BASE, "period": "2026-08", "balance": "3600.00", "scheduled_amount": "360.00",
     "paid_amount": "400.00", "past_due_amount": "0.00", "days_past_due": 0,
     "last_payment_on": "2026-08-09"},
    {**HUABEI_BASE, "period": "2026-09", "balance": "4000.00", "scheduled_amount": "446.00",
     "paid_amount": "100.00", "past_due_amount": "346.00", "days_past_due": 20,
     "last_payment_on": "2026-09-20", "first_delinquency_on": "2026-09-11",
     "negative_notice_on": "2026-09-12"},
    {**HUABEI_BASE, "period": "2026-10", "balance": "4500.00", "scheduled_amount": "800.00",
     "paid_amount": "1200.00", "past_due_amount": "0.00", "days_past_due": 0,
     "last_payment_on": "2026-10-05"},
]  # fmt: skip


def test_a_plan_from_the_bureau_rebuilds_a_revolving_account(tmp_path: Path) -> None:
    env = {"CREDITMEND_DB": f"sqlite:///{tmp_path / 'bureau.db'}", "CREDITMEND_KEY": ""}
    cmf = tmp_path / "cmf.jsonl"
    cmf.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in HUABEI_MONTHS))
    for step in (
        ("furnisher", "add", "ANT", "--name", "Huabei", "--kind", "non_bank"),
        ("ingest", str(cmf), "--as-of", "2026-11-05"),
    ):
        done = cli(*step, env=env)
        assert done.returncode == 0, done.stderr
    done = cli(
        "plan", "--person", "cn_ric", RIC, "--monthly-income", "6000", "--monthly-expenses",
        "3500", "--as-of", "2026-11-05", "--format", "json", "--no-bridging", env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert any(note.startswith("Revolving accounts are rebuilt") for note in data["notes"])
    assert not any("not planned" in note for note in data["notes"])
    (huabei,) = data["strategies"]["optimal"]["monthly"][0]["payments"]
    assert huabei == "ANT:HB-1"
    # September's overdue, as furnished, is the record the plan's timeline follows.
    assert [row["record"] for row in data["expiry_timeline"]] == ["account:ANT:HB-1:2026-09"]
