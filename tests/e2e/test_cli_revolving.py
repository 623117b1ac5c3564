"""A revolving account through the real commands: loan simulate, loan schedule --file, plan."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).parents[2]
HUABEI = ROOT / "examples" / "huabei.yaml"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "creditmend", *args], capture_output=True, text=True, check=False
    )


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
    result = cli("plan", str(path), "--as-of", "2026-12-07", "--format", "json")
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
