"""`AdviseService.plan`: the `plan` use case called in process, as the API and the portal will."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from creditmend.adapters.loanfile_yaml import read_yaml_with_lines
from creditmend.domain.calendar import WeekdayCalendar
from creditmend.domain.problems import ProblemsError
from creditmend.domain.rules.cn import CN
from creditmend.models import default_scorecard
from creditmend.services.advise import AdviseService
from creditmend.services.plan import NewLoanTerms, Person, PlanRequest, plan_problems

EXAMPLE = Path(__file__).parents[2] / "examples" / "plan.yaml"
AS_OF = date(2026, 7, 1)
AT = datetime(2026, 7, 1, 9, tzinfo=UTC)


class _Spy:
    """A port that records whether it was used."""

    def __init__(self, answer: Any = None) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.answer = answer

    def __call__(self, *args: Any) -> Any:
        self.calls.append(args)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def _service(**ports: Any) -> AdviseService:
    from creditmend.adapters.solver_highs import HighsSolver  # noqa: PLC0415

    return AdviseService(
        CN,
        WeekdayCalendar(),
        ports.pop("read_document", read_yaml_with_lines),
        HighsSolver(),
        **ports,
    )


def test_every_problem_of_a_request_at_once_named_by_its_field() -> None:
    request = PlanRequest(
        AS_OF,
        plan_file=EXAMPLE,
        horizon_months=0,
        cash_flow={"cash_on_hand": "-5", "monthly_income": "1.234"},
        new_loan=NewLoanTerms("0", "0.1", 999, "pawnshop"),
        borrower="Zhang\nSan",
    )
    problems = plan_problems(request, "CNY")
    assert [p.field for p in problems] == [
        "plan.horizon_months",
        "plan.cash_on_hand",  # below zero
        "plan.monthly_income",  # finer than the fen
        "plan.cash_on_hand",  # the cash flow goes with a person's file
        "plan.monthly_income",
        "new_loan.term_months",
        "new_loan.lender_kind",
        "new_loan.amount",
        "plan.borrower",
    ]
    assert str(problems[0]) == "plan.horizon_months: '0': a whole number 1..120"
    assert plan_problems(PlanRequest(AS_OF, plan_file=EXAMPLE), "CNY") == ()
    assert [p.field for p in plan_problems(PlanRequest(AS_OF), "CNY")] == ["plan.source"]


def test_a_refused_request_reads_no_file_and_asks_no_bureau() -> None:
    reader, own_file = _Spy(), _Spy()
    service = _service(read_document=reader, own_file=own_file)
    request = PlanRequest(
        AS_OF, plan_file=EXAMPLE, person=Person("cn_ric", "X"), borrower="A" * 101
    )
    with pytest.raises(ProblemsError, match=r"plan\.borrower: has 101 characters; at most 100"):
        service.plan(request, AT)
    assert (reader.calls, own_file.calls) == ([], [])


def test_a_person_plan_needs_an_advisor_with_a_bureau() -> None:
    request = PlanRequest(AS_OF, person=Person("cn_ric", "X"), cash_flow={"cash_on_hand": "0"})
    assert [p.field for p in _service().check(request)] == ["plan.subject"]


def test_the_plan_with_its_counsel_and_the_new_loan_in_the_plans_currency(
    tmp_path: Path,
) -> None:
    # The same plan in US dollars: the new loan is priced in the plan's currency, whatever the
    # profile's (it was stamped CNY by the command line before).
    text = EXAMPLE.read_text(encoding="utf-8").replace("currency: CNY", "currency: USD", 1)
    text = text.replace("- contract:\n", "- contract:\n      currency: USD\n")
    usd = tmp_path / "plan.yaml"
    usd.write_text(text, encoding="utf-8")
    service = _service(scorecard=default_scorecard)
    request = PlanRequest(
        AS_OF,
        plan_file=usd,
        horizon_months=12,
        new_loan=NewLoanTerms("10000", "0.24", 12),
        borrower="  张三  ",
        bridging=False,  # nothing here reads the bridging money (a few exact re-plans)
    )
    advice = service.plan(request, AT)
    assert advice.plan_input.currency == "USD"
    assert len(advice.horizon.months) == 12
    assert advice.new_loan is not None and advice.forecast is not None
    assert advice.new_loan.offer.amount.currency == "USD"
    assert advice.letters and all("张三" in letter.text for letter in advice.letters)
