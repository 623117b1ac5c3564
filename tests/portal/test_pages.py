"""The borrower's pages: their own report and who looked, each view audited as their own look;
the security headers of every page; CSRF; the authorisation of every page for every role."""

from __future__ import annotations

import re

import pytest
from portal_support import OTHER_RIC, RIC, Portal
from sqlalchemy import create_engine, text

from creditmend.interfaces.api.app import create_app
from creditmend.interfaces.portal import (
    auth,
    desk,
    objections,
    pages,
    plan,
    report_pdf,
    score,
)

ANONYMOUS, BORROWER, DESK = "anonymous", "borrower", "desk"
OK, TO_LOGIN, REFUSED = 200, "login", 403
# Every page of the portal (GET) and what each kind of visitor gets: the portal's own
# authorisation matrix (the API's, tests/api/test_authorisation_matrix.py, covers its OpenAPI
# operations; the portal's routes are not in that document).
MATRIX: dict[str, dict[str, object]] = {
    "/me": {ANONYMOUS: TO_LOGIN, BORROWER: OK, DESK: REFUSED},
    "/me/report": {ANONYMOUS: TO_LOGIN, BORROWER: OK, DESK: REFUSED},
    "/me/inquiries": {ANONYMOUS: TO_LOGIN, BORROWER: OK, DESK: REFUSED},
    # The PDF is printed off the request: the borrower is sent to its job's page (303).
    "/me/report.pdf": {ANONYMOUS: TO_LOGIN, BORROWER: 303, DESK: REFUSED},
    "/me/report/pdf/{job_id}": {ANONYMOUS: TO_LOGIN, BORROWER: 404, DESK: REFUSED},
    "/me/report/pdf/{job_id}/file": {ANONYMOUS: TO_LOGIN, BORROWER: 404, DESK: REFUSED},
    "/me/score": {ANONYMOUS: TO_LOGIN, BORROWER: OK, DESK: REFUSED},
    "/me/plan": {ANONYMOUS: TO_LOGIN, BORROWER: OK, DESK: REFUSED},
    # A plan's page and its letters: a job id that is not the borrower's is not found.
    "/me/plan/{job_id}": {ANONYMOUS: TO_LOGIN, BORROWER: 404, DESK: REFUSED},
    "/me/plan/{job_id}/letters/{name}": {ANONYMOUS: TO_LOGIN, BORROWER: 404, DESK: REFUSED},
    "/me/objections": {ANONYMOUS: TO_LOGIN, BORROWER: OK, DESK: REFUSED},
    "/me/objections/new": {ANONYMOUS: TO_LOGIN, BORROWER: OK, DESK: REFUSED},
    "/me/objections/{objection_id}": {ANONYMOUS: TO_LOGIN, BORROWER: OK, DESK: REFUSED},
    "/me/objections/{objection_id}/letter.{kind}": {
        ANONYMOUS: TO_LOGIN,
        BORROWER: OK,
        DESK: REFUSED,
    },
    # A letter's PDF typeset off the request: a job id that is not the user's is not found.
    "/me/objections/{objection_id}/letter/pdf/{job_id}": {
        ANONYMOUS: TO_LOGIN,
        BORROWER: 404,
        DESK: REFUSED,
    },
    "/me/objections/{objection_id}/letter/pdf/{job_id}/file": {
        ANONYMOUS: TO_LOGIN,
        BORROWER: 404,
        DESK: REFUSED,
    },
    "/me/objections/{objection_id}/evidence/{sha256}": {
        ANONYMOUS: TO_LOGIN,
        BORROWER: 404,
        DESK: REFUSED,
    },
    "/desk": {ANONYMOUS: TO_LOGIN, BORROWER: REFUSED, DESK: OK},
    "/desk/objections": {ANONYMOUS: TO_LOGIN, BORROWER: REFUSED, DESK: OK},
    "/desk/objections/{objection_id}": {ANONYMOUS: TO_LOGIN, BORROWER: REFUSED, DESK: OK},
    "/desk/objections/{objection_id}/letter.{kind}": {
        ANONYMOUS: TO_LOGIN,
        BORROWER: REFUSED,
        DESK: OK,
    },
    "/desk/objections/{objection_id}/letter/pdf/{job_id}": {
        ANONYMOUS: TO_LOGIN,
        BORROWER: REFUSED,
        DESK: 404,
    },
    "/desk/objections/{objection_id}/letter/pdf/{job_id}/file": {
        ANONYMOUS: TO_LOGIN,
        BORROWER: REFUSED,
        DESK: 404,
    },
    "/desk/objections/{objection_id}/evidence/{sha256}": {
        ANONYMOUS: TO_LOGIN,
        BORROWER: REFUSED,
        DESK: 404,
    },
    "/desk/invite": {ANONYMOUS: TO_LOGIN, BORROWER: REFUSED, DESK: OK},
    "/desk/audit": {ANONYMOUS: TO_LOGIN, BORROWER: REFUSED, DESK: OK},
    "/login": {ANONYMOUS: OK, BORROWER: OK, DESK: OK},
    "/enrol": {ANONYMOUS: OK, BORROWER: OK, DESK: OK},
    "/enrol/totp": {ANONYMOUS: 400, BORROWER: 400, DESK: 400},
}
PUBLIC_ROUTES = {"/", "/lang/{lang}", "/static/portal.css"}  # no file, no form
# /me/score and /me/plan take POSTs too
POST_ONLY = {"/logout", "/me/objections/{objection_id}/statement",
             "/desk/objections/{objection_id}/answer"}  # fmt: skip
# the desk's review of a drafted reply letter (CSRF, POST only: tests/portal/test_desk_pages.py)
POST_ONLY |= {
    "/desk/objections/{objection_id}/approve",
    "/desk/objections/{objection_id}/send-back",
    "/desk/objections/{objection_id}/revise",  # the desk's paragraph of a letter (same file)
}
# The paths with parameters, as the matrix visits them: the borrower's own objection 3 (of
# the seed, routed to the bureau), answered for its letter, and a digest no objection names
# (404 for its owner too: the files themselves are tested in test_objection_pages.py).
SAMPLE = {"objection_id": "3", "kind": "txt", "sha256": "0" * 64, "job_id": "no-such-job",
          "name": "01-LEND1.pdf"}  # fmt: skip


def _audit_rows(url: str) -> list[tuple[str, str, int | None]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT actor, action, subject_person_id FROM audit_events ORDER BY id")
        ).all()
    engine.dispose()
    return [(row[0], row[1], row[2]) for row in rows]


def test_every_portal_page_is_in_the_matrix_and_out_of_the_openapi_document(
    portal: Portal,
) -> None:
    app = create_app(portal.service)
    portal_paths = {
        str(getattr(route, "path", ""))
        for router in (
            auth.router,
            pages.router,
            score.router,
            plan.router,
            report_pdf.router,
            objections.router,
            desk.router,
        )
        for route in router.routes
    }
    assert portal_paths == set(MATRIX) | PUBLIC_ROUTES | POST_ONLY
    documented = set(app.openapi()["paths"])
    assert not documented & portal_paths


@pytest.mark.parametrize("path", sorted(MATRIX))
def test_each_role_gets_what_the_matrix_says(portal: Portal, path: str) -> None:
    visitors = {ANONYMOUS: portal.new_client(), BORROWER: portal.new_client(),
                DESK: portal.new_client()}  # fmt: skip
    portal.enrol(portal.invite(), client=visitors[BORROWER])
    portal.enrol(portal.desk_code(), identity="ops one", kind="desk", client=visitors[DESK])
    if "{kind}" in path:  # a letter is sent once the bureau answered and the desk approved it
        objections = portal.service.bureau.objections
        objections.answer(3, "bureau", "confirmed", None, portal.clock.today(), portal.clock.now())
        objections.approve(3, "ops", portal.clock.today(), portal.clock.now())
    for who, expected in MATRIX[path].items():
        answer = visitors[who].get(path.format(**SAMPLE), follow_redirects=False)
        if expected == TO_LOGIN:
            assert (answer.status_code, answer.headers.get("location")) == (303, "/login"), who
        else:
            assert answer.status_code == expected, (who, answer.text[:300])


def test_the_report_is_the_borrowers_own_and_audited_as_their_own_look(portal: Portal) -> None:
    portal.enrol(portal.invite())
    before = _audit_rows(portal.url)
    page = portal.client.get("/me/report")
    assert page.status_code == 200
    assert "LEND1" in page.text and "LEND2" in page.text
    assert "B-2" not in page.text  # the other borrower's account
    new = _audit_rows(portal.url)[len(before) :]
    # the subject's own look (a self-inquiry, as `creditmend report` makes), about their person
    assert [(actor, action) for actor, action, person in new if person is not None] == [
        ("subject", "inquiry")
    ]
    # The report's inline style sheet is allowed by its hash, and nothing else inline.
    policy = page.headers["content-security-policy"]
    assert re.search(r"style-src 'self' 'sha256-[A-Za-z0-9+/=]+'", policy)
    assert "script-src 'none'" in policy


def test_who_looked_shows_purpose_and_consent_and_is_audited(portal: Portal) -> None:
    portal.enrol(portal.invite())
    page = portal.client.get("/me/inquiries")
    assert page.status_code == 200
    assert "loan_approval" in page.text and "C-0" in page.text  # the seed's inquiry by LEND2
    assert any(action == "portal_look" and person is not None
               for _, action, person in _audit_rows(portal.url))  # fmt: skip


def test_a_borrower_the_bureau_holds_nothing_on_is_told_so(portal: Portal) -> None:
    portal.enrol(portal.invite("110101200001010010"), identity="110101200001010010")
    page = portal.client.get("/me/report")
    assert page.status_code == 200
    assert "no credit file" in page.text or "还没有您的信用档案" in page.text


def test_two_borrowers_each_see_only_their_own_file(portal: Portal) -> None:
    other = portal.new_client()
    portal.enrol(portal.invite(RIC))
    portal.enrol(portal.invite(OTHER_RIC), identity=OTHER_RIC, client=other)
    mine, theirs = portal.client.get("/me/report").text, other.get("/me/report").text
    assert "A-1" in mine and "A-1" not in theirs
    assert "B-2" in theirs and "B-2" not in mine


@pytest.mark.parametrize(
    "path",
    ["/login", "/enrol", "/me", "/me/report", "/me/inquiries", "/me/objections",
     "/me/objections/new", "/me/objections/1"],
)  # fmt: skip
def test_every_page_carries_the_security_headers(portal: Portal, path: str) -> None:
    portal.enrol(portal.invite())
    answer = portal.client.get(path)
    assert answer.status_code == 200
    headers = answer.headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    assert "<script" not in answer.text


def test_the_session_cookie_is_secure_httponly_samesite_strict(portal: Portal) -> None:
    portal.begin(portal.invite())
    page = portal.client.get("/enrol/totp")
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page.text)
    assert secret
    done = portal.post("/enrol/totp", {"totp": portal.totp(secret.group(1))})
    cookie = next(v for k, v in done.headers.multi_items()
                  if k == "set-cookie" and v.startswith("__Host-cm_session="))  # fmt: skip
    lowered = cookie.lower()
    assert "secure" in lowered and "httponly" in lowered and "samesite=strict" in lowered
    assert "path=/" in lowered and "domain" not in lowered


@pytest.mark.parametrize("path", ["/login", "/enrol", "/enrol/totp", "/logout"])
def test_a_post_without_the_csrf_token_is_refused(portal: Portal, path: str) -> None:
    portal.client.get("/login")  # the browser has its CSRF cookie
    answer = portal.client.post(path, data={"csrf": "forged"}, follow_redirects=False)
    assert answer.status_code == 403
    bare = portal.new_client().post(path, data={}, follow_redirects=False)
    assert bare.status_code == 403


def test_the_language_switch_only_returns_to_our_own_pages(portal: Portal) -> None:
    for target in ("//evil.example/x", "/%09/evil.example", "/%5Cevil.example", "https://x.y/"):
        away = portal.client.get(f"/lang/en?next={target}", follow_redirects=False)
        assert away.headers["location"] == "/", target
    home = portal.client.get("/lang/en?next=/login", follow_redirects=False)
    assert home.headers["location"] == "/login"


def test_pages_work_on_postgresql_under_row_level_security(portal_any: Portal) -> None:
    portal_any.enrol(portal_any.invite())
    assert "LEND1" in portal_any.client.get("/me/report").text
    assert "C-0" in portal_any.client.get("/me/inquiries").text
    portal_any.client.cookies.clear()
    assert portal_any.client.get("/me", follow_redirects=False).status_code == 303
