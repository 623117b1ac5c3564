"""The business date is Beijing's: every command's default as-of, its "in the future" check and
the deadlines counted from it, with the clock frozen (CREDITMEND_NOW) at 01:00 Beijing time, when
the UTC date is still the day before (issue 13, defect 1).

The frozen day lies in the past, so that each test fails on a clock that is not the frozen one
(the system's) as well as on one that takes the UTC date of the frozen instant.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from in_process import cli  # the e2e folder is on the path (pytest's prepend mode)
from one_borrower import RECORD, RIC, furnished_bureau

AT_1AM = "2026-05-14T01:00:00+08:00"  # a Thursday, 01:00 in Beijing
SAME_INSTANT_UTC = "2026-05-13T17:00:00Z"  # the same instant, written in UTC
BEIJING_TODAY, BEIJING_TOMORROW = "2026-05-14", "2026-05-15"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A bureau with one lender and one borrower whose April is 20 days overdue, and the clock
    stopped at 01:00 Beijing time on 2026-05-14."""
    return {**furnished_bureau(tmp_path), "CREDITMEND_NOW": AT_1AM}


@pytest.mark.parametrize("frozen", [AT_1AM, SAME_INSTANT_UTC])
def test_the_default_as_of_is_the_beijing_date(env: dict[str, str], frozen: str) -> None:
    env = {**env, "CREDITMEND_NOW": frozen}
    retained = cli("retain", "--json", env=env)
    assert retained.returncode == 0, retained.stderr
    assert json.loads(retained.stdout)["as_of"] == BEIJING_TODAY
    own = cli("report", "cn_ric", RIC, "--format", "json", env=env)
    assert own.returncode == 0, own.stderr
    assert json.loads(own.stdout)["header"]["as_of"] == BEIJING_TODAY


def test_an_objection_is_due_20_days_from_the_beijing_filing_day(env: dict[str, str]) -> None:
    """Art. 25: the reply is due 20 days after receipt, the day of receipt not counted
    (docs/objections.md): filed on Thursday 2026-05-14, due on Wednesday 2026-06-03, not on the
    Tuesday a UTC filing day (2026-05-13) would give."""
    filed = cli(
        "object", "file", "cn_ric", RIC, "--record", RECORD, "--reason", "paid_on_time",
        "--json", env=env,
    )  # fmt: skip
    assert filed.returncode == 0, filed.stderr
    assert json.loads(filed.stdout)["due_on"] == "2026-06-03"
    shown = cli("object", "show", "1", "--json", env=env)
    assert shown.returncode == 0, shown.stderr
    objection = json.loads(shown.stdout)
    assert (objection["filed_on"], objection["age_days"]) == (BEIJING_TODAY, 0)


def test_an_inquiry_dated_the_beijing_today_is_not_in_the_future(env: dict[str, str]) -> None:
    def inquire(day: str) -> tuple[int, str]:
        done = cli(
            "inquire", "cn_ric", RIC, "--purpose", "loan_approval", "--by", "LENDER1",
            "--consent", "C-1", "--as-of", day, "--format", "json", env=env,
        )  # fmt: skip
        return done.returncode, done.stderr

    assert inquire(BEIJING_TODAY) == (0, "")
    code, said = inquire(BEIJING_TOMORROW)
    assert code == 2
    assert said.startswith(f"error: --as-of: {BEIJING_TOMORROW} is in the future")


@pytest.mark.parametrize("command", ["retain", "archive"])
def test_retention_refuses_the_day_after_the_beijing_date(
    env: dict[str, str], command: str
) -> None:
    today = cli(command, "--as-of", BEIJING_TODAY, "--json", env=env)
    assert today.returncode == 0, today.stderr
    tomorrow = cli(command, "--as-of", BEIJING_TOMORROW, "--json", env=env)
    assert tomorrow.returncode == 2
    assert tomorrow.stderr.startswith(f"error: --as-of: {BEIJING_TOMORROW} is in the future")


def test_the_batch_defaults_to_the_beijing_date(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the default folder, batch-AS_OF, is made in the working folder
    done = cli("batch", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["as_of"] == BEIJING_TODAY
    assert (tmp_path / f"batch-{BEIJING_TODAY}" / "indicators.parquet").is_file()
    future = cli("batch", "--as-of", BEIJING_TOMORROW, "--out", str(tmp_path / "b"), env=env)
    assert future.returncode == 2
    assert future.stderr.startswith(f"error: --as-of: {BEIJING_TOMORROW} is in the future")


def test_the_plan_defaults_to_the_beijing_date() -> None:
    example = Path(__file__).parents[2] / "examples" / "plan.yaml"
    env = {"CREDITMEND_NOW": "2026-07-01T01:00:00+08:00"}
    done = cli("plan", str(example), "--horizon-months", "6", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["as_of"] == "2026-07-01"


def _installed(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "creditmend", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )


def test_the_frozen_clock_reaches_a_child_process_and_a_bad_one_is_one_line(
    env: dict[str, str],
) -> None:
    retained = _installed("retain", "--json", env=env)
    assert retained.returncode == 0, retained.stderr
    assert json.loads(retained.stdout)["as_of"] == BEIJING_TODAY
    for value, says in [
        ("2026-05-14T01:00:00", "'2026-05-14T01:00:00' has no UTC offset"),
        ("2026-05-14", "'2026-05-14' has no UTC offset"),
        ("tomorrow", "'tomorrow' is not an ISO 8601 date and time"),
    ]:
        done = _installed("retain", "--json", env={**env, "CREDITMEND_NOW": value})
        assert (done.returncode, done.stdout) == (2, ""), value
        assert done.stderr.startswith(f"error: CREDITMEND_NOW: {says}"), done.stderr
        assert done.stderr.count("\n") == 1, done.stderr
