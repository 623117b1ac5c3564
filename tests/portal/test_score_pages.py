"""The borrower's score page (score, band, reasons, the what-if) and the report's PDF: each
view the subject's own look as the command line makes it; a bad what-if named by its field,
shown with the form, and leaving nothing in the file."""

from __future__ import annotations

import re
import time

from portal_support import CSRF, OTHER_RIC, Portal
from sqlalchemy import create_engine, text


def _looks(url: str) -> list[tuple[str, str]]:
    """The audit rows about a person (actor, action), oldest first."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT actor, action FROM audit_events WHERE subject_person_id IS NOT NULL "
                 "ORDER BY id")
        ).all()  # fmt: skip
    engine.dispose()
    return [(row[0], row[1]) for row in rows]


def test_the_report_pdf_is_printed_off_the_request_then_downloaded(portal: Portal) -> None:
    """The link reads the report (the subject's own look) and sends the browser to the PDF's
    page, which refreshes itself until it offers the file; asked again on the same file, the
    PDF already printed downloads at once, and no one else may have it."""
    portal.enrol(portal.invite())
    before, started = _looks(portal.url), portal.jobs.started
    asked = portal.client.get("/me/report.pdf", follow_redirects=False)
    assert asked.status_code == 303
    location = asked.headers["location"]
    assert re.fullmatch(r"/me/report/pdf/[A-Za-z0-9_-]+", location)
    assert _looks(portal.url)[len(before) :] == [("subject", "inquiry")]
    for _ in range(2400):  # as the browser would, every so often, without counting on a time
        page = portal.client.get(location, headers={"Accept-Language": "en"})
        assert page.status_code == 200 and "<script" not in page.text
        if '<meta http-equiv="refresh"' not in page.text:
            break
        assert "being printed" in page.text or "waiting for its turn" in page.text
        time.sleep(0.25)
    assert f'href="{location}/file"' in page.text
    answer = portal.client.get(f"{location}/file")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment;") and ".pdf" in disposition
    assert answer.content.startswith(b"%PDF-")
    assert answer.headers["x-content-type-options"] == "nosniff"
    # Again: the report is read (a look) and found unchanged, so the PDF printed comes at once.
    again = portal.client.get("/me/report.pdf", follow_redirects=False)
    assert again.status_code == 200 and again.content == answer.content
    assert portal.jobs.started == started + 1
    other = portal.new_client()
    portal.enrol(portal.invite(OTHER_RIC), identity=OTHER_RIC, client=other)
    assert other.get(location).status_code == 404
    assert other.get(f"{location}/file").status_code == 404


def test_the_report_page_links_the_pdf_and_shows_each_records_expiry(portal: Portal) -> None:
    portal.enrol(portal.invite())
    page = portal.client.get("/me/report", headers={"Accept-Language": "en"}).text
    assert 'href="/me/report.pdf"' in page
    # The renderer's expiry timeline: the November overdue months, each with its last day.
    assert 'id="expiry-section"' in page
    assert "account:LEND1:A-1:2026-11" in page or "LEND1" in page.split('id="expiry-section"')[1]


def test_a_borrower_without_a_file_gets_no_pdf(portal: Portal) -> None:
    portal.enrol(portal.invite("110101200001010010"), identity="110101200001010010")
    assert portal.client.get("/me/report.pdf").status_code == 404


def test_the_score_page_shows_score_band_and_reasons_as_an_own_look(portal: Portal) -> None:
    portal.enrol(portal.invite())
    before = _looks(portal.url)
    page = portal.client.get("/me/score", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Score" in page.text and "Band" in page.text
    assert 'value="LEND1:A-1"' in page.text  # an account to pay off, picked on the page
    assert "<script" not in page.text
    assert _looks(portal.url)[len(before) :] == [("subject", "inquiry")]


def _what_if(portal: Portal, data: dict[str, str]) -> tuple[int, str]:
    page = portal.client.get("/me/score", headers={"Accept-Language": "en"})
    token = CSRF.search(page.text)
    assert token
    answer = portal.client.post(
        "/me/score",
        data={"csrf": token.group(1), "known": "LEND1:A-1", **data},
        headers={"Accept-Language": "en"},
    )
    return answer.status_code, answer.text


def test_what_if_paying_off_an_account_shows_before_and_after(portal: Portal) -> None:
    portal.enrol(portal.invite())
    status, page = _what_if(portal, {"change": "pay_off", "account": "LEND1:A-1"})
    assert status == 200, page[:500]
    assert "Now" in page and "After the change" in page
    status, page = _what_if(portal, {"change": "months_on_time", "months": "12"})
    assert status == 200 and "After the change" in page
    status, page = _what_if(portal, {"change": "new_loan", "amount": "5000", "term": "12"})
    assert status == 200 and "After the change" in page
    status, page = _what_if(portal, {"change": "inquiries", "count": "3",
                                     "inquiry_kind": "bank"})  # fmt: skip
    assert status == 200 and "After the change" in page


def test_what_if_audits_each_question_as_the_subjects_own_look(portal: Portal) -> None:
    portal.enrol(portal.invite())
    portal.client.get("/me/score")
    before = _looks(portal.url)
    token = CSRF.search(portal.client.get("/me/plan").text)  # a page that looks at nothing
    assert token
    form = {"csrf": token.group(1), "change": "months_on_time", "months": "3"}
    answer = portal.client.post("/me/score", data=form)
    assert answer.status_code == 200
    assert _looks(portal.url)[len(before) :] == [("subject", "inquiry")]


def test_a_bad_what_if_names_the_field_and_stores_nothing(portal: Portal) -> None:
    portal.enrol(portal.invite())
    cases = [
        ({"change": "new_loan", "amount": "lots", "term": "12"}, "amount"),
        ({"change": "new_loan", "amount": "5000", "term": "0"}, "term"),
        ({"change": "months_on_time", "months": "9999"}, "months"),
        ({"change": "inquiries", "count": "2", "inquiry_kind": "pawnshop"}, "inquiry_kind"),
        ({"change": "fly"}, "change"),
        ({"change": "pay_off", "account": ""}, "what_if.pay_off"),
    ]
    for data, field in cases:
        page = portal.client.get("/me/score")
        token = CSRF.search(page.text)
        assert token
        before = _looks(portal.url)
        answer = portal.client.post("/me/score", data={"csrf": token.group(1), **data},
                                    headers={"Accept-Language": "en"})  # fmt: skip
        assert answer.status_code == 422, (data, answer.text[:300])
        assert f"“{field}”" in answer.text, (field, answer.text[:2000])
        assert answer.text.count('class="error"') == 1
        assert _looks(portal.url) == before, data


def test_the_what_if_form_needs_its_csrf_token(portal: Portal) -> None:
    portal.enrol(portal.invite())
    answer = portal.client.post("/me/score", data={"csrf": "forged", "change": "pay_off"})
    assert answer.status_code == 403


def test_the_score_page_is_in_chinese_too(portal: Portal) -> None:
    portal.enrol(portal.invite())
    page = portal.client.get("/me/score", headers={"Accept-Language": "zh-CN"}).text
    assert "您的信用分" in page


def test_the_what_ifs_reasons_are_in_the_pages_language(portal: Portal) -> None:
    """The reasons after a what-if are the scorecard's Chinese words on a Chinese page (they
    were its English), and the same English words on an English one."""
    portal.enrol(portal.invite())
    said = {}
    for lang in ("en", "zh-CN"):
        page = portal.client.get("/me/score", headers={"Accept-Language": lang})
        token = CSRF.search(page.text)
        assert token
        answer = portal.client.post(
            "/me/score",
            data={"csrf": token.group(1), "known": "LEND1:A-1", "change": "months_on_time",
                  "months": "12"},
            headers={"Accept-Language": lang},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text[:500]
        items = re.search(r"<ol>(.*?)</ol>", answer.text, re.S)
        assert items, answer.text[:500]
        said[lang] = re.findall(r"<li>(.*?)</li>", items.group(1))
    assert said["en"] and len(said["en"]) == len(said["zh-CN"])
    assert all(re.search(r"[a-z]{4}", text) for text in said["en"])
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in said["zh-CN"])
