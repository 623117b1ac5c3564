"""Unknown keys in loan and plan files are errors at every level, named with their line and the
closest known key: a misspelt optional key must not be ignored and silently change the result."""

from __future__ import annotations

from pathlib import Path

import pytest

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.domain.loan.document import EVENT_KEYS, read_loan
from creditmend.domain.loan.events import EVENT_TYPES
from creditmend.domain.problems import ProblemsError
from creditmend.domain.recovery.plan_input import read_plan
from creditmend.domain.rules.cn import CN

ROOT = Path(__file__).parents[2]

LOAN = """\
contract:
  id: a
  principal: "1000.00"
  annual_rate: "0.12"
  term_months: 6
  method: bullet
  disbursed_on: 2026-01-10
  penalty:
    multiplier: "1.5"
    late_fee: {amount: "10.00"}
  fees:
    - {name: service, timing: upfront, amount: "5.00"}
events:
  - {on: 2026-02-10, type: payment, amount: "10.00"}
  - {on: 2026-03-10, type: deduction_failed, reason: platform_error, bank_balance: "50.00"}
"""

PLAN = """\
currency: CNY
loans:
  - contract:
      id: a
      principal: "1000.00"
      annual_rate: "0.12"
      term_months: 6
      method: bullet
      disbursed_on: 2026-01-10
    events: []
cash_flow:
  monthly_income: "100.00"
  monthly_essential_expenses: "50.00"
  months:
    - {month: 2026-12, income: "200.00"}
one_off:
  - {on: 2026-12-20, type: asset_sale, amount: "30.00"}
  - {on: 2026-12-20, type: family_loan, amount: "50.00", repay_monthly: "5.00",
     repay_from: 2027-01-01}
preferences:
  keep_buffer: true
"""


def _messages(tmp_path: Path, text: str, *, plan: bool) -> list[str]:
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    document, lines = read_yaml_with_lines(path)
    read = read_plan if plan else read_loan
    with pytest.raises(ProblemsError) as caught:
        read(document, CN, lines)
    return [str(problem) for problem in caught.value.problems]


def _insert(text: str, after: str, line: str) -> str:
    """`text` with `line` inserted after the first line that starts with `after` (indented)."""
    rows = text.splitlines()
    at = next(i for i, row in enumerate(rows) if row.strip().startswith(after))
    return "\n".join([*rows[: at + 1], line, *rows[at + 1 :]]) + "\n"


def test_the_bases_and_the_examples_are_accepted(tmp_path: Path) -> None:
    for text, plan in ((LOAN, False), (PLAN, True)):
        path = tmp_path / "file.yaml"
        path.write_text(text, encoding="utf-8")
        document, lines = read_yaml_with_lines(path)
        read_plan(document, CN, lines) if plan else read_loan(document, CN, lines)
    for name, plan in (("jiebei-overdue.yaml", False), ("plan.yaml", True)):
        document, lines = read_yaml_with_lines(ROOT / "examples" / name)
        read_plan(document, CN, lines) if plan else read_loan(document, CN, lines)


CHANNEL = '  - {on: 2026-02-01, type: payment, amount: "1.00", chanel: app}'


def _unknown(line: int, field: str, meant: str) -> str:
    """The message for an unknown key: a suggestion, or (`meant` empty) the start of the list."""
    hint = f"did you mean {meant}?" if meant else "expected"
    return f"line {line}: {field}: unknown key; {hint}"


@pytest.mark.parametrize(
    ("after", "inserted", "line", "field", "meant"),
    [
        ("term_months: 6", "  grace_day: 3", 6, "contract.grace_day", "grace_days"),
        ("method: bullet", '  anual_rate: "0.1"', 7, "contract.anual_rate", "annual_rate"),
        ("multiplier:", "    compound_intrest: true", 10,
         "contract.penalty.compound_intrest", "compound_interest"),
        ('late_fee: {amount: "10.00"}', "  zzz: 1", 11, "contract.zzz", ""),
        ("events:", CHANNEL, 14, "events[0].chanel", "channel"),
        ("- {on: 2026-03-10", "event: []", 16, "event", "events"),
    ],
)  # fmt: skip
def test_an_unknown_loan_key_is_named_with_its_line(
    tmp_path: Path, after: str, inserted: str, line: int, field: str, meant: str
) -> None:
    (message,) = _messages(tmp_path, _insert(LOAN, after, inserted), plan=False)
    assert message.startswith(_unknown(line, field, meant))


def test_nested_loan_mappings_are_checked_too(tmp_path: Path) -> None:
    text = LOAN.replace('{amount: "10.00"}', '{amount: "10.00", rat: "0.1"}').replace(
        "timing: upfront,", "timing: upfront, nam: x,"
    )
    assert _messages(tmp_path, text, plan=False) == [
        "line 10: contract.penalty.late_fee.rat: unknown key; did you mean rate?",
        "line 12: contract.fees[0].nam: unknown key; did you mean name?",
    ]


def test_a_key_of_another_event_type_is_unknown_on_this_one(tmp_path: Path) -> None:
    text = LOAN.replace(
        'type: payment, amount: "10.00"', 'type: payment, amount: "10.00", reason: x'
    )
    (message,) = _messages(tmp_path, text, plan=False)
    assert message.startswith("line 14: events[0].reason: unknown key; expected ")
    assert set(EVENT_KEYS) == set(EVENT_TYPES)


def test_a_key_whose_value_is_a_block_is_named_at_the_key(tmp_path: Path) -> None:
    text = _insert(LOAN, "disbursed_on: 2026-01-10", '  penalties:\n    multiplier: "2"')
    assert _messages(tmp_path, text, plan=False) == [
        "line 8: contract.penalties: unknown key; did you mean penalty?"
    ]


@pytest.mark.parametrize(
    ("after", "inserted", "line", "field", "meant"),
    [
        ("currency: CNY", "curency: CNY", 2, "curency", "currency"),
        ("events: []", '    penalty_multipler: "2"', 11, "loans[0].penalty_multipler", ""),
        ("method:", "      disbursed: x", 9, "loans[0].contract.disbursed", "disbursed_on"),
        ("monthly_income:", '  cash_on_hnd: "5.00"', 13, "cash_flow.cash_on_hnd", "cash_on_hand"),
        ("keep_buffer: true", "  horizon: 12", 22, "preferences.horizon", "horizon_months"),
    ],
)  # fmt: skip
def test_an_unknown_plan_key_is_named_with_its_line(
    tmp_path: Path, after: str, inserted: str, line: int, field: str, meant: str
) -> None:
    (message,) = _messages(tmp_path, _insert(PLAN, after, inserted), plan=True)
    assert message.startswith(_unknown(line, field, meant))


def test_plan_list_items_are_checked_by_their_kind(tmp_path: Path) -> None:
    text = (
        PLAN.replace('income: "200.00"}', 'income: "200.00", expense: "1.00"}')
        .replace('amount: "30.00"', 'amount: "30.00", repay_from: 2027-02-02')
        .replace("repay_from: 2027-01-01}", "repay_form: 2027-01-01, repay_from: 2027-01-01}")
    )  # fmt: skip
    assert _messages(tmp_path, text, plan=True) == [
        "line 15: cash_flow.months[0].expense: unknown key; did you mean expenses?",
        "line 17: one_off[0].repay_from: unknown key; expected amount, on, type",
        "line 19: one_off[1].repay_form: unknown key; did you mean repay_from?",
    ]
