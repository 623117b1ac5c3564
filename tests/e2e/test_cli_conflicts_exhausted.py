"""When other writers keep taking the same rows first, the bureau gives up after its last try
(issue 14, after defect 1): a one-line error, exit status 2, nothing of the file or the look
applied. PostgreSQL is made to refuse every new person as a unique violation (a trigger raising
SQLSTATE 23505, the error a concurrent writer causes) and to count the tries in a sequence, which
no rollback undoes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from one_borrower import MONTHS
from sqlalchemy import create_engine, text

from creditmend.adapters.vault import new_key
from creditmend.services.conflicts import TRIES_ON_CONFLICT

REFUSE_NEW_PERSONS = """
CREATE SEQUENCE person_tries;
CREATE FUNCTION taken_meanwhile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('person_tries');
    RAISE EXCEPTION 'duplicate key value violates unique constraint "uq_persons_id_hash"'
        USING ERRCODE = 'unique_violation';
END $$;
CREATE TRIGGER taken_meanwhile BEFORE INSERT ON persons
    FOR EACH ROW EXECUTE FUNCTION taken_meanwhile();
"""
COUNTS = (
    "SELECT (SELECT count(*) FROM persons), (SELECT count(*) FROM ingestions), "
    "(SELECT count(*) FROM accounts), (SELECT count(*) FROM account_months), "
    "(SELECT count(*) FROM inquiries), (SELECT count(*) FROM audit_events)"
)


def _sql(db_url: str, statement: str) -> tuple[int, ...]:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        result = conn.execute(text(statement))
        row = tuple(result.one()) if result.returns_rows else ()
    engine.dispose()
    return row


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: no other writer takes rows first")
    values = {"CREDITMEND_DB": db_url, "CREDITMEND_KEY": new_key()}
    added = cli(
        "furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank", env=values
    )
    assert added.returncode == 0, added.stderr
    return values


def _said_once(stderr: str) -> None:
    assert stderr.startswith(
        "error: --db: other writers kept taking the same rows first; try again"
    )
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stderr


def test_an_ingest_gives_up_after_its_last_try_with_nothing_applied(
    env: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    cmf = tmp_path / "cmf.jsonl"
    cmf.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in MONTHS), "utf-8")
    _sql(db_url, REFUSE_NEW_PERSONS)
    before = _sql(db_url, COUNTS)
    done = cli("ingest", str(cmf), "--as-of", "2026-05-10", env=env)
    assert done.returncode == 2
    _said_once(done.stderr)
    assert _sql(db_url, "SELECT last_value FROM person_tries") == (TRIES_ON_CONFLICT,)
    assert _sql(db_url, COUNTS) == before
    assert not (tmp_path / "cmf.jsonl.rejects.jsonl").exists()
    _sql(db_url, "DROP TRIGGER taken_meanwhile ON persons")
    again = cli("ingest", str(cmf), "--as-of", "2026-05-10", "--json", env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["applied"] == len(MONTHS)


def test_an_inquiry_gives_up_after_its_last_try_with_nothing_logged(
    env: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    cmf = tmp_path / "cmf.jsonl"
    cmf.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in MONTHS), "utf-8")
    assert cli("ingest", str(cmf), "--as-of", "2026-05-10", env=env).returncode == 0
    _sql(db_url, REFUSE_NEW_PERSONS)
    before = _sql(db_url, COUNTS)
    stranger = "110105194912310011"  # valid, not known: the inquiry makes the person
    done = cli(
        "inquire", "cn_ric", stranger, "--purpose", "loan_approval", "--by", "LENDER1",
        "--consent", "C-1", "--as-of", "2026-05-10", env=env,
    )  # fmt: skip
    assert done.returncode == 2
    _said_once(done.stderr)
    assert _sql(db_url, "SELECT last_value FROM person_tries") == (TRIES_ON_CONFLICT,)
    assert _sql(db_url, COUNTS) == before
