"""Refused looks through the command line (issue 14, defect 11): the caller gets the same one-line
error as before, and `creditmend audit` then lists the attempt with why it was refused."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from one_borrower import RIC, furnished_bureau

STRANGER = "110105194912310011"  # valid, never furnished


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**furnished_bureau(tmp_path), "CREDITMEND_NOW": "2026-05-14T10:00:00+08:00"}


def _audit(number: str, env: dict[str, str]) -> list[dict[str, str | None]]:
    done = cli("audit", "cn_ric", number, "--json", env=env)
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, str | None]] = json.loads(done.stdout)
    return rows


def test_an_inquiry_refused_for_lack_of_consent_is_in_the_audit(
    env: dict[str, str], tmp_path: Path
) -> None:
    refused = cli(
        "inquire", "cn_ric", RIC, "--purpose", "loan_approval", "--by", "LENDER1", env=env
    )
    assert refused.returncode == 2
    assert refused.stderr == (
        "error: --consent: a third-party inquiry needs the subject's written consent "
        "(Order 631 Art. 18)\n"
    )
    (look,) = [row for row in _audit(RIC, env) if row["refused"]]
    assert (look["by"], look["action"], look["purpose"], look["consent"]) == (
        "LENDER1", "inquiry", "loan_approval", None,
    )  # fmt: skip
    assert str(look["at"]).startswith("2026-05-14T02:00:00")  # UTC (SQLite keeps no offset)
    assert "written consent" in str(look["refused"])
    shown = cli("audit", "cn_ric", RIC, env={**env, "COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    assert "refused" in shown.stdout and "written consent" in shown.stdout
    with sqlite3.connect(tmp_path / "bureau.db") as conn:
        assert conn.execute("SELECT count(*) FROM inquiries").fetchone()[0] == 0


def test_a_refused_self_report_is_in_the_audit(env: dict[str, str]) -> None:
    refused = cli("report", "cn_ric", STRANGER, env=env)
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: ID_NUMBER: unknown person")
    (look,) = _audit(STRANGER, env)
    assert (look["by"], look["purpose"]) == ("subject", "self_inquiry")
    assert str(look["refused"]).startswith("ID_NUMBER: unknown person")
    given = cli("report", "cn_ric", RIC, "--format", "json", env=env)
    assert given.returncode == 0, given.stderr
    assert [row["refused"] for row in _audit(RIC, env) if row["action"] == "inquiry"] == [None]
