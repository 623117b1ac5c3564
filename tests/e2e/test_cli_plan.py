"""`creditmend plan` end to end, in process (Typer's runner): JSON with the issue's keys, the
terminal's tables and plain words, and bad input as one line per problem with exit status 2."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from creditmend.interfaces.cli.app import app

EXAMPLE = Path(__file__).parents[2] / "examples" / "plan.yaml"
KEYS = {
    "total_paid",
    "interest_paid",
    "penalty_paid",
    "fees_paid",
    "overdue_account_months",
    "debt_free_on",
    "clean_on",
    "monthly",
}


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def cli(*args: str) -> Done:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Done(result.exit_code, result.stdout, result.stderr)


def test_json_has_every_strategy_with_the_issue_keys() -> None:
    done = cli("plan", str(EXAMPLE), "--as-of", "2026-07-01", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data["strategies"]) == {"optimal", "minimum", "avalanche", "snowball"}
    for form in data["strategies"].values():
        assert set(form) >= KEYS
        assert len(form["monthly"]) == 36
        Decimal(form["total_paid"])  # amounts are decimal strings
        assert set(form["monthly"][0]["payments"]) == {"jiebei-1", "weilidai-1", "fenqile-1"}
    assert data["feasible"] is True
    assert data["shortfall"] == []
    objective = data["objective"]
    best = min(Decimal(objective[n]["total"]) for n in ("minimum", "avalanche", "snowball"))
    assert Decimal(objective["optimal"]["total"]) <= best
    assert data["winner"]
    assert {"cost_estimated", "cost_exact", "difference"} <= set(data["estimate"])


def test_terminal_shows_the_table_the_plan_and_the_words() -> None:
    done = cli("plan", str(EXAMPLE), "--as-of", "2026-07-01", "--horizon-months", "24")
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
        "plan", str(plan), "--as-of", "2026-07-01", "--horizon-months", "6", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["feasible"] is False
    assert data["shortfall"] and all(Decimal(m["short"]) > 0 for m in data["shortfall"])
    assert data["overdue_at_end"]
    words = cli("plan", str(plan), "--as-of", "2026-07-01", "--horizon-months", "6")
    assert "No plan cures every overdue within 6 months" in words.stdout


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
        "plan", str(EXAMPLE), "--as-of", "2026-07-01", "--horizon-months", "abc", "--format", "pdf"
    )
    assert bad.returncode == 2
    assert "--horizon-months" in bad.stderr and "--format" in bad.stderr
    zero = cli("plan", str(EXAMPLE), "--as-of", "2026-07-01", "--horizon-months", "0")
    assert zero.returncode == 2


def test_help_lists_the_formats() -> None:
    done = cli("plan", "--help")
    assert done.returncode == 0
    assert "terminal" in done.stdout and "json" in done.stdout
