"""The borrower's recovery plan: `/me/plan`, the plan `creditmend plan --person` makes from the
bureau's data, with a form for what the bureau does not know (the cash flow, a loan it does
not hold, bridging money, preferences), and each platform's letter to download.

The form becomes the very `PlanRequest` the command line makes: the cash flow as its options,
the rest as the PLAN file it would read (written to a private temporary file, read by the same
reader, so every check and message is the advisor's). The service checks the request before it
looks at the file; a refused form leaves nothing in it. Each plan reads the file as a logged
self-inquiry (`AdviseService.person_plan`), the subject's own look. A letter is downloaded by
sending the same form again to `/me/plan/letter` (the plan is made again, exactly: nothing of a
plan is kept between requests).

Charts are the HTML page's own (Altair drawn to SVG by vl-convert on the server), shown as
`data:` images: the page has no script and no inline style.
"""

from __future__ import annotations

import base64
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from creditmend import bootstrap
from creditmend.domain.portal import Role, Session
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.interfaces.cli.plan_form import advice_json
from creditmend.interfaces.portal.web import check_csrf, render, secured, service, signed_in
from creditmend.services.advise import STRATEGY_NAMES, Advice
from creditmend.services.plan import NewLoanTerms, Person, PlanRequest

router = APIRouter(include_in_schema=False)
Borrower = Annotated[Session, Depends(signed_in(Role.BORROWER))]
STRATEGY_ORDER = ("optimal", *(name for name in STRATEGY_NAMES if name != "optimal"))
METHODS = ("equal_installment", "equal_principal", "interest_first", "bullet")
PRIORITIES = ("balanced", "cost", "credit")
ABOVE_CAP = ("dispute", "pay")
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class FormError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(field, message)


def _text(form: Mapping[str, str], name: str) -> str:
    return form.get(name, "").strip()


def _whole(form: Mapping[str, str], name: str) -> int | None:
    text = _text(form, name)
    if not text:
        return None
    if not text.isdigit():
        raise FormError(name, f"{text!r}: a whole number")
    return int(text)


def _own_loan(form: Mapping[str, str]) -> dict[str, Any] | None:
    """A loan the bureau does not hold, as a PLAN file's loan (contract only: the advisor reads
    it as the file would, its checks name `loans[0].contract....`)."""
    keys = ("loan_platform", "loan_principal", "loan_rate", "loan_term", "loan_disbursed_on")
    if not any(_text(form, key) for key in keys):
        return None
    method = _text(form, "loan_method") or METHODS[0]
    if method not in METHODS:
        raise FormError("loan_method", f"one of {', '.join(METHODS)}")
    term = _whole(form, "loan_term")
    return {
        "contract": {
            "id": "own-1",
            "platform": _text(form, "loan_platform") or "own-1",
            "principal": _text(form, "loan_principal"),
            "annual_rate": _text(form, "loan_rate"),
            "term_months": term if term is not None else 0,
            "method": method,
            "disbursed_on": _text(form, "loan_disbursed_on"),
        },
        "events": [],
    }


def plan_document(form: Mapping[str, str]) -> dict[str, Any]:
    """What the form gives beyond the cash flow, as a PLAN file's keys (empty: no file)."""
    document: dict[str, Any] = {}
    loan = _own_loan(form)
    if loan is not None:
        document["loans"] = [loan]
    cash: dict[str, Any] = {}
    if _text(form, "buffer"):
        cash["buffer"] = _text(form, "buffer")
    if (pay_day := _whole(form, "pay_day")) is not None:
        cash["pay_day"] = pay_day
    if cash:
        document["cash_flow"] = cash
    one_off: list[dict[str, Any]] = []
    if _text(form, "asset_sale_amount") or _text(form, "asset_sale_on"):
        one_off.append({"on": _text(form, "asset_sale_on"), "type": "asset_sale",
                        "amount": _text(form, "asset_sale_amount")})  # fmt: skip
    if any(_text(form, f"family_{key}") for key in ("amount", "on", "repay_monthly")):
        one_off.append({"on": _text(form, "family_on"), "type": "family_loan",
                        "amount": _text(form, "family_amount"),
                        "repay_monthly": _text(form, "family_repay_monthly"),
                        "repay_from": _text(form, "family_repay_from")})  # fmt: skip
    if one_off:
        document["one_off"] = one_off
    preferences: dict[str, Any] = {}
    priority = _text(form, "priority") or PRIORITIES[0]
    if priority not in PRIORITIES:
        raise FormError("priority", f"one of {', '.join(PRIORITIES)}")
    above_cap = _text(form, "above_cap") or ABOVE_CAP[0]
    if above_cap not in ABOVE_CAP:
        raise FormError("above_cap", f"one of {', '.join(ABOVE_CAP)}")
    preferences = {"priority": priority, "above_cap": above_cap,
                   "good_faith": form.get("good_faith") == "on",
                   "keep_buffer": form.get("keep_buffer") == "on"}  # fmt: skip
    if _text(form, "target_band"):
        preferences["target_band"] = _text(form, "target_band")
    document["preferences"] = preferences
    return document


def plan_request(form: Mapping[str, str], person: Person, as_of: Any) -> PlanRequest:
    """The request `plan --person` would make of the same values (file: `plan_document`)."""
    cash = {
        key: _text(form, name)
        for key, name in (
            ("monthly_income", "monthly_income"),
            ("monthly_essential_expenses", "monthly_expenses"),
            ("cash_on_hand", "cash_on_hand"),
        )
        if _text(form, name)
    }
    new_loan = None
    if any(_text(form, f"new_loan_{key}") for key in ("amount", "rate", "months")):
        months = _whole(form, "new_loan_months")
        if months is None:
            raise FormError("new_loan_months", "the new loan's term in months")
        new_loan = NewLoanTerms(_text(form, "new_loan_amount"), _text(form, "new_loan_rate"),
                                months, _text(form, "new_loan_lender") or None)  # fmt: skip
    return PlanRequest(
        as_of=as_of,
        person=person,
        horizon_months=_whole(form, "horizon_months"),
        cash_flow=cash,
        new_loan=new_loan,
        borrower=form.get("name", ""),
        bridging=form.get("bridging") == "on",
    )


@contextmanager
def _plan_file(document: Mapping[str, Any]) -> Iterator[Path]:
    """The form's PLAN file in a private folder, gone once the plan is made."""
    with tempfile.TemporaryDirectory(prefix="cm-plan-") as folder:
        path = Path(folder) / "plan.yaml"
        path.write_text(yaml.safe_dump(dict(document), allow_unicode=True), "utf-8")
        yield path


def make_plan(request: Request, session: Session, form: Mapping[str, str]) -> Advice:
    """The advice for the form (raises FormError or ProblemsError, before any look when the
    values are wrong)."""
    svc = service(request)
    id_type, id_number = svc.portal.identity(session.user)
    ask = plan_request(form, Person(id_type, id_number), svc.clock.today())
    document = plan_document(form)
    advisor = bootstrap.advisor_for(svc.bureau.inquire)
    problems = advisor.check(ask)
    if problems:
        raise ProblemsError(problems)
    with _plan_file(document) as path:
        return advisor.plan(replace(ask, plan_file=path), svc.clock.now())


def _form(raw: Any) -> dict[str, str]:
    return {key: value for key, value in raw.items() if isinstance(value, str)}


def _image(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _month_rows(document: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The optimal plan month by month: each loan's payment, months that pay nothing at the end
    left out."""
    optimal = document["strategies"].get("optimal", {})
    monthly = optimal.get("monthly", [])
    loans = sorted({loan for month in monthly for loan in month["payments"]})
    rows = [
        {"month": m["month"], "payments": [m["payments"].get(loan, "0") for loan in loans]}
        for m in monthly
    ]
    while rows and all(amount in ("0", "0.00") for amount in rows[-1]["payments"]):
        rows.pop()
    return loans, rows


def _view(advice: Advice) -> dict[str, Any]:
    document = advice_json(advice, detail=True)
    monthly = document["strategies"].get("optimal", {}).get("monthly", [])
    horizon_end = f"{monthly[-1]['month']}-28" if monthly else None
    charts = {
        name: _image(svg) for name, svg in bootstrap.plan_charts(document, horizon_end).items()
    }
    loans, rows = _month_rows(document)
    return {
        "d": document,
        "strategies": [
            (n, document["strategies"][n]) for n in STRATEGY_ORDER if n in document["strategies"]
        ],
        "charts": charts,
        "plan_loans": loans,
        "plan_rows": rows,
        "letters": [(i, letter.platform) for i, letter in enumerate(advice.letters)],
    }


DEFAULTS = {"good_faith": "on", "keep_buffer": "on", "bridging": "on"}


@router.get("/me/plan")
def my_plan(request: Request, session: Borrower) -> Response:
    """The form alone: a plan needs the cash flow, which the bureau does not hold."""
    return render(request, "plan.html", {"form": DEFAULTS, "plan": None}, session=session)


@router.post("/me/plan", dependencies=[Depends(check_csrf)])
async def post_plan(request: Request, session: Borrower) -> Response:
    form = _form(await request.form())
    try:
        advice = make_plan(request, session, form)
    except FormError as error:
        return _refused(request, session, form, error.problem)
    except ProblemsError as error:
        return _refused(request, session, form, error.problems[0])
    context = {"form": form, "plan": _view(advice)}
    return render(request, "plan.html", context, session=session)


@router.post("/me/plan/letter", dependencies=[Depends(check_csrf)])
async def plan_letter(request: Request, session: Borrower) -> Response:
    """One platform's letter as a PDF to save: the same form, the plan made again."""
    form = _form(await request.form())
    index = form.get("letter", "")
    try:
        advice = make_plan(request, session, form)
    except FormError as error:
        return _refused(request, session, form, error.problem)
    except ProblemsError as error:
        return _refused(request, session, form, error.problems[0])
    if not index.isdigit() or int(index) >= len(advice.letters):
        return _refused(request, session, form, Problem("letter", "no such letter in this plan"))
    letter = advice.letters[int(index)]
    stem = _SAFE.sub("_", "-".join(letter.loan_ids))[:80] or "letter"
    response = Response(bootstrap.letter_pdf(letter.text), media_type="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{int(index) + 1:02d}-{stem}.pdf"'
    )
    return secured(response)


def _refused(
    request: Request, session: Session, form: Mapping[str, str], problem: Problem
) -> Response:
    context = {"form": form, "plan": None, "problem": problem}
    return render(request, "plan.html", context, status=422, session=session)
