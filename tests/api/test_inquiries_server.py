"""The inquiry and objection endpoints against `creditmend serve` over HTTP, on SQLite and on
PostgreSQL (one server per database for the module, a small seeded store): a consented
inquiry and its refusal, a lender's own lists, 404 for another lender's objection, a lender's
answer and the desk's, and no identity number in the server's log."""

from __future__ import annotations

import httpx
import jsonschema
import pytest
from api_support import START, Server
from bureau_seed import (
    DESK_OBJECTION,
    LEND1_OBJECTION,
    LEND2_OBJECTION,
    OTHER_RIC,
    RIC,
    keyed,
    seed,
)

from creditmend import bootstrap
from creditmend.domain.clients import RESPOND
from creditmend.interfaces.api.v1.inquiries import report_schema

CONSENT = {"reference": "LOAN-1", "signed_on": "2026-12-01", "expires_on": "2099-12-31"}


@pytest.fixture(scope="module")
def server(api_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Server:
    """The module's server on a seeded store, with respond clients for LEND1 and LEND2."""
    key = api_server.env["CREDITMEND_KEY"]
    seed(api_server.db_url, tmp_path_factory.mktemp("seed"), key)
    with keyed(key):
        clients = bootstrap.build_client_service(api_server.db_url)
        api_server.made["lend1"] = clients.add_lender("LEND1", [RESPOND], START)
        api_server.made["lend2"] = clients.add_lender("LEND2", [RESPOND], START)
    return api_server


def bearer(server: Server, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token(who)}"}


def test_inquiries_over_http(server: Server) -> None:
    url = f"{server.base_url}/v1/inquiries"
    body = {"id_type": "cn_ric", "id_number": RIC, "purpose": "loan_approval", "consent": CONSENT}
    made = httpx.post(url, json=body, headers=bearer(server, "lender"))
    assert made.status_code == 201, made.text
    jsonschema.validate(made.json(), report_schema())
    assert made.json()["header"]["inquirer"] == "LEND1"
    other = {**body, "id_number": OTHER_RIC}
    assert httpx.post(url, json=other, headers=bearer(server, "other")).status_code == 201
    refused = httpx.post(url, json={**body, "consent": None}, headers=bearer(server, "lender"))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    mine = httpx.get(url, headers=bearer(server, "lender")).json()["inquiries"]
    assert [(i["subject"], i["purpose"]) for i in mine] == [("110105********002X", "loan_approval")]
    theirs = httpx.get(url, headers=bearer(server, "other")).json()["inquiries"]
    assert "110101********4573" in [i["subject"] for i in theirs]
    assert "110105********002X" not in [i["subject"] for i in theirs if i["client_id"]]
    log = server.log_with(made.headers["x-request-id"], refused.headers["x-request-id"])
    assert f"{made.headers['x-request-id']} POST /v1/inquiries 201" in log
    assert RIC not in log and OTHER_RIC not in log


def test_objections_over_http(server: Server) -> None:
    base = f"{server.base_url}/v1/objections"
    lend1, desk = bearer(server, "lend1"), bearer(server, "desk")
    listed = httpx.get(f"{base}?status=open", headers=lend1).json()["objections"]
    assert [(o["id"], o["due_on"]) for o in listed] == [(LEND1_OBJECTION, "2026-12-22")]
    assert httpx.get(f"{base}/{LEND2_OBJECTION}", headers=lend1).status_code == 404
    lend2_answer = httpx.post(
        f"{base}/{LEND2_OBJECTION}/response", json={"decision": "deleted"}, headers=lend1
    )
    assert lend2_answer.status_code == 404
    fixed = httpx.post(
        f"{base}/{LEND1_OBJECTION}/response",
        json={"decision": "modified", "corrections": [
            {"field": "days_past_due", "value": 0}, {"field": "past_due_amount", "value": "0.00"},
            {"field": "first_delinquency_on", "value": None}]},
        headers=lend1,
    )  # fmt: skip
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["status"] == "corrected"
    replied = httpx.post(
        f"{base}/{DESK_OBJECTION}/response", json={"decision": "verified"}, headers=desk
    )
    assert replied.status_code == 200, replied.text
    letter = httpx.get(f"{base}/{DESK_OBJECTION}/letter", headers=desk)
    assert letter.status_code == 200 and RIC not in letter.text
    every = httpx.get(f"{base}?status=all", headers=desk).json()["objections"]
    assert [(o["id"], o["status"]) for o in every] == [
        (1, "corrected"),
        (2, "open"),
        (3, "confirmed"),
    ]
    theirs = httpx.get(base, headers=bearer(server, "lend2")).json()["objections"]
    assert [o["id"] for o in theirs] == [LEND2_OBJECTION]
