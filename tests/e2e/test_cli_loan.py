"""End to end through the command's parsing, exit codes, JSON shape and one-line errors, run in
process (Typer's runner); tests/e2e/test_cli_bureau.py starts the installed command itself."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy_financial as npf
import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)

EXAMPLE = Path(__file__).parents[2] / "examples" / "jiebei-overdue.yaml"


def test_schedule_json_matches_numpy_financial() -> None:
    result = cli(
        "loan",
        "schedule",
        "--principal",
        "10000",
        "--annual-rate",
        "0.12",
        "--months",
        "12",
        "--method",
        "equal_installment",
        "--disbursed-on",
        "2026-01-15",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    rows = data["installments"]
    assert len(rows) == 12
    assert set(rows[0]) >= {"number", "due_on", "principal", "interest", "fees", "total"}
    expected = Decimal(str(npf.pmt(0.01, 12, -10000))).quantize(Decimal("0.01"))
    assert all(Decimal(row["total"]) == expected for row in rows[:-1])
    assert sum(Decimal(row["principal"]) for row in rows) == Decimal("10000.00")
    assert rows[0]["due_on"] == "2026-02-15"
    assert Decimal(data["total_interest"]) == sum(Decimal(r["interest"]) for r in rows)


def test_schedule_with_daily_rate_prints_a_table() -> None:
    result = cli(
        "loan",
        "schedule",
        "--principal",
        "5000",
        "--daily-rate",
        "0.0005",
        "--months",
        "6",
        "--method",
        "equal_principal",
        "--disbursed-on",
        "2026-03-01",
    )
    assert result.returncode == 0, result.stderr
    assert "Repayment schedule" in result.stdout
    assert "5000.00" in result.stdout


def test_simulate_example_reports_the_state() -> None:
    result = cli("loan", "simulate", str(EXAMPLE), "--as-of", "2026-06-30", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in (
        "outstanding_principal",
        "overdue_principal",
        "overdue_interest",
        "penalty_accrued",
        "fees_due",
        "days_past_due",
        "status_code",
        "total_paid",
        "allocations",
        "monthly_status",
        "cost_check",
    ):
        assert key in data
    # Instalments 3 (2026-04-10) onwards were not paid in full: 81 days past due on 06-30.
    assert data["days_past_due"] == 81
    assert data["status_code"] == "3"
    assert [m["code"] for m in data["monthly_status"]] == ["*", "N", "N", "1", "2", "3"]
    for allocation in data["allocations"]:
        parts = sum(
            Decimal(allocation[k])
            for k in ("fees", "penalty", "interest", "principal", "unapplied")
        )
        assert parts == Decimal(allocation["amount"])
    assert data["deduction_attempts"][2]["balance_was_sufficient"] is True
    assert Decimal(data["cost_check"]["cap"]) == Decimal("0.24")


def test_simulate_prints_tables_without_json() -> None:
    result = cli("loan", "simulate", str(EXAMPLE), "--as-of", "2026-06-30")
    assert result.returncode == 0, result.stderr
    assert "worth an objection" in result.stdout
    assert "monthly status" in result.stdout


@pytest.mark.parametrize(
    ("contract_line", "expected"),
    [
        ("  method: balloon", "line 7: contract.method: unknown value 'balloon'"),
        ('  principal: "-5"', "line 7: contract.principal: -5 must be positive"),
        ('  principal: "12x"', "line 7: contract.principal: '12x' is not a decimal number"),
        ("  disbursed_on: 2026-13-45", "line 7: contract.disbursed_on: '2026-13-45' is not a date"),
    ],
)
def test_bad_contract_field_is_one_line_with_field_and_line(
    tmp_path: Path, contract_line: str, expected: str
) -> None:
    good = {
        "id": "x",
        "principal": '"1000.00"',
        "annual_rate": '"0.12"',
        "term_months": "3",
        "method": "bullet",
        "disbursed_on": "2026-01-01",
    }
    key = contract_line.split(":", maxsplit=1)[0].strip()
    lines = ["contract:"] + [f"  {k}: {v}" for k, v in good.items() if k != key]
    lines.insert(6, contract_line)
    path = tmp_path / "loan.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("loan", "simulate", str(path), "--as-of", "2026-03-01")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[0].startswith(f"error: {expected}")


def test_payment_before_disbursement_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "loan.yaml"
    path.write_text(
        'contract:\n  id: x\n  principal: "1000.00"\n  annual_rate: "0.12"\n'
        "  term_months: 3\n  method: bullet\n  disbursed_on: 2026-01-01\n"
        'events:\n  - {on: 2025-12-01, type: payment, amount: "10.00"}\n',
        encoding="utf-8",
    )
    result = cli("loan", "simulate", str(path), "--as-of", "2026-03-01")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: line 9: events[0].on: 2025-12-01 is before disbursed_on 2026-01-01"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--method", "balloon"], "error: --method: unknown value 'balloon'"),
        (["--principal", "-100"], "error: --principal: -100 must be positive"),
        (["--months", "abc"], "error: --months: 'abc' is not a whole number"),
        (["--months", "0"], "error: --months: must be between 1 and 600"),
        (["--annual-rate", "1e999999999"], "error: --annual-rate: '1e999999999' is too large"),
        (["--disbursed-on", "9999-06-15"], "error: --disbursed-on: 9999-06-15 is outside"),
        (["--disbursed-on", "20260110"], "error: --disbursed-on: '20260110' is not a date"),
        (["--currency", "cny"], "error: --currency: 'cny' is not an ISO 4217 code"),
        (["--principal", "1e"], "error: --principal: '1e' is not a decimal number"),
        (["--disbursed-on", "2026-02-30"], "error: --disbursed-on: '2026-02-30' is not a date"),
        (["--annual-rate", "18.25"], "error: --annual-rate: 1825.00% annual is not a plausible"),
    ],
)
def test_bad_schedule_option_is_one_line(args: list[str], expected: str) -> None:
    base = {
        "--principal": "1000",
        "--annual-rate": "0.1",
        "--months": "3",
        "--disbursed-on": "2026-01-01",
        "--method": "bullet",
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [item for pair in base.items() for item in pair]
    result = cli("loan", "schedule", *flat)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith(expected)


def test_an_implausible_daily_rate_is_refused_at_its_yearly_size() -> None:
    result = cli(
        "loan", "schedule", "--principal", "10000", "--months", "3",
        "--disbursed-on", "2026-01-15", "--daily-rate", "0.5",
    )  # fmt: skip  # 0.5 a day is 18,250 % a year
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --daily-rate: 50.0% daily is not a plausible rate"


def test_missing_file_and_bad_yaml_are_input_errors(tmp_path: Path) -> None:
    missing = cli("loan", "simulate", str(tmp_path / "nope.yaml"), "--as-of", "2026-01-01")
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: file: cannot read")
    broken = tmp_path / "broken.yaml"
    broken.write_text("contract:\n  id: [unclosed\n", encoding="utf-8")
    result = cli("loan", "simulate", str(broken), "--as-of", "2026-01-01")
    assert result.returncode == 2
    assert result.stderr.startswith("error: line")


def test_event_on_a_closed_loan_names_the_event_and_line(tmp_path: Path) -> None:
    path = tmp_path / "loan.yaml"
    path.write_text(
        'contract:\n  id: x\n  principal: "1000.00"\n  annual_rate: "0.12"\n'
        "  term_months: 3\n  method: bullet\n  disbursed_on: 2026-01-01\n"
        "events:\n  - {on: 2026-01-05, type: early_settlement}\n"
        "  - {on: 2026-01-06, type: waiver, component: all}\n",
        encoding="utf-8",
    )
    result = cli("loan", "simulate", str(path), "--as-of", "2026-02-01")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: line 10: events[1].on: the loan was closed on 2026-01-05"
    )


CONTRACT = (
    'contract:\n  id: x\n  principal: "1000.00"\n  annual_rate: "0.12"\n'
    "  term_months: 3\n  method: bullet\n  disbursed_on: 2026-01-01\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            CONTRACT.replace('"1000.00"', '"1e30"'),
            "line 3: contract.principal: '1e30' is too large",
        ),
        (CONTRACT + "  grace_days: 999999999\n", "contract.grace_days: must be between 0 and 365"),
        (
            CONTRACT.replace("2026-01-01", "9999-06-01"),
            "contract.disbursed_on: 9999-06-01 is outside",
        ),
        (
            CONTRACT.replace("2026-01-01", "20260110"),
            "contract.disbursed_on: '20260110' is not a date",
        ),
        (CONTRACT.replace("id: x", "id: !!python/object:os.system x"), "contract.id: the tag"),
        (CONTRACT.replace('"0.12"', '!!float "abc"'), "line 4: contract.annual_rate: the tag"),
        (CONTRACT + '  principal: "5.00"\n', "line 8: contract.principal: appears twice"),
        (
            CONTRACT + "  penalty:\n    late_fee: {}\n",
            "contract.penalty.late_fee: give exactly one",
        ),
        (CONTRACT + "  currency: cny\n", "line 8: contract.currency: 'cny' is not an ISO 4217"),
        (
            CONTRACT + '  fees:\n    - {timing: upfront, rate: "1.5"}\n',
            "contract.fees: upfront fees take the whole principal",
        ),
        (
            CONTRACT + 'events:\n  - {on: 2026-02-01, type: payment, amount: "1e40"}\n',
            "line 9: events[0].amount: '1e40' is too large",
        ),
        (
            CONTRACT + "events:\n  - {on: 2026-02-01, type: refund}\n",
            "line 9: events[0].type: unknown event type 'refund'",
        ),
        (
            CONTRACT + "events:\n  - {on: 2026-02-01, type: charge_off}\n"
            "  - {on: 2026-02-02, type: charge_off}\n",
            "line 10: events[1].on: the loan was already charged off on 2026-02-01",
        ),
    ],
)
def test_malformed_loan_files_end_with_one_line_per_problem(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "loan.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("loan", "simulate", str(path), "--as-of", "2026-03-01")
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert expected in result.stderr.splitlines()[0]


def test_non_utf8_file_and_pre_lpr_private_loan(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(CONTRACT.replace("id: x", "id: caf\xe9").encode("latin-1"))
    result = cli("loan", "simulate", str(latin), "--as-of", "2026-03-01")
    assert result.returncode == 2
    assert "is not UTF-8 text" in result.stderr
    old = tmp_path / "old.yaml"
    old.write_text(
        CONTRACT.replace("2026-01-01", "2018-01-10") + "  lender_kind: private\n",
        encoding="utf-8",
    )
    result = cli("loan", "simulate", str(old), "--as-of", "2018-06-01", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cost_check"]["cap"] == "0.24"
