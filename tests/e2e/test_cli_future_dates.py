"""A business date in the future is refused by the commands that bring data in, as by every
other command (issue 14, defect 5): `ingest --as-of 2099-12-31` stored the period 2099-12, and
`records import` a court record filed in 2099. A record dated after the business date inside a
file is a rejected field of its line. The clock is frozen at 01:00 Beijing time (CREDITMEND_NOW),
so tomorrow in Beijing is still today in UTC."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from one_borrower import BASE, RIC, furnished_bureau

NOW = "2026-05-14T01:00:00+08:00"
BEIJING_TODAY, BEIJING_TOMORROW = "2026-05-14", "2026-05-15"
COURT: dict[str, Any] = {
    "kind": "enforced_debtor", "id_type": "cn_ric", "id_number": RIC, "name": "张三",
    "court": "北京市西城区人民法院", "case_number": "（2026）京0102执1号",
    "filed_on": "2026-05-01", "status": "active", "source": "court_publication",
}  # fmt: skip
MAY: dict[str, Any] = {
    **BASE, "period": "2026-05", "paid_amount": "1100.16", "past_due_amount": "0.00",
    "days_past_due": 0, "last_payment_on": "2026-05-10",
}  # fmt: skip


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def _stored(tmp_path: Path) -> tuple[int, int, int]:
    """Ingestions, furnished months and public records in the store."""
    with sqlite3.connect(tmp_path / "bureau.db") as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("ingestions", "account_months", "public_records")
        )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**furnished_bureau(tmp_path), "CREDITMEND_NOW": NOW}


def _bring_in(kind: str, tmp_path: Path, as_of: str, env: dict[str, str]) -> tuple[int, str]:
    if kind == "ingest":
        done = cli("ingest", str(_jsonl(tmp_path / "may.jsonl", [MAY])), "--as-of", as_of, env=env)
    else:
        court = _jsonl(tmp_path / "court.jsonl", [COURT])
        done = cli(
            "records", "import", str(court), "--kind", "public_records", "--as-of", as_of, env=env
        )
    return done.returncode, done.stderr


@pytest.mark.parametrize("kind", ["ingest", "records"])
@pytest.mark.parametrize("day", [BEIJING_TOMORROW, "2099-12-31"])
def test_a_future_as_of_is_refused_and_nothing_is_stored(
    env: dict[str, str], tmp_path: Path, kind: str, day: str
) -> None:
    before = _stored(tmp_path)
    code, said = _bring_in(kind, tmp_path, day, env)
    assert code == 2
    assert said.startswith(f"error: --as-of: {day} is in the future"), said
    assert len(said.strip().splitlines()) == 1
    assert _stored(tmp_path) == before
    assert not list(tmp_path.glob("*.rejects.jsonl"))


@pytest.mark.parametrize("kind", ["ingest", "records"])
def test_the_beijing_today_is_not_in_the_future(
    env: dict[str, str], tmp_path: Path, kind: str
) -> None:
    assert _bring_in(kind, tmp_path, BEIJING_TODAY, env) == (0, "")


def test_a_future_as_of_makes_no_store(tmp_path: Path) -> None:
    """`ingest` makes a store that does not exist yet; refused, it leaves none behind."""
    env = {"CREDITMEND_DB": f"sqlite:///{tmp_path / 'new.db'}", "CREDITMEND_NOW": NOW}
    done = cli(
        "ingest", str(_jsonl(tmp_path / "may.jsonl", [MAY])), "--as-of", "2099-12-31", env=env
    )
    assert done.returncode == 2
    assert not (tmp_path / "new.db").exists()
    assert not (tmp_path / "new.key").exists()


@pytest.mark.parametrize(
    ("kind", "record", "field"),
    [
        ("ingest", {**MAY, "period": "2026-06"}, "period"),
        ("records", {**COURT, "filed_on": BEIJING_TOMORROW}, "filed_on"),
    ],
)
def test_a_record_dated_after_the_as_of_is_a_rejected_field(
    env: dict[str, str], tmp_path: Path, kind: str, record: dict[str, Any], field: str
) -> None:
    before = _stored(tmp_path)
    path = _jsonl(tmp_path / "late.jsonl", [record])
    args = ["ingest", str(path)] if kind == "ingest" else [
        "records", "import", str(path), "--kind", "public_records",
    ]  # fmt: skip
    done = cli(*args, "--as-of", BEIJING_TODAY, env=env)
    assert done.returncode == 2
    (reject,) = [
        json.loads(line)
        for line in (tmp_path / "late.jsonl.rejects.jsonl").read_text("utf-8").splitlines()
    ]
    assert (reject["line"], reject["field"]) == (1, field), reject
    assert _stored(tmp_path) == before
