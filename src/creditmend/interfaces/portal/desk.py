"""The desk's pages: the objection queue by legal due date, one objection (its record, the
evidence and the automatic check, the lender's answer, the drafted reply letter to approve or
send back; the bureau's own answer for what was routed to it), invitations, and the audit of a
person's file.

The rules are the services': the queue and the answer are `ObjectionService`'s, an
invitation `PortalUserService.invite`'s, the audit `InquiryService.who_looked`'s. The desk
answers only what was routed to the bureau: a lender answers its own through the API. Every
look of the desk is audited under the desk user's name: the objections it reads
(`objection_viewed`), the audit it reads (`audit_view` by the desk user), the invitations it
makes (`portal_invited`), the letters it approves, sends back or revises
(`objection_letter_approved`, `objection_letter_sent_back`, `objection_letter_revised`, by the
desk user; the letter's review names them as `reviewer` says). Only an approved letter
reaches the borrower.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from creditmend.domain.creditfile.furnisher import BUREAU
from creditmend.domain.creditfile.letter import EXPLANATION_MAX_CHARS
from creditmend.domain.creditfile.objection import Objection
from creditmend.domain.json_keys import DuplicateKeyError, unique_keys
from creditmend.domain.portal import BORROWER_KINDS, PortalUser, Role, Session
from creditmend.domain.problems import ProblemsError
from creditmend.domain.text import why_refused
from creditmend.interfaces.portal import letter_pdf
from creditmend.interfaces.portal.files import (
    OUTCOMES,
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
from creditmend.services.portal_users import actor

router = APIRouter(include_in_schema=False)
Desk = Annotated[Session, Depends(signed_in(Role.DESK))]
KINDS = (("cn_ric", N_("Resident identity card")), ("passport", N_("Passport")),
         ("us_ssn", N_("US social security number")))  # fmt: skip
BAD_JSON = N_("The corrections are not a JSON object.")


def _seen(request: Request, session: Session, seen: list[Objection], page: str) -> None:
    svc = service(request)
    detail = {"page": page, "desk_user": session.user.user_id}
    svc.bureau.objections.viewed(seen, actor(session.user), detail, svc.clock.now())


def _case(request: Request, raw: str) -> Objection | None:
    number = object_id(raw)
    if number is None:
        return None
    svc = service(request)
    try:
        return svc.bureau.objections.show(number, svc.clock.today(), svc.clock.now())
    except ProblemsError:
        return None


@router.get("/desk/objections")
def queue(request: Request, session: Desk) -> Response:
    """What the desk still owes first (open objections and letters waiting for approval), by
    legal due date, the most pressing on top; then the replied."""
    svc = service(request)
    today = svc.clock.today()
    found = svc.bureau.objections.list(today, svc.clock.now())
    found.sort(key=lambda o: (not (o.is_open or o.awaiting_approval(today)), o.due_on, o.id))
    _seen(request, session, found, "queue")
    context = {"objections": found, "today": today, "statuses": STATUSES, "reasons": REASONS}
    return render(request, "desk_queue.html", context, session=session)


def _detail(
    request: Request, session: Session, objection: Objection, *, problems: list[str] | None = None,
    status: int = 200, explanation: str | None = None,
) -> Response:  # fmt: skip
    svc = service(request)
    if explanation is None:  # the form starts from the paragraph the letter holds
        explanation = svc.bureau.objections.explanation(objection, svc.clock.today())
    _seen(request, session, [objection], "objection")
    context: dict[str, Any] = {
        "o": objection, "today": svc.clock.today(), "statuses": STATUSES, "reasons": REASONS,
        "outcomes": OUTCOMES, "letter": letter_text(request, objection, draft=True),
        "awaiting": objection.awaiting_approval(svc.clock.today()),
        "replied": objection.replied(svc.clock.today()),
        "subject": svc.bureau.objections.person_directory.masked_subject(objection.person),
        "ours": objection.is_open and objection.routed_to == BUREAU,
        "problems": problems or [], "base": f"/desk/objections/{objection.id}",
        "explanation": explanation, "explanation_max": EXPLANATION_MAX_CHARS,
    }  # fmt: skip
    return render(request, "desk_objection.html", context, status=status, session=session)


@router.get("/desk/objections/{objection_id}")
def case(request: Request, session: Desk, objection_id: str) -> Response:
    objection = _case(request, objection_id)
    if objection is None:
        return not_found(request, session)
    return _detail(request, session, objection)


@router.post("/desk/objections/{objection_id}/answer", dependencies=[Depends(check_csrf)])
async def answer(request: Request, session: Desk, objection_id: str) -> Response:
    """The bureau's answer to what was routed to it; the service writes the reply letter."""
    objection = _case(request, objection_id)
    if objection is None:
        return not_found(request, session)
    form = await request.form()
    outcome = str(form.get("outcome") or "")
    note = str(form.get("note") or "").strip() or None
    raw = str(form.get("corrections") or "").strip()
    corrections = None
    if raw:
        try:
            corrections = json.loads(raw, object_pairs_hook=unique_keys)
        except (ValueError, DuplicateKeyError, RecursionError):
            corrections = None
        if not isinstance(corrections, dict):
            return _detail(request, session, objection, problems=[BAD_JSON], status=400)
    svc = service(request)
    try:
        svc.bureau.objections.answer(
            objection.id, BUREAU, outcome, corrections, svc.clock.today(), svc.clock.now(),
            note=note, audit={"desk_user": session.user.user_id},
        )  # fmt: skip
    except ProblemsError as refused:
        problems = [f"{p.field}: {p.message}" for p in refused.problems]
        return _detail(request, session, objection, problems=problems, status=400)
    return redirect(f"/desk/objections/{objection.id}")


@router.get("/desk/objections/{objection_id}/evidence/{sha256}")
def evidence(request: Request, session: Desk, objection_id: str, sha256: str) -> Response:
    objection = _case(request, objection_id)
    found = None if objection is None else evidence_file(request, objection, sha256)
    if objection is None or found is None:
        return not_found(request, session)
    _seen(request, session, [objection], "evidence")
    return found


@router.get("/desk/objections/{objection_id}/letter.{kind}")
def letter(request: Request, session: Desk, objection_id: str, kind: str) -> Response:
    """The letter as it stands (the draft too) as text, or its PDF (typeset off the request)."""
    objection = _case(request, objection_id)
    text = None if objection is None else letter_text(request, objection, draft=True)
    if objection is None or text is None or kind not in ("pdf", "txt"):
        return not_found(request, session)
    _seen(request, session, [objection], "letter")
    if kind == "pdf":
        return letter_pdf.start(request, session, objection, text, _base(objection))
    return letter_txt(objection, text)


@router.get("/desk/objections/{objection_id}/letter/pdf/{job_id}")
def letter_pdf_page(request: Request, session: Desk, objection_id: str, job_id: str) -> Response:
    objection = _case(request, objection_id)
    if objection is None:
        return not_found(request, session)
    return letter_pdf.page(request, session, objection, job_id, _base(objection))


@router.get("/desk/objections/{objection_id}/letter/pdf/{job_id}/file")
def letter_pdf_file(request: Request, session: Desk, objection_id: str, job_id: str) -> Response:
    objection = _case(request, objection_id)
    if objection is None:
        return not_found(request, session)
    return letter_pdf.file(request, session, objection, job_id)


def _base(objection: Objection) -> str:
    return f"/desk/objections/{objection.id}"


@router.post("/desk/objections/{objection_id}/revise", dependencies=[Depends(check_csrf)])
async def revise(request: Request, session: Desk, objection_id: str) -> Response:
    """The desk rewrites its own paragraph of a letter not yet approved: a draft again."""
    objection = _case(request, objection_id)
    if objection is None:
        return not_found(request, session)
    text = str((await request.form()).get("explanation") or "")
    svc = service(request)
    try:
        svc.bureau.objections.revise(
            objection.id, reviewer(session.user), text, svc.clock.today(), svc.clock.now(),
            audit={"desk_user": session.user.user_id}, audit_actor=actor(session.user),
        )  # fmt: skip
    except ProblemsError as refused:
        problems = [f"{p.field}: {p.message}" for p in refused.problems]
        return _detail(request, session, objection, problems=problems, status=400,
                       explanation=text)  # fmt: skip
    return redirect(f"/desk/objections/{objection.id}")


def reviewer(user: PortalUser) -> str:
    """How a letter's review (the case page, the history, `object show`) names the desk user:
    their name as the desk knows it, with the audit's name of the user (`portal:user:N`), in
    at most 64 characters; the audit's name alone when the name would not fit the field's
    rules. The audit trail keeps `portal:user:N` only: the subject reads their file's trail
    (`/me/inquiries`), and a desk user's name is their sign-in identity."""
    tag = actor(user)
    name = " ".join((user.display_name or "").split())[: 64 - len(tag) - 3].strip()
    if not name or why_refused(name, 64) is not None:
        return tag
    return f"{name} ({tag})"


@router.post("/desk/objections/{objection_id}/approve", dependencies=[Depends(check_csrf)])
async def approve(request: Request, session: Desk, objection_id: str) -> Response:
    """The desk approves the drafted letter: it is sent, the borrower reads it."""
    return await _review(request, session, objection_id, approve=True)


@router.post("/desk/objections/{objection_id}/send-back", dependencies=[Depends(check_csrf)])
async def send_back(request: Request, session: Desk, objection_id: str) -> Response:
    """The desk keeps the draft from the borrower, with a note saying why."""
    return await _review(request, session, objection_id, approve=False)


async def _review(request: Request, session: Session, raw: str, *, approve: bool) -> Response:
    objection = _case(request, raw)
    if objection is None:
        return not_found(request, session)
    note = str((await request.form()).get("note") or "")
    svc = service(request)
    by, today, now = reviewer(session.user), svc.clock.today(), svc.clock.now()
    tag = actor(session.user)  # the audit's name: the subject reads the trail
    detail = {"desk_user": session.user.user_id}
    try:
        if approve:
            svc.bureau.objections.approve(objection.id, by, today, now, detail, audit_actor=tag)
        else:
            svc.bureau.objections.send_back(
                objection.id, by, note, today, now, detail, audit_actor=tag
            )
    except ProblemsError as refused:
        problems = [f"{p.field}: {p.message}" for p in refused.problems]
        return _detail(request, session, objection, problems=problems, status=400)
    return redirect(f"/desk/objections/{objection.id}")


@router.get("/desk/invite")
def invite_form(request: Request, session: Desk) -> Response:
    return render(request, "desk_invite.html", {"kinds": KINDS}, session=session)


@router.post("/desk/invite", dependencies=[Depends(check_csrf)])
async def invite(request: Request, session: Desk) -> Response:
    """A one-time enrolment code, shown once (the page is not kept: no-store)."""
    form = await request.form()
    kind, number = str(form.get("kind") or ""), str(form.get("identity") or "")
    svc = service(request)
    context: dict[str, Any] = {"kinds": KINDS, "kind": kind}
    if kind not in BORROWER_KINDS:
        context["problems"] = ["ID_TYPE: unknown"]
        return render(request, "desk_invite.html", context, status=400, session=session)
    try:
        made = svc.portal.invite(
            kind, number, svc.clock.today(), svc.clock.now(), by=actor(session.user)
        )
    except ProblemsError as refused:
        context["problems"] = [f"{p.field}: {p.message}" for p in refused.problems]
        return render(request, "desk_invite.html", context, status=400, session=session)
    context["invitation"] = made
    return render(request, "desk_invite.html", context, session=session)


@router.get("/desk/audit")
def audit_form(request: Request, session: Desk) -> Response:
    return render(request, "desk_audit.html", {"kinds": KINDS}, session=session)


@router.post("/desk/audit", dependencies=[Depends(check_csrf)])
async def audit(request: Request, session: Desk) -> Response:
    """The audit of one person's file, as `creditmend audit` lists it; a POST, so the
    identity number is in no URL (and no access log); the desk's reading is audited."""
    form = await request.form()
    kind, number = str(form.get("kind") or ""), str(form.get("identity") or "")
    svc = service(request)
    context: dict[str, Any] = {"kinds": KINDS, "kind": kind}
    try:
        context["looks"] = svc.bureau.inquire.who_looked(
            kind, number, svc.clock.now(), by=actor(session.user)
        )
    except ProblemsError as refused:
        context["problems"] = [f"{p.field}: {p.message}" for p in refused.problems]
        return render(request, "desk_audit.html", context, status=400, session=session)
    return render(request, "desk_audit.html", context, session=session)
