"""The desk's pages: the queue by legal due date with the overdue marked, one case (evidence
check, the lender's answer, the letter; the bureau's own answer for what was routed to it),
invitations shown once, and the audit of a person's file (the desk's own look audited)."""

from __future__ import annotations

import re
from datetime import timedelta

from bureau_seed import DESK_OBJECTION, LEND1_OBJECTION, LEND1_RECORD, RIC
from fastapi.testclient import TestClient
from portal_support import Portal, typeset
from sqlalchemy import create_engine, text

ENGLISH = {"Accept-Language": "en"}


def _desk(portal: Portal) -> TestClient:
    desk = portal.new_client()
    portal.enrol(portal.desk_code(), identity="ops one", kind="desk", client=desk)
    desk.headers.update(ENGLISH)
    return desk


def _audit(url: str) -> list[tuple[str, str, int | None]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT actor, action, subject_person_id FROM audit_events ORDER BY id")
        ).all()
    engine.dispose()
    return [(r[0], r[1], r[2]) for r in rows]


def test_the_queue_is_by_legal_due_date_with_the_overdue_marked(portal: Portal) -> None:
    desk = _desk(portal)
    page = desk.get("/desk/objections")
    assert page.status_code == 200
    ids = [int(n) for n in re.findall(r'href="/desk/objections/(\d+)"', page.text)]
    assert sorted(ids) == [1, 2, 3]
    assert 'class="overdue"' not in page.text  # nothing is late yet
    before = len(_audit(portal.url))
    portal.clock.advance(timedelta(days=40))  # past every legal due date
    desk2 = _desk(portal)
    late = desk2.get("/desk/objections")
    assert late.text.count('class="overdue"') == 3 and "overdue" in late.text
    viewed = [row for row in _audit(portal.url)[before:] if row[1] == "objection_view"]
    assert len(viewed) == 3 and all(row[0].startswith("portal:user:") for row in viewed)


def test_a_case_shows_the_record_the_check_and_the_lenders_side(portal: Portal) -> None:
    desk = _desk(portal)
    page = desk.get(f"/desk/objections/{LEND1_OBJECTION}")
    assert page.status_code == 200
    assert LEND1_RECORD in page.text and "The automatic evidence check" in page.text
    assert "Waiting for LEND1" in page.text  # a lender answers its own through the API
    assert 'action="/desk/objections/1/answer"' not in page.text
    refused = portal.post(f"/desk/objections/{LEND1_OBJECTION}/answer", {"outcome": "confirmed"},
                          desk, form_page=f"/desk/objections/{LEND1_OBJECTION}")  # fmt: skip
    assert refused.status_code == 400 and "routed to LEND1" in refused.text
    assert desk.get("/desk/objections/999").status_code == 404


def test_the_desk_answers_what_was_routed_to_the_bureau_and_the_letter_follows(
    portal: Portal,
) -> None:
    desk = _desk(portal)
    case = f"/desk/objections/{DESK_OBJECTION}"
    page = desk.get(case)
    assert f'action="{case}/answer"' in page.text
    assert "The check proposes nothing" in page.text and "C-0" in page.text  # consent on record
    bad = portal.post(f"{case}/answer", {"outcome": "corrected", "corrections": "[1"}, desk,
                      form_page=case)  # fmt: skip
    assert bad.status_code == 400 and "not a JSON object" in bad.text
    done = portal.post(f"{case}/answer", {"outcome": "deleted", "note": "no consent logged"},
                       desk, form_page=case)  # fmt: skip
    assert done.status_code == 303
    closed = desk.get(case)
    assert '<pre class="letter">' in closed.text and f'action="{case}/answer"' not in closed.text
    assert "no consent logged" in closed.text  # the answer's note, in the history
    assert "Draft: the borrower sees this letter only once the desk approves it." in closed.text
    assert f'action="{case}/approve"' in closed.text and f'action="{case}/send-back"' in closed.text
    pdf, job = typeset(desk, f"{case}/letter.pdf")  # the draft it is about to approve
    assert job is not None  # typeset off the request, by the portal's workers
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"].startswith("attachment;")


def test_an_invitation_is_shown_once_and_audited_as_the_desk_users(portal: Portal) -> None:
    desk = _desk(portal)
    made = portal.post("/desk/invite", {"kind": "cn_ric", "identity": "110101200001010010"}, desk)
    assert made.status_code == 200
    code = re.search(r'<code class="enrolment">([0-9A-Z-]+)</code>', made.text)
    assert code and made.headers["cache-control"] == "no-store"
    assert code.group(1) not in desk.get("/desk/invite").text
    assert any(a == "portal_invited" and actor.startswith("portal:user:")
               for actor, a, _ in _audit(portal.url))  # fmt: skip
    # the code enrols that person
    borrower = portal.new_client()
    portal.enrol(code.group(1), identity="110101200001010010", client=borrower)
    bad = portal.post("/desk/invite", {"kind": "cn_ric", "identity": "123"}, desk)
    assert bad.status_code == 400 and "ID_NUMBER" in bad.text


def test_the_audit_of_a_file_is_shown_and_the_desks_look_recorded(portal: Portal) -> None:
    desk = _desk(portal)
    shown = portal.post("/desk/audit", {"kind": "cn_ric", "identity": RIC}, desk)
    assert shown.status_code == 200
    assert "loan_approval" in shown.text and "C-0" in shown.text
    rows = _audit(portal.url)
    assert rows[-1][1] == "audit_view" and rows[-1][0].startswith("portal:user:")
    assert rows[-1][2] is not None  # about the person
    assert RIC not in desk.get("/desk/audit").text  # the number is in no URL and not kept
    bad = portal.post("/desk/audit", {"kind": "cn_ric", "identity": "nonsense"}, desk)
    assert bad.status_code == 400


def test_the_desk_forms_need_the_csrf_token(portal: Portal) -> None:
    desk = _desk(portal)
    desk.get("/desk")
    case = f"/desk/objections/{DESK_OBJECTION}"
    for path in ("/desk/invite", "/desk/audit", f"{case}/answer", f"{case}/approve",
                 f"{case}/send-back", f"{case}/revise"):  # fmt: skip
        assert desk.post(path, data={"csrf": "forged"}).status_code == 403, path
    for path in (f"{case}/approve", f"{case}/send-back", f"{case}/revise"):  # a form's target
        assert desk.get(path).status_code == 405, path


def test_the_desk_sends_back_then_approves_the_letter_and_the_queue_marks_it(
    portal: Portal,
) -> None:
    """A drafted letter waits in the queue (marked near its legal due date); sent back with a
    note it stays unsent; approved, the borrower reads it. Each review is the desk user's,
    audited."""
    desk = _desk(portal)
    case = f"/desk/objections/{DESK_OBJECTION}"
    early = portal.post(f"{case}/approve", {}, desk, form_page=case)
    assert early.status_code == 400 and "there is no reply letter to review" in early.text
    portal.post(f"{case}/answer", {"outcome": "confirmed"}, desk, form_page=case)
    queue = desk.get("/desk/objections").text
    assert "reply awaits approval" in queue and 'class="pressing"' not in queue
    found = portal.service.bureau.objections.show(
        DESK_OBJECTION, portal.clock.today(), portal.clock.now()
    )
    portal.clock.advance(timedelta(days=(found.due_on - portal.clock.today()).days - 2))
    desk = _desk(portal)  # the session would have expired over the days
    queue = desk.get("/desk/objections").text
    assert queue.count('class="pressing"') == 1 and "<strong>reply awaits approval" in queue
    empty = portal.post(f"{case}/send-back", {"note": " "}, desk, form_page=case)
    assert empty.status_code == 400 and "a letter sent back says why" in empty.text
    back = portal.post(f"{case}/send-back", {"note": "name the consent"}, desk, form_page=case)
    assert back.status_code == 303
    page = desk.get(case).text
    # the desk user's name as the desk knows it, with the audit's name of the user
    assert "Sent back by ops one (portal:user:" in page and "name the consent" in page
    assert f'action="{case}/approve"' in page  # still to approve
    done = portal.post(f"{case}/approve", {}, desk, form_page=case)
    assert done.status_code == 303
    page = desk.get(case).text
    assert "Approved by ops one (portal:user:" in page and f'action="{case}/approve"' not in page
    queue = desk.get("/desk/objections").text
    assert "reply awaits approval" not in queue
    ids = [int(n) for n in re.findall(r'href="/desk/objections/(\d+)"', queue)]
    assert ids[-1] == DESK_OBJECTION  # replied: after what the desk still owes
    again = portal.post(f"{case}/approve", {}, desk, form_page=case)
    assert again.status_code == 400 and "already approved" in again.text
    reviews = [(actor, action) for actor, action, _ in _audit(portal.url) if "letter_" in action]
    assert [action for _, action in reviews] == [
        "objection_letter_sent_back",
        "objection_letter_approved",
    ]
    # the audit names the user only (the subject reads the trail: the name signs the user in)
    assert all(re.fullmatch(r"portal:user:\d+", actor) for actor, _ in reviews)


def test_the_desk_revises_a_sent_back_letter_then_approves_it_and_it_is_fixed(
    portal: Portal,
) -> None:
    """The desk's own paragraph is revised through the case page's form (the law's parts stay
    as written); each revision is an event and an audit entry keeping the earlier text; the
    borrower reads the approved letter with it; an approved letter is not revised again."""
    desk = _desk(portal)
    borrower = portal.new_client()
    portal.enrol(portal.invite(), client=borrower)
    case = f"/desk/objections/{DESK_OBJECTION}"
    portal.post(f"{case}/answer", {"outcome": "confirmed"}, desk, form_page=case)
    drafted = portal.service.bureau.objections.letter(
        DESK_OBJECTION, portal.clock.today(), portal.clock.now(), draft=True
    )
    portal.post(f"{case}/send-back", {"note": "explain the consent"}, desk, form_page=case)
    page = desk.get(case).text
    assert f'action="{case}/revise"' in page and '<textarea id="explanation"' in page
    bad = portal.post(f"{case}/revise", {"explanation": "a\x1b[2Jb"}, desk, form_page=case)
    assert bad.status_code == 400 and "objection.explanation" in bad.text
    first = portal.post(f"{case}/revise", {"explanation": "The consent C-0 was logged."}, desk,
                        form_page=case)  # fmt: skip
    assert first.status_code == 303
    second = portal.post(f"{case}/revise",
                         {"explanation": "The lender logged consent C-0\r\nbefore the look."},
                         desk, form_page=case)  # fmt: skip
    assert second.status_code == 303
    page = desk.get(case).text
    assert "Revised by ops one (portal:user:" in page and "Sent back by" not in page
    assert "The lender logged consent C-0\nbefore the look.</textarea>" in page  # the form
    assert "The consent C-0 was logged." in page  # the earlier paragraph, in the history
    letter = portal.service.bureau.objections.letter(
        DESK_OBJECTION, portal.clock.today(), portal.clock.now(), draft=True
    )
    # the generated letter word for word around the paragraph, set before its legal basis
    assert letter.replace(
        "本中心说明 / The bureau's explanation:\n  The lender logged consent C-0\n"
        "  before the look.\n\n", ""
    ) == drafted  # fmt: skip
    assert letter.index("explanation:") < letter.index("依据 / Basis:")
    assert borrower.get(f"/me/objections/{DESK_OBJECTION}/letter.txt").status_code == 404
    assert portal.post(f"{case}/approve", {}, desk, form_page=case).status_code == 303
    sent = borrower.get(f"/me/objections/{DESK_OBJECTION}/letter.txt")
    assert sent.status_code == 200 and sent.text == letter
    late = portal.post(f"{case}/revise", {"explanation": "too late"}, desk, form_page=case)
    assert late.status_code == 400 and "already approved" in late.text
    assert f'action="{case}/revise"' not in desk.get(case).text
    revisions = [row for row in _audit(portal.url) if row[1] == "objection_letter_revised"]
    assert len(revisions) == 2 and all(re.fullmatch(r"portal:user:\d+", r[0]) for r in revisions)
    trail = borrower.get("/me/inquiries").text  # the borrower's own file's audit
    assert "objection_letter_revised" in trail and "ops one" not in trail
    engine = create_engine(portal.url)
    with engine.connect() as conn:
        details = conn.execute(
            text("SELECT detail FROM audit_events WHERE action = 'objection_letter_revised' "
                 "ORDER BY id")
        ).scalars().all()  # fmt: skip
        events = (
            conn.execute(
                text("SELECT note FROM objection_events WHERE action = 'revised' ORDER BY id")
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert "The consent C-0 was logged." in str(details[1])  # the previous text, kept
    assert events == ["The consent C-0 was logged.",
                      "The lender logged consent C-0\nbefore the look."]  # fmt: skip
