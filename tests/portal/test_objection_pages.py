"""The borrower's objection pages: the list, filing against a record of their own report with
uploaded evidence (type from the content, size and count limits), the detail and its files
and letter as downloads, 404 for another person's objection, and the audit of each look."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from bureau_seed import DESK_OBJECTION, LEND1_OBJECTION, LEND1_RECORD
from portal_support import CSRF, OTHER_RIC, Portal, _portal_on, typeset
from sqlalchemy import create_engine, text

from creditmend import bootstrap
from creditmend.adapters.evidence_files import EVIDENCE_ENV
from creditmend.domain.creditfile.uploads import MAX_FILE_BYTES

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HTML = b"<html><script>alert(1)</script></html>"
ACCOUNT = "account:LEND1:A-1"


def _evidence(portal: Portal) -> Path:
    """Where the SQLite store beside it keeps uploads (adapters/evidence_files.py)."""
    return Path(portal.url.removeprefix("sqlite:///")).with_suffix(".evidence")


def _audit(url: str) -> list[tuple[str, str, int | None, str | None]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT actor, action, subject_person_id, detail FROM audit_events ORDER BY id")
        ).all()
    engine.dispose()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def _file(
    portal: Portal,
    record: str,
    files: list[tuple[str, bytes, str]],
    reason: str = "not_mine",
) -> httpx.Response:
    page = portal.client.get("/me/objections/new")
    token = CSRF.search(page.text)
    assert token, page.text[:300]
    return portal.client.post(
        "/me/objections/new",
        data={"csrf": token.group(1), "record": record, "reason": reason},
        files=[("evidence", f) for f in files],
        follow_redirects=False,
    )


def test_the_list_shows_status_and_legal_due_date_and_is_audited(portal: Portal) -> None:
    portal.enrol(portal.invite())
    before = len(_audit(portal.url))
    page = portal.client.get("/me/objections", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert LEND1_RECORD in page.text and "Legal due date" in page.text
    assert f'href="/me/objections/{LEND1_OBJECTION}"' in page.text
    new = _audit(portal.url)[before:]
    assert any(a == "portal_look" and p is not None and "objections" in (d or "")
               for _, a, p, d in new)  # fmt: skip


def test_the_form_lists_the_reports_records_and_takes_one_from_the_link(portal: Portal) -> None:
    portal.enrol(portal.invite())
    before = len(_audit(portal.url))
    page = portal.client.get(f"/me/objections/new?record={LEND1_RECORD}")
    assert page.status_code == 200
    # the records shown come from the report: the subject's own look, a self-inquiry
    looks = [(actor, action) for actor, action, person, _ in _audit(portal.url)[before:]
             if person is not None]  # fmt: skip
    assert looks == [("subject", "inquiry")]
    assert f'value="{ACCOUNT}"' in page.text
    assert f'value="{LEND1_RECORD}" checked' in page.text  # the overdue month, chosen
    assert "B-2" not in page.text  # the other borrower's account
    assert 'enctype="multipart/form-data"' in page.text and "<script" not in page.text
    stranger = portal.client.get("/me/objections/new?record=account:LEND2:B-2")
    assert " checked" not in stranger.text


def test_filing_with_a_pdf_keeps_it_outside_and_serves_it_only_as_an_attachment(
    portal: Portal,
) -> None:
    portal.enrol(portal.invite())
    answer = _file(portal, ACCOUNT, [("statement.pdf", PDF, "application/pdf"),
                                     ("photo.png", PNG, "image/png")])  # fmt: skip
    assert answer.status_code == 303, answer.text[:500]
    location = answer.headers["location"]
    assert re.fullmatch(r"/me/objections/\d+", location)
    page = portal.client.get(location, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and ACCOUNT in page.text
    links = re.findall(r'href="(/me/objections/\d+/evidence/[0-9a-f]{64})"', page.text)
    assert len(links) == 2
    got = portal.client.get(links[0])
    assert got.status_code == 200
    assert got.content in (PDF, PNG)
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["content-type"] in ("application/pdf", "image/png")
    assert got.headers["x-content-type-options"] == "nosniff"
    kept = list(_evidence(portal).rglob("*"))
    assert any(p.is_file() and p.read_bytes() == PDF for p in kept)
    # the desk sees the same files
    desk = portal.new_client()
    portal.enrol(portal.desk_code(), identity="ops one", kind="desk", client=desk)
    number = location.rsplit("/", 1)[1]
    assert desk.get(links[0].replace("/me/", "/desk/")).content == got.content
    assert "statement.pdf" in desk.get(f"/desk/objections/{number}").text


def test_uploads_are_refused_by_content_size_and_count(portal: Portal) -> None:
    portal.enrol(portal.invite())
    english = {"Accept-Language": "en"}
    portal.client.headers.update(english)
    disguised = _file(portal, ACCOUNT, [("evidence.pdf", HTML, "application/pdf")])
    assert disguised.status_code == 400
    assert "is not a PDF, PNG or JPEG" in disguised.text
    big = _file(portal, ACCOUNT, [("big.pdf", PDF + b"0" * MAX_FILE_BYTES, "application/pdf")])
    assert big.status_code == 400 and "larger than 3 MB" in big.text
    many = _file(portal, ACCOUNT, [(f"f{i}.png", PNG + bytes([i]), "image/png")
                                   for i in range(6)])  # fmt: skip
    assert many.status_code == 400 and "At most 5 files" in many.text
    # nothing was filed and nothing kept
    listing = portal.client.get("/me/objections").text
    assert ACCOUNT + "<" not in listing.replace("</code>", "<")
    folder = _evidence(portal)
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_a_record_not_in_the_file_is_refused_and_keeps_nothing(portal: Portal) -> None:
    portal.enrol(portal.invite())
    refused = _file(portal, "account:LEND2:B-2", [("a.pdf", PDF, "application/pdf")])
    assert refused.status_code == 400
    assert "objection.record" in refused.text
    folder = _evidence(portal)  # the file kept for it is gone with the refusal
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_another_persons_objection_answers_404_like_a_missing_one(portal: Portal) -> None:
    other = portal.new_client()
    portal.enrol(portal.invite(OTHER_RIC), identity=OTHER_RIC, client=other)
    for path in (
        f"/me/objections/{LEND1_OBJECTION}",
        "/me/objections/999",
        f"/me/objections/{LEND1_OBJECTION}/letter.txt",
        "/me/objections/x1",
    ):
        assert other.get(path).status_code == 404, path  # fmt: skip
    assert LEND1_RECORD not in other.get("/me/objections").text
    token = CSRF.search(other.get("/me/objections").text)
    assert token
    statement = other.post(f"/me/objections/{LEND1_OBJECTION}/statement",
                           data={"csrf": token.group(1), "statement": "x"})  # fmt: skip
    assert statement.status_code == 404


def test_the_reply_letter_is_read_and_downloaded_and_a_statement_added(portal: Portal) -> None:
    desk = portal.new_client()
    portal.enrol(portal.desk_code(), identity="ops one", kind="desk", client=desk)
    portal.enrol(portal.invite())
    answered = portal.post(f"/desk/objections/{DESK_OBJECTION}/answer",
                           {"outcome": "confirmed", "note": "consent on file"}, desk,
                           form_page=f"/desk/objections/{DESK_OBJECTION}")  # fmt: skip
    assert answered.status_code == 303, answered.text[:500]
    # Drafted, not approved: the borrower is told it is coming, and cannot fetch it.
    waiting = portal.client.get(f"/me/objections/{DESK_OBJECTION}")
    assert '<pre class="letter">' not in waiting.text
    assert f"/me/objections/{DESK_OBJECTION}/letter.pdf" not in waiting.text
    assert portal.client.get(f"/me/objections/{DESK_OBJECTION}/letter.txt").status_code == 404
    approved = portal.post(f"/desk/objections/{DESK_OBJECTION}/approve", {}, desk,
                           form_page=f"/desk/objections/{DESK_OBJECTION}")  # fmt: skip
    assert approved.status_code == 303, approved.text[:500]
    page = portal.client.get(f"/me/objections/{DESK_OBJECTION}")
    assert '<pre class="letter">' in page.text
    text_file = portal.client.get(f"/me/objections/{DESK_OBJECTION}/letter.txt")
    assert text_file.status_code == 200
    assert text_file.headers["content-disposition"].startswith("attachment;")
    # The PDF is typeset off the request (the portal's workers), once: asked again, it comes
    # at once; the job is the borrower's own (another's asking is not found).
    started = portal.jobs.started
    pdf, job = typeset(portal.client, f"/me/objections/{DESK_OBJECTION}/letter.pdf")
    assert job is not None and pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"].startswith("attachment;")
    again, no_job = typeset(portal.client, f"/me/objections/{DESK_OBJECTION}/letter.pdf")
    assert no_job is None and again.content == pdf.content
    assert portal.jobs.started == started + 1
    other = portal.new_client()
    portal.enrol(portal.invite(OTHER_RIC), identity=OTHER_RIC, client=other)
    assert other.get(job).status_code == 404 and other.get(f"{job}/file").status_code == 404
    assert desk.get(job.replace("/me/", "/desk/")).status_code == 404  # not the desk's job
    mine_too = job.replace(f"/{DESK_OBJECTION}/", f"/{LEND1_OBJECTION}/")  # another letter's
    assert portal.client.get(f"{mine_too}/file").status_code == 404
    added = portal.post(f"/me/objections/{DESK_OBJECTION}/statement",
                        {"statement": "I never agreed to this look."},
                        form_page=f"/me/objections/{DESK_OBJECTION}")  # fmt: skip
    assert added.status_code == 303, added.text[:500]
    assert "I never agreed to this look." in portal.client.get(
        f"/me/objections/{DESK_OBJECTION}").text  # fmt: skip
    refused = portal.post(f"/me/objections/{LEND1_OBJECTION}/statement", {"statement": "x"},
                          form_page=f"/me/objections/{LEND1_OBJECTION}")  # fmt: skip
    assert refused.status_code == 400  # still open: a statement follows a confirmed outcome


def test_the_objection_forms_need_the_csrf_token(portal: Portal) -> None:
    portal.enrol(portal.invite())
    for path in ("/me/objections/new", f"/me/objections/{LEND1_OBJECTION}/statement"):
        answer = portal.client.post(path, data={"csrf": "forged", "record": ACCOUNT},
                                    follow_redirects=False)  # fmt: skip
        assert answer.status_code == 403, path


@pytest.fixture
def portal_pg(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Portal]:
    """`portal_any` with the uploads in the test's folder (a server store has no folder of
    its own: the default would be the user's data directory)."""
    monkeypatch.setenv("CREDITMEND_KEY", bootstrap.new_key())
    monkeypatch.setenv(EVIDENCE_ENV, str(tmp_path / "evidence"))
    yield from _portal_on(db_url, tmp_path)


def test_filing_and_the_desk_work_on_postgresql_under_row_level_security(
    portal_pg: Portal,
) -> None:
    portal_pg.enrol(portal_pg.invite())
    answer = _file(portal_pg, ACCOUNT, [("statement.pdf", PDF, "application/pdf")])
    assert answer.status_code == 303, answer.text[:500]
    page = portal_pg.client.get(answer.headers["location"])
    link = re.search(r'href="(/me/objections/\d+/evidence/[0-9a-f]{64})"', page.text)
    assert link and portal_pg.client.get(link.group(1)).content == PDF
    desk = portal_pg.new_client()
    portal_pg.enrol(portal_pg.desk_code(), identity="ops one", kind="desk", client=desk)
    assert ACCOUNT in desk.get("/desk/objections").text
    # The desk answers, revises its paragraph and approves the letter under the same policy.
    case = f"/desk/objections/{DESK_OBJECTION}"
    for path, form in (
        ("answer", {"outcome": "confirmed"}),
        ("revise", {"explanation": "Consent C-0 was logged."}),
        ("approve", {}),
    ):
        done = portal_pg.post(f"{case}/{path}", form, desk, form_page=case)
        assert done.status_code == 303, (path, done.text[:500])
    sent = portal_pg.client.get(f"/me/objections/{DESK_OBJECTION}/letter.txt")
    assert sent.status_code == 200 and "Consent C-0 was logged." in sent.text
