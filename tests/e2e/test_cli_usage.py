"""Click's own usage errors end like every other bad input: one line naming what is wrong,
exit status 2, no traceback and no panel."""

from __future__ import annotations

import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("report",), "Missing argument 'id_type'"),
        (("report", "RESIDENT_ID", "1", "--bogus"), "--bogus"),
        (("nosuch",), "'nosuch'"),
        (("object", "list", "--limit", "3"), "--limit"),
        (("loan", "schedule"), "Missing option '--principal'"),
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


def test_a_group_alone_still_shows_its_help() -> None:
    done = cli("object")
    assert done.returncode == 2
    assert "Usage: creditmend object" in done.stdout + done.stderr
    assert "file" in done.stdout + done.stderr


def test_help_still_exits_0() -> None:
    done = cli("report", "--help")
    assert done.returncode == 0
    assert "ID_NUMBER" in done.stdout.upper()
