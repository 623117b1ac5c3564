"""The borrower's recovery plan: `/me/plan`, the plan `creditmend plan --person` makes from the
bureau's data, with a form for what the bureau does not know (the cash flow, a loan it does
not hold, bridging money, preferences), and each platform's letter to download.

The form becomes the very `PlanRequest` the command line makes: the cash flow as its options,
the rest as the PLAN file it would read (written to a private temporary file, read by the same
reader, so every check and message is the advisor's). The service checks the request before it
looks at the file; a refused form leaves nothing in it. Each plan reads the file as a logged
self-inquiry (`AdviseService.person_plan`), the subject's own look. A letter is downloaded by
its own small form: the letter's text with an HMAC seal (a key of the process, the user, the
file name and the text), so a letter is typeset without making the plan again and no one can
have their own text typeset as a letter. Nothing of a plan is kept between requests.

Charts are the HTML page's own (Altair drawn to SVG by vl-convert on the server), shown as
`data:` images: the page has no script and no inline style.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
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
_SAFE_NAME = re.compile(r"[0-9]{2}-[A-Za-z0-9_.-]{1,80}\.pdf")


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


def _view(request: Request, session: Session, advice: Advice) -> dict[str, Any]:
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
        "letters": _letters(request, session, advice),
        "plan_loans": loans,
        "plan_rows": rows,
    }


# Bridging is off until asked: it re-makes the plan a few times (a minute on a busy machine).
DEFAULTS = {"good_faith": "on", "keep_buffer": "on"}


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
    context = {"form": form, "plan": _view(request, session, advice)}
    return render(request, "plan.html", context, session=session)


def _letter_key(request: Request) -> bytes:
    """This process's key for the letters a plan page hands out (made when first needed: a
    letter given before a restart is made again by sending the plan form again)."""
    key = getattr(request.app.state, "plan_letter_key", None)
    if not isinstance(key, bytes):
        key = secrets.token_bytes(32)
        request.app.state.plan_letter_key = key
    return key


def letter_seal(key: bytes, user_id: int, name: str, text: str) -> str:
    """What proves a letter is the one the advisor wrote for this user (no one else's, no text
    of their own): an HMAC of the user, the file name and the text."""
    message = f"{user_id}\n{name}\n{text}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _letters(request: Request, session: Session, advice: Advice) -> list[dict[str, str]]:
    """Each platform's letter with its file name and seal: its download form sends them back,
    so a letter is typeset without making the plan again (which takes seconds)."""
    key = _letter_key(request)
    found = []
    for index, letter in enumerate(advice.letters, start=1):
        stem = _SAFE.sub("_", "-".join(letter.loan_ids))[:80] or "letter"
        name = f"{index:02d}-{stem}.pdf"
        seal = letter_seal(key, session.user.user_id, name, letter.text)
        found.append({"platform": letter.platform, "name": name, "text": letter.text,
                      "seal": seal})  # fmt: skip
    return found


@router.post("/me/plan/letter", dependencies=[Depends(check_csrf)])
async def plan_letter(request: Request, session: Borrower) -> Response:
    """One platform's letter as a PDF to save: the letter the plan page gave, checked by its
    seal (this user's, unchanged), typeset by the engine of the bureau's letters."""
    form = _form(await request.form())
    name, seal = form.get("file", ""), form.get("seal", "")
    # Browsers send a form's line breaks as CRLF (HTML's form submission): the text as sealed.
    text = form.get("text", "").replace("\r\n", "\n")
    expected = letter_seal(_letter_key(request), session.user.user_id, name, text)
    if not _SAFE_NAME.fullmatch(name) or not hmac.compare_digest(seal, expected):
        problem = Problem("letter", "this letter is not one your plan gave: make the plan again")
        return _refused(request, session, DEFAULTS, problem)
    response = Response(bootstrap.letter_pdf(text), media_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return secured(response)


def _refused(
    request: Request, session: Session, form: Mapping[str, str], problem: Problem
) -> Response:
    context = {"form": form, "plan": None, "problem": problem}
    return render(request, "plan.html", context, status=422, session=session)
