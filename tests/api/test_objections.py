"""`/v1/objections` in process, on a seeded SQLite store (objection 1 about LEND1's month,
2 about LEND2's, 3 about an inquiry, routed to the bureau; business date 2026-12-07): each
lender sees and answers only its own, another's answers 404 like a missing one, an answer does
what `creditmend object answer` does, and the desk's side."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from api_support import PROBLEM_KEYS, START, InProcess, register_furnishers
from bureau_seed import (
    DESK_OBJECTION,
    LEND1_OBJECTION,
    LEND1_RECORD,
    LEND2_OBJECTION,
    RIC,
    seed,
)
from typer.testing import CliRunner

from creditmend.domain.clients import RESPOND
from creditmend.interfaces.cli.app import app as cli_app

CORRECTED: list[dict[str, Any]] = [
    {"field": "days_past_due", "value": 0},
    {"field": "past_due_amount", "value": "0.00"},
    {"field": "first_delinquency_on", "value": None},
]


@pytest.fixture
def api(make_api: Callable[..., InProcess], tmp_path: Path) -> InProcess:
    api = make_api()
    seed(api.url, tmp_path)
    clients = api.service.clients
    api.made["lend1"] = clients.add_lender("LEND1", [RESPOND], START)
    api.made["lend2"] = clients.add_lender("LEND2", [RESPOND], START)
    return api


def bearer(api: InProcess, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.token(who)}"}


def cli(url: str, *args: str) -> Any:
    env = {"CREDITMEND_DB": url, "CREDITMEND_KEY": "", "CREDITMEND_NOW": START.isoformat()}
    done = CliRunner().invoke(cli_app, list(args), env=env)
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout)


def test_each_lender_lists_the_open_objections_about_its_own_records(api: InProcess) -> None:
    mine = api.client.get("/v1/objections?status=open", headers=bearer(api, "lend1"))
    assert mine.status_code == 200
    assert mine.headers["cache-control"] == "no-store"
    (one,) = mine.json()["objections"]
    assert (one["id"], one["record"], one["status"]) == (LEND1_OBJECTION, LEND1_RECORD, "open")
    assert (one["filed_on"], one["due_on"], one["overdue"]) == ("2026-12-02", "2026-12-22", False)
    assert one["proposal"] is None
    assert {e["action"] for e in one["events"]} <= {"filed", "marked", "routed"}
    theirs = api.client.get("/v1/objections", headers=bearer(api, "lend2")).json()
    assert [o["id"] for o in theirs["objections"]] == [LEND2_OBJECTION]
    desk = api.client.get("/v1/objections", headers=bearer(api, "desk")).json()
    assert [o["id"] for o in desk["objections"]] == [1, 2, 3]
    (checked,) = [e for e in desk["objections"][2]["events"] if e["action"] == "checked"]
    assert "consent reference 'C-0' is on record" in checked["note"]
    assert RIC not in mine.text + json.dumps(desk)
    # each read is in the subject's audit trail (`creditmend audit`), by who read it
    looks = api.service.bureau.inquire.who_looked("cn_ric", RIC, api.clock.now())
    views = sorted((look.actor, look.purpose) for look in looks if look.action == "objection_view")
    assert views == [
        ("LEND1", "objection 1: paid_on_time"),
        ("LEND2", "objection 2: wrong_amount"),
        ("bureau", "objection 1: paid_on_time"),
        ("bureau", "objection 2: wrong_amount"),
        ("bureau", "objection 3: inquiry_without_consent"),
    ]


def test_another_lenders_objection_answers_as_one_that_does_not_exist(api: InProcess) -> None:
    headers = bearer(api, "lend1")
    for path in ("/v1/objections/{}", "/v1/objections/{}/response"):
        answers = []
        for number in (LEND2_OBJECTION, DESK_OBJECTION, 999):
            if path.endswith("response"):
                body = {"decision": "deleted"}
                answer = api.client.post(path.format(number), json=body, headers=headers)
            else:
                answer = api.client.get(path.format(number), headers=headers)
            assert answer.status_code == 404, answer.text
            problem = answer.json()
            assert set(problem) == PROBLEM_KEYS
            del problem["request_id"]
            problem["detail"] = problem["detail"].replace(str(number), "N")
            answers.append(problem)
        assert answers[0]["type"] == "urn:creditmend:problem:not-found"
        assert answers[0] == answers[1] == answers[2]
    looks = api.service.bureau.inquire.who_looked("cn_ric", RIC, api.clock.now())
    assert "objection_view" not in {look.action for look in looks}  # nothing was shown
    desk = api.client.get("/v1/objections", headers=bearer(api, "desk")).json()["objections"]
    assert [o["status"] for o in desk] == ["open", "open", "open"]  # nothing was answered


def test_a_response_does_what_object_answer_does(api: InProcess, tmp_path: Path) -> None:
    body = {"decision": "modified", "corrections": CORRECTED}
    answer = api.client.post(
        f"/v1/objections/{LEND1_OBJECTION}/response", json=body, headers=bearer(api, "lend1")
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["answered_by"]) == ("corrected", "LEND1")

    twin = tmp_path / "twin"
    twin.mkdir()
    url = f"sqlite:///{twin / 'bureau.db'}"
    register_furnishers(url, "LEND1", "LEND2")
    seed(url, twin)
    fix = twin / "fix.json"
    fix.write_text(json.dumps({c["field"]: c["value"] for c in CORRECTED}), "utf-8")
    cli(url, "object", "answer", str(LEND1_OBJECTION), "--by", "LEND1", "--outcome",
        "corrected", "--corrections", str(fix), "--json")  # fmt: skip
    for args in (
        ("object", "show", str(LEND1_OBJECTION), "--json"),
        ("object", "list", "--json"),
        ("report", "cn_ric", RIC, "--format", "json"),
    ):
        assert cli(api.url, *args) == cli(url, *args), args
    letter = cli(api.url, "object", "show", "1", "--json")["events"][-1]
    assert letter["action"] == "letter" and "days_past_due: 20 -> 0" in letter["note"]


def test_a_note_is_kept_and_the_answer_audited_with_the_client(api: InProcess) -> None:
    body = {"decision": "verified", "note": "paid on 2026-11-30 per our ledger: stands"}
    answer = api.client.post("/v1/objections/1/response", json=body, headers=bearer(api, "lend1"))
    assert answer.status_code == 200, answer.text
    notes = [e for e in answer.json()["events"] if e["action"] == "note"]
    assert [(e["actor"], e["note"]) for e in notes] == [("LEND1", body["note"])]
    assert "letter" not in {e["action"] for e in answer.json()["events"]}
    from sqlalchemy import create_engine, text  # noqa: PLC0415

    engine = create_engine(api.url)
    with engine.connect() as conn:
        rows = conn.execute(text("select actor, detail from audit_events")).all()
    engine.dispose()
    details = [json.loads(detail) for _, detail in rows]
    mine = [d for d in details if d.get("client") == api.made["lend1"].client_id]
    (closing,) = [d for d in mine if "view" not in d]
    assert (closing["scope"], closing["request_id"]) == ("respond", answer.headers["x-request-id"])
    again = api.client.post("/v1/objections/1/response", json=body, headers=bearer(api, "lend1"))
    assert again.status_code == 409
    assert again.json()["type"] == "urn:creditmend:problem:closed"


def test_bad_responses_name_the_field_and_change_nothing(api: InProcess) -> None:
    headers = bearer(api, "lend1")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"decision": "maybe"}, "decision"),
        ({"decision": "modified"}, "objection.corrections"),  # no proposal to take
        ({"decision": "verified", "corrections": CORRECTED}, "objection.corrections"),
        ({"decision": "modified", "corrections": [{"field": "days_past_due", "value": 10**6}]},
         "corrections.days_past_due"),
        ({"decision": "modified",
          "corrections": [{"period": "2026-10", "field": "days_past_due", "value": 0}]},
         "corrections.period"),
        ({"decision": "verified", "note": "line\nbreak"}, "objection.note"),
        ({"decision": "verified", "by": "LEND2"}, "by"),
    ]  # fmt: skip
    for body, field in cases:
        answer = api.client.post("/v1/objections/1/response", json=body, headers=headers)
        assert answer.status_code == 422, (body, answer.text)
        assert field in [e["field"] for e in answer.json()["errors"]], (body, answer.json())
    (one,) = api.client.get("/v1/objections?status=all", headers=headers).json()["objections"]
    assert one["status"] == "open"


def test_scopes(api: InProcess) -> None:
    lender = bearer(api, "lender")  # furnish and inquire, not respond
    assert api.client.get("/v1/objections", headers=lender).status_code == 403
    body = {"decision": "verified"}
    assert (
        api.client.post("/v1/objections/1/response", json=body, headers=lender).status_code == 403
    )
    assert (
        api.client.get("/v1/objections/1/letter", headers=bearer(api, "lend1")).status_code == 403
    )
    assert api.client.get("/v1/objections").status_code == 401


def test_the_desk_answers_the_bureaus_objections_and_reads_the_letters(api: InProcess) -> None:
    desk = bearer(api, "desk")
    seen = api.client.get(f"/v1/objections/{DESK_OBJECTION}", headers=desk).json()
    assert seen["routed_to"] == "bureau"
    assert any(e["action"] == "checked" for e in seen["events"])
    open_letter = api.client.get(f"/v1/objections/{DESK_OBJECTION}/letter", headers=desk)
    assert open_letter.status_code == 409
    # a lender's objection is the lender's to answer, not the desk's
    refused = api.client.post(
        f"/v1/objections/{LEND1_OBJECTION}/response", json={"decision": "deleted"}, headers=desk
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "objection.answered_by"
    answered = api.client.post(
        f"/v1/objections/{DESK_OBJECTION}/response",
        json={"decision": "verified", "note": "consent C-0 on file, signed 2026-11-20"},
        headers=desk,
    )
    assert answered.status_code == 200, answered.text
    assert (answered.json()["answered_by"], answered.json()["status"]) == ("bureau", "confirmed")
    letter = api.client.get(f"/v1/objections/{DESK_OBJECTION}/letter", headers=desk)
    assert letter.status_code == 200
    assert letter.json()["objection_id"] == DESK_OBJECTION
    assert "110105********002X" in letter.json()["letter"] and RIC not in letter.text
    assert (letter.json()["status"], letter.json()["reviewed_by"]) == ("draft", None)
    # The desk reviews the draft: sent back with a note, then approved (then it is sent).
    review = f"/v1/objections/{DESK_OBJECTION}/letter/review"
    empty = api.client.post(review, json={"decision": "send_back"}, headers=desk)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "objection.note"
    back = api.client.post(review, json={"decision": "send_back", "note": "cite C-0"}, headers=desk)
    assert back.status_code == 200, back.text
    assert (back.json()["status"], back.json()["note"]) == ("sent_back", "cite C-0")
    lender = bearer(api, "lend1")
    assert api.client.post(review, json={"decision": "approve"}, headers=lender).status_code == 403
    # The desk revises its own paragraph (the rest stays as drafted): a draft again.
    revision = f"/v1/objections/{DESK_OBJECTION}/letter/revision"
    bad = api.client.post(revision, json={"explanation": "C-0\u202e"}, headers=desk)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "objection.explanation"
    said = {"explanation": "Consent C-0 was logged on 2026-11-20."}
    assert api.client.post(revision, json=said, headers=lender).status_code == 403
    revised = api.client.post(revision, json=said, headers=desk)
    assert revised.status_code == 200, revised.text
    assert (revised.json()["status"], revised.json()["note"]) == ("draft", None)
    assert str(revised.json()["reviewed_by"]).startswith("api:cm_")
    assert revised.json()["letter"] == letter.json()["letter"].replace(
        "依据 / Basis:", "本中心说明 / The bureau's explanation:\n"
        "  Consent C-0 was logged on 2026-11-20.\n\n依据 / Basis:"
    )  # fmt: skip
    approved = api.client.post(review, json={"decision": "approve"}, headers=desk)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert str(approved.json()["reviewed_by"]).startswith("api:cm_")
    assert approved.json()["letter"] == revised.json()["letter"]  # sent as revised
    late = api.client.post(revision, json={"explanation": "more"}, headers=desk)
    assert late.status_code == 409 and "already approved" in late.json()["detail"]
    shown = api.client.get(f"/v1/objections/{DESK_OBJECTION}", headers=desk).json()
    assert shown["letter_status"] == "approved"
    assert {"approved", "sent_back", "revised"} <= {e["action"] for e in shown["events"]}
    again = api.client.post(review, json={"decision": "approve"}, headers=desk)
    assert again.status_code == 409 and "already approved" in again.json()["detail"]
    unknown = api.client.post(review, json={"decision": "maybe"}, headers=desk)
    assert unknown.status_code == 422
    closed = api.client.get("/v1/objections?status=closed", headers=desk).json()["objections"]
    assert [o["id"] for o in closed] == [DESK_OBJECTION]
    still = api.client.get("/v1/objections", headers=desk).json()["objections"]
    assert [o["id"] for o in still] == [LEND1_OBJECTION, LEND2_OBJECTION]
