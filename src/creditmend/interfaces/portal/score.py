"""The borrower's score: `/me/score` (score, band, reasons and the what-if); the report's PDF is
`report_pdf.py`'s.

Every page reads the file through the services the command line uses, so each view is the
subject's own look as there: the report through the self-inquiry `creditmend report` makes, the
what-if through `InquiryService.what_if` (`creditmend score what-if`'s). A what-if refused for
its own values (checked before the look, by the service) leaves nothing in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from creditmend import bootstrap
from creditmend.domain.money import Money, MoneyError
from creditmend.domain.portal import Role, Session
from creditmend.domain.problems import Problem, ProblemsError
from creditmend.domain.report.model import Report
from creditmend.domain.scoring.whatif import (
    INQUIRY_KINDS,
    Change,
    Inquiries,
    MonthsOnTime,
    NewLoan,
    PayOff,
)
from creditmend.interfaces.portal.i18n import N_
from creditmend.interfaces.portal.web import (
    check_csrf,
    render,
    service,
    signed_in,
    speaker,
)

router = APIRouter(include_in_schema=False)
Borrower = Annotated[Session, Depends(signed_in(Role.BORROWER))]
NO_FILE = N_("The bureau holds no credit file for you yet.")
CHANGES = ("pay_off", "new_loan", "inquiries", "months_on_time")
# The command line's bounds of the same options (`creditmend score what-if`): a form is no
# reason to let a borrower ask for a thousand years on time.
BOUNDS = {"term": (1, 600), "months": (1, 120), "count": (1, 100)}


@dataclass(frozen=True, slots=True)
class FormError(Exception):
    """A value of the form the portal cannot even hand to the service: the field and why."""

    field: str
    message: str


def own_report(request: Request, session: Session) -> Report | None:
    """The borrower's report, read as `creditmend report` reads it (a logged self-inquiry);
    None when the bureau holds no file for them."""
    svc = service(request)
    id_type, id_number = svc.portal.identity(session.user)
    try:
        return svc.bureau.inquire.self_report(
            id_type, id_number, svc.clock.today(), svc.clock.now()
        )
    except ProblemsError:
        return None


def _reasons(report: Report, lang: str) -> list[str]:
    return [
        reason.text_zh if lang == "zh_CN" and reason.text_zh else reason.text
        for reason in report.summary.reasons
    ]


def _accounts(report: Report) -> list[dict[str, str]]:
    return [
        {"ref": f"{a.furnisher_id}:{a.account_id}", "label": f"{a.furnisher_name} {a.account_id}"}
        for a in report.overdue.accounts
    ]


def _score_context(report: Report | None, lang: str) -> dict[str, Any]:
    if report is None:
        return {"missing": NO_FILE, "accounts": []}
    return {
        "missing": None,
        "score": report.summary.score,
        "band": report.summary.band,
        "reasons": _reasons(report, lang),
        "accounts": _accounts(report),
    }


@router.get("/me/score")
def my_score(request: Request, session: Borrower) -> Response:
    report = own_report(request, session)
    context = _score_context(report, speaker(request).lang)
    return render(request, "score.html", {**context, "form": {}}, session=session)


def _whole(form: Mapping[str, str], field: str, bound: str) -> int:
    low, high = BOUNDS[bound]
    text = form.get(field, "").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise FormError(field, f"a whole number {low}..{high}")
    return int(text)


def change_of(form: Mapping[str, str]) -> Change:
    """The change the form asks about, in the service's terms (which checks the rest)."""
    kind = form.get("change", "")
    if kind not in CHANGES:
        raise FormError("change", f"one of {', '.join(CHANGES)}")
    if kind == "pay_off":
        return PayOff(form.get("account", ""))
    if kind == "new_loan":
        try:
            amount = Money.of(form.get("amount", ""), bootstrap.rules().currency, "amount")
        except MoneyError as error:
            raise FormError("amount", error.problem().message) from None
        return NewLoan(amount.amount, _whole(form, "term", "term"))
    if kind == "inquiries":
        inquiry_kind = form.get("inquiry_kind", "non_bank")
        if inquiry_kind not in INQUIRY_KINDS:
            raise FormError("inquiry_kind", f"one of {', '.join(INQUIRY_KINDS)}")
        return Inquiries(_whole(form, "count", "count"), inquiry_kind)
    return MonthsOnTime(_whole(form, "months", "months"))


@router.post("/me/score", dependencies=[Depends(check_csrf)])
async def what_if(request: Request, session: Borrower) -> Response:
    """The score now and after the change asked (the service's what-if, logged as the subject's
    own look); a value refused is shown with the form again, and nothing is looked at."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    known = [
        {"ref": ref, "label": ref} for ref in (await request.form()).getlist("known")
        if isinstance(ref, str)
    ]  # fmt: skip
    svc = service(request)
    try:
        change = change_of(form)
        id_type, id_number = svc.portal.identity(session.user)
        result = svc.bureau.inquire.what_if(
            id_type, id_number, svc.clock.today(), change, svc.clock.now()
        )
    except FormError as error:
        return _refused(request, session, Problem(error.field, error.message), known, form)
    except ProblemsError as error:
        return _refused(request, session, error.problems[0], known, form)
    context = {
        "missing": None,
        "score": result.before.score,
        "band": result.before.band,
        "reasons": list(result.before.worded()),  # the template says them in the page's language
        "accounts": known,
        "form": form,
        "result": result,
    }
    return render(request, "score.html", context, session=session)


def _refused(
    request: Request,
    session: Session,
    problem: Problem,
    known: list[dict[str, str]],
    form: Mapping[str, str],
) -> Response:
    context = {"missing": None, "score": None, "accounts": known, "form": form,
               "problem": problem}  # fmt: skip
    return render(request, "score.html", context, status=422, session=session)
