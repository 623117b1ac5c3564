"""Enrolment and sign-in through the pages: the happy path and every refusal."""

from __future__ import annotations

import json
from datetime import timedelta

from portal_support import OTHER_RIC, PASSWORD, RIC, Portal
from sqlalchemy import create_engine, text


def _audit(url: str, action: str) -> list[tuple[str, str | None]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT detail, refused FROM audit_events WHERE action = :a ORDER BY id"),
            {"a": action},
        ).all()
    engine.dispose()
    return [(json.loads(detail).get("step", ""), refused) for detail, refused in rows]


def test_a_borrower_enrols_signs_in_and_sees_their_pages(portal: Portal) -> None:
    secret, recovery = portal.enrol(portal.invite())
    assert len(recovery) == 10
    assert portal.client.get("/me").status_code == 200  # signed in by the enrolment
    portal.client.cookies.clear()
    assert portal.client.get("/me", follow_redirects=False).headers["location"] == "/login"
    signed = portal.login(secret)
    assert signed.status_code == 303 and signed.headers["location"] == "/me"
    assert portal.client.get("/me").status_code == 200


def test_no_secret_is_stored_in_clear(portal: Portal) -> None:
    code = portal.invite()
    secret, recovery = portal.enrol(code)
    raw = b"".join(
        bytes(str(row), "utf-8")
        for table in ("portal_users", "portal_codes", "portal_sessions")
        for row in create_engine(portal.url).connect().execute(text(f"SELECT * FROM {table}"))
    )
    for clear in (RIC, PASSWORD, secret, code, recovery[0]):
        assert clear.encode() not in raw


def test_a_wrong_or_unknown_code_is_refused(portal: Portal) -> None:
    portal.invite()
    answer = portal.begin("AAAA-BBBB-CCCC-DDDD")
    assert answer.status_code == 400
    assert "do not go together" in answer.text or "不匹配" in answer.text
    assert ("enrol", "code and identity do not match") in _audit(portal.url, "portal_refused")


def test_an_expired_code_is_refused(portal: Portal) -> None:
    code = portal.invite()
    portal.clock.advance(timedelta(days=8))
    answer = portal.begin(code)
    assert answer.status_code == 400
    assert ("enrol", "code expired") in _audit(portal.url, "portal_refused")


def test_another_persons_identity_number_is_refused(portal: Portal) -> None:
    code = portal.invite(RIC)
    answer = portal.begin(code, identity=OTHER_RIC)
    assert answer.status_code == 400
    assert portal.begin(code, identity=RIC).status_code == 303  # the code still works


def test_a_weak_password_is_refused(portal: Portal) -> None:
    code = portal.invite()
    for weak in ("short", "password123", "qwertyuiop", "aaaaaaaaaaaa"):
        answer = portal.begin(code, password=weak)
        assert answer.status_code == 400, weak
    assert _audit(portal.url, "portal_refused").count(("enrol", "weak password")) == 4


def test_differing_passwords_are_refused(portal: Portal) -> None:
    code = portal.invite()
    form = {"code": code, "kind": "cn_ric", "identity": RIC, "password": PASSWORD,
            "password2": PASSWORD + "x"}  # fmt: skip
    assert portal.post("/enrol", form).status_code == 400


def test_a_wrong_totp_code_does_not_finish_the_enrolment(portal: Portal) -> None:
    code = portal.invite()
    assert portal.begin(code).status_code == 303
    answer = portal.post("/enrol/totp", {"totp": "000000"})
    assert answer.status_code == 400
    assert portal.client.get("/me", follow_redirects=False).status_code == 303
    assert ("enrol", "wrong TOTP code") in _audit(portal.url, "portal_refused")


def test_a_desk_user_enrols_with_their_name(portal: Portal) -> None:
    secret, _ = portal.enrol(portal.desk_code(), identity="ops one", kind="desk")
    assert portal.client.get("/desk").status_code == 200
    portal.client.cookies.clear()
    signed = portal.login(secret, identity="ops one", kind="desk")
    assert signed.headers["location"] == "/desk"


def test_a_recovery_code_signs_in_once(portal: Portal) -> None:
    secret, recovery = portal.enrol(portal.invite())
    portal.client.cookies.clear()
    assert portal.login(secret, second=recovery[0]).status_code == 303
    portal.client.cookies.clear()
    assert portal.login(secret, second=recovery[0]).status_code == 401


def test_a_totp_code_is_not_accepted_twice(portal: Portal) -> None:
    secret, _ = portal.enrol(portal.invite())
    portal.client.cookies.clear()
    assert portal.login(secret).status_code == 303
    code = portal.totp(secret)
    form = {"kind": "cn_ric", "identity": RIC, "password": PASSWORD, "totp": code}
    portal.client.cookies.clear()
    assert portal.post("/login", form).status_code == 401


def test_failed_sign_ins_lock_the_account_with_growing_waits(portal: Portal) -> None:
    secret, _ = portal.enrol(portal.invite())
    portal.client.cookies.clear()
    statuses = [portal.login(secret, password="not the password").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 401]
    # Now locked: even the right password and code are refused, with Retry-After.
    locked = portal.login(secret)
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    portal.clock.advance(timedelta(minutes=16))
    assert portal.login(secret).status_code == 303


def test_an_unknown_identity_reads_like_a_wrong_password(portal: Portal) -> None:
    secret, _ = portal.enrol(portal.invite())
    portal.client.cookies.clear()
    unknown = portal.login(secret, identity=OTHER_RIC)
    wrong = portal.login(secret, password="not the password")
    assert unknown.status_code == wrong.status_code == 401


def test_the_sign_in_form_is_rate_limited_per_address(portal: Portal) -> None:
    answers = [portal.login("A" * 32, password="x").status_code for _ in range(12)]
    assert answers[:10] == [401] * 10
    assert answers[-1] == 429


def test_sign_out_ends_the_session(portal: Portal) -> None:
    portal.enrol(portal.invite())
    assert portal.post("/logout", {}, form_page="/me").status_code == 303
    assert portal.client.get("/me", follow_redirects=False).status_code == 303


def test_a_session_ends_after_inactivity(portal: Portal) -> None:
    portal.enrol(portal.invite())
    portal.clock.advance(timedelta(minutes=10))
    assert portal.client.get("/me").status_code == 200  # used: the idle time starts again
    portal.clock.advance(timedelta(minutes=14))
    assert portal.client.get("/me").status_code == 200
    portal.clock.advance(timedelta(minutes=16))
    assert portal.client.get("/me", follow_redirects=False).headers["location"] == "/login"


def test_dead_sessions_are_swept_at_the_next_sign_in(portal: Portal) -> None:
    secret, _ = portal.enrol(portal.invite())
    portal.clock.advance(timedelta(hours=1))
    portal.client.cookies.clear()
    assert portal.login(secret).status_code == 303
    engine = create_engine(portal.url)
    with engine.connect() as conn:
        alive = conn.execute(text("SELECT count(*) FROM portal_sessions")).scalar_one()
    engine.dispose()
    assert alive == 1  # the enrolment's own, unused for an hour, is gone
