"""Enrolment, sign-in and sign-out (docs/portal.md).

/enrol: the one-time code, the identity and a new password; then /enrol/totp: the QR code of
the TOTP secret and the first code from the app; then the recovery codes, shown once. /login:
identity, password and a TOTP code (or a recovery code). Every POST carries the CSRF token;
the enrolment and sign-in POSTs are rate-limited per address; refusals are audited by the
service and shown here without telling which part was wrong (except an expired code, which
the person can act on, and a weak password, which is theirs to change).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from creditmend.domain.portal import BORROWER_KINDS, DESK_KIND, MIN_PASSWORD, Role
from creditmend.domain.problems import ProblemsError
from creditmend.interfaces.portal.i18n import N_
from creditmend.interfaces.portal.web import (
    SESSION_COOKIE,
    PortalRefusalError,
    check_csrf,
    current_session,
    home_of,
    rate_limited,
    redirect,
    render,
    service,
    set_cookie,
)
from creditmend.services.portal_users import EXPIRED, SignedIn

router = APIRouter(include_in_schema=False)
KINDS = (*BORROWER_KINDS, DESK_KIND)
KIND_NAMES = {
    "cn_ric": N_("Resident identity card"),
    "passport": N_("Passport"),
    "us_ssn": N_("US social security number"),
    "desk": N_("Bureau desk (your name)"),
}
MESSAGES = {
    "no_match": N_("This code and identity do not go together, or the code was used."),
    "expired": N_("This code has expired: ask the bureau for a new one."),
    "weak": N_("Choose a password of at least %(n)s characters that is not a common one."),
    "mismatch": N_("The two passwords differ."),
    "totp": N_("The code from the authenticator app is not right."),
    "enrol_expired": N_("The enrolment has expired: start again with your code."),
    "sign_in": N_("The identity, password or code is not right."),
    "locked": N_("Too many failed tries: this account waits %(minutes)s more minute(s)."),
}
Text = Annotated[str, Form()]


def _kinds() -> list[tuple[str, str]]:
    return [(kind, KIND_NAMES[kind]) for kind in KINDS]


# ---------------------------------------------------------------- enrolment
@router.get("/enrol")
def enrol_form(request: Request) -> Response:
    return render(request, "enrol.html", {"kinds": _kinds(), "min_password": MIN_PASSWORD})


@router.post("/enrol", dependencies=[Depends(rate_limited), Depends(check_csrf)])
def enrol(
    request: Request,
    code: Text = "",
    kind: Text = "cn_ric",
    identity: Text = "",
    password: Text = "",
    password2: Text = "",
) -> Response:
    svc = service(request)
    error = None
    if password != password2:
        error = "mismatch"
    else:
        try:
            started = svc.portal.begin_enrolment(
                code, kind, identity, password, svc.clock.today(), svc.clock.now()
            )
        except ProblemsError as refused:
            first = refused.problems[0]
            error = {"code": "expired" if first.message == EXPIRED else "no_match"}.get(
                first.field, "weak"
            )
        else:
            response = redirect("/enrol/totp")
            set_cookie(response, SESSION_COOKIE, started.session_token)
            return response
    context = {
        "kinds": _kinds(),
        "min_password": MIN_PASSWORD,
        "error": MESSAGES[error],
        "error_n": MIN_PASSWORD,
        "code": code,
        "kind": kind,
    }
    return render(request, "enrol.html", context, status=400)


@router.get("/enrol/totp")
def totp_form(request: Request) -> Response:
    return _totp_page(request, None)


def _totp_page(request: Request, error: str | None) -> Response:
    svc = service(request)
    token = request.cookies.get(SESSION_COOKIE) or ""
    setup = svc.portal.pending_setup(token, svc.clock.now()) if token else None
    if setup is None:
        context = {"kinds": _kinds(), "min_password": MIN_PASSWORD}
        context["error"] = MESSAGES["enrol_expired"]
        return render(request, "enrol.html", context, status=400)
    qr, secret = setup
    context = {"qr": qr, "secret": secret, "error": None if error is None else MESSAGES[error]}
    return render(request, "totp.html", context, status=200 if error is None else 400)


@router.post("/enrol/totp", dependencies=[Depends(rate_limited), Depends(check_csrf)])
def totp_confirm(request: Request, totp: Text = "") -> Response:
    svc = service(request)
    token = request.cookies.get(SESSION_COOKIE) or ""
    try:
        done = svc.portal.finish_enrolment(token, totp, svc.clock.now())
    except ProblemsError as refused:
        field = refused.problems[0].field
        return _totp_page(request, "totp" if field == "totp" else "enrol_expired")
    response = render(request, "recovery.html", {"codes": done.recovery_codes,
                                                 "next": home_of_user(done)})  # fmt: skip
    set_cookie(response, SESSION_COOKIE, done.session_token)
    return response


def home_of_user(done: SignedIn) -> str:
    return "/me" if done.user.role is Role.BORROWER else "/desk"


# ---------------------------------------------------------------- sign-in and out
@router.get("/login")
def login_form(request: Request) -> Response:
    return render(request, "login.html", {"kinds": _kinds()})


@router.post("/login", dependencies=[Depends(rate_limited), Depends(check_csrf)])
def login(
    request: Request,
    kind: Text = "cn_ric",
    identity: Text = "",
    password: Text = "",
    totp: Text = "",
) -> Response:
    svc = service(request)
    answer = svc.portal.sign_in(kind, identity, password, totp, svc.clock.now())
    if isinstance(answer, SignedIn):
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            svc.portal.sign_out(old, svc.clock.now())
        response = redirect(home_of_user(answer))
        set_cookie(response, SESSION_COOKIE, answer.session_token)
        return response
    locked = answer.reason == "locked"
    context = {
        "kinds": _kinds(),
        "kind": kind,
        "error": MESSAGES["locked" if locked else "sign_in"],
        "minutes": max(1, -(-(answer.retry_after or 0) // 60)),
    }
    response = render(request, "login.html", context, status=429 if locked else 401)
    if locked and answer.retry_after:
        response.headers["Retry-After"] = str(answer.retry_after)
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    svc = service(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        svc.portal.sign_out(token, svc.clock.now())
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    return response


@router.get("/")
def root(request: Request) -> Response:
    return redirect(home_of(current_session(request)))


__all__ = ["PortalRefusalError", "router"]
