"""The borrower's recovery plan (`plan --person` in the browser): the form, the plan with its
strategies, month-by-month payments, charts (SVG images, no script), letters to download,
objection candidates, expiry timeline and score path; bad values named by their field and
leaving nothing in the file; each plan the subject's own look."""

from __future__ import annotations

import base64
import html
import re

from portal_support import CSRF, OTHER_RIC, Portal
from sqlalchemy import create_engine, text

from creditmend.interfaces.portal.web import ENVIRONMENTS

CASH = {"monthly_income": "9000", "monthly_expenses": "5000", "cash_on_hand": "2000",
        "good_faith": "on", "keep_buffer": "on"}  # fmt: skip
# Too little to pay every loan as agreed: the plan asks each platform for terms, by letter.
SHORT = {**CASH, "monthly_income": "5200", "monthly_expenses": "4500", "cash_on_hand": "0"}
EN = {"Accept-Language": "en"}


def _looks(url: str) -> list[tuple[str, str]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT actor, action FROM audit_events WHERE subject_person_id IS NOT NULL "
                 "ORDER BY id")
        ).all()  # fmt: skip
    engine.dispose()
    return [(row[0], row[1]) for row in rows]


def _post(portal: Portal, path: str, data: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    token = CSRF.search(portal.client.get("/me/plan", headers=EN).text)
    assert token
    answer = portal.client.post(path, data={"csrf": token.group(1), **data}, headers=EN)
    return answer.status_code, answer.text, dict(answer.headers)


def test_the_form_alone_looks_at_nothing(portal: Portal) -> None:
    portal.enrol(portal.invite())
    before = _looks(portal.url)
    page = portal.client.get("/me/plan", headers=EN)
    assert page.status_code == 200
    assert 'name="monthly_income"' in page.text and 'name="csrf"' in page.text
    assert _looks(portal.url) == before


def test_a_plan_from_the_bureaus_data_shows_every_part(portal: Portal) -> None:
    portal.enrol(portal.invite())
    before = _looks(portal.url)
    status, page, headers = _post(portal, "/me/plan", {**SHORT, "name": "张三"})
    assert status == 200, page[:2000]
    assert _looks(portal.url)[len(before) :] == [("subject", "inquiry")]  # the own look
    assert "The strategies side by side" in page
    for name in ("optimal", "minimum", "avalanche", "snowball"):
        assert f">{name}" in page
    assert "The plan month by month" in page and "When each record stops being shown" in page
    assert "Your score along the plan" in page
    # Charts are SVG drawn on the server, shown as data: images; the page has no script.
    images = re.findall(r'<img class="chart" src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert images
    assert all(base64.b64decode(image).lstrip().startswith(b"<svg") for image in images)
    assert "<script" not in page
    assert "script-src 'none'" in headers["content-security-policy"]


LETTER = re.compile(
    r'<form method="post" action="/me/plan/letter">\s*'
    r'<input type="hidden" name="csrf" value="([^"]+)">\s*'
    r'<input type="hidden" name="file" value="([^"]+)">\s*'
    r'<input type="hidden" name="text" value="([^"]*)">\s*'
    r'<input type="hidden" name="seal" value="([^"]+)">'
)


def test_each_letter_downloads_as_a_pdf_attachment_without_a_new_plan(portal: Portal) -> None:
    portal.enrol(portal.invite())
    status, page, _ = _post(portal, "/me/plan", {**SHORT, "name": "张三"})
    assert status == 200
    letters = LETTER.findall(page)
    assert len(letters) >= 2  # LEND1 and LEND2
    token, name, text_, seal = letters[0]
    body = html.unescape(text_).replace("\n", "\r\n")  # as a browser sends a form's text
    assert "张三" in body
    before = _looks(portal.url)
    sent = {"csrf": token, "file": name, "text": body, "seal": seal}
    answer = portal.client.post("/me/plan/letter", data=sent)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert name.startswith("01-") and answer.content.startswith(b"%PDF-")
    assert _looks(portal.url) == before  # the letter was given with the plan: no new look
    # A letter of one's own text, or another file name, is not typeset.
    for forged in ({"text": body + "I owe nothing."}, {"file": "02-other.pdf"},
                   {"seal": "0" * 64}):  # fmt: skip
        data = {"csrf": token, "file": name, "text": body, "seal": seal, **forged}
        refused = portal.client.post("/me/plan/letter", data=data, headers=EN)
        assert refused.status_code == 422 and "“letter”" in refused.text
    # Another borrower cannot use this one's letter.
    other = portal.new_client()
    portal.enrol(portal.invite(OTHER_RIC), identity=OTHER_RIC, client=other)
    other_token = CSRF.search(other.get("/me/plan").text)
    assert other_token
    data = {"csrf": other_token.group(1), "file": name, "text": body, "seal": seal}
    assert other.post("/me/plan/letter", data=data).status_code == 422


def test_a_plan_without_candidates_says_none_were_found(portal: Portal) -> None:
    portal.enrol(portal.invite())
    status, page, _ = _post(portal, "/me/plan", CASH)
    assert status == 200
    part = page.split("Records worth objecting to")[1].split("<h2>")[0]
    assert "None found." in part and "/me/objections/new" not in part


def test_bad_values_name_their_field_and_store_nothing(portal: Portal) -> None:
    portal.enrol(portal.invite())
    cases = [
        ({**CASH, "monthly_income": "a lot"}, "plan.monthly_income"),
        ({**CASH, "horizon_months": "forever"}, "horizon_months"),
        ({**CASH, "horizon_months": "999"}, "plan.horizon_months"),
        ({**CASH, "priority": "luck"}, "priority"),
        ({**CASH, "new_loan_amount": "5000", "new_loan_rate": "0.2"}, "new_loan_months"),
        ({**CASH, "new_loan_amount": "-5", "new_loan_rate": "0.2", "new_loan_months": "12"},
         "new_loan.amount"),
        ({**CASH, "name": "x" * 200}, "plan.borrower"),
    ]  # fmt: skip
    for data, field in cases:
        before = _looks(portal.url)
        status, page, _ = _post(portal, "/me/plan", data)
        assert status == 422, (field, page[:500])
        assert f"“{field}”" in page, (field, re.findall(r'class="error"[^<]*', page))
        assert page.count('class="error"') == 1
        assert _looks(portal.url) == before, field
    # No cash flow at all: the advisor's own check, before the file is read.
    before = _looks(portal.url)
    status, page, _ = _post(portal, "/me/plan", {})
    assert status == 422 and "“plan.cash_flow”" in page
    assert _looks(portal.url) == before


def test_a_loan_the_bureau_does_not_hold_is_planned_too(portal: Portal) -> None:
    portal.enrol(portal.invite())
    own = {"loan_platform": "Family shop", "loan_principal": "3000", "loan_rate": "0.10",
           "loan_term": "6", "loan_method": "equal_installment",
           "loan_disbursed_on": "2026-11-01"}  # fmt: skip
    status, page, _ = _post(portal, "/me/plan", {**CASH, **own})
    assert status == 200, re.findall(r'class="error"[^<]*', page)
    assert "own-1" in page
    bad = {**own, "loan_principal": "three thousand"}
    status, page, _ = _post(portal, "/me/plan", {**CASH, **bad})
    assert status == 422 and "loans" in page


def test_a_borrower_without_a_file_is_told_so(portal: Portal) -> None:
    portal.enrol(portal.invite("110101200001010010"), identity="110101200001010010")
    status, page, _ = _post(portal, "/me/plan", CASH)
    assert status == 422
    assert 'class="error"' in page


def test_the_plan_forms_need_their_csrf_token(portal: Portal) -> None:
    portal.enrol(portal.invite())
    for path in ("/me/plan", "/me/plan/letter"):
        answer = portal.client.post(path, data={"csrf": "forged", **CASH})
        assert answer.status_code == 403


def test_each_objection_candidate_has_a_button_to_file_it() -> None:
    """The bureau's data alone holds no failed debit, so the seed's plan has no candidate: the
    page's part for them is rendered here from a plan document that has one."""
    candidate = {"loan_id": "LEND1:A-1", "platform": "LEND1", "month": "2026-11",
                 "record": "account:LEND1:A-1:2026-11", "reason": "the debit failed"}  # fmt: skip
    document = {"summary": [], "notes": [], "currency": "CNY", "proposals": [],
                "objection_candidates": [candidate], "expiry_timeline": [],
                "score_forecast": None}  # fmt: skip
    plan = {"d": document, "strategies": [], "charts": {}, "plan_loans": [], "plan_rows": [],
            "letters": []}  # fmt: skip
    page = (
        ENVIRONMENTS["en"]
        .get_template("plan.html")
        .render(form={}, plan=plan, csrf="t", csrf_field="csrf", languages=[], here="/me/plan")
    )
    assert 'href="/me/objections/new?record=account%3ALEND1%3AA-1%3A2026-11"' in page


def test_only_a_signed_in_borrower_may_post_the_plan_forms(portal: Portal) -> None:
    desk = portal.new_client()
    portal.enrol(portal.desk_code(), identity="ops one", kind="desk", client=desk)
    for path in ("/me/plan", "/me/plan/letter", "/me/score"):
        token = CSRF.search(desk.get("/desk").text)
        assert token
        answer = desk.post(path, data={"csrf": token.group(1), **CASH}, follow_redirects=False)
        assert answer.status_code == 403, path
        anonymous = portal.new_client()
        token = CSRF.search(anonymous.get("/login").text)
        assert token
        answer = anonymous.post(path, data={"csrf": token.group(1), **CASH},
                                follow_redirects=False)  # fmt: skip
        assert (answer.status_code, answer.headers.get("location")) == (303, "/login"), path
