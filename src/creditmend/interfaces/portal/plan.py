"""The borrower's recovery plan: `/me/plan`, the plan `creditmend plan --person` makes from the
bureau's data, with a form for what the bureau does not know (the cash flow, a loan it does
not hold, bridging money, preferences), and each platform's letter to download.

The form becomes the very `PlanRequest` the command line makes: the cash flow as its options,
the rest as the PLAN file it would read (written to a private temporary file, read by the same
reader, so every check and message is the advisor's). The service checks the request before it
looks at the file; a refused form leaves nothing in it (422 at once). Then the file is read, as
a logged self-inquiry (`AdviseService.gather`), the subject's own look, and the plan is made
off the request path (`jobs.py`): the form's answer is a redirect to the plan's own page,
`/me/plan/{job}`, which says it is being prepared (and refreshes itself) until the plan, its
charts and its letters' PDFs are ready. The job is keyed by the user, the request and what the
file held (the subject's own looks aside, which change nothing in a plan): the same form sent
again on an unchanged file shows the plan already made. Letters download from the finished
plan; a plan kept no longer (a restart, or pushed out by newer ones) is made again by sending
the form again.

Charts are the HTML page's own (Altair drawn to SVG by vl-convert on the server), shown as
`data:` images: the page has no script and no inline style.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from creditmend import bootstrap
from creditmend.domain.creditfile.inquiry import SELF
from creditmend.domain.portal import Role, Session
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.recovery.file_candidates import WHY_WORDS
from creditmend.interfaces.cli.plan_form import advice_json
from creditmend.interfaces.portal.files import download
from creditmend.interfaces.portal.i18n import N_
from creditmend.interfaces.portal.jobs import REFRESH_SECONDS, BusyError, Job, Jobs, State
from creditmend.interfaces.portal.web import (
    check_csrf,
    redirect,
    render,
    service,
    signed_in,
    speaker,
)
from creditmend.services.advise import STRATEGY_NAMES, Advice, AdviseService, Gathered
from creditmend.services.plan import NewLoanTerms, Person, PlanRequest

router = APIRouter(include_in_schema=False)
Borrower = Annotated[Session, Depends(signed_in(Role.BORROWER))]
STRATEGY_ORDER = ("optimal", *(name for name in STRATEGY_NAMES if name != "optimal"))
METHODS = ("equal_installment", "equal_principal", "interest_first", "bullet")
PRIORITIES = ("balanced", "cost", "credit")
ABOVE_CAP = ("dispute", "pay")
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")
PLAN = "plan"
GONE = N_("There is no such plan or file here: it may have been made before the server last "
          "started. Ask for it again.")  # fmt: skip
# WeasyPrint typesets one document at a time in this process (its fonts and Pango's state).
TYPESETTING = threading.Lock()


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
    """The form's PLAN file in a private folder, gone once it has been read."""
    with tempfile.TemporaryDirectory(prefix="cm-plan-") as folder:
        path = Path(folder) / "plan.yaml"
        path.write_text(yaml.safe_dump(dict(document), allow_unicode=True), "utf-8")
        yield path


def gather(
    svc: bootstrap.Service, session: Session, form: Mapping[str, str]
) -> tuple[PlanRequest, Gathered]:
    """The request for the form and what the plan is made of, read now (raises FormError or
    ProblemsError, before any look when the values are wrong)."""
    id_type, id_number = svc.portal.identity(session.user)
    ask = plan_request(form, Person(id_type, id_number), svc.clock.today())
    document = plan_document(form)
    advisor = bootstrap.advisor_for(svc.bureau.inquire)
    problems = advisor.check(ask)
    if problems:
        raise ProblemsError(problems)
    with _plan_file(document) as path:  # read now; the loans are rebuilt by the job
        gathered = advisor.gather(replace(ask, plan_file=path), svc.clock.now())
    return ask, gathered


def plan_key(ask: PlanRequest, gathered: Gathered) -> str:
    """What the plan depends on, as a digest: the request (its date included) and what was
    read, the subject's own looks left out (each plan adds one; they count in no score)."""
    person = gathered.person
    if person is not None:
        others = tuple(look for look in person.facts.inquiries if look.purpose != SELF)
        person = replace(person, facts=replace(person.facts, inquiries=others))
    made_of = repr((replace(ask, plan_file=None), replace(gathered, person=person)))
    return hashlib.sha256(made_of.encode("utf-8")).hexdigest()


@functools.cache
def _advisor() -> AdviseService:
    """The advisor of a worker process (no bureau: the file was read by the request)."""
    return bootstrap.build_advisor()


def make_plan(ask: PlanRequest, gathered: Gathered, lang: str) -> dict[str, Any]:
    """The plan's page as the job leaves it: the plan, its charts and each letter's PDF (run
    in a worker process: plain data in, plain data out), the charts in the reader's language
    `lang` (part of the job's key)."""
    advice = _advisor().plan_from(ask, gathered)
    view = _view(advice, lang)
    with TYPESETTING:
        view["pdfs"] = {letter["name"]: bootstrap.letter_pdf(letter["text"])
                        for letter in view["letters"]}  # fmt: skip
    return view


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


def _view(advice: Advice, lang: str) -> dict[str, Any]:
    document = advice_json(advice, detail=True)
    monthly = document["strategies"].get("optimal", {}).get("monthly", [])
    horizon_end = f"{monthly[-1]['month']}-28" if monthly else None
    charts = {
        name: _image(svg)
        for name, svg in bootstrap.plan_charts(document, horizon_end, lang=lang).items()
    }
    loans, rows = _month_rows(document)
    return {
        "d": document,
        "strategies": [
            (n, document["strategies"][n]) for n in STRATEGY_ORDER if n in document["strategies"]
        ],
        "charts": charts,
        "letters": _letters(advice),
        "plan_loans": loans,
        "plan_rows": rows,
        "why_words": WHY_WORDS,
    }


def _letters(advice: Advice) -> list[dict[str, str]]:
    """Each platform's letter with the name its PDF downloads under."""
    found = []
    for index, letter in enumerate(advice.letters, start=1):
        stem = _SAFE.sub("_", "-".join(letter.loan_ids))[:80] or "letter"
        found.append({"platform": letter.platform, "name": f"{index:02d}-{stem}.pdf",
                      "text": letter.text})  # fmt: skip
    return found


# Bridging is off until asked: it re-makes the plan a few times (a minute on a busy machine).
DEFAULTS = {"good_faith": "on", "keep_buffer": "on"}


def portal_jobs(request: Request) -> Jobs:
    jobs: Jobs = request.app.state.portal_jobs
    return jobs


def busy(request: Request, session: Session) -> Response:
    """Too many plans or PDFs being prepared: try again in a minute."""
    response = render(request, "busy.html", {}, status=503, session=session)
    response.headers["Retry-After"] = "60"
    return response


def gone(request: Request, session: Session) -> Response:
    """Not the user's job, or one no longer kept: not found, whichever it is."""
    return render(request, "refused.html", {"message": GONE}, status=404, session=session)


def job_context(job: Job) -> dict[str, Any]:
    """What a page says of a job: its state, how long it has been at it, when it refreshes."""
    return {"job": job, "state": job.state.value, "seconds": job.seconds(),
            "refresh": None if job.finished else REFRESH_SECONDS}  # fmt: skip


@router.get("/me/plan")
def my_plan(request: Request, session: Borrower) -> Response:
    """The form alone: a plan needs the cash flow, which the bureau does not hold."""
    return render(request, "plan.html", {"form": DEFAULTS, "plan": None}, session=session)


@router.post("/me/plan", dependencies=[Depends(check_csrf)])
async def post_plan(request: Request, session: Borrower) -> Response:
    """Check the form, read the file, hand the plan to the workers and show its page."""
    form = _form(await request.form())
    svc = service(request)
    try:
        ask, gathered = await run_in_threadpool(gather, svc, session, form)
    except FormError as error:
        return _refused(request, session, form, error.problem)
    except ProblemsError as error:
        return _refused(request, session, form, error.problems[0])
    jobs, lang = portal_jobs(request), speaker(request).lang
    try:
        job = jobs.submit(
            session.user.user_id,
            PLAN,
            (lang, plan_key(ask, gathered)),
            lambda: jobs.processes.run(make_plan, replace(ask, plan_file=None), gathered, lang),
            inputs=form,
        )
    except BusyError:
        return busy(request, session)
    return redirect(f"/me/plan/{job.id}")


@router.get("/me/plan/{job_id}")
def my_plan_job(request: Request, session: Borrower, job_id: str) -> Response:
    """The plan being prepared (the page refreshes itself), made (the plan and the form it was
    made from) or refused (one line naming the field)."""
    job = portal_jobs(request).find(session.user.user_id, PLAN, job_id)
    if job is None:
        return gone(request, session)
    context = {"form": job.inputs, "plan": job.result if job.state is State.DONE else None,
               "problem": job.problem, **job_context(job)}  # fmt: skip
    return render(request, "plan.html", context, session=session)


@router.get("/me/plan/{job_id}/letters/{name}")
def plan_letter(request: Request, session: Borrower, job_id: str, name: str) -> Response:
    """One platform's letter as a PDF to save, typeset with the plan: only the user's own,
    only from a finished plan; anything else is not found."""
    job = portal_jobs(request).find(session.user.user_id, PLAN, job_id)
    pdf = None if job is None or job.state is not State.DONE else job.result["pdfs"].get(name)
    if pdf is None:
        return gone(request, session)
    return download(pdf, "application/pdf", name)


def _refused(
    request: Request, session: Session, form: Mapping[str, str], problem: Problem
) -> Response:
    context = {"form": form, "plan": None, "problem": problem}
    return render(request, "plan.html", context, status=422, session=session)
