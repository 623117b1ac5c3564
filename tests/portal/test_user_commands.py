"""`creditmend user invite | add-desk` as the desk runs them, and the sign-in rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from api_support import register_furnishers
from portal_support import RIC, Portal

from cli_runner import Done, invoke  # tests/ is on the path (its conftest.py)
from creditmend.domain.portal import (
    ENROLMENT_LIFETIME,
    IDLE_TIMEOUT,
    PortalUser,
    Role,
    Session,
    Stage,
    Status,
    locked_until,
    password_problems,
    session_alive,
)
from creditmend.services.portal_users import normal_code

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def cli(*args: str, db: str) -> Done:
    """The command in process (without the environment's store key and at a fixed moment)."""
    return invoke(
        [*args, "--db", db], {"CREDITMEND_KEY": None, "CREDITMEND_NOW": "2026-12-07T17:00:00+08:00"}
    )


def test_invite_and_add_desk_print_a_code_and_its_expiry(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'bureau.db'}"
    register_furnishers(db, "LEND1")
    made = cli("user", "invite", "cn_ric", RIC, "--json", db=db)
    assert made.returncode == 0, made.stderr
    answer = json.loads(made.stdout)
    assert set(answer) == {"code", "expires_on"}
    assert answer["expires_on"] == "2026-12-14"
    assert len(answer["code"].replace("-", "")) == 16
    dated = cli("user", "invite", "cn_ric", RIC, "--as-of", "2026-12-01", "--json", db=db)
    assert json.loads(dated.stdout)["expires_on"] == "2026-12-08"
    desk = cli("user", "add-desk", "ops one", db=db)
    assert desk.returncode == 0 and "code:" in desk.stdout and "2026-12-14" in desk.stdout


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("invite", "cn_ric", "123"), "error: ID_NUMBER: is not a valid cn_ric number\n"),
        (
            ("invite", "desk", "x"),
            "error: ID_TYPE: unknown 'desk'; one of cn_ric, passport, us_ssn\n",
        ),
        (("add-desk", "  "), "error: NAME: a desk user needs a name of 1 to 64 characters\n"),
        (("invite", "cn_ric", RIC, "--as-of", "2027-01-01"), None),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], error: str | None
) -> None:
    db = f"sqlite:///{tmp_path / 'bureau.db'}"
    register_furnishers(db, "LEND1")
    refused = cli("user", *args, db=db)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.stderr
    if error is not None:
        assert refused.stderr == error


def test_no_store_no_code(tmp_path: Path) -> None:
    refused = cli("user", "invite", "cn_ric", RIC, db=f"sqlite:///{tmp_path / 'none.db'}")
    assert refused.returncode == 2 and refused.stderr.startswith("error: --db: no store at")


def test_the_enrolment_form_is_rate_limited_per_address(portal: Portal) -> None:
    answers = [portal.begin("AAAA-BBBB-CCCC-DDDD").status_code for _ in range(11)]
    assert answers[:10] == [400] * 10 and answers[10] == 429


def test_an_enrolment_left_half_way_expires(portal: Portal) -> None:
    assert portal.begin(portal.invite()).status_code == 303
    portal.clock.advance(ENROLMENT_LIFETIME)
    assert portal.post("/enrol/totp", {"totp": "123456"}, form_page="/enrol").status_code == 400


# ---------------------------------------------------------------- the rules, pure
def test_the_back_off_grows_then_locks() -> None:
    waits = [locked_until(n, AT) for n in range(1, 9)]
    assert waits[:3] == [None, None, None]
    assert [w - AT for w in waits[3:] if w] == [
        timedelta(seconds=30), timedelta(minutes=15), timedelta(minutes=30),
        timedelta(hours=1), timedelta(hours=2),
    ]  # fmt: skip
    assert locked_until(40, AT) == AT + timedelta(hours=24)


def test_passwords_need_length_and_must_not_be_common() -> None:
    common = {"correcthorse1"}.__contains__
    assert password_problems("short", common)
    assert password_problems("correcthorse1", common)
    assert password_problems("x" * 129, common)
    assert not password_problems("a long walk on the bund", common)


def test_a_session_dies_idle_or_old() -> None:
    user = PortalUser(1, Role.BORROWER, Status.ACTIVE, None)
    fresh = Session(user, Stage.SIGNED_IN, AT, AT)
    assert session_alive(fresh, AT + IDLE_TIMEOUT - timedelta(seconds=1))
    assert not session_alive(fresh, AT + IDLE_TIMEOUT)
    used = Session(user, Stage.SIGNED_IN, AT - timedelta(hours=12), AT)
    assert not session_alive(used, AT + timedelta(minutes=1))


def test_codes_are_read_as_typed() -> None:
    assert normal_code(" abcd-efgh jkmn pqrs ") == "ABCD-EFGH-JKMN-PQRS"
    assert normal_code("o1l0") == "0110"
