"""What the objection pages of both roles share: labels, the objection's files and letter as
downloads (never shown inline; the letter's PDF is typeset off the request, `letter_pdf.py`),
and the not-found page."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from creditmend.domain.creditfile.objection import Objection
from creditmend.domain.portal import Session
from creditmend.domain.problems import ProblemsError
from creditmend.interfaces.portal.i18n import N_
from creditmend.interfaces.portal.web import render, secured, service

NOT_FOUND = N_("There is no such objection.")
REASONS = {
    "not_mine": N_("This is not mine"),
    "paid_on_time": N_("I paid on time"),
    "deduction_failed_not_my_fault": N_("The automatic debit failed, not by my fault"),
    "wrong_amount": N_("The amount is wrong"),
    "already_settled": N_("It is already settled"),
    "inquiry_without_consent": N_("Looked at without my consent"),
    "other": N_("Another reason"),
}
STATUSES = {
    "open": N_("open"),
    "lapsed": N_("past the legal deadline, unanswered"),
    "confirmed": N_("confirmed: the record stays"),
    "corrected": N_("corrected"),
    "deleted": N_("deleted"),
    "repeated": N_("repeated: answered as an earlier objection"),
}
OUTCOMES = (
    ("confirmed", N_("Confirmed: the record is right")),
    ("corrected", N_("Corrected: the record had wrong values")),
    ("deleted", N_("Deleted: the record goes")),
)


def not_found(request: Request, session: Session) -> Response:
    return render(request, "refused.html", {"message": NOT_FOUND}, status=404, session=session)


def object_id(raw: str) -> int | None:
    """The objection's number from the path: a digit string of a size the store holds."""
    if not raw.isdigit() or len(raw) > 10 or not 1 <= int(raw) < 2**31:
        return None
    return int(raw)


def download(content: bytes, media_type: str, filename: str) -> Response:
    """A file to save, never to show: attachment, its checked type, a sandboxing CSP (the
    request middleware adds `X-Content-Type-Options: nosniff` to every answer)."""
    response = secured(Response(content, media_type=media_type))
    ascii_name = "".join(
        c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in filename
    )
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def evidence_file(request: Request, objection: Objection, sha256: str) -> Response | None:
    found = service(request).evidence.attachment(objection, sha256)
    if found is None:
        return None
    return download(found.content, found.media_type, found.name)


def letter_text(request: Request, objection: Objection, *, draft: bool = False) -> str | None:
    """The reply letter: the approved one only, unless the desk asks for the draft."""
    svc = service(request)
    try:
        return svc.bureau.objections.letter(
            objection.id, svc.clock.today(), svc.clock.now(), draft=draft
        )
    except ProblemsError:
        return None


def letter_txt(objection: Objection, text: str) -> Response:
    """The letter as a text file (its PDF is typeset off the request: `letter_pdf.py`)."""
    name = f"objection-{objection.id}-reply.txt"
    return download(text.encode("utf-8"), "text/plain; charset=utf-8", name)
