"""`POST /v1/inquiries` and `GET /v1/inquiries` in process, on a seeded SQLite store with the
test's clock (business date 2026-12-07 in Beijing): consent, the report's form against
`creditmend inquire --json`'s, the look as the subject and the audit see it, the lender's own
list, the daily quota."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from api_support import PROBLEM_KEYS, START, ZONE, InProcess, register_furnishers
from bureau_seed import OTHER_RIC, RIC, seed
from typer.testing import CliRunner

from creditmend.interfaces.api.settings import ApiSettings
from creditmend.interfaces.api.v1.inquiries import report_schema
from creditmend.interfaces.cli.app import app as cli_app

TODAY = date(2026, 12, 7)
CONSENT = {"reference": "LOAN-7781", "signed_on": "2026-12-01", "expires_on": "2027-01-31"}


def ask(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id_type": "cn_ric",
        "id_number": RIC,
        "purpose": "loan_approval",
        "consent": CONSENT,
    }
    return {**body, **changes}


def bearer(api: InProcess, who: str = "lender") -> dict[str, str]:
    return {"Authorization": f"Bearer {api.token(who)}"}


@pytest.fixture
def seeded(make_api: Callable[..., InProcess], tmp_path: Path) -> Callable[..., InProcess]:
    def make(settings: ApiSettings | None = None) -> InProcess:
        api = make_api(settings)
        seed(api.url, tmp_path)
        return api

    return make


@pytest.fixture
def api(seeded: Callable[..., InProcess]) -> InProcess:
    return seeded()


def test_a_consented_inquiry_is_the_report_inquire_json_prints(
    api: InProcess, tmp_path: Path
) -> None:
    answer = api.client.post("/v1/inquiries", json=ask(as_of="2026-12-05"), headers=bearer(api))
    assert answer.status_code == 201, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"
    report = answer.json()
    jsonschema.validate(report, report_schema())
    assert report["header"]["as_of"] == "2026-12-05"
    assert report["header"]["inquirer"] == "LEND1"
    assert RIC not in answer.text

    # The same look by the command line, on a store made the same way: the same document.
    twin = tmp_path / "twin"
    twin.mkdir()
    url = f"sqlite:///{twin / 'bureau.db'}"
    register_furnishers(url, "LEND1", "LEND2")
    seed(url, twin)
    env = {"CREDITMEND_DB": url, "CREDITMEND_KEY": "", "CREDITMEND_NOW": START.isoformat()}
    done = CliRunner().invoke(
        cli_app,
        ["inquire", "cn_ric", RIC, "--purpose", "loan_approval", "--by", "LEND1",
         "--consent", "LOAN-7781", "--as-of", "2026-12-05", "--json"],
        env=env,
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert report == json.loads(done.stdout)


def test_the_look_is_logged_for_the_subject_and_in_the_audit(api: InProcess) -> None:
    answer = api.client.post("/v1/inquiries", json=ask(), headers=bearer(api))
    assert answer.status_code == 201, answer.text
    report_id = answer.json()["header"]["report_id"]
    assert answer.json()["header"]["as_of"] == TODAY.isoformat()  # the business date
    inquire = api.service.bureau.inquire
    own = inquire.self_report("cn_ric", RIC, TODAY, api.clock.now())
    seen = [(i.furnisher_id, i.purpose) for i in own.inquiries]
    assert ("LEND1", "loan_approval") in seen
    looks = inquire.who_looked("cn_ric", RIC, api.clock.now())
    (look,) = [x for x in looks if x.actor == "LEND1"]
    assert (look.action, look.purpose, look.consent_ref, look.refused) == (
        "inquiry", "loan_approval", "LOAN-7781", None,
    )  # fmt: skip
    detail = api_audit_detail(api, report_id)
    assert detail["client"] == api.made["lender"].client_id
    assert detail["request_id"] == answer.headers["x-request-id"]
    assert detail["consent_expires_on"] == "2027-01-31"


def api_audit_detail(api: InProcess, report_id: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, text  # noqa: PLC0415

    engine = create_engine(api.url)
    with engine.connect() as conn:
        details = conn.execute(text("select detail from audit_events where action = 'inquiry'"))
        found = [json.loads(row[0]) for row in details]
    engine.dispose()
    (detail,) = [d for d in found if d.get("report") == report_id]
    return dict(detail)


REFUSALS: list[tuple[dict[str, Any], int, str]] = [
    ({"consent": None}, 403, "consent"),
    ({"consent": {**CONSENT, "expires_on": "2026-12-06"}}, 403, "consent"),
    ({"consent": {**CONSENT, "signed_on": "2026-12-08"}}, 422, "consent.signed_on"),
    (
        {"consent": {**CONSENT, "signed_on": "2026-12-05", "expires_on": "2026-12-04"}},
        422,
        "consent.expires_on",
    ),
    ({"consent": {**CONSENT, "reference": ""}}, 422, "consent.reference"),
    ({"consent": {"reference": "X"}}, 422, "consent.signed_on"),
    ({"as_of": "2026-12-08"}, 422, "as_of"),
    ({"as_of": "2020-01-01"}, 422, "as_of"),  # before the bureau's data starts
    ({"purpose": "curiosity"}, 422, "purpose"),
    ({"purpose": "self_inquiry"}, 422, "inquiry.by"),
    ({"id_number": "110105194912310021"}, 422, "id_number"),
    ({"id_type": "ssn"}, 422, "id_type"),
    ({"by": "LEND2"}, 422, "by"),  # unknown keys are refused: no asking as another lender
]


def test_refusals_name_the_field_and_log_no_look(api: InProcess) -> None:
    headers = bearer(api)
    for changes, status, field in REFUSALS:  # one store for all: each refusal leaves it as it was
        body = {k: v for k, v in ask(**changes).items() if v is not None}
        answer = api.client.post("/v1/inquiries", json=body, headers=headers)
        assert answer.status_code == status, (changes, answer.text)
        problem = answer.json()
        assert set(problem) == PROBLEM_KEYS
        assert answer.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in problem["errors"]], problem
        assert RIC not in answer.text
        if status == 403:
            assert problem["type"] == "urn:creditmend:problem:consent-required"
    listed = api.client.get("/v1/inquiries", headers=headers).json()
    assert listed["inquiries"] == []


def test_a_refusal_for_want_of_consent_is_audited(api: InProcess) -> None:
    body = ask(consent={**CONSENT, "expires_on": "2026-12-06"})
    answer = api.client.post("/v1/inquiries", json=body, headers=bearer(api))
    assert answer.status_code == 403
    looks = api.service.bureau.inquire.who_looked("cn_ric", RIC, api.clock.now())
    (refused,) = [look for look in looks if look.refused]
    assert refused.actor == "LEND1"
    assert "the consent expired on 2026-12-06" in str(refused.refused)


def test_a_lender_lists_its_own_inquiries_only(api: InProcess) -> None:
    for who, number in (("lender", RIC), ("other", OTHER_RIC), ("lender", OTHER_RIC)):
        made = api.client.post(
            "/v1/inquiries", json=ask(id_number=number), headers=bearer(api, who)
        )
        assert made.status_code == 201, made.text
    mine = api.client.get("/v1/inquiries", headers=bearer(api))
    assert mine.status_code == 200
    rows = mine.json()["inquiries"]
    assert [row["subject"] for row in rows] == ["110101********4573", "110105********002X"]
    assert {row["client_id"] for row in rows} == {api.made["lender"].client_id}
    assert rows[0]["consent_reference"] == "LOAN-7781"
    assert rows[0]["consent_signed_on"] == "2026-12-01"
    assert RIC not in mine.text and OTHER_RIC not in mine.text
    theirs = api.client.get("/v1/inquiries", headers=bearer(api, "other")).json()["inquiries"]
    # LEND2's: its client's, and the seed's from the command line (no client)
    assert [row["client_id"] for row in theirs] == [api.made["other"].client_id, None]
    paged = api.client.get("/v1/inquiries?limit=1", headers=bearer(api)).json()
    assert len(paged["inquiries"]) == 1 and paged["next_before"] is not None
    rest = api.client.get(
        f"/v1/inquiries?limit=1&before={paged['next_before']}", headers=bearer(api)
    ).json()
    assert [r["subject"] for r in rest["inquiries"]] == ["110105********002X"]
    assert rest["next_before"] is None


def test_the_desk_and_a_furnishing_client_may_not_inquire(api: InProcess) -> None:
    api.made["furnisher"] = api.service.clients.add_lender("LEND1", ["furnish"], START)
    for who in ("desk", "furnisher"):
        answer = api.client.post("/v1/inquiries", json=ask(), headers=bearer(api, who))
        assert answer.status_code == 403
        assert answer.json()["type"] == "urn:creditmend:problem:insufficient-scope"
        assert api.client.get("/v1/inquiries", headers=bearer(api, who)).status_code == 403
    assert api.client.post("/v1/inquiries", json=ask()).status_code == 401


def test_the_daily_quota_is_429_until_the_next_business_day(
    seeded: Callable[..., InProcess],
) -> None:
    api = seeded(ApiSettings(inquiry_quota=2))
    headers = bearer(api)
    for _ in range(2):
        assert api.client.post("/v1/inquiries", json=ask(), headers=headers).status_code == 201
    over = api.client.post("/v1/inquiries", json=ask(), headers=headers)
    assert over.status_code == 429
    assert over.json()["type"] == "urn:creditmend:problem:quota-exceeded"
    midnight = datetime(2026, 12, 8, tzinfo=ZONE)
    assert int(over.headers["retry-after"]) == int((midnight - api.clock.now()).total_seconds())
    # another client has its own quota; a refusal counts for nothing
    assert (
        api.client.post("/v1/inquiries", json=ask(), headers=bearer(api, "other")).status_code
        == 201
    )
    api.clock.advance(timedelta(seconds=int(over.headers["retry-after"])))
    again = api.client.post("/v1/inquiries", json=ask(), headers=bearer(api))
    assert again.status_code == 201, again.text


def test_the_openapi_document_gives_the_report_schema(api: InProcess) -> None:
    schema = api.client.get("/openapi.json").json()
    post = schema["paths"]["/v1/inquiries"]["post"]
    assert set(post["responses"]) >= {"201", "401", "403", "413", "415", "422", "429", "500"}
    report = post["responses"]["201"]["content"]["application/json"]["schema"]
    resolved = schema["components"]["schemas"][report["$ref"].rsplit("/", 1)[1]]
    assert resolved["required"][0] == "header"
    assert post["responses"]["403"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }


def test_a_wrong_content_type_is_415(api: InProcess) -> None:
    answer = api.client.post(
        "/v1/inquiries", content=json.dumps(ask()), headers={
            **bearer(api), "Content-Type": "text/plain"},
    )  # fmt: skip
    assert answer.status_code == 415
