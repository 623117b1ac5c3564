"""The signed-in pages: the borrower's (/me, /me/report, /me/inquiries) and the desk's (/desk);
the language switch and the style sheet.

A borrower sees only their own file: the pages take no person from the URL, only from the
session, so there is no other person's id to try. Every page that shows part of the file is
audited as the subject's own look: the report through the self-inquiry `creditmend report`
makes (logged, soft, never counted against them), the list of who looked as a `portal_look`.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from creditmend import bootstrap
from creditmend.domain.portal import Role, Session
from creditmend.domain.problems import ProblemsError
from creditmend.interfaces.portal.i18n import COOKIE, LOCALES, N_
from creditmend.interfaces.portal.web import (
    local_path,
    redirect,
    render,
    secured,
    service,
    signed_in,
    speaker,
)

router = APIRouter(include_in_schema=False)
Borrower = Annotated[Session, Depends(signed_in(Role.BORROWER))]
Desk = Annotated[Session, Depends(signed_in(Role.DESK))]
STYLE = re.compile(r"<style>(.*?)</style>", re.S)
BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
# The report's own <main> becomes a <div> inside the portal's: one main landmark a page (axe-core).
MAIN_TAG = re.compile(r"<(/?)main>")
NO_FILE = N_("The bureau holds no credit file for you yet.")
STYLESHEET = files("creditmend.interfaces.portal").joinpath("static/portal.css").read_bytes()


@router.get("/me")
def me(request: Request, session: Borrower) -> Response:
    return render(request, "me.html", {"today": service(request).clock.today()}, session=session)


@router.get("/me/report")
def my_report(request: Request, session: Borrower) -> Response:
    """The online-loan report as `creditmend report --format html` renders it, inside the
    portal's page: its style sheet allowed by its hash (CSP), its body as rendered (escaped by
    the renderer's own autoescaping)."""
    svc = service(request)
    id_type, id_number = svc.portal.identity(session.user)
    try:
        report = svc.bureau.inquire.self_report(
            id_type, id_number, svc.clock.today(), svc.clock.now()
        )
    except ProblemsError:
        return render(request, "report.html", {"missing": NO_FILE}, session=session)
    html = bootstrap.render_html(report, svc.clock.now(), lang=speaker(request).lang)
    style = STYLE.search(html)
    body = BODY.search(html)
    css = style.group(1) if style else ""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    shown = MAIN_TAG.sub(r"<\1div>", body.group(1) if body else html)
    context = {"css": css, "report": shown, "missing": None}
    return render(request, "report.html", context, session=session, styles=(f"sha256-{digest}",))


@router.get("/me/inquiries")
def my_inquiries(request: Request, session: Borrower) -> Response:
    svc = service(request)
    id_type, id_number = svc.portal.identity(session.user)
    now = svc.clock.now()
    try:
        looks = svc.bureau.inquire.who_looked(id_type, id_number, now)
    except ProblemsError:
        looks = []
    svc.portal.log_look(session.user, "inquiries", now)
    return render(request, "inquiries.html", {"looks": looks}, session=session)


@router.get("/desk")
def desk(request: Request, session: Desk) -> Response:
    return render(request, "desk.html", {"today": service(request).clock.today()}, session=session)


@router.get("/lang/{lang}")
def switch_language(lang: str, next: str | None = None) -> Response:
    """The language switch: kept in a cookie for a year, then back to the page it was on."""
    response = redirect(local_path(next))
    if lang in LOCALES:
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, path="/", secure=True,
                            httponly=True, samesite="lax")  # fmt: skip
    return response


@router.get("/static/portal.css")
def stylesheet() -> Response:
    response = secured(Response(STYLESHEET, media_type="text/css"))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
