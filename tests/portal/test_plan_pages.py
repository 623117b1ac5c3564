"""The borrower's recovery plan (`plan --person` in the browser): the form, the plan made off
the request path (its page refreshing itself until it is ready, the same form on the same file
never made twice, another borrower's plan not found), with its strategies, month-by-month
payments, charts (SVG images, no script), letters to download, objection candidates, expiry
timeline and score path; bad values named by their field and leaving nothing in the file; each
plan the subject's own look."""

from __future__ import annotations

import base64
import re
import threading
import time

from fastapi.testclient import TestClient
from portal_support import CSRF, OTHER_RIC, Portal
from sqlalchemy import create_engine, text

from creditmend.domain.problems import Problem, ProblemsError
from creditmend.interfaces.portal.plan import PLAN

CASH = {"monthly_income": "9000", "monthly_expenses": "5000", "cash_on_hand": "2000",
        "good_faith": "on", "keep_buffer": "on"}  # fmt: skip
# Too little to pay every loan as agreed: the plan asks each platform for terms, by letter.
SHORT = {**CASH, "monthly_income": "5200", "monthly_expenses": "4500", "cash_on_hand": "0"}
EN = {"Accept-Language": "en"}
LETTER = re.compile(r'href="(/me/plan/[A-Za-z0-9_-]+/letters/[0-9]{2}-[A-Za-z0-9_.-]+\.pdf)"')
JOB_PAGE = re.compile(r"/me/plan/[A-Za-z0-9_-]+")
REFRESH = '<meta http-equiv="refresh" content="2">'


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
    answer = portal.client.post(path, data={"csrf": token.group(1), **data}, headers=EN,
                                follow_redirects=False)  # fmt: skip
    return answer.status_code, answer.text, dict(answer.headers)


def made(portal: Portal, location: str, client: TestClient | None = None) -> str:
    """The plan's page once the workers have made it (the page refreshes itself until then:
    asked again here as the browser would, without counting on any particular time)."""
    browser = client or portal.client
    for _ in range(2400):  # at most ten minutes on a busy machine
        page = browser.get(location, headers=EN)
        assert page.status_code == 200, page.text[:500]
        if REFRESH not in page.text:
            return page.text
        time.sleep(0.25)
    raise AssertionError(f"{location} never finished")


def plan(portal: Portal, data: dict[str, str]) -> tuple[str, str]:
    """Send the form; its answer is a redirect to the plan's own page: that page, made."""
    status, page, headers = _post(portal, "/me/plan", data)
    assert status == 303, page[:2000]
    location = headers["location"]
    assert JOB_PAGE.fullmatch(location), location
    return location, made(portal, location)


def user_id(portal: Portal) -> int:
    """The newest portal user's id (the one just enrolled)."""
    engine = create_engine(portal.url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT max(id) FROM portal_users")).scalar_one()
    engine.dispose()
    return int(found)


def test_the_form_alone_looks_at_nothing(portal: Portal) -> None:
    portal.enrol(portal.invite())
    before = _looks(portal.url)
    page = portal.client.get("/me/plan", headers=EN)
    assert page.status_code == 200
    assert 'name="monthly_income"' in page.text and 'name="csrf"' in page.text
    assert _looks(portal.url) == before


def test_a_plan_is_made_off_the_request_and_shows_every_part(portal: Portal) -> None:
    portal.enrol(portal.invite())
    jobs = portal.jobs
    before, started = _looks(portal.url), jobs.started
    location, page = plan(portal, {**SHORT, "name": "张三"})
    assert _looks(portal.url)[len(before) :] == [("subject", "inquiry")]  # the own look
    assert jobs.started == started + 1
    assert "The strategies side by side" in page
    for name in ("optimal", "minimum", "avalanche", "snowball"):
        assert f">{name}" in page
    assert "The plan month by month" in page and "When each record stops being shown" in page
    assert "Your score along the plan" in page
    assert 'value="5200"' in page  # the form it was made from, to change and send again
    # Charts are SVG drawn on the server, shown as data: images; the page has no script.
    images = re.findall(r'<img class="chart" src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert images
    assert all(base64.b64decode(image).lstrip().startswith(b"<svg") for image in images)
    assert "<script" not in page
    # The same form on the same file: the plan already made, not a second one.
    status, _, headers = _post(portal, "/me/plan", {**SHORT, "name": "张三"})
    assert (status, headers["location"]) == (303, location)
    assert jobs.started == started + 1
    # Each letter downloads from the plan made: a PDF attachment, no new look at the file.
    letters = LETTER.findall(page)
    assert len(letters) >= 2  # LEND1 and LEND2
    looks = _looks(portal.url)
    answer = portal.client.get(letters[0])
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"] == "application/pdf"
    name = letters[0].rsplit("/", 1)[1]
    assert name.startswith("01-")
    assert answer.headers["content-disposition"].startswith(f'attachment; filename="{name}"')
    assert answer.content.startswith(b"%PDF-")
    assert _looks(portal.url) == looks
    assert portal.client.get(f"{location}/letters/99-none.pdf").status_code == 404
    # Another borrower is told neither the plan nor its letters exist.
    other = portal.new_client()
    portal.enrol(portal.invite(OTHER_RIC), identity=OTHER_RIC, client=other)
    assert other.get(location).status_code == 404
    assert other.get(letters[0]).status_code == 404


def test_a_changed_form_is_another_plan(portal: Portal) -> None:
    """Another signature is another plan (its letters are signed with it): held here, so no
    plan is made, only asked."""
    portal.enrol(portal.invite())
    release = threading.Event()
    portal.jobs.submit(user_id(portal), PLAN, "hold the queue", lambda: release.wait(60))
    try:
        status, _, first = _post(portal, "/me/plan", {**SHORT, "name": "张三"})
        status_again, _, again = _post(portal, "/me/plan", {**SHORT, "name": "张三"})
        assert status == status_again == 303 and first["location"] == again["location"]
        status, page, other = _post(portal, "/me/plan", {**SHORT, "name": "李四"})
        # a third job of one borrower at once is refused as busy (two at most)
        assert status == 503 and other["retry-after"] == "60", page[:300]
    finally:
        release.set()


def test_a_plan_being_made_says_so_and_refreshes_itself(portal: Portal) -> None:
    """A job that waits (held here by the test) shows its state and a refresh, no script."""
    portal.enrol(portal.invite())
    release = threading.Event()
    job = portal.jobs.submit(user_id(portal), PLAN, "held", lambda: release.wait(60) and None,
                             inputs={"monthly_income": "7000"})  # fmt: skip
    try:
        page = portal.client.get(f"/me/plan/{job.id}", headers=EN)
        assert page.status_code == 200
        assert REFRESH in page.text and "Your plan is being prepared" in page.text
        assert 'value="7000"' in page.text and "<script" not in page.text
    finally:
        release.set()
    assert "Your plan is being prepared" not in made(portal, f"/me/plan/{job.id}")
    assert portal.client.get("/me/plan/not-a-job").status_code == 404


def test_a_failed_plan_says_why_in_one_line(portal: Portal) -> None:
    portal.enrol(portal.invite())

    def fails() -> None:
        raise ProblemsError((Problem("plan.cash_flow", "not enough to plan with"),))

    job = portal.jobs.submit(user_id(portal), PLAN, "fails", fails)
    page = made(portal, f"/me/plan/{job.id}")
    assert page.count('class="error"') == 1 and "“plan.cash_flow”" in page


def test_a_plan_without_candidates_says_none_were_found(portal: Portal) -> None:
    """The seed's two overdue months are under open objections: nothing to file again."""
    portal.enrol(portal.invite())
    _, page = plan(portal, CASH)
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
    _, page = plan(portal, {**CASH, **own})
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
    answer = portal.client.post("/me/plan", data={"csrf": "forged", **CASH})
    assert answer.status_code == 403


def test_only_a_signed_in_borrower_may_post_the_plan_forms(portal: Portal) -> None:
    desk = portal.new_client()
    portal.enrol(portal.desk_code(), identity="ops one", kind="desk", client=desk)
    for path in ("/me/plan", "/me/score"):
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


def test_the_plans_words_follow_the_pages_language(portal: Portal) -> None:
    """The counsellor's summary and what the plan assumed: the same plan's page in Chinese
    says them in Chinese, in English as the JSON has them."""
    portal.enrol(portal.invite())
    location, english = plan(portal, SHORT)
    chinese = portal.client.get(location, headers={"Accept-Language": "zh-CN"}).text
    assert "The plan costs" in english and "本方案需支付利息、罚息和费用共" not in english
    assert "The bureau holds no contracts" in english  # a note
    assert "本方案需支付利息、罚息和费用共" in chinese and "为什么按这个顺序" in chinese
    assert "征信机构不保存借款合同" in chinese
    assert "The plan costs" not in chinese and "The bureau holds no contracts" not in chinese
