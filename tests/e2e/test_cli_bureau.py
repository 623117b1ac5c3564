"""The bureau's commands end to end: keygen, furnisher add, ingest (JSON Lines and CSV)."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from in_process import cli as in_process_cli  # the e2e folder is on the path

RIC = "11010519491231002X"
RECORD: dict[str, Any] = {
    "furnisher_id": "LENDER1",
    "account_id": "A-1",
    "period": "2025-05",
    "id_type": "cn_ric",
    "id_number": RIC,
    "name": "张三",
    "account_type": "online_consumer_loan",
    "opened_on": "2025-01-10",
    "principal": "12000.00",
    "term_months": 12,
    "scheduled_amount": "1066.19",
    "paid_amount": "1066.19",
    "balance": "7900.00",
    "past_due_amount": "0.00",
    "days_past_due": 0,
    "status": "open",
    "last_payment_on": "2025-05-10",
}


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "creditmend", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {**os.environ, "CREDITMEND_DB": f"sqlite:///{tmp_path / 'bureau.db'}"}
    values.pop("CREDITMEND_KEY", None)
    result = in_process_cli(  # the set-up, not what is tested: no interpreter started for it
        "furnisher", "add", "LENDER1", "--name", "Lender One", "--kind", "non_bank", env=values
    )
    assert result.returncode == 0, result.stderr
    return values


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def test_keygen_prints_a_key() -> None:
    result = cli("keygen")
    assert result.returncode == 0
    assert len(result.stdout.strip()) == 44


def test_ingest_jsonl_twice_is_idempotent(env: dict[str, str], tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "may.jsonl", [RECORD, {**RECORD, "account_id": "A-2"}])
    first = cli("ingest", str(path), "--as-of", "2025-06-15", "--json", env=env)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert (summary["applied"], summary["unchanged"], summary["rejected"]) == (2, 0, 0)
    assert summary["rejects_file"] is None
    again = json.loads(cli("ingest", str(path), "--as-of", "2025-06-15", "--json", env=env).stdout)
    assert (again["applied"], again["unchanged"], again["corrected"]) == (0, 2, 0)


def test_ingest_csv_with_a_bad_checksum_rejects_the_file(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "may.csv"
    fields = list(RECORD)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        writer.writerow(RECORD)
        writer.writerow({**RECORD, "account_id": "A-2", "id_number": "110105194912310021"})
    result = cli("ingest", str(path), "--as-of", "2025-06-15", env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "1 rejected line(s), nothing applied" in result.stderr
    rejects = [json.loads(x) for x in (tmp_path / "may.csv.rejects.jsonl").read_text().splitlines()]
    assert rejects == [{"line": 3, "field": "id_number", "reason": rejects[0]["reason"]}]
    assert RIC[:-1] not in rejects[0]["reason"]  # the reason does not repeat the number
    partial = cli("ingest", str(path), "--as-of", "2025-06-15", "--partial", "--json", env=env)
    assert partial.returncode == 0
    assert json.loads(partial.stdout)["applied"] == 1


def test_bad_lines_and_truncated_files_are_rejects_not_tracebacks(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.jsonl"
    good = json.dumps(RECORD, ensure_ascii=False)
    path.write_bytes(
        good.encode()
        + b"\n"
        + b"{not json\n"
        + b"\xff\xfe\n"
        + json.dumps({**RECORD, "status": "lost"}).encode()
        + b"\n"
        + good.encode()[:40]  # truncated last line
    )
    result = cli("ingest", str(path), "--as-of", "2025-06-15", "--json", env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    rejects = [
        json.loads(x) for x in (tmp_path / "bad.jsonl.rejects.jsonl").read_text().splitlines()
    ]
    assert {(r["line"], r["field"]) for r in rejects} == {
        (2, "line"),
        (3, "line"),
        (4, "status"),
        (5, "line"),
    }


def test_unreachable_database_and_missing_key_are_one_line_errors(tmp_path: Path) -> None:
    env = {**os.environ, "CREDITMEND_DB": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    env.pop("CREDITMEND_KEY", None)
    result = cli("furnisher", "add", "X", "--name", "x", "--kind", "bank", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("error: key: CREDITMEND_KEY is not set")
    env["CREDITMEND_KEY"] = cli("keygen").stdout.strip()
    result = cli("furnisher", "add", "X", "--name", "x", "--kind", "bank", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("error: --db: cannot open")
    assert len(result.stderr.strip().splitlines()) == 1


def _big_file(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for index in range(count):
            out.write(json.dumps({**RECORD, "account_id": f"A-{index}"}, ensure_ascii=False))
            out.write("\n")
    return path


def _alive_in_group(group: int) -> list[int]:
    """The processes of a process group that have not exited (zombies left out)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _parent, process_group = stat.rsplit(")", 1)[1].split()[:3]
        if int(process_group) == group and state != "Z":
            alive.append(int(entry.name))
    return alive


def test_a_killed_ingest_leaves_the_store_as_before_and_a_rerun_applies_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    first = _jsonl(tmp_path / "april.jsonl", [{**RECORD, "account_id": "KEEP"}])
    assert cli("ingest", str(first), "--as-of", "2025-06-15", env=env).returncode == 0
    big = _big_file(tmp_path / "big.jsonl", 60_000)
    database = tmp_path / "bureau.db"

    def months() -> int:
        with sqlite3.connect(database) as conn:
            return int(conn.execute("select count(*) from account_months").fetchone()[0])

    process = subprocess.Popen(
        [sys.executable, "-m", "creditmend", "ingest", str(big), "--as-of", "2025-06-15"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the screening workers join it
    )
    # Kill it once it is writing: the ingestion row exists only inside its open transaction,
    # so wait until the database's write-ahead log grows, then SIGKILL.
    wal = tmp_path / "bureau.db-wal"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > 1_000_000:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the ingest finished before it could be killed"
    workers = [pid for pid in _alive_in_group(process.pid) if pid != process.pid]
    if len(os.sched_getaffinity(0)) > 1:  # a large file is screened by worker processes
        assert workers
    process.send_signal(signal.SIGKILL)
    process.wait()
    # The workers end by themselves once the process that fed them is gone.
    deadline = time.monotonic() + 30
    while _alive_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive_in_group(process.pid) == []
    assert months() == 1
    rerun = cli("ingest", str(big), "--as-of", "2025-06-15", "--json", env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["applied"] == 60_000
    assert months() == 60_001
    again = json.loads(cli("ingest", str(big), "--as-of", "2025-06-15", "--json", env=env).stdout)
    assert again["applied"] == 0
    assert months() == 60_001


def test_inquire_audit_records_and_retain_through_the_command(
    env: dict[str, str], tmp_path: Path
) -> None:
    may = _jsonl(tmp_path / "may.jsonl", [RECORD])
    assert cli("ingest", str(may), "--as-of", "2025-06-15", env=env).returncode == 0
    refused = cli(
        "inquire",
        "cn_ric",
        RIC,
        "--purpose",
        "loan_approval",
        "--by",
        "LENDER1",
        "--as-of",
        "2025-06-15",
        env=env,
    )
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: --consent:")
    asked = cli(
        "inquire",
        "cn_ric",
        RIC,
        "--purpose",
        "loan_approval",
        "--by",
        "LENDER1",
        "--consent",
        "C-9",
        "--as-of",
        "2025-06-15",
        "--json",
        env=env,
    )
    assert asked.returncode == 0, asked.stderr
    report = json.loads(asked.stdout)
    assert report["header"]["subject"]["id"] == "110105********002X"
    assert RIC not in asked.stdout
    assert report["overdue"]["accounts"][0]["grid"][-2:] == ["N", "#"]  # June not yet
    looks = json.loads(cli("audit", "cn_ric", RIC, "--json", env=env).stdout)
    assert [(look["by"], look["purpose"], look["consent"]) for look in looks] == [
        ("LENDER1", "loan_approval", None),  # the refused look, audited with its reason
        ("LENDER1", "loan_approval", "C-9"),
    ]
    assert [bool(look["refused"]) for look in looks] == [True, False]
    records = _jsonl(
        tmp_path / "court.jsonl",
        [
            {
                "kind": "enforced_debtor",
                "id_type": "cn_ric",
                "id_number": RIC,
                "name": "张三",
                "court": "北京市西城区人民法院",
                "case_number": "（2024）京0102执1号",
                "filed_on": "2024-03-01",
                "status": "active",
                "source": "court_publication",
            }
        ],
    )
    imported = cli(
        "records",
        "import",
        str(records),
        "--kind",
        "public_records",
        "--as-of",
        "2025-06-15",
        "--json",
        env=env,
    )
    assert imported.returncode == 0, imported.stderr + imported.stdout
    assert json.loads(imported.stdout)["applied"] == 1
    retained = json.loads(cli("retain", "--as-of", "2025-06-15", "--json", env=env).stdout)
    assert (retained["facts"], retained["hidden"]) == (1, 0)  # the active public record
