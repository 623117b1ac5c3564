"""Click's own usage errors end like every other bad input: one line naming what is wrong,
exit status 2, no traceback and no panel."""

from __future__ import annotations

from pathlib import Path

import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("report",), "Missing argument 'id_type'"),
        (("report", "RESIDENT_ID", "1", "--bogus"), "--bogus"),
        (("nosuch",), "'nosuch'"),
        (("object", "list", "--limit", "3"), "--limit"),
        (("loan", "schedule", "--principal"), "--principal"),
        (("batch", "--as-of"), "--as-of"),
    ],
)
def test_a_usage_error_is_one_line_with_status_2(args: tuple[str, ...], names: str) -> None:
    done = cli(*args)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: creditmend")
    assert names in lines[0]
    assert "--help" in lines[0]
    assert "Traceback" not in done.stderr and "╭" not in done.stderr
    assert done.stdout == ""


def test_a_schedule_without_its_terms_names_each_missing_option() -> None:
    """`loan schedule` takes its terms or a revolving `--file`: each missing one is a line."""
    done = cli("loan", "schedule", "--months", "12")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: --principal: is required (or give --file)",
        "error: --disbursed-on: is required (or give --file)",
    ]
    assert done.stdout == ""


def test_a_group_alone_still_shows_its_help() -> None:
    done = cli("object")
    assert done.returncode == 2
    assert "Usage: creditmend object" in done.stdout + done.stderr
    assert "file" in done.stdout + done.stderr


def test_help_still_exits_0() -> None:
    done = cli("report", "--help")
    assert done.returncode == 0
    assert "ID_NUMBER" in done.stdout.upper()


@pytest.mark.parametrize("command", ["retain", "archive"])
def test_retention_refuses_a_future_day(command: str, tmp_path: Path) -> None:
    env = {"CREDITMEND_DB": f"sqlite:///{tmp_path / 'bureau.db'}"}
    done = cli(command, "--as-of", "2099-01-01", env=env)
    assert done.returncode == 2
    assert done.stderr.startswith("error: --as-of: 2099-01-01 is in the future")
    assert len(done.stderr.splitlines()) == 1


def test_an_ingest_error_is_one_line_without_a_blank_one(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", "utf-8")
    done = cli("ingest", str(empty), env={"CREDITMEND_DB": f"sqlite:///{tmp_path / 'b.db'}"})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith("error: ")


def test_an_unknown_ingest_format_is_refused_before_any_file(tmp_path: Path) -> None:
    empty = tmp_path / "may.jsonl"
    empty.write_text("", "utf-8")
    done = cli("ingest", str(empty), "--format", "xml", env={"CREDITMEND_DB": "sqlite://"})
    assert (done.returncode, done.stderr) == (
        2,
        "error: --format: unknown format 'xml'; jsonl or csv\n",
    )


def test_a_csv_with_a_header_and_no_record_is_refused_as_empty(tmp_path: Path) -> None:
    header_only = tmp_path / "may.csv"
    header_only.write_text("furnisher_id,account_id,period\n", "utf-8")
    env = {"CREDITMEND_DB": f"sqlite:///{tmp_path / 'b.db'}"}
    done = cli("ingest", str(header_only), env=env)
    assert (done.returncode, done.stderr) == (2, "error: file: may.csv has no records\n")
