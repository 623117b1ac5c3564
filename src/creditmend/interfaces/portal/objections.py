"""The borrower's objections: their list, filing one against a record of their own report
with uploaded evidence, one objection's page (status, legal due date, the reply letter to read
and download once the desk approved it, the evidence), and the statement after a confirmed
outcome.

The rules are the objection desk's (`ObjectionService`, through `EvidenceUploads` for the
files): the portal only gathers the form. The person is the session's, never the URL's: an
objection of someone else answers 404 like a missing one. Every page that shows part of the
file is audited as the subject's own look: the form through the self-inquiry its report is
(as /me/report), the others as `portal_look`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from creditmend.domain.creditfile.inquiry import SELF
from creditmend.domain.creditfile.objection import Objection
from creditmend.domain.creditfile.uploads import MAX_FILE_BYTES, MAX_FILES, Refusal, Upload
from creditmend.domain.portal import Role, Session
from creditmend.domain.problems import ProblemsError
from creditmend.domain.report.model import Report
from creditmend.interfaces.api.limits import MIB, body_limit
from creditmend.interfaces.portal import letter_pdf
from creditmend.interfaces.portal.files import (
    REASONS,
    STATUSES,
    evidence_file,
    letter_text,
    letter_txt,
    not_found,
    object_id,
)
from creditmend.interfaces.portal.i18n import N_
from creditmend.interfaces.portal.web import check_csrf, redirect, render, service, signed_in

router = APIRouter(include_in_schema=False)
Borrower = Annotated[Session, Depends(signed_in(Role.BORROWER))]
OVERDUE_CODES = frozenset("1234567B")
UPLOAD_REFUSALS = {
    Refusal.TOO_MANY: N_("At most 5 files can go with one objection."),
    Refusal.TOO_BIG: N_("A file is larger than 3 MB."),
    Refusal.EMPTY: N_("A file is empty."),
    Refusal.WRONG_TYPE: N_("A file is not a PDF, PNG or JPEG (its content was checked)."),
}
NO_RECORD = N_("Choose the record you object to.")
NOT_IN_REPORT = N_("That record is not in your report; choose one below.")
REFUSED = N_("The bureau could not take this:")


def _records(report: Report) -> list[tuple[str, str]]:
    """Every record of the report one may object to, with its reference: each account, each
    of its months at an overdue status (newest first), public records, blacklist entries and
    inquiries."""
    found: list[tuple[str, str]] = []
    for account in report.overdue.accounts:
        ref = f"account:{account.furnisher_id}:{account.account_id}"
        found.append((ref, f"{account.furnisher_name} · {account.account_id}"))
        start = account.grid_starts
        months = []
        for index, code in enumerate(account.grid):
            if code in OVERDUE_CODES:
                total = start.year * 12 + start.month - 1 + index
                period = date(total // 12, total % 12 + 1, 1)
                label = f"{account.furnisher_name} · {account.account_id} · {period:%Y-%m} ({code})"
                months.append((f"{ref}:{period:%Y-%m}", label))
        found += reversed(months)
    found += [(r.record, f"{r.court} · {r.case_number}") for r in report.untrustworthy.records]
    found += [(b.record, f"{b.source} · {b.category}") for b in report.blacklist.entries]
    found += [
        (i.record, f"{i.on:%Y-%m-%d} · {i.furnisher_name or i.furnisher_id or ''} · {i.purpose}")
        for i in report.inquiries
        if i.record and i.purpose != SELF  # their own looks: nothing to object to
    ]
    return found


def _mine(request: Request, session: Session, raw: str) -> Objection | None:
    number = object_id(raw)
    if number is None:
        return None
    svc = service(request)
    id_type, id_number = svc.portal.identity(session.user)
    try:
        return svc.bureau.objections.subjects_own(
            number, id_type, id_number, svc.clock.today(), svc.clock.now()
        )
    except ProblemsError:
        return None


@router.get("/me/objections")
def my_objections(request: Request, session: Borrower) -> Response:
    svc = service(request)
    id_type, id_number = svc.portal.identity(session.user)
    found = svc.bureau.objections.of_subject(id_type, id_number, svc.clock.today(), svc.clock.now())
    svc.portal.log_look(session.user, "objections", svc.clock.now())
    context = {"objections": found, "today": svc.clock.today(), "statuses": STATUSES,
               "reasons": REASONS}  # fmt: skip
    return render(request, "objections.html", context, session=session)


def _form(
    request: Request,
    session: Session,
    chosen: str | None,
    *,
    errors: list[str] | None = None,
    problems: list[str] | None = None,
    reason: str | None = None,
    status: int = 200,
) -> Response:
    svc = service(request)
    id_type, id_number = svc.portal.identity(session.user)
    try:
        report = svc.bureau.inquire.self_report(
            id_type, id_number, svc.clock.today(), svc.clock.now()
        )
        records = _records(report)
    except ProblemsError:
        records = []
    errors = list(errors or [])
    if chosen and chosen not in {ref for ref, _ in records}:
        errors.append(NOT_IN_REPORT)
        chosen = None
    context: dict[str, Any] = {
        "records": records, "chosen": chosen, "reasons": REASONS, "reason": reason,
        "errors": errors, "problems": problems or [], "max_files": MAX_FILES,
        "max_mb": MAX_FILE_BYTES // MIB,
    }  # fmt: skip
    return render(request, "objection_new.html", context, status=status, session=session)


@router.get("/me/objections/new")
def new_objection(
    request: Request, session: Borrower, record: str | None = None, reason: str | None = None
) -> Response:
    """The form, a record (and a reason) chosen when a link or the plan's button says so."""
    return _form(request, session, record, reason=reason if reason in REASONS else None)


@router.post("/me/objections/new", dependencies=[Depends(check_csrf)])
@body_limit(MAX_FILES * MAX_FILE_BYTES + 2 * MIB)
async def file_objection(request: Request, session: Borrower) -> Response:
    form = await request.form()
    record, reason = str(form.get("record") or ""), str(form.get("reason") or "")
    uploads = []
    for item in form.getlist("evidence"):
        if isinstance(item, UploadFile) and (item.filename or item.size):
            # one byte more than the limit is enough to refuse it; the rest is not read
            content = await item.read(MAX_FILE_BYTES + 1)
            uploads.append(Upload(item.filename or "", content))
    if not record:
        return _form(request, session, None, errors=[NO_RECORD], reason=reason, status=400)
    svc = service(request)
    id_type, id_number = svc.portal.identity(session.user)
    try:
        filed = svc.evidence.file(
            id_type, id_number, record, reason, uploads, svc.clock.today(), svc.clock.now()
        )
    except ProblemsError as refused:
        known = {r.value: message for r, message in UPLOAD_REFUSALS.items()}
        errors = [known[p.message] for p in refused.problems if p.message in known]
        problems = [f"{p.field}: {p.message}" for p in refused.problems if p.message not in known]
        return _form(request, session, record, errors=sorted(set(errors)), problems=problems,
                     reason=reason, status=400)  # fmt: skip
    return redirect(f"/me/objections/{filed.id}")


@router.get("/me/objections/{objection_id}")
def my_objection(request: Request, session: Borrower, objection_id: str) -> Response:
    return _detail(request, session, objection_id)


def _detail(
    request: Request,
    session: Session,
    objection_id: str,
    *,
    problems: list[str] | None = None,
    status: int = 200,
) -> Response:
    objection = _mine(request, session, objection_id)
    if objection is None:
        return not_found(request, session)
    svc = service(request)
    svc.portal.log_look(session.user, f"objection:{objection.id}", svc.clock.now())
    context = {
        "o": objection, "today": svc.clock.today(), "statuses": STATUSES, "reasons": REASONS,
        "letter": letter_text(request, objection), "problems": problems or [],
        "pending": objection.awaiting_approval(svc.clock.today()),
        "base": f"/me/objections/{objection.id}",
    }  # fmt: skip
    return render(request, "objection.html", context, status=status, session=session)


@router.post("/me/objections/{objection_id}/statement", dependencies=[Depends(check_csrf)])
async def add_statement(request: Request, session: Borrower, objection_id: str) -> Response:
    objection = _mine(request, session, objection_id)
    if objection is None:
        return not_found(request, session)
    text = str((await request.form()).get("statement") or "")
    svc = service(request)
    try:
        svc.bureau.objections.statement(objection.id, text, svc.clock.today(), svc.clock.now())
    except ProblemsError as refused:
        problems = [f"{p.field}: {p.message}" for p in refused.problems]
        return _detail(request, session, objection_id, problems=problems, status=400)
    return redirect(f"/me/objections/{objection.id}")


@router.get("/me/objections/{objection_id}/evidence/{sha256}")
def my_evidence(request: Request, session: Borrower, objection_id: str, sha256: str) -> Response:
    objection = _mine(request, session, objection_id)
    found = None if objection is None else evidence_file(request, objection, sha256)
    if objection is None or found is None:
        return not_found(request, session)
    svc = service(request)
    svc.portal.log_look(session.user, f"objection:{objection.id}:evidence", svc.clock.now())
    return found


@router.get("/me/objections/{objection_id}/letter.{kind}")
def my_letter(request: Request, session: Borrower, objection_id: str, kind: str) -> Response:
    """The approved letter as text, or its PDF (typeset off the request: its job's page)."""
    objection = _mine(request, session, objection_id)
    text = None if objection is None else letter_text(request, objection)
    if objection is None or text is None or kind not in ("pdf", "txt"):
        return not_found(request, session)
    svc = service(request)
    svc.portal.log_look(session.user, f"objection:{objection.id}:letter", svc.clock.now())
    if kind == "pdf":
        return letter_pdf.start(request, session, objection, text, _base(objection))
    return letter_txt(objection, text)


@router.get("/me/objections/{objection_id}/letter/pdf/{job_id}")
def my_letter_pdf(request: Request, session: Borrower, objection_id: str, job_id: str) -> Response:
    objection = _mine(request, session, objection_id)
    if objection is None:
        return not_found(request, session)
    return letter_pdf.page(request, session, objection, job_id, _base(objection))


@router.get("/me/objections/{objection_id}/letter/pdf/{job_id}/file")
def my_letter_pdf_file(
    request: Request, session: Borrower, objection_id: str, job_id: str
) -> Response:
    objection = _mine(request, session, objection_id)
    if objection is None:
        return not_found(request, session)
    return letter_pdf.file(request, session, objection, job_id)


def _base(objection: Objection) -> str:
    return f"/me/objections/{objection.id}"
