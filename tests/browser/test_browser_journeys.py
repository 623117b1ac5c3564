"""The portal in a real browser (issue 18 item 7): Debian's Chromium, driven by Playwright, walks
a borrower's journey in Chinese and in English and a desk user's journey, on `creditmend serve`
over a small seeded store. Every page visited is scanned by axe-core (no serious or critical
violation) and kept as a screenshot at phone (390x844) and desktop (1280x800) widths.

The users are made as the desk makes them, with `creditmend user invite` and `user add-desk`;
the TOTP secret is read off the enrolment page as the text a person would type into an app.

Rate budget: the POSTs of /enrol, /enrol/totp and /login share a bucket of 10 per client address
(then 10 a minute); each journey spends 3 and the module 9, so no test waits on it.

Extending: a page added to the portal joins a journey by a `Visit` in `BORROWER_PAGES` or
`DESK_PAGES` (its path, the msgid of its <h1>, texts the seeded store must put on it); a step
that fills a form (filing an objection, making a plan) is a function taking the `Visitor` and
the language, appended to `BORROWER_STEPS` or `DESK_STEPS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from browser_support import (
    DESK_NAME,
    OTHER_RIC,
    PASSWORD,
    PHONE,
    RIC,
    WIDTHS,
    Served,
    Visitor,
    text_of,
    totp,
)
from playwright.sync_api import Browser, Page, expect

from creditmend.interfaces.portal.i18n import NAMES

pytestmark = pytest.mark.slow  # a server and a browser: about a minute (make test runs it)

BROWSER_LOCALES = {"zh_CN": "zh-CN", "en": "en-US"}
OTHER_LANGUAGE = {"zh_CN": "en", "en": "zh_CN"}


@dataclass(frozen=True)
class Visit:
    """A page a signed-in user reads: `heading` is its <h1>'s msgid (None where the page's
    heading is not the portal's, as the report's renderer writes its own); `shows` are texts
    the seeded store puts on it."""

    path: str
    heading: str | None
    shows: tuple[str, ...] = ()


# The borrower's pages, in the order a borrower reads them. /me/objections, /me/plan and
# /me/score join here as they are built (or as steps below where they take a form).
BORROWER_PAGES = [
    Visit("/me/report", None, ("LEND2", "B-")),  # both borrowers have an account at LEND2
    Visit("/me/inquiries", "Who looked at your file", ("subject",)),  # the report's own look
]
# The desk's pages: /desk/objections joins here.
DESK_PAGES: list[Visit] = []

Step = Callable[[Visitor, str], None]
BORROWER_STEPS: list[Step] = []
DESK_STEPS: list[Step] = []


def visit_all(visitor: Visitor, lang: str, pages: list[Visit]) -> None:
    for visit in pages:
        visitor.go(visit.path)
        if visit.heading is not None:
            assert visitor.heading() == text_of(lang, visit.heading)
        body = visitor.page.locator("main").first.inner_text()
        for text in visit.shows:
            assert text in body, (visit.path, text)
        visitor.record(visit.path.strip("/").replace("/", "-"))


def press(page: Page, lang: str, message: str) -> None:
    """Click the button or link a person would, found by its visible text in `lang`."""
    page.get_by_role("button", name=text_of(lang, message), exact=True).click()


def enrol(visitor: Visitor, lang: str, code: str, kind: str, identity: str) -> str:
    """Enrol through the three pages; the TOTP secret the person typed into their app."""
    page = visitor.page
    visitor.go("/enrol")
    assert visitor.heading() == text_of(lang, "Enrol")
    visitor.record("enrol")
    page.fill("#code", code.lower())  # typed in any case
    page.select_option("#kind", kind)
    page.fill("#identity", identity)
    page.fill("#password", PASSWORD)
    page.fill("#password2", PASSWORD)
    press(page, lang, "Continue")
    page.wait_for_url("**/enrol/totp")
    assert visitor.heading() == text_of(lang, "Set up your authenticator app")
    assert page.locator("figure.qr svg").count() == 1
    secret = page.locator("code.secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    visitor.record("totp")
    page.fill("#totp", totp(secret))
    press(page, lang, "Finish enrolment")
    expect(page.locator("h1")).to_have_text(text_of(lang, "You are enrolled"))
    codes = page.locator(".codes code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10, codes
    visitor.record("recovery-codes")
    page.get_by_role("link", name=text_of(lang, "Continue"), exact=True).click()
    return secret


def sign_out_and_in(visitor: Visitor, lang: str, kind: str, identity: str, secret: str) -> None:
    page = visitor.page
    press(page, lang, "Sign out")
    page.wait_for_url("**/login")
    assert visitor.heading() == text_of(lang, "Sign in")
    visitor.record("login")
    page.select_option("#kind", kind)
    page.fill("#identity", identity)
    page.fill("#password", PASSWORD)
    page.fill("#totp", totp(secret, ahead=1))
    press(page, lang, "Sign in")


@pytest.mark.parametrize(("lang", "identity"), [("zh_CN", RIC), ("en", OTHER_RIC)])
def test_a_borrower_enrols_signs_in_and_reads_their_file(
    browser: Browser, served: Served, lang: str, identity: str
) -> None:
    """Each language its own borrower (both hold accounts in the seeded store), the browser
    asking for that language (Accept-Language) and switching to the other at the end."""
    code = served.invite(identity)
    context = browser.new_context(locale=BROWSER_LOCALES[lang], viewport=PHONE)
    try:
        page = context.new_page()
        visitor = Visitor(page, served.base_url, f"borrower-{lang}", WIDTHS)
        secret = enrol(visitor, lang, code, "cn_ric", identity)
        page.wait_for_url("**/me")
        assert visitor.heading() == text_of(lang, "Your credit file")
        assert page.locator("html").get_attribute("lang") == lang.replace("_", "-")
        visitor.record("me")
        visit_all(visitor, lang, BORROWER_PAGES)
        for step in BORROWER_STEPS:
            step(visitor, lang)

        sign_out_and_in(visitor, lang, "cn_ric", identity, secret)
        page.wait_for_url("**/me")
        assert visitor.heading() == text_of(lang, "Your credit file")
        for link in ("/me/report", "/me/inquiries"):
            assert page.locator(f'main a[href="{link}"]').count() == 1, link
        page.locator('main a[href="/me/report"]').click()
        page.wait_for_url("**/me/report")
        assert "LEND2" in page.locator("main").first.inner_text()

        other = OTHER_LANGUAGE[lang]
        page.get_by_role("navigation").get_by_role("link", name=NAMES[other]).click()
        page.wait_for_url("**/me/report")
        assert page.locator("html").get_attribute("lang") == other.replace("_", "-")
        visitor.go("/me")
        assert visitor.heading() == text_of(other, "Your credit file")
        visitor.record("me-switched")
        assert visitor.seen[0] == "/enrol"
    finally:
        context.close()


def test_a_desk_user_enrols_and_lands_on_the_desk(browser: Browser, served: Served) -> None:
    """Enrolled in English, signed out, switched to Chinese on the sign-in page, signed in."""
    code = served.add_desk(DESK_NAME)
    context = browser.new_context(locale="en-US", viewport=PHONE)
    try:
        page = context.new_page()
        visitor = Visitor(page, served.base_url, "desk", WIDTHS)
        secret = enrol(visitor, "en", code, "desk", DESK_NAME)
        page.wait_for_url("**/desk")
        assert visitor.heading() == text_of("en", "The bureau's desk")
        visitor.record("desk")
        visit_all(visitor, "en", DESK_PAGES)
        for step in DESK_STEPS:
            step(visitor, "en")

        press(page, "en", "Sign out")
        page.wait_for_url("**/login")
        page.get_by_role("navigation").get_by_role("link", name=NAMES["zh_CN"]).click()
        page.wait_for_url("**/login")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert visitor.heading() == text_of("zh_CN", "Sign in")
        visitor.record("login-zh")
        page.select_option("#kind", "desk")
        page.fill("#identity", DESK_NAME)
        page.fill("#password", PASSWORD)
        page.fill("#totp", totp(secret, ahead=1))
        press(page, "zh_CN", "Sign in")
        page.wait_for_url("**/desk")
        assert visitor.heading() == text_of("zh_CN", "The bureau's desk")
        assert DESK_NAME in page.locator("main").first.inner_text()
        visitor.record("desk-zh")
        visit_all(visitor, "zh_CN", DESK_PAGES)
    finally:
        context.close()
