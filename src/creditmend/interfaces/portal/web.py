"""What every portal page shares: rendering in the request's language, the security headers, the
cookies (session, CSRF, language), the signed-in user and the refusals.

Security (docs/portal.md):
- Session: a 256-bit token in `__Host-cm_session` (Secure, HttpOnly, SameSite=Strict, Path=/,
  no Domain: the `__Host-` prefix makes browsers refuse it otherwise), checked against the
  server-side session on each request, which ends after `IDLE_TIMEOUT` unused.
- CSRF: a random token in `__Host-cm_csrf` that every form repeats in a hidden field
  (double submit; the `__Host-` prefix stops a sibling subdomain from planting the cookie), on
  top of SameSite=Strict. A POST without the pair is refused with 403 before anything else.
- Headers: a Content-Security-Policy without inline scripts (`script-src 'none'`: no page needs
  one), `frame-ancestors 'none'` (and X-Frame-Options), `Referrer-Policy: no-referrer`,
  `Cache-Control: no-store` (every portal page is personal or carries a token);
  `X-Content-Type-Options: nosniff` is the request middleware's, on every answer.
"""

from __future__ import annotations

import hmac
import math
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from creditmend import bootstrap
from creditmend.domain.i18n import told
from creditmend.domain.portal import Role, Session, Stage
from creditmend.interfaces.api.limits import RateSettings, TokenBuckets
from creditmend.interfaces.portal.i18n import COOKIE, LOCALES, NAMES, Speaker, choose, translations

SESSION_COOKIE = "__Host-cm_session"
CSRF_COOKIE = "__Host-cm_csrf"
CSRF_FIELD = "csrf"
CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'{styles}; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# Sign-in and enrolment: per address, 10 at once, then one every 6 s (10 a minute).
SIGN_IN_RATE = RateSettings(per_second=10 / 60, burst=10)


def _environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("creditmend.interfaces.portal", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    # The domain's sentences (a plan's summary and notes) in the page's language.
    env.filters["told"] = lambda text: told(text, translations(lang).gettext, lang)
    return env


ENVIRONMENTS = {lang: _environment(lang) for lang in LOCALES}


class PortalRefusalError(Exception):
    """A refusal the portal answers with a page (or, for the anonymous, the sign-in form)."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


def service(request: Request) -> bootstrap.Service:
    found: bootstrap.Service = request.app.state.service
    return found


def speaker(request: Request) -> Speaker:
    lang = choose(request.cookies.get(COOKIE), request.headers.get("accept-language"))
    return Speaker(lang, bootstrap.rules().time_zone.value)


def csrf_token(request: Request) -> str:
    """This browser's CSRF token (made now if it has none; `render` sets the cookie)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return str(token)


async def check_csrf(request: Request) -> None:
    """A dependency of every POST: the form's token must be the cookie's."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    cookie = request.cookies.get(CSRF_COOKIE)
    if not isinstance(sent, str) or not cookie or not hmac.compare_digest(sent, cookie):
        raise PortalRefusalError(403, "csrf")


def rate_limited(request: Request) -> None:
    """A dependency of the sign-in and enrolment forms' POSTs: per client address."""
    buckets: TokenBuckets = request.app.state.portal_rate_limits
    wait = buckets.take(request.client.host if request.client else "unknown")
    if wait > 0:
        seconds = max(1, math.ceil(wait)) if math.isfinite(wait) else 3600
        raise PortalRefusalError(429, "rate", retry_after=seconds)


def current_session(request: Request) -> Session | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    svc = service(request)
    return svc.portal.session(token, svc.clock.now())


def signed_in(role: Role) -> Any:
    """A dependency: the signed-in user of `role`; the anonymous are sent to /login (303), a
    user of the other role is refused (403)."""

    def check(request: Request) -> Session:
        found = current_session(request)
        if found is None or found.stage is not Stage.SIGNED_IN:
            raise PortalRefusalError(401, "sign-in")
        if found.user.role is not role:
            raise PortalRefusalError(403, "role")
        return found

    return check


def secured(response: Response, extra_styles: tuple[str, ...] = ()) -> Response:
    styles = "".join(f" '{source}'" for source in extra_styles)
    response.headers["Content-Security-Policy"] = CSP.format(styles=styles)
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    return response


def set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", secure=True, httponly=True, samesite="strict"
    )


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    styles: tuple[str, ...] = (),
    session: Session | None = None,
) -> Response:
    talk = speaker(request)
    page = ENVIRONMENTS[talk.lang].get_template(template)
    token = csrf_token(request)
    body = page.render(
        {
            "lang": talk.lang,
            "html_lang": talk.lang.replace("_", "-"),
            "languages": [(code, NAMES[code]) for code in LOCALES],
            "here": request.url.path,
            "csrf": token,
            "csrf_field": CSRF_FIELD,
            "session": session,
            "fmt": talk,
            **(context or {}),
        }
    )
    response = HTMLResponse(body, status_code=status)
    if getattr(request.state, "new_csrf", None):
        set_cookie(response, CSRF_COOKIE, token)
    return secured(response, styles)


def redirect(location: str) -> Response:
    return secured(RedirectResponse(location, status_code=303))


def local_path(target: str | None, default: str = "/") -> str:
    """`target` if it is a path of this site (no scheme, no host, not `//`), else `default`:
    the language switch returns only to our own pages (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    # Browsers drop tabs and newlines from URLs ("/\t/evil" is "//evil") and read "\\" as "/".
    if parts.scheme or parts.netloc or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    return target


def home_of(found: Session | None) -> str:
    if found is None or found.stage is not Stage.SIGNED_IN:
        return "/login"
    return "/me" if found.user.role is Role.BORROWER else "/desk"


def new_buckets(now: Callable[[], float] = time.monotonic) -> TokenBuckets:
    """The sign-in and enrolment buckets; `now` is the monotonic clock but in tests, which stop
    it so that a slow machine refills no token mid-test."""
    return TokenBuckets(SIGN_IN_RATE, now=now)
