"""Files the bureau writes: whole or not at all (a temporary file renamed into place), owner-only
(0600, folders 0700), never through a symbolic link; a full disk is one line, not a traceback.

A full disk is made without root: the command runs in a child process whose file-size limit
(RLIMIT_FSIZE) is lowered, with SIGXFSZ ignored, so a write past the limit fails with EFBIG (a
short write first, which SQLite reports as "database or disk is full")."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from one_borrower import BASE, RIC, furnished_bureau

AS_OF = "2026-05-10"
# Above SQLite's shared-memory file (32 KiB, made when the store opens) and a self-report's few
# pages of write-ahead log, below a PDF report and a larger ingest's log.
LIMIT = 40_000


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _limited(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))


def _in_child(env: dict[str, str], limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    """`creditmend ARGS` in a child process that cannot make a file larger than `limit`."""
    return subprocess.run(
        [sys.executable, "-m", "creditmend", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        preexec_fn=lambda: _limited(limit),
        check=False,
        timeout=300,
    )


def _quiet_store(env: dict[str, str]) -> Path:
    """The store's write-ahead log emptied into the database, so a child starts a new one."""
    path = Path(env["CREDITMEND_DB"].removeprefix("sqlite:///"))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _one_error_line(stderr: str, *words: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    for word in words:
        assert word in lines[0], stderr
    return lines[0]


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_a_failed_report_leaves_the_previous_report_whole(tmp_path: Path, fmt: str) -> None:
    env = furnished_bureau(tmp_path)
    more = tmp_path / "more.jsonl"
    more.write_text(_good_lines(10), encoding="utf-8")  # a report larger than the limit
    assert cli("ingest", str(more), "--as-of", AS_OF, env=env).returncode == 0
    out = tmp_path / f"report.{fmt}"
    base = ("report", "cn_ric", RIC, "--as-of", AS_OF, "--format", fmt, "--out", str(out))
    assert cli(*base, env=env).returncode == 0
    good = out.read_bytes()
    assert len(good) > LIMIT
    _quiet_store(env)
    done = _in_child(env, LIMIT, *base)
    assert done.returncode == 2
    _one_error_line(done.stderr, "--out", str(out), "File too large")
    assert out.read_bytes() == good
    assert _leftovers(tmp_path) == []


def test_out_at_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    env = furnished_bureau(tmp_path)
    target = tmp_path / "somebody-elses.txt"
    target.write_text("theirs\n", encoding="utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    done = cli("report", "cn_ric", RIC, "--as-of", AS_OF, "--format", "json", "--out", str(link),
               env=env)  # fmt: skip
    assert done.returncode == 2
    _one_error_line(done.stderr, "--out", str(link), "symbolic link")
    assert target.read_text(encoding="utf-8") == "theirs\n"
    assert link.is_symlink()


def test_reports_and_the_store_are_owner_only(tmp_path: Path) -> None:
    env = furnished_bureau(tmp_path)
    out = tmp_path / "report.html"
    done = cli("report", "cn_ric", RIC, "--as-of", AS_OF, "--format", "html", "--out", str(out),
               env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _mode(out) == 0o600
    store = tmp_path / "bureau.db"
    assert _mode(store) == 0o600
    for journal in (tmp_path / "bureau.db-wal", tmp_path / "bureau.db-shm"):
        if journal.exists():
            assert _mode(journal) == 0o600, journal


def _bad_lines(count: int) -> str:
    """Furnishing lines each refused (a negative balance), a reject line of ~100 bytes each."""
    return "".join(
        json.dumps({**BASE, "account_id": f"B-{n}", "period": "2026-04", "balance": "-1.00",
                    "paid_amount": "0.00", "past_due_amount": "0.00", "days_past_due": 0})
        + "\n"
        for n in range(count)
    )  # fmt: skip


def _store_rows(store: Path) -> tuple[int, ...]:
    with sqlite3.connect(store) as conn:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("ingestions", "accounts", "audit_events")
        )


def test_rejects_are_owner_only(tmp_path: Path) -> None:
    env = furnished_bureau(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(_bad_lines(3), encoding="utf-8")
    done = cli("ingest", str(bad), "--as-of", AS_OF, env=env)
    assert done.returncode != 0
    rejects = tmp_path / "bad.jsonl.rejects.jsonl"
    assert len(rejects.read_text(encoding="utf-8").splitlines()) >= 3
    assert _mode(rejects) == 0o600


def test_a_rejects_file_the_disk_cannot_hold_is_one_line_and_no_file(tmp_path: Path) -> None:
    env = furnished_bureau(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(_bad_lines(1_000), encoding="utf-8")
    store = _quiet_store(env)
    before = _store_rows(store)
    for partial in ((), ("--partial",)):
        done = _in_child(env, LIMIT, "ingest", str(bad), "--as-of", AS_OF, *partial)
        assert done.returncode == 2, done.stderr
        _one_error_line(done.stderr, "bad.jsonl.rejects.jsonl", "File too large")
        assert not (tmp_path / "bad.jsonl.rejects.jsonl").exists()
        assert _leftovers(tmp_path) == []
        assert _store_rows(store) == before


def _good_lines(count: int) -> str:
    """Furnishing lines of one person, each a new account (enough pages to fill the log)."""
    return "".join(
        json.dumps({**BASE, "account_id": f"G-{n:05d}-{'x' * 40}", "period": "2026-04",
                    "paid_amount": "1100.16", "past_due_amount": "0.00", "days_past_due": 0})
        + "\n"
        for n in range(count)
    )  # fmt: skip


def test_ingest_into_a_full_store_is_one_line_and_leaves_it_unchanged(tmp_path: Path) -> None:
    env = furnished_bureau(tmp_path)
    data = tmp_path / "more.jsonl"
    data.write_text(_good_lines(2_000) + _bad_lines(1), encoding="utf-8")
    store = _quiet_store(env)
    before = _store_rows(store)
    done = _in_child(env, LIMIT, "ingest", str(data), "--as-of", AS_OF, "--partial")
    assert done.returncode == 2, done.stderr
    line = _one_error_line(done.stderr, str(store))
    # ENOSPC is "database or disk is full"; the file-size limit's EFBIG is "disk I/O error"
    assert "database or disk is full" in line or "disk I/O error" in line, line
    assert _store_rows(store) == before
    rejects = tmp_path / "more.jsonl.rejects.jsonl"
    if rejects.exists():  # written whole before the store refused the file, or not at all
        lines = rejects.read_text(encoding="utf-8").splitlines()
        assert lines and {json.loads(line)["line"] for line in lines} == {2_001}
    assert _leftovers(tmp_path) == []


def _modes(folder: Path) -> tuple[set[int], set[int]]:
    """The modes of the files and of the folders under `folder` (itself included)."""
    paths = [folder, *folder.rglob("*")]
    return {_mode(p) for p in paths if p.is_file()}, {_mode(p) for p in paths if p.is_dir()}


SYNTH = ("synth", "--persons", "30", "--platforms", "3", "--months", "6", "--start", "2024-01")


def test_a_population_is_owner_only_and_a_failed_one_leaves_no_half_file(tmp_path: Path) -> None:
    out = tmp_path / "population"
    done = cli(*SYNTH, "--seed", "1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert _modes(out) == ({0o600}, {0o700})
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert len(before) > 5
    # Another seed into the same folder, with files no larger than a few kilobytes: fails.
    done = _in_child({}, 4_096, *SYNTH, "--seed", "2", "--out", str(out))
    assert done.returncode == 2, done.stderr
    _one_error_line(done.stderr, "--out", str(out), "File too large")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_batch_outputs_are_owner_only(tmp_path: Path) -> None:
    env = furnished_bureau(tmp_path)
    out = tmp_path / "batch"
    done = cli("batch", "--as-of", AS_OF, "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*.parquet"))
    assert "indicators.parquet" in names and "inputs/persons.parquet" in names, names
    assert _modes(out) == ({0o600}, {0o700})
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def _as_nobody(env: dict[str, str], *args: str) -> tuple[int, str]:
    """`creditmend ARGS` run in process by a forked child that became uid 65534 (root ignores a
    folder's mode): the modules are loaded already, so the child needs no interpreter files."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.close(reader)
            os.setgid(65534)
            os.setuid(65534)
            done = cli(*args, env=env)
            os.write(writer, json.dumps([done.returncode, done.stderr]).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as answer:
        got = answer.read()
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0, got
    returncode, stderr = json.loads(got)
    return returncode, stderr


def test_a_rejects_file_in_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    # A folder others can reach (a child as uid 65534 cannot pass pytest's 0700 tmp_path).
    base = Path(tempfile.mkdtemp(prefix="creditmend-readonly-", dir="/tmp"))
    try:
        base.chmod(0o755)
        store, data = base / "store", base / "data"
        store.mkdir()
        env = furnished_bureau(store)
        data.mkdir()
        bad = data / "bad.jsonl"
        bad.write_text(_bad_lines(3), encoding="utf-8")
        bad.chmod(0o644)
        args = ("ingest", str(bad), "--as-of", AS_OF)
        if os.geteuid() == 0:
            for path in (store, *store.iterdir()):
                os.chown(path, 65534, 65534)
            data.chmod(0o755)  # root's: not writable by uid 65534
            returncode, stderr = _as_nobody(env, *args)
        else:
            data.chmod(0o555)
            done = cli(*args, env=env)
            returncode, stderr = done.returncode, done.stderr
        assert returncode == 2, stderr
        _one_error_line(stderr, f"rejects: cannot write {bad}.rejects.jsonl", "Permission denied")
        assert sorted(p.name for p in data.iterdir()) == ["bad.jsonl"]
    finally:
        (base / "data").chmod(0o755)
        shutil.rmtree(base)
